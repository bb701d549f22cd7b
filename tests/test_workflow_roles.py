"""The roles a fresh install has, made by a reversible data migration."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("collection.migrations.0003_roles")


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_fresh_install_has_the_three_roles():
    contributor, reviewer, manager = (codenames(n) for n in ("Contributor", "Reviewer", "Collection manager"))
    assert {"add_record", "change_record", "submit_record"} <= contributor
    assert not contributor & {"review_record", "publish_record", "withdraw_record", "delete_record",
                              "purge_record", "import_records", "change_subject"}
    assert {"review_record", "publish_record", "withdraw_record"} <= reviewer
    assert not reviewer & {"publish_own_record", "purge_record", "import_records", "change_subject"}
    assert {"purge_record", "delete_record", "import_records", "publish_own_record", "change_subject",
            "add_place", "change_language"} <= manager


def test_the_migration_reverses_and_reapplies():
    roles_migration.remove_roles(apps, None)
    assert not Group.objects.filter(name__in=["Contributor", "Reviewer", "Collection manager"]).exists()
    roles_migration.create_roles(apps, None)
    roles_migration.create_roles(apps, None)
    assert Group.objects.filter(name__in=["Contributor", "Reviewer", "Collection manager"]).count() == 3
    assert "publish_record" in codenames("Reviewer")


def test_contributor_creates_a_draft_in_the_admin(alice, login):
    from django.urls import reverse

    from collection.models import Record, Status

    data = {"kind": "memoir", "level": "item", "titles-TOTAL_FORMS": 1, "titles-INITIAL_FORMS": 0,
            "titles-0-language": "en", "titles-0-text": "Test admin memoir", "titles-0-form": "original",
            "titles-0-preferred": "on"}
    for prefix in ("descriptions", "agent_links", "images"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = login(alice).post(reverse("admin:collection_record_add"), data)
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.status == Status.DRAFT
    assert record.history.get().history_user == alice
