"""Hostile and broken files: refused before parsing, or refused row by row with nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest

from collection.catalogue.files import FileRefused, check_zip, read_table
from collection.catalogue.writer import write_rows
from collection.models import Record

from .factories import PlaceFactory, RecordFactory
from .xlsx_parts import row, text, workbook

HEADER = row(1, text("A1", "identifier"), text("B1", "title_en"))

pytestmark = pytest.mark.django_db


def zip_with(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_declared_sizes(monkeypatch):
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    bomb = zip_with({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * 30_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(FileRefused, match="possible zip bomb"):
        read_table(bomb, name="bomb.xlsx")
    assert opened == []  # refused before openpyxl opened it


def test_a_workbook_expanding_past_the_cap_is_refused(settings):
    settings.COLLECTION_IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000
    data = workbook(("s", [HEADER, *(row(n, text(f"A{n}", f"test-{n}"), text(f"B{n}", "x" * 50))
                                     for n in range(2, 200))]))
    with pytest.raises(FileRefused, match="expands to"):
        read_table(data, name="big.xlsx")


def test_a_workbook_with_too_many_parts_is_refused(settings):
    settings.COLLECTION_IMPORT_MAX_XLSX_MEMBERS = 5
    with pytest.raises(FileRefused, match="parts, more than the 5 allowed"):
        read_table(zip_with({f"part{n}.xml": b"<a/>" for n in range(10)}), name="many.xlsx")


BILLION_LAUGHS = """<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""


def test_xml_entity_expansion_is_refused():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), '<c r="B2" t="inlineStr"><is><t>&lol3;</t></is></c>')]),
                    prolog=BILLION_LAUGHS)
    with pytest.raises(FileRefused, match="DOCTYPE or XML entities"):
        read_table(data, name="laughs.xlsx")


# The prescan reads each part's first 4 KB; a DOCTYPE can be pushed past them with a long comment.
PAST_THE_PRESCAN = "<!-- " + "padding " * 1000 + "-->\n"


def test_a_doctype_past_the_prescan_is_refused_by_the_parser():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), '<c r="B2" t="inlineStr"><is><t>&lol3;</t></is></c>')]),
                    prolog=PAST_THE_PRESCAN + BILLION_LAUGHS)
    check_zip(data)  # the prescan lets it through: the refusal below is the parser's
    with pytest.raises(FileRefused, match="sheet1.xml declares a DOCTYPE or XML entities"):
        read_table(data, name="laughs.xlsx")


def test_an_external_entity_in_the_shared_strings_is_refused_unread(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), '<c r="B2" t="s"><v>0</v></c>')]),
                    strings=["<t>&secret;</t>"],
                    strings_prolog=PAST_THE_PRESCAN + f'<!DOCTYPE sst [<!ENTITY secret SYSTEM "file://{secret}">]>\n')
    check_zip(data)  # the prescan lets it through: the refusal below is the parser's
    with pytest.raises(FileRefused, match="sharedStrings.xml declares a DOCTYPE or XML entities"):
        read_table(data, name="external.xlsx")


def test_an_entity_never_declared_makes_the_file_unreadable():
    data = workbook(("s", [HEADER, row(2, text("A2", "test-1"), '<c r="B2" t="inlineStr"><is><t>&lol;</t></is></c>')]))
    with pytest.raises(FileRefused, match="not a readable XLSX workbook"):
        read_table(data, name="undeclared.xlsx")


def test_a_file_named_xlsx_that_is_not_a_zip_is_refused():
    with pytest.raises(FileRefused, match="not a readable XLSX workbook"):
        read_table(b"identifier\nx\n", name="fake.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    with pytest.raises(FileRefused, match="not a readable XLSX workbook"):
        read_table(zip_with({"hello.txt": b"hi"}), name="other.xlsx")


# Bad rows: each is refused with row, column and problem, and nothing is written -----------------------

HEAD = "identifier,kind,status,title_en,isbn,date,url,places"


@pytest.mark.parametrize(("line", "column", "fragment"), [
    ("test-1,memoir,draft,T,,,,,extra", "", "cells but the header has"),
    (",memoir,draft,T,,,,", "identifier", "needs an identifier"),
    ("test-1,poem,draft,T,,,,", "kind", ""),
    ("test-1,memoir,lost,T,,,,", "status", ""),
    ("test-1,memoir,draft,T,978-4-00-000000-1,,,", "isbn", ""),
    ("test-1,memoir,draft,T,9.78E+12,,,", "isbn", "turned into a number"),
    ("test-1,memoir,draft,T,,1945-02-30,,", "date", ""),
    ("test-1,memoir,draft,T,,,javascript:alert(1),", "url", ""),
    ("test-1,memoir,draft,T,,,,nowhere-at-all", "places", ""),
    ("test-1,memoir,draft,T,,,,Twin place", "places", "several"),
    ("test-1,memoir,draft,\0T,,,,", "title_en", "NUL"),
    ("test-1,memoir,draft," + "x" * 1001 + ",,,,", "title_en", "at most 1000"),
    ("test-1,memoir,draft,,,,,", "title_", "title"),
], ids=["extra-cells", "no-identifier", "unknown-kind", "unknown-status", "isbn-checksum", "isbn-as-number",
        "impossible-date", "javascript-url", "unknown-place", "ambiguous-place", "nul-byte", "overlong-text",
        "no-title"])
def test_bad_rows_are_refused_with_row_and_column(line, column, fragment):
    PlaceFactory(identifier="test-place-1", name="Twin place")
    PlaceFactory(identifier="test-place-2", name="Twin place")
    RecordFactory(identifier="test-0", kind="memoir")
    data = f"{HEAD}\ntest-ok,memoir,draft,Fine,,,,\n{line}\n".encode()
    try:
        table = read_table(data)
    except FileRefused as exc:
        problems = [str(problem) for problem in exc.problems]
    else:
        problems = [str(error) for error in write_rows(table.records()).errors]
    assert problems, "the row was accepted"
    assert problems[0].startswith(f"row 3, column {column}"), problems
    assert fragment.lower() in " ".join(problems).lower()
    assert list(Record.objects.values_list("identifier", flat=True)) == ["test-0"]


def test_unknown_columns_and_duplicates_are_refused():
    data = b"identifier,kind,status,title_en,colour\ntest-1,memoir,draft,T,red\ntest-1,memoir,draft,T,\n"
    errors = [str(error) for error in write_rows(read_table(data).records()).errors]
    assert any(error.startswith("row 1, column colour:") for error in errors)
    errors = [str(error) for error in write_rows(read_table(
        b"identifier,kind,status,title_en\ntest-1,memoir,draft,T\ntest-1,memoir,draft,T\n").records()).errors]
    assert errors == ["row 3, column identifier: “test-1” is also on row 2."]
    assert not Record.objects.exists()


def test_script_in_a_cell_is_stored_as_text():
    data = b"identifier,kind,status,title_en\ntest-1,memoir,draft,<script>alert(1)</script>\n"
    assert write_rows(read_table(data).records()).ok
    assert Record.objects.get().titles.get().text == "<script>alert(1)</script>"
