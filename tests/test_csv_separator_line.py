"""A CSV file whose first line is ``sep=;``: Excel's way of naming a file's separator, read as Excel reads it.

Excel takes the line as the separator's name and hides it: the column names are row 1 on its screen, so
row numbers in messages are the rows Excel shows, one less than the lines of the file.
"""

from __future__ import annotations

import codecs
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from collection.catalogue import csv_io
from collection.catalogue.files import FileRefused, read_table
from collection.models import ImportJob, ImportJobStatus, Record

from .roles import dana, login  # noqa: F401 - fixtures

ROWS = [["identifier", "kind", "status", "title_ru", "title_en"],
        ["test-1", "memoir", "draft", "Воспоминания", "Semi;colon, comma|bar"],
        ["test-2", "document", "draft", "Документ", "Plain"]]


def sheet(separator: str, rows: list[list[str]] = ROWS) -> str:
    """The rows as Excel writes them with ``separator``, any cell holding it quoted, after a ``sep=`` line."""
    def cell(text: str) -> str:
        return f'"{text}"' if separator in text or "," in text or ";" in text or "|" in text else text

    return f"sep={separator}\r\n" + "".join(separator.join(map(cell, row)) + "\r\n" for row in rows)


def refusal(data: bytes, **options) -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, **options)
    return str(caught.value)


@pytest.mark.parametrize("separator", [";", ",", "\t", "|"], ids=["semicolon", "comma", "tab", "bar"])
def test_the_line_names_the_separator_and_is_not_a_row(separator):
    table = read_table(sheet(separator).encode(), name="sheet.csv")
    assert table.header == ROWS[0]
    assert dict(table.records()) == {
        2: dict(zip(ROWS[0], ROWS[1], strict=True)),
        3: dict(zip(ROWS[0], ROWS[2], strict=True)),
    }


@pytest.mark.parametrize(("encode", "encoding"), [
    (lambda text: text.encode("utf-8"), None),
    (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), None),
    (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), None),
    (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8"),
    (lambda text: text.encode("cp1251"), "cp1251"),
    (lambda text: text.replace("Воспоминания", "髙橋①の手記").replace("Документ", "文書").encode("cp932"), "cp932"),
], ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-8-bom-named", "cp1251", "cp932"])
def test_the_line_is_read_in_every_encoding_and_after_a_byte_order_mark(encode, encoding):
    table = read_table(encode(sheet(";")), name="sheet.csv", encoding=encoding)
    assert table.header == ROWS[0]
    rows = dict(table.records())
    assert sorted(rows) == [2, 3]
    assert rows[2]["title_en"] == "Semi;colon, comma|bar"
    assert rows[3]["identifier"] == "test-2"


def test_the_line_may_be_written_in_capitals_and_end_in_a_line_feed():
    assert read_table(b"SEP=|\nidentifier|title_en\ntest-1|x\n").header == ["identifier", "title_en"]


@pytest.mark.parametrize(("line", "named"), [("sep=:", "“:”"), ("sep=;;", "“;;”"), ("sep=", "no separator")],
                         ids=["colon", "two-characters", "nothing"])
def test_an_unknown_separator_is_refused_naming_line_1(line, named):
    message = refusal(f"{line}\r\nidentifier:title_en\r\ntest-1:x\r\n".encode())
    assert message.startswith("Line 1 of the file")
    assert named in message
    assert "sep=;" in message  # what to write instead


def test_a_file_of_only_the_line_is_empty():
    assert "The file is empty" in refusal(b"sep=;\r\n")


def test_problems_name_the_rows_excel_shows():
    # Line 4 of the file is row 3 in Excel, which hides the sep= line.
    message = refusal(b'sep=;\nidentifier;title_en\ntest-1;ok\ntest-2;"broken"x\n')
    assert message.startswith("row 3, column title_en:")
    message = refusal(b"sep=;\nCatalogue of 1946\nidentifier;title_en\ntest-1;x\n")
    assert message.startswith("row 2: this row names the columns")


@pytest.mark.django_db
def test_a_byte_that_cannot_be_read_is_named_by_the_row_excel_shows(dana, login):  # noqa: F811
    # Japanese and Russian have one word for a line and a row (行, строка): the line of the bad byte is
    # numbered as Excel numbers the rows, without the sep= line it hides.
    data = "sep=;\nidentifier;title_ja\ntest-1;髙橋\n".encode("cp932")
    assert "on line 2)" in refusal(data)
    assert "on line 2 cannot be read" in refusal(data, encoding="utf-8")
    assert "on line 2)" in refusal(data.removeprefix(b"sep=;\n"))  # the same row as without the line
    client = login(dana)
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("目録.csv", data)}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "（2 行目のバイト 0x" in ImportJob.objects.get().errors_in("ja")[0]


@pytest.mark.django_db
def test_the_seed_reader_reads_the_line_too():
    assert csv_io.read_csv("sep=|\r\nidentifier|name_ru\r\nplace-1|Москва\r\n") == [
        (2, {"identifier": "place-1", "name_ru": "Москва"})]
    with pytest.raises(csv_io.CatalogueFileError, match="Line 1 of the file"):
        csv_io.read_csv("sep=:\nidentifier:name_ru\n")


@pytest.mark.django_db
def test_the_command_imports_a_russian_excel_file_with_the_line(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(sheet(";").encode("cp1251"))
    call_command("import_catalogue", str(path), "--encoding", "cp1251", stdout=StringIO(), stderr=StringIO())
    assert Record.objects.get(identifier="test-1").titles.get(language="ru").text == "Воспоминания"


@pytest.mark.django_db
def test_the_admin_previews_the_file_and_names_a_bad_row_as_excel_shows_it(dana, login):  # noqa: F811
    client = login(dana)
    rows = [*ROWS, ["test-3", "no-such-kind", "draft", "Третий", "Third"]]
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("catalogue.csv", sheet(";", rows).encode("cp1251")),
                 "encoding": "cp1251"})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.INVALID
    page = client.get(reverse("admin:collection_record_import_job", args=[job.token])).content.decode()
    # Row 4 in Excel (line 5 of the file): the header is row 1 there.
    assert "row 4, column kind" in page
    assert "row 5" not in page and "sep=" not in page

    ImportJob.objects.all().delete()
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("catalogue.csv", sheet(";").encode("cp1251")), "encoding": "cp1251"})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED
    assert [(entry["row"], entry["identifier"], entry["action"]) for entry in job.preview] == [
        (2, "test-1", "new"), (3, "test-2", "new")]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "said"), [
    ("ja", "ファイルの 1 行目「sep=:」はセルの区切り文字に「:」を指定していますが"),
    ("ru", "В первой строке файла, «sep=:», разделителем ячеек указан «:»"),
])
def test_an_unknown_separator_is_worded_in_the_managers_language(dana, login, language, said):  # noqa: F811
    login(dana).post(reverse("admin:collection_record_import"),
                     {"file": SimpleUploadedFile("catalogue.csv", b"sep=:\r\nidentifier:kind\r\n")},
                     HTTP_ACCEPT_LANGUAGE=language)
    message = ImportJob.objects.get().errors_in(language)[0]
    assert said in message and "sep=;" in message and "Line 1" not in message
