"""Imports at their edges: a file of a header only, a job that fails, the commands' help, spreadsheet numbers and
formulas, standard-number and URL messages, and the column a missing title is reported in."""

from __future__ import annotations

import io
import logging
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command, get_commands
from django.urls import reverse
from django.utils import translation

from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.writer import write_rows
from collection.models import ImportJob, ImportJobStatus, Record, Title
from collection.validators import validate_http_url, validate_isbn, validate_issn

from .catalogue_rows import errors_of, memoir, numbered, write_file
from .roles import dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

FAILED_MESSAGE = "The import stopped on an unexpected error. Nothing was written."


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args):
    """The problems the command printed, one a line, when it refuses the file."""
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(*args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, text: str, name: str = "records.csv"):
    return client.post(reverse("admin:collection_record_import"),
                       {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


def job_url(job: ImportJob) -> str:
    return reverse("admin:collection_record_import_job", args=[job.token])


def isbn_messages(result):
    return [error.message for error in result.errors if error.column == "isbn"]


class TestHeaderOnly:
    @pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
    def test_a_valid_header_without_rows_imports_nothing(self, tmp_path, dry_run):
        path = write_file(tmp_path, "identifier,title_en\r\n")
        out, _err = run("import_catalogue", str(path), *(["--dry-run"] if dry_run else []))
        assert "0 new, 0 updated, 0 unchanged" in out
        assert not Record.objects.exists()

    def test_an_xlsx_sheet_of_a_header_only_imports_nothing(self, tmp_path):
        path = write_file(tmp_path, xlsx(["identifier", "kind", "title_en"]), "book.xlsx")
        out, _err = run("import_catalogue", str(path))
        assert "0 new, 0 updated, 0 unchanged" in out

    def test_an_unknown_column_is_an_error_without_rows(self, tmp_path):
        path = write_file(tmp_path, "identifier,foo\r\n")
        assert refused("import_catalogue", str(path), "--dry-run") == ["row 1, column foo: Unknown column."]

    def test_a_missing_identifier_column_is_an_error_without_rows(self, tmp_path):
        path = write_file(tmp_path, "title_en\r\n")
        assert refused("import_catalogue", str(path)) == ["row 1, column identifier: The identifier column is missing."]

    def test_the_writer_checks_the_header_it_is_given(self):
        assert write_rows([]).ok  # no rows and no header: nothing to check, nothing to write
        result = write_rows([], header=["identifier", "title_en"], dry_run=True)
        assert result.ok and result.summary_lines() == ["0 new, 0 updated, 0 unchanged"]
        assert errors_of(write_rows([], header=["identifier", "foo"])) == [(1, "foo")]
        assert errors_of(write_rows([], header=["title_en"])) == [(1, "identifier")]

    def test_the_admin_previews_and_imports_a_header_only(self, dana, login):  # noqa: F811
        client = login(dana)
        response = upload(client, "identifier,title_en\r\n")
        job = ImportJob.objects.get()
        assert response.status_code == 302 and job.status == ImportJobStatus.PREVIEWED
        assert "0 new, 0 updated, 0 unchanged" in client.get(job_url(job)).content.decode()
        client.post(job_url(job), {"fingerprint": job.fingerprint})
        job.refresh_from_db()
        assert job.status == ImportJobStatus.DONE

    def test_the_admin_refuses_a_header_only_with_an_unknown_column(self, dana, login):  # noqa: F811
        client = login(dana)
        upload(client, "identifier,foo\r\n")
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.INVALID
        assert "row 1, column foo: Unknown column." in client.get(job_url(job)).content.decode()


# A file with an unknown column and a problem of each kind in its rows (the column's cells are its own).
PROBLEM_ROWS = [
    "identifier,kind,status,title_en,isbn,date,places,publisher_city",
    "test-1,memoir,draft,Test memoir one,9.78E+12,,,Tokyo",
    "test-1,memoir,draft,Test memoir again,,,,",
    "test-2,memoir,draft,Test memoir two,,昭和22年,,",
    "test-3,memoir,draft,Test memoir three,,,Nowhere,",
    "test-4,poem,draft,Test poem four,,,,",
    "test-5,memoir,draft,,,,,Kyoto",
]


def without_last_column(lines: list[str]) -> str:
    return "".join(line.rsplit(",", 1)[0] + "\r\n" for line in lines)


class TestUnknownColumns:
    """An unknown column is reported with every problem of the rows, in one check; nothing is written."""

    def test_the_rows_are_checked_as_without_the_column(self, tmp_path):
        rest = refused("import_catalogue", str(write_file(tmp_path, without_last_column(PROBLEM_ROWS), "rest.csv")))
        assert len(rest) == 6
        path = write_file(tmp_path, "".join(line + "\r\n" for line in PROBLEM_ROWS))
        problems = refused("import_catalogue", str(path), "--dry-run")
        assert problems == ["row 1, column publisher_city: Unknown column.", *rest]
        assert [problem.split(":")[0] for problem in problems] == [
            "row 1, column publisher_city", "row 2, column isbn", "row 3, column identifier", "row 4, column date",
            "row 5, column places", "row 6, column kind", "row 7, column title_en"]
        assert "“昭和22年” is dated by a Japanese era" in problems[3]
        assert refused("import_catalogue", str(path)) == problems
        assert not Record.objects.exists()

    def test_a_file_whose_only_problem_is_the_column_writes_nothing(self, tmp_path):
        path = write_file(tmp_path, "identifier,kind,title_en,publisher_city\r\ntest-1,memoir,Test,Tokyo\r\n")
        assert refused("import_catalogue", str(path)) == ["row 1, column publisher_city: Unknown column."]
        assert not Record.objects.exists()

    def test_the_rows_of_stored_records_are_checked_too(self, tmp_path):
        run("import_catalogue", str(write_file(tmp_path, "identifier,kind,title_en\r\ntest-1,memoir,Test\r\n",
                                               "stored.csv")))
        call_command("refresh_export_lines", stdout=StringIO())  # compared with its ready export row
        rows = "identifier,title_en,date,publisher_city\r\ntest-1,Test,1945-02-30,Tokyo\r\ntest-1,Test,,\r\n"
        problems = refused("import_catalogue", str(write_file(tmp_path, rows)))
        assert [problem.split(":")[0] for problem in problems] == [
            "row 1, column publisher_city", "row 2, column date", "row 3, column identifier"]
        assert Record.objects.get().date_edtf == ""

    def test_without_an_identifier_column_the_rows_are_not_checked_and_it_says_so(self, tmp_path):
        path = write_file(tmp_path, "kind,title_en,publisher_city\r\npoem,,Tokyo\r\n")
        assert refused("import_catalogue", str(path)) == [
            "row 1, column identifier: The identifier column is missing, so the rows were not checked: without "
            "it, which record a row means is not known.",
            "row 1, column publisher_city: Unknown column.",
        ]

    def test_the_admin_preview_shows_the_column_and_the_rows_problems(self, dana, login):  # noqa: F811
        client = login(dana)
        upload(client, "".join(line + "\r\n" for line in PROBLEM_ROWS))
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.INVALID
        assert [error.split(":")[0] for error in job.errors_in()] == [
            "row 1, column publisher_city", "row 2, column isbn", "row 3, column identifier", "row 4, column date",
            "row 5, column places", "row 6, column kind", "row 7, column title_en"]
        page = client.get(job_url(job)).content.decode()
        assert "row 1, column publisher_city: Unknown column." in page
        assert "row 6, column kind: Unknown kind “poem”" in page
        assert not Record.objects.exists()


class TestFailedJobs:
    @pytest.fixture
    def broken_writer(self, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("test failure")

        monkeypatch.setattr("collection.catalogue.writer.write_rows", broken)

    def test_a_preview_in_the_request_that_fails_marks_the_job_failed(self, dana, login, broken_writer,  # noqa: F811
                                                                      caplog):
        client = login(dana)
        with caplog.at_level(logging.ERROR, logger="collection.importing.jobs"):
            response = upload(client, "identifier,kind,title_en\r\ntest-1,memoir,Test\r\n")
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == job_url(job)
        assert job.status == ImportJobStatus.FAILED
        page = client.get(job_url(job)).content.decode()
        assert FAILED_MESSAGE in page
        assert 'http-equiv="refresh"' not in page  # the page stops waiting
        assert "Correct the file" not in page  # not the file's fault
        status = client.get(reverse("admin:collection_record_import_status", args=[job.token])).json()
        assert status["status"] == "failed" and status["finished"] is True
        assert any(record.exc_info and "test failure" in str(record.exc_info[1]) for record in caplog.records)

    def test_a_background_preview_that_fails_marks_the_job_failed(self, dana, broken_writer):  # noqa: F811
        from collection.importing import jobs

        job = jobs.create_job(user=dana, file_name="big.csv", data=b"identifier,kind,title_en\r\ntest-1,memoir,T\r\n")
        ImportJob.objects.filter(pk=job.pk).update(background=True)
        assert jobs.run_preview(job.pk) == ImportJobStatus.FAILED
        job.refresh_from_db()
        assert job.status == ImportJobStatus.FAILED and job.errors_in()[0].startswith(FAILED_MESSAGE)

    @pytest.mark.django_db(transaction=True)  # as the task worker runs it: outside any transaction
    def test_a_preview_outside_a_transaction_that_fails_marks_the_job_failed(self, dana,  # noqa: F811
                                                                              broken_writer):
        from collection.importing import jobs

        job = jobs.create_job(user=dana, file_name="big.csv", data=b"identifier,kind,title_en\r\ntest-1,memoir,T\r\n")
        ImportJob.objects.filter(pk=job.pk).update(background=True)
        assert jobs.run_preview(job.pk) == ImportJobStatus.FAILED
        assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.FAILED

    def test_reading_the_upload_failing_marks_the_job_failed(self, dana, login, monkeypatch):  # noqa: F811
        def broken(*args, **kwargs):
            raise ValueError("test failure")

        monkeypatch.setattr("collection.importing.jobs.read_table", broken)
        upload(login(dana), "identifier,kind,title_en\r\ntest-1,memoir,Test\r\n")
        assert ImportJob.objects.get().status == ImportJobStatus.FAILED

    def test_an_import_that_fails_after_writing_writes_nothing_and_is_marked_failed(self, dana, login,  # noqa: F811
                                                                                      monkeypatch, caplog):
        client = login(dana)
        upload(client, "identifier,kind,title_en\r\ntest-1,memoir,Test\r\n")
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.PREVIEWED

        def broken(result):
            assert Record.objects.filter(identifier="test-1").exists()  # written, not yet committed
            raise RuntimeError("test failure")

        monkeypatch.setattr("collection.importing.jobs.summary_of", broken)
        with caplog.at_level(logging.ERROR, logger="collection.importing.jobs"):
            client.post(job_url(job), {"fingerprint": job.fingerprint})
        job.refresh_from_db()
        assert job.status == ImportJobStatus.FAILED
        assert not Record.objects.exists() and not Title.objects.exists()
        assert FAILED_MESSAGE in client.get(job_url(job)).content.decode()
        assert any(record.exc_info for record in caplog.records)


COMMANDS = sorted(name for name, app in get_commands().items() if app == "collection")


def test_the_app_has_its_commands():
    assert {"import_catalogue", "export_catalogue", "load_seed", "derive_romanizations"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_command_prints_its_help(name, language, capsys):
    with translation.override(language), pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", name, "--help"]).execute()
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: manage.py {name}")


class TestSpreadsheetNumbersAndFormulas:
    def test_a_formula_openpyxl_wrote_without_a_value_is_an_error_naming_the_cell(self, tmp_path):
        data = xlsx(["identifier", "kind", "title_en", "sequence"], ["test-1", "memoir", "Test", "=1+2"])
        with pytest.raises(FileRefused) as caught:
            read_table(data, name="book.xlsx")
        assert [str(problem) for problem in caught.value.problems] == [
            "row 2, column D (sequence): a formula with no saved value; open the file in a spreadsheet program, let it "
            "calculate, and save it again, or type the value in."]
        with pytest.raises(CommandError, match=r"row 2, column D \(sequence\): a formula with no saved value"):
            run("import_catalogue", str(write_file(tmp_path, data, "book.xlsx")))

    def test_a_formula_whose_saved_text_is_empty_still_reads_as_empty(self):
        from .xlsx_parts import row, text, workbook

        data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "note")),
                               row(2, text("A2", "test-1"), '<c r="B2" t="str"><f>""</f><v></v></c>')]))
        assert read_table(data, name="book.xlsx").rows == [(2, ("test-1", ""))]

    def test_an_isbn_10_that_lost_its_leading_zero_in_a_number_cell_is_refused(self, tmp_path):
        data = xlsx(["identifier", "kind", "title_en", "isbn"], ["test-1", "memoir", "Test", 100000002])
        lines = refused("import_catalogue", str(write_file(tmp_path, data, "book.xlsx")))
        assert lines == ["row 2, column isbn: “100000002” has 9 digits: an ISBN-10 whose leading 0 a spreadsheet "
                         "dropped when it read the ISBN as a number; format the column as text and type the ISBN "
                         "again."]
        assert not Record.objects.exists()

    def test_the_writer_refuses_nine_digits_and_takes_the_isbn_written_in_full(self):
        assert errors_of(write_rows(numbered(memoir(isbn="100000002")))) == [(2, "isbn")]
        assert write_rows(numbered(memoir(isbn="0100000002"))).ok
        assert Record.objects.get().isbn13 == "9780100000001"


class TestStandardNumberMessages:
    @pytest.mark.parametrize(("value", "reason"), [
        ("978-0-00-000001-0", "its check digit (the last character) does not match the others"),
        ("978-0-00-00000", "an ISBN has 10 or 13 digits"),
        ("977-0-00-000001-0", "an ISBN of 13 digits starts with 978 or 979"),
        ("97A-0-00-000001-9", "an ISBN holds only digits, hyphens and spaces"),
    ], ids=["checksum", "length", "prefix", "format"])
    def test_each_kind_of_bad_isbn_has_our_own_message(self, value, reason):
        [message] = isbn_messages(write_rows(numbered(memoir(isbn=value))))
        assert message.startswith(f"“{value}” is not a valid ISBN: {reason}")

    @pytest.mark.parametrize("language", ["en", "ja", "ru"])
    def test_no_message_of_python_stdnum_is_passed_through(self, language):
        with translation.override(language):
            messages = [*isbn_messages(write_rows(numbered(memoir(isbn="978-0-00-000001-0")))),
                        *isbn_messages(write_rows(numbered(memoir(isbn="978-0-00")))),
                        *isbn_messages(write_rows(numbered(memoir(isbn="97A-0-00-000001-9"))))]
        assert len(messages) == 3
        for english in ("checksum", "The number has an invalid", "One of the parts"):
            assert not any(english in message for message in messages)

    def test_the_command_line_shows_the_message(self, tmp_path):
        path = write_file(tmp_path, "identifier,kind,title_en,isbn\r\ntest-1,memoir,Test,978-0-00-000001-0\r\n")
        [line] = refused("import_catalogue", str(path))
        assert line.startswith("row 2, column isbn: “978-0-00-000001-0” is not a valid ISBN: its check digit")

    @pytest.mark.parametrize(("value", "reason"), [
        ("0317-8472", "its check digit (the last character) does not match the others"),
        ("0317-847", "an ISSN has 8 digits"),
        ("03A7-8471", "an ISSN holds only digits and a hyphen"),
    ], ids=["checksum", "length", "format"])
    def test_each_kind_of_bad_issn_has_our_own_message(self, value, reason):
        with pytest.raises(ValidationError) as caught:
            validate_issn(value)
        assert caught.value.messages[0].startswith(f"“{value}” is not a valid ISSN: {reason}")

    def test_a_valid_isbn_passes(self):
        validate_isbn("ISBN 978-0-00-000001-9")


class TestMissingTitleColumn:
    def test_a_nul_in_the_only_title_is_reported_and_the_title_is_not_also_missing(self, tmp_path):
        path = write_file(tmp_path, "identifier,kind,title_en\r\ntest-1,memoir,Te\x00st\r\n")
        assert refused("import_catalogue", str(path)) == [
            "row 2, column title_en: The cell contains a NUL character.",
        ]

    def test_the_writer_names_the_files_first_title_column(self):
        result = write_rows(numbered({"identifier": "test-1", "kind": "memoir", "title_ru": "", "title_en": ""}))
        assert errors_of(result) == [(2, "title_ru")]

    def test_clearing_the_only_title_names_the_cleared_column(self, tmp_path):
        assert write_rows(numbered(memoir("test-1", title_en="Test"))).ok
        result = write_rows(numbered({"identifier": "test-1", "title_ru": "", "title_en": "[clear]"}))
        assert errors_of(result) == [(2, "title_en")]
        path = write_file(tmp_path, "identifier,title_en\r\ntest-1,[clear]\r\n")
        assert refused("import_catalogue", str(path)) == [
            "row 2, column title_en: A record needs at least one title in some language."]


class TestWebAddresses:
    @pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://example.org/test", "data:text/html,test",
                                       "example.org/test"])
    def test_a_url_of_another_scheme_is_told_to_start_with_http(self, value):
        with pytest.raises(ValidationError) as caught:
            validate_http_url(value)
        assert caught.value.messages == ["Enter a URL that starts with http:// or https://."]

    def test_a_web_address_passes_and_a_broken_one_is_not_valid(self):
        validate_http_url("https://example.org/test")
        validate_http_url("HTTP://example.org/test")
        with pytest.raises(ValidationError, match="Enter a valid URL"):
            validate_http_url("https://")

    def test_an_import_tells_why_a_url_is_refused(self, tmp_path):
        result = write_rows(numbered(memoir("test-1", url="javascript:alert(1)"), memoir("test-2", url="ftp://x.org")))
        assert [(e.row, e.column, e.message) for e in result.errors] == [
            (2, "url", "Enter a URL that starts with http:// or https://."),
            (3, "url", "Enter a URL that starts with http:// or https://."),
        ]
        path = write_file(tmp_path, "identifier,kind,title_en,url\r\ntest-1,memoir,Test,ftp://example.org/x\r\n")
        assert refused("import_catalogue", str(path)) == [
            "row 2, column url: Enter a URL that starts with http:// or https://."]


class TestOnlyReadingsAndRomanizations:
    """A reading or romanization names no record by itself: a row needs a title of its own."""

    def test_a_new_row_with_only_a_reading_and_a_romanization_is_refused(self):
        result = write_rows(numbered(memoir("test-1", title_en="", **{"title_ja-Hrkt": "てすと",
                                                                       "title_ja-Latn": "tesuto"})))
        assert not result.ok
        assert "A record needs at least one title in some language." in [e.message for e in result.errors]
        assert not Record.objects.exists()

    def test_emptying_the_original_of_a_stored_record_leaving_its_reading_is_refused(self):
        assert write_rows(numbered(memoir("test-1", title_en="", title_ja="テスト"))).ok
        before = list(Title.objects.values_list("language", "text"))
        result = write_rows(numbered({"identifier": "test-1", "title_ja": "[clear]", "title_ja-Hrkt": "てすと"}))
        assert errors_of(result) == [(2, "title_ja")]
        assert list(Title.objects.values_list("language", "text")) == before
