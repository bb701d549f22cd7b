"""One vocabulary sheet (places, subjects or agents) imported or exported as a file on its own.

The file is read by :mod:`.files` (the record sheet's encodings, caps and XLSX
rules) and written by :func:`.vocabulary.write_vocabulary`; the export writes
:func:`.vocabulary.export_vocabulary` with the record export's CSV and XLSX
writers, so that importing an exported sheet changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import IO, Any

from django.utils.translation import gettext as _

from .csv_io import EXTRA_CELLS, write_csv_rows
from .files import CSV, XLSX, Table
from .format import vocabulary_columns
from .vocabulary import VOCABULARIES, export_vocabulary, write_vocabulary
from .writer import Progress, RowError, WriteResult

VOCABULARY_SHEETS = tuple(VOCABULARIES)


def vocabulary_permissions(vocabulary: str) -> tuple[str, str]:
    """The admin's permissions to add and change the vocabulary's entries, both of which its import needs."""
    model_name = VOCABULARIES[vocabulary].model._meta.model_name
    return f"collection.add_{model_name}", f"collection.change_{model_name}"


def vocabulary_refusal(user: Any, vocabulary: str, name: str) -> str:
    """Why ``user`` (called ``name``) may not import the vocabulary sheet, or "" if they may."""
    if user.has_perms(vocabulary_permissions(vocabulary)):
        return ""
    # One sentence per vocabulary: the noun takes a different case in each language.
    messages = {
        "places": _("%(name)s may not add or change places, so cannot import a places sheet."),
        "subjects": _("%(name)s may not add or change subjects, so cannot import a subjects sheet."),
        "agents": _("%(name)s may not add or change agents, so cannot import an agents sheet."),
    }
    return messages[vocabulary] % {"name": name}


def import_vocabulary(vocabulary: str, table: Table, *, user: Any = None, source: str = "",
                      dry_run: bool = False, progress: Progress | None = None) -> WriteResult:
    """Check and write a vocabulary sheet read by :func:`.files.read_table`; all or nothing. ``progress`` is
    called as :func:`.writer.write_rows` calls it.

    The header is checked on its own first, as the record writer checks it: a column that no row fills
    (a header with no rows, an XLSX sheet's empty last column) would otherwise go unreported, and a
    record sheet given for a vocabulary is refused for its columns rather than read as empty entries.
    """
    columns = set(vocabulary_columns(vocabulary))
    named = [column for column in table.header if column != EXTRA_CELLS]
    errors = [RowError(1, column, _("Unknown column.")) for column in named if column not in columns]
    if "identifier" not in named:
        errors.append(RowError(1, "identifier", _("The identifier column is missing.")))
    if errors:
        refused = WriteResult(dry_run=dry_run)
        refused.errors = errors
        return refused
    return write_vocabulary(vocabulary, table.records(), user=user, source=source, dry_run=dry_run,
                            progress=progress, encoding=table.encoding)


def vocabulary_rows(vocabulary: str) -> Iterator[list[str]]:
    """The cells of each entry in the sheet's columns, sorted by identifier."""
    columns = vocabulary_columns(vocabulary)
    for row in export_vocabulary(vocabulary):
        yield [row[column] for column in columns]


def export_vocabulary_file(vocabulary: str, out: IO[bytes], file_format: str = CSV) -> int:
    """Write the vocabulary sheet to ``out`` in ``file_format`` (csv or xlsx); return how many entries.

    The bytes the record export writes for the same cells: CSV UTF-8 with a BOM, CRLF and formula-safe cells;
    XLSX text cells, formula-like text with Excel's quote prefix.
    """
    if file_format not in (CSV, XLSX):
        raise ValueError(f"unknown export format {file_format!r}")
    columns = vocabulary_columns(vocabulary)
    if file_format == XLSX:
        from .xlsx_writer import write_xlsx_rows

        return write_xlsx_rows(chain([columns], vocabulary_rows(vocabulary)), out, sheet_title=vocabulary)
    return write_csv_rows(vocabulary_rows(vocabulary), columns, out)
