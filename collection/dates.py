"""Uncertain dates as EDTF (Library of Congress Extended Date/Time Format).

A record's date is an EDTF string, for example ``1945-08-23``, ``1950``, ``1950~``
(approximately), ``1950?`` (uncertain), ``195X`` (some year of the 1950s),
``1946/1956`` (a range) or ``1984/..`` (from 1984, open end). An empty value means
*undated*, which is a facet value of its own. The parsed value gives sortable
start and end dates; a range counts in every decade it overlaps.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
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


_SIMPLE_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?")


def _simple_bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    """Bounds of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (optionally ``~``, ``?`` or ``%``), else ``None``."""
    match = _SIMPLE_DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = match.groups()
    year_number = int(year)
    if year_number == 0:
        return None
    if month is None:
        return datetime.date(year_number, 1, 1), datetime.date(year_number, 12, 31)
    month_number = int(month)
    if not 1 <= month_number <= 12:
        return None
    last = calendar.monthrange(year_number, month_number)[1]
    if day is None:
        return datetime.date(year_number, month_number, 1), datetime.date(year_number, month_number, last)
    day_number = int(day)
    if not 1 <= day_number <= last:
        return None
    moment = datetime.date(year_number, month_number, day_number)
    return moment, moment


def _fast_bounds(value: str) -> DateBounds | None:
    """The common forms without the full EDTF grammar (which costs milliseconds per date on imports)."""
    if "/" not in value:
        simple = _simple_bounds(value)
        return DateBounds(*simple) if simple else None
    first, _sep, last = value.partition("/")
    start = _simple_bounds(first) if first != ".." else None
    end = _simple_bounds(last) if last != ".." else None
    if (first != ".." and start is None) or (last != ".." and end is None) or (start is None and end is None):
        return None
    bounds = DateBounds(start[0] if start else None, end[1] if end else None)
    if bounds.start and bounds.end and bounds.start > bounds.end:
        return None  # the full parser gives the error message
    return bounds


def parse_edtf_bounds(value: str) -> DateBounds:
    """Parse an EDTF string into its strict bounds; raise ValidationError if invalid.

    Strict bounds are used rather than fuzzy ones so that ``1950~`` sorts and
    counts in 1950, where the archivist placed it.
    """
    value = (value or "").strip()
    fast = _fast_bounds(value) if value else None
    if fast is not None:
        return fast
    return _parse_edtf_bounds(value)


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
