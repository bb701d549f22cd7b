"""Wording a Japanese or Russian archivist would stumble on in the admin, as the shipped catalogues have it."""

import re

import django
import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from .factories import AgentFactory, RecordFactory

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
