"""Entries above entries: a place within a region, a narrower subject under a broader one."""

from __future__ import annotations

from django.db import models


def would_loop(entry: models.Model, field: str) -> bool:
    """Whether the entry above ``entry`` (its ``field``: parent, broader) leads back up to ``entry`` itself.

    The walk stops at an entry it has met, so a loop stored before this check existed (one that does not
    pass through ``entry``) cannot keep it going.
    """
    if entry.pk is None:
        return False
    seen: set[int] = set()
    above = getattr(entry, field)
    while above is not None and above.pk not in seen:
        if above.pk == entry.pk:
            return True
        seen.add(above.pk)
        above = getattr(above, field)
    return False
