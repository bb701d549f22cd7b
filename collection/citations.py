"""Citations of a record: CSL-JSON, BibTeX, RIS, formatted styles and Zotero meta tags.

Everything starts from CSL-JSON (:func:`csl_json`); the other forms are made
from it. Formatted citations are rendered by citeproc-py with the CSL styles
shipped in ``collection/csl/`` (from the Citation Style Language project,
CC BY-SA 3.0). BibTeX is written as UTF-8: LaTeX escapes cannot spell kana or kanji.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .models import AgentRole, LabelForm, Record, pick_label

CSL_DIR = Path(__file__).resolve().parent / "csl"
STYLES: dict[str, tuple[Any, Path]] = {
    "chicago-author-date": (_("Chicago (author-date)"), CSL_DIR / "chicago-author-date.csl"),
    "apa": (_("APA"), CSL_DIR / "apa.csl"),
}
CSL_LOCALES = {"ja": "ja-JP", "ru": "ru-RU", "en": "en-US"}

CSL_TYPES = {
    "book": "book", "book-section": "chapter", "journal-article": "article-journal",
    "magazine-article": "article-magazine", "newspaper-article": "article-newspaper", "news-item": "broadcast",
    "press-release": "document", "decree": "legislation", "archival-document": "manuscript",
    "archival-file": "manuscript", "manuscript": "manuscript", "thesis": "thesis", "report": "report",
    "web-resource": "webpage", "organisation": "document",
}
BIBTEX_TYPES = {
    "book": "book", "chapter": "incollection", "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished",
}
RIS_TYPES = {
    "book": "BOOK", "chapter": "CHAP", "article-journal": "JOUR", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "broadcast": "NEWS", "legislation": "STAT", "manuscript": "MANSCPT",
    "thesis": "THES", "report": "RPRT", "webpage": "ELEC", "document": "GEN",
}


def _title(record: Record, language: str | None) -> tuple[str, str]:
    """The original title, and a translation into ``language`` where there is one."""
    titles = list(record.titles.all())
    originals = [t for t in titles if t.form == LabelForm.ORIGINAL]
    original = pick_label(originals or titles, None)
    text = original.text if original else record.identifier
    translated = ""
    if language:
        translations = [t for t in titles if t.form == LabelForm.TRANSLATION and t.base_language == language]
        chosen = pick_label(translations, language)
        if chosen and chosen.text != text:
            translated = chosen.text
    return text, translated


def _name(agent: Any, language: str | None) -> dict[str, str]:
    names = list(agent.names.all())
    label = pick_label(names, language)
    if label is not None and getattr(label, "family", ""):
        return {"family": label.family, "given": getattr(label, "given", "")}
    return {"literal": label.text if label else agent.identifier}


def _csl_type(record: Record) -> str:
    # A news item is broadcast or online: one known by its web address is cited as the online article it is.
    if record.resource_type == "news-item" and record.url:
        return "article-newspaper"
    return CSL_TYPES.get(record.resource_type, "book" if record.kind == "memoir" else "document")


def csl_json(record: Record, language: str | None = None) -> dict[str, Any]:
    """The record as a CSL-JSON item."""
    title, translated = _title(record, language)
    item: dict[str, Any] = {
        "id": record.identifier,
        "type": _csl_type(record),
        "title": title,
    }
    if translated:
        item["title-short"] = translated
        item["note"] = str(_("Title translated: %(title)s") % {"title": translated})
    for role, key in ((AgentRole.AUTHOR, "author"), (AgentRole.EDITOR, "editor"),
                      (AgentRole.TRANSLATOR, "translator")):
        people = [_name(link.agent, language) for link in record.agent_links.all() if link.role == role]
        if people:
            item[key] = people
    publishers = [link.agent for link in record.agent_links.all() if link.role == AgentRole.PUBLISHER]
    if publishers:
        item["publisher"] = "; ".join(agent.display_name(language) for agent in publishers)
    if record.date_start:
        parts = [record.date_start.year]
        if len(record.date_edtf) >= 7 and record.date_edtf[4] == "-" and record.date_start == record.date_end:
            parts = [record.date_start.year, record.date_start.month, record.date_start.day]
        item["issued"] = {"date-parts": [parts]}
        if record.year_end and record.year_end != record.year_start:
            item["issued"]["date-parts"].append([record.year_end])
    for field, key in (("container_title", "container-title"), ("volume", "volume"), ("issue", "issue"),
                       ("pages", "page"), ("edition", "edition"), ("publication_place", "publisher-place"),
                       ("isbn", "ISBN"), ("issn", "ISSN"), ("url", "URL"), ("call_number", "call-number")):
        value = getattr(record, field)
        if value:
            item[key] = value
    if record.accessed:
        item["accessed"] = {"date-parts": [[record.accessed.year, record.accessed.month, record.accessed.day]]}
    if record.repository_id:
        item["archive"] = record.repository.display_name(language)
    reference = ", ".join(
        f"{label} {value}" for label, value in (
            ("f.", record.reference_fond), ("op.", record.reference_opis), ("d.", record.reference_delo),
            ("l.", record.reference_folios),
        ) if value
    )
    if reference:
        item["archive_location"] = reference
    languages = [lang.tag for lang in record.languages.all()]
    if languages:
        item["language"] = languages[0]
    return item


def csl_json_text(record: Record, language: str | None = None) -> str:
    return json.dumps([csl_json(record, language)], ensure_ascii=False, indent=2)


def _bibtex_escape(value: str) -> str:
    # Braces must balance inside a BibTeX value; a stray one is dropped rather than breaking the file.
    depth, out = 0, []
    for char in str(value):
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + "}" * depth


def _bibtex_names(people: list[dict[str, str]]) -> str:
    return " and ".join(
        f"{p['family']}, {p['given']}" if p.get("family") and p.get("given") else (p.get("family") or
                                                                                  "{" + p.get("literal", "") + "}")
        for p in people
    )


def bibtex(record: Record, language: str | None = None) -> str:
    """A UTF-8 BibTeX entry keyed by the record's identifier."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    item = csl_json(record, language)
    fields: list[tuple[str, str]] = [("title", item["title"])]
    for key in ("author", "editor", "translator"):
        if key in item:
            fields.append((key, _bibtex_names(item[key])))
    if "issued" in item:
        fields.append(("year", str(item["issued"]["date-parts"][0][0])))
    mapping = (("container-title", "journal" if item["type"].startswith("article") else "booktitle"),
               ("publisher", "publisher"), ("publisher-place", "address"), ("volume", "volume"),
               ("issue", "number"), ("page", "pages"), ("edition", "edition"), ("ISBN", "isbn"), ("ISSN", "issn"),
               ("URL", "url"), ("archive", "howpublished"), ("archive_location", "note"), ("language", "language"))
    for source, target in mapping:
        if source in item:
            fields.append((target, item[source]))
    entry = Entry(BIBTEX_TYPES.get(item["type"], "misc"), record.identifier,
                  [Field(key, "{" + _bibtex_escape(value) + "}") for key, value in fields])
    library = bibtexparser.Library([entry])
    return bibtexparser.write_string(library)


def ris(record: Record, language: str | None = None) -> str:
    """A RIS reference, without the counter line rispy writes before ``TY``."""
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    item = csl_json(record, language)
    entry: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "title": item["title"],
                             "id": record.identifier}

    def names(people: list[dict[str, str]]) -> list[str]:
        return [f"{p['family']}, {p['given']}" if p.get("family") and p.get("given")
                else p.get("family") or p.get("literal", "") for p in people]

    if "author" in item:
        entry["authors"] = names(item["author"])
    if "editor" in item:
        entry["secondary_authors"] = names(item["editor"])
    if "translator" in item:
        entry["translated_authors"] = names(item["translator"])
    if "issued" in item:
        entry["year"] = str(item["issued"]["date-parts"][0][0])
    for source, target in (("container-title", "secondary_title"), ("publisher", "publisher"),
                           ("publisher-place", "place_published"), ("volume", "volume"), ("issue", "number"),
                           ("edition", "edition"), ("ISBN", "issn"), ("URL", "urls"), ("archive", "custom1"),
                           ("archive_location", "custom2"), ("language", "language")):
        if source in item:
            entry[target] = [item[source]] if target == "urls" else item[source]
    if "ISSN" in item and "issn" not in entry:
        entry["issn"] = item["ISSN"]
    if "page" in item:
        start, _sep, end = item["page"].partition("-")
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    return rispy.dumps([entry], implementation=Writer)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "id" else _escaped(item) for key, item in value.items()}
    return value


@functools.lru_cache(maxsize=16)
def _style(path: str, locale: str) -> Any:
    """A parsed CSL style: parsing the XML costs more than citing."""
    from citeproc import CitationStylesStyle

    _suppress_substituted_variables()
    _labels_only_beside_their_variable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(path, locale=locale, validate=False)


# A parsed style keeps the state of the item it is rendering on its elements: one rendering at a time.
_RENDERING = threading.Lock()


@functools.cache
def _suppress_substituted_variables() -> None:
    """Make citeproc-py suppress every variable a ``cs:substitute`` rendered, as CSL requires.

    CSL suppresses substituted variables in the rest of the output, so that a work
    without an author, cited by its title in the author's place, does not show its
    title twice. citeproc-py suppresses a variable only when the substitute names it
    itself, not when it renders it through a macro, as the shipped styles do
    (``<text macro="title"/>``): each text variable rendered inside a substitute that
    gave output is suppressed here.
    """
    from citeproc import model

    render_substitute, text_variable = model.Substitute.render, model.Text._variable

    def variable(self: Any, item: Any, context: Any) -> Any:
        text = text_variable(self, item, context)
        rendered = getattr(context.get_layout(), "substituted", None)
        if text and rendered is not None:
            rendered.add((self.tag, self.get("variable")))
        return text

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        layout = context.get_layout()
        outer = getattr(layout, "substituted", None)
        layout.substituted = set()
        try:
            text = render_substitute(self, item, context=context, **kwargs)
        finally:
            rendered, layout.substituted = layout.substituted, outer
        if text:
            for tag, name in rendered:
                layout.repressed.setdefault(tag, []).append(name)
            if outer is not None:
                outer |= rendered
        return text

    model.Text._variable = variable
    model.Substitute.render = render


@functools.cache
def _labels_only_beside_their_variable() -> None:
    """Make citeproc-py leave out a ``cs:label`` whose variable the item does not have, as CSL requires.

    citeproc-py renders the term whatever the variable holds, so Chicago's edition
    macro printed "Edition." after every newspaper article without an edition.
    """
    from citeproc import model
    from citeproc.source import VariableError

    process = model.Label.process

    def label(self: Any, item: Any, variable: Any = None, plural: Any = None, context: Any = None,
              **kwargs: Any) -> Any:
        name = variable or self.get("variable")
        if name and name != "locator" and variable is None:
            try:
                if not item.reference[name.replace("-", "_")]:
                    return None
            except VariableError:
                return None
        return process(self, item, variable=variable, plural=plural, context=context, **kwargs)

    model.Label.process = label


def formatted_citation(record: Record, style: str, language: str | None = None) -> str:
    """The record cited in a CSL style, as HTML, in the page's language."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    _label, path = STYLES[style]
    locale = CSL_LOCALES.get((language or "en").split("-")[0], "en-US")
    # citeproc-py's HTML formatter inserts field values unescaped.
    source = CiteProcJSON([_escaped(csl_json(record, language))])
    with _RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        bibliography = CitationStylesBibliography(_style(str(path), locale), source, formatter.html)
        bibliography.register(Citation([CitationItem(record.identifier)]))
        rendered = [str(item) for item in bibliography.bibliography()]
    return re.sub(r"\s+", " ", "".join(rendered)).strip()


def highwire_meta(record: Record, permalink: str, language: str | None = None) -> list[tuple[str, str]]:
    """Highwire ``citation_*`` and Dublin Core ``DC.*`` meta tags, which Zotero's connector reads."""
    item = csl_json(record, language)
    tags: list[tuple[str, str]] = [("citation_title", item["title"]), ("DC.title", item["title"])]
    for person in item.get("author", []):
        name = f"{person['family']}, {person['given']}" if person.get("family") else person.get("literal", "")
        tags += [("citation_author", name), ("DC.creator", name)]
    if "issued" in item:
        year = str(item["issued"]["date-parts"][0][0])
        tags += [("citation_date", year), ("DC.date", year)]
    for source, target in (("publisher", "citation_publisher"), ("container-title", "citation_journal_title"),
                           ("volume", "citation_volume"), ("issue", "citation_issue"), ("ISBN", "citation_isbn"),
                           ("ISSN", "citation_issn"), ("language", "citation_language")):
        if source in item:
            tags.append((target, item[source]))
    if "publisher" in item:
        tags.append(("DC.publisher", item["publisher"]))
    if "language" in item:
        tags.append(("DC.language", item["language"]))
    tags += [("DC.identifier", permalink), ("citation_public_url", permalink),
             ("DC.type", record.get_kind_display())]
    return [(name, strip_tags(str(value))) for name, value in tags]


EXPORTS: dict[str, tuple[Any, str, Callable[[Record, str | None], str]]] = {
    "bib": (_("BibTeX"), "application/x-bibtex", bibtex),
    "ris": (_("RIS"), "application/x-research-info-systems", ris),
    "json": (_("CSL-JSON"), "application/vnd.citationstyles.csl+json", csl_json_text),
}
