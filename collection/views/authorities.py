"""Pages of a place, a subject and an agent: their names and their published records."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language
from django.views.generic import DetailView

from ..models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject
from ..search import title_order_language

RECORDS_SHOWN = 200


# Which authorities have a public page. The pages and the sitemap (``collection.sitemaps``) both ask
# here, so they cannot disagree. An entry only unpublished records use, or that no record uses at all
# (a vocabulary entry nobody uses yet), has no page: it answers 404 exactly as an unknown identifier,
# so a page tells nothing about drafts, nor which identifiers exist.


def public_agents(agents: QuerySet[Agent] | None = None) -> QuerySet[Agent]:
    """Agents a published record names (any role) or that hold one (its repository)."""
    public = Record.objects.published()
    agents = Agent.objects.all() if agents is None else agents
    return agents.filter(
        Exists(RecordAgent.objects.filter(agent=OuterRef("pk"), record__in=public))
        | Exists(public.filter(repository=OuterRef("pk")))
    )


def public_places(places: QuerySet[Place] | None = None) -> QuerySet[Place]:
    """Places of a published record, and every region above one (``RecordPlaceIndex``)."""
    places = Place.objects.all() if places is None else places
    return places.filter(Exists(RecordPlaceIndex.objects.filter(
        place=OuterRef("pk"), record__in=Record.objects.published())))


def public_subjects(subjects: QuerySet[Subject] | None = None) -> QuerySet[Subject]:
    """Subjects of a published record."""
    subjects = Subject.objects.all() if subjects is None else subjects
    return subjects.filter(Exists(Record.subjects.through.objects.filter(
        subject=OuterRef("pk"), record__in=Record.objects.published())))


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
        return public_agents(Agent.objects.with_names())

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
        return public_places(Place.objects.prefetch_related("names"))

    def records(self) -> QuerySet[Record]:
        inside = RecordPlaceIndex.objects.filter(place=self.object).values("record_id")
        return Record.objects.published().filter(pk__in=inside)


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    facet = "subject"
    names_relation = "labels"

    def get_queryset(self) -> QuerySet[Subject]:
        return public_subjects(Subject.objects.prefetch_related("labels"))

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().filter(subjects=self.object)
