"""Staff preview: an unpublished record exactly as its public page will show it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import Record
from .base import permitted_entry

PUBLIC_TEMPLATE = "collection/record_detail.html"


def preview_record(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """Render the public record template for any record the staff member may view.

    The context is the public page's: parts that are not public themselves
    (an unpublished parent or child) stay out, as they will on the public page.
    """
    def find() -> Record | None:
        try:
            return (
                Record.objects.with_listing()
                .with_published_parent()
                .select_related("repository")
                .prefetch_related("descriptions", "places__names", "subjects__labels", "languages")
                .filter(pk=object_id).first()
            )
        except (ValueError, ValidationError):  # not a record id at all
            return None

    record = permitted_entry(request, model_admin.has_view_or_change_permission, find)
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
