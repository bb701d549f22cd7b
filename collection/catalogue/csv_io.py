"""Reading and writing catalogue sheets as CSV.

Files are read as UTF-8, with or without a byte-order mark, with the delimiter
their header line shows (commas, or the tabs or ``;`` of Excel in some locales),
or that a first line ``sep=;`` names (:func:`collection.catalogue.files.csv_layout`).
They are written as UTF-8 with a BOM (so that Excel, also in Japanese, opens them as UTF-8), commas,
CRLF line ends, formula-safe cells and rows sorted by identifier, so that the
same data always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO

from django.utils.translation import gettext as _

from .files import FileRefused, csv_cells_up_to, csv_layout
from .format import QUOTABLE_STARTS, quote_formula, unquote_formula, unquoted

BOM = "\ufeff"
# The key under which a row keeps cells beyond the last named column.
EXTRA_CELLS = ""


class CatalogueFileError(ValueError):
    """A file that cannot be read as a catalogue sheet at all (not one bad row)."""


def read_csv(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """Parse a CSV file into ``(row_number, {column: cell})`` pairs.

    Row numbers are those a spreadsheet shows: the header is row 1. Cells are
    unquoted (a formula-guard ``'`` removed); blank lines are skipped.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CatalogueFileError(
                _("The file is not UTF-8 text (byte %(position)s). Save it as “CSV UTF-8”.")
                % {"position": exc.start}
            ) from exc
    else:
        text = data.removeprefix(BOM)
    try:
        delimiter, text = csv_layout(text)
    except FileRefused as exc:
        raise CatalogueFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogueFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise CatalogueFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    columns = [name.strip() for name in header]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        # Numbered as records, as a spreadsheet numbers its rows even when a cell holds a line break.
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            row = {column: unquote_formula(cell) for column, cell in zip(columns, cells, strict=False)}
            extra = [cell for cell in cells[len(columns):] if cell.strip()]
            if extra:
                row[EXTRA_CELLS] = " ".join(extra)
            rows.append((number, row))
    except csv.Error as exc:
        raise CatalogueFileError(
            _("Row %(row)s is not valid CSV: %(error)s") % {"row": reader.line_num, "error": exc}
        ) from exc
    return rows


def write_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> bytes:
    """Write rows as CSV UTF-8 with a BOM, sorted by identifier, every cell formula-safe."""
    ordered = sorted(rows, key=lambda row: row.get("identifier", ""))
    return b"".join(csv_chunks(([row.get(column, "") or "" for column in columns] for row in ordered), columns))


def csv_chunks(rows: Iterable[Sequence[str | None]], columns: Sequence[str], *, rows_per_chunk: int = 1000,
               ready_lines: bool = False) -> Iterator[bytes]:
    """The bytes :func:`write_csv` writes, in pieces, for rows given as cell lists in identifier order.

    Nothing is sorted or held: each piece is written as the rows arrive, so a whole
    catalogue streams in flat memory. With ``ready_lines``, each row is ``(line, cells)``:
    a line already written (:func:`csv_lines`), copied as it is, or ``None`` and the cells
    as a JSON array.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    write, write_row = buffer.write, writer.writerow
    yield BOM.encode("utf-8") + _taken(buffer)
    count = 0
    for row in rows:
        if ready_lines:
            if row[0] is None:
                write_row(formula_safe(json.loads(row[1])))
            else:
                write(row[0])
        else:
            write_row(formula_safe(row))
        count += 1
        if count == rows_per_chunk:
            yield _taken(buffer)
            count = 0
    if count:
        yield _taken(buffer)


def csv_lines(rows: Iterable[Sequence[str]]) -> list[str]:
    """Each row as :func:`csv_chunks` writes it: formula-safe cells, CRLF at the end."""
    buffer = io.StringIO(newline="")
    write_row = csv.writer(buffer, lineterminator="\r\n").writerow
    lines = []
    for row in rows:
        write_row(formula_safe(row))
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return lines


def read_line(line: str) -> list[str]:
    """A line :func:`csv_lines` wrote, read back into its cells (formula guards removed)."""
    return read_lines([line])[0]


def read_lines(lines: Sequence[str]) -> list[list[str]]:
    """Lines :func:`csv_lines` wrote, each read back into its cells (formula guards removed)."""
    if not lines:
        return []
    with csv_cells_up_to(max(map(len, lines))):
        # Each line is one whole row: a quoted cell's line breaks are inside its line.
        return [unquoted(cells) for cells in csv.reader(lines)]


def formula_safe(cells: Iterable[str]) -> list[str]:
    """The cells with a quote before any a spreadsheet would run as a formula (see :func:`quote_formula`)."""
    quotable = QUOTABLE_STARTS
    return [quote_formula(cell) if cell and cell[0] in quotable else cell for cell in cells]


def write_csv_rows(rows: Iterable[Sequence[str | None]], columns: Sequence[str], out: IO[bytes], *,
                   ready_lines: bool = False) -> int:
    """Write :func:`csv_chunks` of the rows to ``out``; return the number of rows after the header."""
    count = 0

    def counted() -> Iterator[Sequence[str | None]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in csv_chunks(counted(), columns, ready_lines=ready_lines):
        out.write(chunk)
    return count


def _taken(buffer: io.StringIO) -> bytes:
    """What the buffer holds, encoded, and the buffer emptied."""
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
