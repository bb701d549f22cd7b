"""Staff preview: a record exactly as its public page shows it, in any of the site's languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ..models import Record, Status
from ..views.record import record_page_context
from .base import permitted_entry

# Extends the public record template, so the preview is the public page plus what only staff need to see.
PREVIEW_TEMPLATE = "collection/record_preview.html"
LANGUAGE_PARAMETER = "language"

# What the banner says the record is: whether the public can see it is what an archivist checks first.
STATUS_NOTICES = {
    Status.DRAFT: _("Draft — not public"),
    Status.REVIEW: _("In review — not public"),
    Status.PUBLISHED: _("Published — public"),
    Status.WITHDRAWN: _("Withdrawn — not public"),
}


def preview_language(request: HttpRequest) -> str:
    """The language asked for with ``?language=`` if the site has it, else the one the admin is shown in.

    The admin's URLs have no language prefix, so the preview cannot switch languages as the public pages do.
    """
    asked = request.GET.get(LANGUAGE_PARAMETER, "")
    if asked in dict(settings.LANGUAGES):
        return asked
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def preview_language_urls(request: HttpRequest) -> dict[str, str]:
    """This preview's address in each of the site's languages, for the page's language links."""
    return {code: f"{request.path}?{urlencode({LANGUAGE_PARAMETER: code})}" for code, _name in settings.LANGUAGES}


def preview_record(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """Render the public record page for any record the staff member may view, with a banner saying so.

    The context is the public page's (the same citations and links): parts that are not
    public themselves (an unpublished parent or child) stay out, as they will on the public
    page. What only works once the record is public (its permanent link, the citation
    downloads) is shown as text for a record that is not.
    """
    def find() -> Record | None:
        try:
            return (
                Record.objects.with_listing()
                .with_published_parent()
                .with_described_agent()
                .select_related("repository")
                .prefetch_related("descriptions", "places__names", "subjects__labels", "languages",
                                  "repository__names")
                .filter(pk=object_id).first()
            )
        except (ValueError, ValidationError):  # not a record id at all
            return None

    record = permitted_entry(request, model_admin.has_view_or_change_permission, find)
    # The banner and notes address the archivist, in the admin's language; the page is in the one previewed.
    admin_language = translation.get_language()
    language = preview_language(request)
    with translation.override(language):
        context = {
            "record": record,
            "object": record,
            **record_page_context(request, record),
            "preview": True,
            "public": record.status == Status.PUBLISHED,
            "preview_status": STATUS_NOTICES.get(record.status, record.get_status_display()),
            "preview_language_urls": preview_language_urls(request),
            "admin_language": admin_language,
        }
        response = render(request, PREVIEW_TEMPLATE, context)
    response["Content-Language"] = language
    # A preview must never be indexed or cached as if it were the public page.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
