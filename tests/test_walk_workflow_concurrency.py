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
