"""Writing catalogue sheets as XLSX, streamed: memory does not grow with the number of rows.

openpyxl's write-only workbook makes the package (workbook, styles, relationships);
the rows of its one sheet are then serialized here, in the exact XML openpyxl writes
for text cells, and streamed into the zip archive. openpyxl builds a cell object, an
attribute dictionary and three nested XML elements per cell, which caps it near 6,000
rows a second for a catalogue sheet; the rows here cost a few string operations per
cell.

Every cell is a text (inline string) cell, so that an ISBN or a date stays the text it
was. Text a spreadsheet would run as a formula keeps its exact text and carries Excel's
quote prefix, the XLSX form of the ``'`` that CSV export prefixes. Import strips one ``'``
before such a character from a text cell, as a CSV export saved as XLSX by a spreadsheet
keeps it; so text that itself starts so is written with a second ``'``, as in CSV.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO

from django.utils.translation import gettext as _

from .files import CellProblem, column_letter
from .format import FORMULA_TRIGGERS, quote_formula

# Characters XML cannot hold; openpyxl refuses them with the same error.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
# Markup, a CR, and text that Excel (and the import) would read as an escape _xHHHH_.
_MARKUP = re.compile(r"[&<>\r]|_x[0-9A-Fa-f]{4}_")
_LIKE_AN_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# Excel's limit on a cell. openpyxl cuts longer text; an archive's export must not lose text silently.
MAX_CELL_CHARS = 32767


class CellRefused(ValueError):
    """A cell an XLSX sheet cannot hold as it is; the export stops, naming the row and column."""

    def __init__(self, row: int, column: str, problem: str) -> None:
        self.row, self.column, self.problem = row, column, problem
        super().__init__(str(CellProblem(row, column, problem)))


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
# The times openpyxl stamps a workbook with: left out, so that the same rows always give the same bytes.
_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")
# Every part's date in the archive, for the same reason: the earliest a zip file can hold.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Cell text Excel shows as an error value when it is typed in.
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def _escape(text: str) -> str:
    # What libxml2 escapes in element text when openpyxl writes it.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    # Excel writes a typed "_x" that would read as an escape as "_x005F_x" ("_" escaped).
    return _LIKE_AN_ESCAPE.sub("_x005F_", text) if "_x" in text else text


def _encode(xml: str) -> bytes:
    # openpyxl's XML writer writes ASCII, every other character as a numeric reference (&#12486;).
    return xml.encode("ascii", "xmlcharrefreplace")


def _column_letters(count: int) -> list[str]:
    return [column_letter(number) for number in range(1, count + 1)]


class _RowWriter:
    """Serializes rows of cell text as ``<row>`` elements of a worksheet's ``sheetData``."""

    def __init__(self, quoted_style: int) -> None:
        self.letters: list[str] = []
        self.quoted = f' s="{quoted_style}" t="inlineStr"><is>'
        self.triggers = "".join(FORMULA_TRIGGERS) + "#"

    def row(self, number: int, cells: Sequence[str]) -> str:
        if len(cells) > len(self.letters):
            self.letters = _column_letters(len(cells))
        # What most rows need none of is looked for once in the whole row.
        joined = "".join(cells)
        if _ILLEGAL.search(joined) or len(joined) > MAX_CELL_CHARS:
            self._refuse(number, cells)
        escape = _MARKUP.search(joined) is not None
        plain, quoted, triggers = ' t="inlineStr"><is>', self.quoted, self.triggers
        suffix = f'{number}"'
        parts = [f'<row r="{number}">']
        append = parts.append
        for letter, text in zip(self.letters, cells, strict=False):
            if not text:
                continue
            if text[0] in triggers and (text[0] != "#" or text.upper() in EXCEL_ERRORS):
                head = quoted
            else:
                head = plain
                if text[0] == "'":
                    # Import strips one ' before a formula character from a text cell, as from a CSV cell
                    # (a CSV export saved as XLSX keeps it): text that starts so gets a second one.
                    text = quote_formula(text)
            # openpyxl marks text with surrounding white space so that XML readers keep it.
            tag = "<t>" if text == text.strip() else '<t xml:space="preserve">'
            append(f'<c r="{letter}{suffix}{head}{tag}{_escape(text) if escape else text}</t></is></c>')
        append("</row>")
        return "".join(parts)

    def _refuse(self, number: int, cells: Sequence[str]) -> None:
        """Raise for the first cell that cannot be written, if any (a long row may be made of short cells)."""
        for letter, text in zip(self.letters, cells, strict=False):
            illegal = _ILLEGAL.search(text)
            if illegal:
                raise CellRefused(number, letter, _(
                    "the control character U+%(code)04X cannot be stored in an XLSX cell; export CSV instead.")
                    % {"code": ord(illegal.group())})
            if len(text) > MAX_CELL_CHARS:
                raise CellRefused(number, letter, _(
                    "the text has %(length)s characters; an XLSX cell holds at most %(max)s. Export CSV instead.")
                    % {"length": len(text), "max": MAX_CELL_CHARS})


def _frame(sheet_title: str) -> tuple[bytes, str, int]:
    """openpyxl's write-only workbook with an empty sheet: the archive, the sheet's part name, the quote style."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_title)
    quoted = WriteOnlyCell(worksheet, "")
    quoted.quotePrefix = True
    style = quoted.style_id  # registers the style, so that styles.xml declares it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), worksheet.path.lstrip("/"), style


def write_xlsx_rows(rows: Iterable[Sequence[str]], out: IO[bytes], *, sheet_title: str = "records") -> int:
    """Write rows of cell text (the header first) to ``out`` as XLSX; return the number of rows after the header.

    ``out`` may be any writable binary file, also one that cannot seek (standard output).
    """
    frame, sheet_part, style = _frame(sheet_title)
    writer = _RowWriter(style)
    count = 0
    # The fastest deflate level: compressing the sheet is a third of the work at the default level, and
    # the file comes out only about a fifth larger.
    with zipfile.ZipFile(io.BytesIO(frame)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        for info in source.infolist():
            data = source.read(info)
            part = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            part.compress_type, part.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            # The archive's level: an entry made from a ZipInfo takes the entry's own (Python 3.13 calls it
            # compress_level and keeps _compresslevel as its alias).
            part._compresslevel = 1
            if info.filename != sheet_part:
                if info.filename == "docProps/core.xml":
                    data = _CORE_TIMES.sub(b"", data)
                archive.writestr(part, data, compresslevel=1)
                continue
            match = _SHEET_DATA.search(data)
            if match is None:  # pragma: no cover - openpyxl always writes the element
                raise ValueError("openpyxl wrote a worksheet without sheetData")
            with archive.open(part, "w", force_zip64=True) as sheet:
                sheet.write(data[:match.start()] + b"<sheetData>")
                batch: list[str] = []
                for count, cells in enumerate(rows, start=1):
                    batch.append(writer.row(count, cells))
                    if len(batch) == 500:
                        sheet.write(_encode("".join(batch)))
                        batch.clear()
                sheet.write(_encode("".join(batch) + "</sheetData>") + data[match.end():])
    return max(count - 1, 0)
