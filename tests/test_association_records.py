"""An association record describes an organisation: its page shows the organisation (its names, dates and
identifiers) and links to the organisation's own page, which the published association record makes public and
which links back. An association record that is not public (a draft, one in review, withdrawn or deleted) makes
nothing public: not the organisation's page, nor its answer in the API, nor its place in the sitemap."""

import pytest
from django.urls import reverse

from collection.models import AgentKind, AgentName, AgentRole, RecordKind, Status
from tests.factories import AgentFactory, link_agent, titled
from tests.test_authority_visibility import assert_like_unknown, in_sitemap

pytestmark = pytest.mark.django_db

AGENT_PAGE = "/en/agents/test-society/"
AGENT_API = "/api/agents/test-society/"


@pytest.fixture
def society():
    """An organisation with names in three languages, a variant, dates and an identifier in each authority file."""
    organisation = AgentFactory(
        name="Test Society of Internees",
        kind=AgentKind.ORGANISATION,
        identifier="test-society",
        date_edtf="1979/..",
        viaf="test-viaf",
        ndl="test-ndl",
        wikidata="test-wikidata",
        isil="XX-TEST",
    )
    AgentName.objects.create(agent=organisation, language="ja", text="テスト抑留者協会")
    AgentName.objects.create(agent=organisation, language="ru", text="Тестовое общество интернированных")
    AgentName.objects.create(agent=organisation, language="en", text="Test Internees' Society", preferred=False)
    return organisation


def association(organisation, status=Status.PUBLISHED, identifier="assoc-test"):
    return titled(
        "Test society record",
        kind=RecordKind.ASSOCIATION,
        described_agent=organisation,
        identifier=identifier,
        status=status,
    )


def described_section(html: str) -> str:
    start = html.index('<section class="described-organisation"')
    return html[start : html.index("</section>", start)]


def agent_is_public(client) -> bool:
    """The organisation's page and its API answer alike, and the sitemap lists the page exactly when they do."""
    page, answer = client.get(AGENT_PAGE), client.get(AGENT_API)
    assert page.status_code == answer.status_code
    listed = "test-society" in in_sitemap(client, "agents")
    assert listed == (page.status_code == 200)
    if page.status_code != 200:
        assert_like_unknown(client, "agents", "test-society")
        assert "Test Society" not in answer.content.decode()
    return page.status_code == 200


def test_the_record_page_shows_the_organisation_it_describes(client, society):
    association(society)
    section = described_section(client.get("/en/records/assoc-test/").content.decode())
    assert '<h2 id="organisation-heading">Organisation described</h2>' in section
    assert f'<a href="{AGENT_PAGE}">Test Society of Internees</a>' in section
    # Its other names, as its own page lists them: language, form, variant.
    assert '<span class="name" lang="ja">テスト抑留者協会</span>' in section
    assert '<span class="name" lang="ru">Тестовое общество интернированных</span>' in section
    assert "Test Internees&#x27; Society</span>" in section and '<span class="variant">variant</span>' in section
    # Its dates of existence and its identifiers in other authority files, as its page shows them.
    assert "<dt>Dates of existence</dt><dd>1979 onward</dd>" in section
    assert '<dt>VIAF</dt><dd><a href="https://viaf.org/viaf/test-viaf/" rel="noopener">test-viaf</a></dd>' in section
    assert '<a href="https://id.ndl.go.jp/auth/ndlna/test-ndl" rel="noopener">test-ndl</a>' in section
    assert '<a href="https://www.wikidata.org/wiki/test-wikidata" rel="noopener">test-wikidata</a>' in section
    assert "<dt>ISIL</dt><dd>XX-TEST</dd>" in section
    agent_section = client.get(AGENT_PAGE).content.decode()
    for shown in ("<dt>Dates of existence</dt><dd>1979 onward</dd>", '<ul class="names">'):
        assert shown in agent_section


def test_the_record_page_names_the_organisation_in_the_readers_language(client, society):
    association(society)
    japanese = described_section(client.get("/ja/records/assoc-test/").content.decode())
    assert '<h2 id="organisation-heading">記述対象の団体</h2>' in japanese
    assert '<a href="/ja/agents/test-society/">テスト抑留者協会</a>' in japanese
    assert "<dt>存続期間</dt>" in japanese
    russian = described_section(client.get("/ru/records/assoc-test/").content.decode())
    assert '<h2 id="organisation-heading">Описываемая организация</h2>' in russian
    assert '<a href="/ru/agents/test-society/">Тестовое общество интернированных</a>' in russian
    assert "<dt>Годы существования</dt>" in russian


def test_a_published_association_record_gives_its_organisation_a_page_that_links_back(client, society):
    association(society)
    assert agent_is_public(client)
    page = client.get(AGENT_PAGE)
    html = page.content.decode()
    assert '<dt>Association record</dt><dd><a href="/en/records/assoc-test/">Test society record</a></dd>' in html
    # The records counted and listed are those naming it in a role, as the agent filter finds them: the
    # association record describes it instead, and is linked above.
    assert (page.context["record_count"], page.context["records"]) == (0, [])
    assert "<li>No other records yet.</li>" in html
    assert "No records yet." not in html
    japanese = client.get("/ja/agents/test-society/").content.decode()
    assert "<dt>この団体についての資料</dt>" in japanese and "ほかの資料はまだありません。" in japanese
    russian = client.get("/ru/agents/test-society/").content.decode()
    assert "<dt>Запись об организации</dt>" in russian and "Других записей пока нет." in russian


def test_the_records_counted_for_the_organisation_stay_those_naming_it(client, society):
    association(society)
    published = titled("Test published by the society")
    link_agent(published, society, AgentRole.PUBLISHER)
    page = client.get(AGENT_PAGE)
    assert page.context["association_record"].identifier == "assoc-test"
    assert page.context["record_count"] == 1
    assert [record.identifier for record in page.context["records"]] == [published.identifier]
    answer = client.get(AGENT_API).json()
    assert answer["record_count"] == 1
    # The browse filter and its facet count what the page counts, as they did before the organisation had
    # a page of its own.
    assert client.get(answer["records"]).json()["count"] == 1
    assert client.get("/api/records/").json()["facets"]["agent"]["test-society"] == 1
    assert client.get("/api/records/?q=Test+Society+of+Internees").json()["count"] == 0


def test_the_api_gives_the_organisation_and_its_association_record(client, society):
    association(society)
    described = client.get("/api/records/assoc-test/").json()["described_agent"]
    assert described == {
        "identifier": "test-society",
        "name": "Test Society of Internees",
        "name_language": "en",
        "link": "http://testserver/en/agents/test-society/",
        "api": "http://testserver/api/agents/test-society/",
    }
    in_japanese = client.get("/api/records/assoc-test/", HTTP_ACCEPT_LANGUAGE="ja").json()["described_agent"]
    assert (in_japanese["name"], in_japanese["name_language"]) == ("テスト抑留者協会", "ja")
    answer = client.get(AGENT_API).json()
    assert answer["association_record"] == {
        "identifier": "assoc-test",
        "title": "Test society record",
        "title_language": "en",
        "link": "http://testserver/en/records/assoc-test/",
        "api": "http://testserver/api/records/assoc-test/",
    }
    assert (answer["record_count"], answer["records"]) == (0, None)
    # A record of another kind describes nothing.
    assert client.get(f"/api/records/{titled('Test plain record').identifier}/").json()["described_agent"] is None


def test_drafts_and_records_in_review_make_nothing_public_until_published(client, society, alice, bob):
    record = association(society, status=Status.DRAFT)
    assert not agent_is_public(client)
    record.submit(by=alice)
    assert not agent_is_public(client)
    record.publish(by=bob)
    assert agent_is_public(client)


@pytest.mark.parametrize("taken_down", ["withdrawn", "deleted"])
def test_a_withdrawal_or_deletion_takes_the_organisations_page_down(client, society, bob, dana, taken_down):
    record = association(society)
    assert agent_is_public(client)
    if taken_down == "withdrawn":
        record.withdraw(by=bob, reason="Test withdrawal.")
    else:
        record.purge(by=dana, reason="Test deletion.")
    assert not agent_is_public(client)


def test_an_unpublished_association_record_is_not_linked_from_a_public_organisation(client, society, alice, bob):
    """The organisation has a page of its own (a published record names it); its draft description stays off it."""
    link_agent(titled("Test published by the society"), society, AgentRole.PUBLISHER)
    record = association(society, status=Status.DRAFT)
    for status in (Status.DRAFT, Status.REVIEW):
        assert "assoc-test" not in client.get(AGENT_PAGE).content.decode(), status
        assert client.get(AGENT_API).json()["association_record"] is None, status
        if status == Status.DRAFT:
            record.submit(by=alice)
    record.publish(by=bob)
    assert "/en/records/assoc-test/" in client.get(AGENT_PAGE).content.decode()
    assert client.get(AGENT_API).json()["association_record"]["identifier"] == "assoc-test"


def test_the_preview_of_a_draft_shows_the_organisation_as_its_page_will(society, bob, login):
    record = association(society, status=Status.DRAFT)
    html = login(bob).get(reverse("admin:collection_record_preview", args=[record.pk])).content.decode()
    assert "Test Society of Internees" in described_section(html)
    assert "<dt>ISIL</dt><dd>XX-TEST</dd>" in described_section(html)


def more_of_everything(society, number: int) -> None:
    """More names for the organisation, and more records naming it."""
    for index in range(number):
        AgentName.objects.create(agent=society, language=f"x-test{index}", text=f"Test other name {index}")
        link_agent(titled(f"Test more {index}"), society, AgentRole.PUBLISHER)


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The record (its repository and the organisation it describes joined), its titles, its agent links, their
        # agents' names, the organisation's names, its descriptions, places, subjects, languages, its published
        # parts, its public images.
        ("/en/records/assoc-test/", 11),
        # The agent, its names, its records listed with their titles, agent links and their agents' names, its
        # records counted, the records it holds counted, its association record and that record's titles.
        (AGENT_PAGE, 10),
        # As the record's page, without the images.
        ("/api/records/assoc-test/", 10),
        # The agent, its names, its records counted, the records it holds counted, its association record and that
        # record's titles.
        (AGENT_API, 6),
    ],
)
def test_pages_and_answers_take_a_fixed_number_of_queries(client, society, django_assert_num_queries, url, queries):
    link_agent(association(society), AgentFactory(name="Test author"))
    link_agent(titled("Test published by the society"), society, AgentRole.PUBLISHER)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    more_of_everything(society, 10)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
