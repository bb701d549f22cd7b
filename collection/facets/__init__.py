"""Facet counts and the facets a page shows: each facet counted under every *other* active filter.

Counts come from the in-process facet index (:mod:`collection.facets.index`),
which is exact: it follows every committed change to published records before it
counts, so a withdrawn record leaves every count on the next request. A filter
state is resolved to what the index holds with one query (the identifiers
chosen; a second for an ISBN searched, which the database matches), whatever the
number of values chosen; the same query tells which of them the public can see
(:class:`IndexedValues`). Search words are matched in the index.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from django.db import connections
from django.db.models import Value
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..filters import FACET_NAMES, UNDATED, RecordFilterSet
from ..models import Agent, Language, Place, Record, RecordKind, Subject
from ..search import isbn_query, name_order_key, search_alternatives, title_match
from ..text import language_name
from .columns import Column, fetch
from .index import IndexState, Query, Result, facet_index, ranked

FACET_LABELS = {
    "kind": _("Kind"),
    "language": _("Language of the material"),
    "decade": _("Decade"),
    "place": _("Place"),
    "subject": _("Subject"),
    "agent": _("Person or organisation"),
    "repository": _("Repository"),
    "has_scans": _("Has scans"),
}
# Facets whose values name themselves, without an entry of the catalogue to read: see value_name.
SELF_NAMED = ("kind", "language", "decade", "has_scans")
TOP_VALUES = 15
# Facets chosen by identifier (languages by tag): the model naming their values, and its naming field.
_BY_IDENTIFIER = {"language": Language, "place": Place, "subject": Subject, "agent": Agent, "repository": Agent}
_NAMING_FIELD = {Language: "tag", Place: "identifier", Subject: "identifier", Agent: "identifier"}


def value_name(facet: str, value: str, language: str) -> str:
    """The name a facet of ``SELF_NAMED`` shows ``value`` by: a kind, a language (by its tag, named in ``language``),
    a decade or "with scans"; "" for a value it does not name (no such kind) or another facet.

    The one wording of these values: the facets show them by it, and so does what names a browse page's
    selection without counting facets (the feed's title, ``summary.selection_summary``).
    """
    if facet == "kind":
        return str(RecordKind(value).label) if value in RecordKind.values else ""
    if facet == "language":
        return language_name(value, language)
    if facet == "decade":
        return gettext("undated") if value == UNDATED else gettext("%(decade)ss") % {"decade": value}
    if facet == "has_scans":
        return gettext("with scans")
    return ""


# --- counting -------------------------------------------------------------------------------------


def _resolved(active: Mapping[str, Any], using: str) -> dict[str, dict[str, int]]:
    """Database ids of the chosen identifiers, per facet: one query, whatever the number of values."""
    wanted: dict[type, set[str]] = {}
    for name, model in _BY_IDENTIFIER.items():
        if active.get(name):
            wanted.setdefault(model, set()).update(active[name])
    if not wanted:
        return {}
    parts = [
        model.objects.using(using).filter(**{f"{_NAMING_FIELD[model]}__in": sorted(values)}).order_by()
        .values_list(Value(model._meta.model_name), _NAMING_FIELD[model], "pk")
        for model, values in wanted.items()
    ]
    # No order at all: a union would otherwise take the first model's, whose columns it does not select.
    rows = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    found: dict[str, dict[str, int]] = {}
    for model_name, identifier, pk in rows:
        found.setdefault(model_name, {})[identifier] = pk
    return {name: found.get(model._meta.model_name, {}) for name, model in _BY_IDENTIFIER.items()}


class IndexedValues:
    """The identifiers the public can see, as ``RecordFilterSet`` asks (``filters.PublicValues``): those of
    a value the facet index counts over every published record.

    It reads the index's state for the request and resolves the identifiers with
    the query the page makes for them anyway; :func:`browse_result` counts on that
    state and those ids, so checking the values costs no query.
    """

    def __init__(self) -> None:
        self.states: dict[str, IndexState] = {}
        self.ids: dict[str, dict[str, int]] | None = None  # filter -> public identifier -> database id

    def state(self, using: str) -> IndexState:
        """The index as this request sees it, read once."""
        if using not in self.states:
            self.states[using] = facet_index(using).current()
        return self.states[using]

    def __call__(self, wanted: Mapping[str, list[str]], using: str) -> dict[str, set[str]]:
        state = self.state(using)
        resolved = _resolved(wanted, using)
        self.ids = {}
        for name in wanted:
            held = state.held(name, resolved[name].values())
            self.ids[name] = {identifier: pk for identifier, pk in resolved[name].items() if pk in held}
        return {name: set(ids) for name, ids in self.ids.items()}


def browse_filterset(params: QueryDict) -> RecordFilterSet:
    """The published records filtered by ``params``, as the browse page and the API filter them: the
    identifiers checked against the facet index (:class:`IndexedValues`)."""
    return RecordFilterSet(params, public_values=IndexedValues())


def index_query(filterset: RecordFilterSet) -> Query:
    """The filter state as the index takes it: ids for identifiers, record ids for a search term."""
    active = filterset.active()
    using = filterset.queryset.db
    checked = filterset.public_values
    if isinstance(checked, IndexedValues) and checked.ids is not None:
        resolved = checked.ids  # the values were checked, and so resolved, by the index itself
    else:
        resolved = _resolved(active, using)
    facets: dict[str, Any] = {}
    for name in FACET_NAMES:
        if name not in active:
            continue
        if name in _BY_IDENTIFIER:
            facets[name] = [resolved[name][v] for v in active[name] if v in resolved[name]]
        elif name == "has_scans":
            facets[name] = True
        else:
            facets[name] = list(active[name])
    search = title_hits = None
    words: tuple[tuple[str, ...], ...] = ()
    query = (active.get("q") or "").strip()
    if query and isbn_query(query):
        # An ISBN is a column of the record: matched by the database, through the published records.
        matches = filterset.filter_q(Record.objects.using(using).published(), "q", query)
        hit = title_match(query) or None
        search, hits = fetch(matches, [Column("pk", "int8"), Column(hit, "bool")]) if hit else (
            *fetch(matches, [Column("pk", "int8")]), None)
        title_hits = search[hits] if hits is not None else None
    elif query:
        # Words are matched by the index itself, the way collection.search matches them in the database.
        words = tuple(search_alternatives(query))
    year_from, year_to = active.get("year_from"), active.get("year_to")
    return Query(facets=facets, words=words, search=search, title_hits=title_hits,
                 year_from=None if year_from is None else int(year_from),
                 year_to=None if year_to is None else int(year_to))


def browse_result(filterset: RecordFilterSet) -> Result:
    """Counts and matching records of a filter state, from this process's (exact) facet index."""
    using = filterset.queryset.db
    checked = filterset.public_values
    # The state the filter values were checked against, if they were (one read of the catalogue version).
    state = checked.state(using) if isinstance(checked, IndexedValues) else facet_index(using).current()
    query = index_query(filterset)
    result = state.evaluate(query)
    # The chosen values by database id, so that the facets keep them listed (see build_facets).
    result.counts["chosen"] = {name: [str(pk) for pk in query.facets[name]]
                               for name in _BY_IDENTIFIER if name in query.facets}
    return result


def facet_counts(filterset: RecordFilterSet) -> dict[str, Any]:
    """The result count and every facet's counts (values by database id, kinds by name, decades by year)."""
    return browse_result(filterset).counts


def warm_index(using: str = "default") -> int:
    """Build this process's facet index now rather than on the first browse request; returns its records.

    Call it where the web server starts the site (e.g. at the end of the WSGI
    module). With a server that loads the site before forking its workers
    (gunicorn ``--preload``), the workers share the arrays until they change; the
    database connection opened here is closed so that no worker inherits it.
    """
    live = facet_index(using).current().live
    if not connections[using].in_atomic_block:
        connections[using].close()
    return live


# --- presenting -----------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str
    lang: str = ""
    children: list[FacetValue] = field(default_factory=list)


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    clear_url: str = ""
    selected: list[str] = field(default_factory=list)
    # Every value with its count, where the display shows only some (the place tree).
    flat: dict[str, int] | None = None

    @property
    def active(self) -> bool:
        return bool(self.selected)


class Links:
    """Query strings that add or remove one value, from the page's parameters encoded once.

    A page links every facet value it shows; copying and encoding the whole
    QueryDict for each link cost more than counting the facets. The strings are
    the ones ``QueryDict.urlencode`` gives, without the page number.
    """

    def __init__(self, params: QueryDict) -> None:
        self.names = [name for name in params if name != "page"]
        self.values = {name: params.getlist(name) for name in self.names}
        self.encoded = {name: [self._pair(name, v) for v in values] for name, values in self.values.items()}

    @staticmethod
    def _pair(name: str, value: str) -> str:
        return f"{quote_plus(name)}={quote_plus(str(value))}"

    def toggle(self, name: str, value: str, *, single: bool = False, replaces: Collection[str] = ()) -> str:
        """The query string with ``value`` added to ``name`` (in place of ``replaces``), or removed."""
        current = self.values.get(name, [])
        if value in current:
            chosen = [item for item in current if item != value]
        else:
            chosen = [value] if single else [*(item for item in current if item not in replaces), value]
        parts: list[str] = []
        for key in self.names if name in self.values else [*self.names, name]:
            parts += self.encoded[key] if key != name else [self._pair(name, item) for item in chosen]
        # Unchoosing the last value leads to the plain browse address, not to one ending in a bare "?".
        return "?" + "&".join(parts) if parts else ""


def toggle_url(params: QueryDict, name: str, value: str, *, single: bool = False) -> str:
    """The query string with ``value`` added to or removed from the parameter ``name``."""
    return Links(params).toggle(name, value, single=single)


def clear_url(params: QueryDict, *names: str) -> str:
    query = params.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return "?" + query.urlencode() if query else ""


def build_facets(filterset: RecordFilterSet, counts: dict[str, Any], params: QueryDict, language: str
                 ) -> list[Facet]:
    """Facets ready to display, with labels in ``language``: a fixed number of queries."""
    facets: list[Facet] = []
    links = Links(params)
    chosen = counts.get("chosen", {})
    # Languages are few: name them all, so that counts are keyed by tag like the filter.
    languages = Language.objects.filter(
        pk__in=[int(pk) for pk in (*counts["language"], *chosen.get("language", ()))]).in_bulk()
    by_tag = {languages[int(pk)].tag: n for pk, n in counts["language"].items() if int(pk) in languages}
    # A chosen value that nothing matches now (the search or another facet excludes it) stays listed, at 0:
    # the reader sees what narrowed the results to nothing, and can unchoose it there.
    for pk in chosen.get("language", ()):
        if int(pk) in languages:
            by_tag.setdefault(languages[int(pk)].tag, 0)

    def make(name: str, items: list[tuple[str, str, int]], lang: dict[str, str] | None = None,
             single: bool = False) -> Facet:
        selected = filterset.selected(name)
        values = [
            FacetValue(value, label, count, value in selected, links.toggle(name, value, single=single),
                       (lang or {}).get(value, ""))
            for value, label, count in items
        ]
        return Facet(name, str(FACET_LABELS[name]), values, clear_url(params, name), selected)

    @functools.cache
    def top(name: str) -> list[tuple[str, int]]:
        # Chosen values stay listed (to be unchosen) even outside the top ones, and when none is counted.
        listed = counts[name].top(TOP_VALUES, set(chosen.get(name, ())))
        shown = {pk for pk, _n in listed}
        return listed + [(pk, 0) for pk in chosen.get(name, ()) if pk not in shown]

    kind_counts = {**counts["kind"], **{k: 0 for k in filterset.selected("kind") if k not in counts["kind"]}}
    facets.append(make("kind", [(k, label, n) for k, n in kind_counts.items()
                                if (label := value_name("kind", k, language))]))

    facets.append(make("language", [(t, value_name("language", t, language), n) for t, n in ranked(
        by_tag.items(), TOP_VALUES, set(filterset.selected("language")))]))

    decade_counts = {**{d: 0 for d in filterset.selected("decade")}, **counts["decade"]}
    decades = sorted((k for k in decade_counts if k != UNDATED), key=int)
    if UNDATED in decade_counts:
        decades.append(UNDATED)
    facets.append(make("decade", [(d, value_name("decade", d, language), decade_counts[d]) for d in decades]))

    # Authorities: one query for the entries and one for their names, per model.
    agent_ids = {int(pk) for pk, _n in top("agent")} | {int(pk) for pk, _n in top("repository")}
    agents = Agent.objects.filter(pk__in=agent_ids).prefetch_related("names").in_bulk()
    subjects = Subject.objects.filter(pk__in=[int(pk) for pk, _n in top("subject")]).prefetch_related(
        "labels").in_bulk()

    def entries(name: str, by_id: dict[int, Any], names: str = "names"
                ) -> tuple[list[tuple[str, str, int]], dict[str, str]]:
        """The facet's values with the names they are shown by, and each name's language (``lang``), counted
        most first, then by name."""
        items, languages, order = [], {}, {}
        for pk, n in top(name):
            entry = by_id.get(int(pk))
            if entry is None:
                continue
            label = entry.display_label(language)
            items.append((entry.identifier, label.text if label else "", n))
            if label:
                languages[entry.identifier] = label.language
            order[entry.identifier] = name_order_key(getattr(entry, names).all(), language)
        # The top is chosen by count, ties by id; a reader scans the values of one count by name.
        items.sort(key=lambda item: (-item[2], order[item[0]]))
        return items, languages

    facets.append(make("place", []))
    tree = PlaceTree({**{pk: 0 for pk in chosen.get("place", ())}, **counts["place"]}, filterset.selected("place"))
    facets[-1].values = tree.shown(links, language)
    facets[-1].flat = tree.flat()
    facets.append(make("subject", *entries("subject", subjects, "labels")))
    facets.append(make("agent", *entries("agent", agents)))
    facets.append(make("repository", *entries("repository", agents)))
    scans = counts["has_scans"].get("1", 0)
    facets.append(make("has_scans", [("1", value_name("has_scans", "1", language), scans)]
                       if scans or filterset.selected("has_scans") else [], single=True))
    return facets


class PlaceTree:
    """The place facet: regions at the top; a region's camps and cities open under it once it or one of them is chosen.

    The top regions by count are shown, and after them any region holding a
    chosen place, so that it can be unchosen. A catalogue may name thousands of
    places: their outline (identifier, parent, path) is read as plain rows, and
    names only for the places that can be shown: the regions that can make the
    top (counted at least as often as the last one of it, ties being ordered by
    name), the open ones and the places under them. Three queries, whatever the
    number of places.
    """

    def __init__(self, counts: dict[str, int], selected: list[str]) -> None:
        self.counts = {int(pk): n for pk, n in counts.items()}
        self.selected = selected
        self.outline = {pk: (identifier, parent, path) for pk, identifier, parent, path in Place.objects.filter(
            pk__in=list(self.counts)).values_list("pk", "identifier", "parent_id", "path")}

    def flat(self) -> dict[str, int]:
        """Every counted place's count, by identifier."""
        return {identifier: self.counts[pk] for pk, (identifier, _parent, _path) in self.outline.items()}

    def shown(self, links: Links, language: str) -> list[FacetValue]:
        by_identifier = {identifier: pk for pk, (identifier, _parent, _path) in self.outline.items()}
        open_paths = {self.outline[by_identifier[i]][2] for i in self.selected if i in by_identifier}
        roots: list[int] = []
        children: dict[int, list[int]] = {}
        for pk, (_identifier, parent, _path) in sorted(self.outline.items(), key=lambda item: item[1][2]):
            if parent in self.outline:
                if any(path.startswith(self.outline[parent][2]) for path in open_paths):
                    children.setdefault(parent, []).append(pk)
            else:
                roots.append(pk)
        opened = {pk for pk in roots if any(path.startswith(self.outline[pk][2]) for path in open_paths)}
        if len(roots) > TOP_VALUES:  # only the regions that can make the top need a name to be ordered by
            lowest = sorted((self.counts[pk] for pk in roots), reverse=True)[TOP_VALUES - 1]
            roots = [pk for pk in roots if self.counts[pk] >= lowest or pk in opened]
        named = Place.objects.filter(pk__in=[*roots, *(pk for under in children.values() for pk in under)]
                                     ).prefetch_related("names").in_bulk()

        by_name: dict[str, str] = {}

        def node(pk: int) -> FacetValue:
            identifier = self.outline[pk][0]
            label = named[pk].display_label(language)
            by_name[identifier] = name_order_key(named[pk].names.all(), language)
            value = FacetValue(identifier, label.text if label else "", self.counts[pk],
                               identifier in self.selected, "", lang=label.language if label else "")
            value.children = [node(child) for child in children.get(pk, ())]
            return value

        def order(values: list[FacetValue]) -> list[FacetValue]:
            values.sort(key=lambda v: (-v.count, by_name[v.value]))
            for value in values:
                order(value.children)
            return values

        ranked = order([node(pk) for pk in roots])
        shown = ranked[:TOP_VALUES] + [value for value in ranked[TOP_VALUES:] if by_identifier[value.value] in opened]

        chosen_paths = {self.outline[by_identifier[i]][2]: i for i in self.selected if i in by_identifier}

        def link(values: list[FacetValue]) -> None:  # only the values shown need a link
            for value in values:
                # Places of one facet combine with OR, so a camp chosen beside its region would not narrow
                # the region's records: choosing a place replaces the chosen places above and below it.
                path = self.outline[by_identifier[value.value]][2]
                related = [i for p, i in chosen_paths.items() if path.startswith(p) or p.startswith(path)]
                value.url = links.toggle("place", value.value, replaces=related)
                link(value.children)

        link(shown)
        return shown


__all__ = ["FACET_LABELS", "FACET_NAMES", "SELF_NAMED", "Facet", "FacetValue", "IndexedValues", "browse_filterset",
           "browse_result", "build_facets", "facet_counts", "index_query", "value_name", "warm_index"]
