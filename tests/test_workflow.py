"""Every allowed and forbidden transition per role, through the model methods and the shared check."""

import itertools

import pytest
from django.test import override_settings

from collection.models import Description, Record, RecordAgent, ReservedIdentifier, Status, StatusChange, Title
from collection.workflow import (
    ACTIONS,
    TRANSITIONS,
    TransitionNotAllowed,
    apply_to_many,
    available_actions,
    check_status_change,
    may_edit,
)

from .factories import AgentFactory, RecordFactory

pytestmark = pytest.mark.django_db

METHODS = {"submit": "submit", "publish": "publish", "return": "return_to_draft", "withdraw": "withdraw",
           "reopen": "reopen"}
REVIEWING = set(ACTIONS)
ALLOWED = {"alice": {"submit"}, "bob": REVIEWING, "dana": REVIEWING}


def act(record, name, user, comment="Checked against the source."):
    return getattr(record, METHODS[name])(user, comment)


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_for_each_role(request, role, name):
    user = request.getfixturevalue(role)
    action = ACTIONS[name]
    record = RecordFactory(status=action.source)
    if name in ALLOWED[role]:
        change = act(record, name, user)
        record.refresh_from_db()
        assert record.status == action.target
        assert (change.by, change.from_status, change.to_status, change.comment) == (
            user, action.source, action.target, "Checked against the source.",
        )
        assert record.history.first().history_user == user
    else:
        with pytest.raises(TransitionNotAllowed):
            act(record, name, user)
        record.refresh_from_db()
        assert record.status == action.source
        assert not StatusChange.objects.exists()


@pytest.mark.parametrize(("source", "target"), [
    pair for pair in itertools.permutations(Status.values, 2) if pair not in TRANSITIONS
])
def test_no_other_transition_for_anyone(request, source, target):
    record = RecordFactory(status=source)
    for user in (request.getfixturevalue("alice"), request.getfixturevalue("dana"), None):
        with pytest.raises(TransitionNotAllowed, match="cannot go from"):
            check_status_change(user, record, target)


def test_an_action_needs_the_record_in_its_starting_status(bob):
    record = RecordFactory(status=Status.DRAFT)
    with pytest.raises(TransitionNotAllowed) as refusal:
        record.publish(bob)
    assert str(refusal.value) == "This record is “draft”: only a record in review can be published."
    assert Record.objects.get(pk=record.pk).status == Status.DRAFT


@pytest.mark.parametrize(("language", "words"), [
    ("ja", ["「下書き」", "公開できるのは審査中の資料だけです"]),
    ("ru", ["«черновик»", "опубликовать можно только запись на проверке"]),
])
def test_the_refusal_of_an_action_in_another_status_is_translated(bob, language, words):
    from django.utils import translation

    record = RecordFactory(status=Status.DRAFT)
    with translation.override(language), pytest.raises(TransitionNotAllowed) as refusal:
        record.publish(bob)
    assert all(word in str(refusal.value) for word in words), str(refusal.value)


def test_a_stale_copy_cannot_slip_a_transition_through(bob, carol):
    record = RecordFactory(status=Status.REVIEW)
    stale = Record.objects.get(pk=record.pk)
    record.publish(bob)
    with pytest.raises(TransitionNotAllowed):
        stale.publish(carol)
    assert StatusChange.objects.count() == 1


@pytest.mark.parametrize("name", ["return", "withdraw"])
def test_returning_and_withdrawing_need_a_reason(bob, name):
    record = RecordFactory(status=ACTIONS[name].source)
    with pytest.raises(TransitionNotAllowed, match="reason"):
        act(record, name, bob, comment="  ")
    assert Record.objects.get(pk=record.pk).status == ACTIONS[name].source


class TestFourEyes:
    def test_reviewer_cannot_publish_what_they_submitted(self, bob, carol):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(bob)
        with pytest.raises(TransitionNotAllowed, match="another reviewer"):
            record.publish(bob)
        record.publish(carol)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_resubmission_by_someone_else_frees_the_first_submitter(self, alice, bob, carol):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(bob)
        record.return_to_draft(carol, "Add the archive reference.")
        record.submit(alice)
        record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_applies_to_a_submission_made_outside_the_workflow_methods(self, bob):
        # e.g. a spreadsheet import that moved the record to review
        record = RecordFactory(status=Status.DRAFT)
        record.status = Status.REVIEW
        record._history_user = bob
        record.save()
        with pytest.raises(TransitionNotAllowed, match="another reviewer"):
            check_status_change(bob, record, Status.PUBLISHED)

    def test_manager_may_publish_own_submission(self, dana):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(dana)
        record.publish(dana)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    @override_settings(COLLECTION_FOUR_EYES=False)
    def test_setting_turns_it_off(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(bob)
        record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_reviewer_cannot_create_a_record_already_published(self, bob, dana):
        with pytest.raises(TransitionNotAllowed):
            check_status_change(bob, None, Status.PUBLISHED)
        check_status_change(dana, None, Status.PUBLISHED)
        with override_settings(COLLECTION_FOUR_EYES=False):
            check_status_change(bob, None, Status.PUBLISHED)

    def test_reviewer_cannot_publish_what_they_changed_after_someone_else_submitted_it(self, alice, bob, carol):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        edited = Record.objects.get(pk=record.pk)
        edited.extent = "12 p."
        edited._history_user = bob
        edited.save()
        with pytest.raises(TransitionNotAllowed, match="you changed this record after it was submitted"):
            record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW
        record.publish(carol)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    @pytest.mark.parametrize("part", ["title", "description", "agent link"])
    def test_a_change_to_a_part_of_the_record_counts(self, alice, bob, carol, part):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        if part == "title":
            changed = record.titles.get()
            changed.text = "Rewritten under review"
        elif part == "description":
            changed = Description(record=record, language="en", text="Added under review.")
        else:
            changed = RecordAgent(record=record, agent=AgentFactory(), role="author")
        changed._history_user = bob
        changed.save()
        with pytest.raises(TransitionNotAllowed, match="another reviewer, one who has not changed it"):
            check_status_change(bob, record, Status.PUBLISHED)
        check_status_change(carol, record, Status.PUBLISHED)

    def test_changes_before_the_submission_are_the_submitters_to_vouch_for(self, alice, bob):
        record = RecordFactory(status=Status.DRAFT)
        title = record.titles.get()
        title.text, title._history_user = "Corrected in draft", bob
        title.save()
        record.submit(alice)
        record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_a_change_in_an_earlier_review_does_not_count_after_a_resubmission(self, alice, bob, carol):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        title = record.titles.get()
        title.text, title._history_user = "Changed in the first review", bob
        title.save()
        record.return_to_draft(carol, "Check the date.")
        record.submit(alice)
        record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_readings_the_app_derives_do_not_count(self, alice, bob):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        reading = Title(record=record, language="ja-Hrkt", text="ほりょ", form="reading", machine_made=True)
        reading._history_user = bob
        reading.save()
        record.publish(bob)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_manager_may_publish_what_they_changed(self, alice, dana):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        title = record.titles.get()
        title.text, title._history_user = "Rewritten by the manager", dana
        title.save()
        record.publish(dana)
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_what_a_reviewer_changed_is_not_waiting_for_their_review(self, alice, bob, carol):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        title = record.titles.get()
        title.text, title._history_user = "Rewritten under review", bob
        title.save()
        assert not Record.objects.awaiting_review_by(bob).exists()
        assert list(Record.objects.awaiting_review_by(carol)) == [record]

    def test_the_check_is_one_query(self, alice, bob, django_assert_num_queries):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        bob.get_all_permissions()
        with django_assert_num_queries(1):  # the submitter and bob's changes since, in subqueries on history
            check_status_change(bob, record, Status.PUBLISHED)

    def test_waiting_for_my_review(self, alice, bob, carol):
        by_alice = RecordFactory(status=Status.DRAFT)
        by_bob = RecordFactory(status=Status.DRAFT)
        by_alice.submit(alice)
        by_bob.submit(bob)
        RecordFactory(status=Status.DRAFT)
        assert list(Record.objects.awaiting_review_by(bob)) == [by_alice]
        assert set(Record.objects.awaiting_review_by(carol)) == {by_alice, by_bob}
        assert not Record.objects.awaiting_review_by(alice).exists()


def test_buttons_offered_match_the_rules(alice, bob):
    draft, review = RecordFactory(status=Status.DRAFT), RecordFactory(status=Status.REVIEW)
    assert [a.name for a in available_actions(alice, draft)] == ["submit"]
    assert available_actions(alice, review) == []
    assert {a.name for a in available_actions(bob, review)} == {"publish", "return"}


def test_who_may_edit_what(alice, bob):
    records = {status: RecordFactory(status=status) for status in Status.values}
    assert {s for s, r in records.items() if may_edit(alice, r)} == {Status.DRAFT}
    assert {s for s, r in records.items() if may_edit(bob, r)} == set(Status.values)


def test_bulk_application_reports_what_was_skipped(alice, bob):
    mine = RecordFactory(status=Status.DRAFT)
    mine.submit(bob)
    theirs = RecordFactory(status=Status.DRAFT)
    theirs.submit(alice)
    rewritten = RecordFactory(status=Status.DRAFT)
    rewritten.submit(alice)
    title = rewritten.titles.get()
    title.text, title._history_user = "Rewritten under review", bob
    title.save()
    draft = RecordFactory(status=Status.DRAFT)
    result = apply_to_many([mine, theirs, rewritten, draft], bob, ACTIONS["publish"])
    assert result.done == [theirs]
    reasons = dict(result.skipped)
    assert "another reviewer" in reasons[mine]
    assert "you changed this record" in reasons[rewritten]
    assert reasons[draft] == "This record is “draft”: only a record in review can be published."
    assert Record.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_the_workflow_log_dates_a_change_as_the_history_does(bob, name):
    # The admin's log and the history (which dates a withdrawal's public notice and OAI-PMH) tell one time.
    record = RecordFactory(status=ACTIONS[name].source)
    change = act(record, name, bob)
    assert change.at == record.history.first().history_date


def test_a_bulk_action_dates_each_log_entry_as_its_history_row(bob):
    records = [RecordFactory(status=Status.PUBLISHED) for _ in range(2)]
    result = apply_to_many(records, bob, ACTIONS["withdraw"], "Duplicates another record.")
    assert result.done == records
    for record in records:
        assert record.status_changes.get().at == record.history.first().history_date


class TestPermanentDeletion:
    def test_only_managers(self, alice, bob):
        record = RecordFactory()
        for user in (alice, bob):
            with pytest.raises(TransitionNotAllowed, match="collection manager"):
                record.purge(user, "Duplicate of another record.")
        assert Record.objects.filter(pk=record.pk).exists()

    def test_needs_a_reason(self, dana):
        record = RecordFactory()
        with pytest.raises(TransitionNotAllowed, match="reason"):
            record.purge(dana, "")
        assert Record.objects.filter(pk=record.pk).exists()

    def test_keeps_history_log_and_identifier(self, bob, dana):
        record = RecordFactory(status=Status.PUBLISHED, identifier="doc-purged")
        record.withdraw(bob, "Rights unclear.")
        pk = record.pk
        record.purge(dana, "Duplicate of another record.")
        assert not Record.objects.filter(pk=pk).exists()
        reserved = ReservedIdentifier.objects.get(identifier="doc-purged")
        assert (reserved.deleted_by, reserved.deletion_reason) == (dana, "Duplicate of another record.")
        gone = Record.history.filter(id=pk).order_by("-history_id").first()
        assert (gone.history_type, gone.history_user, gone.history_change_reason) == (
            "-", dana, "Duplicate of another record.",
        )
        assert StatusChange.objects.get(identifier="doc-purged").by == bob
