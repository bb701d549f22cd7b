"""Writing the catalogue writer's plans: new records as plain rows, changed records through their models.

New records, most of any large import, are written without model instances: each
record, its reservation, titles, descriptions, agent links, places, subjects and
languages and its search keys are built as tuples in one pass over a batch and
inserted with one statement per table (many rows per ``INSERT`` on SQLite, ``COPY``
on PostgreSQL); the records' keys are allocated beforehand (``bulk.allocate_keys``),
and the database copies every new row into its history table
(``bulk.history_from_rows``). The rows are the ones the models and
django-simple-history would write: the same columns and values, history type,
user, change reason and time.

Records that exist and change go through their model instances: titles keep
their keys and machine-made flags, removals are recorded one by one in the
history, the version is bumped and the workflow log written. The records' own
history rows are copied by the database once everything is written, as those
of new records are.
"""

from __future__ import annotations

import datetime
import functools
from collections import namedtuple
from collections.abc import Iterable, Mapping
from itertools import count
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..conf import app_settings
from ..derivation import READING_TAG, checked_text, derived_tags, forms_to_derive, source_of
from ..importing.deferral import derivation_deferred
from ..models import (
    Agent,
    AgentKind,
    AgentName,
    Description,
    LabelForm,
    Language,
    LevelOfDescription,
    Place,
    Record,
    RecordAgent,
    ReservedIdentifier,
    Status,
    StatusChange,
    Title,
)
from ..models.records import date_bounds
from ..models.search import RecordPlaceIndex, RecordSearch, RecordTitleOrder
from ..search import (
    names_keys,
    place_ancestors,
    places_counted_in,
    refresh_search_index,
    search_row,
    title_order_rows,
)
from ..text import base_language
from ..validators import isbn_forms
from .bulk import (
    Layout,
    allocate_keys,
    date_adapter,
    history_from_rows,
    index_scans,
    insert,
    insert_history,
    insert_values,
    m2m_history_from_rows,
)
from .export import Cell, variant_cell
from .format import AGENT_ROLE_COLUMNS, PLAIN_FIELDS, derived_form, label_tags, languages
from .resolve import Entry, guess_name_language, load_languages

BATCH_SIZE = 500

_FORMS: dict[tuple[str, bool, tuple[str, ...]], str] = {}


def label_form(tag: str, ours: bool, material: Iterable[str]) -> str:
    """The form of a label in ``tag``: reading, romanization, translation (ours or not) or original.

    ``material`` are the languages of the material: a label in another language is a translation.
    """
    key = (tag, ours, tuple(material))
    form = _FORMS.get(key)
    if form is None:
        form = _FORMS[key] = _label_form(tag, ours, key[2])
    return form


def _label_form(tag: str, ours: bool, material: Iterable[str]) -> str:
    derived = derived_form(tag)
    if derived:
        return LabelForm(derived)
    material = {base_language(t) for t in material}
    if ours or (material and base_language(tag) not in material):
        return LabelForm.TRANSLATION
    return LabelForm.ORIGINAL


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


class Applier:
    """Writes validated plans in batches: a fixed number of queries per batch, not per row.

    ``planner`` is the writer's planner, with the lookups the file was checked
    against. Records new to the catalogue go to :class:`_NewRecords`; the stored
    records a file changes carry their prefetched titles, links and descriptions.
    """

    def __init__(self, planner: Any, user: Any, reason: str) -> None:
        self.planner = planner
        self.user = user
        self.reason = reason
        self.now = timezone.now()
        self.agent_pks: dict[str, int] = {}
        # Names of agents created by this import, by key, as their search keys need them.
        self.new_agent_names: dict[int, list[tuple[str, str]]] = {}
        # The plans of the records new to the catalogue, whose keys are allocated before any of them is written.
        self.new_plans: list[Any] = []

    def history(self) -> dict[str, Any]:
        return {"default_user": self.user, "default_change_reason": self.reason, "default_date": self.now}

    def _create(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """Insert new rows and their history rows ('+'), by the acting user with the import's reason."""
        insert(model, objs, now=self.now)
        insert_history(model, objs, history_type="+", user=self.user, reason=self.reason, date=self.now)

    def agent_pk(self, identifier: str) -> int:
        return self.agent_pks[identifier]

    @functools.cached_property
    def vocabulary_keys(self) -> dict[str, dict[str, int]]:
        """The keys of the languages (by lower-case tag), places and subjects (by identifier) cells name.

        Read once the languages new in the file exist.
        """
        return {
            "languages": load_languages(),
            "places": {entry.identifier: entry.pk for entry in self.planner.places.by_identifier.values()},
            "subjects": {entry.identifier: entry.pk for entry in self.planner.subjects.by_identifier.values()},
        }

    def parent_keys(self, identifiers: Iterable[str]) -> dict[str, int | None]:
        """The keys of the records named as parents, by identifier; the blank identifier names none.

        A parent is a record new in this file (its key allocated) or a stored one,
        read here, in the write transaction.
        """
        wanted = set(identifiers) - {""}
        keys: dict[str, int | None] = {"": None}
        keys.update((plan.identifier, plan.pk) for plan in self.new_plans if plan.identifier in wanted)
        stored = sorted(wanted - set(keys))
        for start in range(0, len(stored), BATCH_SIZE):
            keys.update(Record._base_manager.filter(identifier__in=stored[start:start + BATCH_SIZE]).values_list(
                "identifier", "pk"))
        return keys

    def run(self, plans: list[Any], progress: Any = None) -> None:
        agents = self.planner.agents
        self.agent_pks = {identifier: entry.pk for identifier, entry in agents.lookup.by_identifier.items()
                          if entry.pk is not None}
        self._create_agents(list(agents.new.values()))
        if self.planner.new_languages:
            Language.objects.bulk_create([Language(tag=tag) for tag in self.planner.new_languages.values()])
        new = self.new_plans = [plan for plan in plans if plan.record is None and plan.changed]
        updated = [plan for plan in plans if plan.record is not None and plan.changed]
        done, total = 0, len(new) + len(updated)

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress("writing", done, total)

        if new:
            _NewRecords(self).write(new, advance)
        for start in range(0, len(updated), BATCH_SIZE):
            batch = updated[start:start + BATCH_SIZE]
            self._write_batch(batch)
            refresh_search_index([plan.record.pk for plan in batch])
            advance(len(batch))
        self._set_parents(updated)
        self._record_history(updated)
        self._log_status_changes(updated)
        # A new record has no datestamp to keep unless it is published, nor any part a record already stored.
        status_at = self.planner.index["status"]
        self._restamp([plan.pk for plan in new if plan.values[status_at] == Status.PUBLISHED]
                      + [plan.record.pk for plan in updated])

    def _restamp(self, keys: list[int]) -> None:
        """Date the written records for harvesters as a save does, once their history is written: the records
        the file publishes, changes while published or takes out of publication, and the parts of those."""
        for start in range(0, len(keys), BATCH_SIZE):
            Record.objects.filter(pk__in=keys[start:start + BATCH_SIZE]).restamp()

    def _log_status_changes(self, plans: list[Any]) -> None:
        """The workflow log of the records whose status the file changed, as the admin's transitions write it."""
        StatusChange.objects.bulk_create([
            StatusChange(record=plan.record, identifier=plan.identifier, from_status=str(plan.current["status"]),
                         to_status=str(plan.desired["status"]), by=self.user, at=self.now, comment=self.reason)
            for plan in plans
            if plan.desired["status"] != plan.current["status"]
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
        for name in [*names, *derived]:  # in key order, as the search index reads them
            self.new_agent_names.setdefault(name.agent_id, []).append((name.text, name.language))

    def _write_batch(self, plans: list[Any]) -> None:
        """Changed records that exist: their fields, titles, descriptions, agents, places, subjects, languages."""
        for plan in plans:
            record = plan.record
            apply_scalars(record, plan.desired, self.agent_pk)
            record.sync_derived_fields()
            record.modified = self.now
            record.mark_first_publication(self.now)  # published by the file: dated as its history row is
            record.version += 1
        Record.objects.bulk_update([plan.record for plan in plans], _UPDATE_FIELDS, batch_size=BATCH_SIZE)
        self._write_titles(plans)
        self._write_descriptions(plans)
        self._write_agent_links(plans)
        self._write_m2m(plans)

    # Titles ------------------------------------------------------------------------------------------

    def _write_titles(self, plans: list[Any]) -> None:
        work = _TitleWork()
        derive: list[tuple[Title, Any, str]] = []
        for plan in plans:
            record = plan.record
            existing = sorted(record.titles.all(), key=lambda t: t.pk)
            material = plan.desired["languages"]
            ours = set(plan.desired["our_translations"])
            preferred: dict[str, Title] = {}
            for title in existing:
                if title.preferred:
                    preferred.setdefault(title.language.lower(), title)
            work.begin(existing)
            placed: dict[str, Title] = {}
            sources: list[tuple[Title, str]] = []
            for tag in label_tags():
                column = f"title_{tag}"
                text = str(plan.desired[column])
                title = preferred.get(tag.lower())
                form = label_form(tag, column in ours, material)
                if not text:
                    if title is not None:
                        work.delete.append(title)
                    continue
                title = placed[tag.lower()] = work.place(plan, title, tag, text, form, column in ours, respell=False)
                if form not in (LabelForm.READING, LabelForm.ROMANIZATION):
                    sources.append((title, column))
            # A title's forms follow it, and its romanization follows the reading an archivist gives or corrects.
            reading_changed = f"title_{READING_TAG}" in plan.changed
            reading = checked_text(placed.get(READING_TAG.lower()))
            for title, column in sources:
                if column in plan.changed or (reading_changed and READING_TAG.lower() in derived_tags(title.language)):
                    derive.append((title, plan, reading))
            self._write_other_titles(plan, preferred, material, ours, work)
            variants = {variant_cell(t.language, t.text): t for t in existing if not t.preferred and not t.machine_made}
            wanted = set(plan.desired["variant_titles"])
            work.delete.extend(t for key, t in variants.items() if key not in wanted)
            for key in sorted(wanted - set(variants)):
                tag, _sep, text = key.partition(":")
                work.create.append(Title(record=record, language=tag, text=text, preferred=False,
                                         form=label_form(tag, False, material)))
        self._delete(work.delete)
        self._create(Title, work.create)
        work.give_sources()  # once the titles they are made from have their keys
        if work.update:
            bulk_update_with_history(work.update, Title, ["language", "text", "form", "our_translation",
                                                          "machine_made", "derived_from"],
                                     batch_size=BATCH_SIZE, **self.history())
        self._derive_titles(derive, work.machine_made)

    @staticmethod
    def _write_other_titles(plan: Any, preferred: dict[str, Title], material: Any, ours: set[str],
                            work: _TitleWork) -> None:
        """The preferred titles in tags without a column, as ``other_titles`` gives them (the first stored title
        of each tag stands for it); their readings and romanizations are not derived, having no column."""
        own = {tag.lower() for tag in label_tags()}
        wanted = {}
        for key in plan.desired["other_titles"]:
            tag, _sep, text = key.partition(":")
            wanted[tag.lower()] = (tag, text)
        for key, title in preferred.items():
            if key not in own and key not in wanted:
                work.delete.append(title)
        for key, (tag, text) in wanted.items():
            our = f"title_{tag}" in ours
            work.place(plan, preferred.get(key), tag, text, label_form(tag, our, material), our, respell=True)

    def _derive_titles(self, derive: list[tuple[Title, Any, str]], machine_made: list[Title]) -> None:
        """Machine-made readings and romanizations of new or changed titles, written with the new ones the file
        gives as machine-made (``machine_made``, whose sources have keys by now). ``derive`` holds each title with
        its row's plan and the archivist's reading of it, if the row leaves one.

        A form is derived unless the file gives one of its own: a cell that is blank
        (and not ``[clear]``) or that repeats the stored machine-made text is not the
        archivist's, so the machine-made form follows its title.
        """
        create: list[Title] = list(machine_made)
        update: list[Title] = []
        for source, plan, reading in derive if app_settings.DERIVE_READINGS else ():
            record = plan.record
            stored = {t.language.lower(): t for t in record.titles.all() if t.preferred}
            for form in derived_forms(source, reading):
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

    def _write_descriptions(self, plans: list[Any]) -> None:
        create, update, delete = [], [], []
        for plan in plans:
            record = plan.record
            ours = set(plan.desired["our_translations"])
            existing = {d.language.lower(): d for d in record.descriptions.all()}
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
            # Descriptions in tags without a column, as other_descriptions gives them.
            own = {tag.lower() for tag in languages()}
            wanted = {}
            for key in plan.desired["other_descriptions"]:
                tag, _sep, text = key.partition(":")
                wanted[tag.lower()] = (tag, text, f"description_{tag}" in ours)
            for key, description in existing.items():
                if key not in own and key not in wanted:
                    delete.append(description)
            for key, (tag, text, our) in wanted.items():
                description = existing.get(key)
                if description is None:
                    create.append(Description(record=record, language=tag, text=text, our_translation=our))
                elif (description.language, description.text, description.our_translation) != (tag, text, our):
                    description.language, description.text, description.our_translation = tag, text, our
                    update.append(description)
        self._delete(delete)
        self._create(Description, create)
        if update:
            bulk_update_with_history(update, Description, ["language", "text", "our_translation"],
                                     batch_size=BATCH_SIZE, **self.history())

    def _write_agent_links(self, plans: list[Any]) -> None:
        """Keep the links that stay, move the ones whose position changed, add and remove the rest."""
        create: list[RecordAgent] = []
        update: list[RecordAgent] = []
        delete: list[RecordAgent] = []
        for plan in plans:
            record = plan.record
            links = sorted(record.agent_links.all(), key=lambda link: (link.position, link.pk))
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

    def _write_m2m(self, plans: list[Any]) -> None:
        lookups = self.vocabulary_keys
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

    def _set_parents(self, plans: list[Any]) -> None:
        touched = [plan for plan in plans if "parent" in plan.changed]
        if not touched:
            return
        parents = self.parent_keys(str(plan.desired["parent"]) for plan in touched)
        for plan in touched:
            plan.record.parent_id = parents[str(plan.desired["parent"])]
        Record.objects.bulk_update([plan.record for plan in touched], ["parent"], batch_size=BATCH_SIZE)

    def _record_history(self, plans: list[Any]) -> None:
        """History of each changed record, copied by the database once its parent, places, subjects and
        languages are set, as for new records."""
        if not plans:
            return
        keys = [plan.record.pk for plan in plans]
        with index_scans():
            for start in range(0, len(keys), BATCH_SIZE):
                batch = keys[start:start + BATCH_SIZE]
                history_from_rows(Record, "id", batch, history_type="~", user=self.user, reason=self.reason,
                                  date=self.now)
                for name in ("languages", "places", "subjects"):
                    m2m_history_from_rows(Record, name, batch, history_type="~", date=self.now)


class _TitleWork:
    """The titles a batch of rows creates, changes and deletes, and the machine-made ones among them that take
    the title they are made from as their source.

    A form the file gives as machine-made is stored as the app would have made it:
    flagged, and naming the title it is made from (``derived_from``), so that it
    follows that title and is never doubled by a derived one. A new one is written
    after the titles, whose keys it names.
    """

    def __init__(self) -> None:
        self.create: list[Title] = []
        self.update: list[Title] = []
        self.delete: list[Title] = []
        self.machine_made: list[Title] = []
        self._sourced: list[tuple[Title, list[Title]]] = []
        self._labels: list[Title] = []

    def begin(self, existing: list[Title]) -> None:
        """Start on a record whose stored titles are ``existing``: its forms' sources are among them and the
        titles its row creates."""
        self._labels = list(existing)

    def place(self, plan: Any, title: Title | None, tag: str, text: str, form: str, our: bool, *,
              respell: bool) -> Title:
        """The record's preferred title in ``tag`` (``title``, its stored one if any) as the row gives it:
        created, or changed where it differs; ``respell`` gives it the tag as the row spells it."""
        name = f"title_{tag}"
        listed = name in plan.desired["machine_made"]
        if title is None:
            title = Title(record=plan.record, language=tag, text=text, form=form, our_translation=our,
                          machine_made=listed)
            (self.machine_made if listed else self.create).append(title)
            self._labels.append(title)
            if listed:
                self._sourced.append((title, self._labels))
            return title
        # The planner has settled the flags the sheet shows: a listed form keeps its text. A flag the sheet does
        # not show (on a title of another form) stays while the row leaves the text, as without the column.
        machine = listed or (name not in plan.current["machine_made"] and title.machine_made and title.text == text)
        language = tag if respell else title.language
        if (title.language, title.text, title.form, title.our_translation, title.machine_made) != (
                language, text, form, our, machine):
            title.language, title.text, title.form, title.our_translation = language, text, form, our
            if machine and not title.machine_made and title.derived_from_id is None:
                self._sourced.append((title, self._labels))
            title.machine_made = machine
            self.update.append(title)
        return title

    def give_sources(self) -> None:
        """Point each machine-made form at the title it is made from, where the record has one."""
        deleted = {id(title) for title in self.delete}
        for title, labels in self._sourced:
            title.derived_from = source_of(title.language, (label for label in labels if id(label) not in deleted))


_UPDATE_FIELDS = [
    f.name for f in Record._meta.concrete_fields
    if f.name not in {"id", "identifier", "created", "parent"}
]


def derived_forms(label: models.Model | SimpleNamespace, checked_reading: str = "") -> list[dict[str, Any]]:
    """The machine-made reading and romanization a label should have, as field values; the romanization is made
    from ``checked_reading``, the archivist's reading of the label, where there is one."""
    if derivation_deferred():
        return []  # an import: derived afterwards by a task (collection.importing.deferral)
    forms: list[dict[str, Any]] = [{"language": language, "form": form, "text": text, "machine_made": True}
                                   for language, form, text in forms_to_derive(label, checked_reading)]
    if isinstance(label, AgentName):
        for form in forms:
            form["derived_from"] = label
    return forms


# A title as the search keys read it.
_SearchTitle = namedtuple("_SearchTitle", "pk text language form preferred derived_from_id")


class _NewRecords:
    """New records written as plain rows, each batch in one statement per table.

    Rows are built from the plans' values (a tuple in the order of the record
    columns) into the tables' column order by :class:`~.bulk.Layout`. The records'
    keys are allocated beforehand, so that a record can name a parent further down
    the file and its children can name it; the keys of titles, descriptions, links
    and many-to-many rows are the database's. The history rows are then copied by
    the database from the rows just written (``INSERT ... SELECT``), each by the
    importing user with the import's reason and time. Every record is new, so
    nothing is deleted; what is read back is only what the rows just written name
    (the keys of derived titles, the parents' keys).
    """

    def __init__(self, applier: Applier) -> None:
        planner = applier.planner
        self.applier = applier
        self.planner = planner
        self.index = planner.index
        self.history = {"history_type": "+", "user": applier.user, "reason": applier.reason, "date": applier.now}
        now = applier.now
        self.plain = [name for name in PLAIN_FIELDS if name != "level"]
        self.record_sources = ("id", "identifier", "kind", "status", "parent_id", "level", "sequence", "date_edtf",
                               "date_start", "date_end", "year_start", "year_end", "described_agent_id",
                               "repository_id", "isbn10", "isbn13", "accessed", "first_published", *self.plain)
        self.records = Layout(Record, self.record_sources, {"version": 1, "created": now, "modified": now})
        # A record created published is first published by the import, at the time of its history row.
        self.published_at = Record._meta.get_field("first_published").get_db_prep_save(now, connection)
        self.reserved = Layout(ReservedIdentifier, ("identifier", "record_id"), {"reserved_at": now})
        self.titles = Layout(Title, ("record_id", "language", "text", "form", "preferred", "our_translation",
                                     "machine_made", "derived_from_id"))
        self.descriptions = Layout(Description, ("record_id", "language", "text", "our_translation"))
        self.links = Layout(RecordAgent, ("record_id", "agent_id", "role", "position"))
        self.search = Layout(RecordSearch, ("record_id", "document", "titles", "bigrams", "title_key"))
        self.title_order = Layout(RecordTitleOrder, ("record_id", "language", "title_key"))
        self.order_languages = list(app_settings.LANGUAGES)
        self.place_index = Layout(RecordPlaceIndex, ("record_id", "place_id"))
        self.m2m: list[tuple[int, str, Layout, dict[str, int]]] = []
        vocabulary = applier.vocabulary_keys
        for name, key in (("languages", "language_id"), ("places", "place_id"), ("subjects", "subject_id")):
            through = getattr(Record, name).through
            self.m2m.append((self.index[name], name, Layout(through, ("record_id", key)), vocabulary[name]))
        self.adapt_date = date_adapter()
        self.derive = app_settings.DERIVE_READINGS and not derivation_deferred()
        tags = label_tags()
        self.title_columns = [(tag, f"title_{tag}", self.index[f"title_{tag}"]) for tag in tags]
        self.description_columns = [(tag, f"description_{tag}", self.index[f"description_{tag}"])
                                    for tag in languages()]
        self.role_columns = [(role, self.index[column]) for column, role in AGENT_ROLE_COLUMNS.items()]
        self.bounds: dict[str, Any] = {}
        # Folded names of agents and places, made once per import: the same ones recur down the file.
        agent_names = {entry.pk: entry.labelled_names() for entry in planner.agents.lookup.by_identifier.values()
                       if entry.pk is not None}
        agent_names.update(applier.new_agent_names)
        self.agent_keys = _NameKeys(agent_names)
        self.place_keys = _NameKeys({entry.pk: entry.labelled_names()
                                     for entry in planner.places.by_identifier.values()})
        self.subject_keys = _NameKeys({entry.pk: entry.labelled_names()
                                       for entry in planner.subjects.by_identifier.values()})
        self.ancestors: dict[int, set[int]] | None = None
        # Stand-ins for the titles' keys, numbered in the order the titles are inserted, which is the order of
        # their keys: all the search keys need of them (which title came first, which one a reading is of).
        self.order = count(1)

    def write(self, plans: list[Any], advance: Any) -> None:
        keys = allocate_keys({Record: len(plans)})[Record]
        for plan, pk in zip(plans, keys, strict=True):
            plan.pk = pk
        self.parents = self.applier.parent_keys(plan.values[self.index["parent"]] for plan in plans)
        for start in range(0, len(plans), BATCH_SIZE):
            batch = plans[start:start + BATCH_SIZE]
            self._write_batch(batch)
            advance(len(batch))

    def _date_bounds(self, value: str) -> tuple:
        """The record's date bounds (:func:`~collection.models.records.date_bounds`), made database-ready once
        per distinct date: a file repeats a few dates many times."""
        bounds = self.bounds.get(value)
        if bounds is None:
            start, end, year_start, year_end = date_bounds(value)
            bounds = self.bounds[value] = (self.adapt_date(start), self.adapt_date(end), year_start, year_end)
        return bounds

    def _write_batch(self, plans: list[Any]) -> None:
        """Build every row of the batch's records, insert them (one statement per table), then their history.

        The values are the planner's: already NFC (text is normalized as it is read),
        parsed and validated.
        """
        index = self.index
        kind_at, status_at, level_at, date_at = index["kind"], index["status"], index["level"], index["date"]
        isbn_at, sequence_at, accessed_at = index["isbn"], index["sequence"], index["accessed"]
        described_at, repository_at, parent_at = index["described_agent"], index["repository"], index["parent"]
        languages_at, ours_at, variants_at, places_at = (index["languages"], index["our_translations"],
                                                         index["variant_titles"], index["places"])
        machine_at = index["machine_made"]
        other_titles_at, other_descriptions_at = index["other_titles"], index["other_descriptions"]
        call_number_at, container_at, publication_place_at, subjects_at = (
            index["call_number"], index["container_title"], index["publication_place"], index["subjects"])
        plain = itemgetter(*(index[name] for name in self.plain))
        agent_pks = self.applier.agent_pks
        place_pks, subject_pks = self.m2m[1][3], self.m2m[2][3]
        title_columns, description_columns, role_columns = (self.title_columns, self.description_columns,
                                                            self.role_columns)
        records, reserved, titles, descriptions, links = [], [], [], [], []
        m2m_work = [(at, layout.row, by_value, at == languages_at, []) for at, _name, layout, by_value in self.m2m]
        texts: list[tuple[Any, list, list[str], list[int], list[int], list[int], str, str, str, str, str]] = []
        derive: list[tuple[Any, list, _SearchTitle]] = []
        # Forms the file gives as machine-made: written with the derived ones, naming their titles' keys.
        given: list[tuple[Any, list, str, str, str]] = []
        parents, order = self.parents, self.order
        record_row, reserved_row, title_row, link_row = (self.records.row, self.reserved.row, self.titles.row,
                                                         self.links.row)
        adapt_date, derive_forms = self.adapt_date, self.derive
        published, published_at = Status.PUBLISHED, self.published_at
        derived = (LabelForm.READING, LabelForm.ROMANIZATION)
        bounds, forms = self.bounds, _FORMS
        for plan in plans:
            values = plan.values
            pk = plan.pk
            date = values[date_at]
            date_start, date_end, year_start, year_end = (bounds.get(date) or self._date_bounds(date)) if date else (
                None, None, None, None)
            isbn10, isbn13 = isbn_forms(values[isbn_at]) if values[isbn_at] else ("", "")
            accessed = values[accessed_at]
            records.append(record_row((
                pk, plan.identifier, values[kind_at], values[status_at],
                parents[values[parent_at]],
                values[level_at] or LevelOfDescription.ITEM,
                int(values[sequence_at]) if values[sequence_at] else None,
                date, date_start, date_end, year_start, year_end,
                agent_pks[values[described_at]] if values[described_at] else None,
                agent_pks[values[repository_at]] if values[repository_at] else None,
                isbn10, isbn13, adapt_date(datetime.date.fromisoformat(accessed)) if accessed else None,
                published_at if values[status_at] == published else None,
                *plain(values),
            )))
            reserved.append(reserved_row((plan.identifier, pk)))

            material, ours, machine = values[languages_at], values[ours_at], values[machine_at]
            own_titles: list[_SearchTitle] = []
            for tag, column, at in title_columns:
                text = values[at]
                if not text:
                    continue
                our = column in ours
                form = forms.get((tag, our, material)) or label_form(tag, our, material)
                if machine and column in machine:
                    given.append((plan, own_titles, tag, text, form))
                    continue
                titles.append(title_row((pk, tag, text, form, True, our, False, None)))
                own_titles.append(_SearchTitle(next(order), text, tag, form, True, None))
                if derive_forms and form not in derived:
                    derive.append((plan, own_titles, own_titles[-1]))
            # Preferred titles in tags without a column: readings and romanizations are derived for columns.
            for key in values[other_titles_at]:
                tag, _sep, text = key.partition(":")
                our = f"title_{tag}" in ours
                form = label_form(tag, our, material)
                if machine and f"title_{tag}" in machine:
                    given.append((plan, own_titles, tag, text, form))
                    continue
                titles.append(title_row((pk, tag, text, form, True, our, False, None)))
                own_titles.append(_SearchTitle(next(order), text, tag, form, True, None))
            for key in values[variants_at]:
                tag, _sep, text = key.partition(":")
                form = label_form(tag, False, material)
                titles.append(title_row((pk, tag, text, form, False, False, False, None)))
                own_titles.append(_SearchTitle(next(order), text, tag, form, False, None))
            own_descriptions = []
            for tag, column, at in description_columns:
                text = values[at]
                if text:
                    descriptions.append(self.descriptions.row((pk, tag, text, column in ours)))
                    own_descriptions.append((text, tag))
            for key in values[other_descriptions_at]:
                tag, _sep, text = key.partition(":")
                descriptions.append(self.descriptions.row((pk, tag, text, f"description_{tag}" in ours)))
                own_descriptions.append((text, tag))
            agents: set[int] = set()
            for role, at in role_columns:
                for position, identifier in enumerate(values[at]):
                    agent = agent_pks[identifier]
                    agents.add(agent)
                    links.append(link_row((pk, agent, role, position)))
            for at, row_of, by_value, lowered, rows in m2m_work:
                for value in values[at]:
                    rows.append(row_of((pk, by_value[value.lower() if lowered else value])))
            texts.append((pk, own_titles, own_descriptions, sorted(agents),
                          sorted(place_pks[value] for value in values[places_at]),
                          sorted(subject_pks[value] for value in values[subjects_at]), values[call_number_at],
                          isbn10, isbn13, values[container_at], values[publication_place_at]))

        keys = [plan.pk for plan in plans]
        self.records.insert(records)
        self.reserved.insert(reserved)
        self.titles.insert(titles)
        if derive or given:
            self._derive(derive, given, keys)
        self.descriptions.insert(descriptions)
        self.links.insert(links)
        for (_at, _name, layout, _by_value), work in zip(self.m2m, m2m_work, strict=True):
            layout.insert(work[4])
        with index_scans():
            history_from_rows(Record, "id", keys, **self.history)
            for model in (Title, Description, RecordAgent):
                history_from_rows(model, "record", keys, **self.history)
            for _at, name, _layout, _by_value in self.m2m:
                m2m_history_from_rows(Record, name, keys, history_type="+", date=self.applier.now)
        search, title_order, place_index = self._search_rows(texts)
        self.search.insert(search)
        self.title_order.insert(title_order)
        self.place_index.insert(place_index)

    def _derive(self, derive: list[tuple[Any, list, _SearchTitle]], given: list[tuple[Any, list, str, str, str]],
                keys: list[int]) -> None:
        """Machine-made readings and romanizations of new titles: derived where the file leaves them blank, and
        those it gives as machine-made (``(plan, the record's titles, tag, text, form)``).

        They point at their titles, just written: the titles' keys are read back first.
        """
        pending = []
        # The reading a row gives is the archivist's unless the row names it machine-made: the romanization is
        # made from it.
        reading_column = f"title_{READING_TAG}"
        reading_at, machine_at = self.index.get(reading_column), self.index["machine_made"]
        for plan, own_titles, source in derive:
            values = plan.values
            reading = values[reading_at] if reading_at is not None and reading_column not in values[machine_at] else ""
            for form in derived_forms(SimpleNamespace(language=source.language, text=source.text), reading):
                column = f"title_{form['language']}"
                at = self.index.get(column)
                if (at is not None and plan.values[at]) or column in plan.given:
                    continue
                pending.append((plan, own_titles, source, form))
        for plan, own_titles, tag, text, form in given:
            # Its source as the app would have made it from: one of the titles written, or none.
            source = source_of(tag, own_titles)
            pending.append((plan, own_titles, source, {"language": tag, "text": text, "form": form,
                                                       "machine_made": True}))
        if not pending:
            return
        sources = {(record_id, language): pk for pk, record_id, language in Title.objects.filter(
            record_id__in=keys, preferred=True, derived_from__isnull=True).values_list("pk", "record_id", "language")}
        rows = []
        for plan, own_titles, source, form in pending:
            rows.append(self.titles.row((plan.pk, form["language"], form["text"], form["form"], True, False,
                                         form["machine_made"], sources[plan.pk, source.language] if source else None)))
            own_titles.append(_SearchTitle(next(self.order), form["text"], form["language"], form["form"], True,
                                           source.pk if source else None))
        self.titles.insert(rows)

    def _search_rows(self, texts: list) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """The search keys, title orders and place index of the batch's records, as refresh_search_index
        makes them."""
        if self.ancestors is None:
            self.ancestors = place_ancestors(dict(Place.objects.values_list("pk", "path")))
        ancestors, agent_keys, place_keys, subject_keys = (self.ancestors, self.agent_keys, self.place_keys,
                                                           self.subject_keys)
        rows, order_rows, place_rows = [], [], []
        order_row, languages = self.title_order.row, self.order_languages
        for (pk, titles, descriptions, agents, places, subjects, call_number, isbn10, isbn13, container_title,
             publication_place) in texts:
            counted = places_counted_in(places, ancestors)
            rows.append(self.search.row(search_row(
                pk, titles, descriptions, [agent_keys[agent] for agent in agents],
                [place_keys[place] for place in counted], call_number, isbn10, isbn13,
                container_title=container_title, publication_place=publication_place,
                subject_keys=[subject_keys[subject] for subject in subjects])))
            order_rows.extend(order_row(row) for row in title_order_rows(pk, titles, languages))
            place_rows.extend(self.place_index.row((pk, place)) for place in counted)
        return rows, order_rows, place_rows


class _NameKeys(dict[int, list[str]]):
    """The search keys of each agent's, place's or subject's names, by its key, made the first time they are
    asked for.

    The same agents, places and subjects recur down a file: each one's names are folded once per import.
    """

    def __init__(self, names: Mapping[int, list[tuple[str, str]]]) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, pk: int) -> list[str]:
        keys = self[pk] = names_keys(self.names.get(pk, ()))
        return keys
