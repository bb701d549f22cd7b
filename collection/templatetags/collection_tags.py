"""Display helpers: names and titles in the page's language, with fallback."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language, gettext, pgettext

from ..dates import edtf_in_words

register = template.Library()


@register.simple_tag
def title_of(record: Any, language: str | None = None) -> str:
    return record.display_title(language or get_language())


@register.simple_tag
def name_of(entry: Any, language: str | None = None) -> str:
    return entry.display_name(language or get_language())


@register.simple_tag
def date_of(record: Any) -> str:
    """A record's date for the public: the wording given, else its EDTF date in words, else "undated"."""
    if record.date_display:
        return record.date_display
    if record.date_edtf:
        return edtf_in_words(record.date_edtf)
    return gettext("undated")


@register.simple_tag
def role_of(link: Any) -> str:
    """An agent's role in a record, in the page's language."""
    from ..models import AgentRole

    if link.role == AgentRole.SUBJECT:
        # The role's label "subject" shares its msgid with the subject heading (件名, предметная рубрика).
        return pgettext("agent role", "subject")
    return str(link.get_role_display())


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
