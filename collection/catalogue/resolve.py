"""Resolve vocabulary and agent cells to entries, with every lookup loaded once per file.

A cell names an entry by its identifier or by any of its names in any language.
Identifiers win over names; names are compared NFC-normalized, case-folded and
with runs of white space collapsed. A name shared by several entries is an error
that lists them, so the archivist can write the identifier instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from ..models import Agent, AgentKind, AgentName, Language, Place, PlaceName, Subject, SubjectLabel
from ..romanization import has_kana_or_kanji
from ..text import CYRILLIC, nfc
from ..validators import validate_identifier

_SPACE = re.compile(r"\s+")


class ResolveError(ValueError):
    """A cell that names no entry, or more than one."""


def name_key(text: str) -> str:
    return _SPACE.sub(" ", nfc(text) or "").strip().casefold()


@dataclass
class Entry:
    pk: int | None
    identifier: str
    names: list[str] = field(default_factory=list)
    kind: str = ""
    # The language of each name, where the names were read from the database (the search keys depend on it).
    languages: list[str] = field(default_factory=list)

    def labelled_names(self) -> list[tuple[str, str]]:
        """``(text, language)`` of each name; a language not known is ""."""
        return [(name, self.languages[at] if at < len(self.languages) else "") for at, name in enumerate(self.names)]

    def describe(self) -> str:
        return f"{self.identifier} ({self.names[0]})" if self.names else self.identifier


class Lookup:
    """Entries of one vocabulary by identifier and by name."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self.by_identifier: dict[str, Entry] = {}
        self.by_name: dict[str, list[Entry]] = defaultdict(list)

    def add(self, entry: Entry) -> None:
        self.by_identifier[entry.identifier] = entry
        for name in entry.names:
            bucket = self.by_name[name_key(name)]
            if entry not in bucket:
                bucket.append(entry)

    def find(self, value: str) -> Entry | None:
        """The entry ``value`` names; ``None`` if none; ResolveError if several."""
        value = (nfc(value) or "").strip()
        if value in self.by_identifier:
            return self.by_identifier[value]
        candidates = self.by_name.get(name_key(value), [])
        if len(candidates) > 1:
            raise ResolveError(
                _("“%(value)s” matches several %(noun)s: %(candidates)s. Write the identifier instead.")
                % {"value": value, "noun": self.noun,
                   "candidates": ", ".join(sorted(entry.describe() for entry in candidates))}
            )
        return candidates[0] if candidates else None

    def resolve(self, value: str) -> Entry:
        entry = self.find(value)
        if entry is None:
            raise ResolveError(_("“%(value)s” is not one of the %(noun)s, by identifier or by name.") % {
                "noun": self.noun, "value": value})
        return entry


def _load(model: type[models.Model], label_model: type[models.Model], owner: str, noun: str,
          extra: tuple[str, ...] = ()) -> Lookup:
    """Two queries: the entries, then all their labels."""
    lookup = Lookup(noun)
    entries: dict[int, Entry] = {}
    for pk, identifier, *rest in model.objects.order_by().values_list("pk", "identifier", *extra):
        entries[pk] = Entry(pk, identifier, kind=rest[0] if rest else "")
    for owner_id, text, language in label_model.objects.order_by("pk").values_list(f"{owner}_id", "text",
                                                                                    "language"):
        if owner_id in entries:
            entries[owner_id].names.append(text)
            entries[owner_id].languages.append(language)
    for entry in entries.values():
        lookup.add(entry)
    return lookup


def load_places() -> Lookup:
    return _load(Place, PlaceName, "place", _("places"))


def load_subjects() -> Lookup:
    return _load(Subject, SubjectLabel, "subject", _("subjects"))


def load_agents() -> Lookup:
    return _load(Agent, AgentName, "agent", _("agents"), ("kind",))


def load_languages() -> dict[str, int]:
    return {tag.lower(): pk for pk, tag in Language.objects.values_list("pk", "tag")}


def guess_name_language(text: str) -> str:
    """The language tag of a name typed into a cell, from its script."""
    if has_kana_or_kanji(text):
        return "ja"
    if CYRILLIC.search(text):
        return "ru"
    return "en"


class AgentResolver:
    """Agent cells: existing agents by identifier or name; unknown names become new agents.

    New agents get identifiers here, up front, so that a dry run can show them and
    the same unknown name in several cells becomes one agent.
    """

    def __init__(self, lookup: Lookup | None = None) -> None:
        self.lookup = lookup or load_agents()
        self.new: dict[str, Entry] = {}
        self._taken = set(self.lookup.by_identifier)
        self._counter = sum(1 for identifier in self._taken if identifier.startswith(f"{Agent.identifier_prefix}-"))

    def resolve(self, value: str, kind: str = AgentKind.PERSON) -> Entry:
        entry = self.lookup.find(value)
        if entry is not None:
            return entry
        value = (nfc(value) or "").strip()
        if not value:
            raise ResolveError(_("An agent needs a name."))
        entry = Entry(None, self._next_identifier(), [value], kind)
        self.lookup.add(entry)
        self.new[entry.identifier] = entry
        return entry

    def _next_identifier(self) -> str:
        while True:
            self._counter += 1
            candidate = f"{Agent.identifier_prefix}-{self._counter:06d}"
            if candidate not in self._taken:
                self._taken.add(candidate)
                validate_identifier(candidate)
                return candidate
