"""What each role is told on a record's change page: a contributor who may only view a record learns why, and
who can make it editable again."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def workflow_box(client, record, language="en") -> str:
    page = client.get(reverse("admin:collection_record_change", args=[record.pk]),
                      headers={"accept-language": language}).content.decode()
    box = re.search(r'<fieldset class="module" id="workflow">.*?</fieldset>', page, re.DOTALL).group()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", box))


@pytest.mark.parametrize(("status", "language", "said"), [
    (Status.REVIEW, "en", "Only a reviewer can change a record in review. If it needs your changes, a reviewer "
                          "can return it to draft."),
    (Status.REVIEW, "ja", "審査中の資料を変更できるのは審査担当者だけです。"),
    (Status.REVIEW, "ru", "Изменить запись на проверке может только проверяющий."),
    (Status.PUBLISHED, "en", "Only a reviewer can change a published record."),
    (Status.WITHDRAWN, "en", "Only a reviewer can change a withdrawn record. If it needs your changes, a reviewer "
                             "can reopen it as draft."),
])
def test_a_contributor_is_told_why_a_record_is_only_shown_to_her(alice, login, status, language, said):
    record = RecordFactory(status=status)
    assert said in workflow_box(login(alice), record, language)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.PUBLISHED])
def test_those_who_may_change_the_record_are_not_told_they_may_not(alice, bob, login, status):
    record = RecordFactory(status=status)
    shown = workflow_box(login(bob), record)
    assert "Only a reviewer can change" not in shown
    if status == Status.DRAFT:
        assert "Only a reviewer can change" not in workflow_box(login(alice), record)


def test_a_reviewer_is_told_why_publish_is_not_offered_to_her(alice, bob, carol, login):
    mine = RecordFactory(status=Status.DRAFT)
    mine.submit(bob)
    shown = workflow_box(login(bob), mine)
    assert "Four-eyes rule: you submitted this record for review yourself" in shown
    assert "Return to draft" in shown and "Publish" not in shown.replace("must publish", "")
    # To another reviewer the button is there, and no rule is quoted.
    assert "Four-eyes rule" not in workflow_box(login(carol), mine)


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Four-eyes rule: you changed this record after it was submitted for review"),
    ("ja", "ダブルチェックの規則"),
    ("ru", "Принцип четырёх глаз"),
])
def test_a_reviewer_who_changed_a_record_in_review_is_told_why_she_cannot_publish_it(
        alice, bob, login, language, said):
    record = RecordFactory(status=Status.DRAFT)
    record.submit(alice)
    record.refresh_from_db()
    record.extent = "12 p."
    record._history_user = bob
    record.save()
    assert said in workflow_box(login(bob), record, language)


def test_a_collection_manager_is_told_no_rule(dana, login):
    record = RecordFactory(status=Status.DRAFT)
    record.submit(dana)
    assert "Four-eyes rule" not in workflow_box(login(dana), record)


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Changes saved here show on the public page at once."),
    ("ja", "ここで保存した変更は、すぐに公開ページに反映されます。"),
    ("ru", "Сохранённые здесь изменения сразу появятся на публичной странице."),
])
def test_a_reviewer_editing_a_published_record_is_told_her_changes_go_public_at_once(bob, login, language, said):
    # No review stands between a save and the public page: she should know before pressing Save.
    assert said in workflow_box(login(bob), RecordFactory(status=Status.PUBLISHED), language)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_nothing_is_said_of_the_public_page_for_a_record_not_on_it(bob, login, status):
    assert "public page at once" not in workflow_box(login(bob), RecordFactory(status=status))


def test_nor_to_someone_who_may_only_view_the_published_record(alice, login):
    assert "public page at once" not in workflow_box(login(alice), RecordFactory(status=Status.PUBLISHED))
