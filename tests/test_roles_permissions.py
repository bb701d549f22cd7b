"""The admin as the editorial roles use it: scans and imports within their permissions (granted by
``0008`` for models added after ``0003_roles``), the record list's search, and the workflow's messages."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collection.models import RecordImage, Status

from . import imaging
from .factories import AgentFactory, RecordFactory, add_title, link_agent, reindex, titled
from .roles import change_form_data
from .test_images import attach

pytestmark = pytest.mark.django_db

SCAN_PERMISSIONS = {f"{verb}_{model}" for model in ("recordimage", "recordimagecaption")
                    for verb in ("view", "add", "change", "delete")}


def change_page(client, record):
    return client.get(reverse("admin:collection_record_change", args=[record.pk]))


def test_collection_manager_sees_the_scans_of_a_record_and_the_image_list(dana, login):
    record = RecordFactory(status=Status.DRAFT)
    [image] = attach(record, imaging.jpeg(), "page.jpg")
    client = login(dana)
    page = change_page(client, record).content.decode()
    assert "Images (scans)" in page
    assert image.url("thumb") in page and 'name="images-1-upload"' in page
    images = client.get(reverse("admin:collection_recordimage_changelist"))
    assert images.status_code == 200 and image.sha256 in images.content.decode()
    assert client.get(image.url("master")).status_code == 200


def test_contributor_uploads_a_scan_to_her_draft(alice, login):
    record = RecordFactory(status=Status.DRAFT, title="Draft with a scan")
    data = change_form_data(record, **{"images-TOTAL_FORMS": 1,
                                       "images-0-upload": imaging.upload(imaging.jpeg(), "scan.jpg"),
                                       "images-0-visibility": "private"})
    response = login(alice).post(reverse("admin:collection_record_change", args=[record.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert RecordImage.objects.filter(record=record, original_name="scan.jpg").exists()


def test_contributor_sees_but_cannot_change_the_scans_of_a_published_record(alice, login):
    record = RecordFactory(status=Status.PUBLISHED)
    [image] = attach(record, imaging.jpeg(), "page.jpg")
    response = change_page(login(alice), record)
    assert response.status_code == 200
    page = response.content.decode()
    assert image.url("thumb") in page and 'name="images-1-upload"' not in page


def test_reviewer_sees_the_private_scans_of_a_record_under_review(bob, login):
    record = RecordFactory(status=Status.REVIEW)
    [image] = attach(record, imaging.jpeg(), "page.jpg", visibility="private")
    client = login(bob)
    assert image.url("thumb") in change_page(client, record).content.decode()
    assert client.get(image.url("web")).status_code == 200


def test_a_fresh_database_has_every_role_right():
    manager = set(Group.objects.get(name="Collection manager").permissions.values_list("codename", flat=True))
    assert manager == set(Permission.objects.filter(content_type__app_label="collection").values_list(
        "codename", flat=True))
    assert {"add_importjob", "view_recordimage", "import_records"} <= manager
    for role in ("Contributor", "Reviewer"):
        granted = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert SCAN_PERMISSIONS <= granted, role
        assert "add_importjob" not in granted and "import_records" not in granted, role


def test_an_existing_database_gets_the_permissions_its_roles_lacked():
    """As a database migrated before 0008 stands: the permissions exist, the groups lack them."""
    lacking = Permission.objects.filter(content_type__app_label="collection",
                                        content_type__model__in=["recordimage", "recordimagecaption", "importjob"])
    for group in Group.objects.all():
        group.permissions.remove(*lacking)
    importlib.import_module("collection.migrations.0008_authority_versions_and_roles").grant_permissions(apps, None)
    test_a_fresh_database_has_every_role_right()


# The record list's search


def changelist_search(client, term):
    return client.get(reverse("admin:collection_record_changelist"), {"q": term})


def found(client, term) -> set[str]:
    return {record.identifier for record in changelist_search(client, term).context["cl"].result_list}


@pytest.fixture
def drafts():
    """Drafts (the public search never sees them) titled in several scripts."""
    romanized = titled("よくりゅうしゃのきろく", "ja-Hrkt", status=Status.DRAFT, identifier="doc-test-romanized")
    add_title(romanized, "Yokuryūsha no kiroku", "ja-Latn", form="romanization")
    return {
        "romanized": romanized,
        "yo": titled("Ёлка в лагере", "ru", status=Status.DRAFT, identifier="doc-test-yo"),
        "katakana": titled("ヨクリュウシャ", "ja-Hrkt", status=Status.DRAFT, identifier="doc-test-katakana"),
        "letters": titled("Письма из плена", "ru", status=Status.DRAFT, identifier="doc-test-letters"),
        "other": titled("Unrelated test record", status=Status.DRAFT, identifier="doc-test-other"),
    }


@pytest.mark.parametrize(("term", "expected"), [
    ("yokuryusha", {"doc-test-romanized"}),  # no macron
    ("елка", {"doc-test-yo"}),  # е for ё
    ("よくりゅう", {"doc-test-romanized", "doc-test-katakana"}),  # hiragana finds katakana
    ("письма", {"doc-test-letters"}),  # Cyrillic case, on SQLite too
    ("doc-test-other", {"doc-test-other"}),  # the identifier
    ("DOC-TEST-YO", {"doc-test-yo"}),
    ("test-kata", {"doc-test-katakana"}),  # a part of the identifier
])
def test_changelist_search_finds_drafts_in_any_script_and_form(drafts, admin_client, term, expected):
    assert found(admin_client, term) == expected


def test_reviewer_finds_a_record_by_a_romanized_agent_name(bob, login):
    record = titled("Test record with an agent", status=Status.REVIEW)
    link_agent(record, AgentFactory(name="Kuznetsov"))
    reindex(record)
    assert found(login(bob), "Кузнецов") == {record.identifier}


def test_changelist_search_costs_the_same_queries_whatever_it_finds(admin_client):
    def queries(term):
        with CaptureQueriesContext(connection) as captured:
            assert changelist_search(admin_client, term).status_code == 200
        return len(captured)

    titled("Test record one", status=Status.DRAFT)
    one = queries("test record")
    for n in range(5):
        titled(f"Test record more {n}", status=Status.DRAFT)
    assert queries("test record") == one


# The workflow's messages


def test_a_workflow_message_does_not_begin_with_a_capitalized_identifier(alice, bob, login):
    record = RecordFactory(status=Status.DRAFT, identifier="mem-test-000002")
    record.submit(alice)
    response = login(bob).post(reverse("admin:collection_record_change", args=[record.pk]),
                               change_form_data(record, _transition="publish"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert "The record mem-test-000002 was published." in messages
    assert "Mem-test-000002" not in response.content.decode()
