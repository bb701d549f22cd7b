"""Reading and writing XLSX: which sheet, what a cell's text is, and what is refused."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command

from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.xlsx_writer import write_xlsx_rows
from collection.models import Record, Title

from .factories import RecordFactory
from .xlsx_parts import number, row, text, workbook

HEADER = row(1, text("A1", "identifier"), text("B1", "title_en"))


def cells_of(data: bytes, **options) -> list[dict[str, str]]:
    return [cells for _number, cells in read_table(data, name="book.xlsx", **options).records()]


def test_the_first_sheet_is_read_not_the_active_one():
    data = workbook(("records", [HEADER, row(2, text("A2", "test-1"), text("B2", "First sheet"))]),
                    ("notes", [row(1, text("A1", "identifier")), row(2, text("A2", "from-notes"))]), active=1)
    assert cells_of(data) == [{"identifier": "test-1", "title_en": "First sheet"}]


def test_a_sheet_can_be_named_and_an_unknown_name_lists_the_sheets():
    data = workbook(("records", [HEADER]), ("более", [row(1, text("A1", "identifier")), row(2, text("A2", "x"))]))
    assert cells_of(data, sheet="более") == [{"identifier": "x"}]
    with pytest.raises(FileRefused, match="no sheet “nope”; its sheets are: records, более"):
        read_table(data, name="book.xlsx", sheet="nope")


def test_numbers_read_back_as_the_text_that_was_typed():
    data = workbook(("s", [
        row(1, text("A1", "identifier"), text("B1", "isbn"), text("C1", "sequence"), text("D1", "extent")),
        row(2, text("A2", "test-1"), number("B2", "9784000000000"), number("C2", "12"), number("D2", "1.5")),
        row(3, text("A3", "test-2"), number("B3", "9.7840000000000E+12"), number("C3", "3.0000000000000004"),
            number("D3", "0.1")),
    ]))
    first, second = cells_of(data)
    assert first == {"identifier": "test-1", "isbn": "9784000000000", "sequence": "12", "extent": "1.5"}
    assert second["isbn"] == "9784000000000"  # never 9.784E+12 or 9784000000000.0
    assert second["sequence"] == "3"
    assert second["extent"] == "0.1"


@pytest.mark.parametrize(("serial", "expected"), [
    ("16672", "1945-08-23"),
    ("59", "1900-02-28"),
    ("61", "1900-03-01"),  # after Excel's phantom 29 February 1900, no shift
    ("1", "1900-01-01"),
    ("16672.5", "1945-08-23T12:00:00"),
])
def test_date_cells_read_back_as_iso_dates(serial, expected):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", serial, style=1))]))
    assert cells_of(data)[0]["date"] == expected


def test_dates_of_a_1904_workbook():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", "15210", style=1))]), date1904=True)
    assert cells_of(data)[0]["date"] == "1945-08-23"


def test_the_phantom_29_february_1900_is_an_error_naming_the_cell():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", "60", style=1))]))
    with pytest.raises(FileRefused, match=r"row 2, column B \(date\): 29 February 1900 does not exist"):
        read_table(data, name="book.xlsx")


# LibreOffice counts days from 30 December 1899 for every date, so its serials before 1 March 1900 are one
# less than Excel's and reach back past 1900 (these are the serials LibreOffice 7.4 writes for these dates).
@pytest.mark.parametrize(("serial", "expected"), [
    ("16672", "1945-08-23"),
    ("61", "1900-03-01"),
    ("60", "1900-02-28"),
    ("59", "1900-02-27"),
    ("2", "1900-01-01"),
    ("1", "1899-12-31"),
    ("0", "1899-12-30"),
    ("-243", "1899-05-01"),
    ("-36522", "1800-01-01"),
    ("16672.5", "1945-08-23T12:00:00"),
    ("-115858", "1582-10-15"),  # LibreOffice's calendar is the Julian one before this day
    ("-115859", "1582-10-04"),
    ("-365236", "0900-01-01"),
    ("-365235.75", "0900-01-01T06:00:00"),
    ("-693595", "0001-01-01"),
])
def test_date_cells_of_a_libreoffice_workbook_read_as_libreoffice_shows_them(serial, expected):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", serial, style=1))]), app_name="Calc")
    assert cells_of(data)[0]["date"] == expected


def test_date_cells_of_an_excel_workbook_keep_excels_count():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", "59", style=1))]), app_name="xl")
    assert cells_of(data)[0]["date"] == "1900-02-28"


@pytest.mark.django_db
def test_early_dates_of_a_csv_export_saved_as_xlsx_by_libreoffice_import_unchanged(tmp_path):
    # LibreOffice opens a CSV export with its ISO dates as date cells and writes them as serials of its count.
    RecordFactory(identifier="test-1", date_edtf="1900-02-28", accessed=datetime.date(1900, 1, 1))
    header = row(1, text("A1", "identifier"), text("B1", "date"), text("C1", "accessed"))
    path = tmp_path / "resaved.xlsx"
    path.write_bytes(workbook(("s", [header, row(2, text("A2", "test-1"), number("B2", "60", style=1),
                                                 number("C2", "2", style=1))]), app_name="Calc"))
    out = io.StringIO()
    call_command("import_catalogue", str(path), stdout=out, stderr=io.StringIO())
    assert "0 new, 0 updated, 1 unchanged" in out.getvalue()
    record = Record.objects.get(identifier="test-1")
    assert (record.date_edtf, record.accessed) == ("1900-02-28", datetime.date(1900, 1, 1))


def test_formulas_without_a_saved_value_merged_cells_and_error_values_are_errors_naming_cells():
    data = workbook(("s", [
        row(1, text("A1", "identifier"), text("B1", "title_en"), text("C1", "extent")),
        row(2, text("A2", "test-1"), '<c r="B2"><f>CONCAT("a","b")</f></c>', text("C2", "x")),
        row(3, text("A3", "test-2"), text("B3", "merged"), ""),
        row(4, text("A4", "test-3"), '<c r="B4" t="e"><v>#REF!</v></c>', text("C4", "y")),
    ]), merges=["B3:C3"])
    with pytest.raises(FileRefused) as caught:
        read_table(data, name="book.xlsx")
    problems = [str(problem) for problem in caught.value.problems]
    assert problems[0].startswith("row 2, column B (title_en): a formula with no saved value")
    assert problems[1].startswith("row 3, column B (title_en): the cells B3:C3 are merged")
    assert problems[2] == "row 4, column B (title_en): the spreadsheet shows the error #REF! here."


def test_a_formula_with_a_saved_value_reads_as_that_value():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"),
                                       '<c r="B2" t="str"><f>CONCAT("Test ","title")</f><v>Test title</v></c>')]))
    assert cells_of(data)[0]["title_en"] == "Test title"


def test_text_that_looks_like_a_formula_is_read_as_written():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), text("B2", "=1+2"))]))
    assert cells_of(data)[0]["title_en"] == "=1+2"


def test_the_formula_guard_a_csv_export_saved_as_xlsx_keeps_is_stripped_as_from_a_csv_cell():
    # A spreadsheet shows the ' of a CSV export's "'=1+1" as text, and an XLSX saved from it keeps it there.
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), text("B2", "'=1+1")),
                           row(3, text("A3", "test-2"), text("B3", "''-3")),
                           row(4, text("A4", "test-3"), text("B4", "'hello"))]))
    assert [cells["title_en"] for cells in cells_of(data)] == ["=1+1", "'-3", "'hello"]


def test_text_starting_with_a_quote_before_a_formula_character_gets_a_second_quote_and_reads_back_as_it_was():
    values = ["'=1+1", "''@x", "'hello", "=1+1", "-3"]
    out = io.BytesIO()
    write_xlsx_rows([["identifier", "title_en"], *(["test-1", value] for value in values)], out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert [cell.value for cell in sheet["B"][1:]] == ["''=1+1", "'''@x", "'hello", "=1+1", "-3"]
    assert [cells["title_en"] for cells in cells_of(out.getvalue())] == values


def test_cells_outside_the_header_are_errors():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), text("B2", "x"), text("D2", "stray"))]))
    with pytest.raises(FileRefused, match="row 2, column D: this cell is outside the columns"):
        read_table(data, name="book.xlsx")


def test_write_xlsx_rows_writes_text_cells_with_the_quote_prefix_for_formula_like_text():
    out = io.BytesIO()
    write_xlsx_rows([["identifier", "title_en", "extent"], ["test-1", "=HYPERLINK(\"x\")", "1946"],
                     ["test-2", "", "-"]], out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    formula_like, numeric_looking, dash = sheet["B2"], sheet["C2"], sheet["C3"]
    assert formula_like.value == '=HYPERLINK("x")' and formula_like.data_type == "s" and formula_like.quotePrefix
    assert numeric_looking.value == "1946" and numeric_looking.data_type == "s" and not numeric_looking.quotePrefix
    assert dash.quotePrefix
    assert sheet["B3"].value is None


@pytest.mark.django_db
def test_xlsx_round_trip_is_stable(tmp_path):
    RecordFactory(identifier="test-1", kind="memoir", title="テスト <script>x</script>", title__language="ja")
    RecordFactory(identifier="test-2", kind="document", title="=SUM(1,2)", title__language="en")
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    call_command("export_catalogue", str(first), stderr=io.StringIO())
    call_command("import_catalogue", str(first), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("export_catalogue", str(second), stderr=io.StringIO())

    def sheet_xml(path):
        with zipfile.ZipFile(path) as archive:
            return archive.read("xl/worksheets/sheet1.xml")

    assert sheet_xml(first) == sheet_xml(second)
    # The whole file, byte for byte: no time of export in the workbook's properties or the archive.
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms:created" not in archive.read("docProps/core.xml")
        assert b"dcterms:modified" not in archive.read("docProps/core.xml")
    assert Title.objects.get(record__identifier="test-2").text == "=SUM(1,2)"
    assert Record.objects.count() == 2


@pytest.mark.django_db
def test_csv_round_trip_is_byte_stable(tmp_path):
    RecordFactory(identifier="test-1", kind="memoir", title="テスト <script>x</script>", title__language="ja")
    RecordFactory(identifier="test-2", kind="document", title="=SUM(1,2)", title__language="en")
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    call_command("export_catalogue", str(first), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import_catalogue", str(first), stdout=out, stderr=io.StringIO())
    call_command("export_catalogue", str(second), stderr=io.StringIO())
    assert first.read_bytes() == second.read_bytes()
    for kind in ("document", "memoir"):  # re-importing its own export changes nothing
        assert f"{kind}: 0 new, 0 updated, 1 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_import_command_reads_cp932_with_encoding_and_xlsx_sheets(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("identifier,kind,status,title_ja\ntest-1,memoir,draft,髙橋①\n".encode("cp932"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Record.objects.exists()
    call_command("import_catalogue", str(path), "--encoding", "cp932", stdout=io.StringIO(), stderr=io.StringIO())
    assert Title.objects.get(record__identifier="test-1", language="ja").text == "髙橋①"

    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook(("first", [HEADER]), ("second", [
        row(1, text("A1", "identifier"), text("B1", "kind"), text("C1", "status"), text("D1", "title_en")),
        row(2, text("A2", "test-2"), text("B2", "memoir"), text("C2", "draft"), text("D2", "From sheet two"))])))
    call_command("import_catalogue", str(book), "--sheet", "second", stdout=io.StringIO(), stderr=io.StringIO())
    assert Title.objects.get(record__identifier="test-2").text == "From sheet two"


@pytest.mark.django_db
def test_import_command_shows_its_progress(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("identifier,kind,status,title_en\n" + "".join(
        f"test-{n},memoir,draft,Test {n}\n" for n in range(3)), encoding="utf-8")
    err = io.StringIO()
    call_command("import_catalogue", str(path), "--progress", stdout=io.StringIO(), stderr=err)
    assert "Reading rows.csv done in" in err.getvalue()
    assert "Checking and writing 3 rows done in" in err.getvalue()


@pytest.mark.django_db
def test_derive_romanizations_draws_a_progress_bar():
    RecordFactory(identifier="test-1", title="Тестовая запись", title__language="ru")
    err = io.StringIO()
    call_command("derive_romanizations", "--progress", stdout=io.StringIO(), stderr=err)
    assert "100% 1/1" in err.getvalue()
