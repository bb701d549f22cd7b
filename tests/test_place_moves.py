"""A place moved to another parent, however it is saved, moves its records' counts with it.

The public counts (API facets, place pages, the places sitemap) read the place
index (``RecordPlaceIndex``): ``Place.save`` keeps it right for the moved place and
every place under it, in the same transaction and in a fixed number of queries.
"""

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collection import search
from collection.models import Place, PlaceKind, Record, RecordPlaceIndex, Status
from collection.search import place_ancestors, places_counted_in

from .factories import PlaceFactory, titled
from .test_authority_concurrency import opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    r1 = PlaceFactory(name="Test region one", kind=PlaceKind.REGION, identifier="test-r1")
    r2 = PlaceFactory(name="Test region two", kind=PlaceKind.REGION, identifier="test-r2")
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=r1, identifier="test-camp")
    record = titled("Test record in the camp")
    record.places.add(camp)
    search.refresh_search_index([record.pk])
    return {"r1": r1, "r2": r2, "camp": camp, "record": record}


def place_facet(client) -> dict:
    return client.get("/api/records/").json()["facets"]["place"]


def place_page_count(client, place) -> int | None:
    """The count a place's public page shows, or None when the place has no public page."""
    response = client.get(reverse("collection:place-detail", kwargs={"identifier": place.identifier}))
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return response.context["record_count"]


def assert_index_matches_paths() -> None:
    """The place index is what it would be rebuilt from the stored paths."""
    through = Record.places.through
    places: dict[int, set[int]] = {}
    for record_id, place_id in through.objects.values_list("record_id", "place_id"):
        places.setdefault(record_id, set()).add(place_id)
    ancestors = place_ancestors(dict(Place.objects.values_list("pk", "path")))
    expected = {(record, place) for record, own in places.items() for place in places_counted_in(own, ancestors)}
    assert set(RecordPlaceIndex.objects.values_list("record_id", "place_id")) == expected


def test_a_plain_save_moves_the_public_counts(client, regions):
    r1, r2, camp = regions["r1"], regions["r2"], regions["camp"]
    assert place_facet(client) == {"test-r1": 1, "test-camp": 1}

    camp = Place.objects.get(pk=camp.pk)
    camp.parent = r2
    camp.save()

    assert place_facet(client) == {"test-r2": 1, "test-camp": 1}
    assert place_page_count(client, r1) is None  # no published record left under it
    assert place_page_count(client, r2) == 1
    sitemap = client.get("/sitemap-places.xml").content.decode()
    assert "/test-r2/" in sitemap and "/test-camp/" in sitemap
    assert "/test-r1/" not in sitemap
    assert_index_matches_paths()


def test_places_under_the_moved_one_move_their_records_too(client, regions):
    r2, camp = regions["r2"], regions["camp"]
    branch = PlaceFactory(name="Test branch", kind=PlaceKind.CAMP_BRANCH, parent=camp, identifier="test-branch")
    in_branch = titled("Test record in the branch")
    in_branch.places.add(branch)
    search.refresh_search_index([in_branch.pk])
    assert place_facet(client) == {"test-r1": 2, "test-camp": 2, "test-branch": 1}

    camp.parent = r2
    camp.save()

    assert place_facet(client) == {"test-r2": 2, "test-camp": 2, "test-branch": 1}
    assert Place.objects.get(pk=branch.pk).path == f"/{r2.pk}/{camp.pk}/{branch.pk}/"
    assert_index_matches_paths()


def test_a_record_still_in_the_old_region_by_another_place_stays_counted_there(client, regions):
    r1, r2, camp, record = regions["r1"], regions["r2"], regions["camp"], regions["record"]
    city = PlaceFactory(name="Test city", parent=r1, identifier="test-city")
    record.places.add(city)
    search.refresh_search_index([record.pk])

    camp.parent = r2
    camp.save()

    assert place_facet(client) == {"test-r1": 1, "test-city": 1, "test-r2": 1, "test-camp": 1}
    assert_index_matches_paths()


def test_moves_within_a_region_and_to_the_top_keep_the_right_regions(client, regions):
    r1, camp = regions["r1"], regions["camp"]
    district = PlaceFactory(name="Test district", kind=PlaceKind.REGION, parent=r1, identifier="test-district")

    camp.parent = district  # deeper in the same region: r1 still counts it
    camp.save()
    assert place_facet(client) == {"test-r1": 1, "test-district": 1, "test-camp": 1}

    camp.parent = None  # out of every region
    camp.save()
    assert place_facet(client) == {"test-camp": 1}

    district.parent = None
    district.save()  # a move with no record inside changes nothing public
    camp.parent = district
    camp.save()
    assert place_facet(client) == {"test-district": 1, "test-camp": 1}
    assert_index_matches_paths()


def test_drafts_move_too_though_they_are_not_counted(client, regions):
    r2, camp = regions["r2"], regions["camp"]
    draft = titled("Test draft in the camp", status=Status.DRAFT)
    draft.places.add(camp)
    search.refresh_search_index([draft.pk])

    camp.parent = r2
    camp.save()

    assert place_facet(client) == {"test-r2": 1, "test-camp": 1}
    assert set(RecordPlaceIndex.objects.filter(record=draft).values_list("place_id", flat=True)) == {r2.pk, camp.pk}


def test_an_outdated_copy_saved_in_place_changes_nothing(client, regions):
    r2, camp = regions["r2"], regions["camp"]
    branch = PlaceFactory(name="Test branch", kind=PlaceKind.CAMP_BRANCH, parent=camp, identifier="test-branch")
    in_branch = titled("Test record in the branch")
    in_branch.places.add(branch)
    search.refresh_search_index([in_branch.pk])
    outdated = Place.objects.get(pk=branch.pk)  # read before its camp moves: its path is the old one

    camp.parent = r2
    camp.save()
    outdated.gupvi_camp_number = "7"
    outdated.save()

    assert Place.objects.get(pk=branch.pk).path == f"/{r2.pk}/{camp.pk}/{branch.pk}/"
    assert place_facet(client) == {"test-r2": 2, "test-camp": 2, "test-branch": 1}
    assert_index_matches_paths()


def test_an_outdated_copy_moved_takes_the_places_under_it_along(client, regions):
    r1, r2, camp = regions["r1"], regions["r2"], regions["camp"]
    branch = PlaceFactory(name="Test branch", kind=PlaceKind.CAMP_BRANCH, parent=camp, identifier="test-branch")
    barrack = PlaceFactory(name="Test barrack", kind=PlaceKind.SETTLEMENT, parent=branch, identifier="test-barrack")
    in_barrack = titled("Test record in the barrack")
    in_barrack.places.add(barrack)
    search.refresh_search_index([in_barrack.pk])
    outdated = Place.objects.get(pk=branch.pk)  # read before its camp moves: its path is the old one

    camp.parent = r2
    camp.save()
    outdated.parent = r1  # the branch alone goes back to the first region
    outdated.save()

    assert Place.objects.get(pk=barrack.pk).path == f"/{r1.pk}/{branch.pk}/{barrack.pk}/"
    assert place_facet(client) == {"test-r1": 1, "test-branch": 1, "test-barrack": 1, "test-r2": 1, "test-camp": 1}
    assert_index_matches_paths()


def test_the_index_moves_with_the_paths_in_one_transaction(regions):
    r1, r2, camp = regions["r1"], regions["r2"], regions["camp"]
    with pytest.raises(RuntimeError), transaction.atomic():
        camp.parent = r2
        camp.save()
        assert set(RecordPlaceIndex.objects.values_list("place_id", flat=True)) == {r2.pk, camp.pk}
        raise RuntimeError
    assert Place.objects.get(pk=camp.pk).path == f"/{r1.pk}/{camp.pk}/"
    assert set(RecordPlaceIndex.objects.values_list("place_id", flat=True)) == {r1.pk, camp.pk}


def _queries_of_a_move(records: int) -> int:
    r1 = PlaceFactory(name="Test region A", kind=PlaceKind.REGION)
    r2 = PlaceFactory(name="Test region B", kind=PlaceKind.REGION)
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=r1)
    branch = PlaceFactory(name="Test branch", kind=PlaceKind.CAMP_BRANCH, parent=camp)
    made = [titled(f"Test record {n}") for n in range(records)]
    for n, record in enumerate(made):
        record.places.add(camp if n % 2 else branch)
    search.refresh_search_index([record.pk for record in made])
    camp = Place.objects.get(pk=camp.pk)
    camp.parent = r2
    with CaptureQueriesContext(connection) as queries:
        camp.save()
    assert RecordPlaceIndex.objects.filter(place=r2).count() == records
    assert not RecordPlaceIndex.objects.filter(place=r1).exists()
    return len(queries)


def test_a_move_takes_the_same_queries_for_any_number_of_records():
    assert _queries_of_a_move(2) == _queries_of_a_move(40)


def test_a_move_in_the_admin_refreshes_the_keys_of_the_records_in_and_under_the_moved_place(admin_client, client,
                                                                                           regions):
    r2, record = regions["r2"], regions["record"]
    region_record = titled("Test record in the region")
    region_record.places.add(regions["r1"])
    search.refresh_search_index([region_record.pk])
    region = regions["r1"]
    data = opened(admin_client, region)
    data["parent"] = r2.pk

    with mock.patch.object(search, "refresh_search_index", wraps=search.refresh_search_index) as refresh:
        response = admin_client.post(reverse("admin:collection_place_change", args=[region.pk]), data)

    assert response.status_code == 302
    # The keys holding the region's names: those of the record naming it and of the record in the camp under
    # it, which hold the names of the places around theirs, now the second region's too. Once each.
    refreshed = [pk for call in refresh.call_args_list for pk in call.args[0]]
    assert sorted(refreshed) == sorted([region_record.pk, record.pk])
    assert place_facet(client) == {"test-r2": 2, "test-r1": 2, "test-camp": 1}
    assert_index_matches_paths()
    in_region_two = Record.objects.published().filter(search.search_condition("Test region two"))
    assert set(in_region_two) == {record, region_record}


def test_a_vocabulary_sheet_moving_a_place_moves_its_counts(client, regions):
    from collection.catalogue.vocabulary import write_vocabulary

    from .catalogue_rows import numbered

    result = write_vocabulary("places", numbered(
        {"identifier": "test-camp", "kind": "camp", "parent": "test-r2", "name_en": "Test camp"}))
    assert not result.errors, result.errors
    assert Place.objects.get(identifier="test-camp").parent == regions["r2"]
    assert place_facet(client) == {"test-r2": 1, "test-camp": 1}
    assert_index_matches_paths()
