"""Uncertain dates as EDTF (Library of Congress Extended Date/Time Format).

A record's date is an EDTF string, for example ``1945-08-23``, ``1950``, ``1950~``
(approximately), ``1950?`` (uncertain), ``195X`` (some year of the 1950s),
``1946/1956`` (a range) or ``1984/..`` (from 1984, open end). An empty value means
*undated*, which is a facet value of its own. The parsed value gives sortable
start and end dates; a range counts in every decade it overlaps.
"""

from __future__ import annotations

import datetime
import functools
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DateBounds:
    start: datetime.date | None
    end: datetime.date | None

    @property
    def year_start(self) -> int | None:
        return self.start.year if self.start else None

    @property
    def year_end(self) -> int | None:
        return self.end.year if self.end else None


def _to_date(value: object) -> datetime.date | None:
    try:
        return datetime.date(value.tm_year, value.tm_mon, value.tm_mday)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return None  # open or unknown end: edtf returns +/-inf floats


def parse_edtf_bounds(value: str) -> DateBounds:
    """Parse an EDTF string into its strict bounds; raise ValidationError if invalid.

    Strict bounds are used rather than fuzzy ones so that ``1950~`` sorts and
    counts in 1950, where the archivist placed it.
    """
    return _parse_edtf_bounds((value or "").strip())


# Parsing takes milliseconds (pyparsing) and imports repeat the same few dates thousands of times.
@functools.lru_cache(maxsize=4096)
def _parse_edtf_bounds(value: str) -> DateBounds:
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    value = (value or "").strip()
    if not value:
        return DateBounds(None, None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = parse_edtf(value)
            start, end = _to_date(parsed.lower_strict()), _to_date(parsed.upper_strict())
    except (EDTFParseException, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid EDTF date (for example 1945-08-23, 1950~, 1946/1956, 1984/..)."),
            code="invalid_edtf",
            params={"value": value},
        ) from exc
    if start is None and end is None:
        raise ValidationError(
            _("“%(value)s” has no known bound."), code="invalid_edtf", params={"value": value}
        )
    if start and end and start > end:
        raise ValidationError(
            _("“%(value)s” ends before it starts."), code="invalid_edtf", params={"value": value}
        )
    return DateBounds(start, end)


def decades_between(year_start: int | None, year_end: int | None, *, today: datetime.date | None = None
                    ) -> list[int]:
    """Every decade (1940, 1950, ...) that a year range overlaps; open ends run to today."""
    if year_start is None and year_end is None:
        return []
    this_year = (today or datetime.date.today()).year
    first = year_start if year_start is not None else year_end
    last = year_end if year_end is not None else max(this_year, first)
    return list(range(first - first % 10, last - last % 10 + 1, 10))
