"""The home page: a search box and the top facets."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import get_language
from django.views.generic import TemplateView

from ..facets import build_facets, facet_counts
from ..filters import RecordFilterSet


class HomeView(TemplateView):
    template_name = "collection/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset = RecordFilterSet(QueryDict())
        counts = facet_counts(filterset)
        facets = build_facets(filterset, counts, QueryDict(), get_language())
        context["count"] = counts["count"]
        context["facets"] = [f for f in facets if f.name in ("kind", "decade", "place", "subject") and f.values]
        return context
