"""Pages of a place, a subject and an agent: their names and their published records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.views.generic import DetailView

from ..models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject

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
        records = self.records().with_listing().order_by("search__title_key", "pk")
        context["records"] = list(records[:RECORDS_SHOWN])
        context["record_count"] = records.count()
        context["facet"] = self.facet
        context["names"] = getattr(self.object, self.names_relation).all()
        return context


class AgentDetailView(_AuthorityDetailView):
    template_name = "collection/agent_detail.html"
    queryset = Agent.objects.with_names()
    facet = "agent"

    def records(self) -> QuerySet[Record]:
        linked = RecordAgent.objects.filter(agent=self.object).values("record_id")
        return Record.objects.published().filter(pk__in=linked)

    def get_object(self, queryset: QuerySet | None = None) -> Agent:
        agent = super().get_object(queryset)
        # Someone known only from unpublished records is not made public by a page of their own.
        in_public = Record.objects.published()
        if not (
            in_public.filter(agent_links__agent=agent).exists() or in_public.filter(repository=agent).exists()
        ):
            raise Http404
        return agent

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["holdings_count"] = Record.objects.published().filter(repository=self.object).count()
        return context


class PlaceDetailView(_AuthorityDetailView):
    template_name = "collection/place_detail.html"
    queryset = Place.objects.prefetch_related("names")
    facet = "place"

    def records(self) -> QuerySet[Record]:
        inside = RecordPlaceIndex.objects.filter(place=self.object).values("record_id")
        return Record.objects.published().filter(pk__in=inside)


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    queryset = Subject.objects.prefetch_related("labels")
    facet = "subject"
    names_relation = "labels"

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().filter(subjects=self.object)
