"""Files as Microsoft Excel writes them (not LibreOffice): each reads as the user typed it, or is refused clearly."""

from __future__ import annotations

import io

import pytest

from collection.catalogue.export import export_file
from collection.catalogue.files import read_table
from collection.models import Record

from .factories import RecordFactory
from .xlsx_parts import row, shared, text, workbook

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
