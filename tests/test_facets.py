"""Facet counts under combined filters: OR within a facet, AND across, each facet ignoring its own filter.

Counts come from the in-process facet index; every state here is checked against
the same counts computed in SQL (tests/facet_truth.py).
"""

import re

import pytest
from django.http import QueryDict

from collection.facets import facet_counts
from collection.filters import RecordFilterSet
from collection.models import Language, PlaceKind, Record, RecordKind, Status, Visibility
from tests.facet_truth import index_counts, sql_counts
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled
from tests.test_image_visibility import attach

pytestmark = pytest.mark.django_db


def counts(query: str = "") -> dict:
    result = index_counts(facet_counts(RecordFilterSet(QueryDict(query))))
    assert result == sql_counts(query), query
    return result


@pytest.fixture
def catalogue():
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    camp = PlaceFactory(name="Test camp", parent=region, kind=PlaceKind.CAMP, identifier="test-camp")
    city = PlaceFactory(name="Test city", parent=region, identifier="test-city")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    ja = Language.objects.create(tag="ja")
    memoir_50s = titled("Test memoir A", kind=RecordKind.MEMOIR, date_edtf="1955")
    memoir_range = titled("Test memoir B", kind=RecordKind.MEMOIR, date_edtf="1948/1962")
    document = titled("Test document C", kind=RecordKind.DOCUMENT)
    memoir_50s.places.add(camp, city)
    memoir_range.places.add(camp)
    document.places.add(city)
    memoir_50s.subjects.add(subject)
    document.subjects.add(subject)
    memoir_50s.languages.add(ja)
    agent = AgentFactory(name="Test agent", identifier="test-agent")
    link_agent(memoir_range, agent)
    titled("Test draft memoir", kind=RecordKind.MEMOIR, status=Status.DRAFT, date_edtf="1955")
    reindex(memoir_50s, memoir_range, document)
    return {"region": region, "camp": camp, "city": city, "ja": ja, "records": (memoir_50s, memoir_range, document)}


def test_counts_without_filters(catalogue):
    result = counts()
    assert result["count"] == 3
    assert result["kind"] == {"memoir": 2, "document": 1}
    assert result["decade"] == {"1940": 1, "1950": 2, "1960": 1, "undated": 1}
    region, camp, city = catalogue["region"], catalogue["camp"], catalogue["city"]
    # The region counts each record once, though one record is in two of its places.
    assert result["place"] == {str(region.pk): 3, str(camp.pk): 2, str(city.pk): 2}
    assert result["language"] == {str(catalogue["ja"].pk): 1}


def test_a_facet_ignores_its_own_filter_but_obeys_the_others(catalogue):
    result = counts("kind=memoir&place=test-city")
    assert result["count"] == 1
    # kind counts obey the place filter only: both records in the city, memoir and document.
    assert result["kind"] == {"memoir": 1, "document": 1}
    # place counts obey the kind filter only: the two memoirs.
    camp = catalogue["camp"]
    assert result["place"][str(camp.pk)] == 2


def test_values_within_a_facet_combine_with_or(catalogue):
    assert counts("kind=memoir&kind=document")["count"] == 3
    assert counts("decade=1940&decade=undated")["count"] == 2


def test_facets_combine_with_and(catalogue):
    assert counts("kind=document&decade=1950")["count"] == 0
    assert counts("kind=memoir&subject=test-subject&agent=test-agent")["count"] == 0
    assert counts("kind=memoir&subject=test-subject")["count"] == 1


def test_an_entry_no_published_record_has_is_left_out_and_the_others_filter_and_count(catalogue):
    draft = Record.objects.get(status=Status.DRAFT)
    draft.places.add(PlaceFactory(name="Test draft place", identifier="test-draft-place"))
    draft.languages.add(Language.objects.create(tag="de"))
    reindex(draft)
    everything = counts()
    # Alone, such a filter is not applied (and is reported): every record, as without it.
    for query in ("place=no-such-place", "place=test-draft-place", "language=xx", "language=de"):
        assert counts(query) == everything, query
        assert RecordFilterSet(QueryDict(query)).errors, query
    # Beside an entry the public can see, it is left out and the other applies.
    assert counts("place=no-such-place&place=test-camp&place=test-draft-place") == counts("place=test-camp")
    assert counts("place=test-camp")["count"] == 2
    assert counts("language=ja&language=de&kind=memoir") == counts("language=ja&kind=memoir")
    filterset = RecordFilterSet(QueryDict("place=test-draft-place&place=test-camp&language=de&language=ja"))
    assert filterset.selected("place") == ["test-camp"] and filterset.selected("language") == ["ja"]
    assert filterset.ignored() == {"language": ["de"], "place": ["test-draft-place"]}
    assert not filterset.errors


def test_a_kind_or_decade_not_a_choice_is_left_out_and_the_others_filter_and_count(catalogue):
    # The draft memoir of 1955 is counted by neither.
    result = counts("kind=memoir&kind=bogus")
    assert result == counts("kind=memoir")
    assert result["count"] == 2 and result["kind"] == {"memoir": 2, "document": 1}
    assert result["decade"] == {"1940": 1, "1950": 2, "1960": 1}
    result = counts("decade=1950&decade=19x0&kind=document&kind=poem")
    assert result["count"] == 0
    assert result["kind"] == {"memoir": 2} and result["decade"] == {"undated": 1}
    assert counts("decade=undated&decade=1955")["count"] == 1  # not a decade's first year: not a decade
    filterset = RecordFilterSet(QueryDict("kind=memoir&kind=bogus&decade=19x0&decade=1950"))
    assert filterset.selected("kind") == ["memoir"] and filterset.selected("decade") == ["1950"]
    memoir_50s, memoir_range, _document = catalogue["records"]
    assert set(filterset.qs) == {memoir_50s, memoir_range}


def test_region_filter_includes_its_camps_and_cities(catalogue):
    assert counts("place=test-region")["count"] == 3
    assert counts("place=test-camp")["count"] == 2


def test_a_range_counts_in_each_decade_and_year_range_overlaps(catalogue):
    assert counts("decade=1960")["count"] == 1
    assert counts("year_from=1960")["count"] == 1
    assert counts("year_from=1955&year_to=1955")["count"] == 2


def test_open_ranges_count_and_filter_alike():
    """An open end runs to this year; an open start counts in its end's decade only, filter and count alike."""
    titled("Test until 1950", date_edtf="../1950")
    titled("Test since 1984", date_edtf="1984/..")
    result = counts()
    assert result["decade"]["1950"] == 1 and "1940" not in result["decade"]
    assert result["decade"]["1980"] == result["decade"]["2000"] == 1
    for decade, expected in result["decade"].items():
        assert counts(f"decade={decade}")["count"] == expected, decade
    assert counts("decade=1940")["count"] == 0
    assert counts("year_to=1900")["count"] == 1  # the open start may lie before any year
    assert counts("year_from=2020")["count"] == 1


def test_withdrawing_a_record_changes_the_counts_at_once(catalogue):
    assert counts()["count"] == 3
    memoir = catalogue["records"][0]
    memoir.status = Status.WITHDRAWN
    memoir.save()
    assert counts()["count"] == 2


def test_status_change_by_queryset_update_is_seen_too(catalogue):
    from collection.models import Record

    counts("kind=memoir")
    Record.objects.filter(pk=catalogue["records"][1].pk).update(status=Status.REVIEW)
    assert counts("kind=memoir")["count"] == 1


def test_browse_page_shows_counts_and_clear_links(client, catalogue):
    response = client.get("/en/records/", {"kind": "memoir"})
    html = response.content.decode()
    assert "2 records" in html
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert facets["kind"].active and "kind" not in facets["kind"].clear_url
    region = facets["place"].values[0]
    assert region.label == "Test region" and region.count == 2
    assert not region.children  # a region opens only when chosen
    response = client.get("/en/records/", {"place": "test-region"})
    region = {f.name: f for f in response.context["facets"]}["place"].values[0]
    assert {child.label for child in region.children} == {"Test camp", "Test city"}
    languages = {f.name: f for f in client.get("/en/records/").context["facets"]}["language"]
    assert [(value.value, value.count) for value in languages.values] == [("ja", 1)]


def test_a_chosen_value_stays_listed_beyond_the_top_ones(client, catalogue):
    from collection.facets import TOP_VALUES

    for number in range(TOP_VALUES + 2):
        record = titled(f"Test busy {number}", kind=RecordKind.MEMOIR)
        link_agent(record, AgentFactory(name=f"Test busy agent {number}", identifier=f"busy-{number}"))
        link_agent(record, AgentFactory(name=f"Test other agent {number}"))
    rare = AgentFactory(name="Test rare agent", identifier="test-rare")
    link_agent(catalogue["records"][2], rare)
    unchosen = {f.name: f for f in client.get("/en/records/").context["facets"]}["agent"]
    assert len(unchosen.values) == TOP_VALUES
    assert "test-rare" not in [value.value for value in unchosen.values]  # not among the top ones
    agents = {f.name: f for f in client.get("/en/records/", {"agent": "test-rare"}).context["facets"]}["agent"]
    assert "test-rare" in [value.value for value in agents.values]
    assert next(value for value in agents.values if value.value == "test-rare").selected


def test_chosen_values_nothing_matches_stay_listed_at_zero(client, catalogue):
    # A search that finds nothing, under a value of every facet: each chosen value is still listed, checked,
    # at 0, so the reader sees what was chosen and can unchoose it there rather than by "Clear".
    response = client.get("/en/records/", {"q": "nothingmatchesthis", "kind": "memoir", "decade": "1950",
                                           "language": "ja", "place": "test-city", "subject": "test-subject",
                                           "agent": "test-agent"})
    facets = {f.name: f for f in response.context["facets"]}
    shown = {name: [(v.value, v.count, v.selected) for v in facets[name].values]
             for name in ("kind", "decade", "language", "place", "subject", "agent")}
    assert shown == {"kind": [("memoir", 0, True)], "decade": [("1950", 0, True)], "language": [("ja", 0, True)],
                     "place": [("test-city", 0, True)], "subject": [("test-subject", 0, True)],
                     "agent": [("test-agent", 0, True)]}
    # A chosen camp nothing matches under another facet stays under its region.
    facets = {f.name: f for f in client.get("/en/records/", {"kind": "document", "place": "test-camp"}
                                            ).context["facets"]}
    region = facets["place"].values[0]
    assert [(c.value, c.count, c.selected) for c in region.children] == [("test-city", 1, False),
                                                                         ("test-camp", 0, True)]


def test_has_scans_counts_public_scans_only(catalogue):
    memoir_50s, memoir_range, document = catalogue["records"]
    assert counts()["has_scans"] == {"1": 0}
    attach(memoir_50s)
    private = attach(document, visibility=Visibility.PRIVATE)  # a private scan is not announced to the public
    assert counts()["has_scans"] == {"1": 1}
    assert counts("has_scans=1")["count"] == 1
    assert counts("has_scans=1&kind=document")["count"] == 0
    private.visibility = Visibility.PUBLIC
    private.save()
    assert counts("has_scans=1&kind=document")["count"] == 1


def test_editing_drafts_leaves_the_version_but_publishing_moves_it(catalogue):
    from collection.models import CatalogueVersion, Record

    draft = Record.objects.get(status=Status.DRAFT)
    before = CatalogueVersion.objects.get().version
    draft.date_edtf = "1960"
    draft.save()
    draft.subjects.add(SubjectFactory(label="Test draft subject"))
    reindex(draft)
    assert CatalogueVersion.objects.get().version == before
    assert counts()["count"] == 3
    draft.status = Status.PUBLISHED
    draft.save()
    assert CatalogueVersion.objects.get().version > before
    assert counts()["count"] == 4
    Record.objects.filter(pk=draft.pk).update(status=Status.WITHDRAWN)
    assert counts()["count"] == 3


def test_version_triggers_come_back_after_a_table_rebuild(catalogue):
    """SQLite drops a table's triggers when a migration rebuilds it; post_migrate puts them back."""
    from django.db import connection

    from collection.models import CatalogueVersion, Record
    from collection.search import install_catalogue_triggers

    drop = ("DROP TRIGGER IF EXISTS collection_record_bump_update ON collection_record"
            if connection.vendor == "postgresql" else "DROP TRIGGER IF EXISTS collection_record_bump_update")
    with connection.cursor() as cursor:
        cursor.execute(drop)
    before = CatalogueVersion.objects.get().version
    Record.objects.filter(pk=catalogue["records"][0].pk).update(status=Status.DRAFT)
    assert CatalogueVersion.objects.get().version == before  # no trigger: the change went unseen
    install_catalogue_triggers()
    Record.objects.filter(pk=catalogue["records"][0].pk).update(status=Status.PUBLISHED)
    assert CatalogueVersion.objects.get().version > before


def _more_values(count: int) -> None:
    for number in range(count):
        place = PlaceFactory(name=f"Test extra place {number}", identifier=f"extra-place-{number}")
        record = titled(f"Test extra {number}", kind=RecordKind.MEMOIR, date_edtf=str(1900 + 7 * number))
        record.places.add(place)
        record.subjects.add(SubjectFactory(label=f"Test extra subject {number}"))
        link_agent(record, AgentFactory(name=f"Test extra agent {number}"))
        reindex(record)


# One browse page, whatever its size and however many values it counts or has chosen:
#   the catalogue version; the chosen identifiers (search words are matched in the index);
#   the page's records, their titles, agent links and agent names;
#   the names of the counted languages, agents (and names), subjects (and labels);
#   the outline of the counted places, and the places that can be shown (and names).
PAGE_QUERIES = 14


def test_a_page_costs_the_same_queries_whatever_its_size_or_values(client, catalogue, django_assert_num_queries):
    client.get("/en/records/")  # the index follows the fixture's changes
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get("/en/records/", {"page_size": 3, "q": "test", "kind": "memoir",
                                               "place": "test-region"})
    assert len(response.context["records"]) == 2
    _more_values(25)
    chosen = {"place": ["test-region", *[f"extra-place-{n}" for n in range(20)]]}
    client.get("/en/records/")
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get("/en/records/", {"page_size": 50, "q": "test", "kind": "memoir", **chosen})
    assert len(response.context["records"]) == 22
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert len(facets["decade"].values) > 10 and len(facets["subject"].values) > 10
    for sort in ("title", "-title", "date", "-date"):  # every order comes from the index
        with django_assert_num_queries(PAGE_QUERIES):
            client.get("/en/records/", {"page_size": 50, "q": "test", "sort": sort, "page": 2, **chosen})


def test_checking_the_chosen_entries_costs_no_query_of_its_own(client, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Record.objects.filter(status=Status.DRAFT).get().places.add(
        PlaceFactory(name="Test draft place", identifier="test-draft-place"))
    client.get("/en/records/")

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/records/", {"q": "test", "kind": "memoir", **params})
        return len(captured.captured_queries), response

    plain, _response = queries()
    known, _response = queries(place="test-camp", agent="test-agent")
    checked, response = queries(place=["test-camp", "no-such-place", "test-draft-place"],
                                agent=["no-such-agent", "test-agent"])
    assert checked == known
    assert response.context["filterset"].ignored() == {"place": ["no-such-place", "test-draft-place"],
                                                       "agent": ["no-such-agent"]}
    assert response.status_code == 200 and response.context["paginator"].count == 1
    # None of them public: no filter applied, at the cost of the one query resolving every entry chosen.
    unknown, response = queries(agent="no-such-agent", place="test-draft-place")
    assert unknown == plain + 1
    assert response.status_code == 400 and response.context["paginator"].count == 2


def test_catching_up_costs_the_same_queries_whatever_changed(client, catalogue, django_assert_num_queries):
    from collection.models import Record

    params = {"page_size": 50, "q": "test", "kind": "memoir", "place": "test-region"}
    client.get("/en/records/", params)
    Record.objects.filter(pk=catalogue["records"][2].pk).update(kind=RecordKind.MEMOIR)
    # The change log, then the changed records, their public scans, languages, places, subjects,
    # agents and search documents, and their neighbours in title order.
    with django_assert_num_queries(PAGE_QUERIES + 9):
        response = client.get("/en/records/", params)
    assert response.context["paginator"].count == 3
    _more_values(30)
    with django_assert_num_queries(PAGE_QUERIES + 9):
        response = client.get("/en/records/", {**params, "place": ["test-region", "extra-place-3"]})
    assert response.context["paginator"].count == 4


@pytest.mark.parametrize("query", ["", "kind=memoir&page=3", "q=%E6%8A%91%E7%95%99+x&place=a&place=b%26c",
                                   "place=a&sort=-date&page_size=5", "has_scans=1&q=K%C5%8D+%2B"])
def test_facet_links_are_the_query_dicts_own(query):
    """Each link equals copying the page's QueryDict, dropping the page and toggling the value."""
    from collection.facets import Links

    params = QueryDict(query)
    links = Links(params)
    for name, value, single in (("place", "a", False), ("place", "c d", False), ("kind", "memoir", False),
                                ("has_scans", "1", True), ("decade", "1950", False)):
        expected = params.copy()
        expected.pop("page", None)
        current = expected.getlist(name)
        expected.setlist(name, [v for v in current if v != value] if value in current else (
            [value] if single else [*current, value]))
        encoded = expected.urlencode()
        assert links.toggle(name, value, single=single) == ("?" + encoded if encoded else "")


def test_unchoosing_the_only_value_links_the_plain_browse_address(client, catalogue):
    html = client.get("/en/records/", {"kind": "memoir"}).content.decode()
    assert '<a class="clear" href="/en/records/">Clear Kind</a>' in html
    assert 'href="/en/records/" class="facet-value selected"' in html
    assert 'href="/en/records/?"' not in html


def test_warming_builds_the_index_so_that_the_first_page_does_not(client, catalogue):
    from collection.facets import warm_index
    from collection.facets.index import facet_index

    assert warm_index() == 3
    index = facet_index()
    rebuilds, catch_ups = index.rebuilds, index.catch_ups
    assert client.get("/en/records/").context["paginator"].count == 3
    assert (index.rebuilds, index.catch_ups) == (rebuilds, catch_ups)


def test_the_place_facet_names_only_the_places_it_can_show(client):
    """Thirty regions, each with two camps: the top regions by count (ties by name), the chosen one's camps open."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collection.models import PlaceName

    regions, camps = [], []
    for number in range(30):
        region = PlaceFactory(name=f"Region {chr(65 + number % 26)}{number:02d}", kind=PlaceKind.REGION,
                              identifier=f"region-{number:02d}")
        regions.append(region)
        for side in range(2):
            camps.append(PlaceFactory(name=f"Camp {number:02d}-{side}", parent=region, kind=PlaceKind.CAMP,
                                      identifier=f"camp-{number:02d}-{side}"))
    for number in range(len(regions)):
        for copy in range(1 + number // 3):  # counts 1 to 10, three regions each: ties across the cut
            record = titled(f"Test {number} {copy}")
            record.places.add(camps[2 * number + copy % 2])
            reindex(record)
    client.get("/en/records/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/records/", {"place": "camp-04-1"})
    facet = next(f for f in response.context["facets"] if f.name == "place")
    # The top 15 by count, then by name, as if every place had been named; then the chosen camp's region.
    expected = sorted(regions, key=lambda r: (-(1 + regions.index(r) // 3), r.display_name("en")))[:15]
    assert [value.value for value in facet.values] == [*(region.identifier for region in expected), "region-04"]
    opened = next(value for value in facet.values if value.value == "region-04")
    assert [(child.value, child.count, child.selected) for child in opened.children] == [
        ("camp-04-0", 1, False), ("camp-04-1", 1, True)]
    assert all(not value.children for value in facet.values if value.value != "region-04")
    assert facet.flat == {place.identifier: n for place, n in [
        *((r, 1 + i // 3) for i, r in enumerate(regions)),
        *((c, len([k for k in range(1 + (i // 2) // 3) if k % 2 == i % 2])) for i, c in enumerate(camps))] if n}
    (names_read,) = [q["sql"] for q in queries.captured_queries if PlaceName._meta.db_table in q["sql"]]
    named = {int(pk) for pk in re.search(r" IN \(([^)]*)\)", names_read).group(1).split(",")}
    # The 15 regions counted 6 or more, the opened region and its two camps: 18 places, not all 90.
    assert named == {r.pk for r in regions[15:]} | {regions[4].pk, camps[8].pk, camps[9].pk}


def test_ties_among_the_top_values_go_by_id_as_a_number():
    from collection.facets.index import ranked

    assert ranked([("1000", 1), ("999", 1), ("5", 2), ("ja", 1)], 3) == [("5", 2), ("999", 1), ("1000", 1)]


def test_values_counted_alike_are_listed_by_name_in_the_pages_order(client):
    # Made in this order, so that their ids are not their names' order.
    compensation = SubjectFactory(label="補償", label__language="ja", identifier="test-compensation")
    compensation.labels.create(language="ja-Hrkt", text="ホショウ", form="reading",
                               derived_from=compensation.labels.get())
    memoirs = SubjectFactory(label="回想記", label__language="ja", identifier="test-memoirs")
    memoirs.labels.create(language="ja-Hrkt", text="カイソウキ", form="reading", derived_from=memoirs.labels.get())
    zhukov = AgentFactory(name="Жуков", name__language="ru", identifier="test-zhukov")
    yolkin = AgentFactory(name="Ёлкин", name__language="ru", identifier="test-yolkin")
    moscow = PlaceFactory(name="モスクワ", name__language="ja", identifier="test-moscow")
    tokyo = PlaceFactory(name="東京", name__language="ja", identifier="test-tokyo")
    tokyo.names.create(language="ja-Hrkt", text="トウキョウ", form="reading", derived_from=tokyo.names.get())
    for subject, agent, place in ((compensation, zhukov, moscow), (memoirs, yolkin, tokyo)):
        record = titled("Test record")
        record.subjects.add(subject)
        record.places.add(place)
        link_agent(record, agent)
        reindex(record)

    def listed(language: str, facet: str) -> list[str]:
        facets = client.get(f"/{language}/records/").context["facets"]
        return [value.value for value in next(f for f in facets if f.name == facet).values]

    # かいそうき before ほしょう, とうきょう before もすくわ; Ё with Е, before Ж.
    assert listed("ja", "subject") == ["test-memoirs", "test-compensation"]
    assert listed("ja", "place") == ["test-tokyo", "test-moscow"]
    assert listed("ru", "agent") == ["test-yolkin", "test-zhukov"]
