"""Staff preview: an unpublished record exactly as its public page will show it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import Record

PUBLIC_TEMPLATE = "collection/record_detail.html"


def preview_record(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """Render the public record template for any record the staff member may view.

    The context is the public page's: parts that are not public themselves
    (an unpublished parent or child) stay out, as they will on the public page.
    """
    # Asked before the lookup, as the change view does: without the permission an existing record and a
    # missing one answer alike, so the answer tells nobody which record ids exist.
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    try:
        record = (
            Record.objects.with_listing()
            .with_published_parent()
            .select_related("repository")
            .prefetch_related("descriptions", "places__names", "subjects__labels", "languages")
            .filter(pk=object_id).first()
        )
    except (ValueError, ValidationError):  # not a record id at all
        record = None
    if record is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request, record):
        raise PermissionDenied
    context = {
        "record": record,
        "object": record,
        "children": record.children.published().with_listing(),
        "parent_public": record.published_parent(),
        "preview": True,
    }
    response = render(request, PUBLIC_TEMPLATE, context)
    # A preview must never be indexed or cached as if it were the public page.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
