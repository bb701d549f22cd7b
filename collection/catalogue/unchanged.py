"""A record's ready export row standing in for its tables when a file's row is compared with the record.

The writer decides whether a row changes a stored record cell by cell, against the
record's values as it reads them from the record's tables: a single-valued cell by
its text, a multi-valued cell by parsing it and comparing the values
(:meth:`collection.catalogue.writer._Planner._plan_stored`). A ready export row
(:class:`~collection.models.ExportLine`) holds those same values as text: a
single-valued column's cell is the stored text itself, and a multi-valued column's
cell joins the stored values (:func:`~collection.catalogue.format.join_values`),
which :func:`stored_value` takes apart again, exactly
(:func:`~collection.catalogue.format.unjoin_values`). So neither the record's
titles, descriptions nor links need to be read:

* :meth:`ReadyRowComparison.unchanged` takes the writer's decision for a whole row at
  once, where the row leaves the record as it is (most rows of a file imported again):
  each cell it gives is blank, or the export's text (single values), or parses to the
  values the export's cell holds (multi-valued);
* for any other row, :meth:`ReadyRowComparison.stored_cells` gives the record's values
  as the tables would, and the writer compares them cell by cell as usual (and reports
  the row's problems).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

from .csv_io import read_line, read_lines
from .export import Cell
from .format import CLEAR, MULTI_VALUED, unjoin_values

# How rows giving the same columns are compared: their single-valued cells picked at once, the same
# one by one, and their multi-valued cells (each column with its position in an exported row).
_Shape = tuple[Callable, Callable, list[tuple[str, int]], list[tuple[str, int]]]
# Multi-valued columns whose values the writer reads sorted, and the one it also reads as a set.
_SORTED = frozenset({"languages", "places", "subjects", "our_translations", "machine_made", "other_titles",
                     "other_descriptions"})
_SET = "variant_titles"


def stored_value(column: str, cell: str) -> Cell:
    """The value the writer reads from a record's tables for ``column``, from the record's exported ``cell``."""
    if column not in MULTI_VALUED:
        return cell
    values = unjoin_values(cell)
    if column == _SET:
        return tuple(sorted(set(values)))
    if column in _SORTED:
        return tuple(sorted(values))
    return tuple(values)  # agents, in the order of their links


def exported_cells(lines: Sequence[tuple[str, str]], columns: Sequence[str]) -> dict[str, list[str]]:
    """The cells of each ``(identifier, line)``, by identifier; a line that does not read as that record's
    row of ``columns`` (which only a damaged line would not) is left out, and its record read the long way."""
    try:
        rows: list[list[str] | None] = list(read_lines([line for _identifier, line in lines]))
    except csv.Error:
        rows = []
    if len(rows) != len(lines):  # one line swallowed the next: read each alone
        rows = []
        for _identifier, line in lines:
            try:
                rows.append(read_line(line))
            except (csv.Error, IndexError):
                rows.append(None)
    width, at = len(columns), columns.index("identifier")
    return {identifier: cells for (identifier, _line), cells in zip(lines, rows, strict=True)
            if cells is not None and len(cells) == width and cells[at] == identifier}


class ReadyRowComparison:
    """Whether rows leave their records unchanged, judged from the records' exported cells.

    ``value_of(column, text)`` is the writer's parse of a multi-valued cell, or ``None``
    for a cell with a problem (left to the long way, which reports it). Verdicts on a
    multi-valued cell are kept by its text and the export's: cells repeat down a file.
    """

    def __init__(self, columns: Sequence[str], value_of: Callable[[str, str], Cell | None]) -> None:
        self.columns = list(columns)
        self.position = {column: index for index, column in enumerate(self.columns)}
        self.value_of = value_of
        self._shapes: dict[tuple[str, ...], _Shape] = {}
        self._verdicts: dict[tuple[str, str, str], bool] = {}

    def _shape(self, columns: tuple[str, ...]) -> _Shape:
        """What rows giving these columns compare (the identifier, a single value, at least)."""
        single = [column for column in columns if column not in MULTI_VALUED]
        pick_given = itemgetter(*single)
        pick_exported = itemgetter(*(self.position[column] for column in single))
        each = [(column, self.position[column]) for column in single]
        multi = [(column, self.position[column]) for column in columns if column in MULTI_VALUED]
        return pick_given, pick_exported, each, multi

    def stored_cells(self, exported: Sequence[str], columns: Iterable[str]) -> dict[str, Cell]:
        """The record's values in ``columns``, as the writer reads them from its tables."""
        position = self.position
        return {column: stored_value(column, exported[position[column]]) for column in columns}

    def unchanged(self, given: Mapping[str, str], exported: Sequence[str]) -> bool:
        """Whether the row's cells ``given`` (by column) leave the record whose exported cells these are as
        it is, as the writer would judge it from the record's tables."""
        columns = tuple(given)
        shape = self._shapes.get(columns)
        if shape is None:
            shape = self._shapes[columns] = self._shape(columns)
        pick_given, pick_exported, each, multi = shape
        if CLEAR in given.values():
            return False
        if pick_given(given) != pick_exported(exported):
            # A blank cell leaves its value as it is; any other text than the export's is for the long way.
            for column, index in each:
                text = given[column]
                if text and text != exported[index]:
                    return False
        verdicts = self._verdicts
        for column, index in multi:
            text = given[column]
            if not text:
                continue
            key = (column, text, exported[index])
            verdict = verdicts.get(key)
            if verdict is None:
                value = self.value_of(column, text)
                verdict = verdicts[key] = value is not None and value == stored_value(column, exported[index])
            if not verdict:
                return False
        return True
