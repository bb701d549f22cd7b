"""Withdrawn and deleted records answer 410 Gone with a notice, and leave every list."""

import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def detail(identifier):
    return reverse("collection:record-detail", kwargs={"identifier": identifier})


def test_withdrawn_record_answers_410_with_identifier_date_and_title(client, bob):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-wd", title="Withdrawn test title")
    change = record.withdraw(bob, "Rights unclear.")
    response = client.get(detail("doc-wd"))
    assert response.status_code == 410
    page = response.content.decode()
    assert "doc-wd" in page and "Withdrawn test title" in page
    assert change.at.date().isoformat() in page
    assert "Rights unclear." not in page


def test_withdrawal_for_privacy_hides_the_title(client, bob):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-private", title="Private test title")
    record.withdraw(bob, "Privacy request.", hide_title=True)
    response = client.get(detail("doc-private"))
    assert response.status_code == 410
    assert "doc-private" in response.content.decode()
    assert "Private test title" not in response.content.decode()


def test_withdrawn_record_leaves_the_public_list(client, bob):
    record = RecordFactory(status=Status.PUBLISHED, title="Listed test title")
    assert "Listed test title" in client.get(reverse("collection:record-list")).content.decode()
    record.withdraw(bob, "Rights unclear.")
    assert "Listed test title" not in client.get(reverse("collection:record-list")).content.decode()


def test_deleted_record_keeps_answering_410_with_its_title(client, dana):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-del", title="Deleted test title")
    record.purge(dana, "Duplicate entry.")
    response = client.get(detail("doc-del"))
    assert response.status_code == 410
    assert "Deleted test title" in response.content.decode()
    assert "Duplicate entry." not in response.content.decode()


@pytest.mark.parametrize("how", ["asked", "withdrawn hidden", "never published"])
def test_deleted_record_without_its_title(client, bob, dana, how):
    status = Status.DRAFT if how == "never published" else Status.PUBLISHED
    record = RecordFactory(status=status, identifier="doc-del", title="Hidden test title")
    if how == "withdrawn hidden":
        record.withdraw(bob, "Privacy request.", hide_title=True)
    record.purge(dana, "Privacy request.", hide_title=how == "asked")
    response = client.get(detail("doc-del"))
    assert response.status_code == 410
    assert "doc-del" in response.content.decode()
    assert "Hidden test title" not in response.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_unpublished_and_unknown_records_are_simply_not_found(client, status):
    RecordFactory(status=status, identifier="doc-unpub")
    assert client.get(detail("doc-unpub")).status_code == 404
    assert client.get(detail("doc-never-was")).status_code == 404


def test_tombstone_lookup_only_after_a_miss(client, bob, django_assert_num_queries):
    # A live page makes its own 8 queries and never asks about withdrawals (record, titles, agent links,
    # descriptions, places, subjects, languages, children); a miss then costs the two tombstone lookups.
    RecordFactory(status=Status.PUBLISHED, identifier="doc-live")
    with django_assert_num_queries(8):
        assert client.get(detail("doc-live")).status_code == 200
    with django_assert_num_queries(3):  # the published lookup, the withdrawn record, the reservation
        assert client.get(detail("doc-never-was")).status_code == 404
