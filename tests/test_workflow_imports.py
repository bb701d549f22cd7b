"""Transitions through spreadsheet imports follow the same rules per role, the four-eyes rule included; those
whose action asks for a reason are made in the admin."""

import pytest
from django.test import override_settings

from collection.catalogue.writer import write_rows
from collection.models import Record, Status, StatusChange
from collection.workflow import ACTIONS

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def row(status, identifier="mem-import-test"):
    return [(2, {"identifier": identifier, "kind": "memoir", "status": status, "title_en": "Test import memoir"})]


def status_errors(result):
    return [(e.row, e.column) for e in result.errors]


def stored_status(identifier="mem-import-test"):
    return Record.objects.get(identifier=identifier).status


def existing(status):
    assert write_rows(row(status)).ok  # the command line, as a collection manager
    return Record.objects.get(identifier="mem-import-test")


# (starting status or None for a new record, status in the sheet) -> roles that may do it
ALLOWED = {
    (None, Status.DRAFT): {"alice", "bob", "dana"},
    (None, Status.REVIEW): {"alice", "bob", "dana"},
    (None, Status.PUBLISHED): {"dana"},
    (Status.DRAFT, Status.REVIEW): {"alice", "bob", "dana"},
    (Status.REVIEW, Status.DRAFT): {"bob", "dana"},
    (Status.REVIEW, Status.PUBLISHED): {"bob", "dana"},
    (Status.PUBLISHED, Status.WITHDRAWN): {"bob", "dana"},
    (Status.WITHDRAWN, Status.DRAFT): {"bob", "dana"},
    (Status.DRAFT, Status.PUBLISHED): set(),
    (Status.DRAFT, Status.WITHDRAWN): set(),
    (Status.REVIEW, Status.WITHDRAWN): set(),
    (Status.PUBLISHED, Status.DRAFT): set(),
    (Status.PUBLISHED, Status.REVIEW): set(),
    (Status.WITHDRAWN, Status.PUBLISHED): set(),
}
# Transitions whose action asks for a reason, which a row cannot give.
REASONED = {(Status.REVIEW, Status.DRAFT), (Status.PUBLISHED, Status.WITHDRAWN)}


@pytest.mark.parametrize("role", ["alice", "bob", "dana"])
@pytest.mark.parametrize(("start", "target"), list(ALLOWED))
def test_import_transitions_per_role(request, role, start, target):
    user = request.getfixturevalue(role)
    if start is not None:
        existing(start)
    result = write_rows(row(target), user=user)
    if role in ALLOWED[(start, target)] and (start, target) in REASONED:
        assert status_errors(result) == [(2, "status")]
        assert "needs a reason" in result.errors[0].message
        assert stored_status() == start
    elif role in ALLOWED[(start, target)]:
        assert result.ok, result.errors
        assert stored_status() == target
    else:
        assert status_errors(result) == [(2, "status")]
        if start is None:
            assert not Record.objects.exists()
        else:
            assert stored_status() == start


@pytest.mark.parametrize(("start", "target"), [pair for pair, roles in ALLOWED.items() if not roles])
def test_impossible_transitions_refused_on_the_command_line_too(start, target):
    existing(start)
    assert status_errors(write_rows(row(target))) == [(2, "status")]
    assert stored_status() == start


class TestFourEyesThroughImports:
    def test_reviewer_cannot_publish_by_import_what_they_submitted_by_import(self, bob, carol):
        existing(Status.DRAFT)
        assert write_rows(row(Status.REVIEW), user=bob).ok
        result = write_rows(row(Status.PUBLISHED), user=bob)
        assert status_errors(result) == [(2, "status")]
        assert "another reviewer" in str(result.errors[0].message)
        assert stored_status() == Status.REVIEW
        assert write_rows(row(Status.PUBLISHED), user=carol).ok

    def test_reviewer_cannot_publish_by_import_what_they_submitted_in_the_admin(self, bob):
        existing(Status.DRAFT).submit(bob)
        assert status_errors(write_rows(row(Status.PUBLISHED), user=bob)) == [(2, "status")]

    def test_reviewer_cannot_publish_by_import_what_they_changed_under_review(self, alice, bob, carol):
        existing(Status.DRAFT)
        assert write_rows(row(Status.REVIEW), user=alice).ok
        assert write_rows(edit(Status.REVIEW, extent="12 p."), user=bob).ok
        result = write_rows(edit(Status.PUBLISHED, extent="12 p."), user=bob)
        assert status_errors(result) == [(2, "status")]
        assert "you changed this record after it was submitted" in str(result.errors[0].message)
        assert stored_status() == Status.REVIEW
        assert write_rows(edit(Status.PUBLISHED, extent="12 p."), user=carol).ok
        assert stored_status() == Status.PUBLISHED

    def test_a_row_may_not_change_a_record_and_publish_it_at_once(self, alice, bob, dana):
        existing(Status.DRAFT)
        assert write_rows(row(Status.REVIEW), user=alice).ok
        result = write_rows(edit(Status.PUBLISHED, extent="12 p."), user=bob)
        assert status_errors(result) == [(2, "status")]
        assert "may not publish changes you make yourself" in str(result.errors[0].message)
        assert (stored_status(), Record.objects.get().extent) == (Status.REVIEW, "")
        assert write_rows(edit(Status.PUBLISHED, extent="12 p."), user=dana).ok

    @override_settings(COLLECTION_FOUR_EYES=False)
    def test_off_for_a_one_person_archive(self, bob):
        existing(Status.DRAFT)
        assert write_rows(row(Status.REVIEW), user=bob).ok
        assert write_rows(row(Status.PUBLISHED), user=bob).ok
        assert write_rows(row(Status.PUBLISHED, "mem-import-new"), user=bob).ok


def edit(status=None, identifier="mem-import-test", **cells):
    cells = {"identifier": identifier, "kind": "memoir", "title_en": "Test import memoir", **cells}
    if status:
        cells["status"] = status
    return [(2, cells)]


class TestEditingByRole:
    def test_contributor_cannot_change_a_record_under_review_by_import(self, alice):
        existing(Status.REVIEW)
        result = write_rows(edit(extent="99 p."), user=alice)
        assert [(e.row, e.column) for e in result.errors] == [(2, "extent")]
        assert "may not edit" in result.errors[0].message
        assert Record.objects.get(identifier="mem-import-test").extent == ""

    def test_contributor_cannot_change_a_published_record_and_nothing_of_the_file_is_written(self, alice):
        existing(Status.PUBLISHED)
        rows = [(2, {"identifier": "mem-import-other", "kind": "memoir", "title_en": "Test other memoir"}),
                (3, edit(extent="99 p.")[0][1])]
        result = write_rows(rows, user=alice)
        assert [(e.row, e.column) for e in result.errors] == [(3, "extent")]
        assert not Record.objects.filter(identifier="mem-import-other").exists()

    def test_contributor_may_reimport_an_unchanged_row_of_a_published_record(self, alice):
        existing(Status.PUBLISHED)
        result = write_rows(edit(Status.PUBLISHED), user=alice)
        assert result.ok, result.errors
        assert sum(result.unchanged.values()) == 1

    def test_contributor_edits_drafts_and_reviewer_edits_published_records(self, alice, bob):
        existing(Status.DRAFT)
        assert write_rows(edit(extent="99 p."), user=alice).ok
        assert write_rows(row(Status.PUBLISHED, "mem-import-published")).ok
        assert write_rows(edit(identifier="mem-import-published", extent="100 p."), user=bob).ok
        assert Record.objects.get(identifier="mem-import-published").extent == "100 p."


class TestReasonsAreGivenInTheAdmin:
    @pytest.mark.parametrize("role", [None, "bob", "dana"])
    def test_withdrawing_a_published_record_by_import_is_refused_and_changes_nothing(self, request, role):
        user = request.getfixturevalue(role) if role else None
        record = RecordFactory(identifier="doc-test-x", status=Status.PUBLISHED)
        rows = [(2, {"identifier": "doc-test-x", "status": "withdrawn"})]
        for dry_run in (True, False):  # the admin's preview, then the import
            result = write_rows(rows, user=user, dry_run=dry_run)
            assert [str(error) for error in result.errors] == [
                "row 2, column status: Withdrawing a published record needs a reason: withdraw it in the admin."]
        again = Record.objects.get(pk=record.pk)
        assert (again.status, again.version) == (Status.PUBLISHED, record.version)
        assert list(Record.objects.published()) == [again]
        assert not StatusChange.objects.exists()

    def test_returning_a_record_under_review_to_draft_by_import_is_refused(self, bob):
        record = RecordFactory(identifier="doc-test-x", status=Status.REVIEW)
        result = write_rows([(2, {"identifier": "doc-test-x", "status": "draft"})], user=bob)
        assert [str(error) for error in result.errors] == [
            "row 2, column status: Returning a record under review to draft needs a reason: return it in the admin."]
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW
        assert not StatusChange.objects.exists()

    @pytest.mark.parametrize("action", [action for action in ACTIONS.values() if action.needs_reason],
                             ids=lambda action: action.name)
    def test_every_action_that_asks_for_a_reason_is_refused_by_import(self, action):
        RecordFactory(identifier="doc-test-x", status=action.source)
        result = write_rows([(2, {"identifier": "doc-test-x", "status": action.target})])
        assert status_errors(result) == [(2, "status")]
        assert "needs a reason" in result.errors[0].message
        assert Record.objects.get(identifier="doc-test-x").status == action.source

    def test_the_refusal_comes_with_the_rows_other_problems(self, dana):
        RecordFactory(identifier="doc-test-x", status=Status.PUBLISHED)
        result = write_rows([(2, {"identifier": "doc-test-x", "status": "withdrawn", "places": "Nowhere",
                                  "url": "ftp://x"})], user=dana)
        assert set(status_errors(result)) == {(2, "status"), (2, "places"), (2, "url")}

    def test_a_record_withdrawn_in_the_admin_is_logged_with_its_reason_and_dates_the_tombstone(self, bob):
        from collection.tombstones import tombstone_for

        record = existing(Status.PUBLISHED)
        assert status_errors(write_rows(row(Status.WITHDRAWN), user=bob)) == [(2, "status")]
        change = record.withdraw(by=bob, reason="Test privacy request.", hide_title=True)
        assert (change.from_status, change.to_status, change.by, change.comment, change.hide_title) == (
            Status.PUBLISHED, Status.WITHDRAWN, bob, "Test privacy request.", True)
        tombstone = tombstone_for("mem-import-test")
        # Dated by the record's history, as OAI-PMH dates it: the withdrawal's row.
        assert (tombstone.date, tombstone.title) == (record.history.first().history_date, "")
        assert list(change.record.status_changes.withdrawals()) == [change]


class TestStatusLog:
    def test_a_status_change_by_import_is_logged_with_the_file_as_its_comment(self, bob):
        existing(Status.REVIEW)
        assert write_rows(row(Status.PUBLISHED), user=bob, source="test publications.csv").ok
        change = StatusChange.objects.get(identifier="mem-import-test")
        assert (change.from_status, change.to_status, change.by, change.comment) == (
            Status.REVIEW, Status.PUBLISHED, bob, "test publications.csv")
        assert change.record == Record.objects.get(identifier="mem-import-test")

    def test_one_log_entry_per_changed_status_and_none_for_new_or_unchanged_status(self, bob):
        existing(Status.DRAFT)
        rows = [(2, {**row(Status.REVIEW)[0][1]}),
                (3, {**row(Status.DRAFT, "mem-import-new")[0][1]})]
        assert write_rows(rows, user=bob).ok
        assert write_rows(rows, user=bob).ok  # the same again: unchanged
        assert [(c.identifier, c.from_status, c.to_status) for c in StatusChange.objects.all()] == [
            ("mem-import-test", Status.DRAFT, Status.REVIEW)]
