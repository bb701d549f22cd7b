"""Files as people really upload them: other encodings, old workbooks, other delimiters, and what the admin says."""

from __future__ import annotations

import codecs
import io
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from collection.catalogue import csv_io
from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.writer import write_rows
from collection.models import ImportJob, ImportJobStatus, Record, Status, Title

from .factories import RecordFactory
from .roles import dana, login  # noqa: F401 - fixtures

IMPORT_URL = "admin:collection_record_import"
SJIS_ROWS = "identifier,kind,status,title_ja\ntest-1,memoir,draft,髙橋①の手記\n".encode("cp932")
# The start of an Excel 97-2003 workbook: the OLE2 compound file signature, then its binary header.
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(40) + b"\xff" * 64


def upload(client, name: str, data: bytes, **fields):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data), **fields})


def job_url(job: ImportJob) -> str:
    return reverse("admin:collection_record_import_job", args=[job.token])


def refusal(data: bytes, **options) -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, **options)
    return str(caught.value)


# 1. Advice to name the encoding fits where the file came in ----------------------------------------------------


def test_the_import_command_says_to_name_the_encoding_with_its_option(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes(SJIS_ROWS)
    with pytest.raises(CommandError) as caught:
        call_command("import_catalogue", str(path), stdout=StringIO(), stderr=StringIO())
    assert "--encoding" in str(caught.value)
    assert "Encoding of a CSV file" not in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "encoding", "advice"), [
    (SJIS_ROWS, "", "Choose the encoding it was saved in under “Encoding of a CSV file”"),
    (SJIS_ROWS, "utf-8", "Choose the encoding it was saved in under “Encoding of a CSV file”"),
    ("identifier,kind\ntest-1,memoir\n".encode("utf-16-le"), "", "Choose UTF-16 little-endian under "
                                                                 "“Encoding of a CSV file”"),
], ids=["not-utf8", "not-the-named-encoding", "utf16-without-bom"])
def test_the_admin_says_to_choose_the_encoding_in_its_form(dana, login, data, encoding, advice):  # noqa: F811
    client = login(dana)
    upload(client, "sjis.csv", data, encoding=encoding)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    page = client.get(job_url(job)).content.decode()
    assert advice in page
    assert "--encoding" not in page


@pytest.mark.django_db
def test_the_admin_names_the_form_field_as_the_form_shows_it_in_japanese(dana, login):  # noqa: F811
    client = login(dana)
    client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("sjis.csv", SJIS_ROWS)}, HTTP_ACCEPT_LANGUAGE="ja")
    job = ImportJob.objects.get()
    assert "CSV ファイルの文字コード" in job.errors_in("ja")[0]  # the label as the Japanese form shows it
    assert "--encoding" not in job.errors_in("ja")[0]


# 2. Old Excel workbooks and other binary files are refused as what they are -------------------------------------


@pytest.mark.parametrize("options", [{"name": "book.xls"}, {"name": "book.xls", "encoding": "cp932"},
                                     {"name": "book.xlsx"}, {"name": "book.csv"}],
                         ids=["xls", "xls-encoding-named", "named-xlsx", "named-csv"])
def test_an_old_excel_workbook_is_refused_as_one(options):
    message = refusal(XLS, **options)
    assert "old Excel workbook (.xls)" in message
    assert "Excel workbook (.xlsx) or as CSV UTF-8" in message
    assert "UTF-8 (byte" not in message and "--encoding" not in message


def opendocument_spreadsheet() -> bytes:
    """A LibreOffice spreadsheet (.ods) as LibreOffice writes one: first its mimetype, stored uncompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:'
                                        'opendocument:xmlns:office:1.0"/>', zipfile.ZIP_DEFLATED)
    return out.getvalue()


# A flat ODS (.fods), as LibreOffice writes one, up to its first sheet.
FLAT_ODS = (b'<?xml version="1.0" encoding="UTF-8"?>\n\n<office:document xmlns:office="urn:oasis:names:tc:'
            b'opendocument:xmlns:office:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.'
            b'opendocument.spreadsheet">\n <office:body>\n  <office:spreadsheet>\n')


@pytest.mark.parametrize("name", ["catalogue.ods", "catalogue.xlsx", "catalogue.csv"])
@pytest.mark.parametrize("data", [opendocument_spreadsheet(), FLAT_ODS], ids=["ods", "fods"])
def test_a_libreoffice_spreadsheet_is_refused_as_one_with_what_to_save_instead(data, name):
    message = refusal(data, name=name)
    assert "OpenDocument spreadsheet" in message
    assert "Excel 2007-365 (.xlsx)" in message and "CSV" in message
    assert "[Content_Types].xml" not in message and "Unknown column" not in message


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00",
    b"identifier\x00\x01\x02\x03\x04\x05\x00\x00kind\x00",
], ids=["pdf", "png", "control-bytes"])
def test_other_binary_files_are_refused_as_not_a_spreadsheet(data):
    message = refusal(data, name="upload.csv")
    assert "neither a CSV file nor an XLSX workbook" in message
    assert "--encoding" not in message


def test_a_stray_nul_in_a_text_file_is_left_to_the_cell_checks():
    table = read_table(b"identifier,title_en\ntest-1,A\x00B\n")
    assert list(table.records()) == [(2, {"identifier": "test-1", "title_en": "A\x00B"})]


def test_utf16_without_a_byte_order_mark_is_still_told_apart_from_binary_data():
    assert "UTF-16 without a byte-order mark" in refusal("identifier,title_ja\ntest-1,手記\n".encode("utf-16-le"))


@pytest.mark.django_db
def test_the_admin_refuses_an_xls_upload_as_an_old_workbook(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, "catalogue.xls", XLS)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    page = client.get(job_url(job)).content.decode()
    assert "old Excel workbook (.xls)" in page
    assert "not valid UTF-8" not in page


# 3. The delimiters Japanese and Russian Excel write -------------------------------------------------------------

UNICODE_TEXT = (  # Excel's "Unicode text": UTF-16 with a BOM, cells between tabs, quoted when they must be
    "identifier\tkind\tstatus\ttitle_ja\ttitle_en\r\n"
    'test-1\tmemoir\tdraft\t髙橋の手記\t"Tab\there, comma, and ""quotes"""\r\n'
    "test-2\tdocument\tdraft\t資料\tPlain; semicolon\r\n"
)
RUSSIAN_CSV = (  # Russian-locale Excel: Windows-1251, cells between semicolons
    "identifier;kind;status;title_ru;title_en\r\n"
    'test-1;memoir;draft;Воспоминания;"Semi;colon, and comma"\r\n'
    "test-2;document;draft;Документ;Tab\tinside\r\n"
)


def test_excel_unicode_text_is_read_with_tabs():
    table = read_table(codecs.BOM_UTF16_LE + UNICODE_TEXT.encode("utf-16-le"), name="sheet.txt")
    assert table.header == ["identifier", "kind", "status", "title_ja", "title_en"]
    rows = dict(table.records())
    assert rows[2]["title_ja"] == "髙橋の手記"
    assert rows[2]["title_en"] == 'Tab\there, comma, and "quotes"'
    assert rows[3]["title_en"] == "Plain; semicolon"


def test_russian_excel_csv_is_read_with_semicolons():
    table = read_table(RUSSIAN_CSV.encode("cp1251"), name="sheet.csv", encoding="cp1251")
    rows = dict(table.records())
    assert rows[2]["title_ru"] == "Воспоминания"
    assert rows[2]["title_en"] == "Semi;colon, and comma"
    assert rows[3]["title_en"] == "Tab\tinside"


def test_a_comma_file_keeps_commas_with_tabs_and_semicolons_in_its_cells():
    table = read_table(b'identifier,title_en\ntest-1,"a\tb;c"\ntest-2,x;y\n')
    assert dict(table.records()) == {2: {"identifier": "test-1", "title_en": "a\tb;c"},
                                     3: {"identifier": "test-2", "title_en": "x;y"}}


@pytest.mark.django_db
def test_a_header_with_an_unknown_column_keeps_its_delimiter_and_names_that_column():
    table = read_table(b"identifier;kind;colour\ntest-1;memoir;red\n")
    assert table.header == ["identifier", "kind", "colour"]
    errors = [str(error) for error in write_rows(table.records()).errors]
    assert any("column colour: Unknown column" in error for error in errors), errors


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_the_caps_apply_with_every_delimiter(settings, delimiter):
    settings.COLLECTION_IMPORT_MAX_ROWS = 2
    settings.COLLECTION_IMPORT_MAX_CELL_CHARS = 50
    settings.COLLECTION_IMPORT_MAX_COLUMNS = 3
    head = delimiter.join(["identifier", "title_en"]) + "\n"
    assert "more than 2 rows" in refusal((head + "".join(f"t-{n}{delimiter}T\n" for n in range(3))).encode())
    assert "column title_en: the cell has 60 characters; at most 50" in refusal(
        (head + f't-1{delimiter}"{"a" * 60}"\n').encode())
    wide = delimiter.join(["identifier", "kind", "status", "title_en"]) + "\n"
    assert "more than 3 columns" in refusal(wide.encode())


def test_seed_sheets_are_read_with_the_same_delimiters():
    assert csv_io.read_csv("identifier;name_ru\nplace-1;Москва\n") == [
        (2, {"identifier": "place-1", "name_ru": "Москва"})]


def test_export_still_writes_commas():
    assert csv_io.write_csv([{"identifier": "t-1", "title_en": "a;b\tc"}], ["identifier", "title_en"]) == (
        codecs.BOM_UTF8 + b"identifier,title_en\r\nt-1,a;b\tc\r\n")


@pytest.mark.django_db
def test_the_admin_imports_excel_unicode_text(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, "records.txt", codecs.BOM_UTF16_LE + UNICODE_TEXT.encode("utf-16-le"))
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
    client.post(job_url(job), {"fingerprint": job.fingerprint})
    assert Title.objects.get(record__identifier="test-1", language="ja").text == "髙橋の手記"


# 4. The problems file is named after the upload ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "download"), [("bad2.csv", "bad2-errors.csv"), ("book.v2.xlsx", "book.v2-errors.csv"),
                                                ("noextension", "noextension-errors.csv")])
def test_the_problems_file_is_named_after_the_upload(dana, login, name, download):  # noqa: F811
    client = login(dana)
    upload(client, name, b"identifier,kind\n,memoir\n")
    job = ImportJob.objects.get()
    response = client.get(reverse("admin:collection_record_import_errors", args=[job.token]))
    assert response["Content-Disposition"] == f'attachment; filename="{download}"'


# 5. A stale preview does not blame the file --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_preview_says_the_catalogue_changed_not_that_the_file_is_wrong(dana, login):  # noqa: F811
    record = RecordFactory(identifier="test-1", kind="memoir", status=Status.DRAFT, title="Old", title__language="en")
    client = login(dana)
    upload(client, "records.csv", b"identifier,kind,status,title_en\ntest-1,memoir,draft,From the file\n")
    job = ImportJob.objects.get()
    record.refresh_from_db()
    record.date_display = "edited meanwhile"
    record.save()
    page = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True).content.decode()
    assert "The catalogue changed after the preview" in page
    assert "preview the file again to see what importing it would do now" in page
    assert "Correct the file" not in page
    assert page.count("The catalogue changed after the preview (") == 1
    # Seen again later, the page still says so.
    again = client.get(job_url(job)).content.decode()
    assert "preview the file again to see what importing it would do now" in again and "Correct the file" not in again


# 6. A file name starting a message is shown as given -----------------------------------------------------------


@pytest.mark.django_db
def test_the_success_message_keeps_the_file_name_as_given_in_japanese(dana, login):  # noqa: F811
    client = login(dana)
    upload(client, "ja_upd.csv", b"identifier,kind,status,title_en\ntest-1,memoir,draft,T\n")
    job = ImportJob.objects.get()
    page = client.post(job_url(job), {"fingerprint": job.fingerprint}, follow=True,
                       HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert Record.objects.filter(identifier="test-1").exists()
    assert "Ja_upd.csv" not in page
    assert "ja_upd.csv”" in page or "ja_upd.csv」" in page


# 7. The form and the refusal state the same size limit ---------------------------------------------------------


@pytest.mark.django_db
def test_the_form_and_the_refusal_state_the_same_limit(dana, login, settings):  # noqa: F811
    client = login(dana)
    assert "at most 50 MB)" in client.get(reverse(IMPORT_URL)).content.decode()
    settings.COLLECTION_IMPORT_MAX_BYTES = 1_000_000
    page = upload(client, "big.csv", b"identifier\n" + b"x\n" * 500_000).content.decode()
    assert "at most 1 MB)" in page
    assert "larger than the 1 MB allowed" in page
    assert not ImportJob.objects.exists()
