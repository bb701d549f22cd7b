"""The browse page: search, facets, sorting and pages over published records."""

from __future__ import annotations

from typing import Any, NamedTuple

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from ..facets import browse_filterset, browse_result, build_facets
from ..facets.index import Result
from ..facets.summary import browse_summary
from ..filters import RecordFilterSet, not_a_choice
from ..models import Record
from ..search import title_order_language
from ..snippets import attach_passages

SORTS = {
    "relevance": _("relevance (title matches first)"),
    "title": _("title A–Z"),
    "-title": _("title Z–A"),
    "date": _("date, oldest first"),
    "-date": _("date, newest first"),
}
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def published_in_order(ids: list[int]) -> list[Record]:
    """The published records with these ids, in this order, with what a list shows (one query set), the series
    each is part of included where the public may see it."""
    by_id = Record.objects.published().with_listing().with_published_parent().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


class IndexedPage:
    """The matching records in one order, paged by the facet index and fetched through ``published()``.

    The index orders them as the database would (see ``Result.page``): no page
    repeats the search or the filters in SQL, whatever the sort or the page.
    """

    def __init__(self, result: Result, sort: str) -> None:
        self.result = result
        self.sort = sort

    def __getitem__(self, part: slice) -> list[Record]:
        # By title: the titles this page's language shows.
        language = title_order_language(get_language())
        return published_in_order(self.result.page(self.sort, part.start or 0, part.stop, language))


def current_sort(params: QueryDict) -> str:
    default = "relevance" if params.get("q", "").strip() else "title"
    sort = params.get("sort", default)
    if sort not in SORTS or (sort == "relevance" and not params.get("q", "").strip()):
        return default
    return sort


class ListingForm(forms.Form):
    """The order of the records, the page asked for and how many records it holds.

    A page or size that is not a whole number from 1 is not understood, as a filter
    value is (400, named in the notice), and the first page of the default size is
    shown. A size above ``MAX_PAGE_SIZE`` is not refused: the page holds
    ``MAX_PAGE_SIZE`` records. A sort that is not one of ``SORTS`` is named (see
    ``listing_problems``) and the default order used, as a kind not a choice is left
    out beside the others: the records are still listed. A NUL is refused in the sort
    as in every filter.
    """

    sort = forms.CharField(required=False, strip=False, label=_("Sort by"))
    page = forms.IntegerField(required=False, min_value=1, label=_("Page"))
    page_size = forms.IntegerField(required=False, min_value=1, label=_("Records per page"))


def listing_form(params: QueryDict) -> ListingForm:
    listing = ListingForm(params)
    listing.is_valid()
    return listing


def listing_problems(listing: ListingForm) -> dict[str, list[str]]:
    """What of the order and the page was not used, by parameter: what was not understood, and a sort not a
    choice."""
    problems = {name: [str(message) for message in messages] for name, messages in listing.errors.items()}
    sort = listing.cleaned_data.get("sort")
    if sort and sort not in SORTS:
        problems["sort"] = not_a_choice(sort).messages
    return {name: problems[name] for name in listing.fields if name in problems}


def page_size(listing: ListingForm) -> int:
    size = listing.cleaned_data.get("page_size")
    return PAGE_SIZE if size is None else min(MAX_PAGE_SIZE, size)


def page_number(listing: ListingForm) -> int:
    return listing.cleaned_data.get("page") or 1


def no_such_page(number: int, pages: int) -> str:
    return gettext("There is no page %(number)d; the last is page %(last)d.") % {"number": number, "last": pages}


class CountedPaginator(Paginator):
    """A paginator told the count, which the facet counts already hold."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


def valid_params(params: QueryDict, filterset: RecordFilterSet, listing: ListingForm) -> QueryDict:
    """The page's parameters without the ones it could not use, nor its page number.

    Links and forms carry this state on: a filter value that was not understood
    (``?decade=abc``, or ``bogus`` in ``?kind=memoir&kind=bogus``) is dropped, so its
    error is shown once, not brought back by every link, while the values the page
    applied stay; an unknown sort or page size is dropped too (the page used its
    default), and a page size above the largest is given as the one used. A parameter the page does not know is
    carried on as given, unless it holds a NUL (which the filters refuse).
    """
    state = params.copy()
    for name in (*filterset.rejected(), "page"):
        state.pop(name, None)
    for name in [name for name, values in state.lists() if any("\x00" in value for value in values)]:
        state.pop(name)
    for name, values in filterset.kept_values().items():
        state.setlist(name, values)
    if "sort" in state and state.get("sort") != current_sort(params):
        state.pop("sort")
    if "page_size" in state:
        if listing.cleaned_data.get("page_size") is None:
            state.pop("page_size")
        else:  # the size the page used (at most MAX_PAGE_SIZE)
            state["page_size"] = str(page_size(listing))
    return state


def browse_context(params: QueryDict, language: str) -> dict[str, Any]:
    """Everything the browse page and the API show for a filter state: a fixed number of queries."""
    filterset = browse_filterset(params)
    result = browse_result(filterset)
    counts = result.counts
    query = (filterset.active().get("q") or "").strip()
    sort = current_sort(params)
    listing = listing_form(params)
    paginator = CountedPaginator(IndexedPage(result, sort), page_size(listing), count=counts["count"])
    problems = {**filterset.problems(), **listing_problems(listing)}
    number = page_number(listing)
    # A page beyond the last is not there (404). Beside a parameter not understood (400), the last page is shown.
    missing = number > paginator.num_pages
    if missing:
        problems["page"] = [no_such_page(number, paginator.num_pages)]
    page = paginator.page(paginator.num_pages if missing else number)
    state = valid_params(params, filterset, listing)
    labels = {name: field.label for form in (filterset.form, listing) for name, field in form.fields.items()}
    return {
        "filterset": filterset,
        # Everything given but not used, by parameter; ``refused`` when some of it was not understood.
        "problems": problems,
        "labelled_problems": [(str(labels.get(name) or name), messages) for name, messages in problems.items()],
        "refused": bool(filterset.errors or listing.errors),
        "page_missing": missing,
        "counts": counts,
        "facets": build_facets(filterset, counts, state, language),
        "query": query,
        "sort": sort,
        "sorts": [(key, label) for key, label in SORTS.items() if key != "relevance" or query],
        "page_obj": page,
        "paginator": paginator,
        "records": list(page.object_list),
        "is_paginated": paginator.num_pages > 1,
        "state": state,
    }


def page_url(params: QueryDict, number: int, *, first_bare: bool = True) -> str:
    """The address of page ``number`` of the list ``params`` describe. The first page's is the list's own, without
    ``page=1``, so that paging back gives the address the filters' links give; the API names it (``first_bare``
    False), as its answers always have."""
    query = params.copy()
    query.pop("page", None)
    if number != 1 or not first_bare:
        query["page"] = str(number)
    return "?" + query.urlencode()


class PageLink(NamedTuple):
    """A page to link (``url``), this page (``current``), or a gap between pages (neither: an ellipsis)."""

    label: str
    url: str = ""
    current: bool = False


def page_links(params: QueryDict, page: Page) -> list[PageLink]:
    """The pages to link around this one: the first and the last, two either side of this one, and a gap for
    the pages between (1 … 4 5 [6] 7 8 … 40), each address keeping the page's state as "Next" does. From the
    count the page already holds: no query."""
    links: list[PageLink] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if not isinstance(number, int):
            links.append(PageLink(str(number)))
        else:
            links.append(
                PageLink(str(number), "" if number == page.number else page_url(params, number), number == page.number)
            )
    return links


def _pairs(params: QueryDict, *leave_out: str) -> list[tuple[str, str]]:
    """Hidden inputs carrying ``params`` on, but for ``leave_out`` (the form's own fields)."""
    return [(k, v) for k in params if k not in leave_out for v in params.getlist(k)]


class RecordListView(View):
    template_name = "collection/record_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context = browse_context(request.GET, get_language())
        if context["page_missing"] and not context["refused"]:
            # Not found, as any address that names nothing; saying which page there is, with the same filters.
            last_page = page_url(context["state"], context["paginator"].num_pages)
            return render(request, "collection/404.html", {"reason": context["problems"]["page"][0],
                                                           "last_page_url": last_page}, status=404)
        page = context["page_obj"]
        state = context["state"]
        # Why each record was found, where the line does not show it: a passage of its description.
        attach_passages(context["records"], context["query"], get_language())
        context["prev_url"] = page_url(state, page.previous_page_number()) if page.has_previous() else ""
        context["next_url"] = page_url(state, page.next_page_number()) if page.has_next() else ""
        context["page_links"] = page_links(state, page)
        context["summary"] = browse_summary(
            context["filterset"], context["facets"], context["query"], page.number, context["paginator"].num_pages
        )
        # The search is not a filter: "Clear all filters" keeps it, so it shows only beside a filter to clear.
        context["any_filter"] = any(name != "q" for name in context["filterset"].active())
        # A new search starts in its own order (relevance); the sort form sets the sort; the years form
        # keeps everything else, the sort and the page size included. ``q`` is each form's own input.
        context["hidden_params"] = _pairs(state, "q", "sort")
        context["year_params"] = _pairs(state, "q", "year_from", "year_to")
        kept = QueryDict(mutable=True)
        for name in ("q", "sort", "page_size"):
            if name in state:
                kept.setlist(name, state.getlist(name))
        context["clear_all_url"] = "?" + kept.urlencode() if kept else ""
        return render(request, self.template_name, context, status=400 if context["refused"] else 200)
