"""The one writer behind every catalogue import: the fixture loader, the command and the admin.

It takes parsed rows, normalizes them (NFC), validates every row with the models'
own validators, resolves vocabulary and agent cells from lookups loaded once per
file, and only then writes, in batches, inside one transaction: any error in
any row and nothing is written. Records are created or updated by identifier;
history is recorded with the acting user and a change reason.

Blank cells in an update keep the stored value; ``[clear]`` removes it. A row
that matches the stored record exactly is reported as unchanged and not touched,
so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
import importlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..concurrency import last_change
from ..conf import app_settings
from ..fields import NFCMixin
from ..importing.deferral import derivation_deferred
from ..models import (
    Agent,
    AgentKind,
    AgentName,
    Description,
    LabelForm,
    Language,
    LevelOfDescription,
    Record,
    RecordAgent,
    RecordKind,
    ReservedIdentifier,
    Status,
    StatusChange,
    Title,
    validate_titles,
)
from ..romanization import japanese_reading, kana_to_hepburn, romanize_russian
from ..text import base_language, nfc, script_subtag
from ..validators import validate_identifier, validate_language_tag
from ..workflow import TransitionNotAllowed, check_edit, check_status_change
from .bulk import insert, insert_history, insert_values
from .csv_io import EXTRA_CELLS
from .export import Cell, as_text, export_queryset, record_cells, variant_cell
from .format import (
    AGENT_ROLE_COLUMNS,
    CLEAR,
    MULTI_VALUED,
    PLAIN_FIELDS,
    READING_TAGS,
    label_tags,
    languages,
    record_columns,
    split_values,
)
from .resolve import AgentResolver, Entry, Lookup, ResolveError, guess_name_language, load_places, load_subjects

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
BATCH_SIZE = 500

# 9.78E+12, or 9780295983363.0 from a number cell: an ISBN a spreadsheet read as a number.
_NUMBER_MANGLED = re.compile(r"^(?:\d+(?:[.,]\d+)?[eE][+-]?\d+|\d{9,13}\.0)$")
# Model field -> the column that sets it, where the names differ.
_FIELD_COLUMNS = {"date_edtf": "date", NON_FIELD_ERRORS: "identifier"}
_ORGANISATION_COLUMNS = {"publishers", "issuing_bodies", "described_agent", "repository"}
_CLEARABLE_NEVER = {"identifier", "kind", "status"}
_CACHED_COLUMNS = (MULTI_VALUED | {"described_agent", "repository", "accessed"}) - {"variant_titles"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "—", "message": self.message,
        }


@dataclass
class RowChange:
    """What one row does: ``fields`` maps each changed column to its (old, new) cell text."""

    row: int
    identifier: str
    kind: str
    action: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)


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

    def summary_lines(self) -> list[str]:
        """One line per record kind, then the agents created from names."""
        lines = []
        for kind in sorted(set(self.created) | set(self.updated) | set(self.unchanged)):
            lines.append(_("%(kind)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged") % {
                "kind": kind, "new": self.created[kind], "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            })
        for agent in self.new_agents:
            lines.append(_("new agent %(identifier)s: %(name)s") % {"identifier": agent.identifier,
                                                                     "name": agent.name})
        return lines


@dataclass
class _RowPlan:
    row: int
    identifier: str
    record: Record | None
    current: dict[str, Cell]
    desired: dict[str, Cell]
    given: set[str]
    changed: list[str] = field(default_factory=list)


class _Errors:
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


def _empty(column: str) -> Cell:
    return () if column in MULTI_VALUED or column in AGENT_ROLE_COLUMNS else ""


def _title_columns() -> list[str]:
    return [f"title_{tag}" for tag in label_tags()]


def _label_form(tag: str, ours: bool, material: Iterable[str]) -> str:
    script = script_subtag(tag)
    if base_language(tag) in READING_TAGS and script in ("Hrkt", "Kana", "Hira"):
        return LabelForm.READING
    if script == "Latn" and "-" in tag:
        return LabelForm.ROMANIZATION
    material = {base_language(t) for t in material}
    if ours or (material and base_language(tag) not in material):
        return LabelForm.TRANSLATION
    return LabelForm.ORIGINAL


class _FieldCleaner:
    """``Model.clean_fields`` that remembers each field's verdict on a value, so repeated values are checked once.

    Dates, languages, kinds, ISBNs and URLs recur across a file; free text (NFC and
    text fields) and unique values are checked every time and not kept.
    """

    def __init__(self) -> None:
        self.verdicts: dict[tuple[Any, ...], tuple[bool, Any]] = {}

    @staticmethod
    def _kept(field: models.Field) -> bool:
        return not (isinstance(field, (NFCMixin, models.TextField)) or field.unique)

    def clean_fields(self, obj: models.Model, exclude: set[str]) -> None:
        errors: dict[str, Any] = {}
        for f in obj._meta.fields:
            if f.name in exclude or f.generated:
                continue
            raw = getattr(obj, f.attname)
            if (f.blank and raw in f.empty_values) or isinstance(raw, DatabaseDefault):
                continue
            key = (type(obj), f.attname, type(raw), raw) if self._kept(f) else None
            verdict = self.verdicts.get(key) if key is not None else None
            if verdict is None:
                try:
                    verdict = (True, f.clean(raw, obj))
                except ValidationError as exc:
                    verdict = (False, exc.error_list)
                if key is not None:
                    self.verdicts[key] = verdict
            if verdict[0]:
                setattr(obj, f.attname, verdict[1])
            else:
                errors[f.name] = verdict[1]
        if errors:
            raise ValidationError(errors)


class _Planner:
    """Validates every row and works out what would change, without writing."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.errors = _Errors()
        self.columns = record_columns()
        self.places: Lookup | None = None
        self.subjects: Lookup | None = None
        self.agents: AgentResolver | None = None
        self.languages: dict[str, str] = {}
        self.new_languages: dict[str, str] = {}
        # Vocabulary, agent and language cells repeat across rows; each distinct one is parsed once.
        self.parsed: dict[tuple[str, str], Cell] = {}
        self.cleaner = _FieldCleaner()
        self.blank: dict[str, Cell] = {column: _empty(column) for column in self.columns}
        self.blank.update(identifier="", status=Status.DRAFT, level=LevelOfDescription.ITEM)

    # -- reading cells -------------------------------------------------------------------------------

    def normalize(self, number: int, row: Mapping[str, Any]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for column, value in row.items():
            column = str(column or "").strip()
            if column == EXTRA_CELLS:
                if str(value or "").strip():
                    self.errors.add(number, "", _("There are cells beyond the last named column."))
                continue
            text = nfc("" if value is None else str(value)) or ""
            if "\x00" in text:
                self.errors.add(number, column, _("The cell contains a NUL character."))
                continue
            cells[column] = text.strip()
        return cells

    def parse(self, number: int, column: str, text: str) -> Cell | None:
        """The canonical value of a given, non-blank cell; ``None`` after reporting an error."""
        if text == CLEAR:
            if column in _CLEARABLE_NEVER:
                self.errors.add(number, column, _("This column cannot be cleared."))
                return None
            return _empty(column)
        cacheable = column in _CACHED_COLUMNS
        if cacheable and (column, text) in self.parsed:
            return self.parsed[column, text]
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
        if column == "kind" and text not in RecordKind.values:
            raise ValidationError(_("Unknown kind “%(value)s”; use one of %(choices)s.") % {
                "value": text, "choices": ", ".join(RecordKind.values)})
        if column == "status" and text not in Status.values:
            raise ValidationError(_("Unknown status “%(value)s”; use one of %(choices)s.") % {
                "value": text, "choices": ", ".join(Status.values)})
        if column == "isbn" and _NUMBER_MANGLED.match(text):
            raise ValidationError(_(
                "“%(value)s” is an ISBN turned into a number by a spreadsheet; format the column as text "
                "and type the ISBN again.") % {"value": text})
        if column == "sequence" and text.isdigit():
            return str(int(text))
        if column == "accessed":
            try:
                return datetime.date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValidationError(_("“%(value)s” is not a date like 2010-12-31.") % {"value": text}) from None
        if column not in MULTI_VALUED and column not in ("described_agent", "repository"):
            return text
        values = split_values(text)
        if column == "variant_titles":
            return tuple(sorted({self._variant(value) for value in values}))
        if column == "our_translations":
            allowed = {f"title_{tag}" for tag in languages()} | {f"description_{tag}" for tag in languages()}
            for value in values:
                if value not in allowed:
                    raise ValidationError(_("“%(value)s” is not a title or description column of a language.")
                                          % {"value": value})
            return tuple(sorted(set(values)))
        if column == "languages":
            return tuple(sorted({self._language(value) for value in values}))
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
        validate_language_tag(value)
        self.new_languages.setdefault(value.lower(), value)
        self.languages[value.lower()] = value
        return value

    # -- the whole file ------------------------------------------------------------------------------

    def plan(self, rows: list[tuple[int, Mapping[str, Any]]]) -> list[_RowPlan]:
        allowed = set(self.columns)
        seen_columns: set[str] = set()
        for _number, row in rows:
            seen_columns.update(str(column or "").strip() for column in row)
        seen_columns.discard(EXTRA_CELLS)
        for column in sorted(seen_columns - allowed):
            self.errors.add(1, column, _("Unknown column."))
        if rows and "identifier" not in seen_columns:
            self.errors.add(1, "identifier", _("The identifier column is missing."))
        if self.errors.items:
            return []

        self.places, self.subjects, self.agents = load_places(), load_subjects(), AgentResolver()
        self.languages = {tag.lower(): tag for tag in Language.objects.values_list("tag", flat=True)}

        normalized = [(number, self.normalize(number, row)) for number, row in rows]
        first_row: dict[str, int] = {}
        identifiers = []
        for number, cells in normalized:
            identifier = cells.get("identifier", "")
            if not identifier:
                self.errors.add(number, "identifier", _("Every row needs an identifier."))
                continue
            try:
                validate_identifier(identifier)
            except ValidationError as exc:
                self.errors.add_validation(number, exc, "identifier")
                continue
            if identifier in first_row:
                self.errors.add(number, "identifier", _("“%(identifier)s” is also on row %(row)s.") % {
                    "identifier": identifier, "row": first_row[identifier]})
                continue
            first_row[identifier] = number
            identifiers.append(identifier)

        existing = self._load_records(identifiers)
        reserved = self._reserved(set(identifiers) - set(existing))
        plans: list[_RowPlan] = []
        for number, cells in normalized:
            identifier = cells.get("identifier", "")
            if first_row.get(identifier) != number:
                continue
            if identifier in reserved:
                self.errors.add(number, "identifier", _(
                    "“%(identifier)s” has been used before and can never be used again.") % {
                    "identifier": identifier})
                continue
            plan = self._plan_row(number, identifier, existing.get(identifier), cells)
            if plan is not None:
                plans.append(plan)
        full = self._load_full([plan.identifier for plan in plans if plan.record is not None and plan.changed])
        for plan in plans:
            if plan.record is not None and plan.changed:
                plan.record = full[plan.identifier]
                plan.current = record_cells(plan.record)
                plan.changed = [column for column in self.columns
                                if plan.desired.get(column) != plan.current.get(column)]
            if plan.changed:
                self._check_permission(plan)
                self._validate(plan)
        self._check_parents(plans)
        self._check_described_agents(plans)
        return plans

    def _check_described_agents(self, plans: list[_RowPlan]) -> None:
        """An organisation is described by one association record only."""
        claims: dict[str, _RowPlan] = {}
        for plan in plans:
            agent = str(plan.desired["described_agent"])
            if not agent:
                continue
            if agent in claims:
                self.errors.add(plan.row, "described_agent", _("Row %(row)s already describes %(agent)s.") % {
                    "row": claims[agent].row, "agent": agent})
                continue
            claims[agent] = plan
        if not claims:
            return
        taken = Record.objects.filter(described_agent__identifier__in=list(claims)).exclude(
            identifier__in=[plan.identifier for plan in plans]).values_list("described_agent__identifier", "identifier")
        for agent, identifier in taken:
            self.errors.add(claims[agent].row, "described_agent", _(
                "%(agent)s is already described by %(identifier)s.") % {"agent": agent, "identifier": identifier})

    def _load_records(self, identifiers: list[str]) -> dict[str, Any]:
        """The stored records as plain values, enough to compare rows with (a fixed number of queries per batch).

        Full records, with everything the writer changes, are loaded afterwards only for
        the rows that change them: re-importing an unchanged file builds no model objects.
        """
        found: dict[str, Any] = {}
        for start in range(0, len(identifiers), BATCH_SIZE):
            found.update(_stored_records(identifiers[start:start + BATCH_SIZE]))
        return found

    @staticmethod
    def _load_full(identifiers: list[str]) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for start in range(0, len(identifiers), BATCH_SIZE):
            chunk = identifiers[start:start + BATCH_SIZE]
            for record in export_queryset(Record.objects.filter(identifier__in=chunk)):
                found[record.identifier] = record
        return found

    @staticmethod
    def _reserved(identifiers: set[str]) -> set[str]:
        taken: set[str] = set()
        ordered = sorted(identifiers)
        for start in range(0, len(ordered), BATCH_SIZE):
            taken.update(ReservedIdentifier.objects.filter(
                identifier__in=ordered[start:start + BATCH_SIZE]).values_list("identifier", flat=True))
        return taken

    def _plan_row(self, number: int, identifier: str, record: Record | None,
                  cells: dict[str, str]) -> _RowPlan | None:
        errors_before = len(self.errors.items)
        if record is not None:
            current = record_cells(record)
        else:
            # One shared, read-only row of defaults for every new record: a file of new rows holds no copies.
            current = self.blank
        desired = dict(current)
        desired["identifier"] = identifier
        given: set[str] = set()
        for column in self.columns:
            text = cells.get(column, "")
            if column == "identifier" or not text:
                continue
            value = self.parse(number, column, text)
            if value is not None:
                desired[column] = value
                given.add(column)
        if record is None and not desired["kind"] and not cells.get("kind"):
            self.errors.add(number, "kind", _("A new record needs a kind (%(choices)s).") % {
                "choices": ", ".join(RecordKind.values)})
        if len(self.errors.items) > errors_before:
            return None

        plan = _RowPlan(number, identifier, record, current, desired, given)
        plan.changed = [column for column in self.columns
                        if column != "identifier" and desired.get(column) != current.get(column)]
        return plan

    def _check_permission(self, plan: _RowPlan) -> None:
        status = str(plan.desired["status"])
        if plan.record is None or status != plan.record.status:
            try:
                check_status_change(self.user, plan.record, status)
            except TransitionNotAllowed as exc:
                self.errors.add(plan.row, "status", exc)
        if plan.record is None or self.user is None:
            return
        if not self.user.has_perm("collection.change_record"):
            self.errors.add(plan.row, "identifier", _("You may not change records."))
            return
        # Editing by role: the stored status decides, as in the admin (a contributor edits drafts only).
        data = [column for column in plan.changed if column != "status"]
        if data:
            try:
                check_edit(self.user, plan.record)
            except TransitionNotAllowed as exc:
                self.errors.add(plan.row, data[0], exc)

    def _validate(self, plan: _RowPlan) -> None:
        """Run the models' own field validators and clean() on the row as it would be stored."""
        # A detached copy: clean() must not walk the stored parent chain (a query per level).
        probe = Record(pk=plan.record.pk if plan.record else None, identifier=plan.identifier)
        apply_scalars(probe, plan.desired, lambda entry_id: -1)
        try:
            self.cleaner.clean_fields(probe, exclude={"parent", "described_agent", "repository"})
            probe.clean()
        except ValidationError as exc:
            self.errors.add_validation(plan.row, exc)

        material = plan.desired["languages"]
        ours = set(plan.desired["our_translations"])
        titles: list[Title] = []
        for tag in label_tags():
            column = f"title_{tag}"
            text = plan.desired[column]
            if not text:
                continue
            title = Title(language=tag, text=text, form=_label_form(tag, column in ours, material),
                          our_translation=column in ours)
            self._clean_label(plan.row, column, title, {"record", "derived_from"})
            titles.append(title)
        for value in plan.desired["variant_titles"]:
            tag, _sep, text = value.partition(":")
            title = Title(language=tag, text=text, form=_label_form(tag, False, material), preferred=False)
            self._clean_label(plan.row, "variant_titles", title, {"record", "derived_from"})
            titles.append(title)
        if plan.record is not None:
            covered = {tag.lower() for tag in label_tags()}
            titles.extend(t for t in plan.record.titles.all() if t.preferred and t.language.lower() not in covered)
        try:
            validate_titles(titles)
        except ValidationError as exc:
            self.errors.add_validation(plan.row, exc, _title_columns()[0])
        for tag in languages():
            column = f"description_{tag}"
            if plan.desired[column]:
                description = Description(language=tag, text=plan.desired[column], our_translation=column in ours)
                self._clean_label(plan.row, column, description, {"record"})

    def _clean_label(self, number: int, column: str, label: models.Model, exclude: set[str]) -> None:
        # As full_clean() without the uniqueness checks: the fields, then clean() whatever they said.
        errors: dict[str, Any] = {}
        try:
            self.cleaner.clean_fields(label, exclude)
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

    def _check_parents(self, plans: list[_RowPlan]) -> None:
        """Every parent exists (in the file or the catalogue) and no record ends up inside itself."""
        parent_of: dict[str, str] = {p.identifier: str(p.desired["parent"]) for p in plans}
        unknown = {parent for parent in parent_of.values() if parent and parent not in parent_of}
        known: set[str] = set(parent_of)
        # One query per level of ancestry, not per row.
        while unknown:
            found = dict(Record.objects.filter(identifier__in=unknown).values_list("identifier", "parent__identifier"))
            known.update(found)
            for identifier, parent in found.items():
                parent_of.setdefault(identifier, parent or "")
            unknown = {parent for parent in found.values() if parent and parent not in parent_of}
        for plan in plans:
            if "parent" not in plan.changed or not plan.desired["parent"]:
                continue
            parent = str(plan.desired["parent"])
            if parent not in known:
                self.errors.add(plan.row, "parent", _("No record has the identifier “%(value)s”.") % {"value": parent})
                continue
            seen = {plan.identifier}
            while parent:
                if parent in seen:
                    self.errors.add(plan.row, "parent", _("A record cannot be part of itself."))
                    break
                seen.add(parent)
                parent = parent_of.get(parent, "")


class _Related(list):
    """A list that answers ``.all()``, as a prefetched relation does."""

    def all(self) -> _Related:
        return self


def _stored_records(identifiers: list[str]) -> dict[str, SimpleNamespace]:
    """Records as :func:`record_cells` reads them, from plain values: no model objects."""
    ref = SimpleNamespace
    names = ["pk", "identifier", "kind", "status", "version", "parent_id", "parent__identifier", "sequence",
             "date_edtf", "accessed", "described_agent_id", "described_agent__identifier", "repository_id",
             "repository__identifier", *PLAIN_FIELDS]
    records: dict[int, SimpleNamespace] = {}
    for values in Record._base_manager.filter(identifier__in=identifiers).order_by().values_list(*names):
        data = dict(zip(names, values, strict=True))
        record = ref(**{k: v for k, v in data.items() if "__" not in k})
        record.parent = ref(identifier=data["parent__identifier"])
        record.described_agent = ref(identifier=data["described_agent__identifier"])
        record.repository = ref(identifier=data["repository__identifier"])
        for relation in ("titles", "descriptions", "languages", "places", "subjects", "agent_links"):
            setattr(record, relation, _Related())
        records[record.pk] = record
    pks = list(records)
    for pk, record_id, language, text, preferred, machine_made, ours in Title.objects.filter(
            record_id__in=pks).order_by().values_list("pk", "record_id", "language", "text", "preferred",
                                                      "machine_made", "our_translation"):
        records[record_id].titles.append(ref(pk=pk, language=language, text=text, preferred=preferred,
                                              machine_made=machine_made, our_translation=ours))
    for record_id, language, text, ours in Description.objects.filter(record_id__in=pks).order_by(
            *(Description._meta.ordering or ["pk"])).values_list(
            "record_id", "language", "text", "our_translation"):
        records[record_id].descriptions.append(ref(language=language, text=text, our_translation=ours))
    for name, attribute in (("languages", "tag"), ("places", "identifier"), ("subjects", "identifier")):
        through = getattr(Record, name).through
        key = {"languages": "language", "places": "place", "subjects": "subject"}[name]
        for record_id, value in through.objects.filter(record_id__in=pks).order_by().values_list(
                "record_id", f"{key}__{attribute}"):
            getattr(records[record_id], name).append(ref(**{attribute: value}))
    for pk, record_id, role, position, agent in RecordAgent.objects.filter(record_id__in=pks).order_by().values_list(
            "pk", "record_id", "role", "position", "agent__identifier"):
        records[record_id].agent_links.append(ref(pk=pk, role=role, position=position, agent=ref(identifier=agent)))
    return {record.identifier: record for record in records.values()}


def apply_scalars(record: Record, desired: Mapping[str, Cell], agent_pk: Any) -> None:
    """Copy the single-valued cells onto ``record`` (not the parent, set once every record exists)."""
    record.kind = str(desired["kind"])
    record.status = str(desired["status"])
    for name in PLAIN_FIELDS:
        setattr(record, name, desired[name])
    record.level = desired["level"] or LevelOfDescription.ITEM
    record.date_edtf = str(desired["date"])
    record.sequence = int(desired["sequence"]) if str(desired["sequence"]).isdigit() else (
        desired["sequence"] or None)
    try:
        record.accessed = datetime.date.fromisoformat(str(desired["accessed"])) if desired["accessed"] else None
    except ValueError:
        record.accessed = desired["accessed"]  # left for the field's own validator to report
    record.described_agent_id = agent_pk(desired["described_agent"]) if desired["described_agent"] else None
    record.repository_id = agent_pk(desired["repository"]) if desired["repository"] else None


class _Applier:
    """Writes validated plans in batches: a fixed number of queries per batch, not per row."""

    def __init__(self, planner: _Planner, user: Any, reason: str, loaded: set[int]) -> None:
        self.planner = planner
        # Records that existed before this file: they carry prefetched titles, links and descriptions.
        self.loaded = loaded
        self.user = user
        self.reason = reason
        self.now = timezone.now()
        self.agent_pks: dict[str, int] = {}

    def history(self) -> dict[str, Any]:
        return {"default_user": self.user, "default_change_reason": self.reason, "default_date": self.now}

    def _create(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """Insert new rows and their history rows ('+'), by the acting user with the import's reason."""
        insert(model, objs, now=self.now)
        insert_history(model, objs, history_type="+", user=self.user, reason=self.reason, date=self.now)

    def agent_pk(self, identifier: str) -> int:
        return self.agent_pks[identifier]

    def run(self, plans: list[_RowPlan]) -> None:
        agents = self.planner.agents
        self.agent_pks = {identifier: entry.pk for identifier, entry in agents.lookup.by_identifier.items()
                          if entry.pk is not None}
        self._create_agents(list(agents.new.values()))
        if self.planner.new_languages:
            Language.objects.bulk_create([Language(tag=tag) for tag in self.planner.new_languages.values()])
        changed = [plan for plan in plans if plan.changed]
        for start in range(0, len(changed), BATCH_SIZE):
            self._write_batch(changed[start:start + BATCH_SIZE])
        self._set_parents(changed)
        self._record_history(changed)
        self._log_status_changes(changed)

    def _log_status_changes(self, plans: list[_RowPlan]) -> None:
        """The workflow log of the records whose status the file changed, as the admin's transitions write it."""
        StatusChange.objects.bulk_create([
            StatusChange(record=plan.record, identifier=plan.identifier, from_status=str(plan.current["status"]),
                         to_status=str(plan.desired["status"]), by=self.user, at=self.now, comment=self.reason)
            for plan in plans
            if plan.record.pk in self.loaded and plan.desired["status"] != plan.current["status"]
        ], batch_size=BATCH_SIZE)

    def _create_agents(self, entries: list[Entry]) -> None:
        if not entries:
            return
        agents = [Agent(identifier=entry.identifier, kind=entry.kind or AgentKind.PERSON) for entry in entries]
        agents = bulk_create_with_history(agents, Agent, batch_size=BATCH_SIZE, **self.history())
        names = []
        for entry, agent in zip(entries, agents, strict=True):
            entry.pk = agent.pk
            self.agent_pks[entry.identifier] = agent.pk
            names.append(AgentName(agent=agent, language=guess_name_language(entry.names[0]), text=entry.names[0]))
        names = bulk_create_with_history(names, AgentName, batch_size=BATCH_SIZE, **self.history())
        derived = [AgentName(agent_id=name.agent_id, **form) for name in names for form in derived_forms(name)]
        bulk_create_with_history(derived, AgentName, batch_size=BATCH_SIZE, **self.history())

    def _write_batch(self, plans: list[_RowPlan]) -> None:
        new_records, updated = [], []
        for plan in plans:
            record = plan.record or Record(identifier=plan.identifier)
            apply_scalars(record, plan.desired, self.agent_pk)
            record.sync_derived_fields()
            record.modified = self.now
            if plan.record is None:
                new_records.append(record)
                plan.record = record
            else:
                record.version += 1
                updated.append(record)
        if new_records:
            insert(Record, new_records, now=self.now)
            insert(ReservedIdentifier, [ReservedIdentifier(identifier=r.identifier, record=r) for r in new_records],
                   now=self.now, keys=False)
        if updated:
            Record.objects.bulk_update(updated, _UPDATE_FIELDS, batch_size=BATCH_SIZE)
        self._write_titles(plans)
        self._write_descriptions(plans)
        self._write_agent_links(plans)
        self._write_m2m(plans)

    # Titles ------------------------------------------------------------------------------------------

    def _write_titles(self, plans: list[_RowPlan]) -> None:
        create: list[Title] = []
        update: list[Title] = []
        delete: list[Title] = []
        derive: list[tuple[Title, _RowPlan]] = []
        for plan in plans:
            record = plan.record
            existing = sorted(record.titles.all(), key=lambda t: t.pk) if record.pk in self.loaded else []
            material = plan.desired["languages"]
            ours = set(plan.desired["our_translations"])
            preferred: dict[str, Title] = {}
            for title in existing:
                if title.preferred:
                    preferred.setdefault(title.language.lower(), title)
            for tag in label_tags():
                column = f"title_{tag}"
                text = str(plan.desired[column])
                title = preferred.get(tag.lower())
                form = _label_form(tag, column in ours, material)
                if not text:
                    if title is not None:
                        delete.append(title)
                    continue
                if title is None:
                    title = Title(record=record, language=tag, text=text, form=form, our_translation=column in ours)
                    create.append(title)
                elif (title.text, title.form, title.our_translation) != (text, form, column in ours):
                    text_changed = title.text != text
                    title.text, title.form, title.our_translation = text, form, column in ours
                    if text_changed and title.machine_made:
                        title.machine_made = False
                    update.append(title)
                if form not in (LabelForm.READING, LabelForm.ROMANIZATION) and column in plan.changed:
                    derive.append((title, plan))
            variants = {variant_cell(t.language, t.text): t for t in existing if not t.preferred and not t.machine_made}
            wanted = set(plan.desired["variant_titles"])
            delete.extend(t for key, t in variants.items() if key not in wanted)
            for key in sorted(wanted - set(variants)):
                tag, _sep, text = key.partition(":")
                create.append(Title(record=record, language=tag, text=text, preferred=False,
                                    form=_label_form(tag, False, material)))
        self._delete(delete)
        self._create(Title, create)
        if update:
            bulk_update_with_history(update, Title, ["text", "form", "our_translation", "machine_made"],
                                     batch_size=BATCH_SIZE, **self.history())
        self._derive_titles(derive)

    def _derive_titles(self, derive: list[tuple[Title, _RowPlan]]) -> None:
        """Machine-made readings and romanizations of new or changed titles.

        A form is derived unless the file gives one of its own: a cell that is blank
        (and not ``[clear]``) or that repeats the stored machine-made text is not the
        archivist's, so the machine-made form follows its title.
        """
        if not app_settings.DERIVE_READINGS:
            return
        create: list[Title] = []
        update: list[Title] = []
        for source, plan in derive:
            record = plan.record
            stored = {}
            if record.pk in self.loaded:
                stored = {t.language.lower(): t for t in record.titles.all() if t.preferred}
            for form in derived_forms(source):
                column = f"title_{form['language']}"
                current = stored.get(form["language"].lower())
                wanted = plan.desired.get(column, "")
                echoes_machine = current is not None and current.machine_made and wanted == current.text
                if not (echoes_machine or (not wanted and column not in plan.given)):
                    continue
                if current is None:
                    create.append(Title(record=record, preferred=True, derived_from=source, **form))
                elif current.text != form["text"]:
                    current.text = form["text"]
                    current.derived_from = source
                    update.append(current)
        self._create(Title, create)
        if update:
            bulk_update_with_history(update, Title, ["text", "derived_from"], batch_size=BATCH_SIZE,
                                     **self.history())

    # Descriptions, agents, many-to-many -----------------------------------------------------------

    def _write_descriptions(self, plans: list[_RowPlan]) -> None:
        create, update, delete = [], [], []
        for plan in plans:
            record = plan.record
            ours = set(plan.desired["our_translations"])
            existing = ({d.language.lower(): d for d in record.descriptions.all()}
                        if record.pk in self.loaded else {})
            for tag in languages():
                column = f"description_{tag}"
                text = str(plan.desired[column])
                description = existing.get(tag.lower())
                if not text:
                    if description is not None:
                        delete.append(description)
                elif description is None:
                    create.append(Description(record=record, language=tag, text=text, our_translation=column in ours))
                elif (description.text, description.our_translation) != (text, column in ours):
                    description.text, description.our_translation = text, column in ours
                    update.append(description)
        self._delete(delete)
        self._create(Description, create)
        if update:
            bulk_update_with_history(update, Description, ["text", "our_translation"], batch_size=BATCH_SIZE,
                                     **self.history())

    def _write_agent_links(self, plans: list[_RowPlan]) -> None:
        """Keep the links that stay, move the ones whose position changed, add and remove the rest."""
        create: list[RecordAgent] = []
        update: list[RecordAgent] = []
        delete: list[RecordAgent] = []
        for plan in plans:
            record = plan.record
            links = sorted(record.agent_links.all(), key=lambda link: (link.position, link.pk)) if (
                record.pk in self.loaded) else []
            for column, role in AGENT_ROLE_COLUMNS.items():
                if column not in plan.changed:
                    continue
                remaining = {link.agent_id: link for link in links if link.role == role}
                for position, identifier in enumerate(plan.desired[column]):
                    link = remaining.pop(self.agent_pk(identifier), None)
                    if link is None:
                        create.append(RecordAgent(record=record, agent_id=self.agent_pk(identifier), role=role,
                                                  position=position))
                    elif link.position != position:
                        link.position = position
                        update.append(link)
                delete.extend(remaining.values())
        self._delete(delete)
        if update:
            bulk_update_with_history(update, RecordAgent, ["position"], batch_size=BATCH_SIZE, **self.history())
        self._create(RecordAgent, create)

    def _delete(self, objects: list[models.Model]) -> None:
        # One by one, so that the history records who removed each and why. Removals are rare (a cleared
        # cell, a variant or agent taken out of a list), unlike the creations and updates done in bulk.
        for obj in objects:
            obj._history_user, obj._change_reason = self.user, self.reason
            obj.delete()

    def _write_m2m(self, plans: list[_RowPlan]) -> None:
        lookups = {
            "languages": {tag.lower(): pk for pk, tag in Language.objects.values_list("pk", "tag")},
            "places": {e.identifier: e.pk for e in self.planner.places.by_identifier.values()},
            "subjects": {e.identifier: e.pk for e in self.planner.subjects.by_identifier.values()},
        }
        for name, key in (("languages", "language"), ("places", "place"), ("subjects", "subject")):
            through = getattr(Record, name).through
            touched = [plan for plan in plans if name in plan.changed]
            if not touched:
                continue
            by_key = lookups[name]
            through.objects.filter(record_id__in=[plan.record.pk for plan in touched]).delete()
            fields = [through._meta.get_field("record"), through._meta.get_field(key)]
            insert_values(through, fields, [
                (plan.record.pk, by_key[value.lower() if name == "languages" else value])
                for plan in touched for value in plan.desired[name]
            ])

    def _set_parents(self, plans: list[_RowPlan]) -> None:
        touched = [plan for plan in plans if "parent" in plan.changed]
        if not touched:
            return
        wanted = {str(plan.desired["parent"]) for plan in touched} - {""}
        pks = dict(Record.objects.filter(identifier__in=wanted).values_list("identifier", "pk"))
        for plan in touched:
            parent = str(plan.desired["parent"])
            plan.record.parent_id = pks[parent] if parent else None
        Record.objects.bulk_update([plan.record for plan in touched], ["parent"], batch_size=BATCH_SIZE)

    def _record_history(self, plans: list[_RowPlan]) -> None:
        """History of each written record, taken after its places, subjects and languages are set."""
        history_model = Record.history.model
        for update, group in ((False, [p for p in plans if p.record.pk not in self.loaded]),
                              (True, [p for p in plans if p.record.pk in self.loaded])):
            if not group:
                continue
            records = [plan.record for plan in group]
            history_ids = insert_history(Record, records, history_type="~" if update else "+", user=self.user,
                                         reason=self.reason, date=self.now, keys=True)
            for name in ("languages", "places", "subjects"):
                m2m_history = getattr(history_model, name).model
                through = getattr(Record, name).through
                key = {"languages": "language_id", "places": "place_id", "subjects": "subject_id"}[name]
                rows = defaultdict(list)
                for row in through.objects.filter(record_id__in=[r.pk for r in records]).values_list(
                        "pk", "record_id", key):
                    rows[row[1]].append(row)
                fields = [m2m_history._meta.get_field(n) for n in ("id", "record", key.removesuffix("_id"),
                                                                   "history")]
                insert_values(m2m_history, fields, [
                    (pk, record_id, value, history_id)
                    for record, history_id in zip(records, history_ids, strict=True)
                    for pk, record_id, value in rows[record.pk]
                ])


_UPDATE_FIELDS = [
    f.name for f in Record._meta.concrete_fields
    if f.name not in {"id", "identifier", "created", "parent"}
]


def derived_forms(label: models.Model) -> list[dict[str, Any]]:
    """The machine-made reading and romanization a label should have, as field values."""
    if derivation_deferred():
        return []  # an import: derived afterwards by a task (collection.importing.deferral)
    language, script = base_language(label.language), script_subtag(label.language)
    forms: list[dict[str, Any]] = []
    if language == "ja" and script in ("", "Jpan"):
        reading = japanese_reading(label.text)
        if reading:
            forms.append({"language": "ja-Hrkt", "form": LabelForm.READING, "text": reading, "machine_made": True})
            forms.append({"language": "ja-Latn", "form": LabelForm.ROMANIZATION, "text": kana_to_hepburn(reading),
                          "machine_made": True})
    elif language == "ru" and script in ("", "Cyrl"):
        romanized = romanize_russian(label.text)
        if romanized and romanized != label.text:
            forms.append({"language": "ru-Latn", "form": LabelForm.ROMANIZATION, "text": romanized,
                          "machine_made": True})
    if isinstance(label, AgentName):
        for form in forms:
            form["derived_from"] = label
    return forms


def _refresh_search_index(record_ids: list[int]) -> None:
    try:
        search = importlib.import_module("collection.search")
    except ImportError:
        return
    refresh = getattr(search, "refresh_search_index", None)
    if refresh is not None:
        refresh(record_ids)


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
            message = _("%(identifier)s was deleted after the file was checked; nothing was imported.") % {
                "identifier": plan.identifier}
        else:
            user, when = last_change(plan.record)
            message = _(
                "%(identifier)s was changed by %(user)s at %(when)s after the file was checked; nothing was "
                "imported: import the file again to see and apply its changes anew."
            ) % {
                "identifier": plan.identifier,
                "user": (user.get_full_name() or user.get_username()) if user else _("someone"),
                "when": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else _("recently"),
            }
        errors.append(RowError(plan.row, "identifier", message))
    return errors


def write_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, user: Any = None, source: str = "",
               dry_run: bool = False) -> WriteResult:
    """Validate and write catalogue rows; all or nothing.

    ``rows`` are ``(row_number, {column: cell})`` pairs, numbered as a spreadsheet
    shows them (the header is row 1). ``user`` is the acting user; ``None`` is the
    command-line operator, who counts as a collection manager. ``source`` becomes
    the change reason in the history. A dry run validates and works out every
    change exactly as a real run would, then rolls back.
    """
    rows = list(rows)
    result = WriteResult(dry_run=dry_run)
    planner = _Planner(user)
    plans = planner.plan(rows)
    result.errors = sorted(planner.errors.items, key=lambda e: (e.row, e.column))
    if result.errors:
        return result
    for plan in plans:
        kind = str(plan.desired["kind"])
        if plan.record is None:
            action = NEW
            fields = {c: ("", as_text(plan.desired[c])) for c in plan.changed if plan.desired[c]}
            result.created[kind] += 1
        elif plan.changed:
            action = UPDATED
            fields = {c: (as_text(plan.current[c]), as_text(plan.desired[c])) for c in plan.changed}
            result.updated[kind] += 1
        else:
            action, fields = UNCHANGED, {}
            result.unchanged[kind] += 1
        result.changes.append(RowChange(plan.row, plan.identifier, kind, action, fields))
    result.new_agents = [NewAgent(e.identifier, e.names[0], e.kind) for e in planner.agents.new.values()]

    written: list[int] = []
    with transaction.atomic():
        stale = _stale(plans)
        if stale:
            return WriteResult(errors=stale, dry_run=dry_run)
        loaded = {plan.record.pk for plan in plans if plan.record is not None}
        _Applier(planner, user, source or _("catalogue import"), loaded).run(plans)
        written = [plan.record.pk for plan in plans if plan.changed]
        if dry_run:
            transaction.set_rollback(True)
    if written and not dry_run:
        _refresh_search_index(written)
    return result
