"""Load a directory of catalogue sheets: the vocabularies first, then the records that use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .. import reasons
from .csv_io import read_csv
from .vocabulary import write_vocabulary
from .writer import RowError, WriteResult, write_rows

# Vocabulary sheets in the order they are loaded; each is optional.
VOCABULARY_FILES = ("places", "subjects", "agents")
RECORDS_FILE = "records"


class SeedError(Exception):
    def __init__(self, file: str, errors: list[RowError]) -> None:
        super().__init__(_("%(count)s problem(s) in %(file)s; nothing was loaded.") % {
            "count": len(errors), "file": file})
        self.file = file
        self.errors = errors


def load_seed(directory: Path, *, user: Any = None) -> dict[str, WriteResult]:
    """Load ``places.csv``, ``subjects.csv``, ``agents.csv`` and ``records.csv`` from ``directory``.

    Call inside a transaction to make the whole directory all or nothing.
    """
    results: dict[str, WriteResult] = {}
    for name in (*VOCABULARY_FILES, RECORDS_FILE):
        path = directory / f"{name}.csv"
        if not path.exists():
            continue
        rows = read_csv(path.read_bytes())
        source = reasons.seed(path.name)
        if name == RECORDS_FILE:
            result = write_rows(rows, user=user, source=source)
        else:
            result = write_vocabulary(name, rows, user=user, source=source)
        if result.errors:
            raise SeedError(path.name, result.errors)
        results[name] = result
    return results
