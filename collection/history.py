"""A catalogue entry's history with the rows that belong to it (titles, names, links, scans), and revert.

django-simple-history keeps one history table per model; an archivist thinks of
a record and its titles, agent links and scans (with their captions) as one thing,
so the timeline here merges them, and a revert restores all of them to one moment.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import reasons
from .text import listed

# Kept by the app itself, or never the archivist's doing.
IGNORED = {"id", "version", "created", "modified", "date_start", "date_end", "year_start", "year_end", "isbn10",
           "isbn13", "path"}
# The workflow owns these: a revert never moves a record between statuses or renames it.
NOT_REVERTED = {"status", "identifier"}


def user_name(user: Any) -> str:
    """How the admin names a person, in a history, a workflow log or a message: the full name, else (an account
    without one) the username. Django's admin greets by the first name and lists by the username; one rule here
    keeps the same person recognizable from one page to the next."""
    return user.get_full_name() or user.get_username()


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
    # What the change did that its own row does not show (a withdrawal that hid the title on the public notice).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """A model whose rows belong to the entry through ``owner_field`` (e.g. Title.record).

    ``children`` are parts whose rows belong to this part's rows (an image's
    captions): they are shown and reverted with them. ``not_reverted`` names fields
    a revert never changes (an image's visibility is a publication decision, as a
    record's status is). ``summary`` describes, in words, what the fields the
    archivist does not edit stand for (an image's file: its name and checksum
    rather than storage paths and derivative sizes); the timeline shows its changes
    as those of the fields it names.
    """

    model: type[models.Model]
    owner_field: str
    children: tuple[Part, ...] = ()
    not_reverted: frozenset[str] = frozenset()
    summary: Callable[[Any], dict[str, str]] | None = None
    # How the owner's timeline names one of the rows, if not by ``str()`` (which may name the owner again).
    name: Callable[[Any], str] | None = None


class _Related:
    """The entries a timeline's rows point at (a record's places, a link's agent), with the names they show.

    Fetched once per model for every row of the page, with the labels their names are
    picked from, rather than once per row: a record saved a hundred times would
    otherwise cost hundreds of queries.
    """

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[Any, models.Model]] = {}

    def collect(self, model: type[models.Model], rows: list[Any]) -> None:
        """Note what ``rows`` (history rows of ``model``) point at: their links and many-to-many values."""
        links = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]
        many = [f for f in model._meta.many_to_many if hasattr(model.history.model, f.name)]
        for row in rows:
            for link in links:
                value = getattr(row, link.attname, None)
                if value is not None:
                    self.wanted[link.related_model].add(value)
            for m2m in many:
                self.wanted[m2m.related_model].update(_related_ids(model, m2m.name, _row_value(row, m2m.name)))

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            entries = model._default_manager.filter(pk__in=ids).prefetch_related(*_name_lookups(model))
            self.found[model] = {entry.pk: entry for entry in entries}
        self.wanted.clear()

    def get(self, model: type[models.Model], pk: Any) -> models.Model | None:
        return self.found.get(model, {}).get(pk)

    def instance(self, row: Any) -> models.Model:
        """The history row as an instance of its model, whose links are the entries fetched (for its name)."""
        instance = row.instance
        for link in instance._meta.concrete_fields:
            if link.is_relation and link.related_model is not None:
                entry = self.get(link.related_model, getattr(instance, link.attname))
                if entry is not None:
                    link.set_cached_value(instance, entry)
        return instance


def _name_lookups(model: type[models.Model]) -> list[str]:
    """What an entry's name is picked from besides its own row: its labels (a record's titles, a place's names)."""
    from .models.labels import Label

    return [relation.get_accessor_name() for relation in model._meta.related_objects
            if relation.one_to_many and issubclass(relation.related_model, Label)
            and relation.related_model is not model]


def _display(model: type[models.Model], name: str, value: Any, related: _Related) -> str:
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return "" if value is None else str(value)
    if value in (None, ""):
        return ""
    if model_field.many_to_many:
        target = model_field.related_model
        entries = (related.get(target, pk) for pk in _related_ids(model, name, value))
        # The history keeps a set's entries in no order of its own: by name, one version reads like the next.
        return listed(sorted(str(entry) for entry in entries if entry is not None))
    if model_field.is_relation:
        entry = related.get(model_field.related_model, value)
        return str(entry) if entry is not None else f"#{value}"
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
    """The fields an archivist edits; what the app keeps itself (sizes, paths, checksums) is left to ``summary``."""
    names = [f.name for f in model._meta.concrete_fields if f.name not in IGNORED and f.editable]
    return names + [f.name for f in model._meta.many_to_many if hasattr(model.history.model, f.name)]


def _same(model: type[models.Model], name: str, old: Any, new: Any) -> bool:
    if model._meta.get_field(name).many_to_many:
        return sorted(map(str, _related_ids(model, name, old))) == sorted(map(str, _related_ids(model, name, new)))
    return old == new


def _related_ids(model: type[models.Model], name: str, value: Any) -> list[Any]:
    key = model._meta.get_field(name).m2m_reverse_field_name()
    return [row[key] for row in value or []]


def scan_summary(row: Any) -> dict[str, str]:
    """An image's file in words: the uploaded file's name (and page), format, pixels and SHA-256.

    Derivative paths and sizes, and the master's random storage name, are the
    app's business: a replaced master shows as another name and checksum.
    """
    if not row.sha256:
        return {}
    name = row.original_name or _("unnamed file")
    if row.page:
        name += _(", page %(page)s") % {"page": row.page + 1}
    return {str(_label(row.instance_type, "master")): _("%(name)s (%(format)s, %(width)s × %(height)s px, "
                                                        "SHA-256 %(sha256)s…)") % {
        "name": name, "format": row.format, "width": row.width, "height": row.height, "sha256": row.sha256[:16],
    }}


def _entries_for(model: type[models.Model], rows: list[Any], part_name: str, related: _Related,
                 owner_field: str = "", summary: Callable[[Any], dict[str, str]] | None = None,
                 owners: dict[Any, str] | None = None, row_name: Callable[[Any], str] = str) -> list[Entry]:
    """Entries of ``rows``, one model's history rows in order; ``owners`` names the row each belongs to."""
    entries = []
    previous: dict[Any, Any] = {}
    fields = [name for name in _tracked_fields(model) if name != owner_field]
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        changes: list[FieldChange] = []
        described = summary(row) if summary else {}
        if row.history_type == "+" or before is None:
            kind = _("added")
            for name in fields:
                value = _row_value(row, name)
                if value not in (None, "", [], False):
                    changes.append(FieldChange(_label(model, name), "", _display(model, name, value, related)))
            changes += [FieldChange(label, "", text) for label, text in described.items() if text]
        elif row.history_type == "-":
            kind = _("deleted")
        else:
            kind = _("changed")
            # A status change the workflow made says so as its reason: the field's change would say it again.
            said = {"status"} if reasons.is_status_change(row.history_change_reason) else set()
            for name in fields:
                if name in said:
                    continue
                old, new = _row_value(before, name), _row_value(row, name)
                if not _same(model, name, old, new):
                    changes.append(FieldChange(
                        _label(model, name), _display(model, name, old, related), _display(model, name, new, related),
                    ))
            earlier = summary(before) if summary else {}
            for label in dict.fromkeys([*earlier, *described]):
                if earlier.get(label, "") != described.get(label, ""):
                    changes.append(FieldChange(label, earlier.get(label, ""), described.get(label, "")))
            if not changes and not row.history_change_reason:
                continue  # a save that changed nothing the archivist sees (a version moved on)
        part = _named_part(part_name, row_name(related.instance(row))) if part_name else str(model._meta.verbose_name)
        owner = owners.get(getattr(row, f"{owner_field}_id")) if owners else None
        if owner:
            part = _("%(part)s of %(owner)s") % {"part": part, "owner": owner}
        entries.append(Entry(
            history_id=row.history_id, when=row.history_date, user=row.history_user, part=part,
            kind=kind, reason=reasons.describe(row.history_change_reason), changes=changes,
        ))
    return entries


def _named_part(part_name: str, name: str) -> str:
    """A part named, as the history lists it: title “Test”, in the quotation marks of the reader's language."""
    return pgettext("a part of an entry, and its name", "%(part)s “%(name)s”") % {"part": part_name, "name": name}


def _row_value(row: Any, name: str) -> Any:
    model_field = row.instance_type._meta.get_field(name)
    if model_field.many_to_many:
        # Keyed by field name, as diff_against gives them: _display reads the related ids by that name. Read from
        # the rows prefetched with the history (see _history_rows), not queried row by row.
        key = model_field.m2m_reverse_field_name()
        links = getattr(row, _m2m_rows(type(row), name)).all()
        return [{key: getattr(link, f"{key}_id")} for link in links]
    return getattr(row, model_field.attname)


def _m2m_rows(history_model: type[models.Model], name: str) -> str:
    """The name under which a history row has its rows of the many-to-many field ``name``, for prefetching."""
    m2m_model = getattr(history_model, name).model
    return next(relation.get_accessor_name() for relation in history_model._meta.related_objects
                if relation.related_model is m2m_model)


def _history_rows(model: type[models.Model], **filters: Any) -> list[Any]:
    """The history rows of ``model`` matching ``filters``, in order, with who saved them and their many-to-many
    values."""
    history_model = model.history.model
    many = [_m2m_rows(history_model, f.name) for f in model._meta.many_to_many if hasattr(history_model, f.name)]
    return list(model.history.filter(**filters).select_related("history_user").prefetch_related(*many)
                .order_by("history_id"))


def timeline(obj: models.Model, parts: list[Part]) -> list[Entry]:
    """Every change of ``obj`` and its parts, newest first, with field-by-field diffs and who made them.

    The queries are as many whatever the number of changes: the rows of each model at
    once, then the entries they point at, once per model.
    """
    model = type(obj)
    related = _Related()
    rows = _history_rows(model, id=obj.pk)
    related.collect(model, rows)
    part_rows = [_part_rows(part, {f"{part.owner_field}_id": obj.pk}, related) for part in parts]
    related.fetch()
    entries = _entries_for(model, rows, "", related)
    hid_the_title = _withdrawals_hiding_the_title(obj, rows)
    for entry in entries:
        if entry.history_id in hid_the_title:
            entry.notes.append(_("The title was hidden on the public notice."))
    for loaded in part_rows:
        entries += _part_entries(loaded, related)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _withdrawals_hiding_the_title(obj: models.Model, rows: list[Any]) -> set[int]:
    """The history rows of ``obj``, a record, that withdrew it hiding its title on the public notice.

    The choice is kept in the workflow log (``StatusChange.hide_title``), not in the record's row: each hiding
    withdrawal of the log is matched to the latest row that withdrew the record at or before its moment (the
    same moment, as the workflow and imports write them). One query, and none for a record never withdrawn.
    """
    from .models import Record, Status, StatusChange

    if not isinstance(obj, Record):
        return set()
    withdrawals = [row for before, row in zip([None, *rows], rows, strict=False)
                   if row.status == Status.WITHDRAWN and (before is None or before.status != Status.WITHDRAWN)]
    if not withdrawals:
        return set()
    hiding = StatusChange.objects.withdrawals().filter(record=obj, hide_title=True).values_list("at", flat=True)
    found = set()
    for moment in hiding:
        earlier = [row for row in withdrawals if row.history_date <= moment]
        if earlier:
            found.add(earlier[-1].history_id)
    return found


@dataclass
class _PartRows:
    part: Part
    rows: list[Any]
    children: list[_PartRows]


def _part_rows(part: Part, filters: dict[str, Any], related: _Related) -> _PartRows:
    rows = _history_rows(part.model, **filters)
    related.collect(part.model, rows)
    # Every row that ever belonged to the entry: a deleted image's captions too.
    ids = list({row.id for row in rows})
    children = [_part_rows(child, {f"{child.owner_field}_id__in": ids}, related) for child in part.children]
    return _PartRows(part, rows, children)


def _part_entries(loaded: _PartRows, related: _Related, owners: dict[Any, str] | None = None) -> list[Entry]:
    part = loaded.part
    part_name = str(part.model._meta.verbose_name)
    row_name = part.name or str
    entries = _entries_for(part.model, loaded.rows, part_name, related, part.owner_field, part.summary, owners,
                           row_name)
    if loaded.children:
        # Each row named as it was last.
        names = {row.id: _named_part(part_name, row_name(related.instance(row))) for row in loaded.rows}
        for child in loaded.children:
            entries += _part_entries(child, related, names)
    return entries


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
        _revert_rows(part, obj.pk, moment, by)


def _revert_rows(part: Part, owner_pk: Any, moment: datetime.datetime, by: Any) -> None:
    """Put the rows of ``part`` belonging to ``owner_pk`` back as they were at ``moment``, with their children."""
    filters = {f"{part.owner_field}_id": owner_pk}
    wanted = _state_at(part.model.history.model, filters, moment)
    current = {row.pk: row for row in part.model._default_manager.filter(**filters)}
    for pk, row in current.items():
        if pk not in wanted:
            _delete_row(part, row, by)
    # Rows other rows point at (an original title before its romanization) come first.
    self_fks = [f.attname for f in part.model._meta.concrete_fields if f.is_relation and f.related_model is part.model]
    ordered = sorted(wanted.values(), key=lambda r: any(getattr(r, name) for name in self_fks))
    kept = {f.attname for f in part.model._meta.concrete_fields if f.name in part.not_reverted}
    for then in ordered:
        existing = current.get(then.id)
        values = {
            f.attname: getattr(then, f.attname) for f in part.model._meta.concrete_fields
            if not f.primary_key and f.attname not in kept
        }
        if existing is None and kept:
            # A row the revert brings back keeps the last decision taken on it (an image made private before it
            # was deleted comes back private), never the one of the moment.
            last = part.model.history.filter(id=then.id).order_by("-history_id").first()
            values.update({name: getattr(last, name) for name in kept})
        compared = {k: v for k, v in values.items() if k not in IGNORED and k not in _auto_dates(part.model)}
        if existing is None or any(getattr(existing, k) != v for k, v in compared.items()):
            instance = existing or part.model(pk=then.id)
            stored = _file_names(existing)
            for key, value in values.items():
                setattr(instance, key, value)
            _check_files(part, instance, stored)
            instance._history_user = by
            instance.save()
        for child in part.children:
            _revert_rows(child, then.id, moment, by)


def _auto_dates(model: type[models.Model]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}


def _delete_row(part: Part, row: models.Model, by: Any) -> None:
    # Children first, each with who deleted it: a cascade would leave their history without a user.
    for child in part.children:
        for child_row in child.model._default_manager.filter(**{child.owner_field: row}):
            _delete_row(child, child_row, by)
    row._history_user = by
    row.delete()


def _file_names(row: models.Model | None) -> dict[str, str]:
    """The names of the files ``row`` points at now, by field."""
    if row is None:
        return {}
    return {f.attname: getattr(row, f.attname).name or "" for f in row._meta.concrete_fields
            if isinstance(f, models.FileField)}


def _check_files(part: Part, instance: models.Model, stored: dict[str, str]) -> None:
    """Refuse to restore a row whose file is gone from storage: no row may point at a missing file.

    ``stored`` names the files the row pointed at before the revert (none for a row
    it brings back). A file an entry cannot do without (an image's master) refuses
    the whole revert, naming the row; a missing derivative (``blank``) is made anew
    from the master when the model knows how (``ensure_derivatives``).
    """
    remade = []
    for model_field in part.model._meta.concrete_fields:
        if not isinstance(model_field, models.FileField):
            continue
        name = getattr(instance, model_field.attname).name
        if not name or stored.get(model_field.attname) == name or model_field.storage.exists(name):
            continue
        if model_field.blank and hasattr(instance, "ensure_derivatives"):
            setattr(instance, model_field.attname, "")
            remade.append(model_field)
            continue
        raise ValueError(_(
            "Nothing was reverted: the %(file)s of %(part)s “%(row)s” as it was at that moment is missing "
            "from storage (%(name)s)."
        ) % {"file": model_field.verbose_name, "part": part.model._meta.verbose_name, "row": instance,
             "name": name})
    if remade:
        instance.ensure_derivatives()
