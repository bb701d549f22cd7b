"""Pages of a place, a subject and an agent: their names and their published records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.views.generic import DetailView

from ..models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject
from ..search import title_order_language

RECORDS_SHOWN = 200


# What an authority's page lists, and its API counts: the published records it is linked to.


def agent_records(agent: Agent) -> QuerySet[Record]:
    """The published records naming ``agent``, in any role (the ``agent`` filter's records)."""
    linked = RecordAgent.objects.filter(agent=agent).values("record_id")
    return Record.objects.published().filter(pk__in=linked)


def agent_holdings(agent: Agent) -> QuerySet[Record]:
    """The published records ``agent`` holds, as their repository (the ``repository`` filter's records)."""
    return Record.objects.published().filter(repository=agent)


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


class AgentDetailView(_AuthorityDetailView):
    template_name = "collection/agent_detail.html"
    facet = "agent"

    def get_queryset(self) -> QuerySet[Agent]:
        return Agent.objects.with_public_page().with_names()

    def records(self) -> QuerySet[Record]:
        return agent_records(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["holdings_count"] = agent_holdings(self.object).count()
        return context


class PlaceDetailView(_AuthorityDetailView):
    template_name = "collection/place_detail.html"
    facet = "place"

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.with_public_page().prefetch_related("names")

    def records(self) -> QuerySet[Record]:
        return place_records(self.object)


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    facet = "subject"
    names_relation = "labels"

    def get_queryset(self) -> QuerySet[Subject]:
        return Subject.objects.with_public_page().prefetch_related("labels")

    def records(self) -> QuerySet[Record]:
        return subject_records(self.object)
