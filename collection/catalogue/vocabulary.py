"""Vocabulary sheets (places, subjects, agents) written through the same rules as records.

A vocabulary sheet has an identifier, the entry's own fields, a name column per
language (with reading and romanization columns), ``other_names`` (the preferred
names in tags without a column, ``mn:…``), ``variant_names`` and
``our_translations``, then what the admin records of each name: ``name_forms``,
``name_sources`` and, for places, ``name_periods``; an agents sheet also
``name_parts``, the family and given names of a person's preferred names, which
citations need to invert a name. The
rules are the record sheet's: all or nothing, errors as ``row N, column C:
problem``, blank cells keep the stored value, ``[clear]`` removes it, and a row
matching the stored entry is left untouched; history records the user and the
change reason.

The cost grows with batches of rows, not with rows: the whole vocabulary is read
once for the checks (parents are named by identifier or by any name), and the
changes are written table by table, as the models would write them saving the
entries one by one (see :class:`_Writer`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import reasons
from ..concurrency import stale_message
from ..conf import app_settings
from ..derivation import READING_TAG, checked_text, derived_tags, plan_forms, source_of
from ..importing.deferral import derivation_deferred
from ..models import Agent, AgentKind, AgentName, LabelForm, Place, PlaceKind, PlaceName, Subject, SubjectLabel
from ..models.labels import DERIVED_FORMS, Label, preferred_name_clash
from ..search import refresh_records_naming
from ..text import stored_form
from ..validators import unstorable_cell_problem, validate_edtf, validate_identifier, validate_language_tag
from .bulk import allocate_keys, delete_keyed, insert_history, insert_keyed, update_keyed
from .csv_io import EXTRA_CELLS
from .export import Cell, as_text, variant_cell
from .export_lines import queue_refresh, shown_in_rows
from .files import encoding_problems
from .format import (
    CLEAR,
    MULTI_VALUED,
    NAME_DATA_COLUMNS,
    derived_form,
    has_column,
    label_tags,
    languages,
    listed_text,
    machine_made_kept,
    machine_made_problems,
    named_tag,
    names_a_derived_form,
    parse_other_texts,
    split_values,
    vocabulary_columns,
)
from .resolve import Entry, Lookup, ResolveError
from .writer import (
    BATCH_SIZE,
    NEW,
    UNCHANGED,
    UPDATED,
    Progress,
    RowChange,
    RowError,
    RowErrors,
    WriteResult,
    derived_forms,
    label_form,
    leading_zeros_lost,
    zero_padded,
)


@dataclass(frozen=True)
class _Kind:
    model: type[models.Model]
    label_model: type[models.Model]
    owner: str  # the label's foreign key to its entry
    labels: str  # the entry's related name for its labels
    parent: str  # "parent", "broader" or ""
    kinds: tuple[str, ...]
    fields: tuple[str, ...]  # cells copied to model fields of the same name (date -> date_edtf)


VOCABULARIES: dict[str, _Kind] = {
    "places": _Kind(Place, PlaceName, "place", "names", "parent", tuple(PlaceKind.values),
                    ("gupvi_camp_number", "latitude", "longitude")),
    "subjects": _Kind(Subject, SubjectLabel, "subject", "labels", "broader", (), ()),
    "agents": _Kind(Agent, AgentName, "agent", "names", "", tuple(AgentKind.values),
                    ("date", "date_display", "viaf", "ndl", "wikidata", "isil", "notes")),
}


def _field_name(column: str) -> str:
    return "date_edtf" if column == "date" else column


def _empty(column: str) -> Cell:
    return () if column in MULTI_VALUED else ""


def entry_cells(vocabulary: str, entry: models.Model) -> dict[str, Cell]:
    """An entry's cells as values, in the vocabulary sheet's columns."""
    spec = VOCABULARIES[vocabulary]
    cells: dict[str, Cell] = {"identifier": entry.identifier}
    if spec.kinds:
        cells["kind"] = entry.kind
    if spec.parent:
        parent = getattr(entry, spec.parent)
        cells[spec.parent] = parent.identifier if parent else ""
    for column in spec.fields:
        value = getattr(entry, _field_name(column))
        cells[column] = "" if value is None else str(value)
    labels = sorted(getattr(entry, spec.labels).all(), key=lambda label: label.pk)
    tags = label_tags()
    ours, parts, machine = [], [], []
    named: list[tuple[str, Label]] = []  # (the name's key in the per-name cells, the name)
    for tag in tags:
        match = next((x for x in labels if x.preferred and x.language.lower() == tag.lower()), None)
        cells[f"name_{tag}"] = match.text if match else ""
        if match:
            named.append((tag, match))
    # The preferred names in tags without a column: the first of each tag, as for a column; the per-name cells
    # name them by their tag as stored (mn), our_translations as name_<tag>.
    others: dict[str, Label] = {}
    for label in labels:
        if label.preferred and not has_column(label.language, tags):
            others.setdefault(label.language.lower(), label)
    cells["other_names"] = tuple(sorted(variant_cell(x.language, x.text) for x in others.values()))
    named.extend((x.language, x) for x in others.values())
    for key, label in named:
        if label.our_translation:
            ours.append(f"name_{key}")
        if label.is_machine_made:
            machine.append(f"name_{key}")
        if getattr(label, "family", ""):
            parts.append(name_parts_value(key, label.family, label.given))
    variants = [x for x in labels if not x.preferred and not x.machine_made]
    cells["variant_names"] = tuple(sorted(variant_cell(x.language, x.text) for x in variants))
    named.extend((variant_cell(x.language, x.text), x) for x in variants)
    cells["our_translations"] = tuple(sorted(ours))
    cells["machine_made"] = tuple(sorted(machine))
    data: dict[str, list[str]] = {column: [] for column in NAME_DATA_COLUMNS[vocabulary]}
    for key, label in named:
        if label.form != _default_form(key, label.our_translation):
            data["name_forms"].append(f"{key}:{label.form}")
        if "name_periods" in data and (label.valid_from is not None or label.valid_to is not None):
            data["name_periods"].append(f"{key}:{period_value(label.valid_from, label.valid_to)}")
        if label.source:
            data["name_sources"].append(f"{key}:{label.source}")
    for column, values in data.items():
        cells[column] = tuple(sorted(values))
    if vocabulary == "agents":
        cells["name_parts"] = tuple(sorted(parts))
    return cells


def _default_form(key: str, ours: bool) -> str:
    """The form a name takes from where the sheet writes it: its column (``key`` a tag) or ``variant_names``
    (``key`` a variant, ``language:name``); a ``name_forms`` value gives any other."""
    tag, variant, _text = key.partition(":")
    return label_form(tag, ours and not variant, ())


def period_value(valid_from: int | None, valid_to: int | None) -> str:
    """The years a name was used as an EDTF interval: ``1923/1958``, ``1923/..``, ``../1958``, or ``1923``."""
    if valid_from is not None and valid_from == valid_to:
        return _year(valid_from)
    return "/".join(".." if year is None else _year(year) for year in (valid_from, valid_to))


def _year(year: int) -> str:
    return f"{year:05d}" if year < 0 else f"{year:04d}"


def name_parts_value(tag: str, family: str, given: str) -> str:
    """One value of a ``name_parts`` cell: ``en:Applebaum, Anne``, or ``en:Plato,`` without a given name."""
    return f"{tag}:{family}, {given}" if given else f"{tag}:{family},"


def _name_parts(cell: Cell) -> dict[str, tuple[str, str]]:
    """The (family, given) of each language tag of a parsed ``name_parts`` cell."""
    parts = {}
    for value in cell:
        tag, _sep, rest = value.partition(":")
        family, _comma, given = rest.partition(",")
        parts[tag] = (family.strip(), given.strip())
    return parts


def _queryset(vocabulary: str) -> models.QuerySet:
    spec = VOCABULARIES[vocabulary]
    queryset = spec.model.objects.prefetch_related(spec.labels)
    return queryset.select_related(spec.parent) if spec.parent else queryset


def export_vocabulary(vocabulary: str) -> Iterator[dict[str, str]]:
    columns = vocabulary_columns(vocabulary)
    for entry in _queryset(vocabulary).order_by("identifier"):
        cells = entry_cells(vocabulary, entry)
        yield {column: as_text(cells.get(column, "")) for column in columns}


def write_vocabulary(vocabulary: str, rows: Iterable[tuple[int, Mapping[str, Any]]], *, user: Any = None,
                     source: str = "", dry_run: bool = False, progress: Progress | None = None,
                     encoding: str = "") -> WriteResult:
    """Validate and write a vocabulary sheet; all or nothing. See :func:`write_rows`, whose ``progress`` and
    ``encoding`` this takes the same way."""
    spec = VOCABULARIES[vocabulary]
    columns = vocabulary_columns(vocabulary)
    rows = list(rows)
    errors = RowErrors()
    result = WriteResult(dry_run=dry_run)

    seen = {str(column or "").strip() for _number, row in rows for column in row} - {EXTRA_CELLS}
    for column in sorted(seen - set(columns)):
        errors.add(1, column, _("Unknown column."))
    if rows and "identifier" not in seen:
        errors.add(1, "identifier", _("The identifier column is missing."))
    if errors.items:
        result.errors = errors.items
        return result

    model_name = spec.model._meta.model_name
    if user is not None and not user.has_perms((f"collection.add_{model_name}", f"collection.change_{model_name}")):
        result.errors = [RowError(1, "identifier", _("You may not change this vocabulary."))]
        return result

    existing = {entry.identifier: entry for entry in _queryset(vocabulary)}
    padded = zero_padded(existing)
    plans: list[tuple[int, str, models.Model | None, dict[str, Cell], dict[str, Cell], set[str]]] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        cells: dict[str, str] = {}
        for column, value in row.items():
            column = str(column or "").strip()
            if column == EXTRA_CELLS:
                if str(value or "").strip():
                    errors.add(number, "", _("There are cells beyond the last named column."))
                continue
            text = (stored_form("" if value is None else str(value)) or "").strip()
            problem = unstorable_cell_problem(text)
            if problem is not None:
                errors.add(number, column, problem)
                continue
            cells[column] = text
        identifier = cells.get("identifier", "")
        try:
            validate_identifier(identifier)
        except ValidationError:
            errors.add(number, "identifier", _("Every row needs a valid identifier (Latin letters, digits, . _ -)."))
            continue
        if identifier in first_row:
            errors.add(number, "identifier", _("“%(identifier)s” is also on row %(row)s.") % {
                "identifier": identifier, "row": first_row[identifier]})
            continue
        first_row[identifier] = number
        entry = existing.get(identifier)
        if entry is None:
            lost = leading_zeros_lost(identifier, padded)
            if lost:
                errors.add(number, "identifier", lost)
                continue
        current = entry_cells(vocabulary, entry) if entry else {c: _empty(c) for c in columns} | {
            "identifier": identifier}
        desired = dict(current)
        given: set[str] = set()
        for column in columns:
            text = cells.get(column, "")
            if column == "identifier" or not text:
                continue
            given.add(column)
            if text == CLEAR:
                if column == "kind":
                    errors.add(number, column, _("This column cannot be cleared."))
                desired[column] = _empty(column)
                continue
            try:
                desired[column] = _parse(column, text)
            except ValidationError as exc:
                for message in exc.messages:
                    errors.add(number, column, message)
        if entry is not None and "other_names" not in seen:
            _keep_what_is_said_of_other_names(vocabulary, current, desired, given)
        if spec.kinds and not desired.get("kind"):
            if vocabulary == "agents":
                desired["kind"] = AgentKind.PERSON
            else:
                errors.add(number, "kind", _("Give the kind: %(choices)s.") % {"choices": ", ".join(spec.kinds)})
        plans.append((number, identifier, entry, current, desired, given))

    # Parents may be named by identifier or by name, and may be rows of this same sheet: an entry is named too
    # by the names its row gives it, a renamed region by its new name as by its old.
    lookup = Lookup(_("entries"))
    for entry in existing.values():
        lookup.add(Entry(entry.pk, entry.identifier, [x.text for x in getattr(entry, spec.labels).all()]))
    for _number, identifier, entry, _current, desired, _given in plans:
        names = [name for _tag, name in _row_names(desired).values()]
        if entry is None or identifier not in lookup.by_identifier:
            lookup.add(Entry(None, identifier, names))
        else:
            known = lookup.by_identifier[identifier]
            known.names.extend(name for name in names if name not in known.names)
            lookup.add(known)
    unreadable = {(error.row, error.column) for error in errors.items}
    for checked, (number, _identifier, entry, current, desired, given) in enumerate(plans, start=1):
        if _check_encoding(number, current, desired, given, encoding, errors):
            # The other checks would judge what the code page left of the text, not the text.
            continue
        if spec.parent and spec.parent in given and desired[spec.parent]:
            try:
                desired[spec.parent] = lookup.resolve(str(desired[spec.parent])).identifier
            except ResolveError as exc:
                errors.add(number, spec.parent, exc)
        if "name_parts" in current and (number, "name_parts") not in unreadable:
            _check_name_parts(number, current, desired, given, errors)
        _check_name_data(vocabulary, number, current, desired, given, errors)
        if (number, "machine_made") not in unreadable:
            _check_machine_made(vocabulary, number, current, desired, given, errors)
        _validate(vocabulary, number, entry, desired, errors)
        if entry is not None and any(desired.get(column) != current.get(column) for column in columns):
            _check_preferred_names(vocabulary, number, entry, desired, errors, "other_names" in seen)
        if progress is not None and checked % BATCH_SIZE == 0 and checked < len(plans):
            progress("checking", checked, None)
    if spec.parent:
        _check_cycles(spec, plans, existing, errors)
    if progress is not None:
        progress("checking", len(rows), None)

    result.errors = sorted(errors.items, key=lambda e: (e.row, e.column))
    if result.errors:
        return result

    ordered = _parents_first(spec, plans)
    writes = []
    for plan in ordered:
        number, identifier, entry, current, desired, _given = plan
        changed = [c for c in columns if desired.get(c) != current.get(c)]
        kind = vocabulary
        if entry is None:
            result.created[kind] += 1
            result.changes.append(RowChange(number, identifier, kind, NEW,
                                            {c: ("", as_text(desired[c])) for c in changed if desired[c]}))
        elif changed:
            result.updated[kind] += 1
            result.changes.append(RowChange(number, identifier, kind, UPDATED,
                                            {c: (as_text(current[c]), as_text(desired[c])) for c in changed}))
        else:
            result.unchanged[kind] += 1
            result.changes.append(RowChange(number, identifier, kind, UNCHANGED))
            continue
        writes.append(plan)
    with transaction.atomic():
        stale = _Writer(vocabulary, user, source or reasons.catalogue_import()).write(writes, existing, progress)
        if stale:
            # Saved by someone else after the sheet was checked: nothing of the sheet is written.
            transaction.set_rollback(True)
            refused = WriteResult(dry_run=dry_run)
            refused.errors = stale
            return refused
        if dry_run:
            transaction.set_rollback(True)
    return result


def _check_encoding(number: int, current: Mapping[str, Cell], desired: Mapping[str, Cell], given: set[str],
                    encoding: str, errors: RowErrors) -> bool:
    """Report the cells of a row that its file's code page lost or misread (see
    :func:`~.files.encoding_problems`); whether there were any."""
    losses = encoding_problems(current, desired, sorted(given), encoding)
    for column, problem in losses:
        errors.add(number, column, problem)
    return bool(losses)


def _parse(column: str, text: str) -> Cell:
    if column in ("latitude", "longitude"):
        try:
            # As the database gives it back, so that an unchanged coordinate compares equal.
            return str(Decimal(text.replace(",", ".")).quantize(Decimal("0.000001")))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("“%(value)s” is not a number like 43.115.") % {"value": text}) from None
    if column not in MULTI_VALUED:
        return text
    values = split_values(text)
    if column in ("name_forms", "name_periods", "name_sources"):
        # Read against the row's names once every cell is read: see _check_name_data.
        return tuple(values)
    if column == "name_parts":
        return _parse_name_parts(values)
    if column == "our_translations":
        for value in values:
            if not _names_a_name(value):
                raise ValidationError(_("“%(value)s” is not a name column of a language.") % {"value": value})
        return tuple(sorted(set(values)))
    if column == "machine_made":
        for value in values:
            if not names_a_derived_form(value, "name", label_tags()):
                raise ValidationError(_(
                    "“%(value)s” is not a reading or romanization column (%(columns)s), nor name_<tag> of a reading "
                    "or romanization in other_names.") % {"value": value, "columns": ", ".join(
                        f"name_{tag}" for tag in label_tags() if derived_form(tag))})
        return tuple(sorted(set(values)))
    if column == "other_names":
        return _parse_other_names(values)
    variants = set()
    for value in values:
        tag, sep, name = value.partition(":")
        if not sep or not name.strip():
            raise ValidationError(_("Write a variant name as language:name, e.g. en:Name."))
        validate_language_tag(tag.strip())
        variants.add(variant_cell(tag.strip(), name.strip()))
    return tuple(sorted(variants))


def _names_a_name(value: str) -> bool:
    """Whether an ``our_translations`` value names a name: the column of a configured language, or
    ``name_<tag>`` of a tag without a column of its own (its name in ``other_names``)."""
    named = named_tag(value, {"name": label_tags()})
    # A reading or romanization column is never a translation.
    return named is not None and (not named[2] or named[1] in languages())


def _parse_other_names(values: list[str]) -> Cell:
    """``other_names``: one ``tag:name`` per tag that has no column of its own, as an entry has one preferred
    name per tag."""
    return parse_other_texts(
        values, label_tags(), "name",
        _("“%(tag)s” has its own column: write this name in %(column)s."),
        _("Two names tagged %(tag)s (“%(first)s” and “%(second)s”): an entry has one preferred name per language; "
          "give the other in variant_names."))


def _other_names(desired: Mapping[str, Cell]) -> dict[str, tuple[str, str]]:
    """The row's names in tags without a column: ``(tag as written, name)`` by the lower-cased tag."""
    names = {}
    for value in desired.get("other_names", ()):
        tag, _sep, text = value.partition(":")
        names[tag.lower()] = (tag, text)
    return names


def _row_names(desired: Mapping[str, Cell]) -> dict[str, tuple[str, str]]:
    """Every preferred name of the row, ``(tag as its cells spell it, name)`` by the lower-cased tag: those of
    the name columns and those of ``other_names``."""
    names = {tag.lower(): (tag, str(desired[f"name_{tag}"])) for tag in label_tags() if desired.get(f"name_{tag}")}
    names.update(_other_names(desired))
    return names


def _parse_name_parts(values: list[str]) -> Cell:
    """``tag:Family, Given`` values, each in its canonical spelling (the tag as its name column spells it; a tag
    without a column as written, then as the row's ``other_names`` spells it: see :func:`_check_name_parts`)."""
    tags = {tag.lower(): tag for tag in label_tags()}
    example = "en:Applebaum, Anne"
    problems, parsed, seen = [], [], set()
    for value in values:
        tag, colon, rest = value.partition(":")
        family, comma, given_name = rest.partition(",")
        tag, family, given_name = tag.strip(), family.strip(), given_name.strip()
        if not colon:
            problems.append(_("“%(value)s” has no language: write name parts as language:Family, Given, "
                              "e.g. %(example)s.") % {"value": value, "example": example})
        elif not comma:
            problems.append(_("“%(value)s” has no comma between the family and the given name: write "
                              "language:Family, Given, e.g. %(example)s (or en:Plato, for a person known by one "
                              "name).") % {"value": value, "example": example})
        elif not family:
            problems.append(_("“%(value)s” has no family name: write language:Family, Given, e.g. %(example)s.")
                            % {"value": value, "example": example})
        elif tag.lower() not in tags and not _is_language_tag(tag):
            problems.append(_("“%(tag)s” is not the language of a name column of this sheet (%(tags)s).") % {
                "tag": tag, "tags": ", ".join(tags.values())})
        elif tag.lower() in seen:
            problems.append(_("The name parts of name_%(tag)s are given twice.") % {"tag": tags.get(tag.lower(), tag)})
        else:
            seen.add(tag.lower())
            parsed.append(name_parts_value(tags.get(tag.lower(), tag), family, given_name))
    if problems:
        raise ValidationError(problems)
    return tuple(sorted(parsed))


def _is_language_tag(tag: str) -> bool:
    try:
        validate_language_tag(tag)
    except ValidationError:
        return False
    return True


def _keep_what_is_said_of_other_names(vocabulary: str, current: Mapping[str, Cell], desired: dict[str, Cell],
                                      given: set[str]) -> None:
    """A row of a sheet without ``other_names`` (one exported before it existed) cannot show the names in tags
    without a column, which it keeps as stored: what its ``our_translations``, ``machine_made``, ``name_parts``
    and per-name cells say is taken as saying nothing of them either, so those names stay ours or not,
    machine-made or not, with their parts, forms, periods and sources, as they were."""
    others = _other_names(current)
    if not others:
        return
    for column in ("our_translations", "machine_made"):
        if column in given:
            kept = [f"name_{tag}" for tag, _name in others.values() if f"name_{tag}" in current[column]]
            desired[column] = tuple(sorted({*desired[column], *kept}))
    if "name_parts" in given and "name_parts" in current:
        said = {tag.lower() for tag in _name_parts(desired["name_parts"])}
        kept = [value for value in current["name_parts"]
                if value.partition(":")[0].lower() in others and value.partition(":")[0].lower() not in said]
        desired["name_parts"] = tuple(sorted({*desired["name_parts"], *kept}))
    stored_keys, keys = _name_keys(current), _name_keys(desired)
    for column in NAME_DATA_COLUMNS[vocabulary]:
        if column not in given:
            continue
        said = {split[0].lower() for value in desired[column] if (split := _split_name_value(column, value, keys))}
        kept = [value for value in current[column]
                if (split := _split_name_value(column, value, stored_keys))
                and split[0].lower() in others and split[0].lower() not in said]
        desired[column] = (*desired[column], *kept)


def _check_name_parts(number: int, current: Mapping[str, Cell], desired: dict[str, Cell], given: set[str],
                      errors: RowErrors) -> None:
    """Check an agent row's name parts against its names and kind; parts kept from the stored entry follow
    their names (gone with a name the row clears).

    The parts are the name typed a second time, and citations print the parts, not the name: a typo in them
    would be published in every citation while the name looks right everywhere else. So each part must
    occur in its name as written (case and all): the parts split the name, they do not spell another one.
    Only what the row changes is checked (new or changed parts, a renamed name, a new kind), so that an
    exported sheet imports back unchanged whatever was stored before these checks.
    """
    stored = _name_parts(current["name_parts"])
    names = _row_names(desired)
    # A tag without a column as the row's other_names spells it, so that an exported row compares equal.
    parts = {names[tag.lower()][0] if tag.lower() in names else tag: value
             for tag, value in _name_parts(desired["name_parts"]).items()}
    typed = "name_parts" in given
    if not typed:
        parts = {tag: value for tag, value in parts.items() if tag.lower() in names}
    desired["name_parts"] = tuple(sorted(name_parts_value(tag, *value) for tag, value in parts.items()))
    if parts and desired.get("kind") == AgentKind.ORGANISATION and (
            (typed and parts != stored) or current.get("kind") != AgentKind.ORGANISATION):
        if typed:
            errors.add(number, "name_parts", _("An organisation's names have no family and given name: give "
                                               "name parts for persons only."))
        else:
            errors.add(number, "name_parts", _("An organisation's names have no family and given name: write "
                                               "[clear] in name_parts to remove the stored ones (%(parts)s).")
                       % {"parts": as_text(desired["name_parts"])})
        return
    for tag, (family, given_name) in parts.items():
        column = f"name_{tag}"  # for a name in other_names, as our_translations names it
        name = names.get(tag.lower(), ("", ""))[1]
        if not name:
            if has_column(tag, label_tags()):
                errors.add(number, "name_parts", _("There is no name in %(column)s to give the parts of.") % {
                    "column": column})
            else:
                errors.add(number, "name_parts", _("There is no name in %(tag)s in other_names to give the parts "
                                                   "of.") % {"tag": tag})
            continue
        if stored.get(tag) == (family, given_name) and name == _row_names(current).get(tag.lower(), ("", ""))[1]:
            continue
        if family in name and given_name in name:
            continue
        if stored.get(tag) == (family, given_name):
            errors.add(number, "name_parts", _(
                "%(column)s is now “%(name)s”, which does not contain the stored name parts “%(parts)s”: give "
                "its parts in name_parts, or write [clear] there.") % {
                "column": column, "name": name, "parts": name_parts_value(tag, family, given_name)})
        elif family not in name:
            errors.add(number, "name_parts", _(
                "The family name “%(part)s” does not occur in %(column)s, “%(name)s”: check both for a typo.") % {
                "part": family, "column": column, "name": name})
        else:
            errors.add(number, "name_parts", _(
                "The given name “%(part)s” does not occur in %(column)s, “%(name)s”: check both for a typo.") % {
                "part": given_name, "column": column, "name": name})


def _check_machine_made(vocabulary: str, number: int, current: Mapping[str, Cell], desired: dict[str, Cell],
                        given: set[str], errors: RowErrors) -> None:
    """Read the row's ``machine_made`` against its names, as the record sheet's is read against its titles
    (:func:`~.format.machine_made_problems`); a row without the cell keeps the stored forms machine-made unless
    it corrects them, by their text or by giving their parts.

    A listed name must be a reading or romanization as the row leaves it (``name_forms``
    may say otherwise of a name column's name), and its parts, which mark a stored
    form checked, must be the stored ones.
    """
    tags = label_tags()
    changed_parts = _changed_parts(current, desired)
    if "machine_made" not in given:
        desired["machine_made"] = tuple(name for name in machine_made_kept(current, desired, tags, "other_names")
                                        if name not in changed_parts)
        return
    for problem in machine_made_problems(current, desired, tags, "other_names", given=given,
                                         romanized_as_name=VOCABULARIES[vocabulary].label_model.romanized_as_name):
        errors.add(number, "machine_made", problem)
    listed = set(desired["machine_made"])
    for column, label in _labels(vocabulary, desired):
        name = _listed_name(column, label)
        if name not in listed:
            continue
        if label.form not in DERIVED_FORMS:
            errors.add(number, "machine_made", _(
                "%(name)s is a name of the form “%(form)s” (name_forms): only a reading or romanization can be "
                "machine-made.") % {"name": name, "form": label.form})
        elif name in changed_parts and listed_text(current, name, tags, "other_names"):
            errors.add(number, "machine_made", _(
                "%(name)s is listed as machine-made, but the row gives its name parts, which make it the "
                "archivist's. Take %(name)s out of machine_made.") % {"name": name})


def _listed_name(column: str, label: models.Model) -> str:
    """How ``our_translations`` and ``machine_made`` name a preferred name of a row (see :func:`_labels`)."""
    return f"name_{label.language}" if column == "other_names" else column


def _changed_parts(current: Mapping[str, Cell], desired: Mapping[str, Cell]) -> set[str]:
    """The names (as ``machine_made`` names them) whose parts the row gives anew."""
    if "name_parts" not in desired:
        return set()
    stored = _name_parts(current["name_parts"])
    return {f"name_{tag}" for tag, parts in _name_parts(desired["name_parts"]).items()
            if parts[0] and parts != stored.get(tag)}


_PERIOD = re.compile(r"(-?\d{4}|\.\.)(?:/(-?\d{4}|\.\.))?")


def _parse_period(text: str) -> tuple[int | None, int | None]:
    """The first and last year of a ``name_periods`` value, read as the record's ``date`` is read, then held to
    years: the admin stores a name's period as a first and a last year."""
    validate_edtf(text)
    match = _PERIOD.fullmatch(text)
    if not match:
        raise ValidationError(_("“%(value)s” is not a period in years: write 1923/1958, 1923/.. or ../1958 (a "
                                "name's period is stored as its first and last year).") % {"value": text})
    first, last = match[1], match[2] if match[2] is not None else match[1]
    return (None if first == ".." else int(first)), (None if last == ".." else int(last))


def _name_keys(desired: Mapping[str, Cell]) -> dict[str, str]:
    """The row's names as the per-name cells name them: the tag of each name column with a name (``en``) and of
    each name in ``other_names`` (``mn``), each variant as ``variant_names`` writes it (``ru:Молотов``); keyed by
    the spelling matched (tags in any case)."""
    keys = {key: tag for key, (tag, _name) in _row_names(desired).items()}
    keys.update((value, value) for value in desired.get("variant_names", ()))
    return keys


def _split_name_value(column: str, value: str, keys: Mapping[str, str]) -> tuple[str, str] | None:
    """The name a per-name value is about, as written, and what it says of it; None without a colon.

    A form or period has no colon, so it follows the last one. A source may have colons, and so may a variant:
    the value is about the longest of the row's variants it starts with (then a colon), or else about the name
    in the column of the language before the first colon.
    """
    if ":" not in value:
        return None
    if column != "name_sources":
        key, _colon, data = value.rpartition(":")
        return key.strip(), data.strip()
    variants = [key for key in keys if ":" in key and value.startswith(f"{key}:")]
    if variants:
        key = max(variants, key=len)
        return key, value[len(key) + 1:].strip()
    key, _colon, data = value.partition(":")
    return key.strip(), data.strip()


def _name_data(vocabulary: str, desired: Mapping[str, Cell]) -> dict[str, dict[str, str]]:
    """What each checked per-name cell of the row says, by the key of the name."""
    keys = _name_keys(desired)
    data: dict[str, dict[str, str]] = {}
    for column in NAME_DATA_COLUMNS[vocabulary]:
        data[column] = {}
        for value in desired.get(column, ()):
            key, text = _split_name_value(column, value, keys) or ("", "")
            data[column][key] = text
    return data


def _check_name_data(vocabulary: str, number: int, current: Mapping[str, Cell], desired: dict[str, Cell],
                     given: set[str], errors: RowErrors) -> None:
    """Read the row's ``name_forms``, ``name_periods`` and ``name_sources`` against its names, each value in
    its canonical spelling.

    A cell the row leaves blank keeps what it says of the names the row keeps, and drops what it says of a
    name the row removes, as ``name_parts`` does. A form a name would take anyway is not written.
    """
    keys = _name_keys(desired)
    ours = set(desired.get("our_translations", ()))
    stored_keys = _name_keys(current)
    tags = ", ".join(tag for tag in label_tags())
    for column in NAME_DATA_COLUMNS[vocabulary]:
        typed = column in given
        values: dict[str, str] = {}
        for value in desired[column]:
            split = _split_name_value(column, value, keys if typed else stored_keys)
            if split is None:
                errors.add(number, column, _("“%(value)s” names no name: write the language of a name column or "
                                             "a variant name, a colon, then the value, e.g. %(example)s.") % {
                    "value": value, "example": _NAME_DATA_EXAMPLES[column]})
                continue
            written, text = split
            key = keys.get(written if ":" in written else written.lower())
            if key is None:
                if not typed:
                    continue  # said of a name the row removes
                if ":" in written:
                    problem = _("“%(name)s” is not a variant name of this row.") % {"name": written}
                elif written.lower() in {tag.lower() for tag in label_tags()}:
                    problem = _("There is no name in name_%(tag)s for “%(value)s”.") % {
                        "tag": written, "value": value}
                else:
                    problem = _("“%(tag)s” is neither the language of a name column of this sheet (%(tags)s) nor a "
                                "variant name of this row.") % {"tag": written, "tags": tags}
                errors.add(number, column, problem)
                continue
            if key in values:
                errors.add(number, column, _("“%(name)s” is given twice.") % {"name": written})
                continue
            if not text:
                errors.add(number, column, _("“%(value)s” gives nothing after the colon.") % {"value": value})
                continue
            if column == "name_forms":
                if text not in LabelForm.values:
                    errors.add(number, column, _("“%(form)s” is not a form of a name: write one of %(forms)s.") % {
                        "form": text, "forms": ", ".join(LabelForm.values)})
                    continue
                if text == _default_form(key, ":" not in key and f"name_{key}" in ours):
                    continue
            elif column == "name_periods":
                try:
                    text = period_value(*_parse_period(text))
                except ValidationError as exc:
                    for message in exc.messages:
                        errors.add(number, column, message)
                    continue
            values[key] = text
        desired[column] = tuple(sorted(f"{key}:{text}" for key, text in values.items()))


_NAME_DATA_EXAMPLES = {
    "name_forms": "ru:transcription",
    "name_periods": "en:1923/1958",
    "name_sources": "en:NDLSH 00567534",
}


def _assign(vocabulary: str, entry: models.Model, desired: Mapping[str, Cell]) -> None:
    spec = VOCABULARIES[vocabulary]
    if spec.kinds:
        entry.kind = desired["kind"]
    for column in spec.fields:
        value = desired[column]
        if column in ("latitude", "longitude"):
            value = value or None
        setattr(entry, _field_name(column), value)


def _labels(vocabulary: str, desired: Mapping[str, Cell]) -> list[tuple[str, models.Model]]:
    """(column, unsaved label) for every name the row gives."""
    spec = VOCABULARIES[vocabulary]
    ours, machine = set(desired["our_translations"]), set(desired["machine_made"])
    parts = _name_parts(desired["name_parts"]) if "name_parts" in desired else None
    data = _name_data(vocabulary, desired)
    labels = []
    for tag in label_tags():
        column = f"name_{tag}"
        if desired.get(column):
            label = spec.label_model(language=tag, text=desired[column], our_translation=column in ours,
                                     machine_made=column in machine)
            _set_name_data(label, tag, data)
            if parts is not None:
                label.family, label.given = parts.get(tag, ("", ""))
            labels.append((column, label))
    for tag, text in _other_names(desired).values():
        label = spec.label_model(language=tag, text=text, our_translation=f"name_{tag}" in ours,
                                 machine_made=f"name_{tag}" in machine)
        _set_name_data(label, tag, data)
        if parts is not None:
            label.family, label.given = parts.get(tag, ("", ""))
        labels.append(("other_names", label))
    for value in desired["variant_names"]:
        tag, _sep, text = value.partition(":")
        label = spec.label_model(language=tag, text=text, preferred=False)
        _set_name_data(label, value, data)
        labels.append(("variant_names", label))
    return labels


def _set_name_data(label: models.Model, key: str, data: Mapping[str, Mapping[str, str]]) -> None:
    """Give ``label`` (the name ``key`` names) its form, source and period from the row's per-name cells."""
    label.form = data["name_forms"].get(key) or _default_form(key, label.our_translation)
    label.form_given = key in data["name_forms"]
    label.source = data["name_sources"].get(key, "")
    if "name_periods" in data:
        period = data["name_periods"].get(key)
        label.valid_from, label.valid_to = _parse_period(period) if period else (None, None)


def _name_fields(label: models.Model) -> tuple[Any, ...]:
    """What a sheet says of a name besides its text and parts."""
    return (label.form, label.our_translation, label.source, getattr(label, "valid_from", None),
            getattr(label, "valid_to", None))


def _copy_name_fields(source: models.Model, target: models.Model) -> None:
    target.form, target.our_translation, target.source = source.form, source.our_translation, source.source
    if hasattr(target, "valid_from"):
        target.valid_from, target.valid_to = source.valid_from, source.valid_to


def _validate(vocabulary: str, number: int, entry: models.Model | None, desired: Mapping[str, Cell],
              errors: RowErrors) -> None:
    spec = VOCABULARIES[vocabulary]
    probe = spec.model(pk=entry.pk if entry else None, identifier=desired["identifier"])
    _assign(vocabulary, probe, desired)
    try:
        models.Model.clean_fields(probe, exclude={"parent", "broader", "path"})
        probe.clean()
    except ValidationError as exc:
        # An error that an entry's clean() gives without naming a field goes to the row's identifier.
        problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, messages in problems.items():
            for message in messages:
                errors.add(number, "date" if name == "date_edtf" else name if name in desired else "identifier",
                           message)
    labels = _labels(vocabulary, desired)
    if not labels:
        errors.add(number, f"name_{languages()[0]}", _("An entry needs at least one name in some language."))
    for column, label in labels:
        try:
            label.full_clean(exclude={spec.owner, "derived_from"}, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(number, _label_error_column(field, column, label), message)


def _check_preferred_names(vocabulary: str, number: int, entry: models.Model, desired: Mapping[str, Cell],
                           errors: RowErrors, other_names_shown: bool) -> None:
    """Refuse a row that changes an entry keeping two preferred names in one language tag.

    A row writes one preferred name per tag (in its name column or in ``other_names``), in
    the place of the first stored one (as ``_Writer._plan_labels`` matches them); a second
    stored one, entered before the rule (``collection.models.labels.validate_names``), stays
    as it is. The sheet does not show it, so it cannot mend it: the archivist does, in the
    admin. A row matching the stored entry is not checked, so an exported sheet imports back
    whatever was stored.
    """
    spec = VOCABULARIES[vocabulary]
    covered = {tag.lower(): tag for tag in label_tags()}
    stored = sorted(getattr(entry, spec.labels).all(), key=lambda label: label.pk)
    rewritten = {}
    for label in stored:
        if label.preferred:
            rewritten.setdefault(label.language.lower(), label)
    kept = [label for label in stored if label.preferred and label not in rewritten.values()]
    clash = preferred_name_clash([*(label for _column, label in _labels(vocabulary, desired)), *kept])
    if clash is None:
        return
    first, second = clash
    tag = covered.get(second.language.lower())
    column = f"name_{tag}" if tag else "other_names" if other_names_shown else "identifier"
    errors.add(number, column, _(
        "The entry has two preferred names tagged %(language)s (“%(first)s” and “%(second)s”), and the sheet shows one "
        "name per language: untick “preferred” on one of them in the admin (it then stays as a variant name), then "
        "import the row again.") % {"language": second.language, "first": first.text, "second": second.text})


def _label_error_column(field: str, column: str, label: models.Model) -> str:
    """The column of the row to blame for a name's field: the per-name cell that gave it, or the name's own."""
    if field in ("family", "given"):
        return "name_parts"
    if field == "source":
        return "name_sources"
    if field in ("valid_from", "valid_to"):
        return "name_periods"
    # A form that does not fit the name's language, or a translation marked ours that name_forms says is not one.
    if field in ("form", "language", "our_translation") and getattr(label, "form_given", False):
        return "name_forms"
    return column


def _check_cycles(spec: _Kind, plans: list, existing: dict[str, models.Model], errors: RowErrors) -> None:
    """Refuse each row whose entry would end up above itself, naming the loop.

    Only the rows of the entries on a loop are blamed: a row that moves an entry under one of them is
    right in itself, and is written once the loop is mended.
    """
    parent_of = {identifier: (getattr(entry, spec.parent).identifier if getattr(entry, spec.parent) else "")
                 for identifier, entry in existing.items()}
    for _number, identifier, _entry, _current, desired, _given in plans:
        parent_of[identifier] = str(desired.get(spec.parent, ""))
    for number, identifier, _entry, _current, _desired, _given in plans:
        chain, seen, parent = [identifier], {identifier}, parent_of[identifier]
        while parent and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = parent_of.get(parent, "")
        if parent == identifier:
            errors.add(number, spec.parent, _("This makes a loop, each entry part of the next: %(loop)s. An entry "
                                              "cannot be part of itself.") % {"loop": " → ".join([*chain, identifier])})


def _parents_first(spec: _Kind, plans: list) -> list:
    if not spec.parent:
        return plans
    by_identifier = {plan[1]: plan for plan in plans}
    ordered, done = [], set()

    def visit(plan: tuple) -> None:
        if plan[1] in done:
            return
        done.add(plan[1])
        parent = by_identifier.get(str(plan[4].get(spec.parent, "")))
        if parent is not None:
            visit(parent)
        ordered.append(plan)

    for plan in plans:
        visit(plan)
    return ordered


class _EntryWrite:
    """One changed row: its entry (new, or the stored one with the row's values) and what it does to the names.

    ``created`` are new labels in the order they are made, ``updated`` the stored labels changed,
    ``deleted`` those removed (with the machine-made forms derived from them) and ``history`` the
    labels' history rows in the order the changes happen: ``(type, label as it then was)``.
    """

    __slots__ = ("number", "entry", "new", "created", "updated", "deleted", "history")

    def __init__(self, number: int, entry: models.Model, new: bool) -> None:
        self.number, self.entry, self.new = number, entry, new
        self.created: list[models.Model] = []
        self.updated: list[models.Model] = []
        self.deleted: list[models.Model] = []
        self.history: list[tuple[str, models.Model]] = []

    def create(self, label: models.Model) -> None:
        self.created.append(label)
        self.history.append(("+", label))

    def update(self, label: models.Model) -> None:
        if label.pk is None:
            return  # made by this row: written as it ends up
        if label not in self.updated:
            self.updated.append(label)
        # A copy: a label changed twice (a name, then the form derived from another) has two history rows.
        self.history.append(("~", copy.copy(label)))

    def delete(self, labels: list[models.Model]) -> None:
        self.deleted.extend(labels)
        self.history.extend(("-", label) for label in labels)


class _Writer:
    """Writes the changed rows of a checked sheet table by table, a batch of entries at a time.

    Everything is worked out in memory first, from the entries and names loaded for the
    checks: the values, the names kept, changed and removed, and the machine-made forms.
    Then the keys of new entries and names are reserved at once (a row may name as parent
    an entry new in the sheet), and each batch is written with a fixed number of queries,
    each table's history rows with it: the rows the models would write saving the entries
    one by one, with the acting user, the change reason and the import's time.
    """

    def __init__(self, vocabulary: str, user: Any, reason: str) -> None:
        self.vocabulary = vocabulary
        self.spec = VOCABULARIES[vocabulary]
        self.user, self.reason = user, reason
        self.now = timezone.now()

    def write(self, plans: list, existing: dict[str, models.Model], progress: Progress | None) -> list[RowError]:
        """Write the rows that change something, parents first; the rows refused as stale, if any (then nothing
        is written)."""
        spec = self.spec
        saved: dict[str, models.Model] = dict(existing)
        writes: list[_EntryWrite] = []
        for number, identifier, entry, current, desired, given in plans:
            write = _EntryWrite(number, entry or spec.model(identifier=identifier), entry is None)
            _assign(self.vocabulary, write.entry, desired)
            if spec.parent:
                parent = str(desired[spec.parent])
                setattr(write.entry, spec.parent, saved[parent] if parent else None)
            saved[identifier] = write.entry
            self._plan_labels(write, desired, given, current)
            writes.append(write)
        stale = self._stale(writes)
        if stale or not writes:
            return stale
        self._reserve_keys(writes)
        moved = self._set_paths(writes) if spec.model is Place else []
        for start in range(0, len(writes), BATCH_SIZE):
            self._write_batch(writes[start:start + BATCH_SIZE])
            if progress is not None:
                progress("writing", min(start + BATCH_SIZE, len(writes)), len(writes))
        renamed = [write.entry.pk for write in writes if not write.new and write.history]
        if renamed or moved:
            # A record is found by the names of its agents, places and subjects, and of the places around its
            # places, as the admin's save keeps them; the records in a moved place now count in other regions,
            # and are found by their names: the public counts and the search follow the index and the keys.
            refresh_records_naming(spec.model, [*renamed, *moved])
        if shown_in_rows(spec.model):
            queue_refresh()
        return []

    # Working out the names --------------------------------------------------------------------------

    def _plan_labels(self, write: _EntryWrite, desired: Mapping[str, Cell], given: set[str],
                     current: Mapping[str, Cell]) -> None:
        spec = self.spec
        entry = write.entry
        stored = [] if write.new else sorted(getattr(entry, spec.labels).all(), key=lambda x: x.pk)
        # The first stored preferred name of each tag stands for it, in a name column or in other_names (which,
        # blank or missing, holds the stored names): a second one, entered before the rule, is left alone.
        preferred = {x.language.lower(): x for x in reversed(stored) if x.preferred}
        variants = {variant_cell(x.language, x.text): x for x in stored if not x.preferred and not x.machine_made}
        # Parts the sheet does not show (a given name without a family name, typed in the admin) are left as
        # they are unless the row rewrites the cell.
        rewrite_parts = "name_parts" in desired and desired["name_parts"] != current.get("name_parts")
        sources = []
        # The names the row makes machine-made, to point at the names they are made from once all are placed.
        sourced = []
        # The names the row leaves as they are, which derive again only if the row changes their reading.
        unchanged_sources = []
        for column, label in _labels(self.vocabulary, desired):
            if column == "variant_names":
                old = variants.pop(variant_cell(label.language, label.text), None)
                if old is None:
                    setattr(label, spec.owner, entry)
                    write.create(label)
                elif _name_fields(old) != _name_fields(label):
                    _copy_name_fields(label, old)
                    write.update(old)
                continue
            # Readings and romanizations are derived from the names in columns only, as for records' titles.
            derivable = column != "other_names" and label.form not in (LabelForm.READING, LabelForm.ROMANIZATION)
            old = preferred.pop(label.language.lower(), None)
            if old is None:
                setattr(label, spec.owner, entry)
                write.create(label)
                if label.machine_made:
                    sourced.append(label)
            else:
                parts = _label_parts(label) if rewrite_parts else _label_parts(old)
                # A name in other_names is written with its tag as the cell spells it; a column's keeps the stored one.
                language = label.language if column == "other_names" else old.language
                text_changed = old.text != label.text
                parts_given = parts != _label_parts(old) and bool(parts[0])
                if label.machine_made != (_listed_name(column, label) in current.get("machine_made", ())):
                    machine = label.machine_made  # the row ticks or unticks it
                else:
                    # Splitting a machine-made name checks it, as editing its text does: re-deriving it later
                    # would leave parts that no longer fit.
                    machine = old.machine_made and not text_changed and not parts_given
                if (old.language, old.text, _name_fields(old), _label_parts(old), old.machine_made) == (
                        language, label.text, _name_fields(label), parts, machine):
                    if derivable:
                        unchanged_sources.append(old)
                    continue
                old.language, old.text = language, label.text
                _copy_name_fields(label, old)
                if "name_parts" in desired:
                    old.family, old.given = parts
                if machine and not old.machine_made and old.derived_from_id is None:
                    sourced.append(old)
                old.machine_made = machine
                label = old
                write.update(label)
            if derivable:
                sources.append(label)
        # What is left was cleared by the sheet, and with it the forms derived from it.
        write.delete(_with_derived([*preferred.values(), *variants.values()], stored))
        # A reading the row gives, corrects or clears gives the romanization of its name anew.
        reading = READING_TAG.lower()
        if any(label.preferred and label.language.lower() == reading for label in [
                *write.created, *write.updated, *write.deleted]):
            sources.extend(label for label in unchanged_sources if reading in derived_tags(label.language))
        names = _kept(write, stored)
        for label in sourced:
            # As the app would have made it: from a name of the entry, which its key names once it has one.
            label.derived_from = source_of(label.language, names)
        # An import that defers derivation leaves every form, the variants' too, to the task that follows it.
        if app_settings.DERIVE_READINGS and not derivation_deferred():
            self._derive(write, names, sources, desired, given)
            self._derive_variants(write, stored)

    def _derive(self, write: _EntryWrite, kept: list[models.Model], sources: list[models.Model],
                desired: Mapping[str, Cell], given: set[str]) -> None:
        """Machine-made readings and romanizations of names the sheet gives no form for; ``kept`` are the
        entry's names once the row has placed them."""
        spec = self.spec
        # The last of a language's preferred names, as a query in key order would find them.
        names = {x.language.lower(): x for x in kept if x.preferred}
        tags = label_tags()
        others = _other_names(desired)
        created = {id(label) for label in write.created}
        # The reading the row leaves, if an archivist's, gives the romanization.
        reading = checked_text(names.get(READING_TAG.lower()))
        for source in sources:
            for form in derived_forms(source, reading):
                form.pop("derived_from", None)
                current = names.get(form["language"].lower())
                if has_column(form["language"], tags):
                    column = f"name_{form['language']}"
                    wanted = desired.get(column, "")
                else:  # a form in a tag without a column (ja-Hrkt of a name_ja-Jpan): other_names gives it
                    column = "other_names"
                    wanted = others.get(form["language"].lower(), ("", ""))[1]
                # A form the row itself gives as machine-made is written as given, not derived afresh.
                echoes_machine = (current is not None and current.machine_made and wanted == current.text
                                  and id(current) not in created)
                if not (echoes_machine or (not wanted and column not in given)):
                    continue
                if current is None:
                    write.create(spec.label_model(**{spec.owner: write.entry}, preferred=True, derived_from=source,
                                                  **form))
                elif current.text != form["text"]:
                    current.text, current.derived_from = form["text"], source
                    write.update(current)

    def _derive_variants(self, write: _EntryWrite, stored: list[models.Model]) -> None:
        """The variants' machine-made readings and romanizations, as ``derive_romanizations`` makes them, so
        that it finds none missing after the sheet; written with the rest of the batch."""
        # The kept names include the forms _derive has just made.
        changes = plan_forms(_kept(write, stored), self.spec.label_model, {self.spec.owner: write.entry},
                             sources=lambda label: not label.preferred)
        write.delete(changes.removed)
        for label in changes.updated:
            write.update(label)
        for label in changes.created:
            write.create(label)

    # Writing ----------------------------------------------------------------------------------------

    def _stale(self, writes: list[_EntryWrite]) -> list[RowError]:
        """Rows whose entry someone else saved (or deleted) since it was read for the checks.

        The versions are re-read with the rows locked where the database can, so nothing can
        slip in between this check and the writes that follow it.
        """
        expected = {write.entry.pk: write for write in writes if not write.new}
        current: dict[int, int] = {}
        keys = sorted(expected)
        for start in range(0, len(keys), BATCH_SIZE):
            queryset = self.spec.model._base_manager.filter(pk__in=keys[start:start + BATCH_SIZE]).order_by("pk")
            if connection.features.has_select_for_update:
                queryset = queryset.select_for_update()
            current.update(queryset.values_list("pk", "version"))
        return [RowError(write.number, "identifier", stale_message(write.entry))
                for write in sorted(expected.values(), key=lambda write: write.number)
                if current.get(write.entry.pk) != write.entry.version]

    def _reserve_keys(self, writes: list[_EntryWrite]) -> None:
        spec = self.spec
        entries = [write.entry for write in writes if write.new]
        labels = [label for write in writes for label in write.created]
        keys = allocate_keys({spec.model: len(entries), spec.label_model: len(labels)})
        for obj, key in [*zip(entries, keys[spec.model], strict=True),
                         *zip(labels, keys[spec.label_model], strict=True)]:
            obj.pk = key
        # Parents and the names' entries and sources were assigned before they had keys.
        for write in writes:
            for obj in (write.entry, *write.created, *write.updated, *(label for _type, label in write.history)):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")

    def _set_paths(self, writes: list[_EntryWrite]) -> list[int]:
        """The path of each place written, and of every place under one that moves; the keys of the stored
        places whose paths change, written here."""
        stored = {pk: (parent, path) for pk, parent, path in Place._base_manager.values_list("pk", "parent_id", "path")}
        parent_of = {pk: parent for pk, (parent, _path) in stored.items()}
        for write in writes:
            parent_of[write.entry.pk] = write.entry.parent_id
        paths: dict[int, str] = {}
        for pk in parent_of:
            chain, key = [], pk
            while key is not None and key not in paths and key not in chain:
                chain.append(key)
                key = parent_of.get(key)
            path = paths.get(key, "/") if key is not None else "/"
            for key in reversed(chain):
                path = paths[key] = f"{path}{key}/"
        for write in writes:
            write.entry.path = paths[write.entry.pk]
        moved = [pk for pk, (_parent, path) in stored.items() if paths[pk] != path]
        update_keyed(Place, [Place(pk=pk, path=paths[pk]) for pk in moved], ["path"], now=self.now)
        return moved

    def _write_batch(self, writes: list[_EntryWrite]) -> None:
        spec, now = self.spec, self.now
        history = {"user": self.user, "reason": self.reason, "date": now}
        new = [write.entry for write in writes if write.new]
        changed = [write.entry for write in writes if not write.new]
        insert_keyed(spec.model, new, now=now)
        for entry in changed:
            entry.version += 1
        update_keyed(spec.model, changed, _ENTRY_FIELDS[self.vocabulary], now=now)
        insert_history(spec.model, new, history_type="+", **history)
        insert_history(spec.model, changed, history_type="~", **history)

        insert_keyed(spec.label_model, [label for write in writes for label in write.created], now=now)
        update_keyed(spec.label_model, [label for write in writes for label in write.updated],
                     _LABEL_FIELDS[self.vocabulary], now=now)
        events = [event for write in writes for event in write.history]
        for history_type in ("+", "~", "-"):
            insert_history(spec.label_model, [label for kind, label in events if kind == history_type],
                           history_type=history_type, **history)
        delete_keyed(spec.label_model, [label.pk for write in writes for label in write.deleted],
                     batch_size=BATCH_SIZE)


def _kept(write: _EntryWrite, stored: list[models.Model]) -> list[models.Model]:
    """The entry's names as the row leaves them so far: the stored ones it keeps, in key order, then those it
    creates."""
    deleted = {id(label) for label in write.deleted}
    return [label for label in [*stored, *write.created] if id(label) not in deleted]


def _with_derived(labels: list[models.Model], stored: list[models.Model]) -> list[models.Model]:
    """``labels`` and the entry's labels derived from them, as deleting them through the models would cascade."""
    gone = list(labels)
    keys = {label.pk for label in gone}
    while more := [x for x in stored if x.derived_from_id in keys and x.pk not in keys]:
        gone.extend(more)
        keys.update(x.pk for x in more)
    return gone


def _label_parts(label: models.Model) -> tuple[str, str]:
    return getattr(label, "family", ""), getattr(label, "given", "")


# The fields of an entry and of its names that a sheet writes, with the entry's version and its auto-now dates.
_ENTRY_FIELDS = {
    vocabulary: [*(["kind"] if spec.kinds else []), *([spec.parent] if spec.parent else []),
                 *(_field_name(column) for column in spec.fields), "version",
                 *(f.name for f in spec.model._meta.concrete_fields if getattr(f, "auto_now", False))]
    for vocabulary, spec in VOCABULARIES.items()
}
_LABEL_FIELDS = {
    vocabulary: ["language", "text", "form", "our_translation", "source", "machine_made", "derived_from",
                 *(["family", "given"] if vocabulary == "agents" else []),
                 *(["valid_from", "valid_to"] if vocabulary == "places" else [])]
    for vocabulary in VOCABULARIES
}
