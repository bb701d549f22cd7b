"""An authority's page says what the authority file knows of it: where a place lies and what lies within it,
a subject's broader and narrower subjects, an agent's dates and its identifiers in other authority files."""

import pytest

from collection.models import AgentKind, PlaceKind, PlaceName, Status
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


def with_record(*, place=None, subject=None, status=Status.PUBLISHED):
    record = titled("Test record", status=status)
    if place is not None:
        record.places.add(place)
    if subject is not None:
        record.subjects.add(subject)
    reindex(record)
    return record


def test_a_place_page_names_its_kind_the_region_above_and_the_public_places_within(client):
    krai = PlaceFactory(name="Test krai", kind=PlaceKind.KRAI, identifier="test-krai")
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=krai, identifier="test-camp",
                        gupvi_camp_number="99", latitude="43.1", longitude="131.9")
    PlaceName.objects.create(place=camp, language="en", text="Test old camp name", preferred=False,
                             valid_from=1945, valid_to=1949)
    hidden = PlaceFactory(name="Test draft-only city", parent=krai, identifier="test-hidden")
    with_record(place=camp)
    with_record(place=hidden, status=Status.DRAFT)

    krai_page = client.get("/en/places/test-krai/").content.decode()
    assert "<dt>Kind</dt><dd>krai</dd>" in krai_page
    assert '<dt>Places within</dt><dd><a href="/en/places/test-camp/">Test camp</a></dd>' in krai_page
    assert "Test draft-only city" not in krai_page  # a place only drafts use has no page to link

    camp_page = client.get("/en/places/test-camp/").content.decode()
    assert '<dt>Part of</dt><dd><a href="/en/places/test-krai/">Test krai</a></dd>' in camp_page
    assert "<dt>GUPVI camp number</dt><dd>99</dd>" in camp_page
    assert "43.100000, 131.900000" in camp_page
    assert "used 1945–1949" in camp_page

    russian = client.get("/ru/places/test-camp/").content.decode()
    assert "<dt>Тип</dt><dd>лагерь</dd>" in russian
    assert "<dt>Номер лагеря ГУПВИ</dt>" in russian
    assert "употреблялось в 1945–1949 гг." in russian
    assert "<dt>上位の地域</dt>" in client.get("/ja/places/test-camp/").content.decode()


def test_a_subject_page_names_its_broader_subject_and_links_the_narrower_ones(client):
    broad = SubjectFactory(label="Test broad subject", identifier="test-broad")
    narrow = SubjectFactory(label="Test narrow subject", identifier="test-narrow", broader=broad)
    with_record(subject=narrow)
    page = client.get("/en/subjects/test-narrow/").content.decode()
    # No published record is about the broader subject: it has no page, so it is named, not linked.
    assert "<dt>Broader subject</dt><dd><span>Test broad subject</span></dd>" in page
    assert client.get("/en/subjects/test-broad/").status_code == 404
    with_record(subject=broad)
    page = client.get("/en/subjects/test-narrow/").content.decode()
    assert '<dd><a href="/en/subjects/test-broad/">Test broad subject</a></dd>' in page
    broad_page = client.get("/ja/subjects/test-broad/").content.decode()
    assert ('<dt>下位件名</dt><dd><a href="/ja/subjects/test-narrow/" lang="en">Test narrow subject</a></dd>'
            in broad_page)


def test_an_agent_page_gives_dates_and_identifiers_in_other_authority_files(client):
    person = AgentFactory(name="Test person", identifier="test-person", date_edtf="1921/1998",
                          viaf="123456789", ndl="00000001", wikidata="Q4115189")
    archive = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION,
                           date_display="since the 1920s", isil="RU-0000")
    link_agent(titled("Test memoir", repository=archive), person)
    page = client.get("/en/agents/test-person/").content.decode()
    assert "<dt>Life dates</dt><dd>1921–1998</dd>" in page
    assert '<a href="https://viaf.org/viaf/123456789/" rel="noopener">123456789</a>' in page
    assert '<a href="https://id.ndl.go.jp/auth/ndlna/00000001" rel="noopener">00000001</a>' in page
    assert '<a href="https://www.wikidata.org/wiki/Q4115189" rel="noopener">Q4115189</a>' in page
    archive_page = client.get("/ru/agents/test-archive/").content.decode()
    assert '<dt>Годы существования</dt><dd><span lang="">since the 1920s</span></dd>' in archive_page
    assert "<dt>ISIL</dt><dd>RU-0000</dd>" in archive_page
    assert "<dt>生没年</dt>" in client.get("/ja/agents/test-person/").content.decode()


def test_places_within_are_listed_in_the_order_of_their_readings_on_a_japanese_page(client):
    krai = PlaceFactory(name="テスト地方", name__language="ja", kind=PlaceKind.REGION, identifier="test-region")
    siberia = PlaceFactory(name="シベリア", name__language="ja", parent=krai, identifier="test-siberia")
    coast = PlaceFactory(name="沿海地方", name__language="ja", parent=krai, identifier="test-coast")
    written = coast.names.get()
    PlaceName.objects.create(place=coast, language="ja-Hrkt", text="エンカイ チホウ", form="reading",
                             derived_from=written)
    with_record(place=siberia)
    with_record(place=coast)
    page = client.get("/ja/places/test-region/").content.decode()
    # えんかい before しべりあ, as a Japanese index orders them, not katakana before every kanji.
    assert page.index(">沿海地方</a>") < page.index(">シベリア</a>")
    api = client.get("/api/places/test-region/", headers={"accept-language": "ja"}).json()
    assert [child["identifier"] for child in api["children"]] == ["test-coast", "test-siberia"]
