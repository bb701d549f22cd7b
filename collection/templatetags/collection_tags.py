"""Display helpers: names and titles in the page's language, with fallback."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def title_of(record: Any, language: str | None = None) -> str:
    return record.display_title(language or get_language())


@register.simple_tag
def name_of(entry: Any, language: str | None = None) -> str:
    return entry.display_name(language or get_language())


@register.simple_tag(takes_context=True)
def language_links(context: Any) -> list[dict[str, Any]]:
    """The current page, with its filters, in each of the site's languages."""
    from django.conf import settings
    from django.urls import translate_url
    from django.utils.translation import get_language_info

    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": get_language_info(code)["name_local"], "url": url,
                      "absolute": request.build_absolute_uri(url), "current": code == current})
    return links


@register.simple_tag
def original_title_of(record: Any) -> Any:
    """The record's original title (a label), shown beside a translated one."""
    from ..models import pick_label

    return pick_label(record.original_titles(), None)
