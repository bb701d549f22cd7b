
"""Withdrawn and deleted records answer 410 Gone with a notice, and leave every list."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collection.models import LabelForm, Record, ReservedIdentifier, Status, Title

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


@pytest.mark.parametrize("how", ["asked", "withdrawn hidden"])
def test_deleted_record_without_its_title(client, bob, dana, how):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-del", title="Hidden test title")
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
    # A live page never asks about withdrawals or deletions; a miss then costs the tombstone lookup and the
    # identifier in any letter case.
    RecordFactory(status=Status.PUBLISHED, identifier="doc-live")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail("doc-live")).status_code == 200
    asked = " ".join(query["sql"].lower() for query in queries.captured_queries)
    assert "reservedidentifier" not in asked and "statuschange" not in asked
    with django_assert_num_queries(3) as missed:  # the published lookup, the reservation with its record, any case
        assert client.get(detail("doc-never-was")).status_code == 404
    assert "statuschange" in " ".join(query["sql"].lower() for query in missed.captured_queries)


# What a notice may show is what was public: the titles as they were when the record last left
# "published", in the page's language, never an edit made since.

PUBLIC_JA, PUBLIC_EN = "公開された試験の題名", "Public test title"
LATER_JA, LATER_EN, LATER_RU = "非公開の試験の題名", "Unpublished test title", "Неопубликованное название"


def public_record(identifier="doc-tomb"):
    """A published record with a Japanese original title and an English translation."""
    record = RecordFactory(status=Status.PUBLISHED, identifier=identifier, title=PUBLIC_JA, title__language="ja")
    Title.objects.create(record=record, language="en", text=PUBLIC_EN, form=LabelForm.TRANSLATION)
    return record


def edit_titles(record, ja=LATER_JA, en=LATER_EN):
    """Change the titles while the record is not public, as an archivist would in the admin."""
    for title in record.titles.all():
        title.text = {"ja": ja, "en": en}.get(title.language, title.text)
        title.save()


def notice(client, identifier, language):
    response = client.get(f"/{language}/records/{identifier}/")
    assert response.status_code == 410
    return response.content.decode()


def api_title(client, identifier, language):
    response = client.get(f"/api/records/{identifier}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 410
    return response.json().get("title")


def assert_public_titles_only(client, identifier):
    for language, shown in (("en", PUBLIC_EN), ("ja", PUBLIC_JA)):
        page = notice(client, identifier, language)
        assert shown in page, language
        assert LATER_JA not in page and LATER_EN not in page and LATER_RU not in page
        assert api_title(client, identifier, language) == shown


def test_withdrawn_notice_shows_the_title_in_the_pages_language(client, bob):
    public_record().withdraw(bob, "Rights unclear.")
    assert PUBLIC_JA not in notice(client, "doc-tomb", "en")
    assert f'<dd lang="en">{PUBLIC_EN}</dd>' in notice(client, "doc-tomb", "en")
    assert f'<dd lang="ja">{PUBLIC_JA}</dd>' in notice(client, "doc-tomb", "ja")
    assert_public_titles_only(client, "doc-tomb")


def test_withdrawn_notice_never_shows_titles_edited_after_the_withdrawal(client, bob):
    record = public_record()
    record.withdraw(bob, "Rights unclear.")
    edit_titles(record)
    Title.objects.create(record=record, language="ru", text=LATER_RU, form=LabelForm.TRANSLATION)
    assert_public_titles_only(client, "doc-tomb")
    # No Russian title was ever public: the Russian page falls back to the original, as public pages do.
    assert PUBLIC_JA in notice(client, "doc-tomb", "ru")


def test_withdrawn_notice_keeps_a_title_deleted_after_the_withdrawal(client, bob):
    record = public_record()
    record.withdraw(bob, "Rights unclear.")
    record.titles.get(language="en").delete()
    assert_public_titles_only(client, "doc-tomb")


def test_withdrawn_notice_shows_the_titles_of_the_last_publication(client, alice, bob):
    record = public_record()
    record.withdraw(bob, "Rights unclear.")
    record.reopen(bob)
    edit_titles(record, ja=PUBLIC_JA + "（改訂）", en=PUBLIC_EN + " (revised)")
    record.submit(alice)
    record.publish(bob)
    record.withdraw(bob, "Rights unclear again.")
    edit_titles(record)
    assert PUBLIC_EN + " (revised)" in notice(client, "doc-tomb", "en")
    assert PUBLIC_JA + "（改訂）" in notice(client, "doc-tomb", "ja")
    assert LATER_EN not in notice(client, "doc-tomb", "en")


def test_withdrawal_that_hid_the_title_still_hides_every_language(client, bob):
    public_record().withdraw(bob, "Privacy request.", hide_title=True)
    for language in ("en", "ja", "ru"):
        page = notice(client, "doc-tomb", language)
        assert PUBLIC_EN not in page and PUBLIC_JA not in page
        assert api_title(client, "doc-tomb", language) is None


@pytest.mark.parametrize("revision", ["withdrawn", "reopened", "resubmitted"])
def test_deleted_record_shows_its_titles_as_last_public_not_the_drafts(client, alice, bob, dana, revision):
    record = public_record()
    record.withdraw(bob, "Rights unclear.")
    if revision in ("reopened", "resubmitted"):
        record.reopen(bob)
    edit_titles(record)
    Title.objects.create(record=record, language="ru", text=LATER_RU, form=LabelForm.TRANSLATION)
    if revision == "resubmitted":
        record.submit(alice)
    Record.objects.get(pk=record.pk).purge(dana, "Duplicate entry.")
    reserved = ReservedIdentifier.objects.get(identifier="doc-tomb")
    assert LATER_EN not in str(reserved.titles) and LATER_JA not in reserved.title
    assert_public_titles_only(client, "doc-tomb")


def test_deleted_published_record_keeps_its_current_titles(client, dana):
    public_record().purge(dana, "Duplicate entry.")
    assert_public_titles_only(client, "doc-tomb")


def test_deleted_record_never_published_keeps_no_title(client, dana):
    record = RecordFactory(status=Status.DRAFT, identifier="doc-draft", title="Draft test title")
    record.purge(dana, "Duplicate entry.")
    reserved = ReservedIdentifier.objects.get(identifier="doc-draft")
    assert (reserved.titles, reserved.title, reserved.hide_title) == ([], "", True)
    # Nor has it a notice: the public never knew of it (tests/test_leaks.py).
    assert client.get(detail("doc-draft")).status_code == 404


def test_deletion_reserved_before_titles_were_kept_shows_its_one_title(client, dana):
    public_record().purge(dana, "Duplicate entry.")
    ReservedIdentifier.objects.filter(identifier="doc-tomb").update(titles=[], title="Stored test title")
    assert "Stored test title" in notice(client, "doc-tomb", "en")
    assert api_title(client, "doc-tomb", "ja") == "Stored test title"


@pytest.mark.parametrize("edits", [0, 5])
def test_notice_costs_the_same_queries_however_long_the_history(client, bob, dana, django_assert_num_queries,
                                                                 edits):
    withdrawn, deleted = public_record("doc-wd"), public_record("doc-del")
    for record in (withdrawn, deleted):
        record.withdraw(bob, "Rights unclear.")
        for n in range(edits):
            edit_titles(record, ja=f"{LATER_JA}{n}", en=f"{LATER_EN} {n}")
    deleted.purge(dana, "Duplicate entry.")
    # The published lookup, the reservation with its record and its withdrawal, its titles then (one query).
    with django_assert_num_queries(3):
        assert PUBLIC_EN in notice(client, "doc-wd", "en")
    # The published lookup, the reservation.
    with django_assert_num_queries(2):
        assert PUBLIC_EN in notice(client, "doc-del", "en")


# --- what the notice says: gone for good, deleted or withdrawn as the record was --------------------------------

GONE = {
    "withdrawn": {
        "en": ("This record is no longer available", "The archive has withdrawn this record."),
        "ja": ("この資料は公開を終了しました", "当館はこの資料の公開を終了しました。"),
        "ru": ("Эта запись больше недоступна", "Архив снял эту запись с публикации."),
    },
    "deleted": {
        "en": ("This record is no longer available", "The archive has deleted this record."),
        "ja": ("この資料は削除されました", "当館はこの資料を削除しました。"),
        "ru": ("Эта запись больше недоступна", "Архив удалил эту запись."),
    },
}
# Wording that reads as for the time being, or says withdrawn of a deleted record.
NOT_SAID = {
    "withdrawn": ["現在利用できません", "больше не доступна", "公開を停止", "deleted", "削除", "удалил"],
    "deleted": ["現在利用できません", "больше не доступна", "withdrawn", "公開", "снял"],
}


def gone(how, bob, dana):
    """A record withdrawn or deleted in one of the ways the notice must tell apart."""
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-gone", title="Gone test title")
    if how.startswith("withdrawn") or how == "deleted after its withdrawal":
        record.withdraw(bob, "Privacy request.", hide_title=how == "withdrawn, title hidden")
    if how.startswith("deleted"):
        Record.objects.get(pk=record.pk).purge(dana, "Duplicate entry.", hide_title=how == "deleted, title hidden")
    return "deleted" if how.startswith("deleted") else "withdrawn"


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
@pytest.mark.parametrize("how", ["withdrawn", "withdrawn, title hidden", "deleted", "deleted, title hidden",
                                 "deleted after its withdrawal"])
def test_the_notice_says_the_record_is_gone_for_good_and_how(client, bob, dana, how, language):
    state = gone(how, bob, dana)
    page = notice(client, "doc-gone", language)
    heading, why = GONE[state][language]
    assert f"<h1>{heading}</h1>" in page
    assert why in page
    for words in NOT_SAID[state]:
        assert words not in page.split("<article", 1)[1], words


@pytest.mark.parametrize(("state", "title"), [("withdrawn", "公開を終了した資料"), ("deleted", "削除された資料")])
def test_the_japanese_page_title_says_how_the_record_went(client, bob, dana, state, title):
    gone("withdrawn" if state == "withdrawn" else "deleted", bob, dana)
    assert f"<title>{title}" in notice(client, "doc-gone", "ja")


def test_the_japanese_notices_call_the_archive_as_its_other_public_pages_do(client, bob):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-revised", title="Revised test title")
    record.withdraw(bob, "Rights unclear.")
    record.reopen(bob)
    response = client.get("/ja/records/doc-revised/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "当館はこの資料を改訂中です" in page and "アーカイブ" not in page


def test_a_record_made_withdrawn_without_ever_being_published_has_no_notice(client):
    # An import may create a record already withdrawn: the public never saw it, so nothing is said of it.
    RecordFactory(status=Status.WITHDRAWN, identifier="doc-never-public", title="Never public test title")
    for url in (detail("doc-never-public"), detail("DOC-NEVER-PUBLIC"), "/api/records/doc-never-public/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Never public test title" not in response.content


# --- when a record left publication: one date for readers (the notice, the API) and harvesters (OAI-PMH) --------

OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"


def oai_header(client, identifier):
    """The header OAI-PMH gives the record: its status and datestamp."""
    response = client.get("/oai/", {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                    "identifier": f"oai:testserver:{identifier}"})
    header = ET.fromstring(response.content).find(f".//{OAI_NS}header")
    return header.get("status"), header.findtext(f"{OAI_NS}datestamp")


def oai_datestamp(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dates_given(client, identifier):
    """The moment the notice gives (its ``<time>``), the API's 410 gives, and the OAI-PMH datestamp of the record's
    deleted header, as the harvester reads it and as it is listed (to the microsecond)."""
    time = re.search(r'<time datetime="([^"]+)">', notice(client, identifier, "en"))
    response = client.get(f"/api/records/{identifier}/")
    assert response.status_code == 410
    status, datestamp = oai_header(client, identifier)
    assert status == "deleted"
    listed = ReservedIdentifier.objects.known_to_the_public().get(identifier=identifier).datestamp
    return (datetime.datetime.fromisoformat(time.group(1)) if time else None,
            datetime.datetime.fromisoformat(response.json()["date"]), datestamp, listed)


def published_again(record, alice, bob):
    record = Record.objects.get(pk=record.pk)
    record.reopen(bob)
    record.submit(alice)
    record.publish(bob)
    return record


def reopened_by_an_import(record, bob):
    from collection.catalogue.writer import write_rows

    sheet_row = {"identifier": record.identifier, "kind": record.kind, "status": Status.DRAFT,
                 "title_en": record.display_title("en")}
    assert write_rows([(2, sheet_row)], user=bob).ok
    return Record.objects.get(pk=record.pk)


LEAVINGS = ["withdrawn", "withdrawn by a bulk action", "withdrawn, published again, withdrawn again",
            "withdrawn, reopened by an import, published again, withdrawn again", "deleted",
            "withdrawn, then deleted"]


@pytest.mark.parametrize("how", LEAVINGS)
def test_the_notice_the_api_and_oai_give_one_moment_for_a_record_leaving(client, alice, bob, dana, how):
    from collection.workflow import ACTIONS, apply_to_many

    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-left", title="Left test title")
    if how.startswith("withdrawn,"):
        record.withdraw(bob, "Rights unclear.")
        if "reopened by an import" in how:
            record = reopened_by_an_import(record, bob)
            record.submit(alice)
            record.publish(bob)
        elif "published again" in how:
            record = published_again(record, alice, bob)
    before = timezone.now()
    if how == "withdrawn by a bulk action":
        assert apply_to_many(Record.objects.filter(pk=record.pk), bob, ACTIONS["withdraw"], "Rights unclear.").done
    elif how.endswith("deleted"):
        Record.objects.get(pk=record.pk).purge(dana, "Duplicate entry.")
    else:
        record.withdraw(bob, "Rights unclear again.")
    after = timezone.now()
    shown, api, datestamp, listed = dates_given(client, "doc-left")
    # One moment, the last leaving's, to the microsecond where the answer gives them, to the second in OAI-PMH.
    assert shown == api == listed
    assert before <= api <= after
    assert datestamp == oai_datestamp(api)


@pytest.mark.parametrize("how", ["reopened by an import", "submitted again", "put in review by a save"])
def test_a_record_in_revision_is_not_public_and_oai_dates_its_leaving(client, alice, bob, how):
    # The workflow has no step from "published" to "review": a record is revised by withdrawing and reopening it.
    # Whatever moved it, a record not published is not public (Record.objects.published() decides): its page
    # says it is being revised, and harvesters have it as deleted since it left.
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-revised", title="Revised test title")
    before = timezone.now()
    if how == "put in review by a save":
        record.status = Status.REVIEW
        record.save()
    else:
        record.withdraw(bob, "To be corrected.")
    after = timezone.now()
    if how == "reopened by an import":
        reopened_by_an_import(record, bob)
    elif how == "submitted again":
        record.reopen(bob)
        record.submit(alice)
    assert not Record.objects.published().filter(identifier="doc-revised").exists()
    response = client.get(detail("doc-revised"))
    assert response.status_code == 404 and "temporarily unavailable" in response.content.decode()
    assert "Revised test title" not in response.content.decode()
    api = client.get("/api/records/doc-revised/")
    assert (api.status_code, api.json()) == (404, {"identifier": "doc-revised", "status": "in_revision"})
    status, datestamp = oai_header(client, "doc-revised")
    assert status == "deleted" and oai_datestamp(before) <= datestamp <= oai_datestamp(after)


WITHDRAWN_LONG_AGO = datetime.datetime(2020, 5, 1, 9, 30, tzinfo=datetime.UTC)


def withdrawn_by_a_save(record, when):
    """Withdraw ``record`` as a record was before the workflow kept its log, or by code that saves the status:
    its history has the change, the log has no entry. Dated ``when``."""
    record = Record.objects.get(pk=record.pk)
    record.status = Status.WITHDRAWN
    record.save()
    Record.history.filter(history_id=record.history.first().history_id).update(history_date=when)
    return record


@pytest.mark.parametrize("logged_before", [False, True], ids=["never logged", "logged once, then not"])
def test_a_withdrawal_missing_from_the_log_is_dated_by_the_history_as_oai_dates_it(client, alice, bob,
                                                                                     logged_before):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-old", title="Old test title")
    if logged_before:
        # Withdrawn once through the workflow, long before, then published again.
        record.withdraw(bob, "Rights unclear.")
        record.status_changes.update(at=datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC))
        record = published_again(record, alice, bob)
    record = withdrawn_by_a_save(record, WITHDRAWN_LONG_AGO)
    # A reviewer corrects the withdrawn record today: that is no new withdrawal.
    record.extent = "12 p."
    record.save()
    page = notice(client, "doc-old", "en")
    assert 'datetime="2020-05-01T09:30:00+00:00"' in page and "May 1, 2020" in page
    assert client.get("/api/records/doc-old/").json()["date"] == WITHDRAWN_LONG_AGO.isoformat()
    assert oai_header(client, "doc-old") == ("deleted", "2020-05-01T09:30:00Z")


def test_a_deletion_without_its_date_still_has_its_notice_dated_as_oai_dates_it(client, dana):
    # A record deleted without the reservation being told when (a deletion outside the app's models): harvesters
    # are told of it as deleted, dated by the history's last row, its deletion; its address says the same.
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-gone-quietly", title="Quiet test title")
    record.purge(dana, "Duplicate entry.")
    ReservedIdentifier.objects.filter(identifier="doc-gone-quietly").update(deleted_at=None)
    deletion = Record.history.filter(identifier="doc-gone-quietly").latest("history_id")
    assert deletion.history_type == "-"
    shown, api, datestamp, listed = dates_given(client, "doc-gone-quietly")
    assert shown == api == listed == deletion.history_date
    assert datestamp == oai_datestamp(deletion.history_date)
    assert "Quiet test title" in notice(client, "doc-gone-quietly", "en")
