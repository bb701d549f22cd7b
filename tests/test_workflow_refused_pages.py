"""Two archivists on the same record: the second save is refused with what she typed kept, and the page says
what happened, not that there is something to correct below."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collection.models import Record, Status

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


CORRECT_BELOW = {"en": "Please correct the error below.", "ja": "下記のエラーを修正してください。",
                 "ru": "Пожалуйста, исправьте ошибку ниже."}


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
@pytest.mark.parametrize("button", [{}, {"_transition": "publish"}])
def test_a_save_refused_as_outdated_is_not_called_an_error_to_correct_below(
        alice, bob, carol, login, language, button):
    record = RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    carols_page = change_form_data(record, date_display="about 1946", **button)
    assert login(bob).post(change_url(record), change_form_data(record, extent="12 p.")).status_code == 302
    response = login(carol).post(change_url(record), carols_page, headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 200
    assert CORRECT_BELOW[language] not in page
    # Said at the top, as the admin says an error, and in the page's title.
    note = re.search(r'<p class="errornote">(.*?)</p>', page, re.DOTALL).group(1)
    assert "Bob" in note
    assert re.search(r"<title>(Error:|エラー:|Ошибка:)", page)
    assert 'value="about 1946"' in page
    assert Record.objects.get(pk=record.pk).date_display == ""


def test_an_error_in_a_field_still_points_below(alice, login):
    record = RecordFactory(status=Status.DRAFT)
    page = login(alice).post(change_url(record), change_form_data(record, accessed="yesterday")).content.decode()
    assert "Please correct the error below." in page


@pytest.mark.parametrize("button", [{}, {"_transition": "return", "transition_comment": "Needs the fond number."}])
def test_a_page_refused_as_outdated_offers_the_record_as_it_is_now_and_no_button_that_would_fail_again(
        alice, bob, carol, login, button):
    record = RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    carols_page = change_form_data(record, date_display="about 1946", **button)
    login(bob).post(change_url(record), change_form_data(record, extent="12 p."))
    client = login(carol)
    page = client.post(change_url(record), carols_page).content.decode()
    # Her page still carries the version she opened: any button on it would be refused again, the same way.
    assert 'name="_save"' not in page and 'name="_continue"' not in page and 'name="_transition"' not in page
    # What she typed stays here to copy; the record as it is now opens beside it.
    assert 'value="about 1946"' in page
    link = re.search(rf'<a href="{re.escape(change_url(record))}"[^>]*>([^<]*)</a>', page)
    assert link and 'target="_blank"' in link.group(0)
    assert link.group(1) == "Open the record as it is now, in a new tab"
    if button:
        assert "Needs the fond number." in page
    # Opened again, the page saves as usual.
    again = client.get(change_url(record)).content.decode()
    assert 'name="_save"' in again and 'value="return"' in again


def _with_scans(record, **changes):
    from . import imaging

    return change_form_data(record, **{
        "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 0, "images-0-record": record.pk, "images-0-position": "",
        "images-0-visibility": "public",
        "images-0-upload": [imaging.upload(imaging.jpeg(), name) for name in ("page-001.jpg", "page-002.jpg")],
        **changes})


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
def test_scans_chosen_on_a_page_refused_as_outdated_are_named_to_choose_again(alice, bob, login, language, settings):
    # A browser cannot keep the files chosen on a page it shows again: the archivist is told which to choose anew.
    settings.COLLECTION_LANGUAGES = ["en"]
    record = RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    bobs_page = _with_scans(record)
    Record.objects.get(pk=record.pk).return_to_draft(bob, comment="Add the scans.")
    response = login(bob).post(change_url(record), bobs_page, headers={"accept-language": language})
    said = {"en": "These files were not uploaded, and the page cannot keep them: page-001.jpg, page-002.jpg. "
                  "Choose them again.",
            "ja": "次のファイルはアップロードされていません（このページでは保持できません）："
                  "page-001.jpg、page-002.jpg。もう一度選んでください。",
            "ru": "Эти файлы не загружены, и страница не может их сохранить: page-001.jpg, page-002.jpg. "
                  "Выберите их ещё раз."}[language]
    assert said in [str(message) for message in response.context["messages"]]
    assert not record.images.exists()


def test_scans_chosen_with_an_error_elsewhere_are_named_too(alice, login, settings):
    settings.COLLECTION_LANGUAGES = ["en"]
    record = RecordFactory(status=Status.DRAFT)
    response = login(alice).post(change_url(record), _with_scans(record, accessed="yesterday"))
    assert any("page-001.jpg, page-002.jpg" in str(message) for message in response.context["messages"])


def test_a_page_shown_again_without_files_says_nothing_of_them(alice, login):
    record = RecordFactory(status=Status.DRAFT)
    response = login(alice).post(change_url(record), change_form_data(record, accessed="yesterday"))
    assert not [str(message) for message in response.context["messages"]]
