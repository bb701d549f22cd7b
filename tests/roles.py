"""Named users in the editorial roles, as the groups made by the ``0003_roles`` migration define them.

alice contributes, bob and carol review, dana manages the collection; anyone
else is an anonymous visitor (the plain ``client``).
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

ROLES = ("Contributor", "Reviewer", "Collection manager")


def ensure_roles() -> None:
    # A transactional test (live_server) flushes the groups the migration made.
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        importlib.import_module("collection.migrations.0003_roles").create_roles(apps, None)
        importlib.import_module("collection.migrations.0008_authority_versions_and_roles").grant_permissions(
            apps, None)


def staff_in(role: str, username: str):
    ensure_roles()
    user = UserFactory(username=username, is_staff=True, first_name=username.capitalize())
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


def _staff_fixture(role: str, username: str):
    @pytest.fixture
    def member(db):
        return staff_in(role, username)

    return member


alice = _staff_fixture("Contributor", "alice")
bob = _staff_fixture("Reviewer", "bob")
carol = _staff_fixture("Reviewer", "carol")
dana = _staff_fixture("Collection manager", "dana")


@pytest.fixture
def login():
    """``login(user)`` gives a test client signed in as ``user``."""

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


def change_form_data(record, **changes) -> dict:
    """The POST a record's admin change form sends when saved untouched, with ``changes`` applied.

    ``loaded_version`` is the version the page was opened at, as the hidden field carries it.
    """
    from collection.models import Record

    record = Record.objects.get(pk=record.pk)
    data = {"kind": record.kind, "level": record.level, "loaded_version": record.version,
            "date_edtf": record.date_edtf, "date_display": record.date_display}
    titles = list(record.titles.all())
    data.update({"titles-TOTAL_FORMS": len(titles), "titles-INITIAL_FORMS": len(titles),
                 "titles-MIN_NUM_FORMS": 0, "titles-MAX_NUM_FORMS": 1000})
    for i, title in enumerate(titles):
        data.update({f"titles-{i}-id": title.pk, f"titles-{i}-record": record.pk,
                     f"titles-{i}-language": title.language, f"titles-{i}-text": title.text,
                     f"titles-{i}-form": title.form, f"titles-{i}-source": title.source})
        if title.preferred:
            data[f"titles-{i}-preferred"] = "on"
    for prefix in ("descriptions", "agent_links", "images"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
                     f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(changes)
    return data


def record_form(client, **overrides):
    """The add form's data: every inline empty except one title, then ``overrides``."""
    page = client.get(reverse("admin:collection_record_add"))
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        data[f"{inline.formset.prefix}-TOTAL_FORMS"] = "0"
        data[f"{inline.formset.prefix}-INITIAL_FORMS"] = "0"
    data |= {
        "identifier": "", "kind": "document", "status": "draft", "level": "item", "date_edtf": "1945-08-23",
        "date_display": "", "resource_type": "decree", "isbn": "", "url": "",
        "titles-TOTAL_FORMS": "1", "titles-INITIAL_FORMS": "0",
        "titles-0-language": "ru", "titles-0-text": "О приеме тестовых военнопленных",
        "titles-0-form": "original", "titles-0-preferred": "on",
    }
    data.update(overrides)
    return data
