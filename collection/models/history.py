"""The change history every curated model keeps (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords


def change_history(**options: Any) -> HistoricalRecords:
    """``HistoricalRecords`` whose change reason holds text of any length.

    A reason is a workflow comment or a file's name, as long as a person makes it:
    simple-history's default ``varchar(100)`` refuses a longer one on PostgreSQL. The
    field is given here, not by the site's ``SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD``,
    so that the app's migrations are the same whatever the site sets.
    """
    return HistoricalRecords(history_change_reason_field=models.TextField(null=True), **options)
