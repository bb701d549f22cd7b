"""Facet counts computed in plain SQL through the FilterSet: the truth the facet index must equal.

Slow (a grouped query per facet) but obviously right: each facet is counted
over ``RecordFilterSet.queryset_without(facet)``, the published records matching
every other active filter.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict

from collection.dates import decades_between
from collection.filters import RecordFilterSet
from collection.models import Record, RecordAgent, RecordPlaceIndex


def _ids(qs: QuerySet) -> QuerySet:
    return qs.order_by().values("pk")


def _grouped(qs: QuerySet, key: str, distinct_on: str | None = None) -> dict[str, int]:
    counter = Count(distinct_on, distinct=True) if distinct_on else Count("*")
    rows = qs.order_by().values(key).annotate(n=counter).values_list(key, "n")
    return {str(value): n for value, n in rows if value is not None}


def sql_counts(query: str) -> dict[str, Any]:
    """The result count and every facet's counts of a query string, keyed as the index keys them."""
    without = RecordFilterSet(QueryDict(query)).queryset_without
    today = datetime.date.today()
    decades: dict[str, int] = defaultdict(int)
    for start, end in without("decade").values_list("year_start", "year_end"):
        spanned = decades_between(start, end, today=today)
        for decade in spanned:
            decades[str(decade)] += 1
        if not spanned:
            decades["undated"] += 1
    return {
        "count": without(None).count(),
        "kind": _grouped(without("kind"), "kind"),
        "language": _grouped(Record.languages.through.objects.filter(record_id__in=_ids(without("language"))),
                             "language_id"),
        "decade": dict(decades),
        "place": _grouped(RecordPlaceIndex.objects.filter(record_id__in=_ids(without("place"))), "place_id"),
        "subject": _grouped(Record.subjects.through.objects.filter(record_id__in=_ids(without("subject"))),
                            "subject_id"),
        "agent": _grouped(RecordAgent.objects.filter(record_id__in=_ids(without("agent"))), "agent_id",
                          distinct_on="record_id"),
        "repository": _grouped(without("repository").exclude(repository_id=None), "repository_id"),
        "has_scans": {"1": without("has_scans").with_public_scans().count()},
    }


def index_counts(counts: dict[str, Any]) -> dict[str, Any]:
    """The index's counts without what the truth does not compute (title hits, chosen values)."""
    return {name: value for name, value in counts.items() if name not in ("title_hits", "chosen")}
