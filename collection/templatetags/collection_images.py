"""Scans on public pages: only public images of published records, with captions.

In the admin's preview of a record (the public template rendered with ``preview``
set), the images that will be public once the record is published are shown, to
staff who may load them (the *view image* permission) and to nobody else.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from ..models.images import RecordImage, RecordImageCaption, Visibility

register = template.Library()


@register.simple_tag(takes_context=True)
def public_images_of(context: template.Context, record: Any) -> list[RecordImage]:
    """The record's public images in order (two queries: images, captions)."""
    if record is None or not getattr(record, "pk", None):
        return []
    images = RecordImage.objects.public()
    request = getattr(context, "request", None)
    if context.get("preview") and request is not None:
        # Staff who may view images load any image's files; for anyone else this is public() again.
        images = RecordImage.objects.visible_to(getattr(request, "user", None)).filter(visibility=Visibility.PUBLIC)
    return list(images.filter(record=record).with_captions().order_by("position", "pk"))


@register.simple_tag
def caption_of(image: RecordImage, language: str | None = None) -> RecordImageCaption | None:
    """The caption to show (with its language, for ``lang``), or None."""
    return image.pick_caption(language or get_language())
