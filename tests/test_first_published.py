"""A record's first publication is dated once, by whatever publishes it, as its history dates it, and never again.

The feed of new records orders by it (``Record.objects.published().newest_published_first()``) off an index.
"""

import pytest
from django.db import connection
from django.urls import reverse

from collection.catalogue.writer import write_rows
from collection.models import Record, Status

from .factories import RecordFactory, titled

pytestmark = pytest.mark.django_db


def published_rows(record):
    """The dates of the record's history rows in “published”, oldest first."""
    rows = Record.history.model.objects.filter(id=record.pk, status=Status.PUBLISHED).order_by("history_id")
    return list(rows.values_list("history_date", flat=True))


def first_published(record):
    return Record.objects.values_list("first_published", flat=True).get(pk=record.pk)


def in_review(alice, identifier="doc-test-first"):
    record = RecordFactory(status=Status.DRAFT, identifier=identifier)
    record.submit(alice)
    return record


def test_a_draft_or_a_record_in_review_has_no_first_publication(alice):
    record = in_review(alice)
    assert first_published(record) is None
    assert first_published(RecordFactory(status=Status.DRAFT)) is None


def test_publishing_through_the_workflow_dates_it_as_its_history_does(alice, bob):
    record = in_review(alice)
    record.publish(bob)
    [published] = published_rows(record)
    assert first_published(record) == published
    assert record.first_published == published  # the object published says so too


def test_a_record_created_published_is_dated_by_its_creation():
    record = RecordFactory(status=Status.PUBLISHED)
    [created] = published_rows(record)
    assert first_published(record) == created


def test_published_again_after_a_withdrawal_it_keeps_its_first_date(alice, bob):
    record = in_review(alice)
    record.publish(bob)
    first = first_published(record)
    record.withdraw(bob, "Rights unclear.")
    record.reopen(bob)
    record.submit(alice)
    record.publish(bob)
    assert len(published_rows(record)) == 2
    assert first_published(record) == first == published_rows(record)[0]


def test_a_copy_read_before_the_first_publication_does_not_date_it_anew(alice, bob):
    record = in_review(alice)
    stale = Record.objects.get(pk=record.pk)  # read in review: no date yet
    record.publish(bob)
    first = first_published(record)
    record.withdraw(bob, "Rights unclear.")
    record.reopen(bob)
    record.submit(alice)
    stale.publish(bob)  # the workflow reads the status, version and first publication again
    assert first_published(record) == first


def test_an_edit_of_a_published_record_keeps_its_first_date(alice, bob):
    record = in_review(alice)
    record.publish(bob)
    first = first_published(record)
    record = Record.objects.get(pk=record.pk)
    record.call_number = "Test 1"
    record.save()
    assert first_published(record) == first


def test_the_admins_bulk_publish_dates_each_record(alice, bob, login):
    records = [in_review(alice, "doc-test-bulk-1"), in_review(alice, "doc-test-bulk-2")]
    login(bob).post(
        reverse("admin:collection_record_changelist"),
        {"action": "publish_selected", "_selected_action": [record.pk for record in records], "apply": "1"},
    )
    for record in records:
        [published] = published_rows(record)
        assert first_published(record) == published


def test_the_admin_shows_the_first_publication_without_letting_it_be_changed(alice, bob, login):
    record = in_review(alice)
    record.publish(bob)
    page = login(bob).get(reverse("admin:collection_record_change", args=[record.pk]))
    assert "First published" in page.content.decode()
    assert "first_published" not in page.context["adminform"].form.fields


def import_row(status, identifier="mem-test-import", title="Test imported memoir"):
    return [(2, {"identifier": identifier, "kind": "memoir", "status": status, "title_en": title})]


def test_an_import_creating_records_published_dates_them_as_its_history_does():
    result = write_rows([*import_row(Status.PUBLISHED), *import_row(Status.DRAFT, "mem-test-draft")])
    assert result.ok, result.errors
    record = Record.objects.get(identifier="mem-test-import")
    [published] = published_rows(record)
    assert first_published(record) == published
    assert first_published(Record.objects.get(identifier="mem-test-draft")) is None


def test_an_import_publishing_a_record_dates_it_once(bob):
    assert write_rows(import_row(Status.REVIEW)).ok
    record = Record.objects.get(identifier="mem-test-import")
    assert first_published(record) is None
    assert write_rows(import_row(Status.PUBLISHED)).ok
    [published] = published_rows(record)
    assert first_published(record) == published
    # A later change by import leaves it, and so does publishing again after a withdrawal.
    assert write_rows(import_row(Status.PUBLISHED, title="Test imported memoir, corrected")).ok
    record.refresh_from_db()
    record.withdraw(bob, "Rights unclear.")
    assert write_rows(import_row(Status.DRAFT)).ok
    assert write_rows(import_row(Status.REVIEW)).ok
    assert write_rows(import_row(Status.PUBLISHED)).ok
    assert first_published(record) == published == published_rows(record)[0]
    assert len(published_rows(record)) > 2


def test_the_feed_reads_the_newest_off_the_index_without_sorting():
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's")
    for number in range(3):
        titled(f"Test feed {number}")
    feed = Record.objects.published().newest_published_first()[:20]
    assert [r.display_title() for r in feed] == ["Test feed 2", "Test feed 1", "Test feed 0"]
    sql, params = feed.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "collection_record_first_pub" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort of every published record
