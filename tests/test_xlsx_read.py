"""Reading XLSX sheets as office software writes them: shared strings, rich text, number formats, layout."""

from __future__ import annotations

import io
import zipfile

import pytest

from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.xlsx_dates import shown_date

from .xlsx_parts import number, row, shared, text, workbook

HEADER = row(1, text("A1", "identifier"), text("B1", "title_en"))
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cells_of(data: bytes, **options) -> list[dict[str, str]]:
    return [cells for _number, cells in read_table(data, name="book.xlsx", **options).records()]


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(FileRefused) as caught:
        read_table(data, name="book.xlsx")
    return [str(problem) for problem in caught.value.problems]


def with_part(data: bytes, name: str, xml: str) -> bytes:
    """The workbook ``data`` with its part ``name`` replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, xml if member.filename == name else source.read(member))
    return out.getvalue()


def test_shared_strings_with_rich_text_runs_joined_and_phonetic_guides_left_out():
    strings = [
        "<t>identifier</t>", "<t>title_ja</t>", "<t>test-1</t>",
        # Japanese Excel keeps the furigana it was typed with beside the text: not part of the cell's text.
        '<r><rPr><b/><sz val="11"/></rPr><t>髙橋</t></r><r><t xml:space="preserve"> 一郎の手記</t></r>'
        '<rPh sb="0" eb="2"><t>タカハシ</t></rPh><phoneticPr fontId="1" type="noConversion"/>',
        '<t>抑留記</t><rPh sb="0" eb="3"><t>ヨクリュウキ</t></rPh>',
        "<t>test-2</t>",
    ]
    data = workbook(("s", [row(1, shared("A1", 0), shared("B1", 1)),
                           row(2, shared("A2", 2), shared("B2", 3)),
                           row(3, shared("A3", 5), shared("B3", 4))]), strings=strings)
    assert cells_of(data) == [{"identifier": "test-1", "title_ja": "髙橋 一郎の手記"},
                              {"identifier": "test-2", "title_ja": "抑留記"}]


def test_inline_rich_text_is_joined_and_phonetic_guides_left_out():
    rich = ('<c r="B2" t="inlineStr"><is><r><rPr><i/></rPr><t>Камень</t></r><r><t xml:space="preserve"> и </t></r>'
            '<r><t>сакура</t></r></is></c>')
    phonetic = '<c r="B3" t="inlineStr"><is><t>収容所</t><rPh sb="0" eb="3"><t>シュウヨウジョ</t></rPh></is></c>'
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), rich), row(3, text("A3", "test-2"), phonetic)]))
    assert [cells["title_en"] for cells in cells_of(data)] == ["Камень и сакура", "収容所"]


def test_a_shared_string_the_file_does_not_hold_is_an_error_naming_the_cell():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), shared("B2", 7)),
                           row(3, text("A3", "test-2"), '<c r="B3" t="s"><v>-1</v></c>')]), strings=["<t>x</t>"])
    missing = "the cell points to a shared text that the file does not hold."
    assert problems_of(data) == [f"row 2, column B (title_en): {missing}", f"row 3, column B (title_en): {missing}"]


def test_booleans_read_as_true_and_false():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "yes"), text("C1", "no")),
                           row(2, text("A2", "test-1"), '<c r="B2" t="b"><v>1</v></c>',
                               '<c r="C2" t="b"><v>0</v></c>')]))
    assert cells_of(data) == [{"identifier": "test-1", "yes": "TRUE", "no": "FALSE"}]


@pytest.mark.parametrize(("number_format", "code", "serial", "expected"), [
    (22, None, "16672.25", "1945-08-23T06:00:00"),  # built-in m/d/yy h:mm
    (31, None, "16672", "1945-08-23"),  # Japanese Excel's built-in yyyy"年"m"月"d"日, written without its code
    (57, None, "16672", "1945-08-23"),  # Japanese era (昭和20年8月23日)
    (164, 'yyyy"年"m"月"d"日"', "16672", "1945-08-23"),
    (165, "dd.mm.yyyy", "16672", "1945-08-23"),
    (166, "0.00", "16672", "16672.00"),  # a number, shown with its two decimals
    (167, '"No. "0', "16672", "16672"),  # letters in quotes are not date parts
    (49, None, "16672", "16672"),  # built-in text format "@"
    (14, "0", "16672", "16672"),  # a file may redefine a built-in number: its own code wins
    (17, None, "16650", "1945-08"),  # built-in mmm-yy: a month, not its first day
    (164, 'yyyy"年"m"月"', "16650", "1945-08"),
    (164, "[$-411]yyyy\\年m\\月;@", "16650", "1945-08"),
    (164, "yyyy", "16438", "1945"),
    (164, '"d"yyyy', "16438", "1945"),  # a quoted d is text, not the day
    (164, "yyyy/mm/dd", "16650", "1945-08-01"),
    (164, "[h]:mm", "16650.5", "1945-08-01T12:00:00"),  # a time: read as before
])
def test_dates_are_told_by_the_cells_number_format(number_format, code, serial, expected):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), number("B2", serial, style=1))]),
                    cell_formats=(0, number_format), number_formats={number_format: code} if code else None)
    assert cells_of(data)[0]["date"] == expected


@pytest.mark.parametrize(("number_format", "code", "value", "expected"), [
    (164, "00000", "123", "00123"),  # a call number typed with its leading zeros in a cell formatted 00000
    (164, "[$-411]00000", "42", "00042"),
    (164, "00000", "1234567", "1234567"),
    (164, "0000000000", "306406152", "0306406152"),  # an ISBN-10 typed as a number, its leading 0 shown
    (164, "00000", "-42", "-00042"),
    (164, "0.00", "1.5", "1.50"),
    (164, "0.00", "3", "3.00"),
    (164, "000.0", "1.25", "1.25"),  # shown rounded to 001.3: the number's own digits are kept, not rounded away
    (2, None, "1.5", "1.50"),  # built-in 0.00
    (1, None, "7", "7"),  # built-in 0
    (164, "#,##0", "1234", "1234"),  # other formats are not applied: the number's digits
])
def test_a_number_formatted_with_zeros_reads_as_the_cell_shows_it(number_format, code, value, expected):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "call_number")),
                           row(2, text("A2", "test-1"), number("B2", value, style=1))]),
                    cell_formats=(0, number_format), number_formats={number_format: code} if code else None)
    assert cells_of(data)[0]["call_number"] == expected


# 16672 is 23 August 1945 in Excel's count, 16672.4375 the same day at 10:30.
@pytest.mark.parametrize(("number_format", "code", "serial", "expected"), [
    # Japanese Excel writes a date typed as 1945年8月23日, or picked from its formats, with its own code.
    (176, 'yyyy"年"m"月"d"日";@', "16672", "1945年8月23日"),
    (176, '[$-411]ggge"年"m"月"d"日";@', "16672", "昭和20年8月23日"),
    (176, "[$-411]ge.m.d;@", "16672", "S20.8.23"),
    (176, '[$-411]gge"年"m"月"d"日"', "16672", "昭20年8月23日"),
    (176, '[$-411]ggge"年"m"月"d"日"', "32568", "平成1年3月1日"),  # an era's first year, as spreadsheets show it
    (176, "[$-411]yyyy/m/d(aaa)", "16672", "1945/8/23(木)"),
    (176, "[$-411]yyyy/m/d(dddd)", "16672", "1945/8/23(木曜日)"),
    (176, "[$-411]yyyy/mm/dd hh:mm", "16672.4375", "1945/08/23 10:30"),
    (176, "[$-419]dd/mm/yyyy", "16672", "23.08.1945"),  # / is the language's date separator
    (176, "dd.mm.yyyy", "16672", "23.08.1945"),
    (176, "[$-409]mmmm d, yyyy", "16672", "August 23, 1945"),
    (176, "[$-409]d-mmm-yy", "16672", "23-Aug-45"),
    (176, "[$-409]dddd, mmmm d, yyyy", "16672", "Thursday, August 23, 1945"),
    (176, "[$-409]h:mm AM/PM", "16672.9375", "10:30 PM"),
    (176, "[Red]yyyy\\-mm\\-dd", "16672", "1945-08-23"),
    # What a computer's settings decide reads as the ISO date: a / without a language, a month named in Russian
    # (which programs decline differently), the system's long date, Excel's built-in formats, elapsed hours.
    (176, "yyyy/m/d", "16672", "1945-08-23"),
    (176, "[$-419]d mmmm yyyy", "16672", "1945-08-23"),
    (176, "[$-F800]dddd, mmmm dd, yyyy", "16672", "1945-08-23"),
    (176, "mmm-yy", "16672", "1945-08"),
    (14, None, "16672", "1945-08-23"),
    (31, None, "16672", "1945-08-23"),
    (22, None, "16672.4375", "1945-08-23T10:30:00"),
    (176, "[h]:mm", "16672.4375", "1945-08-23T10:30:00"),
])
def test_a_date_cell_in_a_column_of_free_text_reads_as_the_sheet_shows_it(number_format, code, serial, expected):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date_display")),
                           row(2, text("A2", "test-1"), number("B2", serial, style=1))]),
                    cell_formats=(0, number_format), number_formats={number_format: code} if code else None)
    assert cells_of(data)[0]["date_display"] == expected


@pytest.mark.parametrize("column", ["date", "accessed"])
def test_a_date_cell_in_a_column_of_dates_reads_as_its_day_whatever_it_shows(column):
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", column), text("C1", "staff_notes")),
                           row(2, text("A2", "test-1"), number("B2", "16672", style=1),
                               number("C2", "16672", style=1))]),
                    cell_formats=(0, 176), number_formats={176: '[$-411]ggge"年"m"月"d"日"'})
    assert cells_of(data)[0] == {"identifier": "test-1", column: "1945-08-23", "staff_notes": "昭和20年8月23日"}


def test_a_date_written_as_iso_text_in_a_column_of_free_text_reads_as_the_sheet_shows_it():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date_display")),
                           row(2, text("A2", "test-1"), '<c r="B2" t="d" s="1"><v>1945-08-23</v></c>')]),
                    cell_formats=(0, 176), number_formats={176: 'yyyy"年"m"月"d"日"'})
    assert cells_of(data)[0]["date_display"] == "1945年8月23日"


def test_an_era_date_before_the_gregorian_calendar_came_to_japan_is_not_told():
    show = shown_date('[$-411]ggge"年"m"月"d"日"')
    assert (show("1873-01-01"), show("1872-12-31")) == ("明治6年1月1日", None)


def test_a_date_written_as_iso_text_reads_as_that_date():
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "date")),
                           row(2, text("A2", "test-1"), '<c r="B2" t="d"><v>1945-08-23</v></c>')]))
    assert cells_of(data)[0]["date"] == "1945-08-23"


def test_the_first_sheet_in_workbook_order_is_read_whatever_its_part_is_called():
    data = workbook(("records", [HEADER, row(2, text("A2", "test-1"), text("B2", "First in the workbook"))]),
                    ("notes", [HEADER, row(2, text("A2", "test-2"), text("B2", "First part in the file"))]),
                    parts=[2, 1])
    assert cells_of(data) == [{"identifier": "test-1", "title_en": "First in the workbook"}]
    assert cells_of(data, sheet="notes") == [{"identifier": "test-2", "title_en": "First part in the file"}]


def test_empty_rows_and_empty_cells_are_skipped_and_rows_keep_their_numbers():
    data = workbook(("s", [
        row(1, text("A1", "identifier"), text("B1", "title_en"), text("C1", "extent"), '<c r="D1" s="0"/>'),
        row(2, text("A2", "test-1"), text("B2", "Full"), text("C2", "10 p.")),
        row(3, '<c r="A3" s="0"/>', text("B3", ""), '<c r="C3" t="s"/>'),
        row(4, text("A4", "test-2")),
        row(6, text("A6", "test-3"), '<c r="B6" s="0"/>', text("C6", "3 p.")),
    ]))
    table = read_table(data, name="book.xlsx")
    assert table.header == ["identifier", "title_en", "extent"]
    assert table.rows == [(2, ("test-1", "Full", "10 p.")), (4, ("test-2", "", "")), (6, ("test-3", "", "3 p."))]


def test_cells_and_rows_without_references_follow_one_another():
    data = workbook(("s", [
        '<row><c t="inlineStr"><is><t>identifier</t></is></c><c t="inlineStr"><is><t>title_en</t></is></c></row>',
        '<row><c t="inlineStr"><is><t>test-1</t></is></c><c t="inlineStr"><is><t>Second column</t></is></c></row>',
    ]))
    assert read_table(data, name="book.xlsx").rows == [(2, ("test-1", "Second column"))]


def test_formula_cells_read_their_saved_values_beside_plain_and_rich_cells():
    data = workbook(("s", [
        row(1, text("A1", "identifier"), text("B1", "sequence"), text("C1", "title_en"), text("D1", "note"),
            text("E1", "title_ja"), text("F1", "extent")),
        row(2, text("A2", "test-1"), '<c r="B2"><f>1+1</f><v>2</v></c>',
            '<c r="C2" t="str"><f>"Test "&amp;"title"</f><v>Test title</v></c>',
            '<c r="D2" t="str"><f>IF(TRUE,"","x")</f><v></v></c>',  # a formula whose value is no text
            '<c r="E2" t="inlineStr"><is><r><t>手</t></r><r><t>記</t></r>'
            '<rPh sb="0" eb="2"><t>シュキ</t></rPh></is></c>',
            '<c r="F2" s="1"><v></v></c>'),  # an empty date cell
    ]))
    assert cells_of(data) == [{"identifier": "test-1", "sequence": "2", "title_en": "Test title", "note": "",
                               "title_ja": "手記", "extent": ""}]


def test_an_error_value_a_formula_computed_is_an_error_naming_the_cell():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), '<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')]))
    assert problems_of(data) == ["row 2, column B (title_en): the spreadsheet shows the error #DIV/0! here."]


def test_a_pretty_printed_sheet_reads_as_a_compact_one():
    sheet = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{NS}">
  <sheetData>
    <row r="1">
      <c r="A1" t="inlineStr">
        <is>
          <t>identifier</t>
        </is>
      </c>
      <c r="B1" t="inlineStr"><is><t>title_en</t></is></c>
      <c r="C1" t="inlineStr"><is><t>extent</t></is></c>
    </row>
    <!-- a comment -->
    <row r="2">
      <c r="A2" t="inlineStr">
        <is>
          <t>test-1</t>
        </is>
      </c>
      <c r="B2" t="inlineStr"><is><t xml:space="preserve">  two  spaces  </t></is></c>
      <c r="C2">
        <v>12</v>
      </c>
    </row>
    <row r="3">
      <c r="A3" t="inlineStr"><is><t>test-2</t></is></c>
      <c r="B3" t="inlineStr"><is><t> </t></is></c>
    </row>
  </sheetData>
</worksheet>"""
    data = with_part(workbook(("s", [])), "xl/worksheets/sheet1.xml", sheet)
    assert cells_of(data) == [{"identifier": "test-1", "title_en": "  two  spaces  ", "extent": "12"},
                              {"identifier": "test-2", "title_en": " ", "extent": ""}]


def test_a_sheet_whose_elements_carry_a_prefix_reads_the_same():
    sheet = (f'<x:worksheet xmlns:x="{NS}"><x:sheetData>'
             '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>identifier</x:t></x:is></x:c></x:row>'
             '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>test-1</x:t></x:is></x:c></x:row>'
             '</x:sheetData><x:mergeCells><x:mergeCell ref="A3:B3"/></x:mergeCells></x:worksheet>')
    data = with_part(workbook(("s", [])), "xl/worksheets/sheet1.xml", sheet)
    assert problems_of(data) == ["row 3, column A (identifier): the cells A3:B3 are merged; unmerge them so that "
                                 "each cell holds its own value."]
    assert cells_of(with_part(data, "xl/worksheets/sheet1.xml", sheet.replace(
        '<x:mergeCells><x:mergeCell ref="A3:B3"/></x:mergeCells>', ""))) == [{"identifier": "test-1"}]


def test_rows_of_a_large_sheet_are_all_read_in_order():
    rows = [row(n, text(f"A{n}", f"test-{n}"), number(f"B{n}", str(n * 1000))) for n in range(2, 3002)]
    data = workbook(("s", [row(1, text("A1", "identifier"), text("B1", "sequence")), *rows]))
    table = read_table(data, name="book.xlsx")
    assert len(table) == 3000
    assert table.rows[0] == (2, ("test-2", "2000")) and table.rows[-1] == (3001, ("test-3001", "3001000"))
