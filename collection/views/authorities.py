"""Pages of a place, a subject and an agent: their names and their published records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.views.generic import DetailView

from ..models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject
from ..search import title_order_language

RECORDS_SHOWN = 200


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
        linked = RecordAgent.objects.filter(agent=self.object).values("record_id")
        return Record.objects.published().filter(pk__in=linked)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["holdings_count"] = Record.objects.published().filter(repository=self.object).count()
        return context


class PlaceDetailView(_AuthorityDetailView):
    template_name = "collection/place_detail.html"
    facet = "place"

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.with_public_page().prefetch_related("names")

    def records(self) -> QuerySet[Record]:
        inside = RecordPlaceIndex.objects.filter(place=self.object).values("record_id")
        return Record.objects.published().filter(pk__in=inside)


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    facet = "subject"
    names_relation = "labels"

    def get_queryset(self) -> QuerySet[Subject]:
        return Subject.objects.with_public_page().prefetch_related("labels")

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().filter(subjects=self.object)
