"""Template tags for the admin pages of the collection."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib import admin
from django.urls import reverse

from ..admin.base import may_view_records
from ..admin.counts import DJANGO_HEADS_PAGINATION, CountedChangeList, counted_name
from ..history import user_name as name_of_user
from ..models import Record
from ..workflow import decides_on_reviews, returned_to, submits_for_review

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


@register.simple_tag(takes_context=True)
def returned_records(context: Any) -> dict[str, Any] | None:
    """How many drafts a reviewer returned to the signed-in user, with the link to them; ``None`` when there are
    none, or for those who submit no records or may not view them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if (user is None or not submits_for_review(user)
            or not may_view_records(admin.site, request)):
        return None
    count = returned_to(user).count()
    if not count:
        return None
    return {"count": count, "url": reverse("admin:collection_record_changelist") + "?queue=returned"}


@register.filter
def counted(changelist: Any) -> CountedChangeList:
    """``changelist`` naming its model in the form that agrees with its count (see ``admin/counts.py``)."""
    return CountedChangeList(changelist)


@register.filter(name="counted_name")
def changelist_counted_name(changelist: Any) -> str:
    """The name of the entries under ``changelist``, agreeing with their number (see ``admin/counts.py``)."""
    return counted_name(changelist.opts, changelist.result_count)


@register.simple_tag
def django_heads_pagination() -> bool:
    """Whether Django's pagination heads the pages with the name the count takes (Django 6): the app's
    ``admin/collection/pagination.html`` then writes that markup itself."""
    return DJANGO_HEADS_PAGINATION


@register.filter
def user_name(user: Any) -> str:
    """A person as the admin names them everywhere (see ``history.user_name``); nothing for no one."""
    return name_of_user(user) if user is not None else ""
