"""Facet counts under combined filters: OR within a facet, AND across, each facet ignoring its own filter."""

import pytest
from django.http import QueryDict

from collection.facets import facet_counts
from collection.filters import RecordFilterSet
from collection.models import Language, PlaceKind, RecordKind, Status, Visibility
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled
from tests.test_image_visibility import attach

pytestmark = pytest.mark.django_db


def counts(query: str = "", use_cache: bool = True) -> dict:
    return facet_counts(RecordFilterSet(QueryDict(query)), use_cache=use_cache)


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
    return {"region": region, "camp": camp, "city": city, "records": (memoir_50s, memoir_range, document)}


def test_counts_without_filters(catalogue):
    result = counts()
    assert result["count"] == 3
    assert result["kind"] == {"memoir": 2, "document": 1}
    assert result["decade"] == {"1940": 1, "1950": 2, "1960": 1, "undated": 1}
    region, camp, city = catalogue["region"], catalogue["camp"], catalogue["city"]
    # The region counts each record once, though one record is in two of its places.
    assert result["place"] == {str(region.pk): 3, str(camp.pk): 2, str(city.pk): 2}
    assert result["language"] == {"ja": 1}


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


def test_region_filter_includes_its_camps_and_cities(catalogue):
    assert counts("place=test-region")["count"] == 3
    assert counts("place=test-camp")["count"] == 2


def test_a_range_counts_in_each_decade_and_year_range_overlaps(catalogue):
    assert counts("decade=1960")["count"] == 1
    assert counts("year_from=1960")["count"] == 1
    assert counts("year_from=1955&year_to=1955")["count"] == 2


def test_withdrawing_a_record_changes_the_cached_counts_at_once(catalogue):
    assert counts()["count"] == 3  # now cached
    memoir = catalogue["records"][0]
    memoir.status = Status.WITHDRAWN
    memoir.save()
    result = counts()
    assert result["count"] == 2
    assert result == counts(use_cache=False)


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


def test_has_scans_counts_public_scans_only(catalogue):
    memoir_50s, memoir_range, document = catalogue["records"]
    assert counts()["has_scans"] == {"1": 0}
    attach(memoir_50s)
    attach(document, visibility=Visibility.PRIVATE)  # a private scan is not announced to the public
    assert counts()["has_scans"] == {"1": 1}
    assert counts("has_scans=1")["count"] == 1
    assert counts("has_scans=1&kind=document")["count"] == 0


def test_fixed_number_of_queries_whatever_the_values(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(26) as few:  # counted afresh: nothing cached for this state
        client.get("/en/records/", {"page_size": 3, "q": "test"})
    for number in range(25):
        place = PlaceFactory(name=f"Test extra place {number}")
        record = titled(f"Test extra {number}", kind=RecordKind.MEMOIR)
        record.places.add(place)
        record.subjects.add(SubjectFactory(label=f"Test extra subject {number}"))
        link_agent(record, AgentFactory(name=f"Test extra agent {number}"))
        reindex(record)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/records/", {"page_size": 50, "kind": "memoir", "q": "test"})
    assert len(response.context["records"]) == 27
    with django_assert_max_num_queries(len(few.captured_queries) - 9):  # the same state again, from the cache
        client.get("/en/records/", {"page_size": 50, "kind": "memoir", "q": "test"})


def test_warming_fills_the_cache_so_the_page_reads_it(client, catalogue, django_assert_max_num_queries):
    from django.core.management import call_command

    from collection.models import FacetCache

    call_command("warm_browse_cache", "kind=memoir")
    assert FacetCache.objects.count() == 2
    with django_assert_max_num_queries(14):
        response = client.get("/en/records/", {"kind": "memoir"})
    assert response.context["paginator"].count == 2


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


def test_editing_drafts_keeps_the_public_counts_cached_but_publishing_does_not(catalogue):
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
