"""The browse page: search, facets, sorting and pages over published records."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View

from ..facets import browse_result, build_facets
from ..facets.index import Result
from ..filters import RecordFilterSet
from ..models import Record

SORTS = {
    "relevance": _("relevance (title matches first)"),
    "title": _("title A–Z"),
    "-title": _("title Z–A"),
    "date": _("date, oldest first"),
    "-date": _("date, newest first"),
}
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# Below this many results a title-ordered page is sorted from the matching ids (the index knows
# them); above it, walking the title index through the filters finds a page after a few hundred steps.
WALK_FROM = 2000


def _unindexed(expression: Any) -> Any:
    """The same order, but one no index offers: the planner then filters first and sorts the few."""
    return Concat(expression, Value(""), output_field=CharField())


def published_in_order(ids: list[int]) -> list[Record]:
    """The published records with these ids, in this order, with what a list shows (one query set)."""
    by_id = Record.objects.published().with_listing().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


class PagedIds:
    """Records paged by a query of their primary keys, then fetched with what a list shows."""

    def __init__(self, ids: QuerySet) -> None:
        self.ids = ids

    def __getitem__(self, part: slice) -> list[Record]:
        return published_in_order(list(self.ids[part]))


def by_title(qs: QuerySet[Record], descending: bool = False, count: int | None = None) -> PagedIds:
    """Record ids in title order, driven from the search table's title index.

    On SQLite the matching records are an EXISTS condition rather than a join: with a
    join its planner starts from the status index and sorts every published record.
    """
    from ..models import RecordSearch

    if connection.vendor == "postgresql":
        # PostgreSQL plans the join well and walks the title index through it.
        key: Any = F("search__title_key")
        if count is not None and count < WALK_FROM:
            key = _unindexed(key)
        ordered = qs.filter(search__isnull=False).order_by(
            key.desc() if descending else key.asc(), "-search__record_id" if descending else "search__record_id")
        return PagedIds(ordered.values_list("pk", flat=True))
    key = F("title_key")
    if count is not None and count < WALK_FROM:
        key = _unindexed(key)
    rows = RecordSearch.objects.filter(Exists(qs.filter(pk=OuterRef("record_id"))))
    if descending:
        rows = rows.order_by(key.desc(), "-record_id")
    else:
        rows = rows.order_by(key.asc(), "record_id")
    return PagedIds(rows.values_list("record_id", flat=True))


class IndexedPage:
    """Records in an order the facet index knows (relevance, date), paged without another search."""

    def __init__(self, result: Result, sort: str) -> None:
        self.result = result
        self.sort = sort

    def __getitem__(self, part: slice) -> list[Record]:
        return published_in_order(self.result.page(self.sort, part.start or 0, part.stop))


def sort_records(filterset: RecordFilterSet, result: Result, sort: str) -> Any:
    """The matching records in ``sort`` order, ready to be sliced into a page.

    Relevance (title matches first, then the rest, each newest first) and date
    orders come from the index; title order from the title index of the database,
    walked through the filters when many records match, or sorted from the ids of
    the few that do.
    """
    if sort in ("relevance", "date", "-date"):
        return IndexedPage(result, sort)
    if result.count < WALK_FROM:
        matching = Record.objects.published().filter(pk__in=[int(pk) for pk in result.record_ids()])
    else:
        matching = filterset.queryset_without(None)
    return by_title(matching, descending=sort == "-title", count=result.count)


def current_sort(params: QueryDict) -> str:
    default = "relevance" if params.get("q", "").strip() else "title"
    sort = params.get("sort", default)
    if sort not in SORTS or (sort == "relevance" and not params.get("q", "").strip()):
        return default
    return sort


def page_size(params: QueryDict) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(params.get("page_size", PAGE_SIZE))))
    except ValueError:
        return PAGE_SIZE


class CountedPaginator(Paginator):
    """A paginator told the count, which the facet counts already hold."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


def browse_context(params: QueryDict, language: str) -> dict[str, Any]:
    """Everything the browse page and the API show for a filter state: a fixed number of queries."""
    filterset = RecordFilterSet(params)
    result = browse_result(filterset)
    counts = result.counts
    query = (filterset.active().get("q") or "").strip()
    sort = current_sort(params)
    paginator = CountedPaginator(sort_records(filterset, result, sort), page_size(params), count=counts["count"])
    try:
        page = paginator.page(params.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return {
        "filterset": filterset,
        "counts": counts,
        "facets": build_facets(filterset, counts, params, language),
        "query": query,
        "sort": sort,
        "sorts": [(key, label) for key, label in SORTS.items() if key != "relevance" or query],
        "page_obj": page,
        "paginator": paginator,
        "records": list(page.object_list),
        "is_paginated": paginator.num_pages > 1,
    }


def page_url(params: QueryDict, number: int) -> str:
    query = params.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


class RecordListView(View):
    template_name = "collection/record_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context = browse_context(request.GET, get_language())
        page = context["page_obj"]
        context["prev_url"] = page_url(request.GET, page.previous_page_number()) if page.has_previous() else ""
        context["next_url"] = page_url(request.GET, page.next_page_number()) if page.has_next() else ""
        context["any_filter"] = bool(context["filterset"].active())
        hidden = request.GET.copy()
        for name in ("q", "sort", "page"):
            hidden.pop(name, None)
        context["hidden_params"] = [(k, v) for k in hidden for v in hidden.getlist(k)]
        return render(request, self.template_name, context, status=400 if context["filterset"].errors else 200)
