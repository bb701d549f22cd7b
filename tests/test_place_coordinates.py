"""A place's coordinates: a latitude or longitude no point on Earth has, or one given without the other, is
refused beside the field (in the admin) or in its column (in a places sheet), and nothing is stored."""

import pytest
from django.urls import reverse

from collection.catalogue.vocabulary import write_vocabulary
from collection.models import Place

from .catalogue_rows import numbered

pytestmark = pytest.mark.django_db


def added(admin_client, **coordinates):
    data = {"kind": "city", "identifier": "", "parent": "", "gupvi_camp_number": "", "latitude": "",
            "longitude": "", **coordinates,
            "names-TOTAL_FORMS": "1", "names-INITIAL_FORMS": "0",
            "names-0-language": "en", "names-0-text": "Test City", "names-0-form": "original",
            "names-0-preferred": "on"}
    return admin_client.post(reverse("admin:collection_place_add"), data)


@pytest.mark.parametrize(("coordinates", "field"), [
    ({"latitude": "95", "longitude": "131.9"}, "latitude"),
    ({"latitude": "-90.5", "longitude": "131.9"}, "latitude"),
    ({"latitude": "43.1", "longitude": "500"}, "longitude"),
    ({"latitude": "43.1", "longitude": "-180.1"}, "longitude"),
    ({"latitude": "43.1"}, "longitude"),
    ({"longitude": "131.9"}, "latitude"),
])
def test_the_admin_refuses_impossible_or_half_coordinates_beside_the_field(admin_client, coordinates, field):
    response = added(admin_client, **coordinates)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert not Place.objects.exists()


def test_the_admin_keeps_coordinates_at_the_poles_and_the_date_line(admin_client):
    assert added(admin_client, latitude="-90", longitude="180").status_code == 302
    place = Place.objects.get()
    assert (str(place.latitude), str(place.longitude)) == ("-90.000000", "180.000000")


@pytest.mark.parametrize(("coordinates", "column"), [
    ({"latitude": "95", "longitude": "131.9"}, "latitude"),
    ({"latitude": "43.1", "longitude": "500"}, "longitude"),
    ({"latitude": "43.1"}, "longitude"),
    ({"longitude": "131.9"}, "latitude"),
])
def test_a_places_sheet_names_the_coordinate_column_at_fault(coordinates, column):
    result = write_vocabulary("places", numbered(
        {"identifier": "place-test-1", "kind": "city", "name_en": "Test City", **coordinates}))
    assert [(error.row, error.column) for error in result.errors] == [(2, column)]
    assert not Place.objects.exists()
