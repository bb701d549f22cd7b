"""Hand-made XLSX workbooks, for cells that spreadsheet libraries will not write on request."""
# ruff: noqa: E501 - XML parts are kept whole to be readable

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
{file_version}<workbookPr{date1904}/>
<bookViews><workbookView activeTab="{active}"/></bookViews>
<sheets>{sheets}</sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{sheets}
<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
# By default style 0 is general and style 1 a date (built-in number format 14).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
{number_formats}<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="{count}">{cell_formats}</cellXfs>
</styleSheet>"""
SHARED_STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
{prolog}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">{items}</sst>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
{prolog}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>{rows}</sheetData>{merges}
</worksheet>"""


def escape(value: str, *, quote: bool = False) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;") if quote else value


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def shared(ref: str, index: int) -> str:
    """A cell showing shared string ``index``, as Excel writes text."""
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def number(ref: str, raw: str, style: int = 0) -> str:
    return f'<c r="{ref}" s="{style}"><v>{raw}</v></c>'


def row(number_: int, *cells: str) -> str:
    return f'<row r="{number_}">{"".join(cells)}</row>'


def workbook(*sheets: tuple[str, list[str]], merges: list[str] | None = None, date1904: bool = False,
             active: int = 0, prolog: str = "", strings: list[str] | None = None, strings_prolog: str = "",
             number_formats: dict[int, str] | None = None, cell_formats: tuple[int, ...] = (0, 14),
             parts: list[int] | None = None, app_name: str = "") -> bytes:
    """An XLSX file with the given sheets, each a (name, rows of cell XML); merges apply to the first sheet.

    ``strings`` are the inner XML of the shared strings (``<si>`` items); ``cell_formats`` the number format
    of each style index, ``number_formats`` the file's own format codes; ``parts`` the part number of each
    sheet (``sheet{n}.xml``), to tell the workbook's order from the parts' names; ``app_name`` the program
    that wrote the workbook, as its ``<fileVersion appName>`` says (``Calc`` for LibreOffice, ``xl`` for Excel).
    """
    parts = parts or list(range(1, len(sheets) + 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        types = "\n".join(SHEET_TYPE.format(n=n) for n in sorted(parts))
        rels = "\n".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{part}.xml"/>' for n, part in enumerate(parts, start=1))
        if strings is not None:
            types += ('\n<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
            rels += ('\n<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/sharedStrings" Target="sharedStrings.xml"/>')
            archive.writestr("xl/sharedStrings.xml", SHARED_STRINGS.format(
                prolog=strings_prolog, count=len(strings), items="".join(f"<si>{item}</si>" for item in strings)))
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=types))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(
            date1904=' date1904="1"' if date1904 else "", active=active,
            file_version=f'<fileVersion appName="{app_name}"/>' if app_name else "",
            sheets="".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
                           for n, (name, _rows) in enumerate(sheets, start=1))))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(sheets=rels))
        formats = "".join(f'<numFmt numFmtId="{number}" formatCode="{escape(code, quote=True)}"/>'
                          for number, code in (number_formats or {}).items())
        archive.writestr("xl/styles.xml", STYLES.format(
            number_formats=f'<numFmts count="{len(number_formats)}">{formats}</numFmts>' if formats else "",
            count=len(cell_formats), cell_formats="".join(
                f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                for number in cell_formats)))
        for n, (_name, rows) in enumerate(sheets, start=1):
            merge_xml = ""
            if merges and n == 1:
                merge_xml = f'<mergeCells count="{len(merges)}">' + "".join(
                    f'<mergeCell ref="{ref}"/>' for ref in merges) + "</mergeCells>"
            archive.writestr(f"xl/worksheets/sheet{parts[n - 1]}.xml",
                             SHEET.format(rows="".join(rows), merges=merge_xml, prolog=prolog if n == 1 else ""))
    return out.getvalue()
