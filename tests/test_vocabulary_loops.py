"""No place inside itself, no subject narrower than itself: refused in the admin, and in a sheet on the rows that
make the loop."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from collection.catalogue.vocabulary import write_vocabulary
from collection.models import Place, Subject

from .catalogue_rows import numbered
from .factories import PlaceFactory, SubjectFactory
from .test_authority_concurrency import change_url, opened

pytestmark = pytest.mark.django_db


def save_broader(client, subject, broader):
    data = opened(client, subject)
    data["broader"] = broader.pk
    return client.post(change_url(subject), data)


class TestSubjectInTheAdmin:
    def test_a_subject_cannot_be_its_own_broader_subject(self, dana, login):
        subject = SubjectFactory(label="Test camp life")
        response = save_broader(login(dana), subject, subject)
        assert response.status_code == 200
        assert "A subject cannot be narrower than itself." in response.content.decode()
        assert Subject.objects.get(pk=subject.pk).broader is None

    def test_nor_broader_than_one_below_it(self, dana, login):
        upper = SubjectFactory(label="Test labour")
        lower = SubjectFactory(label="Test logging", broader=upper)
        client = login(dana)
        response = save_broader(client, upper, lower)
        assert response.status_code == 200
        assert "A subject cannot be narrower than itself." in response.content.decode()
        assert Subject.objects.get(pk=upper.pk).broader is None
        # The other way round is the hierarchy as it stands.
        assert save_broader(client, lower, upper).status_code == 302

    def test_a_subject_may_move_under_another_branch(self, dana, login):
        upper, other = SubjectFactory(), SubjectFactory()
        lower = SubjectFactory(broader=upper)
        assert save_broader(login(dana), lower, other).status_code == 302
        assert Subject.objects.get(pk=lower.pk).broader == other

    @pytest.mark.parametrize(("language", "message"), [
        ("ja", "件名を自身の下位に置くことはできません。"),
        ("ru", "Предметная рубрика не может быть подчинена самой себе."),
    ])
    def test_the_refusal_is_translated(self, language, message):
        subject = SubjectFactory()
        subject.broader = subject
        with translation.override(language):
            with pytest.raises(ValidationError) as refusal:
                subject.full_clean()
            assert refusal.value.message_dict == {"broader": [message]}

    def test_a_loop_stored_before_the_check_does_not_hang_it(self):
        first, second = SubjectFactory(), SubjectFactory()
        Subject.objects.filter(pk=first.pk).update(broader=second)
        Subject.objects.filter(pk=second.pk).update(broader=first)
        third = SubjectFactory()
        third.broader = Subject.objects.get(pk=first.pk)
        third.full_clean()  # below the loop, not in it
        first = Subject.objects.get(pk=first.pk)
        with pytest.raises(ValidationError):
            first.full_clean()

    def test_the_add_page_takes_a_broader_subject(self, dana, login):
        broader = SubjectFactory()
        response = login(dana).post(reverse("admin:collection_subject_add"), {
            "identifier": "subject-test-new", "broader": broader.pk,
            "labels-TOTAL_FORMS": 1, "labels-INITIAL_FORMS": 0, "labels-0-language": "en",
            "labels-0-text": "Test new subject", "labels-0-form": "original", "labels-0-preferred": "on"})
        assert response.status_code == 302
        assert Subject.objects.get(identifier="subject-test-new").broader == broader


def test_a_place_below_a_loop_stored_before_the_check_is_checked_without_hanging():
    first, second = PlaceFactory(), PlaceFactory()
    Place.objects.filter(pk=first.pk).update(parent=second)
    Place.objects.filter(pk=second.pk).update(parent=first)
    below = PlaceFactory()
    below.parent = Place.objects.get(pk=first.pk)
    below.full_clean()
    first = Place.objects.get(pk=first.pk)
    with pytest.raises(ValidationError) as refusal:
        first.full_clean()
    assert refusal.value.message_dict == {"parent": ["A place cannot be part of itself."]}


class TestInASheet:
    """A loop in a places or subjects sheet is the fault of the rows on it, not of a row below it."""

    @pytest.fixture
    def places(self):
        union = PlaceFactory(identifier="place-test-union", kind="country", name="Test Union")
        krai = PlaceFactory(identifier="place-test-krai", kind="krai", parent=union, name="Test Krai")
        oblast = PlaceFactory(identifier="place-test-oblast", kind="oblast", parent=union, name="Test Oblast")
        station = PlaceFactory(identifier="place-test-station", kind="railway_station", parent=krai,
                               name="Test Station")
        return {"union": union, "krai": krai, "oblast": oblast, "station": station}

    def test_only_the_row_making_the_loop_is_refused(self, places):
        result = write_vocabulary("places", numbered(
            {"identifier": "place-test-union", "parent": "place-test-krai"},
            {"identifier": "place-test-station", "parent": "Test Oblast"},
        ))
        assert [(e.row, e.column, str(e.message)) for e in result.errors] == [
            (2, "parent", "This makes a loop, each entry part of the next: place-test-union → place-test-krai → "
                          "place-test-union. An entry cannot be part of itself.")]
        assert Place.objects.get(pk=places["union"].pk).parent is None
        assert Place.objects.get(pk=places["station"].pk).parent == places["krai"]

    def test_the_move_below_goes_through_once_the_loop_is_left_out(self, places):
        result = write_vocabulary("places", numbered({"identifier": "place-test-station", "parent": "Test Oblast"}))
        assert result.ok, result.errors
        assert Place.objects.get(pk=places["station"].pk).parent == places["oblast"]

    def test_each_row_of_a_loop_made_in_the_sheet_is_refused(self, places):
        result = write_vocabulary("places", numbered(
            {"identifier": "place-test-oblast", "parent": "place-test-new"},
            {"identifier": "place-test-new", "kind": "city", "name_en": "Test City", "parent": "place-test-oblast"},
            {"identifier": "place-test-station", "parent": "place-test-new"},
            {"identifier": "place-test-krai", "parent": "place-test-krai"},
        ))
        assert [(e.row, e.column, str(e.message).split(":")[1].split(".")[0].strip()) for e in result.errors] == [
            (2, "parent", "place-test-oblast → place-test-new → place-test-oblast"),
            (3, "parent", "place-test-new → place-test-oblast → place-test-new"),
            (5, "parent", "place-test-krai → place-test-krai"),
        ]
        assert not Place.objects.filter(identifier="place-test-new").exists()

    def test_subjects_broader_likewise(self):
        broad = SubjectFactory(identifier="subject-test-labour", label="Test labour")
        SubjectFactory(identifier="subject-test-logging", broader=broad, label="Test logging")
        SubjectFactory(identifier="subject-test-food", label="Test food")
        result = write_vocabulary("subjects", numbered(
            {"identifier": "subject-test-labour", "broader": "Test logging"},
            {"identifier": "subject-test-food", "broader": "subject-test-labour"},
        ))
        assert [(e.row, e.column, str(e.message)) for e in result.errors] == [
            (2, "broader", "This makes a loop, each entry part of the next: subject-test-labour → "
                           "subject-test-logging → subject-test-labour. An entry cannot be part of itself.")]
        assert Subject.objects.get(identifier="subject-test-food").broader is None

    def test_the_message_is_translated(self, places):
        with translation.override("ja"):
            result = write_vocabulary("places", numbered(
                {"identifier": "place-test-union", "parent": "place-test-krai"}))
            assert str(result.errors[0].message) == (
                "循環になります（各項目が次の項目の下位）：place-test-union → place-test-krai → place-test-union。"
                "項目を自身の下位に置くことはできません。")
