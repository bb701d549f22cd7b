"""Facet counts: each facet counted under every *other* active filter.

Counting a million records eight ways takes far longer than a page may, so the
counts of a filter state are kept in :class:`~collection.models.FacetCache`,
stamped with the catalogue version. Database triggers bump that version in the
same transaction as any change to records, their links or their search keys,
so a cached count is used only while nothing it counted has changed: a withdrawn
record leaves every count the moment its withdrawal commits.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .filters import FACET_NAMES, UNDATED, RecordFilterSet
from .models import (
    Agent,
    CatalogueVersion,
    FacetCache,
    Language,
    Place,
    Record,
    RecordAgent,
    RecordKind,
    RecordPlaceIndex,
    Subject,
)
from .search import title_match

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
TOP_VALUES = 15
# Part of every cache key: bump it when the shape of the counts changes.
PAYLOAD_VERSION = 2


# --- counting ---------------------------------------------------------------------------------


def _ids(qs: QuerySet[Record]) -> QuerySet:
    return qs.order_by().values("pk")


def _grouped(qs: QuerySet, key: str, distinct_on: str | None = None) -> dict[str, int]:
    counter = Count(distinct_on, distinct=True) if distinct_on else Count("*")
    rows = qs.order_by().values(key).annotate(n=counter).values_list(key, "n")
    return {str(value): n for value, n in rows if value is not None}


def count_decades(qs: QuerySet[Record], this_year: int) -> dict[str, int]:
    """A range counts once in every decade it overlaps; no date at all counts as undated."""
    counts: dict[str, int] = defaultdict(int)
    rows = (
        qs.order_by().values("year_start", "year_end")
        .annotate(n=Count("*")).values_list("year_start", "year_end", "n")
    )
    for start, end, n in rows:
        if start is None and end is None:
            counts[UNDATED] += n
            continue
        first = start if start is not None else end
        last = end if end is not None else max(this_year, first)
        for decade in range(first - first % 10, last - last % 10 + 1, 10):
            counts[str(decade)] += n
    return dict(counts)


def compute_counts(filterset: RecordFilterSet, this_year: int) -> dict[str, Any]:
    """Count the results and every facet; a fixed number of queries whatever the values."""
    without = filterset.queryset_without
    counts: dict[str, Any] = {"count": without(None).order_by().count()}
    query = (filterset.active().get("q") or "").strip()
    if query:  # relevance puts title matches first: the page needs to know how many there are
        counts["title_hits"] = without(None).filter(title_match(query)).order_by().count()
    counts["kind"] = _grouped(without("kind"), "kind")
    counts["language"] = _grouped(
        Record.languages.through.objects.filter(record_id__in=_ids(without("language"))), "language__tag"
    )
    counts["decade"] = count_decades(without("decade"), this_year)
    counts["place"] = _grouped(RecordPlaceIndex.objects.filter(record_id__in=_ids(without("place"))), "place_id")
    counts["subject"] = _grouped(
        Record.subjects.through.objects.filter(record_id__in=_ids(without("subject"))), "subject_id"
    )
    counts["agent"] = _grouped(
        RecordAgent.objects.filter(record_id__in=_ids(without("agent"))), "agent_id", distinct_on="record_id"
    )
    counts["repository"] = _grouped(without("repository").exclude(repository_id=None), "repository_id")
    counts["has_scans"] = {"1": without("has_scans").with_public_scans().order_by().count()}
    return counts


def _cache_key(filterset: RecordFilterSet, this_year: int) -> str:
    state = {name: value for name, value in filterset.active().items()}
    blob = json.dumps([PAYLOAD_VERSION, state, this_year, connection.vendor], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def facet_counts(filterset: RecordFilterSet, *, use_cache: bool = True) -> dict[str, Any]:
    """The result count and facet counts of a filter state, from the cache when still valid."""
    this_year = datetime.date.today().year
    if not use_cache:
        return compute_counts(filterset, this_year)
    key = _cache_key(filterset, this_year)
    version = CatalogueVersion.objects.values_list("version", flat=True).first()
    if version is None:  # the counter row is missing (e.g. a flushed test database): never cache
        return compute_counts(filterset, this_year)
    cached = FacetCache.objects.filter(key=key, version=version).values_list("payload", flat=True).first()
    if cached is not None:
        return cached
    counts = compute_counts(filterset, this_year)
    FacetCache.objects.filter(version__lt=version).delete()  # counts of earlier versions can never be used
    FacetCache.objects.bulk_create(
        [FacetCache(key=key, version=version, payload=counts)],
        update_conflicts=True, unique_fields=["key"], update_fields=["version", "payload"],
    )
    return counts


def prune_cache() -> int:
    """Delete counts of earlier catalogue versions; returns how many were deleted."""
    version = CatalogueVersion.objects.values_list("version", flat=True).first()
    if version is None:
        return 0
    return FacetCache.objects.filter(version__lt=version).delete()[0]


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


def toggle_url(params: QueryDict, name: str, value: str, *, single: bool = False) -> str:
    """The query string with ``value`` added to or removed from the parameter ``name``."""
    query = params.copy()
    query.pop("page", None)
    current = query.getlist(name)
    if value in current:
        current = [item for item in current if item != value]
    else:
        current = [value] if single else [*current, value]
    query.setlist(name, current)
    return "?" + query.urlencode()


def clear_url(params: QueryDict, *names: str) -> str:
    query = params.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return "?" + query.urlencode() if query else "?"


def build_facets(filterset: RecordFilterSet, counts: dict[str, Any], params: QueryDict, language: str
                 ) -> list[Facet]:
    """Facets ready to display, with labels in ``language``: a fixed number of queries."""
    facets: list[Facet] = []

    def make(name: str, items: list[tuple[str, str, int]], lang: dict[str, str] | None = None,
             single: bool = False) -> Facet:
        selected = filterset.selected(name)
        values = [
            FacetValue(value, label, count, value in selected, toggle_url(params, name, value, single=single),
                       (lang or {}).get(value, ""))
            for value, label, count in items
        ]
        return Facet(name, str(FACET_LABELS[name]), values, clear_url(params, name), selected)

    def top(name: str) -> list[tuple[str, int]]:
        selected = set(filterset.selected(name))
        ranked = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
        return [item for i, item in enumerate(ranked) if i < TOP_VALUES or item[0] in selected]

    kinds = dict(RecordKind.choices)
    facets.append(make("kind", [(k, str(kinds[k]), n) for k, n in counts["kind"].items() if k in kinds]))

    language_names = {lang.tag: _language_name(lang, language) for lang in
                      Language.objects.filter(tag__in=[t for t, _n in top("language")])}
    facets.append(make("language", [(t, language_names.get(t, t), n) for t, n in top("language")]))

    decades = sorted((k for k in counts["decade"] if k != UNDATED), key=int)
    decade_items = [(d, _("%(decade)ss") % {"decade": d}, counts["decade"][d]) for d in decades]
    if UNDATED in counts["decade"]:
        decade_items.append((UNDATED, str(_("undated")), counts["decade"][UNDATED]))
    facets.append(make("decade", decade_items))

    # Authorities: one query for the entries and one for their names, per model.
    agent_ids = {int(pk) for pk, _n in top("agent")} | {int(pk) for pk, _n in top("repository")}
    agents = Agent.objects.filter(pk__in=agent_ids).prefetch_related("names").in_bulk()
    subjects = Subject.objects.filter(pk__in=[int(pk) for pk, _n in top("subject")]).prefetch_related(
        "labels").in_bulk()
    places = Place.objects.filter(pk__in=[int(pk) for pk in counts["place"]]).prefetch_related("names").in_bulk()

    def entries(name: str, by_id: dict[int, Any]) -> list[tuple[str, str, int]]:
        return [(by_id[int(pk)].identifier, by_id[int(pk)].display_name(language), n)
                for pk, n in top(name) if int(pk) in by_id]

    facets.append(make("place", []))
    facets[-1].values = _place_tree(places, counts["place"], filterset.selected("place"), params, language)
    facets[-1].flat = {place.identifier: counts["place"][str(pk)] for pk, place in places.items()}
    facets.append(make("subject", entries("subject", subjects)))
    facets.append(make("agent", entries("agent", agents)))
    facets.append(make("repository", entries("repository", agents)))
    scans = counts["has_scans"].get("1", 0)
    facets.append(make("has_scans", [("1", str(_("with scans")), scans)] if scans or filterset.selected(
        "has_scans") else [], single=True))
    return facets


def _language_name(lang: Language, language: str) -> str:
    try:
        return lang.display_name(language)
    except ImportError:  # langcodes without its optional name tables: the tag itself
        return lang.tag


def _place_tree(places: dict[int, Place], counts: dict[str, int], selected: list[str], params: QueryDict,
                language: str) -> list[FacetValue]:
    """Regions at the top; a region's camps and cities open under it once it or one of them is chosen."""
    by_identifier = {place.identifier: place for place in places.values()}
    open_paths = {by_identifier[i].path for i in selected if i in by_identifier}
    nodes: dict[int, FacetValue] = {}
    for pk, place in places.items():
        nodes[pk] = FacetValue(place.identifier, place.display_name(language), counts.get(str(pk), 0),
                               place.identifier in selected, toggle_url(params, "place", place.identifier))
    roots: list[FacetValue] = []
    for pk, place in sorted(places.items(), key=lambda item: item[1].path):
        parent = place.parent_id
        if parent in nodes:
            if any(path.startswith(places[parent].path) for path in open_paths):
                nodes[parent].children.append(nodes[pk])
        else:
            roots.append(nodes[pk])

    def order(values: list[FacetValue]) -> list[FacetValue]:
        values.sort(key=lambda v: (-v.count, v.label))
        for value in values:
            order(value.children)
        return values

    return order(roots)[: max(TOP_VALUES, len(selected) + TOP_VALUES)]


__all__ = ["FACET_NAMES", "Facet", "FacetValue", "build_facets", "compute_counts", "facet_counts", "prune_cache",
           "warm"]


def warm(queries: list[str] | None = None) -> int:
    """Count the given filter states (default: the unfiltered browse and home page) into the cache.

    Run after a large import, so that the first visitor does not pay for counting.
    Returns how many states were counted.
    """
    states = queries if queries is not None else [""]
    for query in states:
        facet_counts(RecordFilterSet(QueryDict(query)))
    return len(states)
