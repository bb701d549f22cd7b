"""Template tags for the admin pages of the collection."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib import admin
from django.urls import reverse

from ..admin.base import may_view_records
from ..admin.counts import CountedChangeList
from ..history import user_name as name_of_user
from ..models import Record
from ..workflow import decides_on_reviews

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue(context: Any) -> dict[str, Any] | None:
    """How many records wait for the signed-in user's review, with the link to them; ``None`` for non-reviewers,
    and for those who may not view records (the count would tell them how many are in review, and the link
    answer "forbidden")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not decides_on_reviews(user) or not may_view_records(admin.site, request):
        return None
    return {
        "count": Record.objects.awaiting_review_by(user).count(),
        "url": reverse("admin:collection_record_changelist") + "?queue=mine",
    }


@register.filter
def counted(changelist: Any) -> CountedChangeList:
    """``changelist`` naming its model in the form that agrees with its count (see ``admin/counts.py``)."""
    return CountedChangeList(changelist)


@register.filter
def user_name(user: Any) -> str:
    """A person as the admin names them everywhere (see ``history.user_name``); nothing for no one."""
    return name_of_user(user) if user is not None else ""
