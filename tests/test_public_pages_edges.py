"""Edges of the public pages: nested places, dates in words, names, the API's answers, notices."""

import struct

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.dates import edtf_in_words, parse_edtf_bounds
from collection.models import AgentRole, LabelForm, PlaceKind, PlaceName, Record, Status
from collection.tombstones import tombstone_for

from .catalogue_rows import errors_of, memoir, numbered
from .factories import AgentFactory, PlaceFactory, RecordFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db

# The translations these pages need, as proposed for collection/locale (merged there separately): installed
# here from a catalogue of their own, so that the pages read as a Japanese or Russian reader will see them.
TRANSLATIONS = {
    "ja": {
        ("EDTF date", "%(year)s"): "%(year)s年",
        ("EDTF date", "%(start)s–%(end)s"): "%(start)s～%(end)s",
        ("EDTF date", "%(start)s onward"): "%(start)s以降",
        ("EDTF date", "until %(end)s"): "%(end)sまで",
        ("EDTF date", "circa %(date)s"): "%(date)s頃",
        ("EDTF date", "%(date)s?"): "%(date)s？",
        ("EDTF date", "circa %(date)s?"): "%(date)s頃？",
        ("EDTF date", "spring %(year)s"): "%(year)s年春",
    },
    "ru": {
        ("EDTF date", "%(year)s"): "%(year)s",
        ("EDTF date", "%(start)s–%(end)s"): "%(start)s–%(end)s",
        ("EDTF date", "%(start)s onward"): "%(start)s и позднее",
        ("EDTF date", "until %(end)s"): "%(end)s и ранее",
        ("EDTF date", "circa %(date)s"): "ок. %(date)s",
        ("EDTF date", "%(date)s?"): "%(date)s (?)",
        ("EDTF date", "circa %(date)s?"): "ок. %(date)s (?)",
        ("EDTF date", "spring %(year)s"): "весна %(year)s",
    },
}
PLURALS = {"ja": "nplurals=1; plural=0;",
           "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) "
                 "? 1 : 2);"}


def write_mo(path, language, messages):
    """A GNU gettext catalogue (.mo) of ``messages``, keyed ``(context, msgid)``."""
    header = f"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: {PLURALS[language]}\n"
    entries = sorted([(b"", header.encode())] + [
        (f"{context}\x04{msgid}".encode(), text.encode()) for (context, msgid), text in messages.items()])
    count = len(entries)
    keys_at = 28
    values_at = keys_at + 8 * count
    data_at = values_at + 8 * count
    keys, values, blob = [], [], b""
    for key, _value in entries:
        keys.append((len(key), data_at + len(blob)))
        blob += key + b"\0"
    for _key, value in entries:
        values.append((len(value), data_at + len(blob)))
        blob += value + b"\0"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<7I", 0x950412DE, 0, count, keys_at, values_at, 0, 0)
                     + b"".join(struct.pack("<2I", *pair) for pair in keys)
                     + b"".join(struct.pack("<2I", *pair) for pair in values) + blob)


@pytest.fixture
def proposed_translations(settings, tmp_path):
    for language, messages in TRANSLATIONS.items():
        write_mo(tmp_path / "locale" / language / "LC_MESSAGES" / "django.mo", language, messages)
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]  # resets the loaded catalogues


# --- 2. a place chosen under a chosen region narrows to it ----------------------------------------


@pytest.fixture
def nested_places():
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    krai = PlaceFactory(name="Test krai", parent=region, identifier="test-krai")
    other = PlaceFactory(name="Test other city", parent=region, identifier="test-other")
    for number, place in enumerate([krai] * 3 + [other] * 5):
        record = titled(f"Test place {number}")
        record.places.add(place)
        reindex(record)  # places are indexed with their regions
    return region, krai


def place_values(response):
    facet = next(f for f in response.context["facets"] if f.name == "place")

    def walk(values):
        for value in values:
            yield value
            yield from walk(value.children)

    return {value.value: value for value in walk(facet.values)}


def test_a_place_under_the_chosen_region_narrows_to_it(client, nested_places):
    chosen = client.get("/en/records/", {"place": "test-region"})
    assert chosen.context["paginator"].count == 8
    krai = place_values(chosen)["test-krai"]
    assert krai.url == "?place=test-krai"
    narrowed = client.get("/en/records/" + krai.url)
    assert narrowed.context["paginator"].count == krai.count == 3
    # Back to the region: it replaces the krai, and its count is what it gives.
    region = place_values(narrowed)["test-region"]
    assert region.url == "?place=test-region"
    assert client.get("/en/records/" + region.url).context["paginator"].count == region.count == 8


def test_other_chosen_values_stay_when_a_nested_place_is_chosen(client, nested_places):
    elsewhere = PlaceFactory(name="Test elsewhere region", kind=PlaceKind.REGION, identifier="test-far")
    far = titled("Test far away")
    far.places.add(elsewhere)
    reindex(far)
    response = client.get("/en/records/", {"place": ["test-region", "test-far"], "kind": "document"})
    assert place_values(response)["test-krai"].url == "?place=test-far&place=test-krai&kind=document"


# --- 3. dates in words ----------------------------------------------------------------------------


@pytest.mark.parametrize(("edtf", "words"), [
    ("1950", "1950"),
    ("195X", "1950s"),
    ("19XX", "1900–1999"),
    ("1946/1956", "1946–1956"),
    ("1984/..", "1984 onward"),
    ("../1950", "until 1950"),
    ("1950~", "circa 1950"),
    ("1950?", "1950?"),
    ("1950%", "circa 1950?"),
    ("195X~", "circa 1950s"),
    ("1998-04-12", "April 12, 1998"),
    ("1945-08-23", "August 23, 1945"),  # not the newspapers' "Aug. 23, 1945"
    ("1945-09-02~", "circa September 2, 1945"),
    ("1998-04", "April 1998"),
    ("1998-04~", "circa April 1998"),
    ("1950-XX", "1950"),
    ("1950-05-XX", "May 1950"),
    ("1950-21", "spring 1950"),
    ("1950-33", "January–March 1950"),  # a quarter: the year once
    ("1950-40", "January–June 1950"),
    ("1945-08~/1956-12?", "circa August 1945–December 1956?"),
    ("[1950,1951]", "1950 or 1951"),  # one of a set
    ("[1950..1953]", "[1950..1953]"),  # a set with a range in it: as written
])
def test_edtf_in_words_in_english(edtf, words):
    parse_edtf_bounds(edtf)  # each is a date the catalogue takes
    with translation.override("en"):
        assert edtf_in_words(edtf) == words


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["1950s", "1946–1956", "1984 onward", "circa 1950", "1950?"]),
    ("ja", ["1950年代", "1946年～1956年", "1984年以降", "1950年頃", "1950年？"]),
    ("ru", ["1950-е", "1946–1956", "1984 и позднее", "ок. 1950", "1950 (?)"]),
])
def test_uncertain_dates_read_as_words_in_the_list_and_on_the_page(client, proposed_translations, language,
                                                                    expected):
    records = [titled(f"Test dated {edtf}", date_edtf=edtf, identifier=f"doc-dated-{number}")
               for number, edtf in enumerate(["195X", "1946/1956", "1984/..", "1950~", "1950?"])]
    listing = client.get(f"/{language}/records/", {"sort": "title"}).content.decode()
    for record, words in zip(records, expected, strict=True):
        assert f'<span class="date">{words}</span>' in listing
        page = client.get(f"/{language}/records/{record.identifier}/").content.decode()
        assert f"<dd>{words}</dd>" in page
    for code in {"195X", "1946/1956", "1984/..", "1950~", "1950?"} - set(expected):
        assert f'<span class="date">{code}</span>' not in listing


def test_the_date_reads_in_the_pages_language_with_the_wording_given_beside_it(client):
    record = titled("Test wording", date_edtf="1950~", date_display="昭和25年頃")
    page = client.get(record.get_absolute_url()).content.decode()
    assert ('<dd>circa 1950<span class="as-written"> (as catalogued: <span lang="">昭和25年頃</span>)</span></dd>'
            in page)
    same = titled("Test same wording", date_edtf="1950", date_display="1950")
    assert "<dd>1950</dd>" in client.get(same.get_absolute_url()).content.decode()
    wording_only = titled("Test wording only", date_display="after the war")
    assert '<dd><span lang="">after the war</span></dd>' in client.get(wording_only.get_absolute_url()).content.decode()
    undated = titled("Test undated")
    assert "<dd>undated</dd>" in client.get(undated.get_absolute_url()).content.decode()
    listed = client.get("/ru/records/").content.decode()
    assert "ок. 1950" in listed and "昭和25年頃" not in listed


def test_an_open_range_sorts_by_the_end_it_has(client):
    titled("Test old", date_edtf="1950")
    titled("Test open", date_edtf="1984/..")
    titled("Test open start", date_edtf="../1960")
    titled("Test newer", date_edtf="1990")
    titled("Test undated")
    response = client.get("/en/records/", {"sort": "-date"})
    assert [r.display_title() for r in response.context["records"]] == [
        "Test newer", "Test open", "Test open start", "Test old", "Test undated"]
    response = client.get("/en/records/", {"sort": "date"})
    assert [r.display_title() for r in response.context["records"]] == [
        "Test old", "Test open start", "Test open", "Test newer", "Test undated"]


# --- 4. what a date field takes -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "fragment"), [
    ("1950/", "1950/.."),
    ("/1950", "../1950"),
    ("１９５０", "write it as 1950"),
    ("１９５０～", "Write 1950/.. for 1950 and later, or 1950~ for about 1950"),  # 〜 says "from" in Japanese
    ("١٩٤٥-١٩٥٦", "not a valid EDTF date"),
    ("١٩٥٠", "not a valid EDTF date"),  # Arabic-Indic digits: no ASCII form
])
def test_a_blank_end_and_full_width_digits_are_refused_with_the_way_to_write_them(value, fragment):
    with pytest.raises(ValidationError) as refused:
        RecordFactory.build(kind="document", identifier="doc-date-test", date_edtf=value).full_clean()
    assert fragment in " ".join(refused.value.message_dict["date_edtf"])
    result = write_rows(numbered(memoir("mem-date-test", date=value)))
    assert errors_of(result) == [(2, "date")]
    assert fragment in " ".join(str(e) for e in result.errors)
    assert not Record.objects.exists()


def test_a_date_stored_before_such_forms_were_refused_keeps_its_bounds_when_saved_again(bob):
    record = RecordFactory(status=Status.PUBLISHED, date_edtf="1950")
    Record.objects.filter(pk=record.pk).update(date_edtf="１９５０")  # as an earlier version stored it
    record.refresh_from_db()
    record.withdraw(bob, "Test reason.")  # any later save
    assert Record.objects.get(pk=record.pk).year_start == 1950


def test_open_ends_are_still_taken():
    assert parse_edtf_bounds("1950/..").end is None
    assert parse_edtf_bounds("../1950").start is None


# --- 5. a preferred name before a variant ---------------------------------------------------------


def test_a_preferred_name_in_another_language_beats_a_variant(client):
    krai = PlaceFactory(name="Test Primorski Krai", identifier="test-primorsky")
    PlaceName.objects.create(place=krai, language="en", text="Test Primorye", preferred=False)
    PlaceName.objects.create(place=krai, language="ru", text="Тест Приморье", preferred=False)
    record = titled("Test record in the krai", identifier="doc-in-krai")
    record.places.add(krai)
    reindex(record)
    for language in ("ja", "ru", "en"):
        assert krai.display_name(language) == "Test Primorski Krai"
        page = client.get(f"/{language}/records/doc-in-krai/").content.decode()
        assert ">Test Primorski Krai</a>" in page and "Тест Приморье</a>" not in page
        assert "<h1>Test Primorski Krai</h1>" in client.get(f"/{language}/places/test-primorsky/").content.decode()
    # Among preferred names the language still decides.
    PlaceName.objects.create(place=krai, language="ru", text="Тест Приморский край")
    assert Record.objects.get(pk=record.pk).places.get().display_name("ru") == "Тест Приморский край"
    assert krai.display_name("ja") == "Тест Приморский край"  # ja has none: the original, in configured order


def test_a_variant_is_shown_when_there_is_nothing_else():
    place = PlaceFactory(name="Test only preferred")
    name = place.names.get()
    name.preferred = False
    name.save()
    PlaceName.objects.create(place=place, language="ja-Latn", text="Tesuto", preferred=False,
                             form=LabelForm.ROMANIZATION)
    assert place.display_name("ja") == "Test only preferred"


# --- 6. the API's answers -------------------------------------------------------------------------


def test_the_api_answers_410_with_the_notices_facts(client, bob, dana):
    withdrawn = RecordFactory(identifier="doc-api-wd", title="Test withdrawn title")
    withdrawn.withdraw(bob, "Rights unclear.")
    withdrawal = withdrawn.history.first()  # dated as OAI-PMH dates it (collection.tombstones)
    response = client.get("/api/records/doc-api-wd/")
    assert response.status_code == 410 and response["Content-Type"] == "application/json"
    assert response.json() == {"identifier": "doc-api-wd", "status": "withdrawn", "title": "Test withdrawn title",
                               "title_language": "en", "date": withdrawal.history_date.isoformat()}
    private = RecordFactory(identifier="doc-api-private", title="Test private title")
    private.withdraw(bob, "Privacy.", hide_title=True)
    response = client.get("/api/records/doc-api-private/")
    assert response.status_code == 410 and b"Test private title" not in response.content
    deleted = RecordFactory(identifier="doc-api-del", title="Test deleted title")
    deleted.purge(dana, "Duplicate.")
    response = client.get("/api/records/doc-api-del/")
    assert response.status_code == 410
    assert response.json()["status"] == "deleted" and response.json()["title"] == "Test deleted title"


def test_the_api_answers_json_404_for_an_unknown_or_unpublished_record(client):
    RecordFactory(identifier="doc-api-draft", title="Test draft title", status=Status.DRAFT)
    for identifier in ("doc-api-none", "doc-api-draft"):
        response = client.get(f"/api/records/{identifier}/")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json() == {"identifier": identifier, "status": "not_found"}


@pytest.mark.parametrize("asked", ["0", "-1", "-999"])
def test_a_page_below_the_first_is_not_understood(client, asked):
    for number in range(5):
        titled(f"Test paged {number}")
    api = client.get("/api/records/", {"page": asked, "page_size": 2, "sort": "title"})
    assert api.status_code == 400 and list(api.json()["errors"]) == ["page"]
    html = client.get("/en/records/", {"page": asked, "page_size": 2, "sort": "title"})
    assert html.status_code == 400 and html.context["page_obj"].number == 1
    assert client.get("/api/records/", {"page": 99, "page_size": 2}).status_code == 404  # beyond the last


# --- 7. a filter not understood is named by its label ---------------------------------------------


@pytest.mark.parametrize(("language", "label"), [("ja", "開始年："), ("ru", "Год от: "), ("en", "From year: ")])
def test_a_filter_not_understood_is_named_by_its_label(client, language, label):
    response = client.get(f"/{language}/records/", {"year_from": "abc"})
    assert response.status_code == 400
    errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
    assert f"<li>{label}" in errors and "year_from" not in errors


# --- 8. the description's source, and roles other than author --------------------------------------


def test_the_record_page_shows_where_the_description_comes_from(client):
    record = titled("Test described", description_source="Cited in “Test list”, Test Foundation, 2010.")
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'Source of the description: <span lang="">Cited in “Test list”, Test Foundation, 2010.</span>' in page
    ja = client.get("/ja" + record.get_absolute_url()[3:]).content.decode()
    assert '記述の出典：<span lang="">Cited in' in ja
    assert "Source of the description" not in client.get(titled("Test plain").get_absolute_url()).content.decode()


def test_lists_say_who_is_the_subject_of_a_record(client):
    record = titled("Test about someone", identifier="doc-about")
    person = AgentFactory(name="Test Subject Person", identifier="test-subject-person")
    author = AgentFactory(name="Test Author Person", identifier="test-author-person")
    link_agent(record, person, role=AgentRole.SUBJECT)
    link_agent(record, author)
    listing = client.get("/en/records/").content.decode()
    assert "Test Subject Person (subject)" in listing
    assert "Test Author Person (" not in listing and "Test Author Person" in listing
    assert "Test Subject Person (subject)" in client.get("/en/agents/test-subject-person/").content.decode()
    page = client.get("/en/records/doc-about/").content.decode()
    assert "<dt>Subject</dt>" in page and "<dt>Author</dt>" in page


# --- 9. a record back in revision -----------------------------------------------------------------


def test_a_published_record_back_in_draft_shows_a_notice_with_its_identifier_only(client, bob):
    record = RecordFactory(identifier="doc-revised", title="Test revised title")
    reindex(record)
    record.withdraw(bob, "Corrections needed.", hide_title=True)
    record.reopen(bob)
    for url in ("/en/records/doc-revised/", "/en/records/doc-revised/cite.bib"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "This record is temporarily unavailable" in page and "doc-revised" in page
        assert "Test revised title" not in page and "Corrections needed." not in page
        assert '<meta name="robots" content="noindex">' in page
    response = client.get("/api/records/doc-revised/")
    assert response.status_code == 404
    assert response.json() == {"identifier": "doc-revised", "status": "in_revision"}
    record.status = Status.REVIEW
    record.save()
    assert "temporarily unavailable" in client.get("/en/records/doc-revised/").content.decode()


def test_a_draft_never_published_has_no_notice(client):
    RecordFactory(identifier="doc-never-public", title="Test never public", status=Status.DRAFT)
    assert tombstone_for("doc-never-public") is None
    response = client.get("/en/records/doc-never-public/")
    assert response.status_code == 404 and b"temporarily unavailable" not in response.content


@pytest.mark.parametrize(("edtf", "words"), [
    ("1945-08", "август 1945 г."),
    ("1945-08/1946-02", "август 1945 г.–февраль 1946 г."),
    ("1945-08-23", "23 августа 1945 г."),
])
def test_russian_writes_the_month_in_lower_case(edtf, words):
    with translation.override("ru"):
        assert edtf_in_words(edtf) == words
    with translation.override("en"):
        assert edtf_in_words(edtf).startswith(("August", "Aug."))


@pytest.mark.parametrize(("language", "one_of", "all_of", "moment"), [
    ("en", "1945 or 1950", "August 1945 and 1946", "Jan. 1, 1950, 10 a.m."),
    ("ja", "1945年または1950年", "1945年8月と1946年", "1950年1月1日10:00"),
    ("ru", "1945 или 1950", "август 1945 г. и 1946", "1 января 1950 г. 10:00"),
])
def test_sets_of_dates_and_a_time_of_day_are_put_into_words(language, one_of, all_of, moment):
    with translation.override(language):
        assert edtf_in_words("[1945,1950]") == one_of
        assert edtf_in_words("{1945-08,1946}") == all_of
        assert edtf_in_words("1950-01-01T10:00:00") == moment
        # What it cannot put into words stays as written.
        for written in ("[1945..1950]", "[1945]", "1950-01-01T10:00:00Z", "[1945,19XY]"):
            assert edtf_in_words(written) == written


def test_free_text_in_no_known_language_is_not_marked_as_the_pages(client):
    record = titled("Test article", container_title="Тестовый вестник", publication_place="Владивосток",
                    extent="431 p.")
    page = client.get(f"/ja/records/{record.identifier}/").content.decode()
    assert '<span lang="ru">Тестовый вестник</span>' in page
    # Cyrillic letters say Russian; Latin ones say nothing.
    assert '<dd lang="ru">Владивосток</dd>' in page and '<dd lang="">431 p.</dd>' in page
