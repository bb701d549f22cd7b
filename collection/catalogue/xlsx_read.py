"""Reading one sheet of an XLSX workbook as catalogue rows, streaming, with a hardened XML parser.

openpyxl is kept for writing; for reading it builds a Python object (a dict in
read-only mode) for every cell, which kept reading a sheet three times slower than
this. Here the parts a catalogue needs are read with lxml directly: the workbook
and its relationships (which sheet, in workbook order), the styles (which cells
hold dates), the shared strings, and the sheet itself, one row at a time, so
memory holds the rows read but never the sheet's XML tree. What is left is
mostly libxml2's own parsing: a cell costs it several nodes (the cell, its
attributes, ``<is>``, ``<t>``, the text), each built and freed in C.

Every XML part goes through the same parser settings: no entity expansion, no
DTD loading, no network, libxml2's default size limits (``huge_tree`` off); a
part that declares a DOCTYPE anywhere is refused, not only in the first bytes
that :func:`collection.catalogue.files.check_zip` looks at before parsing.
"""

from __future__ import annotations

import datetime
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from ..conf import app_settings
from ..text import listed
from .files import (
    XLSX,
    CellProblem,
    FileRefused,
    Table,
    _check_header,
    column_letter,
    column_number,
    names_below_problem,
    names_row_below,
    sheet_field,
)
from .format import DATE_COLUMNS, unquote_formula
from .xlsx_dates import DAY, MONTH, shown_date, shown_precision

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"

ROW, VALUE, FORMULA, MERGE_CELL = MAIN + "row", MAIN + "v", MAIN + "f", MAIN + "mergeCell"
INLINE, RUN, TEXT, SHARED_STRING = MAIN + "is", MAIN + "r", MAIN + "t", MAIN + "si"
# What a cell's text is not: run formatting, phonetic guides (the furigana Japanese Excel keeps beside
# the text), extensions. Dropped with their content before the text elements are flattened.
_NOT_TEXT = (MAIN + "rPr", MAIN + "rPh", MAIN + "phoneticPr", MAIN + "extLst")
_FLATTEN = (INLINE, RUN, TEXT)

_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
# The workbook element of Excel's "Strict Open XML Spreadsheet", whose parts are in the ISO standard's namespaces.
_STRICT_WORKBOOK = "{http://purl.oclc.org/ooxml/spreadsheetml/main}workbook"
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

# Number formats built into Excel that show a date or a time (they carry no format code in the file):
# 14-22 and 45-47 everywhere, 27-36 and 50-58 in Japanese, Chinese and Korean Excel, which writes them
# whenever a locale date format is picked (31 is yyyy"年"m"月"d"日", 57 the Japanese era).
_BUILTIN_DATE_FORMATS = frozenset((*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)))

# A number format of zeros only (00000, 0.00), perhaps after a locale tag ([$-411]): the cell shows its number
# padded to that many digits, as a call number 00123 or an extent 1.50 is typed. Built-in formats 1 and 2 are
# 0 and 0.00.
_ZEROS_FORMAT = re.compile(r"(?:\[\$-[0-9A-Fa-f]+\])?(0+)(?:\.(0+))?")
_BUILTIN_ZEROS_FORMATS = {"1": "0", "2": "0.00"}

# The built-in mmm-yy, which shows a month: the cell's day (the 1st) was never written.
_BUILTIN_MONTH_FORMATS = frozenset({"17"})

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
    # Comments and processing instructions would otherwise be children of rows and cells; whitespace
    # between elements (pretty-printed parts) would be joined into cell text when runs are flattened.
    # libxml2 keeps whitespace that is an element's only content, so a cell holding " " keeps it.
    "remove_comments": True, "remove_pis": True, "remove_blank_text": True,
}


def read_sheet(archive: zipfile.ZipFile, *, sheet: str | None = None) -> Table:
    """Read the sheet named ``sheet``, else the first sheet in workbook order, of an opened, checked archive."""
    from lxml import etree

    try:
        workbook = _Workbook(archive)
        title, target = workbook.choose(sheet)
        others = [] if sheet else [name for name, _target in workbook.sheets[1:]]
        if others and title in workbook.hidden:
            # A hidden first sheet is often an old copy or a list kept for the others: never read unseen.
            raise _hidden_first(title, others)
        styles = workbook.number_styles()
        strings = workbook.shared_strings()
        with archive.open(target) as source:
            return _read_rows(source, target, title, strings, styles,
                              _LIBREOFFICE if workbook.libreoffice and not workbook.epoch_1904
                              else _EPOCH_1904 if workbook.epoch_1904 else _EPOCH_1900, others)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise FileRefused(_("The file is not a readable XLSX workbook: %(error)s") % {"error": exc}) from exc


def _hidden_first(title: str, others: list[str]) -> FileRefused:
    return _another_sheet_advised(
        title, others,
        _("The workbook's first sheet, “%(sheet)s”, is hidden, so the rows read would not be those the workbook "
          "shows. Its other sheets are: %(names)s. Type the name of the sheet to read under “%(field)s”."),
        _("The workbook's first sheet, “%(sheet)s”, is hidden, so the rows read would not be those the workbook "
          "shows. Its other sheets are: %(names)s. Name the sheet to read with --sheet."))


def _not_the_catalogue(title: str, others: list[str]) -> FileRefused:
    return _another_sheet_advised(
        title, others,
        _("The workbook's first sheet, “%(sheet)s”, has no identifier column, so it cannot be the sheet to import. "
          "The first sheet is read, whichever sheet was open when the file was saved; the workbook's other sheets "
          "are: %(names)s. Type the name of the sheet to read under “%(field)s”."),
        _("The workbook's first sheet, “%(sheet)s”, has no identifier column, so it cannot be the sheet to import. "
          "The first sheet is read, whichever sheet was open when the file was saved; the workbook's other sheets "
          "are: %(names)s. Name the sheet to read with --sheet."))


def _another_sheet_advised(title: str, others: list[str], for_the_form: str, for_the_command: str) -> FileRefused:
    """The refusal of the first sheet ``title``, naming the ``others`` and the way to pick one: the upload form's
    sheet field while a form's upload is read, else the command's ``--sheet``."""
    field = sheet_field()
    return FileRefused((for_the_form if field else for_the_command)
                       % {"sheet": title, "names": listed(others), "field": field})


# --- the workbook's parts --------------------------------------------------------------------------------


def _parse_part(archive: zipfile.ZipFile, name: str) -> Any:
    """A small part (workbook, relationships, styles) as a tree, refused if it declares a DOCTYPE."""
    from lxml import etree

    with archive.open(name) as source:
        tree = etree.parse(source, etree.XMLParser(**_PARSER_OPTIONS))
    _refuse_doctype(tree, name)
    return tree.getroot()


def _refuse_doctype(tree: Any, name: str) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise FileRefused(_("The workbook part %(name)s declares a DOCTYPE or XML entities, which "
                            "spreadsheets never write: refused.") % {"name": name})


def _missing(name: str) -> FileRefused:
    return FileRefused(_("The file is not a readable XLSX workbook: %(error)s")
                       % {"error": _("it has no part %(name)s.") % {"name": name}})


class _Workbook:
    """The workbook part, its relationships, and what they point to."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        if "[Content_Types].xml" not in self.names:
            raise _missing("[Content_Types].xml")
        types = _parse_part(archive, "[Content_Types].xml")
        overrides = {element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
                     for element in types.iter(_CONTENT_TYPES + "Override")}
        self.part = next((name for name, kind in overrides.items() if kind in _WORKBOOK_TYPES), "")
        if not self.part:
            # Some programs declare the workbook's type as the default for .xml instead of naming the part.
            defaults = {element.get("ContentType") for element in types.iter(_CONTENT_TYPES + "Default")}
            self.part = "xl/workbook.xml" if defaults & set(_WORKBOOK_TYPES) else ""
        if not self.part or self.part not in self.names:
            raise _missing("xl/workbook.xml")
        self.shared_strings_part = next(
            (name for name, kind in overrides.items() if kind == _SHARED_STRINGS_TYPE), "")
        root = _parse_part(archive, self.part)
        if root.tag == _STRICT_WORKBOOK:
            raise FileRefused(_("The workbook is saved as a Strict Open XML spreadsheet, which is not read here. In "
                                "Excel, save it as “Excel Workbook (*.xlsx)” or as “CSV UTF-8”."))
        properties = root.find(MAIN + "workbookPr")
        self.epoch_1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
        # LibreOffice names itself "Calc" here (Excel "xl"). It counts days from 30 December 1899 for every
        # date, without Excel's phantom 29 February 1900, so its serials before March 1900 are not Excel's.
        version = root.find(MAIN + "fileVersion")
        self.libreoffice = version is not None and version.get("appName", "").lower() == "calc"
        self.relations = self._relations()
        self.styles_part = "xl/styles.xml"
        for kind, target in self.relations.values():
            if kind.endswith("/styles"):
                self.styles_part = target
            elif kind.endswith("/sharedStrings"):
                self.shared_strings_part = target
        self.sheets: list[tuple[str, str]] = []
        self.hidden: set[str] = set()
        for element in root.iter(MAIN + "sheet"):
            kind, target = self.relations.get(element.get(f"{{{_OFFICE_REL}}}id", ""), ("", ""))
            # A chart sheet has no cells; a sheet whose part is missing cannot be read.
            if target in self.names and not kind.endswith("/chartsheet"):
                self.sheets.append((element.get("name", ""), target))
                if element.get("state") in ("hidden", "veryHidden"):
                    self.hidden.add(element.get("name", ""))

    def _relations(self) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(self.part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels not in self.names:
            return {}
        relations = {}
        for element in _parse_part(self.archive, rels).iter(_PACKAGE_REL + "Relationship"):
            if element.get("TargetMode") == "External":
                continue
            target = element.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            relations[element.get("Id", "")] = (element.get("Type", ""), target)
        return relations

    def choose(self, sheet: str | None) -> tuple[str, str]:
        """``(title, part)`` of the sheet named ``sheet``, else of the first sheet in workbook order."""
        if not self.sheets:
            raise FileRefused(_("The workbook has no worksheet."))
        names = [name for name, _target in self.sheets]
        if not sheet:
            return self.sheets[0]
        if sheet not in names:
            raise FileRefused(_("The workbook has no sheet “%(sheet)s”; its sheets are: %(names)s.")
                              % {"sheet": sheet, "names": listed(names)})
        return self.sheets[names.index(sheet)]

    def number_styles(self) -> NumberStyles:
        """What the styles' number formats show of their cells, by style index (``s`` attributes, as written)."""
        from openpyxl.styles.numbers import is_date_format

        if self.styles_part not in self.names:
            return NumberStyles({}, {}, {})
        root = _parse_part(self.archive, self.styles_part)
        # The workbook's own format codes (those of conditional formats, under <dxfs>, do not count).
        own = root.find(MAIN + "numFmts")
        formats = {element.get("numFmtId"): element.get("formatCode") for element in (own if own is not None else ())}
        cell_formats = root.find(MAIN + "cellXfs")
        styles: dict[str, int] = {}
        padded: dict[str, tuple[int, int]] = {}
        shown: dict[str, Callable[[str], str | None]] = {}
        for index, element in enumerate(cell_formats if cell_formats is not None else ()):
            number_format = element.get("numFmtId", "0")
            if number_format in formats:  # the file's own code, even for a built-in number it redefines
                code = formats[number_format] or ""
                is_date = is_date_format(code)
            else:
                code = _BUILTIN_ZEROS_FORMATS.get(number_format, "")
                is_date = number_format.isdigit() and int(number_format) in _BUILTIN_DATE_FORMATS
            if is_date:
                styles[str(index)] = (shown_precision(code) if number_format in formats
                                      else MONTH if number_format in _BUILTIN_MONTH_FORMATS else DAY)
                # Excel's built-in formats carry no code: they look as the opening computer's settings say.
                if number_format in formats and (show := shown_date(code)) is not None:
                    shown[str(index)] = show
            elif zeros := _ZEROS_FORMAT.fullmatch(code.strip()):
                padded[str(index)] = (len(zeros[1]), len(zeros[2] or ""))
        return NumberStyles(styles, padded, shown)

    def shared_strings(self) -> list[str]:
        """The shared strings table, read one ``<si>`` at a time; rich-text runs joined, phonetic guides left out."""
        from lxml import etree

        part = self.shared_strings_part
        if not part or part not in self.names:
            return []
        strings: list[str] = []
        with self.archive.open(part) as source:
            context = etree.iterparse(source, events=("end",), tag=SHARED_STRING, **_PARSER_OPTIONS)
            checked = False
            for _event, item in context:
                if not checked:
                    _refuse_doctype(item.getroottree(), part)
                    checked = True
                # A single <t> holding text is the common case; a run (<r>) has no text of its own.
                if len(item) != 1 or (text := item[0].text) is None:
                    etree.strip_elements(item, *_NOT_TEXT, with_tail=False)
                    etree.strip_tags(item, RUN, TEXT)
                    text = item.text or ""
                strings.append(unescape(text) if "_x" in text else text)
                item.clear()
                while item.getprevious() is not None:
                    del item.getparent()[0]
            if not checked and context.root is not None:
                _refuse_doctype(context.root.getroottree(), part)
        return strings


# --- the sheet -------------------------------------------------------------------------------------------


_COLUMNS: dict[str, int] = {}


# Excel writes a character XML cannot hold, or will not, as _xHHHH_ (a CR as _x000D_, before the LF of a
# line break pasted into a cell), and a typed "_x" that would read so as _x005F_x.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    return match[0] if 0xD800 <= code <= 0xDFFF else chr(code)  # half a pair is no character: kept as written


def unescape(text: str) -> str:
    """A cell's text with Excel's ``_xHHHH_`` escapes read as the characters they stand for."""
    return _ESCAPED.sub(_unescaped, text)


def _column_number(reference: str) -> int:
    """The column number of a cell reference such as ``AB12`` (28)."""
    letters = reference.rstrip("0123456789")
    number = _COLUMNS.get(letters)
    if number is None:
        try:
            number = column_number(letters)
        except ValueError:
            raise FileRefused(_("The file is not a readable XLSX workbook: %(error)s") % {
                "error": _("“%(reference)s” is not a cell reference.") % {"reference": reference},
            }) from None
        _COLUMNS[letters] = number
    return number


def _read_rows(source: Any, part: str, title: str, strings: list[str], styles: NumberStyles, epoch: str,
               other_sheets: list[str]) -> Table:
    """The sheet's rows; ``other_sheets`` names the workbook's other sheets where this one was read as the first,
    no sheet being named."""
    max_rows = app_settings.IMPORT_MAX_ROWS
    problems: list[CellProblem] = []
    merged: list[str] = []
    table = Table(header=[], format=XLSX, sheet=title)
    rows = table.rows
    header: list[str] | None = None
    header_row = width = names_below = 0
    columns: range = range(0)
    empty: list[str] = []
    # The columns whose date cells read as the sheet shows them: all but those that hold dates.
    shown_columns: set[int] = set()
    rows_read = _sheet_rows(source, part, strings, styles, epoch, problems, merged, shown_columns)
    for number, texts in rows_read:
        if not texts:
            continue
        if header is None:
            width = max(texts)
            columns, empty = range(1, width + 1), [""] * width
            header = [texts.get(index, "").strip() for index in columns]
            shown_columns.update(index for index in columns if header[index - 1] not in DATE_COLUMNS)
            problems.extend(CellProblem(number, p.column, p.message) for p in _check_header(header))
            table.header = header
            header_row = number
            continue
        if not names_below and names_row_below(header, number - header_row + 1, texts.values()):
            names_below = number - header_row + 1
        if max(texts) > width:
            problems.extend(CellProblem(number, column_letter(column),
                                        _("this cell is outside the columns named in the header."))
                            for column in sorted(texts) if column > width)
        if len(rows) >= max_rows:
            raise FileRefused(_("The sheet has more than %(limit)s rows; split it into smaller files.")
                              % {"limit": f"{max_rows:,}"})
        # Rows are renumbered from the header so that "row N" matches a CSV of the same sheet.
        rows.append((number - header_row + 1, tuple(map(texts.get, columns, empty))))
    if names_below:
        # A title typed above the catalogue: its merged cells and the rows wider than it only follow from that.
        raise FileRefused([names_below_problem(names_below)])
    for cell_range in merged:
        first = cell_range.split(":")[0]
        row = int("".join(ch for ch in first if ch.isdigit()) or 0)
        column = "".join(ch for ch in first if ch.isalpha())
        problems.append(CellProblem(row, column, _("the cells %(range)s are merged; unmerge them so that "
                                                   "each cell holds its own value.") % {"range": cell_range}))
    if other_sheets and "identifier" not in (name.lower() for name in header or ()):
        # Spreadsheets reopen a workbook at the sheet it was saved on, so the user may never have seen the
        # first sheet (a note, a title page with merged cells, an empty Sheet1): its problems would only puzzle.
        raise _not_the_catalogue(title, other_sheets)
    if header is None:
        raise FileRefused(_("The sheet “%(sheet)s” is empty: its first row must name the columns.")
                          % {"sheet": title})
    if problems:
        problems.sort(key=lambda p: (p.row, len(p.column), p.column))
        raise FileRefused([_named(problem, header, header_row) for problem in problems])
    return table


def _named(problem: CellProblem, header: list[str], header_row: int) -> CellProblem:
    """``problem`` with its column also named by the header (``B (date)``), as the import's other errors name
    it, where the cell is below the header in a named column; the letter stays, to find the cell by."""
    if problem.row <= header_row or not problem.column:
        return problem
    try:
        index = column_number(problem.column) - 1
    except ValueError:
        return problem
    if not 0 <= index < len(header) or not header[index]:
        return problem
    # Translators: a cell's column letter and, as an aside, the name the header gives its column: H (date_display).
    return CellProblem(problem.row, _("%(letter)s (%(name)s)") % {"letter": problem.column, "name": header[index]},
                       problem.message)


def _sheet_rows(source: Any, part: str, strings: list[str], styles: NumberStyles, epoch: str,
                problems: list[CellProblem], merged: list[str], shown_columns: set[int]
                ) -> Iterator[tuple[int, dict[int, str]]]:
    """``(row number, {column: text})`` for each row of the sheet as it is parsed, cells without text left out.

    A cell's problem (an error value, a formula without a saved value, ...) goes to
    ``problems`` and the cell reads as empty; merged ranges go to ``merged``. A date
    cell in one of ``shown_columns`` reads as its format shows it, where the file
    tells that for certain; elsewhere as its ISO date.
    """
    from lxml import etree

    strip_elements, strip_tags = etree.strip_elements, etree.strip_tags
    plain, flatten, flatten_values = (*_NOT_TEXT, FORMULA), _FLATTEN, (*_FLATTEN, VALUE)
    max_columns = app_settings.IMPORT_MAX_COLUMNS
    column_numbers = _COLUMNS
    string_count = len(strings)
    date_styles, padded_styles, shown_dates = styles
    context = etree.iterparse(source, events=("end",), tag=(ROW, MERGE_CELL), **_PARSER_OPTIONS)
    number = 0
    checked = False
    for _event, element in context:
        if not checked:
            _refuse_doctype(element.getroottree(), part)
            checked = True
        if element.tag == MERGE_CELL:
            merged.append(element.get("ref") or "")
            continue
        reference = element.get("r")
        number = _row_number(reference) if reference else number + 1
        # With runs and text elements flattened, an inline string's text is its cell's text, as a
        # value's is once <v> is flattened too; cells with a formula keep <f> and <v> apart.
        has_formula = False
        if next(element.iter(*plain), None) is not None:
            strip_elements(element, *_NOT_TEXT, with_tail=False)
            has_formula = next(element.iter(FORMULA), None) is not None
        strip_tags(element, *(flatten if has_formula else flatten_values))
        texts: dict[int, str] = {}
        column = 0
        for cell in element:
            reference = cell.get("r")
            if reference:
                column = column_numbers.get(reference.rstrip("0123456789")) or _column_number(reference)
            else:
                column += 1
            if column > max_columns:
                raise FileRefused(_("The sheet has more than %(limit)s columns.") % {"limit": max_columns})
            kind = cell.get("t")
            if has_formula and len(cell):
                text, problem = _formula_cell(cell, kind)
                if problem:
                    problems.append(CellProblem(number, column_letter(column), problem))
                    continue
            else:
                text = cell.text
            if kind == "s":
                if text is None:  # no value: an empty cell
                    continue
                index = int(text) if text.isdigit() else -1
                if not 0 <= index < string_count:
                    problems.append(CellProblem(number, column_letter(column),
                                                _("the cell points to a shared text that the file does not "
                                                  "hold.")))
                    continue
                text = strings[index]
            elif kind == "inlineStr" or kind == "str":
                if text and "_x" in text:
                    text = unescape(text)
            elif text is None:
                continue
            elif kind is None or kind == "n":
                style = cell.get("s", "0")
                if style in date_styles:
                    text, problem = _serial_to_text(text, epoch)
                    if problem:
                        problems.append(CellProblem(number, column_letter(column), problem))
                        continue
                    if column in shown_columns and style in shown_dates:
                        text = shown_dates[style](text) or text
                    elif "T" not in text:
                        text = text[:date_styles[style]]
                elif text.isdigit() and text.isascii() and len(text) < 16:
                    text = str(int(text))
                else:
                    text = _number_text(text)
                if style in padded_styles:
                    text = _padded(text, *padded_styles[style])
            elif kind == "b":
                text = "FALSE" if text.strip() in ("0", "false") else "TRUE"
            elif kind == "e":
                problems.append(CellProblem(number, column_letter(column),
                                            _("the spreadsheet shows the error %(value)s here.") % {"value": text}))
                continue
            elif kind == "d":
                text, problem = _iso_date_text(text)
                if problem:
                    problems.append(CellProblem(number, column_letter(column), problem))
                    continue
                if column in shown_columns and (show := shown_dates.get(cell.get("s", "0"))) is not None:
                    text = show(text) or text
            if text:
                if text[0] == "'":
                    # A CSV export opened in a spreadsheet shows its formula guard as text, and keeps it in
                    # the XLSX saved from it: it is stripped as a CSV reader strips it.
                    text = unquote_formula(text)
                texts[column] = text
        yield number, texts
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    if not checked and context.root is not None:
        _refuse_doctype(context.root.getroottree(), part)


class NumberStyles(NamedTuple):
    """What the number formats of a workbook's cell styles show, by style index."""

    #: The styles whose format shows a date or a time, with how many characters of an ISO date it shows
    #: (10, 7 for a month, 4 for a year).
    dates: dict[str, int]
    #: The styles whose format pads a number with zeros, with its digits before and after the point.
    padded: dict[str, tuple[int, int]]
    #: The date styles whose look the file tells for certain, with what shows a cell's ISO date that way.
    shown: dict[str, Callable[[str], str | None]]


def _row_number(reference: str) -> int:
    try:
        return int(reference)
    except ValueError:
        pass
    try:
        value = float(reference)  # some programs write "2.0"
    except ValueError:
        value = 0.5
    if not value.is_integer() or value < 1:
        raise FileRefused(_("The file is not a readable XLSX workbook: %(error)s") % {
            "error": _("“%(reference)s” is not a row number.") % {"reference": reference},
        })
    return int(value)


def _formula_cell(cell: Any, kind: str | None) -> tuple[str | None, str]:
    """The saved value of a cell in a row that holds formulas (its ``<v>``, or an inline string), and ``""``."""
    value = None
    has_value = formula = False
    for child in cell:
        if child.tag == VALUE:
            # An empty <v> is a saved value only in a text cell (t="str"): a formula whose result is no text.
            # Elsewhere it is what openpyxl writes for a formula it could not calculate.
            value, has_value = child.text, bool(child.text) or kind == "str"
        elif child.tag == FORMULA:
            formula = True
    if kind == "inlineStr":  # its flattened text follows <f>
        value, has_value = (cell.text or "") + "".join(child.tail or "" for child in cell), True
    if formula and not has_value:
        return None, _("a formula with no saved value; open the file in a spreadsheet program, let it "
                       "calculate, and save it again, or type the value in.")
    return value, ""


def _number_text(raw: str) -> str:
    """A number as Excel shows it at full precision: no exponent, no ``.0``, 15 significant digits."""
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        return raw
    if number == number.to_integral_value() and abs(number) < Decimal("1e15"):
        return str(int(number))
    text = format(float(number), ".15g")
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _padded(text: str, digits: int, decimals: int) -> str:
    """A number's text padded with zeros as a format of zeros shows it (``123`` as 00000 is ``00123``), unless
    the format would round it: then the number's own digits, which say more than the cell shows."""
    minus, unsigned = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _point, fraction = unsigned.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > decimals:
        return text
    padded = whole.zfill(digits)
    if decimals:
        padded += "." + fraction.ljust(decimals, "0")
    return minus + padded


# How a workbook counts its dates: Excel's 1900 and 1904 date systems, and LibreOffice's.
_EPOCH_1900, _EPOCH_1904, _LIBREOFFICE = "1900", "1904", "libreoffice"
_EXCEL_1900 = datetime.datetime(1899, 12, 31)
_EXCEL_1904 = datetime.datetime(1904, 1, 1)
_LIBREOFFICE_ZERO = datetime.datetime(1899, 12, 30)
# LibreOffice's calendar is the Julian one before 15 October 1582, its serial -115858.
_LIBREOFFICE_GREGORIAN = -115858
_LIBREOFFICE_ZERO_JDN = 2415019  # the Julian day number of 30 December 1899


def _serial_to_text(raw: str | None, epoch: str) -> tuple[str, str]:
    """A date cell's serial number as ISO 8601 text.

    Excel counts 1900 as a leap year: serial 60 is the 29 February 1900 that never
    was, and serials from 61 on are one day ahead of the true count. LibreOffice
    counts every day from 30 December 1899 (0), before it too (negative serials),
    so that its serials agree with Excel's from 1 March 1900 on only: a workbook it
    wrote is read by its count, as it showed the dates.
    """
    try:
        serial = Decimal((raw or "").strip())
    except InvalidOperation:
        return "", _("a date cell that holds no number.")
    if not serial.is_finite():
        return "", _("a date cell that holds no number.")
    days = math.floor(serial)
    seconds = round((serial - days) * 86400)
    if seconds == 86400:
        days, seconds = days + 1, 0
    if epoch == _EPOCH_1904:
        base = _EXCEL_1904
    elif epoch == _LIBREOFFICE:
        if days < _LIBREOFFICE_GREGORIAN:
            return _julian_text(days, seconds)
        base = _LIBREOFFICE_ZERO
    else:
        if days == 60:
            return "", _("29 February 1900 does not exist (a spreadsheet's 1900 leap-year error); type the date "
                         "as text.")
        if days < 1:
            return "", _("a date before 1900 cannot be stored as a spreadsheet date; type it as text.")
        base = _EXCEL_1900 - datetime.timedelta(days=1) if days > 60 else _EXCEL_1900
    try:
        moment = base + datetime.timedelta(days=days, seconds=seconds)
    except OverflowError:
        return "", _("a date outside the calendar.")
    if seconds == 0:
        return moment.date().isoformat(), ""
    return moment.isoformat(), ""


def _julian_text(days: int, seconds: int) -> tuple[str, str]:
    """A LibreOffice serial before 15 October 1582 as the Julian calendar date it shows, in ISO form."""
    # Richards' conversion of a Julian day number to a Julian calendar date.
    c = _LIBREOFFICE_ZERO_JDN + days + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day, month, year = e - (153 * m + 2) // 5 + 1, m + 3 - 12 * (m // 10), d - 4800 + m // 10
    if not 1 <= year <= 9999:
        return "", _("a date outside the calendar.")
    text = f"{year:04}-{month:02}-{day:02}"
    if seconds:
        text += "T" + (datetime.datetime.min + datetime.timedelta(seconds=seconds)).time().isoformat()
    return text, ""


def _iso_date_text(text: str) -> tuple[str, str]:
    """A date cell stored as ISO 8601 text (``t="d"``), as ISO text; or ``""`` and the problem."""
    from openpyxl.utils.datetime import from_ISO8601

    try:
        value = from_ISO8601(text.strip())
    except ValueError:
        value = None
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat(), ""
    return "", _("a date cell that holds no date.")
