"""A reason or comment typed for a workflow button that is then refused is on the page shown next, to send again
or change: never lost with the refusal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collection.models import Record, Status, StatusChange

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def comment_box(page: str) -> str | None:
    """What the workflow's comment box holds, or ``None`` when the page has none."""
    found = re.search(r'<textarea name="transition_comment"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    return found.group(1).strip() if found else None


def test_a_comment_typed_with_publish_refused_by_the_four_eyes_rule_is_kept(alice, bob, login):
    # Bob corrects the extent and presses Publish: his change is saved, Publish is refused (he changed the record),
    # and he is taken back to the record. The comment he typed is still in the box.
    record = RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    client = login(bob)
    response = client.post(change_url(record), change_form_data(
        record, extent="120 p.", _transition="publish", transition_comment="Checked against the archive's copy."),
        follow=True)
    assert Record.objects.get(pk=record.pk).status == Status.REVIEW
    assert comment_box(response.content.decode()) == "Checked against the archive&#x27;s copy."
    # Once: the page opened again later starts with an empty box.
    assert comment_box(client.get(change_url(record)).content.decode()) == ""


def test_a_kept_comment_goes_back_to_its_own_record_only(alice, bob, login):
    record, other = RecordFactory(status=Status.DRAFT), RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    other.submit(alice)
    client = login(bob)
    client.post(change_url(record), change_form_data(
        record, extent="120 p.", _transition="publish", transition_comment="Checked."))
    assert comment_box(client.get(change_url(other)).content.decode()) == ""
    assert comment_box(client.get(change_url(record)).content.decode()) == "Checked."
    assert not StatusChange.objects.filter(comment="Checked.").exists()


def test_a_comment_typed_in_a_tab_opened_before_the_record_left_her_reach_is_shown_to_copy(alice, login):
    # Alice's older tab of a draft she has since submitted: nothing is saved, what she typed is shown to copy,
    # the comment she wrote for “Submit for review” as well, though no button is left to send it with.
    record = RecordFactory(status=Status.DRAFT)
    client = login(alice)
    older_tab = change_form_data(record, _transition="submit", transition_comment="Dates checked in the memoir.")
    client.post(change_url(record), change_form_data(record, _transition="submit"))
    page = client.post(change_url(record), older_tab).content.decode()
    assert "Your changes were not saved" in page
    assert comment_box(page) == "Dates checked in the memoir."
    assert 'name="_transition"' not in page
    assert record.status_changes.get().comment == ""


def test_the_bulk_reason_page_shown_again_keeps_what_was_ticked_and_typed(bob, login):
    # A reason of spaces is none: the page asks again, keeping the ticked box and what was typed.
    record = RecordFactory(status=Status.PUBLISHED)
    page = login(bob).post(reverse("admin:collection_record_changelist"), {
        "action": "withdraw_selected", "_selected_action": [record.pk], "index": 0, "apply": "1",
        "transition_comment": "   ", "hide_title": "1"}, follow=True).content.decode()
    assert "Give a reason." in page
    assert re.search(r'<input type="checkbox" name="hide_title" id="id_hide_title" value="1" checked>', page)
    assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED
