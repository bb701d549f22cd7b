"""A date cell's text as the sheet shows it, for the columns that hold text as written.

A date typed into a spreadsheet is stored as a number and a format: ``1946年5月1日`` typed into
Japanese Excel, or ``昭和21年5月1日``, is kept as the day's serial number with the format
``yyyy"年"m"月"d"日"`` or ``[$-411]ggge"年"m"月"d"日"``. In a column that holds a date (``date``,
``accessed``) the import reads the day; in one that holds text as written (``date_display``, notes, a
title) it reads what the sheet shows, as a CSV saved from the same sheet holds it.

Only what the file itself says is shown. Where the text depends on the computer that opens the file
(Excel's built-in formats, which follow the system's settings; a ``/``, which is the date separator of
the format's language, in a format that names none; a month's name in a language not given), the cell
reads as the ISO date, which names the same day without guessing at its looks.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from ..dates import japanese_era

_LOCALE = re.compile(r"\$([^-]*)-([0-9A-Fa-f]{1,8})")
# Excel 365 names some languages by tag rather than number: [$-ja-JP], and [$-ja-JP-x-gannen] in the era format
# it offers, which shows an era's first year as 元 (令和元年).
_LOCALE_TAG = re.compile(r"\$-([A-Za-z]{2,3})(?:-[A-Za-z0-9]{2,8})*?(-x-gannen)?", re.IGNORECASE)
_COLOURS = frozenset({"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"})
# Shown as they are without quotes (Excel's list); ``/`` is the date separator, apart.
_LITERALS = frozenset(" $-+():!^&'~{}<>=,.")

_JAPANESE, _ENGLISH = 0x11, 0x09
# The primary language numbers of the tags named in formats; another tag's language is known to none of the
# tables below.
_TAG_LANGUAGES = {"en": _ENGLISH, "ja": _JAPANESE, "ru": 0x19, "uk": 0x22, "be": 0x23}
_UNKNOWN_LANGUAGE = 0x3FF
# The date separator of the languages whose users' sheets this reads, by primary language.
_DATE_SEPARATORS = {_ENGLISH: "/", _JAPANESE: "/", 0x19: ".", 0x22: ".", 0x23: "."}  # en, ja, ru, uk, be
_GREGORIAN_CALENDARS = (0x00, 0x01)
_JAPANESE_ERA_CALENDAR = 0x03
_WESTERN_DIGITS = (0x00, 0x01)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_JAPANESE_WEEKDAYS = "月火水木金土日"
# The letter a format's g shows for each era (gg shows the name's first character, ggg the name).
_ERA_LETTERS = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}

Token = tuple[str, int | str]


def shown_date(code: str) -> Callable[[str], str | None] | None:
    """What shows a date cell's ISO text as the format ``code`` (a workbook's own) shows it; ``None`` if the
    code's text depends on more than the file says, or is not a date format.

    The function returns ``None`` for a day the format cannot show for certain (an era before Meiji 6).
    """
    parsed = _tokens(_first_section(code))
    if parsed is None:
        return None
    tokens, language, calendar, gannen = parsed
    primary = None if language is None else language & 0x3FF
    if not any(kind in "ymdhseg" for kind, _count in tokens):
        return None
    hours_12 = any(kind == "ampm" for kind, _value in tokens)
    resolved: list[Token] = []
    for position, (kind, value) in enumerate(tokens):
        if kind == "m" and isinstance(value, int) and value <= 2 and _is_minute(tokens, position):
            kind = "minute"
        if kind == "separator":
            if primary not in _DATE_SEPARATORS:
                return None
            kind, value = "text", _DATE_SEPARATORS[primary]
        elif (kind in ("e", "g") or calendar == _JAPANESE_ERA_CALENDAR) and primary != _JAPANESE:
            return None
        elif kind == "m" and isinstance(value, int) and value >= 3 and primary != _ENGLISH:
            return None  # a month's name: its language must be given
        elif kind == "d" and isinstance(value, int) and value >= 3 and primary not in (_ENGLISH, _JAPANESE):
            return None  # a weekday's name: so must its
        elif kind == "a" and (value not in (3, 4) or primary not in (None, _JAPANESE)):
            return None
        elif kind == "ampm" and primary != _ENGLISH:
            return None
        resolved.append((kind, value))

    def show(iso: str) -> str | None:
        return _show(resolved, iso, hours_12, primary == _JAPANESE, gannen)

    return show


# How much of an ISO date a date format shows, in characters: a format without the day (yyyy"年"m"月", mmmm yyyy)
# shows a month, one without the month a year; the cell's day (the 1st) was never written.
DAY, MONTH, YEAR = 10, 7, 4
_ELAPSED_TIME = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
# Literal text in a format code (quoted, escaped, a locale or colour in brackets, padding and fill) names no part.
_FORMAT_TEXT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')


def shown_precision(code: str) -> int:
    """How many characters of an ISO date the date format ``code`` shows: a day's 10, a month's 7, a year's 4.

    Told of every date format, also of those :func:`shown_date` cannot show: a cell in a column of dates
    reads as the part of the day its format shows.
    """
    shown = _first_section(code)
    if _ELAPSED_TIME.search(shown):
        return DAY
    parts = _FORMAT_TEXT.sub("", shown).lower()
    if "h" in parts or "s" in parts or "d" in parts:  # a time, or a day (of the month, or of the week)
        return DAY
    if "m" in parts:
        return MONTH
    return YEAR if "y" in parts or "e" in parts else DAY


def _first_section(code: str) -> str:
    """The section of ``code`` that shows positive numbers (a date): what comes before the first ``;`` that is
    not quoted or escaped."""
    quoted = escaped = False
    for position, character in enumerate(code):
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            quoted = not quoted
        elif character == ";" and not quoted:
            return code[:position]
    return code


def _tokens(code: str) -> tuple[list[Token], int | None, int, bool] | None:
    """The parts of a format section, its language, its calendar and whether it shows an era's first year as
    元; ``None`` for a part not known here."""
    tokens: list[Token] = []
    language: int | None = None
    calendar = 0
    gannen = False
    position, length = 0, len(code)
    while position < length:
        character = code[position]
        lower = character.lower()
        if character == '"':
            end = code.find('"', position + 1)
            if end < 0:
                return None
            tokens.append(("text", code[position + 1:end]))
            position = end + 1
        elif character == "\\":
            if position + 1 >= length:
                return None
            tokens.append(("text", code[position + 1]))
            position += 2
        elif character == "_":  # the width of the next character, as a space
            tokens.append(("text", " "))
            position += 2
        elif character == "*":  # a fill, which a cell's text does not hold
            position += 2
        elif character == "[":
            end = code.find("]", position)
            if end < 0:
                return None
            inner = code[position + 1:end]
            locale = _LOCALE.fullmatch(inner)
            tagged = None if locale else _LOCALE_TAG.fullmatch(inner)
            if tagged:
                language = _TAG_LANGUAGES.get(tagged[1].lower(), _UNKNOWN_LANGUAGE)
                gannen = gannen or bool(tagged[2])
            elif locale:
                if locale[1]:  # a currency symbol
                    return None
                tag = int(locale[2], 16)
                language, calendar, digits = tag & 0xFFFF, (tag >> 16) & 0xFF, tag >> 24
                if (calendar not in (*_GREGORIAN_CALENDARS, _JAPANESE_ERA_CALENDAR)
                        or digits not in _WESTERN_DIGITS):
                    return None
            elif inner.lower() not in _COLOURS and not re.fullmatch(r"(?i)color\d{1,2}", inner):
                return None  # elapsed time, a condition, a system format, other digits
            position = end + 1
        elif code[position:position + 5].lower() == "am/pm":
            tokens.append(("ampm", "AM/PM"))
            position += 5
        elif code[position:position + 3].lower() == "a/p":
            tokens.append(("ampm", "A/P"))
            position += 3
        elif lower in "ymdhsega":
            end = position
            while end < length and code[end].lower() == lower:
                end += 1
            tokens.append((lower, end - position))
            position = end
        elif character == "/":
            tokens.append(("separator", "/"))
            position += 1
        elif character in _LITERALS or not character.isascii():
            tokens.append(("text", character))
            position += 1
        else:  # a digit placeholder, a fraction of a second, text (@), a letter of another calendar
            return None
    return tokens, language, calendar, gannen


_BETWEEN = ("text", "separator")


def _is_minute(tokens: list[Token], position: int) -> bool:
    """Whether ``m`` or ``mm`` at ``position`` means minutes: right after hours, or right before seconds."""
    before = next((kind for kind, _value in reversed(tokens[:position]) if kind not in _BETWEEN), None)
    after = next((kind for kind, _value in tokens[position + 1:] if kind not in _BETWEEN), None)
    return before == "h" or after == "s"


def _show(tokens: list[Token], iso: str, hours_12: bool, japanese: bool, gannen: bool = False) -> str | None:
    try:
        if "T" in iso:
            moment = datetime.datetime.fromisoformat(iso)
        else:
            day = datetime.date.fromisoformat(iso)
            moment = datetime.datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    era = None
    parts: list[str] = []
    for kind, value in tokens:
        count = value if isinstance(value, int) else 0
        if kind == "text":
            parts.append(str(value))
        elif kind == "y":
            parts.append(f"{moment.year % 100:02}" if count <= 2 else f"{moment.year:04}")
        elif kind == "m":
            month = moment.month
            parts.append(str(month) if count == 1 else f"{month:02}" if count == 2
                         else _MONTHS[month - 1][:3] if count == 3 else _MONTHS[month - 1] if count == 4
                         else _MONTHS[month - 1][0])
        elif kind == "d" and count <= 2:
            parts.append(str(moment.day) if count == 1 else f"{moment.day:02}")
        elif kind == "d" and japanese or kind == "a":
            parts.append(_JAPANESE_WEEKDAYS[moment.weekday()] + ("曜日" if count >= 4 else ""))
        elif kind == "d":
            weekday = _WEEKDAYS[moment.weekday()]
            parts.append(weekday[:3] if count == 3 else weekday)
        elif kind == "h":
            hour = (moment.hour % 12 or 12) if hours_12 else moment.hour
            parts.append(str(hour) if count == 1 else f"{hour:02}")
        elif kind == "minute":
            parts.append(str(moment.minute) if count == 1 else f"{moment.minute:02}")
        elif kind == "s":
            parts.append(str(moment.second) if count == 1 else f"{moment.second:02}")
        elif kind == "ampm":
            morning = moment.hour < 12
            parts.append(("AM" if morning else "PM") if value == "AM/PM" else ("A" if morning else "P"))
        elif kind in ("e", "g"):
            era = era or japanese_era(moment.date())
            if era is None:
                return None
            name, year = era
            if kind == "g":
                parts.append(_ERA_LETTERS[name] if count == 1 else name[0] if count == 2 else name)
            elif year == 1 and gannen:
                parts.append("元")
            else:
                parts.append(str(year) if count == 1 else f"{year:02}")
    return "".join(parts)
