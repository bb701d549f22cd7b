"""Public pages. Every query here starts from ``Record.objects.published()``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.views.generic import DetailView, ListView

from .models import Agent, Place, Record, Subject
from .tombstones import tombstone_response


class RecordListView(ListView):
    template_name = "collection/record_list.html"
    context_object_name = "records"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Record]:
        return Record.objects.published().with_listing().order_by("identifier")


class RecordDetailView(DetailView):
    template_name = "collection/record_detail.html"
    context_object_name = "record"
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Withdrawn and deleted records answer 410 Gone with a notice.
            if gone := tombstone_response(request, kwargs["identifier"]):
                return gone
            raise

    def get_queryset(self) -> QuerySet[Record]:
        return (
            Record.objects.published()
            .with_listing()
            .select_related("parent", "repository")
            .prefetch_related("descriptions", "places__names", "subjects__labels", "languages")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.published().with_listing()
        context["parent_public"] = self.object.parent if self.object.parent and self.object.parent.is_public else None
        return context


class _AuthorityDetailView(DetailView):
    slug_field = "identifier"
    slug_url_kwarg = "identifier"
    context_object_name = "entry"

    def records(self) -> QuerySet[Record]:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["records"] = self.records().with_listing().order_by("identifier")
        return context


class AgentDetailView(_AuthorityDetailView):
    template_name = "collection/agent_detail.html"
    queryset = Agent.objects.with_names()

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().filter(agent_links__agent=self.object).distinct()


class PlaceDetailView(_AuthorityDetailView):
    template_name = "collection/place_detail.html"
    queryset = Place.objects.prefetch_related("names")

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().in_place(self.object)


class SubjectDetailView(_AuthorityDetailView):
    template_name = "collection/subject_detail.html"
    queryset = Subject.objects.prefetch_related("labels")

    def records(self) -> QuerySet[Record]:
        return Record.objects.published().filter(subjects=self.object)


