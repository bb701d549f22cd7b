"""What the app's two sets of database triggers (catalogue changes, ready export rows) share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def all_present(cursor: Any, vendor: str, names: Sequence[str]) -> bool:
    """Whether every trigger of ``names`` exists (SQLite drops a table's triggers when it rebuilds the table)."""
    if vendor == "postgresql":
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", [list(names)])
    else:
        marks = ", ".join(["%s"] * len(names))
        cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", names)
    return cursor.fetchone()[0] == len(names)
