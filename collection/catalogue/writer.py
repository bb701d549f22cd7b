"""The one writer behind every catalogue import: the fixture loader, the command and the admin.

It takes parsed rows, normalizes them (NFC), validates every row with the rules
of the models' own validators, resolves vocabulary and agent cells from lookups
loaded once per file, and only then writes, in batches, inside one transaction:
any error in any row and nothing is written. Every problem of a row is found in
the one check: a cell that cannot be parsed is reported, and the rest of its row
is checked without it (see ``_Planner._check_refused``). Records are created or
updated by identifier; history is recorded with the acting user and a change reason.

Blank cells in an update keep the stored value; ``[clear]`` removes it. A row
that matches the stored record exactly is reported as unchanged and not touched,
so importing the same file twice changes nothing the second time.

The file is read in batches of :data:`BATCH_SIZE` rows, and each batch costs a
fixed number of queries, whatever its rows hold. What is kept of a row between
checking and writing is small: a new row keeps its values, an unchanged row
next to nothing. Checking compares each cell with the stored record's value
(read for the whole batch at once, from the record's ready export row where it has
one: see :mod:`.unchanged`) before anything else, so an unchanged row is
neither validated nor written; a value repeated down the file (a kind, a date, a
list of places) is parsed and validated once (see :mod:`.checks`).
"""

from __future__ import annotations

import datetime
import gc
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import reasons
from ..concurrency import last_change_words
from ..dates import day_as_iso
from ..models import (
    Agent,
    AgentKind,
    Description,
    ExportLine,
    Language,
    LevelOfDescription,
    Place,
    Record,
    RecordAgent,
    RecordKind,
    ReservedIdentifier,
    Status,
    Subject,
    Title,
    identifier_case_message,
    validate_titles,
)
from ..models.labels import DERIVED_FORMS, is_machine_made_form
from ..text import CONTROL_CHARACTER, stored_form
from ..validators import (
    full_width_error,
    half_width_form,
    is_valid,
    unstorable_cell_problem,
    validate_identifier,
    validate_language_tag,
)
from ..workflow import ACTIONS, TransitionNotAllowed, check_edit, check_status_change
from .applying import BATCH_SIZE, Applier, apply_scalars, derived_forms, label_form
from .bulk import column_name as _column
from .bulk import index_scans, keys_in
from .bulk import table_name as _table
from .checks import Check, FieldVerdicts, field_check
from .csv_io import EXTRA_CELLS
from .export import Cell, as_text, export_queryset, record_cells, variant_cell
from .export_lines import layout_of
from .files import encoding_loss, encoding_problems, is_legacy_encoding
from .format import (
    AGENT_ROLE_COLUMNS,
    CLEAR,
    MULTI_VALUED,
    PLAIN_FIELDS,
    derived_form,
    has_column,
    label_tags,
    languages,
    machine_made_kept,
    machine_made_problems,
    named_tag,
    names_a_derived_form,
    parse_other_texts,
    record_columns,
    split_values,
)
from .resolve import AgentResolver, Lookup, ResolveError, load_places, load_subjects
from .unchanged import ReadyRowComparison, exported_cells

__all__ = [
    "BATCH_SIZE", "NEW", "UNCHANGED", "UPDATED", "NewAgent", "RowChange", "RowError", "RowErrors", "WriteResult",
    "derived_forms", "label_form", "write_rows",
]

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"

# progress(stage, rows done, rows in all or None): see write_rows().
Progress = Callable[[str, int, "int | None"], None]

# 9.78E+12, or 9780295983363.0 from a number cell: an ISBN a spreadsheet read as a number.
_NUMBER_MANGLED = re.compile(r"^(?:\d+(?:[.,]\d+)?[eE][+-]?\d+|\d{9,13}\.0)$")
# 767900561 for 0-7679-0056-1: an ISBN-10 whose leading zero a spreadsheet dropped, reading it as a number.
# (python-stdnum would take it for a 9-digit SBN and accept it.)
_LOST_ZERO = re.compile(r"^\d{9}$")
# Model field -> the column that sets it, where the names differ.
_FIELD_COLUMNS = {"date_edtf": "date", NON_FIELD_ERRORS: "identifier"}
_ORGANISATION_COLUMNS = {"publishers", "issuing_bodies", "described_agent", "repository"}
_CLEARABLE_NEVER = {"identifier", "kind", "status"}
_CACHED_COLUMNS = (MULTI_VALUED | {"kind", "status", "described_agent", "repository", "accessed"}) - {"variant_titles"}
# Columns holding one record field each, and the field: the rest are labels, links and vocabularies.
_FIELD_OF_COLUMN = {"kind": "kind", "status": "status", "date": "date_edtf", "sequence": "sequence",
                    "accessed": "accessed", **{name: name for name in PLAIN_FIELDS}}
# Columns the models judge by another column's value (Record.clean(): only an association describes an
# organisation, and it must): while that column's cell is refused, their verdict would be a guess.
_JUDGED_BY: dict[str, frozenset[str]] = {"kind": frozenset({"described_agent"})}
# The status changes whose action in the admin asks for a reason (the workflow's needs_reason), and what a
# row that makes one is told. A catalogue row has no place for a reason: a column for it would describe an
# event, not the record, so an export could not write it back and a re-import would mean nothing by it.
_REASON_MESSAGES = {
    "withdraw": gettext_lazy("Withdrawing a published record needs a reason: withdraw it in the admin."),
    "return": gettext_lazy("Returning a record under review to draft needs a reason: return it in the admin."),
}
_NEEDS_REASON = {(action.source, action.target): _REASON_MESSAGES[action.name]
                 for action in ACTIONS.values() if action.needs_reason}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "—", "message": self.message,
        }


class RowChange:
    """What one row does: ``fields`` maps each changed column to its (old, new) cell text.

    The fields of a new row are its own cells, made into text when asked for: a
    file of new rows holds no second copy of itself.
    """

    __slots__ = ("row", "identifier", "kind", "action", "_fields", "_plan")

    def __init__(self, row: int, identifier: str, kind: str, action: str,
                 fields: dict[str, tuple[str, str]] | None = None, *, plan: Any = None) -> None:
        self.row = row
        self.identifier = identifier
        self.kind = kind
        self.action = action
        self._plan = plan
        self._fields = {} if fields is None and plan is None else fields

    @property
    def fields(self) -> dict[str, tuple[str, str]]:
        if self._fields is not None:
            return self._fields
        values, index = self._plan.values, self._plan.index
        return {column: ("", as_text(values[index[column]])) for column in self._plan.changed
                if values[index[column]]}

    def _key(self) -> tuple:
        return self.row, self.identifier, self.kind, self.action, self.fields

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowChange) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"RowChange(row={self.row!r}, identifier={self.identifier!r}, kind={self.kind!r}, "
                f"action={self.action!r}, fields={self.fields!r})")


@dataclass(frozen=True)
class NewAgent:
    identifier: str
    name: str
    kind: str


@dataclass
class WriteResult:
    errors: list[RowError] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    new_agents: list[NewAgent] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts_by_kind(self) -> dict[str, list[int]]:
        """New, updated and unchanged rows by record kind (or vocabulary): what :func:`summary_lines` words."""
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return {kind: [self.created[kind], self.updated[kind], self.unchanged[kind]] for kind in kinds}

    def summary_lines(self) -> list[str]:
        """One line per record kind, then the agents created from names."""
        return summary_lines(self.counts_by_kind(), [(agent.identifier, agent.name) for agent in self.new_agents])


def zero_padded(identifiers: Iterable[str]) -> dict[str, str]:
    """The identifiers of digits with leading zeros among these, by their digits without the zeros."""
    return {identifier.lstrip("0"): identifier for identifier in identifiers
            if identifier.startswith("0") and identifier.isascii() and identifier.isdigit()
            and identifier.lstrip("0")}


def leading_zeros_lost(identifier: str, padded: Mapping[str, str]) -> str:
    """Why a new identifier of digits is refused when one with leading zeros is stored, else ``""``.

    A spreadsheet program reading a CSV file takes ``00123`` for the number 123 and
    writes it back as ``123``: as a new identifier, that row would be a second copy of
    the one it came from.
    """
    if identifier.startswith("0") or not (identifier.isascii() and identifier.isdigit()):
        return ""
    given = padded.get(identifier)
    if given is None:
        return ""
    return _("“%(identifier)s” is a new identifier, but the catalogue has “%(padded)s”: a spreadsheet program "
             "that read the column as numbers dropped its leading zeros, and the row would add it a second "
             "time. Write %(padded)s (format the column as text first), or edit an XLSX export, whose cells "
             "stay text.") % {"identifier": identifier, "padded": given}


def kind_label(kind: str) -> str:
    """A record kind (``memoir``) or a vocabulary sheet (``places``) by its name in the active language."""
    if kind in RecordKind.values:
        return str(RecordKind(kind).label)
    vocabularies = {"agents": Agent, "places": Place, "subjects": Subject}
    return str(vocabularies[kind]._meta.verbose_name_plural) if kind in vocabularies else kind


def summary_lines(counts_by_kind: dict[str, list[int]], new_agents: list[tuple[str, str]]) -> list[str]:
    """An import's outcome in the active language: one line per record kind or vocabulary (new, updated and
    unchanged rows), then the agents created from names (identifier, name). Worded when shown, not when
    stored, so that a preview reads in the language of whoever opens it."""
    lines = [
        _("%(kind)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "kind": kind_label(kind), "new": new, "updated": updated, "unchanged": unchanged}
        # In the kinds' order, whatever order a stored summary's keys come back in (PostgreSQL's jsonb has its own).
        for kind, (new, updated, unchanged) in sorted(counts_by_kind.items())
    ]
    if not lines:  # a file of a header only
        lines.append(_("%(new)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "new": 0, "updated": 0, "unchanged": 0})
    for identifier, name in new_agents:
        lines.append(_("new agent %(identifier)s: %(name)s") % {"identifier": identifier, "name": name})
    return lines


class _RowPlan:
    """What one row would do.

    A new row (``record`` is ``None``) keeps its ``values``, a tuple in the order of
    the record columns. A row that changes a stored record keeps the record (a model
    instance with everything the writer changes) and the ``current`` and ``desired``
    cells. An unchanged row keeps what the stored record was compared by: its key, version, status, kind,
    parent and described agent.
    ``given`` are the columns the row gives a value; ``changed`` those whose value it changes.
    """

    __slots__ = ("row", "identifier", "record", "kind", "values", "given", "changed", "current", "_desired",
                 "pk", "index")

    def __init__(self, row: int, identifier: str, record: Any, kind: str, *, index: dict[str, int],
                 values: tuple | None = None, current: dict[str, Cell] | None = None,
                 desired: dict[str, Cell] | None = None, given: Iterable[str] = (),
                 changed: Iterable[str] = ()) -> None:
        self.row, self.identifier, self.record, self.kind, self.index = row, identifier, record, kind, index
        self.values, self.current, self._desired = values, current, desired
        self.given, self.changed = given, changed
        self.pk: int | None = None

    @property
    def desired(self) -> dict[str, Cell]:
        if self._desired is None:
            self._desired = dict(zip(self.index, self.values, strict=True))
        return self._desired


class _Stored:
    """A stored record as a row is compared with it: the values of the batch's columns only.

    Its parent and the organisation it describes are always read: the checks across
    rows need them whatever the file's columns. ``exported`` are the cells of its ready
    export row, where it has one; ``as_exported`` is set when they tell that the row
    leaves the record unchanged (:mod:`.unchanged`), and nothing else of the record is read.
    """

    __slots__ = ("pk", "identifier", "version", "status", "kind", "parent", "described", "cells", "exported",
                 "as_exported")

    def __init__(self, pk: int, identifier: str, version: int, status: str, kind: str, parent: str,
                 described: str) -> None:
        self.pk, self.identifier, self.version, self.status, self.kind = pk, identifier, version, status, kind
        self.parent, self.described = parent, described
        self.cells: dict[str, Cell] | None = {}
        self.exported: list[str] | None = None
        self.as_exported = False


class RowErrors:
    """The errors of a file, each naming its row and column, in the order they were found."""

    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, row: int, column: str, message: Any) -> None:
        self.items.append(RowError(row, column, str(message)))

    def add_validation(self, row: int, error: ValidationError, column: str | None = None) -> None:
        if hasattr(error, "error_dict") and column is None:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(row, _FIELD_COLUMNS.get(name, name), message)
        else:
            for message in error.messages:
                self.add(row, column or "identifier", message)


def _refuse_full_width(value: str, valid: Callable[[str], Any]) -> None:
    """Refuse ``value`` naming its ASCII form, where it is typed in full-width characters and that form is
    ``valid``."""
    ascii_form = half_width_form(value)
    if ascii_form is not None and valid(ascii_form):
        raise full_width_error(value, ascii_form)


def _empty(column: str) -> Cell:
    return () if column in MULTI_VALUED or column in AGENT_ROLE_COLUMNS else ""


def _title_columns() -> list[str]:
    return [f"title_{tag}" for tag in label_tags()]


# Columns whose cell becomes another type on the record.
_CONVERTED = frozenset({"sequence", "accessed", "level"})


def _field_value(column: str, text: Cell) -> Any:
    """A cell's value as :func:`~.applying.apply_scalars` puts it on the record (what its field validates)."""
    if column == "sequence":
        return int(text) if str(text).isdigit() else (text or None)
    if column == "accessed" and text:
        try:
            return datetime.date.fromisoformat(str(text))
        except ValueError:
            return text
    if column == "level":
        return text or LevelOfDescription.ITEM
    return text


class _Planner:
    """Validates every row and works out what would change, without writing."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.errors = RowErrors()
        self.columns = record_columns()
        self.index = {column: position for position, column in enumerate(self.columns)}
        self.places: Lookup | None = None
        self.subjects: Lookup | None = None
        self.agents: AgentResolver | None = None
        self.languages: dict[str, str] = {}
        self.new_languages: dict[str, str] = {}
        # Vocabulary, agent and language cells repeat across rows; each distinct one is parsed once.
        self.parsed: dict[tuple[str, str], Cell] = {}
        # Each field's verdict on each value, shared by the quick checks and the models' validation.
        self.verdicts = FieldVerdicts()
        self.blank: dict[str, Cell] = {column: _empty(column) for column in self.columns}
        self.blank.update(identifier="", status=Status.DRAFT, level=LevelOfDescription.ITEM)
        self.blank_values = tuple(self.blank[column] for column in self.columns)
        # Set by write_rows: called with ("checking", rows done, None) after each batch.
        self.progress: Progress | None = None
        # Set by write_rows: the file's first row, where the caller has it.
        self.header: Sequence[str] | None = None
        # Set by write_rows: the codec a CSV file was read with, "" for an XLSX workbook or rows from elsewhere.
        self.encoding = ""
        self.legacy_encoding = False
        # By the identifier's lower case: the row that first gives it, and how it spells it.
        self.first_row: dict[str, int] = {}
        self.first_spelling: dict[str, str] = {}
        # Identifiers ever given that are digits with leading zeros, by their digits without them; read once.
        self._zero_padded: dict[str, str] | None = None
        # The columns the file has (its header, or those its rows name).
        self.file_columns: set[str] = set()
        # What the checks across rows need, kept as the rows are planned.
        self.planned: set[str] = set()
        self.parent_of: dict[str, str] = {}
        self.parent_rows: list[tuple[int, str, str]] = []
        self.claims: list[tuple[int, str]] = []
        # Rows with a cell that could not be read or parsed, and those cells: the rest of such a row is
        # checked on its own (see _check_refused), so that a file shows all its problems in one import.
        self.refused_on_reading: dict[int, set[str]] = {}
        self._refused: list[tuple[_RowPlan, frozenset[str]]] = []
        self._shared: dict[Any, Any] = {}
        self._creation: dict[str, str | None] = {}
        self._checks: dict[str, Check] | None = None
        self._label_verdicts: dict[tuple[Any, ...], bool] = {}
        self._kinds = frozenset(RecordKind.values)
        self._statuses = frozenset(Status.values)
        self.label_tags, self.languages_configured = label_tags(), languages()
        self._names: dict[Any, str] = {}
        # The identifier validator's own test, without its per-call overhead.
        self._identifier_format = re.compile(validate_identifier.regex.pattern, validate_identifier.regex.flags).search
        self._shapes: dict[tuple[int, ...], tuple[frozenset[str], list[int], list[tuple[int, Check, str]]]] = {}
        self._checks_of: dict[frozenset[str], list[tuple[int, Check, str]]] = {}
        self.ready_rows = ReadyRowComparison(self.columns, self._value_quietly)
        self._titles = [(tag, f"title_{tag}", self.index[f"title_{tag}"]) for tag in self.label_tags]
        self._titling = frozenset({column for _tag, column, _at in self._titles} | {"variant_titles", "other_titles"})
        self._descriptions = [(tag, f"description_{tag}", self.index[f"description_{tag}"])
                              for tag in self.languages_configured]
        self._derived_columns = [column for tag, column, _at in self._titles if derived_form(tag)]
        # Columns whose valid cell is its own value: only "[clear]" needs parse() there.
        self._as_given = frozenset(
            column for column in self.columns
            if column not in MULTI_VALUED and column not in _CACHED_COLUMNS
            and column not in ("identifier", "kind", "status", "isbn", "sequence", "accessed"))

    def _share(self, value: Any) -> Any:
        """One copy of each distinct set of columns: rows of a file mostly give the same ones."""
        return self._shared.setdefault(value, value)

    # -- reading cells -------------------------------------------------------------------------------

    def normalize(self, number: int, row: Mapping[str, Any]) -> dict[str, str]:
        names = self._names
        # Most rows are text already in NFC, without NUL or stray cells: all of it is checked at once.
        try:
            joined = "".join(row.values())
        except TypeError:  # a cell that is not text (None, a number)
            joined = None
        if (joined is not None and "\x00" not in joined and "\r" not in joined and EXTRA_CELLS not in row
                and CONTROL_CHARACTER.search(joined) is None
                and (joined.isascii() or unicodedata.is_normalized("NFC", joined))):
            try:
                return {names[column]: value.strip() for column, value in row.items()}
            except KeyError:  # a column name not seen before: the long way names it
                pass
        cells: dict[str, str] = {}
        for column, value in row.items():
            name = names.get(column)
            if name is None:
                name = names[column] = str(column or "").strip()
            column = name
            if column == EXTRA_CELLS:
                if str(value or "").strip():
                    self.errors.add(number, "", _("There are cells beyond the last named column."))
                continue
            if value.__class__ is not str:
                value = "" if value is None else str(value)
            value = stored_form(value)
            problem = unstorable_cell_problem(value)
            if problem is not None:
                self.errors.add(number, column, problem)
                self.refused_on_reading.setdefault(number, set()).add(column)
                continue
            cells[column] = value.strip()
        return cells

    def parse(self, number: int, column: str, text: str) -> Cell | None:
        """The canonical value of a given, non-blank cell; ``None`` after reporting an error."""
        if text == CLEAR:
            if column in _CLEARABLE_NEVER:
                self.errors.add(number, column, _("This column cannot be cleared."))
                return None
            return _empty(column)
        cacheable = column in _CACHED_COLUMNS
        if cacheable:
            value = self.parsed.get((column, text))
            if value is not None:
                return value
        try:
            value = self._parse(number, column, text)
        except ResolveError as exc:
            self.errors.add(number, column, exc)
        except ValidationError as exc:
            self.errors.add_validation(number, exc, column)
        else:
            if cacheable:
                # Only values that parsed: a bad value is reported again on every row that has it.
                self.parsed[column, text] = value
            return value
        return None

    def _parse(self, number: int, column: str, text: str) -> Cell:
        if column == "kind":
            if text not in self._kinds:
                _refuse_full_width(text, self._kinds.__contains__)
                raise ValidationError(_("Unknown kind “%(value)s”; use one of %(choices)s.") % {
                    "value": text, "choices": ", ".join(RecordKind.values)})
            return text
        if column == "status":
            if text not in self._statuses:
                _refuse_full_width(text, self._statuses.__contains__)
                raise ValidationError(_("Unknown status “%(value)s”; use one of %(choices)s.") % {
                    "value": text, "choices": ", ".join(Status.values)})
            return text
        if column == "isbn" and _NUMBER_MANGLED.match(text):
            raise ValidationError(_(
                "“%(value)s” is an ISBN turned into a number by a spreadsheet; format the column as text "
                "and type the ISBN again.") % {"value": text})
        if column == "isbn" and _LOST_ZERO.match(text):
            raise ValidationError(_(
                "“%(value)s” has 9 digits: an ISBN-10 whose leading 0 a spreadsheet dropped when it read the ISBN "
                "as a number; format the column as text and type the ISBN again.") % {"value": text})
        if column == "sequence" and text.isdigit():
            return str(int(text))
        if column == "accessed":
            try:
                return datetime.date.fromisoformat(text).isoformat()
            except ValueError:
                if iso := day_as_iso(text) or _day_of_moment(text):
                    raise ValidationError(_("“%(value)s” is not a date like 2010-12-31: write %(date)s.")
                                          % {"value": text, "date": iso}) from None
                raise ValidationError(_("“%(value)s” is not a date like 2010-12-31.") % {"value": text}) from None
        if column not in MULTI_VALUED and column not in ("described_agent", "repository"):
            return text
        values = split_values(text)
        if column == "variant_titles":
            return tuple(sorted({self._variant(value) for value in values}))
        if column in ("other_titles", "other_descriptions"):
            return self._others(column, values)
        if column == "our_translations":
            for value in values:
                if not self._names_a_text(value):
                    raise ValidationError(_("“%(value)s” is not a title or description column of a language.")
                                          % {"value": value})
            return tuple(sorted(set(values)))
        if column == "machine_made":
            for value in values:
                if not names_a_derived_form(value, "title", self.label_tags):
                    raise ValidationError(_(
                        "“%(value)s” is not a reading or romanization column (%(columns)s), nor title_<tag> of "
                        "a reading or romanization in other_titles.") % {
                        "value": value, "columns": ", ".join(self._derived_columns)})
            return tuple(sorted(set(values)))
        if column == "languages":
            return tuple(sorted({self._language(value) for value in values}))
        for value in values if self.legacy_encoding else ():
            # A name the file's code page turned into ???? would name, or make, an agent of that name.
            if problem := encoding_loss("", value, self.encoding):
                raise ValidationError(problem)
        if column == "places":
            return self._unique(self.places.resolve(value).identifier for value in values)
        if column == "subjects":
            return self._unique(self.subjects.resolve(value).identifier for value in values)
        kind = AgentKind.ORGANISATION if column in _ORGANISATION_COLUMNS else AgentKind.PERSON
        entries = [self.agents.resolve(value, kind) for value in values]
        if column in ("described_agent", "repository"):
            if len(entries) != 1:
                raise ValidationError(_("Give one agent only."))
            if entries[0].kind != AgentKind.ORGANISATION:
                raise ValidationError(_("“%(value)s” is not an organisation.") % {"value": entries[0].describe()})
            return entries[0].identifier
        identifiers = [entry.identifier for entry in entries]
        if len(set(identifiers)) != len(identifiers):
            raise ValidationError(_("The same agent is listed twice."))
        return tuple(identifiers)

    def _others(self, column: str, values: list[str]) -> tuple[str, ...]:
        """``other_titles`` or ``other_descriptions``: one ``tag:text`` per tag that has no column of its own."""
        titles = column == "other_titles"
        return parse_other_texts(
            values, self.label_tags if titles else self.languages_configured, "title" if titles else "description",
            _("“%(tag)s” has its own column: write this text in %(column)s."),
            _("Two texts tagged %(tag)s (“%(first)s” and “%(second)s”): a record has one preferred text per language."))

    def _names_a_text(self, value: str) -> bool:
        """Whether an ``our_translations`` value names a title or description: the column of a configured
        language, or ``title_<tag>`` (``description_<tag>``) of a tag without a column of its own."""
        named = named_tag(value, {"title": self.label_tags, "description": self.languages_configured})
        # A reading or romanization column is never a translation.
        return named is not None and (not named[2] or named[1] in self.languages_configured)

    @staticmethod
    def _unique(identifiers: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(identifiers)))

    @staticmethod
    def _variant(value: str) -> str:
        tag, sep, text = value.partition(":")
        if not sep or not text.strip():
            raise ValidationError(_("Write a variant title as language:title, e.g. en:Title."))
        validate_language_tag(tag.strip())
        return variant_cell(tag.strip(), text.strip())

    def _language(self, value: str) -> str:
        known = self.languages.get(value.lower())
        if known:
            return known
        _refuse_full_width(value, lambda tag: is_valid(validate_language_tag, tag))
        validate_language_tag(value)
        self.new_languages.setdefault(value.lower(), value)
        self.languages[value.lower()] = value
        return value

    # -- the whole file ------------------------------------------------------------------------------

    def plan(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[_RowPlan]:
        """Plans of the rows, read and checked a batch at a time; checks across rows come last.

        The file's header, if known, is checked as the columns of the rows are: a file
        of a header only has its columns checked all the same. An unknown column is
        reported with the problems of the rows, which are checked without its cells,
        so that one check shows them all; without an identifier column no row can be
        told from another record's, and the rows are not checked.
        """
        header = self.header
        allowed = set(self.columns)
        unknown: set[str] = set()
        seen_layouts: set[tuple] = set()
        has_identifier = any_rows = False
        plans: list[_RowPlan] = []
        rows = iter(rows)
        done = 0

        def learn(layout: tuple) -> None:
            nonlocal unknown, has_identifier
            if layout in seen_layouts:
                return
            seen_layouts.add(layout)
            names = {str(column or "").strip() for column in layout} - {EXTRA_CELLS}
            unknown |= names - allowed
            has_identifier = has_identifier or "identifier" in names
            self.file_columns |= names

        if header is not None:
            learn(tuple(header))
        while batch := list(islice(rows, BATCH_SIZE)):
            any_rows = True
            for _number, row in batch:
                learn(tuple(row))
            if header is not None and not has_identifier:
                continue  # the rows cannot be checked: read on only to name the unknown columns
            if unknown:
                # The file is refused for its columns; its rows are checked without them all the same.
                batch = [(number, {column: value for column, value in row.items()
                                   if str(column or "").strip() not in unknown}) for number, row in batch]
            if self.places is None:
                self._load_lookups()
            plans.extend(self._plan_batch(batch))
            done += len(batch)
            if self.progress is not None:
                self.progress("checking", done, None)
        missing_identifier = (any_rows or header is not None) and not has_identifier
        unknown_columns = [RowError(1, column, _("Unknown column.")) for column in sorted(unknown)]
        if missing_identifier:
            self.errors.items = unknown_columns
            if any_rows:
                self.errors.add(1, "identifier", _("The identifier column is missing, so the rows were not "
                                                   "checked: without it, which record a row means is not known."))
            else:
                self.errors.add(1, "identifier", _("The identifier column is missing."))
            return []
        self.errors.items[:0] = unknown_columns
        if self.places is None:  # no rows: writing them still reads the lookups
            self._load_lookups()
        self._check_parents()
        self._check_described_agents()
        return plans

    def _load_lookups(self) -> None:
        self.places, self.subjects, self.agents = load_places(), load_subjects(), AgentResolver()
        self.languages = {tag.lower(): tag for tag in Language.objects.values_list("tag", flat=True)}

    def _plan_batch(self, batch: list[tuple[int, Mapping[str, Any]]]) -> list[_RowPlan]:
        normalized = [(number, self.normalize(number, row)) for number, row in batch]
        read = len(self.errors.items)
        identifiers = []
        given: dict[str, dict[str, str]] = {}
        columns: set[str] = set()
        for number, cells in normalized:
            identifier = cells.get("identifier", "")
            if not identifier:
                self.errors.add(number, "identifier", _("Every row needs an identifier."))
                continue
            if not self._identifier_format(identifier):
                try:
                    _refuse_full_width(identifier, self._identifier_format)
                    validate_identifier(identifier)  # the validator's own message
                except ValidationError as exc:
                    self.errors.add_validation(number, exc, "identifier")
                    continue
            folded = identifier.lower()
            if folded in self.first_row:
                first = self.first_row[folded]
                if self.first_spelling[folded] == identifier:
                    message = _("“%(identifier)s” is also on row %(row)s.")
                else:
                    message = _("“%(identifier)s” is also on row %(row)s, as “%(first)s”: identifiers are the "
                                "same whatever their letter case.")
                self.errors.add(number, "identifier", message % {
                    "identifier": identifier, "row": first, "first": self.first_spelling[folded]})
                continue
            self.first_row[folded], self.first_spelling[folded] = number, identifier
            identifiers.append(identifier)
            given[identifier] = cells
            columns.update(cells)

        wanted = columns & set(self.index)
        stored = _load_stored(identifiers, wanted)
        self._compare_with_ready_rows(stored, given, wanted)
        reserved = self._reserved(set(identifiers) - set(stored))
        plans: list[_RowPlan] = []
        for number, cells in normalized:
            identifier = cells.get("identifier", "")
            if self.first_row.get(identifier.lower()) != number:
                continue
            given_as = reserved.get(identifier.lower())
            if given_as == identifier:
                self.errors.add(number, "identifier", _(
                    "“%(identifier)s” has been used before and can never be used again.") % {
                    "identifier": identifier})
                continue
            if given_as is not None:
                self.errors.add(number, "identifier", identifier_case_message(identifier, given_as))
                continue
            record = stored.get(identifier)
            if record is None and identifier.isdigit():
                if self._zero_padded is None:
                    self._zero_padded = zero_padded(ReservedIdentifier.objects.filter(
                        identifier__startswith="0").values_list("identifier", flat=True).iterator())
                message = leading_zeros_lost(identifier, self._zero_padded)
                if message:
                    self.errors.add(number, "identifier", message)
                    continue
            if record is None:
                plan = self._plan_new(number, identifier, cells)
            else:
                plan = self._plan_stored(number, identifier, record, cells)
            if plan is not None:
                plans.append(plan)
        refused, self._refused = self._refused, []
        if self.refused_on_reading:
            plans = self._set_aside_unread(plans, refused, read)

        changing = [plan for plan in plans if plan.record is not None and plan.changed]
        if refused:
            changing += [plan for plan, _columns in refused if plan.record is not None and plan.changed]
        full = self._load_full([plan.identifier for plan in changing])
        for plan in changing:
            record = full[plan.identifier]
            current = record_cells(record)
            if "variant_titles" in current:  # a set, as a cell gives it and the stored records are read
                current["variant_titles"] = tuple(sorted(set(current["variant_titles"])))
            desired = {**current, **plan.desired}
            if "machine_made" not in plan.desired:
                # A form whose text the row changes is the archivist's, as it is without the column.
                desired["machine_made"] = machine_made_kept(current, desired, self.label_tags, "other_titles")
            changed = [column for column in self.columns if desired.get(column) != current.get(column)]
            if changed:
                plan.record, plan.current, plan._desired, plan.changed = record, current, desired, changed
            else:  # the row's values turn out to be the record's own: an unchanged row like any other
                plan._desired, plan.changed = None, ()
        for plan in plans:
            self._note_links(plan)
            if plan.changed:
                self._check_permission(plan)
                self._validate(plan)
        for plan, columns in refused:
            self._check_refused(plan, columns)
        return plans

    def _set_aside_unread(self, plans: list[_RowPlan], refused: list[tuple[_RowPlan, frozenset[str]]],
                          read: int) -> list[_RowPlan]:
        """Move the plans of rows with a cell refused on reading (a NUL character) to ``refused``; the other
        plans are returned.

        Such a cell is left out of its row, and what was said about it since (``read`` is
        the number of errors once the batch was read) was said of its absence: a row
        without an identifier, a new record without a kind. Only the cell's own error stays.
        """
        unread, self.refused_on_reading = self.refused_on_reading, {}
        nothing: set[str] = set()
        self.errors.items[read:] = [error for error in self.errors.items[read:]
                                    if error.column not in unread.get(error.row, nothing)]
        refused[:] = [(plan, columns | unread.pop(plan.row, nothing)) for plan, columns in refused]
        kept = []
        for plan in plans:
            if plan.row in unread:
                refused.append((plan, frozenset(unread[plan.row])))
            else:
                kept.append(plan)
        return kept

    def _compare_with_ready_rows(self, stored: dict[str, _Stored], given: dict[str, dict[str, str]],
                                 columns: set[str]) -> None:
        """Mark the records whose ready export rows tell their rows unchanged; the others' stored values
        come from their ready rows, to be compared cell by cell."""
        ready_rows = self.ready_rows
        for identifier, record in stored.items():
            if record.exported is None:
                continue
            if ready_rows.unchanged(given[identifier], record.exported):
                record.as_exported, record.cells = True, None
            else:
                record.cells = ready_rows.stored_cells(record.exported, columns)
            record.exported = None

    def _value_quietly(self, column: str, text: str) -> Cell | None:
        """:meth:`parse` of a given, non-blank cell without reporting: ``None`` for a cell with a problem, or
        one that names an agent or language the catalogue does not have yet.

        It runs before the rows are planned, so it must leave nothing behind: a new agent
        or language is made by the row that names it, in the file's order (its identifier,
        kind and spelling come from the first row that does).
        """
        value = self.parsed.get((column, text))
        if value is not None:
            return value
        try:
            if column in AGENT_ROLE_COLUMNS and any(self.agents.lookup.find(name) is None
                                                    for name in split_values(text)):
                return None
            if column == "languages" and any(tag.lower() not in self.languages for tag in split_values(text)):
                return None
            value = self._parse(0, column, text)
        except (ResolveError, ValidationError):
            return None
        if column in _CACHED_COLUMNS:
            self.parsed[column, text] = value
        return value

    def _plan_new(self, number: int, identifier: str, cells: dict[str, str]) -> _RowPlan | None:
        """The plan of a new record's row; ``None`` if a cell is refused (the row is then set aside, with the
        cells refused, to be checked without them)."""
        refused: list[str] | None = None
        values = list(self.blank_values)
        given = []
        index, as_given, parsed = self.index, self._as_given, self.parsed
        for column, text in cells.items():
            if not text or column not in index:
                continue
            if column in as_given and text != CLEAR:
                value = text
            else:
                if column == "identifier":
                    continue
                value = parsed.get((column, text)) or self.parse(number, column, text)
                if value is None:  # parse() reported it
                    refused = [column] if refused is None else [*refused, column]
                    continue
            position = index[column]
            values[position] = value
            given.append(position)
        kind = values[index["kind"]]
        if not kind and not cells.get("kind"):
            self.errors.add(number, "kind", _("A new record needs a kind (%(choices)s).") % {
                "choices": ", ".join(RecordKind.values)})
            refused = [*(refused or ()), "kind"]
        shape = self._shapes.get(tuple(given))
        if shape is None:
            shape = self._shapes[tuple(given)] = self._shape(given)
        names, ordered, _checks = shape
        blank, columns = self.blank_values, self.columns
        changed = [columns[position] for position in ordered if values[position] != blank[position]]
        plan = _RowPlan(number, identifier, None, str(kind), index=index, values=tuple(values), current=self.blank,
                        given=names, changed=self._share(tuple(changed)))
        if refused:
            self._refused.append((plan, frozenset(refused)))
            return None
        return plan

    def _shape(self, given: list[int]) -> tuple[frozenset[str], list[int], list[tuple[int, Check, str]]]:
        """What rows giving these columns (by position) share: the columns' names, their positions in
        column order, and the quick checks of the record fields among them."""
        checks = self._field_checks()
        ordered = sorted(given)
        names = frozenset(self.columns[position] for position in ordered)
        fields = [(position, checks[self.columns[position]], self.columns[position]) for position in ordered
                  if self.columns[position] in checks]
        names = self._share(names)
        self._checks_of[names] = fields
        return names, ordered, fields

    def _plan_stored(self, number: int, identifier: str, record: _Stored,
                     cells: dict[str, str]) -> _RowPlan | None:
        """Compare the row with the stored record, cell by cell; parse only what differs as text.

        ``None`` if a cell is refused: the row is then set aside, as in :meth:`_plan_new`.
        """
        if record.as_exported:
            return _RowPlan(number, identifier, record, record.kind, index=self.index)
        refused: list[str] | None = None
        stored = record.cells
        given: dict[str, Cell] = {}
        differs = False
        parsed = self.parsed
        for column, text in cells.items():
            if not text or column == "identifier" or column not in stored:
                continue
            current = stored[column]
            if text == current and text != CLEAR:
                given[column] = current
                continue
            value = parsed.get((column, text)) or self.parse(number, column, text)
            if value is None:  # parse() reported it
                refused = [column] if refused is None else [*refused, column]
                continue
            if column in ("our_translations", "machine_made"):
                value = self._with_unmentioned_flags(cells, value, current)
            given[column] = value
            if value != current:
                differs = True
        record.cells = None  # compared: only the key, version, parent and described organisation are kept
        if refused:
            plan = _RowPlan(number, identifier, record, str(given.get("kind", record.kind)), index=self.index,
                            given=frozenset(given))
            if differs:  # completed with the stored record's other cells, as a changed row below
                plan._desired, plan.changed = given, tuple(given)
            self._refused.append((plan, frozenset(refused)))
            return None
        if not differs:
            return _RowPlan(number, identifier, record, record.kind, index=self.index)
        plan = _RowPlan(number, identifier, record, str(given.get("kind", record.kind)), index=self.index,
                        given=self._share(frozenset(given)))
        # Completed with the stored record's other cells once it is loaded in full.
        plan._desired = given
        plan.changed = tuple(given)
        return plan

    def _with_unmentioned_flags(self, cells: Mapping[str, str], value: Cell, stored: Cell) -> Cell:
        """An ``our_translations`` (``machine_made``) cell of a row without an ``other_titles``
        (``other_descriptions``) column, with the stored texts of tags without a column that are ours
        (machine-made): a sheet that cannot show those texts (one exported before these columns were) says
        nothing about them."""
        kept = [name for name in stored if name not in value and (
            (name.startswith("title_") and "other_titles" not in cells
             and not has_column(name[len("title_"):], self.label_tags))
            or (name.startswith("description_") and "other_descriptions" not in cells
                and not has_column(name[len("description_"):], self.languages_configured)))]
        return tuple(sorted({*value, *kept})) if kept else value

    def _note_links(self, plan: _RowPlan) -> None:
        """Remember what the checks across rows need: its parent and the organisation it describes."""
        self.planned.add(plan.identifier)
        if plan.values is not None:
            values, index = plan.values, self.index
            parent, described = values[index["parent"]], values[index["described_agent"]]
        elif plan.changed:
            parent, described = str(plan.desired["parent"]), str(plan.desired["described_agent"])
        else:
            parent, described = plan.record.parent, plan.record.described
        if parent:
            self.parent_of[plan.identifier] = parent
            if "parent" in plan.changed:
                self.parent_rows.append((plan.row, plan.identifier, parent))
        if described:
            self.claims.append((plan.row, described))

    def _check_described_agents(self) -> None:
        """An organisation is described by one association record only."""
        claims: dict[str, int] = {}
        for row, agent in self.claims:
            if agent in claims:
                self.errors.add(row, "described_agent", _("Row %(row)s already describes %(agent)s.") % {
                    "row": claims[agent], "agent": agent})
                continue
            claims[agent] = row
        if not claims:
            return
        taken = Record.objects.filter(described_agent__identifier__in=list(claims)).values_list(
            "described_agent__identifier", "identifier")
        for agent, identifier in taken:
            if identifier not in self.planned:
                self.errors.add(claims[agent], "described_agent", _(
                    "%(agent)s is already described by %(identifier)s.") % {"agent": agent, "identifier": identifier})

    @staticmethod
    def _load_full(identifiers: list[str]) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for start in range(0, len(identifiers), BATCH_SIZE):
            chunk = identifiers[start:start + BATCH_SIZE]
            for record in export_queryset(Record.objects.filter(identifier__in=chunk)):
                found[record.identifier] = record
        return found

    @staticmethod
    def _reserved(identifiers: set[str]) -> dict[str, str]:
        """The identifiers ever given to a record among these, in any letter case: by their lower case, as
        given."""
        if not identifiers:
            return {}
        # Read through the index of the lower case that makes identifiers unique whatever their case.
        return {identifier.lower(): identifier for (identifier,) in _select(
            f"SELECT identifier FROM {_table(ReservedIdentifier)} WHERE {{keys}}", "lower(identifier)",
            sorted({identifier.lower() for identifier in identifiers}), "text")}

    def _check_permission(self, plan: _RowPlan, refused: frozenset[str] = frozenset()) -> None:
        """The workflow's verdict on the row's status and the user's right to change its record.

        ``refused`` are the cells of the row that were refused: a change it tries to make
        all the same, for the right to edit.
        """
        status = str(plan.values[self.index["status"]] if plan.values is not None else plan.desired["status"])
        if plan.record is None:
            # A new record: the verdict depends on the user and the status only.
            if status not in self._creation:
                try:
                    check_status_change(self.user, None, status)
                except TransitionNotAllowed as exc:
                    self._creation[status] = str(exc)
                else:
                    self._creation[status] = None
            if self._creation[status] is not None:
                self.errors.add(plan.row, "status", self._creation[status])
            return
        data = [column for column in plan.changed if column != "status"]
        if refused:
            data += [column for column in self.columns if column in refused and column not in data
                     and column != "status"]
        if status != plan.record.status:
            try:
                # A row that changes the record as it publishes it publishes the importer's own change.
                check_status_change(self.user, plan.record, status, changing=bool(data))
            except TransitionNotAllowed as exc:
                self.errors.add(plan.row, "status", exc)
            else:
                needs_reason = _NEEDS_REASON.get((plan.record.status, status))
                if needs_reason is not None:
                    self.errors.add(plan.row, "status", needs_reason)
        self._check_editing(plan, data)

    def _check_editing(self, plan: _RowPlan, data: list[str]) -> None:
        """Whether the user may change the row's stored record, and its columns ``data`` (other than status)."""
        if self.user is None:
            return
        if not self.user.has_perm("collection.change_record"):
            self.errors.add(plan.row, "identifier", _("You may not change records."))
            return
        # Editing by role: the stored status decides, as in the admin (a contributor edits drafts only).
        if data:
            try:
                check_edit(self.user, plan.record)
            except TransitionNotAllowed as exc:
                self.errors.add(plan.row, data[0], exc)

    def _check_refused(self, plan: _RowPlan, refused: frozenset[str]) -> None:
        """Check a row some of whose cells were refused (``refused``), as any row is, without those cells.

        A refused cell counts as blank: a new record's default, a stored record's own value.
        So that nothing is reported that only the refused value caused, or that only its
        correction could tell, the models' verdict on a refused column is left out, and
        so is whatever the models judge by it: the organisation of a record of unknown
        kind, the title a row lacks when one of its titles was refused. A new record whose
        status is refused is judged as of the default status. The right to edit is: a
        refused cell is a change the row tries to make.
        """
        claims = len(self.claims)
        self._note_links(plan)
        if "described_agent" in refused:
            del self.claims[claims:]
        if plan.record is None:
            # A refused status counts as the default one: whether the user may create records at all is
            # still said, and what only the status would decide is not.
            self._check_permission(plan)
        elif plan.changed:
            self._check_permission(plan, refused)
        else:
            self._check_editing(plan, [column for column in self.columns if column in refused and column != "status"])
        if plan.record is not None and not plan.changed:
            return
        if self._check_encoding(plan):
            return  # as in _validate: what the code page left of a text would be judged, not the text
        self._check_machine_made(plan, refused)
        kept, self.errors = self.errors, RowErrors()
        try:
            self._validate_with_models(plan, titled=refused.isdisjoint(self._titling))
        finally:
            found, self.errors = self.errors, kept
        unknown = refused.union(*(_JUDGED_BY.get(column, ()) for column in refused))
        self.errors.items.extend(error for error in found.items if error.column not in unknown)

    # -- validation ----------------------------------------------------------------------------------

    def _validate(self, plan: _RowPlan) -> None:
        """A new row whose values all pass the quick checks is valid; any other row is validated by the models."""
        if self._check_encoding(plan):
            # The machine_made check would name the same texts and advise keeping them as the archivist's.
            return
        self._check_machine_made(plan)
        if plan.record is None and self._surely_valid(plan):
            return
        self._validate_with_models(plan)

    def _check_encoding(self, plan: _RowPlan) -> bool:
        """Report the cells of the row that its file's code page lost or misread (see
        :func:`~.files.encoding_problems`); whether there were any."""
        if not self.legacy_encoding:
            return False  # before ``plan.desired``, which makes and keeps a dict for each row
        losses = encoding_problems(plan.current, plan.desired, plan.changed, self.encoding)
        for column, problem in losses:
            self.errors.add(plan.row, column, problem)
        return bool(losses)

    def _check_machine_made(self, plan: _RowPlan, refused: frozenset[str] = frozenset()) -> None:
        """The forms a row's ``machine_made`` cell lists against the texts it leaves them with (see
        :func:`~.format.machine_made_problems`); a cell the row does not give says nothing."""
        if "machine_made" not in plan.given or not refused.isdisjoint({"machine_made", *self._titling}):
            return
        for problem in machine_made_problems(plan.current, plan.desired, self.label_tags, "other_titles",
                                             given=plan.given):
            self.errors.add(plan.row, "machine_made", problem)

    def _field_checks(self) -> dict[str, Check]:
        if self._checks is None:
            self._checks = {column: field_check(Record._meta.get_field(name), self.verdicts)
                            for column, name in _FIELD_OF_COLUMN.items()}
            self._title_text = field_check(Title._meta.get_field("text"), self.verdicts)
            self._description_text = field_check(Description._meta.get_field("text"), self.verdicts)
            self._identifier_length = Record._meta.get_field("identifier").max_length
        return self._checks

    def _label_valid(self, label: models.Model, exclude: set[str]) -> bool:
        """Whether a label passes its models' validation (fields, then ``clean()``)."""
        try:
            self.verdicts.clean_fields(label, exclude)
            label.clean()
        except ValidationError:
            return False
        return True

    def _label_ok(self, model: type[models.Model], tag: str, form: str, ours: bool, preferred: bool,
                  text: str, machine: bool = False) -> bool:
        """A title or description: its text checked here, the rest (language, form, flags) once per combination.

        A label's rules on its language, form and flags do not depend on its text, so
        they are validated by the model for each combination, with a stand-in text.
        """
        if model is Title:
            if not (self._title_text(text) and text.strip()):
                return False
        elif not self._description_text(text):
            return False
        key = (model, tag, form, ours, preferred, machine)
        verdict = self._label_verdicts.get(key)
        if verdict is None:
            if model is Title:
                # A reading's text is checked for kana by clean(), which a stand-in text would fail: unless
                # the reading is machine-made (whose text is not checked), its row goes to the models.
                label = Title(language=tag, text="x", form=form, our_translation=ours, preferred=preferred,
                              machine_made=machine)
                verdict = self._label_valid(label, {"record", "derived_from"})
            else:
                verdict = self._label_valid(Description(language=tag, text="x", our_translation=ours), {"record"})
            self._label_verdicts[key] = verdict
        return verdict

    def _surely_valid(self, plan: _RowPlan) -> bool:
        """Whether the quick checks pass every value of a new row (see :mod:`.checks`).

        The columns a new row leaves blank hold the defaults of a new record, which
        are valid; the ones it gives are checked with their fields' checks, and the
        record's and labels' ``clean()`` rules are tested on the values.
        """
        values, index = plan.values, self.index
        if len(plan.identifier) > self._identifier_length:  # the identifier's format is checked on reading
            return False
        for position, check, column in self._checks_of[plan.given]:
            value = values[position]
            if column in _CONVERTED:
                value = _field_value(column, value)
            if not check(value):
                return False
        kind = values[index["kind"]]
        if (kind == RecordKind.ASSOCIATION) != bool(values[index["described_agent"]]):
            return False
        if values[index["archived_url"]] and not values[index["url"]]:
            return False
        material = values[index["languages"]]
        ours, machine = values[index["our_translations"]], values[index["machine_made"]]
        titled = False
        for tag, column, position in self._titles:
            text = values[position]
            if text:
                our = column in ours
                form = label_form(tag, our, material)
                titled = titled or form not in DERIVED_FORMS  # a reading alone names the record in no language
                if not self._label_ok(Title, tag, form, our, True, text, column in machine):
                    return False
        for value in values[index["other_titles"]]:
            tag, _sep, text = value.partition(":")
            our = f"title_{tag}" in ours
            form = label_form(tag, our, material)
            titled = titled or form not in DERIVED_FORMS
            if not self._label_ok(Title, tag, form, our, True, text, f"title_{tag}" in machine):
                return False
        for value in values[index["variant_titles"]]:
            tag, _sep, text = value.partition(":")
            form = label_form(tag, False, material)
            titled = titled or form not in DERIVED_FORMS
            if not self._label_ok(Title, tag, form, False, False, text):
                return False
        if not titled:
            return False
        for tag, column, position in self._descriptions:
            text = values[position]
            if text and not self._label_ok(Description, tag, "", column in ours, True, text):
                return False
        for value in values[index["other_descriptions"]]:
            tag, _sep, text = value.partition(":")
            if not self._label_ok(Description, tag, "", f"description_{tag}" in ours, True, text):
                return False
        return True

    def _validate_with_models(self, plan: _RowPlan, *, titled: bool = True) -> None:
        """Run the models' own field validators and clean() on the row as it would be stored; ``titled=False``
        leaves out whether the record would have a title at all."""
        # A detached copy: clean() must not walk the stored parent chain (a query per level).
        probe = Record(pk=plan.record.pk if plan.record else None, identifier=plan.identifier)
        apply_scalars(probe, plan.desired, lambda entry_id: -1)
        try:
            self.verdicts.clean_fields(probe, exclude={"parent", "described_agent", "repository"})
            probe.clean()
        except ValidationError as exc:
            self.errors.add_validation(plan.row, exc)

        material = plan.desired["languages"]
        ours, machine = set(plan.desired["our_translations"]), set(plan.desired["machine_made"])
        titles: list[Title] = []
        for tag in label_tags():
            column = f"title_{tag}"
            text = plan.desired[column]
            if not text:
                continue
            title = Title(language=tag, text=text, form=label_form(tag, column in ours, material),
                          our_translation=column in ours, machine_made=column in machine)
            self._clean_label(plan.row, column, title, {"record", "derived_from"})
            titles.append(title)
        for value in plan.desired["other_titles"]:
            tag, _sep, text = value.partition(":")
            our = f"title_{tag}" in ours
            title = Title(language=tag, text=text, form=label_form(tag, our, material), our_translation=our,
                          machine_made=f"title_{tag}" in machine)
            self._clean_label(plan.row, "other_titles", title, {"record", "derived_from"})
            titles.append(title)
        for value in plan.desired["variant_titles"]:
            tag, _sep, text = value.partition(":")
            title = Title(language=tag, text=text, form=label_form(tag, False, material), preferred=False)
            self._clean_label(plan.row, "variant_titles", title, {"record", "derived_from"})
            titles.append(title)
        if titled:
            if plan.record is not None:
                # A second preferred title of a tag stays as it is: other_titles holds the first of each.
                covered = {tag.lower() for tag in label_tags()}
                firsts: set[str] = set()
                for t in sorted(plan.record.titles.all(), key=lambda t: t.pk):
                    if t.preferred and t.language.lower() not in covered:
                        if t.language.lower() in firsts:
                            titles.append(t)
                        firsts.add(t.language.lower())
            try:
                validate_titles(titles)
            except ValidationError as exc:
                self.errors.add_validation(plan.row, exc, self._titles_column(plan, exc))
        for tag in languages():
            column = f"description_{tag}"
            if plan.desired[column]:
                description = Description(language=tag, text=plan.desired[column], our_translation=column in ours)
                self._clean_label(plan.row, column, description, {"record"})
        for value in plan.desired["other_descriptions"]:
            tag, _sep, text = value.partition(":")
            description = Description(language=tag, text=text, our_translation=f"description_{tag}" in ours)
            self._clean_label(plan.row, "other_descriptions", description, {"record"})

    def _titles_column(self, plan: _RowPlan, error: ValidationError) -> str:
        """The column to name for ``validate_titles``' verdict: the title column of the language it concerns,
        if the sheet has one, else as for a record left without a title."""
        language = str((getattr(error, "params", None) or {}).get("language", "")).lower()
        for tag in label_tags():
            if tag.lower() == language and f"title_{tag}" in self.file_columns:
                return f"title_{tag}"
        if language and not has_column(language, label_tags()) and "other_titles" in self.file_columns:
            return "other_titles"
        return self._untitled_column(plan)

    def _untitled_column(self, plan: _RowPlan) -> str:
        """The column to name when a row leaves its record without a title: a title column the row empties,
        else the file's first title column, so that it is one the file has."""
        columns = _title_columns()
        emptied = [column for column in columns if column in plan.changed and not plan.desired[column]]
        present = [column for column in columns if column in self.file_columns]
        return (emptied or present or columns)[0]

    def _clean_label(self, number: int, column: str, label: models.Model, exclude: set[str]) -> None:
        # As full_clean() without the uniqueness checks: the fields, then clean() whatever they said.
        errors: dict[str, Any] = {}
        try:
            self.verdicts.clean_fields(label, exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            label.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            for messages in ValidationError(errors).message_dict.values():
                for message in messages:
                    self.errors.add(number, column, message)

    def _check_parents(self) -> None:
        """Every parent exists (in the file or the catalogue) and no record ends up inside itself."""
        parent_of = dict(self.parent_of)
        known: set[str] = set(self.planned)
        unknown = {parent for parent in parent_of.values() if parent not in known}
        # One query per level of ancestry, not per row.
        while unknown:
            found: dict[str, str] = {}
            ordered = sorted(unknown)
            for start in range(0, len(ordered), BATCH_SIZE):
                found.update(Record.objects.filter(identifier__in=ordered[start:start + BATCH_SIZE]).values_list(
                    "identifier", "parent__identifier"))
            known.update(found)
            for identifier, parent in found.items():
                parent_of.setdefault(identifier, parent or "")
            unknown = {parent for parent in found.values() if parent and parent not in known}
        for row, identifier, parent in self.parent_rows:
            if parent not in known:
                self.errors.add(row, "parent", _("No record has the identifier “%(value)s”.") % {"value": parent})
                continue
            # Only a row whose record is on a loop is at fault: one that puts a record under it is not.
            chain, seen = [identifier], {identifier}
            while parent and parent not in seen:
                chain.append(parent)
                seen.add(parent)
                parent = parent_of.get(parent, "")
            if parent == identifier:
                self.errors.add(row, "parent", _loop_message(chain))


def _loop_message(chain: list[str]) -> str:
    """What a row is told whose record would be part of itself: ``chain`` is the record, then each record up
    the loop to the one that would be its parent."""
    if len(chain) == 1:
        return _("A record cannot be part of itself.")
    if len(chain) == 2:
        return _("%(record)s and %(other)s would each be part of the other.") % {
            "record": chain[0], "other": chain[1]}
    return _("%(record)s would be part of itself, each record part of the next: %(loop)s.") % {
        "record": chain[0], "loop": " → ".join([*chain, chain[0]])}


def _day_of_moment(text: str) -> str | None:
    """The day of a date and time written in ISO form (``2011-01-05T10:30:00``, as a date cell holding a time
    reads), or ``None``."""
    try:
        return datetime.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None


def _select(sql: str, column: str, values: list[Any], db_type: str = "bigint", leading: Sequence[Any] = ()
            ) -> list[tuple]:
    """Rows of ``sql``, whose ``{keys}`` is replaced by "``column`` is one of ``values``"; ``leading`` are
    the parameters of the placeholders before it.

    The reads of a batch go through the cursor: the ORM would prepare each of a
    batch's hundreds of keys one by one, and that costs more than the query itself.
    """
    condition, params = keys_in(column, values, db_type)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(keys=condition), [*leading, *params])
        return cursor.fetchall()


def _load_stored(identifiers: list[str], columns: set[str]) -> dict[str, _Stored]:
    """The stored records with these identifiers, with their values in ``columns`` as :func:`record_cells`
    gives them; a fixed number of queries, fewer for fewer columns.

    A record with a ready export row gets its exported cells instead (``exported``), which
    give the same values (:class:`.unchanged.ReadyRowComparison`), and nothing else of it is read.
    """
    if not identifiers:
        return {}
    with index_scans():
        return _read_stored(identifiers, columns)


def _read_stored(identifiers: list[str], columns: set[str]) -> dict[str, _Stored]:
    scalars = [column for column in columns if column in _FIELD_OF_COLUMN or column == "repository"]
    record, agent = _table(Record), _table(Agent)
    selected = [f"r.{_column(Record, _FIELD_OF_COLUMN[column])}" if column != "repository" else "s.identifier"
                for column in scalars]
    rows = _select(
        f"SELECT r.id, r.identifier, r.version, r.status, r.kind, p.identifier, d.identifier, x.line"
        f"{''.join(', ' + name for name in selected)} FROM {record} r "
        f"LEFT JOIN {record} p ON p.id = r.{_column(Record, 'parent')} "
        f"LEFT JOIN {agent} d ON d.id = r.{_column(Record, 'described_agent')} "
        f"LEFT JOIN {agent} s ON s.id = r.{_column(Record, 'repository')} "
        f"LEFT JOIN {_table(ExportLine)} x ON x.{_column(ExportLine, 'record')} = r.id AND x.layout = %s "
        "WHERE {keys}", "r.identifier", identifiers, "text", leading=[layout_of()])
    if not rows:
        return {}
    by_pk: dict[int, _Stored] = {}
    references = "parent" in columns or "described_agent" in columns
    plain = [column not in ("sequence", "accessed") for column in scalars]
    lines = [(row[1], row[7]) for row in rows if row[7] is not None]
    exported = exported_cells(lines, record_columns()) if lines else {}
    for pk, identifier, version, status, kind, parent, described, _line, *values in rows:
        stored = by_pk[pk] = _Stored(pk, identifier, version, status, kind, parent or "", described or "")
        stored.exported = exported.get(identifier)
        if stored.exported is not None:
            continue
        cells = stored.cells
        if references:
            cells["parent"], cells["described_agent"] = stored.parent, stored.described
        for column, value, as_is in zip(scalars, values, plain, strict=True):
            if as_is:
                cells[column] = value or ""
            elif column == "sequence":
                cells[column] = "" if value is None else str(value)
            else:
                # SQLite gives the text it stores, PostgreSQL a date.
                cells[column] = (value if isinstance(value, str) else value.isoformat()) if value else ""
    _read_links({pk: stored for pk, stored in by_pk.items() if stored.exported is None}, columns)
    return {stored.identifier: stored for stored in by_pk.values()}


def _read_links(by_pk: dict[int, _Stored], columns: set[str]) -> None:
    if not by_pk:
        return
    pks = list(by_pk)
    for column, key, attribute in (("languages", "language", "tag"), ("places", "place", "identifier"),
                                   ("subjects", "subject", "identifier")):
        if column not in columns:
            continue
        through = getattr(Record, column).through
        vocabulary = through._meta.get_field(key).related_model
        found: dict[int, list[str]] = defaultdict(list)
        for record_id, value in _select(
                f"SELECT t.{_column(through, 'record')}, v.{_column(vocabulary, attribute)} FROM {_table(through)} t "
                f"JOIN {_table(vocabulary)} v ON v.id = t.{_column(through, key)} "
                "WHERE {keys}", f"t.{_column(through, 'record')}", pks):
            found[record_id].append(value)
        for pk, stored in by_pk.items():
            stored.cells[column] = tuple(sorted(found[pk])) if pk in found else ()
    roles = [(column, role) for column, role in AGENT_ROLE_COLUMNS.items() if column in columns]
    if roles:
        # In each role, the agents in the order of their links' positions (then keys), as record_cells() has them.
        links: dict[tuple[int, str], list[str]] = defaultdict(list)
        for record_id, role, identifier in _select(
                f"SELECT l.{_column(RecordAgent, 'record')}, l.role, a.identifier "
                f"FROM {_table(RecordAgent)} l JOIN {_table(Agent)} a ON a.id = l.{_column(RecordAgent, 'agent')} "
                "WHERE {keys} ORDER BY l.position, l.id", f"l.{_column(RecordAgent, 'record')}", pks):
            links[record_id, role].append(identifier)
        for pk, stored in by_pk.items():
            for column, role in roles:
                stored.cells[column] = tuple(links[pk, role]) if (pk, role) in links else ()
    _read_labels(by_pk, columns)


def _read_labels(by_pk: dict[int, _Stored], columns: set[str]) -> None:
    """The title, variant, description, our-translation and machine-made cells of the stored records, where
    wanted."""
    ours_wanted = "our_translations" in columns
    machine_wanted = "machine_made" in columns
    titles = [(tag.lower(), f"title_{tag}") for tag in label_tags()]
    descriptions = [(tag.lower(), f"description_{tag}") for tag in languages()]
    # A title's or description's text is needed only if its column is given, or a cell naming columns is.
    if not (ours_wanted or machine_wanted):
        titles = [(key, column) for key, column in titles if column in columns]
    if not ours_wanted:
        descriptions = [(key, column) for key, column in descriptions if column in columns]
    variants_wanted = "variant_titles" in columns
    # The texts in tags without a column: their cells, and whether they are ours (machine-made).
    other_titles_wanted = ours_wanted or machine_wanted or "other_titles" in columns
    other_descriptions_wanted = ours_wanted or "other_descriptions" in columns
    if not (titles or descriptions or variants_wanted or other_titles_wanted or other_descriptions_wanted):
        return
    # The tags with a column of their own, letter case folded (as has_column() compares them): looked up per label.
    title_keys = frozenset(tag.lower() for tag in label_tags())
    description_keys = frozenset(tag.lower() for tag in languages())
    pks = list(by_pk)
    # The first preferred title in each language, as record_cells() reads it; and the archivist's variants.
    preferred: dict[int, dict[str, tuple[str, bool, bool]]] = defaultdict(dict)
    other_titles: dict[int, dict[str, tuple[str, str, bool, bool]]] = defaultdict(dict)
    variants: dict[int, list[str]] = defaultdict(list)
    if titles or variants_wanted or other_titles_wanted:
        for record_id, language, text, is_preferred, machine_made, ours, form in _select(
                f"SELECT {_column(Title, 'record')}, language, text, preferred, machine_made, our_translation, form "
                f"FROM {_table(Title)} WHERE {{keys}} ORDER BY id", _column(Title, "record"), pks):
            if is_preferred:
                key = language.lower()
                machine = is_machine_made_form(machine_made, form)
                if key not in title_keys:
                    other_titles[record_id].setdefault(key, (language, text, ours, machine))
                    continue
                own = preferred[record_id]
                if key not in own:
                    own[key] = (text, ours, machine)
            elif variants_wanted and not machine_made:
                variants[record_id].append(variant_cell(language, text))
    described: dict[int, dict[str, tuple[str, bool, bool]]] = defaultdict(dict)
    other_descriptions: dict[int, dict[str, tuple[str, str, bool, bool]]] = defaultdict(dict)
    if descriptions or other_descriptions_wanted:
        for record_id, language, text, ours in _select(
                f"SELECT {_column(Description, 'record')}, language, text, our_translation "
                f"FROM {_table(Description)} WHERE {{keys}} ORDER BY id", _column(Description, "record"), pks):
            key = language.lower()
            if key in description_keys:
                described[record_id][key] = (text, ours, False)
            else:
                other_descriptions[record_id][key] = (language, text, ours, False)
    nothing: dict[str, tuple[str, bool, bool]] = {}
    for pk, stored in by_pk.items():
        cells = stored.cells
        ours: list[str] = []
        machine: list[str] = []
        for labels, fields in ((preferred, titles), (described, descriptions)):
            own = labels[pk] if pk in labels else nothing
            for key, column in fields:
                match = own.get(key)
                cells[column] = match[0] if match else ""
                if match and match[1]:
                    ours.append(column)
                if match and match[2]:
                    machine.append(column)
        if variants_wanted:
            # A set, as a cell gives it: a variant stored twice is listed once.
            cells["variant_titles"] = tuple(sorted(set(variants[pk]))) if pk in variants else ()
        for column, others, prefix, wanted in (("other_titles", other_titles, "title_", other_titles_wanted),
                                                ("other_descriptions", other_descriptions, "description_",
                                                 other_descriptions_wanted)):
            if not wanted:
                continue
            texts = others[pk].values() if pk in others else ()
            cells[column] = tuple(sorted(variant_cell(language, text) for language, text, _ours, _machine in texts))
            ours.extend(prefix + language for language, _text, our, _machine in texts if our)
            machine.extend(prefix + language for language, _text, _our, made in texts if made)
        if ours_wanted:
            cells["our_translations"] = tuple(sorted(ours))
        if machine_wanted:
            cells["machine_made"] = tuple(sorted(machine))


def _stale(plans: list[_RowPlan]) -> list[RowError]:
    """Rows whose record someone else changed since the file was checked; to be called in the write transaction.

    The versions are re-read with the rows locked where the database can, so nothing
    can slip in between this check and the writes that follow it.
    """
    expected = {plan.record.pk: plan for plan in plans if plan.record is not None and plan.changed}
    current: dict[int, int] = {}
    pks = sorted(expected)
    for start in range(0, len(pks), BATCH_SIZE):
        queryset = Record._base_manager.filter(pk__in=pks[start:start + BATCH_SIZE]).order_by("pk")
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update()
        current.update(queryset.values_list("pk", "version"))
    errors = []
    for pk, plan in sorted(expected.items(), key=lambda item: item[1].row):
        if current.get(pk) == plan.record.version:
            continue
        if pk not in current:
            message = _("Record %(identifier)s was deleted after the file was checked; nothing was imported.") % {
                "identifier": plan.identifier}
        else:
            message = _(
                "Record %(identifier)s was changed by %(user)s at %(when)s after the file was checked; nothing "
                "was imported: import the file again to see and apply its changes anew."
            ) % {**last_change_words(plan.record), "identifier": plan.identifier}
        errors.append(RowError(plan.row, "identifier", message))
    return errors


def write_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, header: Sequence[str] | None = None,
               user: Any = None, source: str = "", dry_run: bool = False,
               progress: Progress | None = None, encoding: str = "") -> WriteResult:
    """Validate and write catalogue rows; all or nothing.

    ``rows`` are ``(row_number, {column: cell})`` pairs, numbered as a spreadsheet
    shows them (the header is row 1); they are read once, a batch at a time. ``header``
    is the file's first row, whose columns are checked even when no row follows. ``user``
    is the acting user; ``None`` is the command-line operator, who counts as a
    collection manager. ``source`` becomes the change reason in the history. A dry
    run validates and works out every change exactly as a real run would, writes it
    and rolls back. ``progress``, if given, is called after each batch with
    ``("checking", rows checked, None)``, then with ``("writing", rows written,
    rows to write)``, counting the rows that change something. ``encoding`` is the codec a CSV file was read
    with: in a code page (cp932, cp1251), a stored text the file could not hold is refused, not overwritten.
    """
    with _fewer_collections():
        return _write_rows(rows, header=header, user=user, source=source, dry_run=dry_run, progress=progress,
                           encoding=encoding)


# The cyclic garbage collector runs every 700 new container objects by default; an import makes
# millions of small ones (cells, tuples, rows) that hold no cycles, and rescanning them took a
# fifth of an import's time.
_IMPORT_GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    first, *rest = gc.get_threshold()
    gc.set_threshold(max(first, _IMPORT_GC_THRESHOLD), *rest)
    try:
        yield
    finally:
        # Another import in another thread may have raised it too: restore only what this one changed.
        if gc.get_threshold()[0] == max(first, _IMPORT_GC_THRESHOLD):
            gc.set_threshold(first, *rest)


def _write_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, header: Sequence[str] | None, user: Any,
                source: str, dry_run: bool, progress: Progress | None, encoding: str) -> WriteResult:
    result = WriteResult(dry_run=dry_run)
    planner = _Planner(user)
    planner.progress, planner.header, planner.encoding = progress, header, encoding
    planner.legacy_encoding = is_legacy_encoding(encoding)
    plans = planner.plan(rows)
    result.errors = sorted(planner.errors.items, key=lambda e: (e.row, e.column))
    if result.errors:
        return result
    for plan in plans:
        kind = plan.kind
        if plan.record is None:
            change = RowChange(plan.row, plan.identifier, kind, NEW, plan=plan)
            result.created[kind] += 1
        elif plan.changed:
            change = RowChange(plan.row, plan.identifier, kind, UPDATED, {
                column: (as_text(plan.current[column]), as_text(plan.desired[column])) for column in plan.changed})
            result.updated[kind] += 1
        else:
            change = RowChange(plan.row, plan.identifier, kind, UNCHANGED)
            result.unchanged[kind] += 1
        result.changes.append(change)
    result.new_agents = [NewAgent(e.identifier, e.names[0], e.kind) for e in planner.agents.new.values()] if (
        planner.agents) else []

    with transaction.atomic():
        stale = _stale(plans)
        if stale:
            return WriteResult(errors=stale, dry_run=dry_run)
        Applier(planner, user, source or reasons.catalogue_import()).run(plans, progress)
        if dry_run:
            transaction.set_rollback(True)
    return result
