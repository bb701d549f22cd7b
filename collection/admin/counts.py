"""The number of entries under a changelist, in words that agree with the number.

Django's ``admin/pagination.html`` writes the count and then the model's verbose name
(for one) or its verbose plural name (for any other number): two forms, where Russian
needs three (1 запись, 2 записи, 5 записей, 21 запись) and Japanese counts entries with
a counter (19 件, and images, as sheets, 3 枚), not with the noun. The app's ``admin/collection/pagination.html``
gives Django 5.2's template (a ``<p>``) the name that agrees with the count. Django 6's
(a ``<nav>`` with a list) also heads the pages, for screen readers, with the verbose
plural name the count takes: the heading would read «Паджинация запись» at 21 entries
and 「件 のページ」 in Japanese. There the app writes the same markup itself
(``admin/collection/pagination_nav.html``), headed in its own words with the model's
plural whatever the count: «Постраничная навигация: записи», 「資料のページ」.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
from django.utils.translation import npgettext

# Whether Django's admin/pagination.html heads the pages with the verbose plural name the count also takes.
DJANGO_HEADS_PAGINATION = django.VERSION >= (6,)

# The noun after a number of entries, per model (its ``label_lower``).
COUNTED_NAMES: dict[str, Callable[[int], str]] = {
    "collection.record": lambda n: npgettext("after a number", "record", "records", n),
    "collection.agent": lambda n: npgettext("after a number", "agent", "agents", n),
    "collection.place": lambda n: npgettext("after a number", "place", "places", n),
    "collection.subject": lambda n: npgettext("after a number", "subject", "subjects", n),
    "collection.language": lambda n: npgettext("after a number", "language", "languages", n),
    "collection.recordimage": lambda n: npgettext("after a number", "image", "images", n),
    "collection.reservedidentifier": lambda n: npgettext(
        "after a number", "reserved identifier", "reserved identifiers", n),
}


def counted_name(opts: Any, count: int) -> str:
    """The name of ``count`` entries of the model of ``opts``: Django's two verbose names for a model not listed."""
    name = COUNTED_NAMES.get(opts.label_lower)
    if name is not None:
        return name(count)
    return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


class _CountedOptions:
    """A model's options whose verbose names are the one that agrees with ``count``."""

    def __init__(self, opts: Any, count: int) -> None:
        self._opts, self._count = opts, count

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._opts, attribute)

    @property
    def verbose_name(self) -> str:
        return counted_name(self._opts, self._count)

    @property
    def verbose_name_plural(self) -> str:
        return counted_name(self._opts, self._count)


class CountedChangeList:
    """A changelist, as Django 5.2's pagination template sees it, whose model names agree with its count."""

    def __init__(self, changelist: Any) -> None:
        self._changelist = changelist
        self.opts = _CountedOptions(changelist.opts, changelist.result_count)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._changelist, attribute)
