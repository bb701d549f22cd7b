"""The admin import: upload, preview per row, confirm, refuse when stale (the admin export: test_export_stream)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from collection.models import ImportJob, ImportJobStatus, Record, Status, Title

from .factories import RecordFactory
from .roles import alice, dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:collection_record_import"


def csv_file(text: str, name: str = "records.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, file, **fields):
    return client.post(reverse(IMPORT_URL), {"file": file, **fields})


def job_url(job: ImportJob) -> str:
    return reverse("admin:collection_record_import_job", args=[job.token])


NEW_ROWS = (
    "identifier,kind,status,title_en,title_ja\n"
    "test-1,memoir,draft,Test memoir one,テスト手記\n"
    "test-2,document,draft,Test document two,\n"
)


def test_only_users_allowed_to_import_see_the_import_screen(alice, dana, login):  # noqa: F811
    assert login(alice).get(reverse(IMPORT_URL)).status_code == 403
    response = login(dana).get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert "Catalogue spreadsheet" in response.content.decode()


def test_the_changelist_offers_import_and_both_exports(dana, login):  # noqa: F811
    page = login(dana).get(reverse("admin:collection_record_changelist")).content.decode()
    assert reverse(IMPORT_URL) in page
    assert reverse("admin:collection_record_export", args=["csv"]) in page
    assert reverse("admin:collection_record_export", args=["xlsx"]) in page


def test_preview_writes_nothing_and_confirm_imports_with_the_user_as_author(dana, login):  # noqa: F811
    client = login(dana)
    response = upload(client, csv_file(NEW_ROWS))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.status == ImportJobStatus.PREVIEWED
    assert not Record.objects.exists()

    page = client.get(job_url(job)).content.decode()
    assert "test-1" in page and "test-2" in page
    assert page.count('class="import-new"') == 2
    assert "テスト手記" in page

    response = client.post(job_url(job), {"fingerprint": job.fingerprint})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert bytes(job.data) == b""  # the upload is not kept once imported
    assert set(Record.objects.values_list("identifier", flat=True)) == {"test-1", "test-2"}
    history = Record.history.filter(identifier__in=["test-1", "test-2"])
    assert history.count() == 2
    assert {entry.history_user for entry in history} == {dana}
    assert {entry.history_user for entry in Title.history.all()} == {dana}


def test_a_preview_reads_in_the_language_of_whoever_opens_it(dana, login):  # noqa: F811
    client = login(dana)
    client.post(reverse(IMPORT_URL), {"file": csv_file(NEW_ROWS)}, headers={"accept-language": "en"})
    job = ImportJob.objects.get()

    def summary_and_kinds(language):
        page = client.get(job_url(job), headers={"accept-language": language}).content.decode()
        summary = re.findall(r"<li>([^<]*(?:new|新規|новых)[^<]*)</li>", page)
        kinds = re.findall(r"<td>test-\d</td><td>([^<]*)</td>", page)
        return summary, kinds

    assert summary_and_kinds("en") == (["document: 1 new, 0 updated, 0 unchanged",
                                        "memoir: 1 new, 0 updated, 0 unchanged"], ["memoir", "document"])
    russian_summary, russian_kinds = summary_and_kinds("ru")
    assert russian_kinds == ["воспоминания", "документ"]
    assert russian_summary == ["документ: новых — 1, обновлённых — 0, без изменений — 0",
                               "воспоминания: новых — 1, обновлённых — 0, без изменений — 0"]
    japanese_summary, japanese_kinds = summary_and_kinds("ja")
    assert "memoir" not in "".join(japanese_summary + japanese_kinds)


def test_preview_of_an_update_shows_each_changed_field_old_and_new(dana, login):  # noqa: F811
    record = RecordFactory(identifier="test-1", kind="memoir", status=Status.DRAFT, title="Old test title",
                           title__language="en")
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,draft,New test title\n"
                            "test-2,memoir,draft,Another\n"))
    job = ImportJob.objects.get()
    page = client.get(job_url(job)).content.decode()
    assert '<tr class="import-updated">' in page
    assert "<del>Old test title</del> → <ins>New test title</ins>" in page
    assert record.titles.get().text == "Old test title"


def test_a_preview_shows_a_texts_line_breaks_so_a_change_of_them_alone_can_be_seen(dana, login):  # noqa: F811
    # A cell with a line break (Alt+Enter, Ctrl+Enter in LibreOffice) against the same words on one line.
    client = login(dana)
    upload(client, csv_file('identifier,kind,status,title_en,description_ja\n'
                            'test-1,memoir,draft,Test,"一行目\n二行目"\n'))
    job = ImportJob.objects.get()
    assert "<code>description_ja</code>: 一行目<br>二行目</li>" in client.get(job_url(job)).content.decode()
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    upload(client, csv_file("identifier,kind,status,title_en,description_ja\ntest-1,memoir,draft,Test,一行目 二行目\n"))
    job = ImportJob.objects.latest("created")
    assert "<del>一行目<br>二行目</del> → <ins>一行目 二行目</ins>" in client.get(job_url(job)).content.decode()


def test_unchanged_rows_are_reported_as_unchanged(dana, login):  # noqa: F811
    RecordFactory(identifier="test-1", kind="memoir", status=Status.DRAFT, title="Same", title__language="en")
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,draft,Same\n"))
    job = ImportJob.objects.get()
    assert job.summary["unchanged"] == 1
    assert 'class="import-unchanged"' in client.get(job_url(job)).content.decode()


def test_confirm_is_refused_if_the_catalogue_changed_after_the_preview(dana, login):  # noqa: F811
    record = RecordFactory(identifier="test-1", kind="memoir", status=Status.DRAFT, title="Old", title__language="en")
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,draft,From the file\n"))
    job = ImportJob.objects.get()
    # Someone edits the record between preview and confirmation.
    record.refresh_from_db()
    record.date_display = "edited meanwhile"
    record.save()
    response = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.STALE
    assert "The catalogue changed after the preview" in response.content.decode()
    assert record.titles.get().text == "Old"


@pytest.mark.parametrize(("named", "deleted", "added"), [
    ("de", "de", "fr"),  # the import would re-create the language just deleted
    ("mn", "de", "mn"),  # the import would link to a language someone else added, not create its own
], ids=["named-language-deleted", "new-language-added-by-someone-else"])
def test_confirm_is_refused_if_a_language_was_deleted_and_another_added_after_the_preview(
        dana, login, named, deleted, added):  # noqa: F811
    from collection.models import Language

    Language.objects.create(tag="de")
    client = login(dana)
    upload(client, csv_file(f"identifier,kind,status,title_en,languages\ntest-1,memoir,draft,Test,{named}\n"))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
    # As many languages as the preview saw, but not the same ones.
    Language.objects.get(tag=deleted).delete()
    Language.objects.create(tag=added)
    response = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.STALE
    assert "The catalogue changed after the preview" in response.content.decode()
    assert not Record.objects.exists()
    assert sorted(Language.objects.values_list("tag", flat=True)) == [added]


@pytest.mark.parametrize("entry_kind", ["place", "subject"])
def test_confirm_is_refused_if_a_place_or_subject_the_file_names_was_renamed_after_the_preview(
        dana, login, entry_kind):  # noqa: F811
    from .factories import PlaceFactory, SubjectFactory

    entry = {"place": PlaceFactory, "subject": SubjectFactory}[entry_kind](identifier=f"{entry_kind}-test")
    client = login(dana)
    upload(client, csv_file(f"identifier,kind,status,title_en,{entry_kind}s\n"
                            f"test-1,memoir,draft,Test,{entry_kind}-test\n"))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
    entry.save()  # as the admin saves it with a change of its names
    response = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.STALE
    assert "The catalogue changed after the preview" in response.content.decode()
    assert not Record.objects.exists()

def test_confirm_from_an_outdated_form_is_refused(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, csv_file(NEW_ROWS))
    job = ImportJob.objects.get()
    response = client.post(job_url(job), {"fingerprint": "0" * 64}, follow=True)
    assert "not the latest preview" in response.content.decode()
    assert not Record.objects.exists()


def test_a_confirmed_import_cannot_be_applied_twice(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, csv_file(NEW_ROWS))
    job = ImportJob.objects.get()
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    response = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True)
    assert "not waiting for confirmation" in response.content.decode()
    assert Record.objects.count() == 2


def test_errors_name_row_and_column_and_nothing_is_written(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en,isbn\n"
                            "test-1,memoir,draft,Fine,\n"
                            "test-2,memoir,draft,Bad ISBN,978-4-00-000000-1\n"
                            "test-1,memoir,draft,Duplicate,\n"))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    page = client.get(job_url(job)).content.decode()
    assert "row 3, column isbn:" in page
    assert "row 4, column identifier:" in page
    assert 'id="confirm-form"' not in page
    assert not Record.objects.exists()


BAD_ROWS = ("identifier,kind,status,title_en,date,isbn\n"
            "test-1,poem,draft,Test,1947-02-30,978-4-00-000000-1\n")


def problems_on_the_page(client, job: ImportJob, language: str) -> list[str]:
    page = client.get(job_url(job), headers={"accept-language": language}).content.decode()
    return re.findall(r"<li>(row \d+[^<]*|\d+ 行目[^<]*|строка \d+[^<]*)</li>", page)


def test_a_refused_files_problems_read_in_the_language_of_whoever_opens_them(dana, login):  # noqa: F811
    client = login(dana)
    client.post(reverse(IMPORT_URL), {"file": csv_file(BAD_ROWS)}, headers={"accept-language": "ru"})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID

    english = problems_on_the_page(client, job, "en")
    assert [problem.split(":")[0] for problem in english] == [
        "row 2, column date", "row 2, column isbn", "row 2, column kind"]
    assert "the last day of that month is 1947-02-28" in english[0]
    japanese = problems_on_the_page(client, job, "ja")
    assert [problem.split("：")[0] for problem in japanese] == [
        "2 行目、列 date", "2 行目、列 isbn", "2 行目、列 kind"]
    assert "その月の最後の日は 1947-02-28 です" in japanese[0]
    russian = problems_on_the_page(client, job, "ru")
    assert len(russian) == 3 and "последний день этого месяца — 1947-02-28" in russian[0]

    download = client.get(reverse("admin:collection_record_import_errors", args=[job.token]),
                          headers={"accept-language": "ja"}).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(download))][1:] == japanese


def test_a_file_refused_as_a_whole_reads_in_the_language_of_whoever_opens_it(dana, login):  # noqa: F811
    client = login(dana)
    file = SimpleUploadedFile("records.csv", "identifier,title_ja\ntest-1,抑留記\n".encode("cp932"))
    client.post(reverse(IMPORT_URL), {"file": file}, headers={"accept-language": "ja"})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    english = client.get(job_url(job), headers={"accept-language": "en"}).content.decode()
    assert "“Encoding of a CSV file”" in english
    assert "CSV ファイルの文字コード" in client.get(job_url(job), headers={"accept-language": "ja"}).content.decode()


def test_a_status_change_the_user_may_not_make_is_an_error(alice, dana, login):  # noqa: F811
    from django.contrib.auth.models import Permission

    alice.user_permissions.add(Permission.objects.get(codename="import_records"))
    client = login(type(alice).objects.get(pk=alice.pk))
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,published,Test\n"))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    assert any("row 2, column status:" in error for error in job.errors_in())
    assert not Record.objects.exists()


def test_script_in_cells_and_file_name_is_shown_escaped(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,draft,<script>alert(1)</script>\n",
                            name="<script>alert(2).csv"))
    job = ImportJob.objects.get()
    page = client.get(job_url(job)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2).csv" in page


def test_error_page_and_error_download_escape_script(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en,isbn\ntest-1,memoir,draft,T,<script>x</script>\n",
                            name='<script>"x".csv'))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    page = client.get(job_url(job)).content.decode()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    response = client.get(reverse("admin:collection_record_import_errors", args=[job.token]))
    disposition = response["Content-Disposition"]
    assert "<" not in disposition and '"x"' not in disposition
    assert disposition.startswith("attachment;")


def previewed_memoirs(client, count: int) -> ImportJob:
    """The job of ``count`` new memoirs uploaded by ``client``."""
    rows = "".join(f"test-{n},memoir,draft,Test {n}\n" for n in range(1, count + 1))
    upload(client, csv_file("identifier,kind,status,title_en\n" + rows))
    return ImportJob.objects.get()


def test_preview_is_paginated(dana, login, settings):  # noqa: F811
    settings.COLLECTION_IMPORT_PREVIEW_ROWS_PER_PAGE = 2
    client = login(dana)
    job = previewed_memoirs(client, 5)
    first = client.get(job_url(job)).content.decode()
    last = client.get(job_url(job) + "?page=3").content.decode()
    assert first.count('class="import-new"') == 2 and "test-1" in first and "test-5" not in first
    assert last.count('class="import-new"') == 1 and "test-5" in last


def test_a_long_preview_links_the_pages_near_this_one_and_at_the_ends(dana, login, settings):  # noqa: F811
    settings.COLLECTION_IMPORT_PREVIEW_ROWS_PER_PAGE = 1
    client = login(dana)
    job = previewed_memoirs(client, 40)
    page = client.get(job_url(job) + "?page=20").content.decode()
    paginator = page.split('class="paginator"')[1].split("</p>")[0]
    linked = [int(number) for number in re.findall(r"\?page=(\d+)", paginator)]
    assert linked == [1, 2, 17, 18, 19, 21, 22, 23, 39, 40]
    assert '<span class="this-page">20</span>' in paginator and paginator.count("…") == 2


def test_more_than_one_file_per_request_is_refused(dana, login):  # noqa: F811
    client = login(dana)
    response = client.post(reverse(IMPORT_URL), {"file": [csv_file(NEW_ROWS, "a.csv"), csv_file(NEW_ROWS, "b.csv")]})
    assert "Upload at most 1 file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(dana, login, settings):  # noqa: F811
    settings.COLLECTION_IMPORT_MAX_BYTES = 50
    response = upload(login(dana), csv_file(NEW_ROWS))
    assert "larger than the" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_cp932_file_needs_its_encoding_named(dana, login):  # noqa: F811
    client = login(dana)
    data = "identifier,kind,status,title_ja\ntest-1,memoir,draft,髙橋①の手記\n".encode("cp932")
    upload(client, SimpleUploadedFile("sjis.csv", data))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID and "“Encoding of a CSV file”" in job.errors_in()[0]
    upload(client, SimpleUploadedFile("sjis.csv", data), encoding="cp932")
    job = ImportJob.objects.latest("created")
    assert job.status == ImportJobStatus.PREVIEWED
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    assert Title.objects.get(record__identifier="test-1", language="ja").text == "髙橋①の手記"


def test_an_xlsx_upload_imports_its_first_sheet(dana, login):  # noqa: F811
    out = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "records"
    for row in (["identifier", "kind", "status", "title_en"], ["test-1", "memoir", "draft", "From XLSX"]):
        workbook.active.append(row)
    other = workbook.create_sheet("notes")
    other.append(["not", "the", "catalogue"])
    workbook.active = 1  # the active sheet is not the one read
    workbook.save(out)
    client = login(dana)
    upload(client, SimpleUploadedFile("book.xlsx", out.getvalue()))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    assert Title.objects.get(record__identifier="test-1").text == "From XLSX"


def test_a_workbook_whose_first_sheet_is_not_the_catalogue_points_to_the_sheet_field(dana, login):  # noqa: F811
    # Saved by LibreOffice with a note on its first sheet, the catalogue on the second (tests/data/office).
    data = (Path(__file__).parent / "data" / "office" / "ru-sheet.xlsx").read_bytes()
    client = login(dana)
    upload(client, SimpleUploadedFile("ru-sheet.xlsx", data))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    assert job.errors_in("en") == [
        "The workbook's first sheet, “Лист1”, has no identifier column, so it cannot be the sheet to import. The first "
        "sheet is read, whichever sheet was open when the file was saved; the workbook's other sheets are: "
        "каталог. Type the name of the sheet to read under “Sheet of an XLSX file”."]
    assert "«Лист1»" in job.errors_in("ru")[0] and "«Лист файла XLSX»" in job.errors_in("ru")[0]
    upload(client, SimpleUploadedFile("ru-sheet.xlsx", data), sheet="каталог")
    job = ImportJob.objects.latest("created")
    assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    assert Title.objects.get(record__identifier="office-ru-3").text == "Тестовая запись №3 — «Ёлка»"


def test_a_sheet_the_workbook_lacks_is_refused_listing_its_sheets_as_each_language_lists(dana, login):  # noqa: F811
    data = (Path(__file__).parent / "data" / "office" / "ja-sheet.xlsx").read_bytes()
    upload(login(dana), SimpleUploadedFile("ja-sheet.xlsx", data), sheet="catalogue")
    job = ImportJob.objects.get()
    assert job.errors_in("en") == ["The workbook has no sheet “catalogue”; its sheets are: 目録, メモ."]
    assert job.errors_in("ja") == ["ブックにシート「catalogue」はありません。ブック内のシート：目録、メモ。"]


def test_a_hidden_first_sheet_is_refused_pointing_to_the_sheet_field(dana, login):  # noqa: F811
    data = (Path(__file__).parent / "data" / "office" / "hidden-first-sheet.xlsx").read_bytes()
    upload(login(dana), SimpleUploadedFile("hidden-first-sheet.xlsx", data))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    assert job.errors_in("ja") == [
        "ブックの最初のシート「旧目録」は非表示になっているため、読み込まれる行はブックに表示されている行ではありません。"
        "ブック内のほかのシート：目録。読み込むシートの名前を「XLSX ファイルのシート」に入力してください。"]
    assert not Record.objects.exists()


def test_a_cell_is_named_by_its_letter_and_its_column_as_each_language_sets_an_aside(dana, login):  # noqa: F811
    # =NA() saved by LibreOffice (tests/data/office): refused, the cell named by letter and by the header's name.
    data = (Path(__file__).parent / "data" / "office" / "ja-errors.xlsx").read_bytes()
    upload(login(dana), SimpleUploadedFile("ja-errors.xlsx", data))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    assert job.errors_in("en") == ["row 2, column H (date_display): the spreadsheet shows the error #N/A here."]
    assert job.errors_in("ja") == [
        "2 行目、列 H（date_display）：このセルには表計算ソフトのエラー #N/A が表示されています。"]
    assert job.errors_in("ru")[0].startswith("строка 2, столбец H (date_display): ")


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_large_files_are_previewed_and_imported_by_the_task_worker(dana, login, settings,  # noqa: F811
                                                                   django_capture_on_commit_callbacks):
    settings.COLLECTION_IMPORT_INLINE_MAX_ROWS = 1
    client = login(dana)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_file(NEW_ROWS))
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportJobStatus.QUEUED
    page = client.get(job_url(job)).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEWED
    status = client.get(reverse("admin:collection_record_import_status", args=[job.token])).json()
    assert status == {"status": "previewed", "label": str(job.get_status_display()), "rows": 2, "done": 2,
                      "percent": 100, "finished": True}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(job), {"fingerprint": job.fingerprint})
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CONFIRMED
    assert not Record.objects.exists()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert Record.objects.count() == 2
    assert {entry.history_user for entry in Record.history.all()} == {dana}


def percents_shown_while_checking(job, monkeypatch) -> list[int]:
    """Run the background preview of ``job``; the percentages its status page showed while checking rows."""
    from collection.importing import jobs

    ImportJob.objects.filter(pk=job.pk).update(background=True)
    seen = []
    progress = jobs._checking_progress
    clock = iter(range(100, 1000, 5))

    def watched(job):
        report = progress(job, clock=lambda: next(clock))

        def spy(stage, done, total):
            report(stage, done, total)
            seen.append((stage, ImportJob.objects.get(pk=job.pk).percent))

        return spy

    monkeypatch.setattr(jobs, "_checking_progress", watched)
    assert jobs.run_preview(job.pk) == ImportJobStatus.PREVIEWED
    assert ImportJob.objects.get(pk=job.pk).percent == 100  # only once the preview is ready
    return [percent for stage, percent in seen if stage == "checking"]


def test_a_background_preview_shows_the_rows_checked_so_far(dana, monkeypatch):  # noqa: F811
    from collection.catalogue.writer import BATCH_SIZE
    from collection.importing import jobs

    rows = "identifier,kind,status,title_en\n" + "".join(f"test-{n},memoir,draft,Test {n}\n"
                                                           for n in range(2 * BATCH_SIZE))
    job = jobs.create_job(user=dana, file_name="big.csv", data=rows.encode())
    # Checking is half of the work: the page shows 25%, then 50%, and 100% once the preview is ready.
    assert percents_shown_while_checking(job, monkeypatch) == [25, 50]


def test_someone_elses_import_is_not_shown(dana, login):  # noqa: F811
    from .roles import staff_in

    client = login(dana)
    upload(client, csv_file(NEW_ROWS))
    job = ImportJob.objects.get()
    other = staff_in("Collection manager", "erin")
    assert login(other).get(job_url(job)).status_code == 403


def test_a_confirmed_import_that_would_differ_from_its_preview_is_marked_stale(dana, login, monkeypatch):  # noqa: F811
    from collection.importing import jobs

    RecordFactory(identifier="test-1", kind="memoir", status=Status.DRAFT, title="Old", title__language="en")
    client = login(dana)
    upload(client, csv_file("identifier,kind,status,title_en\ntest-1,memoir,draft,From the file\n"))
    job = ImportJob.objects.get()
    # The catalogue's fingerprint still matches, but the import would not do what was previewed.
    monkeypatch.setattr(jobs, "preview_entries", lambda result: [{"row": 99}])
    client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.STALE
    assert "would not do exactly what the preview showed" in " ".join(job.errors_in())
    assert Record.objects.get().titles.get().text == "Old"


def test_a_cp1251_file_that_lost_a_japanese_title_is_refused_in_the_preview(dana, login):  # noqa: F811
    client = login(dana)
    rows = "identifier,kind,status,title_ja,title_ru\ntest-1,memoir,draft,抑留記,Записки\n"
    upload(client, csv_file(rows))
    client.post(job_url(ImportJob.objects.get()), {"fingerprint": ImportJob.objects.get().fingerprint})
    upload(client, SimpleUploadedFile("ru.csv", rows.encode("cp1251", errors="replace")), encoding="cp1251")
    job = ImportJob.objects.latest("created")
    assert job.status == ImportJobStatus.INVALID
    assert job.errors_in()[0].startswith("row 2, column title_ja: The file is saved in cp1251, which cannot hold “抑”")
    assert Title.objects.get(record__identifier="test-1", language="ja").text == "抑留記"
