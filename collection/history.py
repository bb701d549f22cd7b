"""A catalogue entry's history with the rows that belong to it (titles, names, links), and revert.

django-simple-history keeps one history table per model; an archivist thinks of
a record and its titles and agent links as one thing, so the timeline here merges
them, and a revert restores all of them to one moment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from . import reasons

# Kept by the app itself, or never the archivist's doing.
IGNORED = {"id", "version", "created", "modified", "date_start", "date_end", "year_start", "year_end", "isbn10",
           "isbn13", "path"}
# The workflow owns these: a revert never moves a record between statuses or renames it.
NOT_REVERTED = {"status", "identifier"}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One saved change: of the entry itself or of one of its parts."""

    history_id: int
    when: datetime.datetime
    user: Any
    part: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """A model whose rows belong to the entry through ``owner_field`` (e.g. Title.record)."""

    model: type[models.Model]
    owner_field: str


def _display(model: type[models.Model], name: str, value: Any) -> str:
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return "" if value is None else str(value)
    if value in (None, ""):
        return ""
    if model_field.many_to_many:
        target = model_field.related_model
        ids = [row[model_field.m2m_reverse_field_name()] for row in value] if value else []
        return ", ".join(str(obj) for obj in target._default_manager.filter(pk__in=ids)) if ids else ""
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _tracked_fields(model: type[models.Model]) -> list[str]:
    names = [f.name for f in model._meta.concrete_fields if f.name not in IGNORED]
    return names + [f.name for f in model._meta.many_to_many if hasattr(model.history.model, f.name)]


def _entries_for(model: type[models.Model], rows: list[Any], part_name: str, owner_field: str = "") -> list[Entry]:
    entries = []
    previous: dict[Any, Any] = {}
    fields = [name for name in _tracked_fields(model) if name != owner_field]
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        changes: list[FieldChange] = []
        if row.history_type == "+" or before is None:
            kind = _("added")
            for name in fields:
                value = _row_value(row, name)
                if value not in (None, "", [], False):
                    changes.append(FieldChange(_label(model, name), "", _display(model, name, value)))
        elif row.history_type == "-":
            kind = _("deleted")
        else:
            kind = _("changed")
            delta = row.diff_against(before, included_fields=fields)
            for change in delta.changes:
                changes.append(FieldChange(
                    _label(model, change.field), _display(model, change.field, change.old),
                    _display(model, change.field, change.new),
                ))
            if not changes:
                continue
        entries.append(Entry(
            history_id=row.history_id, when=row.history_date, user=row.history_user,
            part=f"{part_name} “{row.instance}”" if part_name else str(model._meta.verbose_name),
            kind=kind, reason=reasons.describe(row.history_change_reason), changes=changes,
        ))
    return entries


def _row_value(row: Any, name: str) -> Any:
    model_field = row.instance_type._meta.get_field(name)
    if model_field.many_to_many:
        # Keyed by field name, as diff_against gives them: _display reads the related ids by that name.
        return list(getattr(row, name).values(model_field.m2m_reverse_field_name()))
    return getattr(row, model_field.attname)


def timeline(obj: models.Model, parts: list[Part]) -> list[Entry]:
    """Every change of ``obj`` and its parts, newest first, with field-by-field diffs and who made them."""
    model = type(obj)
    rows = list(model.history.filter(id=obj.pk).select_related("history_user").order_by("history_id"))
    entries = _entries_for(model, rows, "")
    for part in parts:
        part_rows = list(
            part.model.history.filter(**{f"{part.owner_field}_id": obj.pk}).select_related("history_user")
            .order_by("history_id")
        )
        entries += _entries_for(part.model, part_rows, str(part.model._meta.verbose_name), part.owner_field)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


@dataclass
class Save:
    """Entries one person saved together (a record with its titles, in one press of “Save”)."""

    when: datetime.datetime
    user: Any
    entries: list[Entry]


# Rows saved by one admin request are milliseconds apart; a person's next save is not.
SAVE_WINDOW = datetime.timedelta(seconds=2)


def group_saves(entries: list[Entry]) -> list[Save]:
    """Group a newest-first timeline into saves; a save's ``when`` is its last row, the moment to revert to."""
    saves: list[Save] = []
    for entry in entries:
        last = saves[-1] if saves else None
        if last is not None and last.user == entry.user and last.entries[-1].when - entry.when <= SAVE_WINDOW:
            last.entries.append(entry)
        else:
            saves.append(Save(when=entry.when, user=entry.user, entries=[entry]))
    return saves


def _state_at(history_model: Any, filters: dict[str, Any], moment: datetime.datetime) -> dict[Any, Any]:
    latest: dict[Any, Any] = {}
    for row in history_model.objects.filter(history_date__lte=moment, **filters).order_by("history_id"):
        latest[row.id] = row
    return {pk: row for pk, row in latest.items() if row.history_type != "-"}


@transaction.atomic
def revert(obj: models.Model, parts: list[Part], moment: datetime.datetime, by: Any,
           expected_version: int | None = None) -> None:
    """Put ``obj`` and its parts back as they were at ``moment``; the revert is itself a new change.

    ``expected_version`` is the record version the person saw: a revert from an
    outdated page is refused like any other stale save.
    """
    model = type(obj)
    then = _state_at(model.history.model, {"id": obj.pk}, moment).get(obj.pk)
    if then is None:
        raise ValueError(_("There is no version from that moment."))
    for model_field in model._meta.concrete_fields:
        if model_field.name in IGNORED | NOT_REVERTED or model_field.primary_key or not model_field.editable:
            continue
        setattr(obj, model_field.attname, getattr(then, model_field.attname))
    if expected_version is not None:
        obj.version = expected_version
    obj._history_user = by
    obj._change_reason = reasons.reverted_to(moment)
    obj.save()
    for m2m in model._meta.many_to_many:
        if hasattr(model.history.model, m2m.name):
            ids = list(getattr(then, m2m.name).values_list(m2m.m2m_reverse_field_name(), flat=True))
            getattr(obj, m2m.name).set(ids)
    for part in parts:
        _revert_part(obj, part, moment, by)


def _revert_part(obj: models.Model, part: Part, moment: datetime.datetime, by: Any) -> None:
    wanted = _state_at(part.model.history.model, {f"{part.owner_field}_id": obj.pk}, moment)
    current = {row.pk: row for row in part.model._default_manager.filter(**{part.owner_field: obj})}
    for pk, row in current.items():
        if pk not in wanted:
            row._history_user = by
            row.delete()
    # Rows other rows point at (an original title before its romanization) come first.
    self_fks = [f.attname for f in part.model._meta.concrete_fields if f.is_relation and f.related_model is part.model]
    ordered = sorted(wanted.values(), key=lambda r: any(getattr(r, name) for name in self_fks))
    for then in ordered:
        values = {
            f.attname: getattr(then, f.attname) for f in part.model._meta.concrete_fields if not f.primary_key
        }
        existing = current.get(then.id)
        if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
            continue
        instance = existing or part.model(pk=then.id)
        for key, value in values.items():
            setattr(instance, key, value)
        instance._history_user = by
        instance.save()
