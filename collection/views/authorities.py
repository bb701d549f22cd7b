"""Pages of a place, a subject and an agent: their names and their published records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.generic import DetailView

from ..models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject
from ..search import name_order_key, title_order_language

RECORDS_SHOWN = 200

# What an authority's page lists, and its API counts: the published records it is linked to.


def agent_records(agent: Agent) -> QuerySet[Record]:
    """The published records naming ``agent``, in any role (the ``agent`` filter's records)."""
    linked = RecordAgent.objects.filter(agent=agent).values("record_id")
    return Record.objects.published().filter(pk__in=linked)


def agent_holdings(agent: Agent) -> QuerySet[Record]:
    """The published records ``agent`` holds, as their repository (the ``repository`` filter's records)."""
    return Record.objects.published().filter(repository=agent)


def agent_association(agent: Agent) -> Record | None:
    """The published association record describing ``agent``, with its titles; none while it is not public.

    It is shown apart from the records counted above: it describes the organisation rather than naming it in
    a role, so the ``agent`` filter, whose records those counts are, does not list it.
    """
    return Record.objects.published().filter(described_agent=agent).prefetch_related("titles").first()


def place_records(place: Place) -> QuerySet[Record]:
    """The published records in ``place`` or in a place under it, as the place facet counts them."""
    inside = RecordPlaceIndex.objects.filter(place=place).values("record_id")
    return Record.objects.published().filter(pk__in=inside)


def subject_records(subject: Subject) -> QuerySet[Record]:
    """The published records about ``subject``."""
    return Record.objects.published().filter(subjects=subject)


class _AuthorityDetailView(DetailView):
    slug_field = "identifier"
    slug_url_kwarg = "identifier"
    context_object_name = "entry"
    facet = ""
    names_relation = "names"
    route = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A link kept in another letter case (copied from a citation, typed) leads to the page, as a
            # record's does; only to an entry with a public page, and only when one entry answers to it.
            asked = kwargs["identifier"]
            given = list(self.get_queryset().filter(identifier__iexact=asked).values_list("identifier", flat=True)[:2])
            if len(given) == 1 and given[0] != asked:
                return redirect(self.route, identifier=given[0], permanent=True)
            raise

    def records(self) -> QuerySet[Record]:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        records = self.records().with_listing().in_title_order(title_order_language(get_language()))
        context["records"] = list(records[:RECORDS_SHOWN])
        context["record_count"] = records.count()
        context["facet"] = self.facet
        context["names"] = getattr(self.object, self.names_relation).all()
        return context


def public_by_name(entries: QuerySet, language: str, names: str = "names") -> list[Any]:
    """Entries in the order of the names this page shows them by (a Japanese name by its reading); ``names``:
    the entries' relation to their names."""
    return sorted(entries, key=lambda entry: (name_order_key(getattr(entry, names).all(), language),
                                              entry.identifier))


class AgentDetailView(_AuthorityDetailView):
    template_name = "collection/agent_detail.html"
    facet = "agent"
    route = "collection:agent-detail"

    def get_queryset(self) -> QuerySet[Agent]:
        return Agent.objects.with_public_page().with_names()

    def records(self) -> QuerySet[Record]:
        return agent_records(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["holdings_count"] = agent_holdings(self.object).count()
        context["association_record"] = agent_association(self.object)
        return context


class PlaceDetailView(_AuthorityDetailView):
    template_name = "collection/place_detail.html"
    facet = "place"
    route = "collection:place-detail"

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.with_public_page().select_related("parent").prefetch_related("names", "parent__names")

    def records(self) -> QuerySet[Record]:
        return place_records(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A place with a public page is in the index with every place above it: its parent has one too.
        context["broader"] = self.object.parent
        context["narrower"] = public_by_name(
            Place.objects.with_public_page().filter(parent=self.object).prefetch_related("names"), get_language())
        return context


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    facet = "subject"
    route = "collection:subject-detail"
    names_relation = "labels"

    def get_queryset(self) -> QuerySet[Subject]:
        return Subject.objects.with_public_page().select_related("broader").prefetch_related(
            "labels", "broader__labels")

    def records(self) -> QuerySet[Record]:
        return subject_records(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        broader = self.object.broader
        # A broader subject no published record is about has no page: it is named, not linked.
        context["broader"] = broader
        context["broader_public"] = bool(broader and Subject.objects.with_public_page().filter(pk=broader.pk).exists())
        context["narrower"] = public_by_name(
            Subject.objects.with_public_page().filter(broader=self.object).prefetch_related("labels"), get_language(),
            names="labels")
        return context
