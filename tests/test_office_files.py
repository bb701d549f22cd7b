"""Catalogue files as LibreOffice Calc writes them, imported as a catalogue manager would.

The files in tests/data/office/ were written by LibreOffice (its README says which version and how); these
tests only read them, so they need no LibreOffice.
"""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.writer import write_rows
from collection.models import Record

OFFICE = Path(__file__).parent / "data" / "office"
LONG_TEXT = ("The camp newspaper Nihon Shimbun, printed in Khabarovsk for the prisoners, is quoted at length; "
             "the memoir follows the author from Mukden to Kansk and back to Maizuru. ") * 25


def cells_of(name: str, **options) -> dict[str, dict[str, str]]:
    """Each row's non-empty cells, by identifier."""
    table = read_table((OFFICE / name).read_bytes(), name=name, **options)
    return {cells["identifier"]: {column: text for column, text in cells.items() if text}
            for _number, cells in table.records()}


def run_import(name: str, *options: str) -> list[str]:
    out = StringIO()
    call_command("import_catalogue", str(OFFICE / name), *options, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def refused_import(name: str, *options: str) -> tuple[str, str]:
    """The import's refusal (the command's error) and what it printed of each problem."""
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalogue", str(OFFICE / name), *options, stdout=StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def titles(identifier: str) -> dict[str, str]:
    return dict(Record.objects.get(identifier=identifier).titles.values_list("language", "text"))


def descriptions(identifier: str) -> dict[str, str]:
    return dict(Record.objects.get(identifier=identifier).descriptions.values_list("language", "text"))


# XLSX saved by LibreOffice ------------------------------------------------------------------------------------


def test_an_xlsx_workbook_reads_as_the_cells_show_their_values():
    rows = cells_of("records.xlsx")
    assert rows["office-ja-1"] == {
        "identifier": "office-ja-1", "kind": "memoir", "status": "draft",
        "title_ja": "髙橋①の抑留記",
        "title_en": "  Notes of Takahashi  ",  # as typed; the writer trims it
        "description_en": LONG_TEXT.strip(),
        "date": "1946-03-15",  # a date cell (serial 16876), shown as 1946-03-15
        "date_display": "昭和21年3月15日",
        "isbn": "9784000000000",  # a number cell: never 9.784E+12 or 9784000000000.0
        "sequence": "3",  # the value LibreOffice saved for =1+2
        "accessed": "2010-12-31",  # a date cell shown as 2010年12月31日 ([$-411]yyyy\年m\月d\日)
        "authors": "髙橋 一郎",
    }
    assert rows["office-ru-1"] == {
        "identifier": "office-ru-1", "kind": "document", "status": "draft",
        "title_ru": "Записки военнопленного",
        "description_ru": "Первая строка описания\nВторая строка, с запятой; и точкой с запятой",
        "date": "1950",  # a year typed as a number
        "isbn": "978-5-00-000000-7",
        "accessed": "2011-01-05",  # a date cell shown as 05.01.2011 ([$-419]dd/mm/yyyy: / is the locale's separator)
        "authors": "Тестов, И.И.",
    }
    assert rows["office-mixed-1"] == {
        "identifier": "office-mixed-1", "kind": "document", "status": "draft",
        "title_ja": "抑留", "title_ru": "Плен",
        "title_en": "Captivity notes",  # the text LibreOffice saved for =CONCATENATE("Captivity";" notes")
        "date": "1945-08-23",  # a date cell shown in the Japanese era, 昭和20年8月23日 ([$-1030411]ggge\年m\月d\日)
    }


@pytest.mark.django_db
def test_the_first_sheet_is_read_and_the_second_only_when_named():
    assert list(cells_of("records.xlsx")) == ["office-ja-1", "office-ru-1", "office-mixed-1"]
    notes = read_table((OFFICE / "records.xlsx").read_bytes(), name="records.xlsx", sheet="notes")
    assert (notes.sheet, notes.header, list(notes.records())) == (
        "notes", ["note"], [(2, {"note": "Catalogued by the Kansk group, March 2024."})])
    message, problems = refused_import("records.xlsx", "--sheet", "notes")
    assert problems.splitlines() == [
        "row 1, column identifier: The identifier column is missing, so the rows were not checked: without it, "
        "which record a row means is not known.",
        "row 1, column note: Unknown column."]
    assert message == "2 problem(s) in records.xlsx; nothing was written."


@pytest.mark.django_db
def test_an_xlsx_workbook_previews_then_imports_what_it_shows():
    summary = ["document: 2 new, 0 updated, 0 unchanged", "memoir: 1 new, 0 updated, 0 unchanged"]
    preview = run_import("records.xlsx", "--dry-run")
    assert preview[0] == "Dry run: nothing was written."
    assert preview[1:3] == summary
    assert not Record.objects.exists()

    assert run_import("records.xlsx")[:2] == summary
    record = Record.objects.get(identifier="office-ja-1")
    assert titles("office-ja-1") == {"ja": "髙橋①の抑留記", "en": "Notes of Takahashi"}
    assert descriptions("office-ja-1") == {"en": LONG_TEXT.strip()}
    assert (record.date_edtf, record.isbn, record.sequence, record.accessed) == (
        "1946-03-15", "9784000000000", 3, datetime.date(2010, 12, 31))
    assert [agent.display_name() for agent in record.agents_in_role("author")] == ["髙橋 一郎"]
    record = Record.objects.get(identifier="office-ru-1")
    assert descriptions("office-ru-1") == {"ru": "Первая строка описания\nВторая строка, с запятой; и точкой с запятой"}
    assert (record.date_edtf, record.accessed) == ("1950", datetime.date(2011, 1, 5))
    assert Record.objects.get(identifier="office-mixed-1").date_edtf == "1945-08-23"

    # The same workbook again changes nothing.
    assert run_import("records.xlsx") == ["document: 0 new, 0 updated, 2 unchanged",
                                          "memoir: 0 new, 0 updated, 1 unchanged"]


def test_a_merged_cell_and_an_error_value_are_refused_naming_the_cells():
    with pytest.raises(FileRefused) as caught:
        read_table((OFFICE / "refused.xlsx").read_bytes(), name="refused.xlsx")
    assert str(caught.value).splitlines() == [
        "row 3, column B (kind): the cells B3:C3 are merged; unmerge them so that each cell holds its own value.",
        "row 4, column E (sequence): the spreadsheet shows the error #DIV/0! here.",
    ]


@pytest.mark.django_db
def test_a_refused_workbook_writes_nothing_not_even_its_good_row():
    message, _problems = refused_import("refused.xlsx")
    assert message.startswith("refused.xlsx: row 3, column B (kind): the cells B3:C3 are merged")
    assert "row 4, column E (sequence): the spreadsheet shows the error #DIV/0! here." in message
    assert not Record.objects.exists()


# CSV saved by LibreOffice -------------------------------------------------------------------------------------

CSV_ROWS = {
    "office-ja-1": {
        "identifier": "office-ja-1", "kind": "memoir", "status": "draft", "title_ja": "髙橋①の抑留記",
        "title_en": "  Notes of Takahashi  ", "date": "1946-03-15", "isbn": "9784000000000", "sequence": "3",
        "authors": "髙橋 一郎",
    },
    "office-ru-1": {
        "identifier": "office-ru-1", "kind": "document", "status": "draft", "title_ru": "Записки военнопленного",
        "description_ru": "Первая строка описания\nВторая строка, с запятой; и \"кавычками\"", "date": "1950",
        "isbn": "978-5-00-000000-7", "authors": "Тестов, И.И.",
    },
}


@pytest.mark.parametrize(("name", "encoding"), [
    ("records-utf8.csv", None),  # LibreOffice 7.4 writes UTF-8 without a byte-order mark
    ("records-utf8-semicolon.csv", None),
    ("records-utf16-tab.csv", None),  # with a byte-order mark, little-endian
    ("records-cp932.csv", "cp932"),
    ("records-cp932.csv", "shift_jis"),
])
def test_a_csv_file_reads_as_the_cells_showed_in_every_encoding_and_delimiter(name, encoding):
    assert cells_of(name, encoding=encoding) == CSV_ROWS


def test_a_shift_jis_file_without_its_encoding_named_is_refused_not_misread():
    with pytest.raises(FileRefused) as caught:
        read_table((OFFICE / "records-cp932.csv").read_bytes(), name="records-cp932.csv")
    assert str(caught.value).startswith("The file is not valid UTF-8 (byte 0xfb on line 2) and has no byte-order mark")
    assert "--encoding (for example cp932 for Japanese Windows" in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "options"), [
    ("records-utf8.csv", ()),
    ("records-utf8-semicolon.csv", ()),
    ("records-utf16-tab.csv", ()),
    ("records-cp932.csv", ("--encoding", "cp932")),
])
def test_a_csv_file_imports_its_text_unchanged(name, options):
    summary = ["document: 1 new, 0 updated, 0 unchanged", "memoir: 1 new, 0 updated, 0 unchanged"]
    assert run_import(name, *options, "--dry-run")[1:3] == summary
    assert not Record.objects.exists()
    assert run_import(name, *options)[:2] == summary
    assert titles("office-ja-1") == {"ja": "髙橋①の抑留記", "en": "Notes of Takahashi"}
    record = Record.objects.get(identifier="office-ja-1")
    assert (record.date_edtf, record.isbn, record.sequence) == ("1946-03-15", "9784000000000", 3)
    assert descriptions("office-ru-1") == {"ru": "Первая строка описания\nВторая строка, с запятой; и \"кавычками\""}
    assert Record.objects.get(identifier="office-ru-1").date_edtf == "1950"


@pytest.mark.django_db
def test_a_russian_windows_1251_file_with_semicolons_imports_with_its_encoding_named():
    assert cells_of("ru-cp1251-semicolon.csv", encoding="windows-1251") == {
        "office-ru-1": {
            "identifier": "office-ru-1", "kind": "document", "status": "draft", "title_ru": "Записки военнопленного",
            "description_ru": "Первая строка описания\nВторая строка; с точкой с запятой", "date": "1950",
            "accessed": "2011-01-05", "isbn": "978-5-00-000000-7",
        },
        "office-ru-2": {
            "identifier": "office-ru-2", "kind": "memoir", "status": "draft",
            "title_ru": "Ёлка в Тайшете №2 — «воспоминания»", "date": "1946-03-15",
        },
    }
    message, _problems = refused_import("ru-cp1251-semicolon.csv")
    assert "is not valid UTF-8 (byte 0xc7 on line 2)" in message
    assert run_import("ru-cp1251-semicolon.csv", "--encoding", "cp1251")[:2] == [
        "document: 1 new, 0 updated, 0 unchanged", "memoir: 1 new, 0 updated, 0 unchanged"]
    assert titles("office-ru-2") == {"ru": "Ёлка в Тайшете №2 — «воспоминания»"}


@pytest.mark.django_db
def test_a_date_as_a_russian_locale_shows_it_is_refused_naming_its_cell():
    # A CSV holds what the cells show: a date cell formatted DD.MM.YYYY is written 15.03.1946.
    message, problems = refused_import("ru-dates-cp1251-semicolon.csv", "--encoding", "cp1251")
    assert problems.splitlines()[0] == ("row 2, column date: “15.03.1946” is not written as an EDTF date, which "
                                        "gives the year first: write 1946-03-15.")
    assert message == "1 problem(s) in ru-dates-cp1251-semicolon.csv; nothing was written."
    assert not Record.objects.exists()


# The app's own export, opened and saved again in LibreOffice ----------------------------------------------------


@pytest.fixture
def exported_catalogue(db):
    """The catalogue the round-trip files were exported from (their records, as the export wrote them)."""
    table = read_table((OFFICE / "roundtrip" / "export.csv").read_bytes(), name="export.csv")
    result = write_rows(table.records(), header=table.header)
    assert result.ok, result.errors


def row_changes(name: str, folder: str = "roundtrip") -> dict[str, dict[str, tuple[str, str]]]:
    """What importing the file would change, by identifier (a dry run)."""
    table = read_table((OFFICE / folder / name).read_bytes(), name=name)
    result = write_rows(table.records(), header=table.header, dry_run=True)
    assert result.ok, result.errors
    assert sum(result.created.values()) == 0
    return {change.identifier: change.fields for change in result.changes if change.action != "unchanged"}


@pytest.mark.parametrize("name", ["export.csv", "export.xlsx", "export-xlsx-resaved.xlsx",
                                  "export-xlsx-resaved.csv"])
def test_an_export_and_an_xlsx_export_saved_again_by_libreoffice_import_unchanged(exported_catalogue, name):
    assert row_changes(name) == {}


# Opening a CSV, LibreOffice reads every cell that looks like a number as a number (with its default options,
# also those of its dialog): what the file held as text comes back as the number's text.
NUMBERS_READ_FROM_TEXT = {
    "rt-tricky-1": {"volume": ("1e5", "100000"), "issue": ("007", "7"), "pages": ("0012", "12"),
                    "extent": ("1.50", "1.5"), "reference_delo": ("007", "7")},
    "rt-tricky-2": {"volume": ("3.0", "3"), "staff_notes": ("1234567890123456789", "1.23456789012346E+018")},
}


def test_a_csv_export_saved_again_by_libreoffice_changes_only_the_text_it_took_for_numbers(exported_catalogue):
    assert row_changes("export-csv-resaved.csv") == NUMBERS_READ_FROM_TEXT


def test_a_csv_export_saved_as_xlsx_by_libreoffice_keeps_formula_like_text_as_it_was(exported_catalogue):
    # The ' that guards "=1+1" in the CSV is text in the sheet LibreOffice opens and in the XLSX it saves;
    # the import strips it there as from a CSV cell. What differs is what LibreOffice took for numbers.
    numbers = {identifier: dict(fields) for identifier, fields in NUMBERS_READ_FROM_TEXT.items()}
    numbers["rt-tricky-2"]["staff_notes"] = ("1234567890123456789", "1234567890123460000")  # the number's digits
    assert row_changes("export-csv-resaved.xlsx") == numbers


# An identifier of digits with leading zeros comes back without them: as a new identifier it would make a second
# record of the first. The bytes are what LibreOffice writes for an exported row with identifier 00123.
LEADING_ZEROS_DROPPED = b"identifier,kind,status,title_en\n123,document,draft,Test record\n"


@pytest.mark.django_db
def test_an_identifier_that_lost_its_leading_zeros_is_refused_not_made_a_second_record(tmp_path):
    write_rows([(2, {"identifier": "00123", "kind": "document", "title_en": "Test record"})])
    path = tmp_path / "resaved.csv"
    path.write_bytes(LEADING_ZEROS_DROPPED)
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_catalogue", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("row 2, column identifier: “123” is a new identifier, but the catalogue has "
                                     "“00123”")
    assert list(Record.objects.values_list("identifier", flat=True)) == ["00123"]


@pytest.mark.django_db
def test_an_identifier_of_digits_without_a_padded_twin_is_new():
    write_rows([(2, {"identifier": "00123", "kind": "document", "title_en": "Test record"})])
    result = write_rows([(2, {"identifier": "124", "kind": "document", "title_en": "Test record"}),
                         (3, {"identifier": "0123", "kind": "document", "title_en": "Test record"})])
    assert result.ok, result.errors
    assert sorted(Record.objects.values_list("identifier", flat=True)) == ["00123", "0123", "124"]


@pytest.mark.django_db
def test_a_vocabulary_identifier_that_lost_its_leading_zeros_is_refused_too():
    first = write_vocabulary("subjects", [(2, {"identifier": "00123", "name_en": "Test subject"})])
    assert first.ok, first.errors
    result = write_vocabulary("subjects", [(2, {"identifier": "123", "name_en": "Test subject"})], dry_run=True)
    assert [(error.row, error.column) for error in result.errors] == [(2, "identifier")]
    assert "but the catalogue has “00123”" in result.errors[0].message


# The same with "Detect special numbers" ticked, as Excel always reads a CSV -------------------------------------


@pytest.fixture
def dated_catalogue(db):
    """The catalogue the files of dates/ were exported from."""
    table = read_table((OFFICE / "dates" / "export.csv").read_bytes(), name="export.csv")
    result = write_rows(table.records(), header=table.header)
    assert result.ok, result.errors


def test_text_a_spreadsheet_took_for_dates_comes_back_as_an_update_nobody_asked_for(dated_catalogue):
    # Free text, so nothing tells the import that "01/02/26" is not an issue number: the rows are reported as
    # updated, old → new, like any edit, and written if confirmed. The EDTF date, shown as LibreOffice reads it,
    # comes back as it was; so do 昭和21年3月15日, 1-2 and 131-148.
    assert row_changes("export-csv-resaved.csv", "dates") == {
        "dt-en-1": {"date_display": ("August 23, 1945", "08/23/45"), "issue": ("1/2", "01/02/26"),
                    "pages": ("3/4", "03/04/26")},
    }


def test_an_xlsx_export_saved_again_as_csv_keeps_the_texts_that_look_like_dates(dated_catalogue):
    assert row_changes("export-xlsx-resaved.csv", "dates") == {}


@pytest.mark.parametrize(("column", "was", "now"), [
    ("date_display", "August 23, 1945", "1945-08-23"), ("issue", "1/2", "2026-01-02")])
def test_a_date_in_a_free_text_column_is_taken_as_an_edit(db, column, was, now):
    write_rows([(2, {"identifier": "dt-1", "kind": "document", "title_en": "Test", column: was})])
    result = write_rows([(2, {"identifier": "dt-1", column: now})], dry_run=True)
    assert result.ok and result.errors == []
    assert [change.fields for change in result.changes] == [{column: (was, now)}]


@pytest.mark.parametrize(("date", "problem"), [
    ("8/23/1945", "is not a valid EDTF date"), ("1945/8/23", "write 1945-08-23")])
def test_the_edtf_date_turned_into_a_local_date_is_refused(db, date, problem):
    write_rows([(2, {"identifier": "dt-1", "kind": "document", "title_en": "Test", "date": "1945-08-23"})])
    result = write_rows([(2, {"identifier": "dt-1", "date": date})], dry_run=True)
    assert [(error.column, problem in error.message) for error in result.errors] == [("date", True)]


# A Japanese manager's sheet: the catalogue first, another sheet active, the identifier column hidden ----------

JA_SHEET_ROWS = {
    "office-ja-2": {
        "identifier": "office-ja-2", "kind": "memoir", "status": "draft", "title_ja": "テスト抑留記①髙",
        "title_en": "=1+1",  # text typed as '=1+1: a string cell, never a formula
        "description_ja": "一行目\n二行目（テスト）",
        "date": "1946-05-01",  # a date cell shown as 1946/05/01 ([$-411]yyyy/mm/dd)
        "date_display": "昭和21年5月1日",
        "isbn": "9784000000000",  # a number cell in General format
        "call_number": "00123",  # the number 123 in a cell formatted 00000, shown 00123
        "reference_delo": "007",  # typed in a cell formatted as text (@)
        "extent": "1.50",  # the number 1.5 in a cell formatted 0.00, shown 1.50
        "accessed": "2024-03-05",  # a date cell shown as 2024/03/05
    },
    "office-ja-3": {
        "identifier": "office-ja-3", "kind": "document", "status": "draft", "title_ja": "テスト文書",
        "date": "1900-02-28",  # LibreOffice's serial 60, which in Excel's count is the 29 February 1900 that never was
    },
    "00042": {"identifier": "00042", "kind": "document", "status": "draft", "title_ja": "テスト番号"},  # 42, as 00000
}


def test_a_japanese_workbook_reads_its_first_sheet_as_its_cells_show_them():
    # The workbook was saved with its second sheet, メモ, active and the identifier column hidden.
    table = read_table((OFFICE / "ja-sheet.xlsx").read_bytes(), name="ja-sheet.xlsx")
    assert table.sheet == "目録"
    assert cells_of("ja-sheet.xlsx") == JA_SHEET_ROWS


def test_the_same_sheet_saved_as_shift_jis_csv_holds_the_same_text_but_its_dates_as_shown():
    rows = cells_of("ja-sheet-cp932.csv", encoding="cp932")
    expected = {identifier: dict(cells) for identifier, cells in JA_SHEET_ROWS.items()}
    expected["office-ja-2"].update(date="1946/05/01", accessed="2024/03/05")
    expected["office-ja-3"].update(date="1900/02/28")
    assert rows == expected


@pytest.mark.django_db
def test_a_japanese_workbook_imports_the_identifiers_and_numbers_its_cells_show():
    assert run_import("ja-sheet.xlsx")[:2] == ["document: 2 new, 0 updated, 0 unchanged",
                                               "memoir: 1 new, 0 updated, 0 unchanged"]
    assert sorted(Record.objects.values_list("identifier", flat=True)) == ["00042", "office-ja-2", "office-ja-3"]
    record = Record.objects.get(identifier="office-ja-2")
    assert (record.date_edtf, record.isbn, record.call_number, record.reference_delo, record.extent) == (
        "1946-05-01", "9784000000000", "00123", "007", "1.50")
    assert titles("office-ja-2") == {"ja": "テスト抑留記①髙", "en": "=1+1"}
    assert Record.objects.get(identifier="office-ja-3").date_edtf == "1900-02-28"
    # The same workbook again, and the same sheet saved as CSV with its dates as ISO text, change nothing.
    assert run_import("ja-sheet.xlsx")[:2] == ["document: 0 new, 0 updated, 2 unchanged",
                                               "memoir: 0 new, 0 updated, 1 unchanged"]


@pytest.mark.django_db
def test_the_shift_jis_csv_of_the_sheet_is_refused_for_its_slashed_dates_naming_them():
    message, problems = refused_import("ja-sheet-cp932.csv", "--encoding", "cp932")
    assert problems.splitlines() == [
        "row 2, column accessed: “2024/03/05” is not a date like 2010-12-31: write 2024-03-05.",
        "row 2, column date: “1946/05/01” is not written as an EDTF date, which gives the year first: write "
        "1946-05-01.",
        "row 3, column date: “1900/02/28” is not written as an EDTF date, which gives the year first: write "
        "1900-02-28.",
    ]
    assert message == "3 problem(s) in ja-sheet-cp932.csv; nothing was written."
    assert not Record.objects.exists()


def test_an_error_value_a_formula_left_is_refused_naming_its_cell():
    with pytest.raises(FileRefused) as caught:
        read_table((OFFICE / "ja-errors.xlsx").read_bytes(), name="ja-errors.xlsx")
    assert str(caught.value).splitlines() == [
        "row 2, column H (date_display): the spreadsheet shows the error #N/A here."]


# A Russian manager's workbook whose first sheet is a note, the catalogue the second -----------------------------


@pytest.mark.django_db
def test_a_workbook_whose_first_sheet_is_not_the_catalogue_is_refused_naming_its_sheets():
    # Лист1 holds a note under a merged title: the sheet is named, not its merged cells or unknown columns.
    message, _problems = refused_import("ru-sheet.xlsx")
    assert message == (
        "ru-sheet.xlsx: The workbook's first sheet, “Лист1”, has no identifier column, so it cannot be the sheet "
        "to import. The first sheet is read, whichever sheet was open when the file was saved; the workbook's other "
        "sheets are: каталог. Name the sheet to read with --sheet.")
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_a_workbook_whose_first_sheet_is_empty_is_refused_naming_the_sheet_that_holds_the_catalogue():
    # A new workbook's empty Sheet1, the catalogue pasted on a second sheet, 目録, the one open when saved.
    message, _problems = refused_import("empty-first-sheet.xlsx")
    assert message == (
        "empty-first-sheet.xlsx: The workbook's first sheet, “Sheet1”, has no identifier column, so it cannot be "
        "the sheet to import. The first sheet is read, whichever sheet was open when the file was saved; the "
        "workbook's other sheets are: 目録. Name the sheet to read with --sheet.")
    assert run_import("empty-first-sheet.xlsx", "--sheet", "目録")[:1] == ["document: 1 new, 0 updated, 0 unchanged"]
    assert titles("office-ja-6") == {"ja": "テスト（二枚目のシート）"}


@pytest.mark.django_db
def test_a_russian_workbook_imports_its_catalogue_sheet_named_as_its_cells_show_them():
    assert cells_of("ru-sheet.xlsx", sheet="каталог") == {"office-ru-3": {
        "identifier": "office-ru-3", "kind": "document", "status": "draft",
        "title_ru": "Тестовая запись №3 — «Ёлка»", "description_ru": "Первая строка\nВторая строка",
        "date": "1946-03-15", "accessed": "2011-01-05",  # date cells shown as 15.03.1946 and 05.01.2011
        "isbn": "9785000000007", "reference_delo": "00007",  # the number 7 in a cell formatted 00000
    }}
    assert run_import("ru-sheet.xlsx", "--sheet", "каталог")[:1] == ["document: 1 new, 0 updated, 0 unchanged"]
    record = Record.objects.get(identifier="office-ru-3")
    assert (record.date_edtf, record.accessed, record.isbn, record.reference_delo) == (
        "1946-03-15", datetime.date(2011, 1, 5), "9785000000007", "00007")
    assert titles("office-ru-3") == {"ru": "Тестовая запись №3 — «Ёлка»"}
    assert run_import("ru-sheet.xlsx", "--sheet", "каталог")[:1] == ["document: 0 new, 0 updated, 1 unchanged"]


@pytest.mark.parametrize(("shown", "expected"), [
    ("05.01.2011", "“05.01.2011” is not a date like 2010-12-31: write 2011-01-05."),  # a Russian date cell's text
    ("2011/1/5", "“2011/1/5” is not a date like 2010-12-31: write 2011-01-05."),
    ("2011年1月5日", "“2011年1月5日” is not a date like 2010-12-31: write 2011-01-05."),
    ("05/01/2011", "“05/01/2011” is not a date like 2010-12-31."),  # the day or the month first: not told
    ("2011-02-30", "“2011-02-30” is not a date like 2010-12-31."),
    # A date cell holding a time too: the day is what to write.
    ("2011-01-05T10:30:00", "“2011-01-05T10:30:00” is not a date like 2010-12-31: write 2011-01-05."),
    ("2011-01-05 10:30", "“2011-01-05 10:30” is not a date like 2010-12-31: write 2011-01-05."),
])
def test_an_accessed_date_as_a_locale_shows_it_is_refused_with_what_to_write(db, shown, expected):
    result = write_rows([(2, {"identifier": "dt-1", "kind": "document", "title_en": "Test", "accessed": shown})],
                        dry_run=True)
    assert [(error.column, error.message) for error in result.errors] == [("accessed", expected)]


@pytest.mark.django_db
def test_a_hidden_first_sheet_is_refused_not_imported_in_place_of_the_sheet_shown():
    # An old copy of the catalogue, 旧目録, hidden as the first sheet; the one edited, 目録, shown and saved active.
    message, _problems = refused_import("hidden-first-sheet.xlsx")
    assert message == (
        "hidden-first-sheet.xlsx: The workbook's first sheet, “旧目録”, is hidden, so the rows read would not be "
        "those the workbook shows. Its other sheets are: 目録. Name the sheet to read with --sheet.")
    assert not Record.objects.exists()
    assert run_import("hidden-first-sheet.xlsx", "--sheet", "目録")[:1] == ["document: 1 new, 0 updated, 0 unchanged"]
    assert titles("office-ja-7") == {"ja": "テスト（新しい版）"}
    # Named, the hidden sheet is read.
    assert cells_of("hidden-first-sheet.xlsx", sheet="旧目録")["office-ja-7"]["title_ja"] == "テスト（古い版）"


# Dates shown as a month or a year: the cell holds a day (the 1st), the sheet shows only the month or year ---------


def test_a_date_cell_shown_as_a_month_or_a_year_reads_as_that_month_or_year_not_a_day():
    dates = {identifier: cells.get("date") for identifier, cells in cells_of("month-dates.xlsx").items()}
    assert dates == {
        "office-ja-11": "1946-05",  # shown 1946年5月 ([$-411]yyyy\年m\月)
        "office-ja-12": "1946-05",  # shown 1946/05 (yyyy/mm)
        "office-ja-13": "1946",  # shown 1946 (yyyy)
        "office-ja-14": "1946-05",  # shown May 1946 ([$-409]mmmm\ yyyy)
        "office-ja-15": "1946-05-01",  # shown 1946/05/01
        "office-ja-16": "1945-08-23",
    }
    # In a column of free text, a date and time reads as the sheet shows it ([$-411]yyyy/mm/dd\ hh:mm).
    assert cells_of("month-dates.xlsx")["office-ja-16"]["date_display"] == "1945/08/23 10:30"


@pytest.mark.django_db
def test_a_month_shown_in_a_date_cell_is_catalogued_as_that_month():
    assert run_import("month-dates.xlsx")[:1] == ["memoir: 6 new, 0 updated, 0 unchanged"]
    assert Record.objects.get(identifier="office-ja-11").date_edtf == "1946-05"
    assert Record.objects.get(identifier="office-ja-13").date_edtf == "1946"
    assert run_import("month-dates.xlsx")[:1] == ["memoir: 0 new, 0 updated, 6 unchanged"]


# Date cells in columns of free text: read as the sheet shows them, as a CSV saved from the same sheet holds them --

FREE_TEXT_DATES = {
    "office-dt-1": "1946年5月1日",  # [$-411]yyyy\年m\月d\日
    "office-dt-2": "昭和20年8月23日",  # [$-1030411]ggge\年m\月d\日
    "office-dt-3": "S31.12.26",  # [$-1030411]ge\.m\.d
    "office-dt-4": "1946/5/1(水)",  # [$-411]yyyy/m/d\(ddd\)
    "office-dt-5": "1945/08/23 10:30",  # [$-411]yyyy/mm/dd\ hh:mm
    "office-dt-6": "15.03.1946",  # [$-419]dd/mm/yyyy: / is Russian's date separator, a point
    "office-dt-7": "1946-03-15",  # [$-419]d\ mmmm\ yyyy: shown 15 марта 1946, a month's name in Russian
    "office-dt-8": "August 23, 1945",  # [$-409]mmmm\ d", "yyyy
    "office-dt-9": "4-Nov-49",  # [$-409]d\-mmm\-yy
    "office-dt-10": "10:05 PM",  # [$-409]h:mm\ AM/PM
    "office-dt-11": "1946-05",  # yyyy/mm: shown 1946/05, but a / without a language is the computer's separator
    "office-dt-12": "1946-05-01",  # yyyy\-mm\-dd
    "office-dt-13": "平成1年3月1日",  # an era's first year, as LibreOffice and Excel show it
}
# Where the look depends on the computer opening the file, the cell reads as its day: a / in a format naming no
# language is the date separator of the computer's settings, and programs decline Russian months differently.
TOLD_AS_THE_DAY = {"office-dt-7", "office-dt-11"}


def test_a_date_cell_in_a_column_of_free_text_reads_as_the_sheet_shows_it():
    rows = cells_of("free-text-dates.xlsx")
    assert {identifier: cells.get("date_display") for identifier, cells in rows.items()} == {
        **FREE_TEXT_DATES, "office-dt-20": None}
    assert (rows["office-dt-20"]["issue"], rows["office-dt-20"]["staff_notes"]) == ("2-Jan-26", "1950年4月22日")
    # The same cell in the date column is the day it holds.
    assert rows["office-dt-1"]["date"] == "1946-05-01"


def test_the_xlsx_reads_as_the_csv_saved_from_the_same_sheet_where_the_file_tells_the_look():
    xlsx, csv = cells_of("free-text-dates.xlsx"), cells_of("free-text-dates-utf8.csv")
    differences = {(identifier, column): (text, csv[identifier].get(column))
                   for identifier, cells in xlsx.items() for column, text in cells.items()
                   if text != csv[identifier].get(column)}
    assert differences == {
        ("office-dt-1", "date"): ("1946-05-01", "1946年5月1日"),  # a date column: the CSV's text would be refused
        ("office-dt-7", "date_display"): ("1946-03-15", "15 марта 1946"),
        ("office-dt-11", "date_display"): ("1946-05", "1946/05"),
    }


@pytest.mark.django_db
def test_dates_typed_into_free_text_columns_are_catalogued_as_written():
    assert run_import("free-text-dates.xlsx")[:1] == ["document: 14 new, 0 updated, 0 unchanged"]
    record = Record.objects.get(identifier="office-dt-2")
    assert (record.date_display, record.date_edtf) == ("昭和20年8月23日", "")
    assert Record.objects.get(identifier="office-dt-1").date_edtf == "1946-05-01"
    record = Record.objects.get(identifier="office-dt-20")
    assert (record.issue, record.staff_notes) == ("2-Jan-26", "1950年4月22日")
