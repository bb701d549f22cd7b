"""One record's page and its citation downloads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.views.generic import DetailView

from ..citations import EXPORTS, STYLES, formatted_citation, highwire_meta
from ..models import Record
from ..tombstones import identifier_as_given, tombstone_response


def public_record_queryset() -> QuerySet[Record]:
    """Published records with everything their page shows."""
    return (
        Record.objects.published()
        .with_listing()
        .with_published_parent()
        .with_described_agent()
        .select_related("repository")
        .prefetch_related("descriptions", "places__names", "subjects__labels", "languages", "repository__names")
    )


def record_page_context(request: HttpRequest, record: Record) -> dict[str, Any]:
    """What the record's page shows besides the record, in the active language.

    The admin's preview builds its page from this too, so it cannot drift from the public one.
    """
    language = get_language()
    permalink = request.build_absolute_uri(record.get_absolute_url())
    return {
        "children": list(record.children.published().with_listing().order_by("sequence", "identifier")),
        "parent_public": record.published_parent(),
        "citations": [(label, formatted_citation(record, style, language)) for style, (label, _path) in STYLES.items()],
        "exports": [(fmt, label) for fmt, (label, _media, _fn) in EXPORTS.items()],
        "meta_tags": highwire_meta(record, permalink, language),
        "permalink": permalink,
    }


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
            if given := identifier_as_given(kwargs["identifier"]):
                return redirect("collection:record-detail", identifier=given, permanent=True)
            raise

    def get_queryset(self) -> QuerySet[Record]:
        return public_record_queryset()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **record_page_context(self.request, self.object)}


def record_citation(request: HttpRequest, identifier: str, fmt: str) -> HttpResponse:
    """BibTeX, RIS or CSL-JSON for one published record."""
    if fmt not in EXPORTS:
        raise Http404
    try:
        record = get_object_or_404(public_record_queryset(), identifier=identifier)
    except Http404:
        if gone := tombstone_response(request, identifier):
            return gone
        if given := identifier_as_given(identifier):
            return redirect("collection:record-citation", identifier=given, fmt=fmt, permanent=True)
        raise
    _label, media_type, render = EXPORTS[fmt]
    response = HttpResponse(render(record, get_language()), content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{record.identifier}.{fmt}"'
    return response
