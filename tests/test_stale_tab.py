"""A contributor's stale tab: a save from a page opened before the record left her reach is explained, not a
bare 403, and writes nothing; a record she simply may not edit still answers 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collection.images import inspect_upload
from collection.models import Record, RecordImage, Status, Title, add_images

from . import imaging
from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


@pytest.fixture
def draft(alice):
    return RecordFactory(status=Status.DRAFT, title="Original test title")


def submit_in_another_tab(client, record):
    response = client.post(change_url(record), change_form_data(record, _transition="submit"))
    assert response.status_code == 302
    assert Record.objects.get(pk=record.pk).status == Status.REVIEW


def test_saving_a_tab_opened_before_submitting_tells_why_and_writes_nothing(draft, alice, login):
    client = login(alice)
    tab_a = change_form_data(draft, date_display="typed in tab A", **{"titles-0-text": "Tab A test title"})
    submit_in_another_tab(client, draft)
    version = Record.objects.get(pk=draft.pk).version

    response = client.post(change_url(draft), tab_a)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your changes were not saved" in page
    assert "was changed by Alice at" in page
    # What she can do now, since she may not change a record in review.
    assert "is now “in review”, which you may not change: a reviewer can return it to draft" in page
    # What she typed is on the page to copy; there is no save button that could only fail again.
    assert 'value="typed in tab A"' in page and 'value="Tab A test title"' in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    record = Record.objects.get(pk=draft.pk)
    assert (record.status, record.date_display, record.version) == (Status.REVIEW, "", version)
    assert list(Title.objects.filter(record=draft).values_list("text", flat=True)) == ["Original test title"]


@pytest.mark.parametrize(("language", "unfollowable"), [
    ("en", "make your changes anew"), ("ja", "改めて変更してください"), ("ru", "внесите свои изменения ещё раз"),
])
@pytest.mark.parametrize("button", [{}, {"_transition": "submit"}])
def test_the_stale_tab_is_not_told_to_make_the_changes_again_which_she_may_not(
        draft, alice, login, language, unfollowable, button):
    client = login(alice)
    tab_a = change_form_data(draft, date_display="typed in tab A", **button)
    submit_in_another_tab(client, draft)
    page = client.post(change_url(draft), tab_a, headers={"accept-language": language}).content.decode()
    said = {"en": "Your changes were not saved: ", "ja": "変更は保存されませんでした。",
            "ru": "Ваши изменения не сохранены: "}
    assert said[language] in page
    assert unfollowable not in page


def test_in_russian_the_way_back_is_named_as_the_reviewers_button_names_it(draft, alice, login):
    client = login(alice)
    tab_a = change_form_data(draft, date_display="typed in tab A")
    submit_in_another_tab(client, draft)
    page = client.post(change_url(draft), tab_a, headers={"accept-language": "ru"}).content.decode()
    # The button is «Вернуть в черновики»: the warning names the same step, not a "черновик" of its own.
    assert "проверяющий может вернуть её в черновики, если ваши изменения ещё нужны" in page


def test_typed_captions_are_shown_again_and_not_saved(draft, alice, login, settings):
    settings.COLLECTION_LANGUAGES = ["ja", "ru", "en"]
    [image] = add_images(draft, inspect_upload(imaging.upload(imaging.jpeg(), "scan.jpg"), "scan.jpg"))
    client = login(alice)
    tab_a = change_form_data(draft, **{
        "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 1, "images-0-id": image.pk, "images-0-record": draft.pk,
        "images-0-position": 1, "images-0-visibility": "public", "images-0-caption_ja": "テストの説明",
        "images-0-caption_ru": "", "images-0-caption_en": "Typed test caption",
    })
    submit_in_another_tab(client, draft)

    response = client.post(change_url(draft), tab_a)

    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed by Alice" in page
    assert 'value="Typed test caption"' in page and 'value="テストの説明"' in page
    assert not RecordImage.objects.get(pk=image.pk).captions.exists()


def test_a_workflow_button_in_the_stale_tab_is_explained_too(draft, alice, login):
    client = login(alice)
    tab_a = change_form_data(draft, _transition="submit", transition_comment="From the stale tab.")
    submit_in_another_tab(client, draft)
    response = client.post(change_url(draft), tab_a)
    assert response.status_code == 200
    assert "was changed by Alice" in response.content.decode()
    assert draft.status_changes.count() == 1


def test_a_record_she_may_not_edit_still_answers_403(alice, login):
    record = RecordFactory(status=Status.REVIEW)
    response = login(alice).post(change_url(record), change_form_data(record, date_display="changed"))
    assert response.status_code == 403
    assert Record.objects.get(pk=record.pk).date_display == ""


@pytest.mark.parametrize("version", ["", "abc", "999"])
def test_a_missing_or_forged_version_is_not_taken_for_a_stale_page(alice, login, version):
    record = RecordFactory(status=Status.PUBLISHED)
    data = change_form_data(record, date_display="changed", loaded_version=version)
    response = login(alice).post(change_url(record), data)
    assert response.status_code == 403
    assert Record.objects.get(pk=record.pk).date_display == ""


def test_someone_without_any_right_to_change_records_gets_403(draft, alice, login, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_record"))
    stale = change_form_data(draft, date_display="changed")
    draft.submit(alice)
    response = login(viewer).post(change_url(draft), stale)
    assert response.status_code == 403


def test_after_the_stale_answer_her_next_page_is_read_only(draft, alice, login):
    client = login(alice)
    tab_a = change_form_data(draft, date_display="typed in tab A")
    submit_in_another_tab(client, draft)
    client.post(change_url(draft), tab_a)
    page = client.get(change_url(draft))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
