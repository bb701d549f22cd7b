"""A record's history says which withdrawal hid the title; a bulk workflow action says, before it runs, which
selected records it will change and why it skips the others."""

import html
import re

import pytest
from django.urls import reverse

from collection.models import Record, Status

from .factories import RecordFactory
from .roles import staff_in

pytestmark = pytest.mark.django_db

HIDDEN_NOTE = "The title was hidden on the public notice."


def page_text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def history_rows(client, record, language="en") -> list[str]:
    page = client.get(reverse("admin:collection_record_history", args=[record.pk]),
                      headers={"accept-language": language}).content.decode()
    return [page_text(row) for row in re.findall(r'<tr class="history-entry">(.*?)</tr>', page, re.DOTALL)]


def withdrawn_twice(reviewer, contributor, identifier: str, hidden: int = 1) -> Record:
    """A published record withdrawn, reopened, published again and withdrawn again; the first ``hidden``
    withdrawals hid the title."""
    record = RecordFactory(status=Status.PUBLISHED, identifier=identifier)
    for n in range(2):
        if n:
            record.reopen(reviewer)
            record.submit(contributor)
            record.publish(reviewer)
        record.withdraw(reviewer, f"Test withdrawal {n}", hide_title=n < hidden)
    return record


class TestHistory:
    def test_the_withdrawal_that_hid_the_title_says_so_and_the_other_does_not(self, login):
        bob, alice = staff_in("Reviewer", "bob"), staff_in("Contributor", "alice")
        record = withdrawn_twice(bob, alice, "doc-test-hidden")
        client = login(bob)
        [hiding] = [row for row in history_rows(client, record) if "Test withdrawal 0" in row]
        [showing] = [row for row in history_rows(client, record) if "Test withdrawal 1" in row]
        assert HIDDEN_NOTE in hiding
        assert HIDDEN_NOTE not in showing
        assert sum(HIDDEN_NOTE in row for row in history_rows(client, record)) == 1
        [japanese] = [row for row in history_rows(client, record, "ja") if "Test withdrawal 0" in row]
        assert "一般向けの告知ページではタイトルを非表示にしました。" in japanese
        [russian] = [row for row in history_rows(client, record, "ru") if "Test withdrawal 0" in row]
        assert "Заглавие скрыто в публичном уведомлении." in russian

        # One query reads the workflow log, however many withdrawals hid the title.
        both = withdrawn_twice(bob, alice, "doc-test-both-hidden", hidden=2)
        assert sum(HIDDEN_NOTE in row for row in history_rows(client, both)) == 2
        assert history_queries(client, both) == history_queries(client, record)


def history_queries(client, record) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("admin:collection_record_history", args=[record.pk]))
    return len(captured)


# --- the bulk actions' page says what each selected record will get ---------------------------------------------

CHANGELIST = "admin:collection_record_changelist"


def outcomes(page: str) -> dict[str, tuple[str, str]]:
    """Each listed record's identifier: whether the action applies to it, and what the page says of it."""
    rows = re.findall(r'<tr class="bulk-(applies|skipped)">\s*<td>(.*?)</td>.*?<td class="bulk-outcome">(.*?)</td>',
                      page, re.DOTALL)
    return {page_text(record).split(":")[0]: (mark, page_text(said)) for mark, record, said in rows}


def confirmation(page: str, **typed: str) -> dict[str, list[str]]:
    """What the page's form posts when its button is pressed, with ``typed`` in its boxes."""
    [form] = re.findall(r'<form method="post" id="bulk-action-form">(.*?)</form>', page, re.DOTALL)
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(html.unescape(value))
    return {**data, **{name: [value] for name, value in typed.items()}}


@pytest.fixture(scope="class")
def selection(class_data):
    """Records in every situation a reviewer's bulk “Publish” meets: bob reviews, alice contributes."""
    bob, alice = staff_in("Reviewer", "bob"), staff_in("Contributor", "alice")
    records = {identifier: RecordFactory(status=Status.DRAFT, identifier=identifier)
               for identifier in ("doc-test-a", "doc-test-b", "doc-test-own", "doc-test-changed")}
    for identifier in ("doc-test-a", "doc-test-b", "doc-test-changed"):
        records[identifier].submit(alice)
    records["doc-test-own"].submit(bob)
    changed = records["doc-test-changed"]
    changed.date_display, changed._history_user = "test date", bob
    changed.save()
    records["doc-test-public"] = RecordFactory(status=Status.PUBLISHED, identifier="doc-test-public")
    records["doc-test-draft"] = RecordFactory(status=Status.DRAFT, identifier="doc-test-draft")
    return {"bob": bob, "pks": {identifier: record.pk for identifier, record in records.items()}}


@pytest.mark.usefixtures("selection")
class TestBulkActionPage:
    def asked(self, client, action, pks, language="en"):
        return client.post(reverse(CHANGELIST), {"action": f"{action}_selected", "_selected_action": pks},
                           headers={"accept-language": language})

    def test_publish_lists_what_it_will_change_and_why_it_skips_the_rest_then_changes_exactly_those(
            self, selection, login):
        client = login(selection["bob"])
        page = self.asked(client, "publish", list(selection["pks"].values())).content.decode()
        assert outcomes(page) == {
            "doc-test-a": ("applies", "Will be changed to “published”."),
            "doc-test-b": ("applies", "Will be changed to “published”."),
            "doc-test-own": ("skipped", "Will be skipped. Four-eyes rule: you submitted this record for review "
                                        "yourself, so another reviewer must publish it (or a collection manager)."),
            "doc-test-changed": ("skipped", "Will be skipped. Four-eyes rule: you changed this record after it was "
                                            "submitted for review, so another reviewer, one who has not changed it "
                                            "since, must publish it (or a collection manager)."),
            "doc-test-public": ("skipped", "Will be skipped. This record is “published”: only a record in review "
                                           "can be published."),
            "doc-test-draft": ("skipped", "Will be skipped. This record is “draft”: only a record in review can be "
                                          "published."),
        }
        assert "Records that will be changed: 2 of 6 selected." in page_text(page)
        assert Record.objects.filter(status=Status.PUBLISHED).count() == 1  # nothing changed yet

        done = client.post(reverse(CHANGELIST), confirmation(page, transition_comment="Test comment"), follow=True)
        assert set(Record.objects.filter(status=Status.PUBLISHED).values_list("identifier", flat=True)) == {
            "doc-test-a", "doc-test-b", "doc-test-public"}
        assert [str(message) for message in done.context["messages"]] == ["Published: doc-test-a, doc-test-b."]
        published = Record.objects.get(identifier="doc-test-a").status_changes.get(to_status=Status.PUBLISHED)
        assert published.comment == "Test comment"

    def test_when_nothing_would_change_the_page_says_so_and_offers_no_button(self, selection, login):
        pks = selection["pks"]
        page = self.asked(login(selection["bob"]), "publish", [pks["doc-test-own"], pks["doc-test-public"]])
        text = page_text(page.content.decode())
        assert "None of the selected records can be changed: each is skipped, for the reason given beside it." in text
        assert 'id="bulk-action-form"' not in page.content.decode()
        assert {mark for mark, _ in outcomes(page.content.decode()).values()} == {"skipped"}

    def test_the_reason_page_of_a_withdrawal_marks_its_records_in_the_readers_language(self, selection, login):
        pks = selection["pks"]
        chosen = [pks["doc-test-public"], pks["doc-test-draft"], pks["doc-test-a"]]
        page = self.asked(login(selection["bob"]), "withdraw", chosen, "ru").content.decode()
        assert outcomes(page) == {
            "doc-test-public": ("applies", "Получит статус «снято с публикации»."),
            "doc-test-draft": ("skipped", "Будет пропущена. Эта запись в статусе «черновик»: снять с публикации "
                                          "можно только опубликованную запись."),
            "doc-test-a": ("skipped", "Будет пропущена. Эта запись в статусе «на проверке»: снять с публикации "
                                      "можно только опубликованную запись."),
        }
        assert "Будут изменены записи: 1 (выбрано: 3)." in page_text(page)
        assert 'name="hide_title"' in page and "required" in page
        assert confirmation(page)["_selected_action"] == [str(pks["doc-test-public"])]

    def test_the_page_costs_the_same_queries_however_many_records_are_selected(self, selection, login):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(selection["bob"])
        pks = list(selection["pks"].values())
        self.asked(client, "publish", pks[:2])  # the session and permissions are cached after the first page
        counts = []
        for chosen in (pks[:2], pks):
            with CaptureQueriesContext(connection) as captured:
                self.asked(client, "publish", chosen)
            counts.append(len(captured))
        assert counts[0] == counts[1]
