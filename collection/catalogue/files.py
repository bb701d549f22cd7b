"""Catalogue spreadsheets as uploaded: bytes in, ``(row number, {column: text})`` out.

Reads CSV in the encodings office software writes (UTF-8 with or without a BOM,
UTF-16 with a BOM, Windows' Shift_JIS ``cp932``, Windows-1251) and XLSX. Nothing
is guessed: without a named encoding only what can be told for certain is
accepted (a byte-order mark, or bytes that are valid UTF-8); anything else is an
error that says so and suggests naming the encoding: with the import command's
``--encoding``, or with the upload form's field inside :func:`encoding_named_in`.
Files that are plainly not text are refused as such rather than as text in an
unknown encoding: an old Excel workbook or other OLE2 compound file, a PDF, and
a file whose first KB holds NUL bytes among other control bytes or bytes its
encoding cannot read, unless it is UTF-16 or UTF-32 (a few stray NULs in a text
file are left to the cell checks, which name their row and column). Limits from
``collection.conf`` are checked before any parser sees the bytes, so an
oversized upload, a zip bomb or an XML entity trick is refused unread.

A CSV file is read with commas between its cells, as the catalogue writes it,
unless its header line says otherwise: Excel's "Unicode text" is separated by
tabs and Russian-locale Excel separates CSV cells with ``;``. When the header
line, split on commas, is a single cell, and split on tabs (else on ``;``) it is
several cells, ``identifier`` among them, the file is read with that delimiter
(a column of the user's own is then reported as unknown, by its name);
otherwise with commas.
A first line ``sep=;`` (or ``sep=,``, ``sep=|``, ``sep=`` and a tab), which Excel
writes and honours, names the delimiter instead; like Excel, which hides it, the
file is read as if it were not there, so the column names are row 1 and the rows
are numbered as Excel shows them. Another separator there is refused, naming line 1.
Quoting works the same with every delimiter.

Every problem names the row and column where a spreadsheet user would look.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..conf import app_settings

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)

# Names people give Windows' Japanese encoding; Python's plain shift_jis codec
# lacks the NEC and IBM extensions (①, 髙) that Windows writes, cp932 has them.
ENCODING_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "s_jis": "cp932", "windows-31j": "cp932",
    "ms932": "cp932", "windows-1251": "cp1251", "win-1251": "cp1251", "utf8": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ZIP_MAGIC = b"PK\x03\x04"
# Old Excel (.xls) and the other Office 97-2003 documents are OLE2 compound files.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"
# LibreOffice's own format: a zip archive whose first member, stored uncompressed, is its media type (.ods),
# or the same document as one XML file (.fods) naming it.
_ODS_TYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# C0 control bytes that text files hold only by mistake (all but TAB, LF and CR).
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in b"\t\n\r")
# More of them than this in the first KB next to a NUL, and the file is binary data.
_STRAY_CONTROLS = 3

CSV_DELIMITERS = (",", "\t", ";")
# The separators a first line ``sep=X`` may name: those office software writes CSV files with.
SEPARATOR_LINE_DELIMITERS = (",", ";", "\t", "|")
_SEPARATOR_LINE = "sep="
# The header line is looked for in this many characters at most: a longer one names no catalogue columns.
_HEADER_LINE_CHARS = 65536

# The label of the upload form's encoding field while a form's upload is read; empty for the import command.
_encoding_field: ContextVar[str] = ContextVar("encoding_field", default="")
_sheet_field: ContextVar[str] = ContextVar("sheet_field", default="")


@dataclass(frozen=True)
class CellProblem:
    """A problem at a place in the file; ``row``/``column`` are 0/"" when the whole file is meant."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message,
            }
        if self.row:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class FileRefused(Exception):
    """The file cannot be read as a catalogue sheet; nothing was written."""

    def __init__(self, problems: list[CellProblem] | str) -> None:
        if isinstance(problems, str):
            problems = [CellProblem(0, "", problems)]
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Table:
    """A sheet read into memory: its header and its non-empty rows as tuples of text."""

    header: list[str]
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    format: str = CSV
    encoding: str = ""
    sheet: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(row number, {column: text})`` for each row, the header being row 1 (the writer's input)."""
        header = self.header
        for number, cells in self.rows:
            yield number, dict(zip(header, cells, strict=False))


def detect_format(name: str, head: bytes) -> str:
    """``xlsx`` for a zip archive or a ``.xlsx`` name, else ``csv``."""
    if head.startswith(_ZIP_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return XLSX
    return CSV


def read_table(
    source: bytes | IO[bytes],
    *,
    name: str = "",
    file_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read an uploaded CSV or XLSX file; raise :class:`FileRefused` with every problem found.

    ``source`` is the file's bytes or a binary file object; ``name`` is only used to
    tell the format when ``file_format`` is not given.
    """
    data = _read_capped(source)
    _refuse_known_binary(data)
    file_format = (file_format or detect_format(name, data[:4])).lower()
    if file_format == XLSX:
        if encoding:
            raise FileRefused(_("An XLSX file has no text encoding to name; leave out the encoding."))
        return read_xlsx(data, sheet=sheet)
    if file_format != CSV:
        raise FileRefused(_("“%(format)s” is not a spreadsheet format this catalogue reads (CSV or XLSX).")
                          % {"format": file_format})
    if sheet:
        raise FileRefused(_("A CSV file has a single sheet; leave out the sheet name."))
    return read_csv(data, encoding=encoding)


def _read_capped(source: bytes | IO[bytes]) -> bytes:
    limit = app_settings.IMPORT_MAX_BYTES
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = source.read(limit + 1)
    check_size(len(data))
    return data


def check_size(size: int) -> None:
    """Raise :class:`FileRefused` if a file of ``size`` bytes is larger than ``IMPORT_MAX_BYTES``."""
    limit = app_settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(_("The file is larger than the %(limit)s allowed; split it into smaller files.")
                          % {"limit": format_size(limit)})


def format_size(count: int) -> str:
    """A size as the limits are documented: decimal megabytes (50 MB is 50,000,000 bytes), else bytes."""
    return f"{count / 1_000_000:g} MB" if count >= 1_000_000 else f"{count:,} bytes"


def _refuse_known_binary(data: bytes) -> None:
    if data.startswith(_OLE2_MAGIC):
        raise FileRefused(_("The file is an old Excel workbook (.xls) or another Office 97–2003 document, "
                            "which this catalogue does not read. Save it in Excel as an Excel workbook (.xlsx) "
                            "or as CSV UTF-8, and use that file."))
    if data.startswith(_PDF_MAGIC):
        raise _not_text()
    head = data[:8192]
    if (head.startswith(_ZIP_MAGIC) and b"mimetype" + _ODS_TYPE in head) or (
            head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"<?xml") and b'mimetype="' + _ODS_TYPE in head):
        raise FileRefused(_("The file is an OpenDocument spreadsheet (.ods or .fods), LibreOffice's own format, "
                            "which this catalogue does not read. In LibreOffice, save it with File ▸ Save As… as "
                            "Excel 2007-365 (.xlsx), or as Text CSV (.csv) with the character set Unicode "
                            "(UTF-8), and use that file."))


def _not_text() -> FileRefused:
    return FileRefused(_("The file is neither a CSV file nor an XLSX workbook: it holds binary data, as a PDF, "
                         "an image or a word processor document does. Save the catalogue sheet as an Excel "
                         "workbook (.xlsx) or as CSV UTF-8, and use that file."))


def _is_binary(head: bytes, codec: str) -> bool:
    """Whether the first KB of a file that is not UTF-16 or UTF-32 is binary data rather than text."""
    if b"\x00" not in head:
        return False
    if sum(head.count(byte) for byte in _CONTROL_BYTES) > _STRAY_CONTROLS:
        return True
    try:
        codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeDecodeError:
        return True
    return False


def _looks_like_utf16(head: bytes) -> bool:
    """NUL bytes at every other position: the high bytes of Latin characters in UTF-16 (the header's names)."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    many, few = max(even, odd), min(even, odd)
    return many >= 8 and few * 4 <= many


@contextmanager
def _advice_pointing_to(field: ContextVar[str], field_label: str) -> Iterator[None]:
    token = field.set(str(field_label))
    try:
        yield
    finally:
        field.reset(token)


def encoding_named_in(field_label: str) -> AbstractContextManager[None]:
    """Within this block, advice to name a CSV file's encoding points to the upload form's field labelled
    ``field_label`` instead of the import command's ``--encoding``."""
    return _advice_pointing_to(_encoding_field, field_label)


def sheet_named_in(field_label: str) -> AbstractContextManager[None]:
    """Within this block, advice to name an XLSX file's sheet points to the upload form's field labelled
    ``field_label`` instead of the import command's ``--sheet``."""
    return _advice_pointing_to(_sheet_field, field_label)


def sheet_field() -> str:
    """The label of the upload form's sheet field, where advice should point to it; ``""`` for the command."""
    return _sheet_field.get()


# --- CSV -----------------------------------------------------------------------------------------------


def normalize_encoding(name: str) -> str:
    """The codec an encoding name means here; raise :class:`FileRefused` for an unknown one."""
    key = name.strip().lower()
    key = ENCODING_ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError as exc:
        raise FileRefused(_("“%(name)s” is not an encoding name this catalogue knows (for example utf-8, "
                            "cp932, cp1251, utf-16).") % {"name": name}) from exc


def _family(codec: str) -> str:
    """``utf-8`` for utf-8 and utf-8-sig, ``utf-16`` for utf-16, utf-16-le and utf-16-be; else the codec."""
    name = codecs.lookup(codec).name.replace("_", "-")
    return "-".join(name.split("-")[:2]) if name.startswith("utf-") else name


def decode_csv(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes to text; return ``(text, codec used)``.

    Without ``encoding`` only a byte-order mark or valid UTF-8 is accepted. Binary
    data is refused as not a CSV file (see the module docstring).
    """
    _refuse_known_binary(data)
    field_label = _encoding_field.get()
    bom_codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), "")
    if encoding:
        codec = normalize_encoding(encoding)
        if bom_codec and _family(bom_codec) != _family(codec):
            raise FileRefused(_("The file starts with a byte-order mark of %(bom)s, not %(named)s: leave out "
                                "the encoding or name the right one.") % {"bom": bom_codec, "named": encoding})
        if bom_codec:
            codec = bom_codec
    else:
        codec = bom_codec or "utf-8"
        if not bom_codec and _looks_like_utf16(data[:2000]):
            if field_label:
                raise FileRefused(_("The file looks like UTF-16 without a byte-order mark. Choose UTF-16 "
                                    "little-endian under “%(field)s”, or save the file as UTF-8.")
                                  % {"field": field_label})
            raise FileRefused(_("The file looks like UTF-16 without a byte-order mark. Name the encoding with "
                                "--encoding utf-16-le (or utf-16-be), or save it as UTF-8."))
    if _family(codec) not in ("utf-16", "utf-32") and _is_binary(data[:1024], codec):
        raise _not_text()
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        # Counted in the text read so far: in UTF-16 a byte 0x0a is also half of other characters (上 is 0a 4e).
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        if line > 1 and _separator_line_bytes(data):
            # Numbered as the rows Excel shows, which hides the line: Japanese and Russian say line and row
            # with one word (行, строка), and the file's problems name rows.
            line -= 1
        if bom_codec:
            message = _("The file starts with the byte-order mark of %(codec)s but is not valid %(codec)s: byte "
                        "0x%(byte)02x on line %(line)s cannot be read. The file may be damaged: save it again "
                        "from the program that made it, as UTF-8 if it can.")
        elif encoding and field_label:
            message = _("The file is not valid %(codec)s: byte 0x%(byte)02x on line %(line)s cannot be read. "
                        "Choose the encoding it was saved in under “%(field)s” (for example Japanese Windows "
                        "or Russian Windows).")
        elif encoding:
            message = _("The file is not valid %(codec)s: byte 0x%(byte)02x on line %(line)s cannot be read. "
                        "Name the encoding it was saved in with --encoding (for example cp932 for Japanese "
                        "Windows, cp1251 for Russian Windows).")
        elif field_label:
            message = _("The file is not valid UTF-8 (byte 0x%(byte)02x on line %(line)s) and has no byte-order "
                        "mark, so its encoding cannot be told for certain. Choose the encoding it was saved in "
                        "under “%(field)s” (for example Japanese Windows or Russian Windows), or save it as "
                        "UTF-8.")
        else:
            message = _("The file is not valid UTF-8 (byte 0x%(byte)02x on line %(line)s) and has no byte-order "
                        "mark, so its encoding cannot be told for certain. Name it with --encoding (for example "
                        "cp932 for Japanese Windows, cp1251 for Russian Windows), or save it as UTF-8.")
        raise FileRefused(message % {"codec": codec, "byte": data[exc.start], "line": line,
                                     "field": field_label}) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, codec


def _separator_line_bytes(data: bytes) -> bool:
    """Whether the bytes of a CSV file in an encoding that writes ASCII as itself start with a ``sep=`` line."""
    return data.removeprefix(codecs.BOM_UTF8)[: len(_SEPARATOR_LINE)].lower() == _SEPARATOR_LINE.encode()


def is_legacy_encoding(codec: str) -> bool:
    """Whether a CSV file read with ``codec`` was saved in a code page (cp932, cp1251…) rather than Unicode."""
    return bool(codec) and _family(codec) not in ("utf-8", "utf-16", "utf-32")


def lost_in_encoding(old: str, new: str, codec: str) -> str:
    """The characters of ``old`` that ``codec`` cannot hold, where ``new`` is ``old`` with each of them put
    as another character (``?``, or a look-alike such as ― for —) or, for a combining mark (the tie of
    ALA-LC's i͡a), left out, as office software saving in that code page does; ``""`` where ``new`` differs
    otherwise.

    Line ends are compared as line breaks: a program saving the file may write them either way.
    """
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    if old == new:
        return ""
    lost: dict[str, None] = {}
    if len(old) != len(new):
        kept = []
        for char in old:
            if unicodedata.combining(char) and not _holds(codec, char):
                lost[char] = None
            else:
                kept.append(char)
        old = "".join(kept)
        if not lost or len(old) != len(new):
            return ""
    for was, now in zip(old, new, strict=True):
        if was == now:
            continue
        if _holds(codec, was):
            return ""
        lost[was] = None
    return "".join(lost)


def _holds(codec: str, char: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# The characters of a code page's losses an error names, at most: enough to recognise them.
_LOST_SHOWN = 8
# A value of a multi-valued cell that gives its text with a language tag: ``ja:…``.
_TAGGED = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*:")


def _question_marks_only(text: str) -> bool:
    """Whether ``text`` is nothing but ``?`` where characters were: two or more of them, and no letter or digit
    among spaces and punctuation. A ``?`` next to letters may be the text's own; a cell with no letter left is
    not a text anyone writes."""
    return text.count("?") > 1 and not any(char.isalnum() for char in text)


def _untagged(value: str) -> str:
    tag = _TAGGED.match(value)
    return value[tag.end():] if tag else value


def encoding_loss(old: str | tuple[str, ...], new: str | tuple[str, ...], codec: str) -> str:
    """Why the cell ``new`` of a CSV file read with ``codec`` cannot be the text it was saved from, ``old``
    being the stored cell (blank for a new entry): ``""`` where it can, or ``codec`` is not a code page.

    Office software saving in a code page puts ``?`` or a look-alike for each character the code page lacks.
    A stored text that comes back so (see :func:`lost_in_encoding`) is told by the characters lost; a new text
    only where nothing of it is left but ``?`` (a title of ``???`` where Japanese was).
    """
    if old == new or not is_legacy_encoding(codec):
        return ""
    olds = old if isinstance(old, tuple) else (old,)
    news = new if isinstance(new, tuple) else (new,)
    added = [value for value in news if value not in olds]
    removed = [value for value in olds if value not in news]
    lost: dict[str, None] = {}
    for value in added:
        # The values of a multi-valued cell are sorted: a damaged one may have moved.
        for was in removed:
            if found := lost_in_encoding(was, value, codec):
                lost.update(dict.fromkeys(found))
                removed.remove(was)
                break
    if lost:
        return _("The file is saved in %(encoding)s, which cannot hold %(characters)s of the stored text: the "
                 "program that saved it put other characters (such as ?) in their place. Save the sheet as CSV "
                 "UTF-8 or as an Excel workbook (.xlsx), and import that file.") % {
            "encoding": codec,
            "characters": ", ".join(f"“{char}”" for char in list(lost)[:_LOST_SHOWN])
            + ("…" if len(lost) > _LOST_SHOWN else "")}
    if any(_question_marks_only(_untagged(value) if isinstance(new, tuple) else value) for value in added):
        return _("The file is saved in %(encoding)s, which cannot hold the text of this cell: the program that "
                 "saved it put ? in place of its characters. Save the sheet as CSV UTF-8 or as an Excel workbook "
                 "(.xlsx), and import that file.") % {"encoding": codec}
    return ""


def encoding_losses(current: Mapping[str, Any], desired: Mapping[str, Any], columns: Iterable[str],
                    codec: str) -> list[tuple[str, str]]:
    """The ``(column, problem)`` of each of ``columns`` whose desired text the file's code page could not hold
    (:func:`encoding_loss`), in the order of ``columns``; none for a file in Unicode."""
    if not is_legacy_encoding(codec):
        return []
    problems = ((column, encoding_loss(current.get(column, ""), desired.get(column, ""), codec))
                for column in columns)
    return [(column, problem) for column, problem in problems if problem]


# Kana (half-width katakana and its punctuation among them) and kanji: the letters of Japanese text.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff61-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005"
                       r"\U00020000-\U0003134f]")
# What Windows-1251 text read as cp932 turns into: those, and the private-use characters of cp932's user-defined
# area, which its lower-case letters р–щ start.
_FROM_CP932 = re.compile(_JAPANESE.pattern[:-1] + r"\ue000-\uf8ff]")
# Columns of text in a language (title_ja, description_ru, name_ja-Hrkt) and the tag after their prefix.
_TEXT_COLUMN = re.compile(r"(?:title|description|name)_(?P<tag>.+)")
# Columns whose values each give their language: ``ja:text``.
_TAGGED_COLUMNS = frozenset({"other_titles", "other_descriptions", "other_names", "variant_titles",
                             "variant_names"})


def _script_of(tag: str) -> str:
    """``ja`` for a tag of Japanese in its own script (``ja``, ``ja-Jpan``, the ``ja-Hrkt`` reading), ``ru`` for
    Russian in Cyrillic (``ru``, ``ru-Cyrl``), ``""`` for any other: a romanization, or another language."""
    from ..text import base_language, script_subtag

    base, script = base_language(tag), script_subtag(tag)
    if base == "ja" and script in ("", "Jpan", "Hani", "Hrkt", "Hira", "Kana"):
        return "ja"
    if base == "ru" and script in ("", "Cyrl"):
        return "ru"
    return ""


def _misread(text: str, script: str) -> bool:
    """Whether ``text``, in a column of ``script``, is what the other code page makes of that script's text:
    Cyrillic and no kana or kanji for Japanese (cp932 read as cp1251), kana, kanji or cp932's private-use
    characters and no Cyrillic for Russian (cp1251 read as cp932). A text that mixes the scripts is a real one."""
    from ..text import CYRILLIC

    if script == "ja":
        return bool(CYRILLIC.search(text)) and not _JAPANESE.search(text)
    return bool(_FROM_CP932.search(text)) and not CYRILLIC.search(text)


def misread_texts(desired: Mapping[str, Any], columns: Iterable[str], codec: str) -> list[tuple[str, str]]:
    """The ``(column, problem)`` of each of ``columns`` whose text, in Japanese or Russian, is in the other
    script only, as where a file saved in one code page (cp932, cp1251) is read as the other: every byte is
    valid in both, so only the text tells. None for a file in Unicode, which holds every script as it is."""
    if not is_legacy_encoding(codec):
        return []
    problems: list[tuple[str, str]] = []
    for column in columns:
        value = desired.get(column)
        if not value:
            continue
        if column in _TAGGED_COLUMNS:
            texts = [(tag, text) for tag, _colon, text in (item.partition(":") for item in value)]
        elif match := _TEXT_COLUMN.fullmatch(column):
            texts = [(match["tag"], str(value))]
        else:
            continue
        for tag, text in texts:
            script = _script_of(tag)
            if script and _misread(text, script):
                problems.append((column, _misread_message(script, codec)))
                break
    return problems


def encoding_problems(current: Mapping[str, Any], desired: Mapping[str, Any], columns: Iterable[str],
                      codec: str) -> list[tuple[str, str]]:
    """The ``(column, problem)`` of each of ``columns`` whose desired text the file's code page could not hold
    (:func:`encoding_losses`), then of each other changed one whose text is what the other code page makes of it
    (:func:`misread_texts`): a row's whole check of its code page. None for a file in Unicode."""
    if not is_legacy_encoding(codec):
        return []
    columns = list(columns)
    problems = encoding_losses(current, desired, columns, codec)
    lost = {column for column, _problem in problems}
    changed = [column for column in columns if column not in lost and desired.get(column) != current.get(column)]
    return problems + misread_texts(desired, changed, codec)


def _misread_message(script: str, codec: str) -> str:
    if script == "ja":
        problem = _("The text has Cyrillic letters and no Japanese ones (kana or kanji), in a column of Japanese "
                    "text: the file was read as %(encoding)s, and may have been saved in another encoding.")
    else:
        problem = _("The text has Japanese characters (kana or kanji) and no Cyrillic letters, in a column of "
                    "Russian text: the file was read as %(encoding)s, and may have been saved in another encoding.")
    field_label = _encoding_field.get()
    if field_label:
        advice = _("Choose the encoding it was saved in under “%(field)s” (for example Japanese Windows or Russian "
                   "Windows).") % {"field": field_label}
    else:
        advice = _("Name the encoding it was saved in with --encoding (for example cp932 for Japanese Windows, "
                   "cp1251 for Russian Windows).")
    return pgettext("one sentence after another", "%(first)s %(second)s") % {
        "first": problem % {"encoding": codec}, "second": advice}


def read_csv(data: bytes, *, encoding: str | None = None) -> Table:
    """Read CSV bytes; the first row is the header."""
    text, codec = decode_csv(data, encoding)
    limit = app_settings.IMPORT_MAX_CELL_CHARS
    # The reader may read any cell the text holds (it is in memory already); the limit is checked per cell
    # below, so that the problem can name its column.
    with csv_cells_up_to(max(limit, len(text) + 1)):
        return _named_cells_only(_parse_csv(text, codec, limit))


def _named_cells_only(table: Table) -> Table:
    """``table``, refused if a cell holds text under a blank header cell.

    Excel saves every column of a sheet's used range, so a note typed beside the
    catalogue comes with a column of no name: its cells would otherwise be read as
    one column named "" (the last of several such), and reported without a letter.
    """
    blanks = [index for index, name in enumerate(table.header) if not name]
    if not blanks:
        return table
    problems = [
        CellProblem(number, column_letter(index + 1), _(
            "this cell is in a column with no name in the header row; name the column, or empty its cells."))
        for number, cells in table.rows for index in blanks if index < len(cells) and cells[index].strip()
    ]
    if problems:
        raise FileRefused(problems)
    return table


@contextmanager
def csv_cells_up_to(length: int) -> Iterator[None]:
    """Let the csv module read cells of up to ``length`` characters (its default stops at 131,072)."""
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, length))
    try:
        yield
    finally:
        csv.field_size_limit(previous_limit)


def _parse_csv(text: str, codec: str, limit: int) -> Table:
    from .format import unquoted

    delimiter, text = csv_layout(text)
    # The lines of the record being read, kept so that a record the reader refuses can be told cell by cell.
    record_lines: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            record_lines.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    max_rows = app_settings.IMPORT_MAX_ROWS
    problems: list[CellProblem] = []
    header: list[str] | None = None
    table = Table(header=[], format=CSV, encoding=codec)
    number = 0
    names_below = 0  # the row holding the column names, when the first row does not
    try:
        for cells in reader:
            record_lines.clear()
            number += 1
            if header is None:
                header = [cell.strip() for cell in cells]
                problems.extend(_check_header(header))
                table.header = header
                continue
            if not names_below and names_row_below(header, number, cells):
                names_below = number
            if not "".join(cells).strip():
                continue  # blank lines and ",,,," rows that spreadsheets leave at the end
            if len(table.rows) >= max_rows:
                raise FileRefused(_("The file has more than %(limit)s rows; split it into smaller files.")
                                  % {"limit": f"{max_rows:,}"})
            for index, cell in enumerate(cells[: len(header)] if max(map(len, cells)) > limit else ()):
                if len(cell) > limit:
                    problems.append(CellProblem(number, header[index] or column_letter(index + 1), _(
                        "the cell has %(length)s characters; at most %(limit)s are accepted."
                    ) % {"length": f"{len(cell):,}", "limit": f"{limit:,}"}))
                    cells[index] = ""  # reported: not kept in memory with the rows
            if len(cells) > len(header):
                extra = cells[len(header):]
                if any(cell.strip() for cell in extra):
                    problems.append(CellProblem(number, column_letter(len(header) + 1), _(
                        "this row has %(count)s cells but the header has %(header)s columns."
                    ) % {"count": len(cells), "header": len(header)}))
                cells = cells[: len(header)]
            table.rows.append((number, tuple(unquoted(cells))))
    except csv.Error:
        index, message = quoting_problem("".join(record_lines), delimiter)
        column = ""
        if index is not None:
            named = header[index] if header is not None and index < len(header) else ""
            column = named or column_letter(index + 1)
        problems.append(CellProblem(number + 1, column, message))
    if header is None:
        raise FileRefused(_("The file is empty: the first row must name the columns."))
    if names_below:
        raise FileRefused([names_below_problem(names_below)])
    if problems:
        raise FileRefused(problems)
    return table


# How far below the first row the column names are looked for, when the first row is not them.
_NAMES_BELOW_ROWS = 10


def names_row_below(header: Sequence[str], number: int, cells: Iterable[str]) -> bool:
    """Whether row ``number``, with ``cells``, looks like the column names under a first row that is not them
    (a title typed above the catalogue): it names ``identifier``, near the top, and the first row does not."""
    return (number <= _NAMES_BELOW_ROWS and "identifier" not in header
            and any(cell.strip() == "identifier" for cell in cells if cell))


def names_below_problem(number: int) -> CellProblem:
    return CellProblem(number, "", _(
        "this row names the columns (it holds “identifier”), but the first row must: the rows above it are "
        "read as the column names. Delete the rows above it, so that the column names are the first row."))


def quoting_problem(record: str, delimiter: str) -> tuple[int | None, str]:
    """Where and why a CSV record's quotes cannot be read: ``(index of the cell, message)``.

    ``record`` is the text of the record the reader refused, from its start to where it
    stopped. The reader's own message is English and names no cell; this one names the
    cell whose quotes are wrong, as a spreadsheet user finds it.
    """
    index, position, end = 0, 0, len(record)
    quoted = False
    while position < end:
        char = record[position]
        position += 1
        if char == delimiter:
            index += 1
            continue
        if char != '"' or record[position - 2: position - 1] not in ("", delimiter):
            continue  # unquoted text, in which a quote is taken as it is
        # A quoted cell: up to its closing quote, a doubled quote being one inside it.
        while True:
            closing = record.find('"', position)
            if closing < 0:
                quoted = True
                position = end
                break
            position = closing + 1
            if record[position: position + 1] != '"':
                break
            position += 1
        if not quoted and position < end and record[position] not in (delimiter, "\r", "\n"):
            return index, _("the cell has text after its closing quote (\"). A quote inside a cell is written "
                            "twice (\"\") and the cell put in quotes; or save the file again from the "
                            "spreadsheet program.")
    if quoted:
        return index, _("the cell opens a quote (\") that is never closed, so the rest of the file would be "
                        "read into it. A quote inside a cell is written twice (\"\") and the cell put in "
                        "quotes; or save the file again from the spreadsheet program.")
    return None, _("the row cannot be read as CSV.")


def separator_line(text: str) -> tuple[str, str]:
    """The delimiter a first line ``sep=X`` names and the text after that line; ``("", text)`` without one.

    Excel names a CSV file's separator so, and hides the line: the rows below are read
    and numbered as if it were not there. Raise :class:`FileRefused` for a separator
    a CSV file is not written with.
    """
    if text[: len(_SEPARATOR_LINE)].lower() != _SEPARATOR_LINE:
        return "", text
    line, _newline, rest = text.partition("\n")
    # Only spaces are trimmed from its end: a tab after "sep=" is the separator it names.
    named = line.removesuffix("\r")[len(_SEPARATOR_LINE):].rstrip(" ")
    if named in SEPARATOR_LINE_DELIMITERS:
        return named, rest
    if named:
        problem = _("Line 1 of the file, “%(line)s”, names “%(separator)s” as the separator between cells, which "
                    "this catalogue does not read.") % {"line": line.strip(), "separator": named}
    else:
        problem = _("Line 1 of the file, “%(line)s”, names no separator between cells.") % {"line": line.strip()}
    advice = _("Write sep=; for cells separated by semicolons, sep=, for commas, sep=| for vertical bars, or "
               "sep= and a tab for tabs; or delete the line.")
    raise FileRefused(pgettext("one sentence after another", "%(first)s %(second)s") % {
        "first": problem, "second": advice})


def csv_layout(text: str) -> tuple[str, str]:
    """The delimiter between the cells of a catalogue CSV text and its rows' text: the delimiter a first line
    ``sep=X`` names (:func:`separator_line`), the rows then starting below it; else the one its header line
    shows (:func:`csv_delimiter`)."""
    named, rows = separator_line(text)
    return named or csv_delimiter(rows), rows


def csv_delimiter(text: str) -> str:
    """The delimiter between the cells of a catalogue CSV text, told from its header line (module docstring)."""
    line = text[:_HEADER_LINE_CHARS].split("\n", 1)[0].rstrip("\r")
    if len(_header_cells(line, ",")) > 1:
        return ","
    for delimiter in CSV_DELIMITERS[1:]:
        cells = _header_cells(line, delimiter)
        # Not all the names need be the catalogue's: a column of notes added in Excel is then reported
        # by its name, rather than the whole header as one unknown column and no identifier.
        if len(cells) > 1 and "identifier" in cells:
            return delimiter
    return ","


def _header_cells(line: str, delimiter: str) -> list[str]:
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error:
        return []


def _check_header(header: list[str]) -> list[CellProblem]:
    problems: list[CellProblem] = []
    if len(header) > app_settings.IMPORT_MAX_COLUMNS:
        problems.append(CellProblem(1, "", _("the file has more than %(limit)s columns.")
                                    % {"limit": app_settings.IMPORT_MAX_COLUMNS}))
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            problems.append(CellProblem(1, column_letter(index), _("the column “%(name)s” appears twice.")
                                        % {"name": name}))
        seen.add(name)
    return problems


# --- column letters ------------------------------------------------------------------------------------

# Three letters name every column a spreadsheet has (Excel's last is XFD).
_MAX_COLUMN_LETTERS = 3


def column_letter(number: int) -> str:
    """The letters a spreadsheet names column ``number`` with: 1 is ``A``, 28 is ``AB``."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """The number of the column a spreadsheet names ``letters``: ``AB`` is 28; ValueError if they name none."""
    if not (letters.isascii() and letters.isalpha() and letters.isupper() and len(letters) <= _MAX_COLUMN_LETTERS):
        raise ValueError(f"{letters!r} names no column")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


# --- XLSX ----------------------------------------------------------------------------------------------


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open an XLSX archive after checking its declared sizes against the caps (zip bombs).

    Python's zipfile never inflates a member past its declared size, so checking
    the declared sizes bounds what parsing can take.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("The file is not a readable XLSX workbook (it is not a valid zip archive).")) from exc
    if len(members) > app_settings.IMPORT_MAX_XLSX_MEMBERS:
        raise FileRefused(_("The workbook holds %(count)s parts, more than the %(limit)s allowed.")
                          % {"count": len(members), "limit": app_settings.IMPORT_MAX_XLSX_MEMBERS})
    total = 0
    max_ratio = app_settings.IMPORT_MAX_COMPRESSION_RATIO
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > max_ratio:
            raise FileRefused(_("The workbook part %(name)s expands %(ratio)s times, more than the %(limit)s "
                                "allowed: refused as a possible zip bomb.")
                              % {"name": member.filename, "ratio": int(ratio), "limit": max_ratio})
    if total > app_settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(_("The workbook expands to %(size)s, more than the %(limit)s allowed.")
                          % {"size": format_size(total),
                             "limit": format_size(app_settings.IMPORT_MAX_UNCOMPRESSED_BYTES)})
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise FileRefused(_("The workbook part %(name)s declares a DOCTYPE or XML entities, which "
                                    "spreadsheets never write: refused.") % {"name": member.filename})
    return archive


def read_xlsx(data: bytes, *, sheet: str | None = None) -> Table:
    """Read the sheet named ``sheet``, else the first sheet in workbook order (not the active one)."""
    from .xlsx_read import read_sheet

    return _named_cells_only(read_sheet(check_zip(data), sheet=sheet))
