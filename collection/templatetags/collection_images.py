"""Scans on public pages: only public images of published records, with captions."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from ..models.images import RecordImage, RecordImageCaption

register = template.Library()


@register.simple_tag
def public_images_of(record: Any) -> list[RecordImage]:
    """The record's public images in order (two queries: images, captions)."""
    if record is None or not getattr(record, "pk", None):
        return []
    return list(RecordImage.objects.public().filter(record=record).with_captions().order_by("position", "pk"))


@register.simple_tag
def caption_of(image: RecordImage, language: str | None = None) -> RecordImageCaption | None:
    """The caption to show (with its language, for ``lang``), or None."""
    return image.pick_caption(language or get_language())
