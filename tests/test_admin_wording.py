"""Wording a Japanese or Russian archivist would stumble on in the admin, as the shipped catalogues have it."""

import re

import django
import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from collection.models import Status

from .factories import AgentFactory, RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def count_under(client, url, language):
    """The count at the foot of a changelist, as the admin in ``language`` writes it."""
    html = client.get(url, headers={"accept-language": language}).content.decode()
    match = re.search(r'class="paginator"[^>]*>(.*?)</(?:p|nav)>', html, re.S)
    assert match, html
    text = re.sub(r"<h2.*?</h2>", "", match.group(1), flags=re.S)
    return " ".join(strip_tags(text).split())


# --- a count agrees with its number ----------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "language", "said"), [
    (1, "ru", "1 запись"), (2, "ru", "2 записи"), (5, "ru", "5 записей"), (21, "ru", "21 запись"),
    (19, "ja", "19 件"), (1, "en", "1 record"), (2, "en", "2 records"),
])
def test_the_records_under_a_changelist_are_counted_as_the_language_counts(admin_client, number, language, said):
    RecordFactory.create_batch(number)
    assert count_under(admin_client, reverse("admin:collection_record_changelist"), language) == said


@pytest.mark.parametrize(("number", "said"), [(1, "1 лицо или организация"), (3, "3 лица и организации"),
                                              (14, "14 лиц и организаций")])
def test_the_agents_are_counted_in_russian_too(admin_client, number, said):
    AgentFactory.create_batch(number)
    assert count_under(admin_client, reverse("admin:collection_agent_changelist"), "ru") == said


def test_a_paginated_changelist_keeps_django_s_own_markup_and_page_links(admin_client, monkeypatch):
    from django.contrib import admin

    from collection.models import Record

    monkeypatch.setattr(admin.site.get_model_admin(Record), "list_per_page", 2)
    RecordFactory.create_batch(5)
    html = admin_client.get(reverse("admin:collection_record_changelist"),
                            headers={"accept-language": "ru"}).content.decode()
    # Django 6 made the paginator a <nav> with a list of pages; Django 5.2 has a paragraph.
    assert re.search(r'<nav class="paginator"' if django.VERSION >= (6,) else r'<p class="paginator"', html)
    assert 'href="?p=2"' in html and 'href="?all="' in html
    assert count_under(admin_client, reverse("admin:collection_record_changelist"), "ru").endswith(
        "3 5 записей Показать все")


# --- a workflow button's message agrees with «запись» -------------------------------------------------------


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def said(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(("button", "status", "language", "message"), [
    ("return", Status.REVIEW, "ru", "Запись doc-test-said возвращена в черновики."),
    ("withdraw", Status.PUBLISHED, "ru", "Запись doc-test-said снята с публикации."),
    ("publish", Status.REVIEW, "ru", "Запись doc-test-said опубликована."),
    ("withdraw", Status.PUBLISHED, "ja", "資料 doc-test-said の公開を停止しました。"),
    ("withdraw", Status.PUBLISHED, "en", "The record doc-test-said was withdrawn."),
])
def test_a_workflow_button_says_what_it_did_to_the_record_in_words_that_agree(
        bob, carol, login, button, status, language, message):
    record = RecordFactory(status=Status.DRAFT if status == Status.REVIEW else status, identifier="doc-test-said")
    if status == Status.REVIEW:
        record.submit(carol)
    data = change_form_data(record, _transition=button, transition_comment="Needs a source.")
    response = login(bob).post(change_url(record), data, follow=True, headers={"accept-language": language})
    assert said(response) == [message]


def test_a_workflow_button_with_edits_says_they_were_saved_in_russian_too(alice, login):
    record = RecordFactory(status=Status.DRAFT, identifier="doc-test-said")
    data = change_form_data(record, date_display="test date", _transition="submit")
    response = login(alice).post(change_url(record), data, follow=True, headers={"accept-language": "ru"})
    assert said(response) == ["Изменения сохранены, запись doc-test-said отправлена на проверку."]


@pytest.mark.parametrize(("language", "one", "two"), [
    ("ru", "Запись doc-test-1 возвращена в черновики.", "Возвращены в черновики записи: doc-test-1, doc-test-2."),
    ("ja", "資料 doc-test-1 を下書きに差戻しました。", "下書きに差戻しました：doc-test-1, doc-test-2。"),
    ("en", "The record doc-test-1 was returned to draft.", "Returned to draft: doc-test-1, doc-test-2."),
])
def test_a_bulk_action_says_what_it_did_in_words_that_agree(bob, carol, login, language, one, two):
    records = [RecordFactory(status=Status.DRAFT, identifier=f"doc-test-{n}") for n in (1, 2)]
    for record in records:
        record.submit(carol)
    client = login(bob)

    def returned(*chosen):
        response = client.post(reverse("admin:collection_record_changelist"), {
            "action": "return_selected", "_selected_action": [record.pk for record in chosen], "index": 0,
            "apply": "1", "transition_comment": "Needs a source."}, follow=True, headers={"accept-language": language})
        return said(response)

    assert returned(records[0]) == [one]
    records[0].submit(carol)
    assert returned(*records) == [two]
