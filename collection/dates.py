"""Uncertain dates as EDTF (Library of Congress Extended Date/Time Format).

A record's date is an EDTF string, for example ``1945-08-23``, ``1950``, ``1950~``
(approximately), ``1950?`` (uncertain), ``195X`` (some year of the 1950s),
``1946/1956`` (a range) or ``1984/..`` (from 1984, open end). An empty value means
*undated*, which is a facet value of its own. The parsed value gives sortable
start and end dates; a range counts in every decade it overlaps. The public
reads it in words (:func:`edtf_in_words`) where no wording was given.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import unicodedata
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
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


# ASCII digits only: ``\d`` alone would take full-width ones (１９５０), stored then as they were typed.
_SIMPLE_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?", re.ASCII)


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


# Words for "no date" in the catalogue's languages and in library use (n.d., s.d., б. д.), as _undated_key has them.
UNDATED_WORDS = frozenset({
    "unknown", "undated", "nodate", "dateunknown", "nd", "sd", "sinedato", "?", "??",
    "不明", "不詳", "未詳", "年不明", "年月日不明", "日付不明", "年代不明", "なし",
    "неизвестно", "неизвестна", "неизв", "бездаты", "бд", "датанеизвестна", "нетдаты",
})


def _undated_key(value: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", value).casefold()
                   if char.isalnum() or char == "?")


# A full date as office software and people write it: 15.03.1946 (Russian), 1946/3/15, 1946-3-15 and
# 1946年3月15日 (Japanese), 15/3/1946 where the day cannot be a month. Each is the EDTF date year-month-day.
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>\d{4})")
_YEAR_FIRST = re.compile(r"(?P<year>\d{4})(?:[./-]|年)(?P<month>\d{1,2})(?:[./-]|月)(?P<day>\d{1,2})日?")
_JAPANESE_MONTH = re.compile(r"(?P<year>\d{4})年(?:(?P<month>\d{1,2})月)?")

# The Japanese eras: first and last day. An era's first year (元年) is the Western year it began in. Japan took
# the Western calendar on 明治6年1月1日: an earlier date is a lunar one, with no Western date of the same numbers.
_GREGORIAN_SINCE = datetime.date(1873, 1, 1)
_ERAS = {
    "明治": (datetime.date(1868, 1, 1), datetime.date(1912, 7, 30)),
    "大正": (datetime.date(1912, 7, 30), datetime.date(1926, 12, 25)),
    "昭和": (datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    "平成": (datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    "令和": (datetime.date(2019, 5, 1), datetime.date.max),
}
_ERA_DATE = re.compile(r"(?P<era>明治|大正|昭和|平成|令和)(?P<year>元|[0-9]{1,2})年(?:(?P<month>[0-9]{1,2})月"
                       r"(?:(?P<day>[0-9]{1,2})日)?)?(?P<circa>頃|ごろ)?")
# "г.", "гг.", "год" after a Russian year or range: the words go, the years stay.
_RUSSIAN_YEAR_WORD = re.compile(r"\s*(?:г|гг|год|года|годы|годах)\.?$")
_CIRCA = re.compile(r"(?:c|ca|circa|approx|about|около|ок|примерно)\.?\s*(?P<year>[0-9]{4})"
                    r"|(?P<year_before>[0-9]{4})年?\s*(?:頃|ごろ|前後)", re.IGNORECASE)
_RANGE = re.compile(r"(?P<start>[0-9]{4})年?\s*(?:-|–|—|−|~|〜|ー|から)\s*(?P<end>[0-9]{4})年?(?:まで)?")
# Only the words that take the year in: "после" and "до" leave it out, and the year before or after is a guess.
_LATER = re.compile(r"(?P<year>[0-9]{4})年?\s*(?:以降|以後|から)|с\s*(?P<year_after>[0-9]{4})", re.IGNORECASE)
_EARLIER = re.compile(r"(?P<year>[0-9]{4})年?\s*(?:以前|まで)|по\s*(?P<year_after>[0-9]{4})", re.IGNORECASE)
# A tilde typed on a Japanese keyboard after a year means "from" there, "about" in EDTF.
_JAPANESE_FROM = re.compile(r"(?P<year>[0-9０-９]{4})年?\s*[〜～]")
_DECADE = re.compile(r"(?P<decade>[0-9]{3})0\s*(?:s|'s|’s|-е|-х|е|х|年代)", re.IGNORECASE)


def _as_edtf(value: str) -> str | None:
    """The EDTF form of a date written in a common local form, or ``None``."""
    value = unicodedata.normalize("NFKC", value).strip()
    for pattern in (_YEAR_FIRST, _DAY_FIRST, _JAPANESE_MONTH):
        match = pattern.fullmatch(value)
        if match is None:
            continue
        parts = match.groupdict()
        if pattern is _DAY_FIRST and "/" in value and int(parts["day"]) <= 12:
            return None  # 03/04/1946: the day or the month first, the value cannot tell
        return _valid_date(int(parts["year"]), parts.get("month"), parts.get("day"))
    return None


def day_as_iso(value: str) -> str | None:
    """The ISO form (1946-03-15) of a day written in a common local form (15.03.1946, 1946/3/15, 1946年3月15日),
    as a spreadsheet's date cell is saved in a CSV; ``None`` for anything else, or a day or month first that the
    value cannot tell apart."""
    iso = _as_edtf(value)
    return iso if iso is not None and len(iso) == 10 else None


def japanese_era(day: datetime.date) -> tuple[str, int] | None:
    """The Japanese era of ``day`` (昭和) and its year in the era (an era's first year is 1); ``None`` before
    Japan took up the Gregorian calendar, when era dates were not these days."""
    if day < _GREGORIAN_SINCE:
        return None
    name, (began, _ended) = next((name, span) for name, span in reversed(_ERAS.items()) if day >= span[0])
    return name, day.year - began.year + 1


def _valid_date(year: int, month: str | None, day: str | None) -> str | None:
    """``year``, ``month`` and ``day`` as an EDTF date, if there is such a day."""
    try:
        datetime.date(year, int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join([f"{year:04d}", *([f"{int(month):02d}"] if month else []), *([f"{int(day):02d}"] if day else [])])


def _era_as_edtf(match: re.Match[str]) -> str | None:
    """The Western date of a date written in a Japanese era, if the era had such a day, month or year."""
    began, ended = _ERAS[match["era"]]
    year = began.year + (0 if match["year"] == "元" else int(match["year"]) - 1)
    edtf = _valid_date(year, match["month"], match["day"])
    bounds = _fast_bounds(edtf) if edtf else None
    if bounds is None or bounds.start > ended or bounds.end < began or bounds.start < _GREGORIAN_SINCE:
        return None
    return f"{edtf}~" if match["circa"] else edtf


def _no_such_day(value: str) -> ValidationError | None:
    """Why a date of ``value`` written as EDTF writes one (1947-02-30, or an end of a range) is no day of the
    calendar, or ``None``: the parser's refusal would only show the format the date is already in."""
    for part in value.split("/"):
        if not (match := _SIMPLE_DATE.fullmatch(part)) or match[3] is None:
            continue
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if not 1 <= month <= 12:
            return ValidationError(_("“%(value)s” is not a day of the calendar: a month is numbered 01 to 12."),
                                   code="invalid_edtf", params={"value": value})
        last = calendar.monthrange(year, month)[1]
        if day > last:
            return ValidationError(
                _("“%(value)s” is not a day of the calendar: the last day of that month is %(last)s."),
                code="invalid_edtf", params={"value": value, "last": f"{year:04d}-{month:02d}-{last:02d}"})
    return None


def _suggestion(value: str) -> ValidationError | None:
    """What to write for a date in a form people use that EDTF writes otherwise, or ``None``."""
    plain = unicodedata.normalize("NFKC", value).strip()
    if (match := _ERA_DATE.fullmatch(plain)) and (edtf := _era_as_edtf(match)):
        return ValidationError(
            _("“%(value)s” is dated by a Japanese era, and EDTF by the Western calendar: write %(edtf)s. The "
              "wording may go in “date as written”."),
            code="invalid_edtf", params={"value": value, "edtf": edtf})
    if (edtf := _as_edtf(value)) is not None and edtf != value:
        return ValidationError(
            _("“%(value)s” is not written as an EDTF date, which gives the year first: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": edtf})
    if match := _JAPANESE_FROM.fullmatch(value.strip()):
        year = unicodedata.normalize("NFKC", match["year"])
        return ValidationError(
            _("“%(value)s”: in EDTF a tilde after a date means “about”. Write %(later)s for %(year)s and later, "
              "or %(circa)s for about %(year)s."),
            code="invalid_edtf", params={"value": value, "year": year, "later": f"{year}/..", "circa": f"{year}~"})
    # EDTF's unknown digit is a capital X only (195X); a lowercase one, as people type it, is no EDTF date.
    if "x" in plain and (capital := plain.replace("x", "X")).isascii() and _is_stored_as_edtf(capital):
        return ValidationError(
            _("“%(value)s”: EDTF writes an unknown digit as a capital X: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": capital})
    spoken, plain = plain, _RUSSIAN_YEAR_WORD.sub("", plain)
    if (match := _CIRCA.fullmatch(plain)) is not None:
        return ValidationError(
            _("“%(value)s”: EDTF writes “about” as a tilde after the date: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": f"{match['year'] or match['year_before']}~"})
    if (match := _RANGE.fullmatch(plain)) is not None and match["start"] <= match["end"]:
        return ValidationError(
            _("“%(value)s”: EDTF writes a range with a slash between its ends: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": f"{match['start']}/{match['end']}"})
    for pattern, open_range in ((_LATER, "{}/.."), (_EARLIER, "../{}")):
        if (match := pattern.fullmatch(plain)) is not None:
            return ValidationError(
                _("“%(value)s”: EDTF writes a range without one end with two dots for it: write %(edtf)s."),
                code="invalid_edtf",
                params={"value": value, "edtf": open_range.format(match["year"] or match["year_after"])})
    if (match := _DECADE.fullmatch(plain)) is not None:
        return ValidationError(
            _("“%(value)s”: EDTF writes a decade with X for its last digit: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": f"{match['decade']}X"})
    if plain != spoken and plain.isascii() and _is_edtf(plain):
        return ValidationError(
            _("“%(value)s” is not written as an EDTF date: write %(edtf)s."),
            code="invalid_edtf", params={"value": value, "edtf": plain})
    return None


def _is_edtf(value: str) -> bool:
    try:
        _parse_edtf_bounds(value)
    except ValidationError:
        return False
    return True


def _is_stored_as_edtf(value: str) -> bool:
    """Whether the catalogue takes ``value`` as its date as it is written."""
    try:
        check_written_form(value)
        _parse_edtf_bounds(value)
    except ValidationError:
        return False
    return True


def check_written_form(value: str) -> None:
    """Refuse what the EDTF parser would take but the catalogue cannot store faithfully, and tell the EDTF
    form of a date written as people write it (a Japanese era, c. 1950, 1945–1956, 1950-е гг.).

    Asked by the field's validator only (:func:`collection.validators.validate_edtf`):
    a value stored before these were refused still gives its bounds when its record is
    saved again. A word for "unknown" is told that a blank date is how undated is said.
    """
    if value and _undated_key(value) in UNDATED_WORDS:
        raise ValidationError(
            _("“%(value)s” is not a date. Leave the date blank when it is unknown: a blank date means undated. "
              "The wording may go in “date as written”."),
            code="invalid_edtf", params={"value": value},
        )
    if value and (refusal := _no_such_day(value) or _suggestion(value)) is not None:
        raise refusal
    if not value.isascii():
        # Full-width characters as ASCII (１９５０～ -> 1950~), as a Japanese IME types them.
        ascii_form = unicodedata.normalize("NFKC", value).strip()
        if ascii_form != value and ascii_form.isascii():
            raise ValidationError(
                _("“%(value)s” is written with full-width characters: write it as %(ascii)s."),
                code="invalid_edtf", params={"value": value, "ascii": ascii_form},
            )
        raise ValidationError(
            _("“%(value)s” is not a valid EDTF date (for example 1945-08-23, 1950~, 1946/1956, 1984/..)."),
            code="invalid_edtf", params={"value": value},
        )
    first, slash, last = value.partition("/")
    # EDTF reads a blank end as *unknown*; the parser then invents one ten years away (1950/ -> 1960).
    if slash and (first == "") != (last == ""):
        raise ValidationError(
            _("“%(value)s” leaves one end of the range blank, which EDTF reads as unknown: write %(open)s for a "
              "range without that end, or give both ends (for example 1946/1956)."),
            code="invalid_edtf", params={"value": value, "open": f"{first or '..'}/{last or '..'}"},
        )


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


# --- in words ---------------------------------------------------------------------------------------

_PART = re.compile(
    r"(?P<year>\d{4}|\d{3}X|\d{2}XX|\dXXX)(?:-(?P<month>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?(?P<qualifier>[~?%])?",
    re.ASCII,
)
# EDTF level 2 sub-year groupings (33-41) as their months; seasons (21-32) by name.
_GROUP_MONTHS = {33: (1, 3), 34: (4, 6), 35: (7, 9), 36: (10, 12), 37: (1, 4), 38: (5, 8), 39: (9, 12),
                 40: (1, 6), 41: (7, 12)}


# Spring to winter. After "circa" a language may decline what follows (Russian: ок. весны 1946, as ок. августа 1945
# г., ок. 1950-х): those forms have a context of their own.
_SEASONS = {
    False: (pgettext_lazy("EDTF date", "spring %(year)s"), pgettext_lazy("EDTF date", "summer %(year)s"),
            pgettext_lazy("EDTF date", "autumn %(year)s"), pgettext_lazy("EDTF date", "winter %(year)s")),
    True: (pgettext_lazy("EDTF date, after circa", "spring %(year)s"),
           pgettext_lazy("EDTF date, after circa", "summer %(year)s"),
           pgettext_lazy("EDTF date, after circa", "autumn %(year)s"),
           pgettext_lazy("EDTF date, after circa", "winter %(year)s")),
}


def _season(number: int, year: str, after_circa: bool = False) -> str:
    # 21-24: spring to winter; 25-28 the same in the northern hemisphere, 29-32 in the southern one.
    return str(_SEASONS[after_circa][(number - 21) % 4]) % {"year": year}


def _year(year: int) -> str:
    return pgettext("EDTF date", "%(year)s") % {"year": year}


def _range(start: str, end: str) -> str:
    return pgettext("EDTF date", "%(start)s–%(end)s") % {"start": start, "end": end}


def _part_in_words(text: str, abbreviated: bool = False) -> str | None:
    """One EDTF date (no range) in words, or ``None`` for a form not put into words; ``abbreviated``, with circa
    as citations abbreviate it."""
    match = _PART.fullmatch(text)
    if match is None:
        return None
    year, month, day, qualifier = match.group("year", "month", "day", "qualifier")
    after_circa = qualifier in ("~", "%")
    if "X" in year:
        if month is not None:
            return None
        unknown = year.count("X")
        first = int(year.replace("X", "0"))
        if unknown == 1:  # some year of a decade
            decade = pgettext("EDTF date, after circa", "%(decade)ss") if after_circa else gettext("%(decade)ss")
            words = decade % {"decade": first}
        else:
            words = _range(_year(first), _year(first + 10**unknown - 1))
    elif int(year) == 0:
        return None
    elif month is None or month == "XX":
        if day not in (None, "XX"):
            return None
        words = _year(int(year))
    else:
        number = int(month)
        try:
            if day is None or day == "XX":
                if 21 <= number <= 32:
                    words = _season(number, year, after_circa) if day is None else None
                elif number in _GROUP_MONTHS and day is None:
                    first_month, last_month = _GROUP_MONTHS[number]
                    if after_circa:  # not a date the catalogue takes: each month whole, declined after circa
                        words = _range(_year_month(int(year), first_month, after_circa),
                                       _year_month(int(year), last_month, after_circa))
                    else:
                        words = _months_in_words(int(year), first_month, last_month)
                else:
                    words = _year_month(int(year), number, after_circa)
            else:
                words = _full_date(datetime.date(int(year), number, int(day)))
        except ValueError:
            return None
        if words is None:
            return None
    if qualifier == "~":
        if abbreviated:
            return pgettext("EDTF date in a citation", "ca. %(date)s") % {"date": words}
        return pgettext("EDTF date", "circa %(date)s") % {"date": words}
    if qualifier == "?":
        if abbreviated:
            # Apart from the page's: Russian marks it "(?)" there, which APA's parentheses would nest.
            return pgettext("EDTF date in a citation", "%(date)s?") % {"date": words}
        return pgettext("EDTF date", "%(date)s?") % {"date": words}
    if qualifier == "%":
        if abbreviated:
            return pgettext("EDTF date in a citation", "ca. %(date)s?") % {"date": words}
        return pgettext("EDTF date", "circa %(date)s?") % {"date": words}
    return words


# Languages that write a month's name in lower case within a date ("август 1945 г."), where Django's format
# for a month and year gives the name as it stands alone, capitalized.
_LOWER_CASE_MONTHS = {"ru", "uk", "be"}


def _full_date(day: datetime.date) -> str:
    """A day in the language's date format, its month spelled out: English's format abbreviates some months
    as newspapers do ("Aug. 23, 1945" beside "April 12, 1998"), which catalogues and citations do not."""
    return date_format(day, get_format("DATE_FORMAT").replace("N", "F"))


def _year_month(year: int, month: int, after_circa: bool = False) -> str:
    # A language that declines the month after circa gives its own format for it (Russian: "E Y г.", the month's
    # name in the genitive); the name of the format setting is the source text.
    date_format_name = pgettext("EDTF date, after circa", "YEAR_MONTH_FORMAT") if after_circa else "YEAR_MONTH_FORMAT"
    words = date_format(datetime.date(year, month, 1), date_format_name)
    if (get_language() or "").split("-")[0] in _LOWER_CASE_MONTHS:
        return words[:1].lower() + words[1:]
    return words


def _months_in_words(year: int, first: int, last: int) -> str:
    """Months ``first`` to ``last`` of one year, the year written once: August–September 1945, 1945年8月～9月."""
    if first == last:
        return _year_month(year, first)
    # Translators: a date format (Django's letters: F month, E month in the genitive, n month's number, Y year)
    # for the first month of a range of months within one year, as in "August–September 1945".
    start_format = pgettext("EDTF date, first month of a range within a year", "F")
    # Translators: the date format of the last month of that range ("September 1945").
    end_format = pgettext("EDTF date, last month of a range within a year", "F Y")
    ends = [date_format(datetime.date(year, month, 1), month_format)
            for month, month_format in ((first, start_format), (last, end_format))]
    if (get_language() or "").split("-")[0] in _LOWER_CASE_MONTHS:
        ends = [end[:1].lower() + end[1:] for end in ends]
    return pgettext("EDTF date, a range of months within a year", "%(start)s–%(end)s") % {
        "start": ends[0], "end": ends[1]}


_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def _days_in_words(first: str, last: str) -> str | None:
    """Two days of one year as people write such a range: the year once (August 23 – September 2, 1945), and
    the month once too when both days are in it (August 23–30, 1945); one day when both ends are that day.
    ``None`` for any other range: across years each end is a whole date, and an end with a qualifier too, so
    that "circa" or "?" stays with the end it qualifies."""
    if not ((start_match := _DAY.fullmatch(first)) and (end_match := _DAY.fullmatch(last))):
        return None
    try:
        start = datetime.date(*(int(part) for part in start_match.groups()))
        end = datetime.date(*(int(part) for part in end_match.groups()))
    except ValueError:
        return None
    if start.year != end.year or start > end:
        return None
    if start == end:
        return _full_date(start)
    # Each language writes the shared year (and month) at the end it belongs to: English and Russian with the
    # last day (August 23–30, 1945; 23–30 августа 1945 г.), Japanese with the first (1945年8月23日～30日). The
    # translations are Django date formats for each end.
    if start.month == end.month:
        # Translators: a date format (Django's letters: F month, E month in the genitive, n month's number,
        # j day, Y year) for the first day of a range whose two days are in one month, as in "August 23–30, 1945".
        start_format = pgettext("EDTF date, first day of a range within a month", "F j")
        # Translators: the date format of the last day of that range ("30, 1945" in "August 23–30, 1945").
        end_format = pgettext("EDTF date, last day of a range within a month", "j, Y")
        joined = pgettext("EDTF date, a range of days within a month", "%(start)s–%(end)s")
    else:
        # Translators: a date format (as above) for the first day of a range whose two days are in one year
        # and not in one month, as in "August 23 – September 2, 1945".
        start_format = pgettext("EDTF date, first day of a range within a year", "F j")
        # Translators: the date format of the last day of that range ("September 2, 1945").
        end_format = pgettext("EDTF date, last day of a range within a year", "F j, Y")
        joined = pgettext("EDTF date, a range of days within a year", "%(start)s – %(end)s")
    return joined % {"start": date_format(start, start_format), "end": date_format(end, end_format)}


# A date with a time of day and no time zone (EDTF level 0): a time zone would have to be put into words too.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def edtf_in_words(value: str, *, abbreviated: bool = False) -> str:
    """An EDTF date as a reader in the active language would write it.

    ``195X`` is the 1950s, ``1950~`` circa 1950, ``1950?`` 1950 with a question
    mark, ``1946/1956`` a range, ``1984/..`` 1984 onward, ``../1950`` until 1950;
    days and months as the language's date formats have them, seasons by name. A
    form it does not put into words (exponents, a qualifier on one part of a date,
    a set with a range in it) is returned as written. A set is its dates joined:
    ``[1945,1950]`` one of them ("1945 or 1950"), ``{1945,1950}`` all of them. A
    time of day is written as the language writes a date with a time. ``abbreviated`` writes circa as a
    citation does ("ca. 1950" where the page says "circa 1950").
    """
    value = (value or "").strip()
    if len(value) > 2 and (value[0], value[-1]) in (("[", "]"), ("{", "}")) and ".." not in value:
        members = [_part_in_words(member.strip(), abbreviated) for member in value[1:-1].split(",")]
        if len(members) < 2 or not all(members):
            return value
        if value[0] == "[":
            joined = pgettext("EDTF date", "%(dates)s or %(last)s")
        else:
            joined = pgettext("EDTF date", "%(dates)s and %(last)s")
        return joined % {"dates": pgettext("EDTF date, between dates of a set", ", ").join(members[:-1]),
                         "last": members[-1]}
    if _DATE_TIME.fullmatch(value):
        try:
            return date_format(datetime.datetime.fromisoformat(value), "DATETIME_FORMAT")
        except ValueError:
            return value
    if "/" not in value:
        return _part_in_words(value, abbreviated) or value
    first, _sep, last = value.partition("/")
    if (days := _days_in_words(first, last)) is not None:
        return days
    start_month, end_month = _MONTH.fullmatch(first), _MONTH.fullmatch(last)
    if start_month and end_month and start_month[1] == end_month[1] and start_month[2] <= end_month[2]:
        return _months_in_words(int(start_month[1]), int(start_month[2]), int(end_month[2]))
    start = _part_in_words(first, abbreviated) if first not in ("", "..") else None
    end = _part_in_words(last, abbreviated) if last not in ("", "..") else None
    if start and end:
        return _range(start, end)
    if start and last == "..":
        return pgettext("EDTF date", "%(start)s onward") % {"start": start}
    if end and first == "..":
        return pgettext("EDTF date", "until %(end)s") % {"end": end}
    if start and last == "":  # an unknown end, from before blank ends were refused
        return _range(start, "?")
    if end and first == "":
        return _range("?", end)
    return value
