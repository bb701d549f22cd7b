"""The Atom feed of newly published records, read as a feed reader reads it."""

import datetime
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.utils import timezone

from collection.models import AgentKind, AgentRole, LabelForm, Language, Record, RecordKind, Status
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, add_title, link_agent, reindex, titled
from tests.test_image_visibility import attach

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED = "/en/records.atom"


def read_feed(client, url=FEED, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def entry_titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def links(feed, rel):
    return [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == rel]


def first_published_at(record, when):
    """Date the record as if it had been published (and last changed) at ``when``: its history, and its first
    publication, which agrees with it."""
    Record.history.model.objects.filter(id=record.pk).update(history_date=when)
    Record.objects.filter(pk=record.pk).update(modified=when, first_published=when)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def published_through_the_workflow(text, alice, bob, **fields):
    record = titled(text, status=Status.DRAFT, **fields)
    record.submit(alice)
    record.publish(bob)
    return record


def test_the_newest_first_publications_come_first_and_their_number_is_the_setting(client, settings):
    old, middle, new = titled("Test old"), titled("Test middle"), titled("Test new")
    first_published_at(old, days_ago(30))
    first_published_at(middle, days_ago(20))
    first_published_at(new, days_ago(10))
    assert entry_titles(read_feed(client)) == ["Test new", "Test middle", "Test old"]
    settings.COLLECTION_FEED_ENTRIES = 2
    assert entry_titles(read_feed(client)) == ["Test new", "Test middle"]


def test_an_entry_is_dated_by_its_first_publication_and_its_last_change(client, alice, bob):
    record = published_through_the_workflow("Test dated", alice, bob)
    published = days_ago(40)
    first_published_at(record, published)
    changed = days_ago(2)
    Record.objects.filter(pk=record.pk).update(modified=changed)
    titled("Test published later")  # first published now: listed above, though the other changed since
    feed = read_feed(client)
    assert entry_titles(feed) == ["Test published later", "Test dated"]
    entry = entries(feed)[1]
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == published
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == changed


def test_an_entry_is_updated_when_an_author_it_names_is_renamed(client, admin_client, alice, bob):
    from .test_oai import renamed_in_the_admin

    record = published_through_the_workflow("Test renamed author", alice, bob)
    author = AgentFactory(name="Test Author")
    link_agent(record, author)
    first_published_at(record, days_ago(40))
    before = timezone.now()
    renamed_in_the_admin(admin_client, author, "Renamed Test Author")
    [entry] = entries(read_feed(client))
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) >= before

def test_a_record_published_again_keeps_its_first_publication(client, alice, bob):
    record = published_through_the_workflow("Test republished", alice, bob)
    first = days_ago(50)
    first_published_at(record, first)
    titled("Test newer")
    record.withdraw(bob, "Rights unclear.")
    record.reopen(bob)
    record.submit(alice)
    record.publish(bob)
    feed = read_feed(client)
    assert entry_titles(feed) == ["Test newer", "Test republished"]
    entry = entries(feed)[1]
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == first
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) > first  # published again since


def test_an_entry_as_a_reader_sees_it(client):
    record = titled("テスト原題", "ja", kind=RecordKind.MEMOIR)
    add_title(record, "Test translated title", "en", form=LabelForm.TRANSLATION)
    untranslated = titled("テスト未訳", "ja")
    author = AgentFactory(name="Test Author", name__language="en")
    second = AgentFactory(name="テスト著者", name__language="ja")
    editor = AgentFactory(name="Test Editor")
    link_agent(record, author)
    link_agent(record, second)
    link_agent(record, editor, AgentRole.EDITOR)
    reindex(record)
    record.descriptions.create(language="ja", text="日本語の説明")
    record.descriptions.create(language="en", text="Test <b>bold</b> & plain\nsecond line")
    first_published_at(untranslated, days_ago(1))

    feed = read_feed(client)
    assert feed.get(XML_LANG) == "en"
    entry, other = entries(feed)
    permalink = f"http://testserver/en/records/{record.identifier}/"
    assert entry.findtext(f"{ATOM}title") == "Test translated title"
    assert entry.find(f"{ATOM}title").get(XML_LANG) is None  # in the feed's language
    assert links(entry, "alternate") == [permalink]
    assert entry.findtext(f"{ATOM}id") == permalink
    # The record's own page gives the same permanent address.
    assert f'href="{permalink}"' in client.get(f"/en/records/{record.identifier}/").content.decode()
    authors = entry.findall(f"{ATOM}author")
    assert [a.findtext(f"{ATOM}name") for a in authors] == ["Test Author", "テスト著者"]
    assert authors[1].get(XML_LANG) == "ja"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "Test <b>bold</b> & plain\nsecond line"  # the text as written, never read as HTML
    # With no English title, the original, as the browse list shows it, marked as Japanese.
    assert other.findtext(f"{ATOM}title") == "テスト未訳"
    assert other.find(f"{ATOM}title").get(XML_LANG) == "ja"
    assert other.find(f"{ATOM}summary") is None

    japanese = read_feed(client, "/ja/records.atom")
    entry = entries(japanese)[0]
    assert entry.findtext(f"{ATOM}title") == "テスト原題"
    assert entry.findtext(f"{ATOM}summary") == "日本語の説明"
    assert links(entry, "alternate") == [f"http://testserver/ja/records/{record.identifier}/"]


def test_the_feed_names_the_site_and_links_the_browse_page(client, settings):
    settings.COLLECTION_SITE_NAME = {"en": "Test site", "ru": "Тестовый сайт"}
    titled("Test any")
    feed = read_feed(client)
    assert feed.findtext(f"{ATOM}title") == "Test site: newly published records"
    assert links(feed, "alternate") == ["http://testserver/en/records/"]
    assert links(feed, "self") == ["http://testserver/en/records.atom"]
    assert feed.findtext(f"{ATOM}id") == "http://testserver/en/records.atom"
    assert read_feed(client, "/ru/records.atom").findtext(f"{ATOM}title").startswith("Тестовый сайт: ")


def test_a_search_can_be_followed_with_the_browse_pages_parameters(client, settings):
    settings.COLLECTION_SITE_NAME = "Test site"
    place = PlaceFactory(name="Test place", identifier="test-place")
    place.names.create(language="ru", text="Тестовое место")
    in_place = titled("Test memoir in place", kind=RecordKind.MEMOIR)
    in_place.places.add(place)
    titled("Test memoir elsewhere", kind=RecordKind.MEMOIR)
    document = titled("Test document in place")
    document.places.add(place)
    reindex(in_place, document)
    params = {"kind": "memoir", "place": "test-place", "sort": "-date", "page": "1"}

    feed = read_feed(client, params=params)
    assert entry_titles(feed) == ["Test memoir in place"]
    browse = client.get("/en/records/", params).context["records"]
    assert [r.identifier for r in browse] == [in_place.identifier]
    assert feed.findtext(f"{ATOM}title") == "Test site: newly published records — Kind: memoir · Place: Test place"
    # Its links carry the filters, not the page's order or page.
    assert links(feed, "self") == ["http://testserver/en/records.atom?kind=memoir&place=test-place"]
    assert links(feed, "alternate") == ["http://testserver/en/records/?kind=memoir&place=test-place"]

    russian = read_feed(client, "/ru/records.atom", {"place": "test-place", "q": "memoir"})
    assert (
        russian.findtext(f"{ATOM}title")
        == "Test site: недавно опубликованные записи — «memoir» · Место: Тестовое место"
    )
    assert entry_titles(russian) == ["Test memoir in place"]
    japanese = read_feed(client, "/ja/records.atom", {"kind": "memoir", "decade": "undated"})
    assert japanese.findtext(f"{ATOM}title").startswith("Test site：新着資料 — ")
    assert "Kind" not in japanese.findtext(f"{ATOM}title") and "undated" not in japanese.findtext(f"{ATOM}title")


def test_a_search_with_a_control_character_gives_a_feed_as_it_gives_a_page(client):
    # A character XML cannot carry, pasted into the search box, is no reason for the feed to fail while the
    # browse page answers.
    titled("Test memoir")
    params = {"q": "memoir\x01"}
    browse = client.get("/en/records/", params)
    assert browse.status_code == 200
    feed = read_feed(client, params=params)
    assert entry_titles(feed) == [record.display_label("en").text for record in browse.context["records"]]
    assert "\x01" not in feed.findtext(f"{ATOM}title")


def test_a_title_pasted_with_a_control_character_does_not_break_the_feed(client):
    # Word writes a manual line break as U+000B, and a title pasted from it into the admin keeps one.
    titled("Test\x0bmemoir")
    titled("Test other")
    feed = read_feed(client)
    assert sorted(entry_titles(feed)) == ["Test other", "Testmemoir"]


def browse_selection(client, language, params):
    """What the browse page with ``params`` says it lists, as its title says it (before the page)."""
    title = unescape(re.search(r"<title>(.*?)</title>", client.get(f"/{language}/records/", params).content.decode(),
                               re.S).group(1))
    return title.split(" — ")[0]


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
def test_the_feed_says_what_it_lists_in_the_words_of_its_browse_page(client, settings, language):
    settings.COLLECTION_SITE_NAME = "Test site"
    camps = []
    for number in range(4):
        camp = PlaceFactory(name=f"Test camp {number}", identifier=f"test-camp-{number}")
        camp.names.create(language="ja", text=f"テスト収容所{number}")
        camps.append(camp)
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    author = AgentFactory(name="Test author", identifier="test-author")
    archive = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION)
    for number, camp in enumerate(camps):
        record = titled(f"Test memoir {number}", kind=RecordKind.MEMOIR, date_edtf="1950" if number else "",
                        repository=archive)
        record.places.add(camp)
        record.subjects.add(subject)
        record.languages.add(Language.objects.get_or_create(tag="ja")[0])
        link_agent(record, author)
        reindex(record)
    attach(record)
    selections = [
        {"q": "memoir", "kind": "memoir", "place": ["test-camp-2", "test-camp-0"]},
        # Four places chosen: the first two named and the others counted, as the page's title counts them.
        {"place": ["test-camp-3", "test-camp-1", "test-camp-0", "test-camp-2"], "language": "ja"},
        {"decade": ["1950", "undated"], "year_from": "1940", "year_to": "1960", "has_scans": "1"},
        {"subject": "test-subject", "agent": "test-author", "repository": "test-archive", "year_to": "1960"},
    ]
    site_and_feed = read_feed(client, f"/{language}/records.atom").findtext(f"{ATOM}title")
    for params in selections:
        page_says = browse_selection(client, language, params)
        assert page_says and page_says != browse_selection(client, language, {})
        assert read_feed(client, f"/{language}/records.atom", params).findtext(f"{ATOM}title") == (
            f"{site_and_feed} — {page_says}"), params
    if language == "ja":
        assert browse_selection(client, "ja", selections[1]) == (
            "資料の言語：日本語 · 場所：テスト収容所3、テスト収容所1ほか2件")


def test_a_filter_not_understood_answers_as_the_browse_page(client):
    titled("Test any", kind=RecordKind.MEMOIR)
    for params in ({"decade": "abc"}, {"kind": "bogus"}, {"year_from": "1950.5"}, {"place": "no-such-place"}):
        assert client.get("/en/records/", params).status_code == 400
        response = client.get(FEED, params)
        assert response.status_code == 400, params
        assert b"<entry" not in response.content
    # A value that is not a choice beside one that is: left out, as on the page, and the others apply.
    assert client.get("/en/records/", {"kind": ["memoir", "bogus"]}).status_code == 200
    feed = read_feed(client, params={"kind": ["memoir", "bogus"]})
    assert entry_titles(feed) == ["Test any"]
    assert links(feed, "self") == ["http://testserver/en/records.atom?kind=memoir"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_records_not_public_never_appear(client, status):
    titled("Test public")
    titled("Test hidden", status=status)
    assert entry_titles(read_feed(client)) == ["Test public"]


def test_a_record_withdrawn_or_deleted_after_publication_leaves_the_feed(client, alice, bob, dana):
    withdrawn = published_through_the_workflow("Test to withdraw", alice, bob)
    deleted = published_through_the_workflow("Test to delete", alice, bob)
    reopened = published_through_the_workflow("Test to reopen", alice, bob)
    titled("Test staying")
    assert len(entries(read_feed(client))) == 4
    withdrawn.withdraw(bob, "Rights unclear.")
    deleted.purge(dana, "Duplicate entry.")
    reopened.withdraw(bob, "Needs correcting.")
    reopened.reopen(bob)
    feed = read_feed(client)
    assert entry_titles(feed) == ["Test staying"]
    assert "Test to" not in ET.tostring(feed, encoding="unicode")


def test_entries_used_only_by_drafts_are_never_named(client):
    draft_place = PlaceFactory(name="Test draft place", identifier="test-draft-place")
    draft_author = AgentFactory(name="Test draft author", identifier="test-draft-author")
    draft_subject = SubjectFactory(label="Test draft subject", identifier="test-draft-subject")
    draft = titled("Test draft", status=Status.DRAFT)
    draft.places.add(draft_place)
    draft.subjects.add(draft_subject)
    link_agent(draft, draft_author)
    public = titled("Test public")
    link_agent(public, AgentFactory(name="Test public author", identifier="test-public-author"))
    reindex(draft, public)
    everything = client.get(FEED).content.decode()
    assert "Test draft" not in everything
    for params in (
        {"place": "test-draft-place"},
        {"agent": "test-draft-author"},
        {"subject": "test-draft-subject"},
        {"agent": ["test-draft-author", "test-public-author"]},
    ):
        response = client.get(FEED, params)
        assert "Test draft" not in response.content.decode(), params
    # Beside a public value, the draft-only one is left out, and not named in the feed's title.
    feed = read_feed(client, params={"agent": ["test-draft-author", "test-public-author"]})
    assert entry_titles(feed) == ["Test public"]
    assert feed.findtext(f"{ATOM}title").endswith("Person or organisation: Test public author")


def feed_link(html):
    """The hrefs of the page's feed autodiscovery links."""
    head = html.split("</head>")[0]
    found = []
    for part in head.split("<link ")[1:]:
        if 'type="application/atom+xml"' in part and 'rel="alternate"' in part:
            found.append(part.split('href="')[1].split('"')[0].replace("&amp;", "&"))
    return found


def test_pages_point_feed_readers_to_their_feed(client):
    place = PlaceFactory(name="Test place", identifier="test-place")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    agent = AgentFactory(name="Test agent", identifier="test-agent")
    record = titled("Test linked", kind=RecordKind.MEMOIR)
    record.places.add(place)
    record.subjects.add(subject)
    link_agent(record, agent)
    reindex(record)

    assert feed_link(client.get("/en/").content.decode()) == ["/en/records.atom"]
    assert feed_link(client.get("/ja/records/").content.decode()) == ["/ja/records.atom"]
    browse = client.get("/en/records/", {"kind": ["memoir", "bogus"], "q": "linked", "sort": "title", "page_size": "5"})
    assert feed_link(browse.content.decode()) == ["/en/records.atom?q=linked&kind=memoir"]
    for url, expected in [
        ("/en/places/test-place/", "place=test-place"),
        ("/en/subjects/test-subject/", "subject=test-subject"),
        ("/ru/agents/test-agent/", "agent=test-agent"),
    ]:
        (href,) = feed_link(client.get(url).content.decode())
        assert href.endswith(f"/records.atom?{expected}")
        assert entry_titles(read_feed(client, href)) == ["Test linked"]
    # No record found: nothing the feed would filter by.
    assert feed_link(client.get("/en/records/", {"q": "x", "decade": "abc"}).content.decode()) == [
        "/en/records.atom?q=x"
    ]


def test_the_feed_is_only_read(client):
    assert client.post(FEED).status_code == client.post("/en/records/").status_code == 405


def test_the_feeds_caching_headers_are_the_browse_pages(client):
    titled("Test cached")
    page, feed = client.get("/en/records/"), client.get(FEED)
    for header in ("Vary", "Cache-Control", "Expires", "Last-Modified", "Content-Language"):
        assert feed.get(header) == page.get(header), header
    assert "Last-Modified" not in feed  # a withdrawal changes the feed without changing its newest date


def test_the_number_of_queries_is_fixed_whatever_the_entries(client, django_assert_num_queries):
    place = PlaceFactory(name="Test place", identifier="test-place")
    filtered = {"place": "test-place", "q": "record"}
    made = 0
    for count in (3, 30):
        for number in range(made, count):
            record = titled(f"Test record {number}")
            record.places.add(place)
            record.descriptions.create(language="en", text=f"Test description {number}")
            link_agent(record, AgentFactory())
            reindex(record)
        made = count
        client.get(FEED, filtered)  # the facet index catches up with the new records once, as for any page
        # The records in order of first publication, their titles, agent links, the agents' names, descriptions.
        with django_assert_num_queries(5):
            assert len(entries(read_feed(client))) == count
        # And the catalogue's version (the facet index is current), the place chosen resolved by identifier, then
        # named in the feed's title (the place and its names).
        with django_assert_num_queries(9):
            assert len(entries(read_feed(client, params=filtered))) == count


def test_a_record_may_be_given_any_identifier_the_feed_does_not_take_its_address(client):
    record = titled("Test memoir called feed", identifier="feed")
    assert client.get(f"/en/records/{record.identifier}/").status_code == 200


def test_naming_every_filter_in_the_title_costs_two_queries_per_kind_of_entry(client, django_assert_num_queries):
    place = PlaceFactory(name="Test place", identifier="test-place")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    author = AgentFactory(name="Test author", identifier="test-author")
    archive = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION)
    record = titled("Test record", kind=RecordKind.MEMOIR, date_edtf="1950", repository=archive)
    record.places.add(place)
    record.subjects.add(subject)
    record.languages.add(Language.objects.get_or_create(tag="ja")[0])
    link_agent(record, author)
    reindex(record)
    every = {"q": "record", "kind": "memoir", "language": "ja", "decade": "1950", "year_from": "1940",
             "place": "test-place", "subject": "test-subject", "agent": "test-author", "repository": "test-archive"}
    client.get(FEED, every)  # the facet index catches up with the new record once, as for any page
    # The five of the entries; the catalogue's version and the chosen entries resolved, as the filters check them;
    # then the places, subjects and agents chosen with their names, to name them in the title. No facet is counted,
    # and kinds, languages, decades and years are named without a query.
    with django_assert_num_queries(13):
        feed = read_feed(client, params=every)
    assert entry_titles(feed) == ["Test record"]
    assert feed.findtext(f"{ATOM}title").endswith(
        "“record” · Kind: memoir · Language of the material: Japanese · Decade: 1950s · Place: Test place · "
        "Subject: Test subject · Person or organisation: Test author · Repository: Test archive · Years: from 1940")
