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
