"""Optimistic locking: a save based on an outdated copy of a record is refused, never merged."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


class StaleRecord(Exception):
    """Someone else saved the record since this copy of it was read."""


def last_change(record: Any) -> tuple[Any, Any]:
    """Who last changed ``record`` and when, from its history: ``(user or None, datetime or None)``."""
    latest = record.history.select_related("history_user").order_by("-history_id").first()
    if latest is None:
        return None, None
    return latest.history_user, latest.history_date


def stale_message(record: Any) -> str:
    """Tell the person whose save was refused who changed the record, and when."""
    user, when = last_change(record)
    names = {
        "identifier": record.identifier,
        "user": (user.get_full_name() or user.get_username()) if user else _("someone"),
        "when": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else _("recently"),
    }
    return _(
        "%(identifier)s was changed by %(user)s at %(when)s after you opened it. Your changes were not "
        "saved, and theirs were kept: open the record again to see them, then make your changes anew."
    ) % names
