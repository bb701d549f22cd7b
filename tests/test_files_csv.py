"""Reading CSV files as Japanese and Russian office software saves them."""

from __future__ import annotations

import codecs

import pytest
from django.utils import translation

from collection.catalogue.files import FileRefused, read_table

HEADER = "identifier,kind,title_ja,title_ru,title_en\n"
ROW = "test-1,memoir,テスト髙橋①の記録,Тестовая запись,Test record\n"
TEXT = HEADER + ROW


def only_row(table):
    [(number, cells)] = list(table.records())
    return number, cells


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), None),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), None),
        (TEXT.encode("utf-16"), None),  # Python writes the BOM, as Excel's "Unicode text" does
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None),
        (TEXT.encode("cp932"), "cp932"),
        (TEXT.encode("cp932"), "shift_jis"),  # what people call it; means Windows' variant
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp932", "shift_jis-name", "utf8-named",
         "utf8-bom-named"],
)
def test_every_supported_encoding_reads_the_same_text(data, encoding):
    table = read_table(data, name="sheet.csv", encoding=encoding)
    number, cells = only_row(table)
    assert number == 2
    assert cells["identifier"] == "test-1"
    assert cells["title_ja"] == "テスト髙橋①の記録"
    assert cells["title_en"] == "Test record"
    if "cp932" not in table.encoding and "shift" not in table.encoding:
        assert cells["title_ru"] == "Тестовая запись"


def test_windows_1251_russian_file_reads_with_its_encoding_named():
    data = "identifier,title_ru\ntest-1,Тестовая запись ёЁ\n".encode("cp1251")
    table = read_table(data, name="sheet.csv", encoding="windows-1251")
    assert only_row(table)[1]["title_ru"] == "Тестовая запись ёЁ"


def test_cp932_keeps_the_characters_plain_shift_jis_cannot_decode():
    data = "identifier,title_ja\ntest-1,髙①\n".encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")
    assert only_row(read_table(data, encoding="cp932"))[1]["title_ja"] == "髙①"


@pytest.mark.parametrize("encoding_of_file", ["cp932", "cp1251"])
def test_a_legacy_encoding_is_never_guessed(encoding_of_file):
    text = "identifier,title\ntest-1,テスト\n" if encoding_of_file == "cp932" else "identifier,title\nt,Тест\n"
    with pytest.raises(FileRefused) as caught:
        read_table(text.encode(encoding_of_file), name="sheet.csv")
    message = str(caught.value)
    assert "not valid UTF-8" in message
    assert "line 2" in message
    assert "--encoding" in message


def test_bytes_invalid_in_the_named_encoding_are_an_error_not_mojibake():
    # A UTF-8 file read as cp932 would be mojibake where it decodes at all; this one does not decode.
    data = "identifier,title_ja\ntest-1,①髙\n".encode()
    data += b"\x81\x7f\n"
    with pytest.raises(FileRefused) as caught:
        read_table(data, encoding="cp932")
    assert "not valid cp932" in str(caught.value)
    assert "--encoding" in str(caught.value)


def test_a_utf16_file_names_the_line_of_its_unreadable_bytes():
    # 上 is the bytes 0a 4e in UTF-16: a line feed's byte that is not a line feed.
    data = "identifier,title_ja\ntest-1,上巻\n".encode("utf-16")
    data += "test-2,".encode("utf-16-le") + b"\x00\xd8" + "\n".encode("utf-16-le")  # half of a surrogate pair
    with pytest.raises(FileRefused) as caught:
        read_table(data, name="sheet.csv")
    assert str(caught.value).startswith("The file starts with the byte-order mark of utf-16 but is not valid utf-16: "
                                        "byte 0x00 on line 3 cannot be read.")


def test_unknown_encoding_name_is_refused_by_name():
    with pytest.raises(FileRefused, match="“klingon” is not an encoding name"):
        read_table(TEXT.encode(), encoding="klingon")


def test_a_bom_that_contradicts_the_named_encoding_is_refused():
    with pytest.raises(FileRefused, match="byte-order mark"):
        read_table(TEXT.encode("utf-16"), encoding="cp1251")


def test_utf16_without_a_bom_is_refused_with_advice():
    with pytest.raises(FileRefused, match="UTF-16 without a byte-order mark"):
        read_table(TEXT.encode("utf-16-le"))


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_rows_skipped():
    data = (HEADER + ROW + ",,,,\n" + "\n" + 'test-2,memoir,"二行の\nタイトル",,\n').encode()
    rows = list(read_table(data).records())
    assert [number for number, _ in rows] == [2, 5]  # the blank line is row 4 in a spreadsheet too
    assert rows[1][1]["title_ja"] == "二行の\nタイトル"


def test_a_row_with_more_cells_than_the_header_names_row_and_column():
    data = (HEADER + "test-1,memoir,a,b,c,extra\n").encode()
    with pytest.raises(FileRefused) as caught:
        read_table(data)
    assert str(caught.value) == "row 2, column F: this row has 6 cells but the header has 5 columns."


def test_a_repeated_column_is_refused():
    with pytest.raises(FileRefused, match="row 1, column B: the column “identifier” appears twice"):
        read_table(b"identifier,identifier\nx,y\n")


def test_oversized_upload_is_refused_before_parsing(settings):
    settings.COLLECTION_IMPORT_MAX_BYTES = 100
    with pytest.raises(FileRefused, match="larger than the 100 bytes allowed"):
        read_table(TEXT.encode() * 10)


def test_a_cell_over_the_cap_is_refused_with_its_row_and_column(settings):
    settings.COLLECTION_IMPORT_MAX_CELL_CHARS = 50
    with pytest.raises(FileRefused, match="row 2, column title_en: the cell has 60 characters; at most 50"):
        read_table(("identifier,title_en\n" + 'x,"' + "a" * 60 + '"\n').encode())


def test_too_many_rows_are_refused(settings):
    settings.COLLECTION_IMPORT_MAX_ROWS = 2
    with pytest.raises(FileRefused, match="more than 2 rows"):
        read_table(("identifier\n" + "x\n" * 3).encode())


def test_an_empty_file_is_refused():
    with pytest.raises(FileRefused, match="empty"):
        read_table(b"")


def test_script_tags_are_read_as_plain_text():
    data = b"identifier,title_en\n<script>alert(1)</script>,<b>x</b>\n"
    cells = only_row(read_table(data))[1]
    assert cells["identifier"] == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("text", "row", "column", "fragment"),
    [
        (HEADER + 'test-1,memoir,"抑留記",Запись,"Notes" of a soldier\n', 2, "title_en", "after its closing quote"),
        (HEADER + ROW + 'test-2,memoir,"抑留記,Запись,Notes\ntest-3,memoir,a,b,c\n', 3, "title_ja",
         "never closed"),
        ("identifier;kind;title_ru\ntest-1;memoir;\"Запись\" 2\n", 2, "title_ru", "after its closing quote"),
    ],
    ids=["text-after-quote", "unclosed-quote", "semicolons"],
)
def test_a_cell_whose_quotes_cannot_be_read_is_named_by_row_and_column(text, row, column, fragment):
    with pytest.raises(FileRefused) as refused:
        read_table(text.encode("utf-8"), name="sheet.csv")
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (row, column)
    assert fragment in problem.message


def test_a_cell_whose_quotes_cannot_be_read_is_told_in_the_users_language():
    with translation.override("ja"):
        with pytest.raises(FileRefused) as refused:
            read_table((HEADER + 'test-1,memoir,"抑留記,Запись,Notes\n').encode("utf-8"), name="sheet.csv")
        message = str(refused.value)
    assert message.startswith("2 行目、列 title_ja：セルの引用符")
