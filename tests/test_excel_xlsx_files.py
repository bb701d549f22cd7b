"""Files as Microsoft Excel writes them (not LibreOffice): each reads as the user typed it, or is refused clearly."""

from __future__ import annotations

import io
import zipfile

import pytest

from collection.catalogue.export import export_file
from collection.catalogue.files import read_table
from collection.models import Record

from .factories import RecordFactory
from .xlsx_parts import number, row, shared, text, workbook

HEADER = row(1, text("A1", "identifier"), text("B1", "title_en"))


def cells_of(data: bytes, **options) -> list[dict[str, str]]:
    return [cells for _number, cells in read_table(data, name="book.xlsx", **options).records()]


def test_a_line_break_excel_saved_as_x000d_reads_as_a_line_break_not_as_the_escape():
    # Text pasted into an Excel cell keeps its CR LF; Excel writes the CR as the escape _x000D_, in the
    # shared strings as in an inline string, and a typed "_x" as _x005F_x.
    strings = ["<t>identifier</t>", "<t>title_en</t>", '<t xml:space="preserve">Line one_x000D_\nline two</t>',
               "<t>Mail_x005F_x000D_box</t>"]
    data = workbook(("Sheet1", [
        row(1, shared("A1", 0), shared("B1", 1)),
        row(2, text("A2", "test-1"), shared("B2", 2)),
        row(3, text("A3", "test-2"), shared("B3", 3)),
        row(4, text("A4", "test-3"), '<c r="B4" t="inlineStr"><is><t>Col_x0009_umn_x000D_\nend</t></is></c>'),
        row(5, text("A5", "test-4"), '<c r="B5" t="str"><f>"A"&amp;"B"</f><v>A_x000D_\nB</v></c>'),
    ]), strings=strings)
    assert [cells["title_en"] for cells in cells_of(data)] == [
        "Line one\r\nline two", "Mail_x000D_box", "Col\tumn\r\nend", "A\r\nB"]


@pytest.mark.django_db
def test_text_that_looks_like_an_excel_escape_is_exported_so_that_excel_and_the_import_keep_it():
    RecordFactory(identifier="test-esc", title="Box _x000D_ and _x0041_")
    out = io.BytesIO()
    export_file(Record.objects.all(), out, "xlsx")
    (cells,) = cells_of(out.getvalue())
    assert cells["title_en"] == "Box _x000D_ and _x0041_"


@pytest.mark.parametrize(("code", "serial", "shown"), [
    # Japanese Excel 365's era format (和暦), which shows an era's first year as 元年.
    ('[$-ja-JP-x-gannen]ggge"年"m"月"d"日";@', "16672", "昭和20年8月23日"),
    ('[$-ja-JP-x-gannen]ggge"年"m"月"d"日";@', "43586", "令和元年5月1日"),
    ('[$-ja-JP]ggge"年"m"月"d"日";@', "43586", "令和1年5月1日"),
    ("[$-ja-JP]yyyy/m/d;@", "16672", "1945/8/23"),
    ("[$-ru-RU]dd/mm/yyyy;@", "16672", "23.08.1945"),
])
def test_a_date_in_a_free_text_column_formatted_with_a_language_tag_reads_as_excel_shows_it(code, serial, shown):
    data = workbook(("Sheet1", [
        row(1, text("A1", "identifier"), text("B1", "date_display"), text("C1", "date")),
        row(2, text("A2", "test-1"), number("B2", serial, 1), number("C2", serial, 1)),
    ]), number_formats={176: code}, cell_formats=(0, 176))
    (cells,) = cells_of(data)
    assert cells["date_display"] == shown
    assert cells["date"] == {"16672": "1945-08-23", "43586": "2019-05-01"}[serial]


def test_a_workbook_saved_as_strict_open_xml_is_refused_saying_how_to_save_it():
    from collection.catalogue.files import FileRefused

    strict = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(("Sheet1", [HEADER, row(2, text("A2", "t-1"), text("B2", "T"))])))
                         ) as source, zipfile.ZipFile(strict, "w") as archive:
        for name in source.namelist():
            # Excel's "Strict Open XML Spreadsheet" writes the same parts under the ISO standard's namespaces.
            archive.writestr(name, source.read(name).decode().replace(
                "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                "http://purl.oclc.org/ooxml/officeDocument/relationships"))
    with pytest.raises(FileRefused, match="Strict Open XML.*Excel Workbook"):
        read_table(strict.getvalue(), name="book.xlsx")
