"""Citations of a record: CSL-JSON, BibTeX, RIS, formatted styles and Zotero meta tags.

Everything starts from CSL-JSON (:func:`csl_json`); the other forms are made
from it. Formatted citations are rendered by citeproc-py with the CSL styles
shipped in ``collection/csl/`` (from the Citation Style Language project,
CC BY-SA 3.0). BibTeX is written as UTF-8: LaTeX escapes cannot spell kana or kanji.

An English citation follows APA (9.38) and Chicago (11.6, 14.98) for a work in another
language: a title in another script than Latin is cited in the record's romanization of it,
where the record has one a citation can trust (an archivist's, or one the app made by
transliterating Russian; not one made from a kana reading of kanji that no archivist has
checked, where the original stays: see :func:`_romanization_to_cite`), and the record's
English translation of a title not in English follows it in square brackets, in roman type:
outside the italics of a book's title and after the closing quote of an article's. The title
of the book or series a record is part of is romanized likewise, without a translation, as
neither style translates it, and so are a journal's title and a place of publication in Cyrillic,
by the app's transliteration. The downloads give what the English citation gives: CSL-JSON the
romanized ``title``, with the translation in its ``note`` (CSL has no variable for a translated
title; ``title-short`` is a short form of the title itself, which a reference manager cites in
later notes, and ``original-title`` is the title of the work a translation was made from);
BibTeX the romanized ``title`` and ``titleaddon`` "[translation]", which biblatex prints after
the title in roman; RIS ``TI`` and ``TT``, its translated title. Japanese and Russian citations
cite the original as written.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .dates import edtf_in_words
from .models import AgentRole, LabelForm, LevelOfDescription, Record, pick_label
from .romanization import has_kana_or_kanji, romanize_russian
from .text import base_language, script_language, script_subtag

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


# Marks a text with its language tag for the HTML rendering (see _LanguageMarks); the plain exports leave it be.
_Mark = Callable[[str, str], str]


def _unmarked(text: str, tag: str) -> str:
    return text


class _CitedTitle(NamedTuple):
    text: str
    language: str
    translated: str
    translated_language: str
    # Whether an English citation gives the translation in square brackets after the title, as APA (9.38) and
    # Chicago (11.6, 14.98) give the English translation of a title in another language.
    bracketed: bool = False


def _cited_title(record: Record, language: str | None) -> _CitedTitle:
    """The title to cite and its language tag, and a translation into ``language`` where there is one.

    The original title; without one (a work known from a source that gives it only romanized or
    translated), its romanization or transcription, as Western bibliographies cite a Russian title; and
    with neither, a translation, in square brackets as catalogues write a title they supply, so that no
    reader takes it for the title of a work in that language.

    An English citation cites an original in another script than Latin in its romanization, as APA (9.38)
    and Chicago (11.6, 14.98) ask of an English reference list, where the record has one it can trust (see
    :func:`_romanization_to_cite`); and it gives the record's English translation, ours or a published
    one, in square brackets after a title that is not English (``bracketed``). Japanese and Russian
    citations cite the original as written.
    """
    titles = list(record.titles.all())
    cited = None
    for forms in ((LabelForm.ORIGINAL,), (LabelForm.ROMANIZATION, LabelForm.TRANSCRIPTION)):
        cited = pick_label([t for t in titles if t.form in forms], None)
        if cited is not None:
            break
    supplied = cited is None
    if supplied:
        cited = pick_label([t for t in titles if t.form != LabelForm.READING] or titles, None)
    if cited is None:
        return _CitedTitle(record.identifier, "", "", "")
    english = base_language(language or "") == "en"
    if english and cited.form == LabelForm.ORIGINAL and not _in_latin_letters(cited.text):
        cited = _romanization_to_cite(titles, cited) or cited
    text = f"[{cited.text}]" if supplied else cited.text
    translated, translated_language = "", ""
    if language:
        translations = [t for t in titles if t.form == LabelForm.TRANSLATION and t.base_language == language]
        chosen = pick_label(translations, language)
        if chosen and chosen.text != cited.text:
            translated, translated_language = chosen.text, chosen.language
    bracketed = english and bool(translated) and not supplied and cited.base_language != "en"
    return _CitedTitle(text, cited.language, translated, translated_language, bracketed)


def _romanization_to_cite(titles: list[Any], original: Any) -> Any:
    """The record's romanization of ``original`` that a citation may give in its place, or ``None``.

    A romanization an archivist entered or checked (not machine-made) is cited, and so is a
    machine-made Russian one: the app transliterates Russian letter by letter from the
    original (ALA-LC), so it is as right as the original is. A machine-made Japanese one is
    cited only when the kana reading it was made from is not machine-made itself: the
    app's reading of kanji is the morphological analyser's guess (a name, a rare word or a
    particle read wrong), and a wrong romanization in a citation sends a reader looking
    for a work that does not exist, where the original, if unreadable to some, is never
    wrong. The original stays in that case.

    A romanization goes with its original as derivation pairs them (see
    :mod:`collection.derivation`): made from it, or entered in its language in the Latin
    script with the same preference.
    """

    def goes_with(label: Any) -> bool:
        if label.derived_from_id is not None:
            return label.derived_from_id == original.pk
        return label.base_language == original.base_language and label.preferred == original.preferred

    forms = [t for t in titles if goes_with(t) and t.text]
    romanizations = sorted(
        (t for t in forms if t.form in (LabelForm.ROMANIZATION, LabelForm.TRANSCRIPTION) and t.script == "Latn"
         and t.base_language == original.base_language),
        key=lambda t: (t.machine_made, t.derived_from_id is not None, t.pk or 0),
    )
    for romanization in romanizations:
        if not romanization.machine_made or romanization.base_language != "ja":
            return romanization
        readings = sorted((t for t in forms if t.form == LabelForm.READING and t.base_language == "ja"),
                          key=lambda t: (t.derived_from_id is not None, t.machine_made, t.pk or 0))
        if readings and not readings[0].machine_made:
            return romanization
    return None


def _in_latin_letters(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin one (a text without letters counts as Latin)."""
    return all(not char.isalpha() or unicodedata.name(char, "").startswith("LATIN") for char in text)


def _item_language(record: Record, title_language: str) -> str:
    """The CSL ``language`` of the item, which decides whether citeproc title-cases its title.

    citeproc title-cases the title of an item in English, or without a language. A title
    cited in another language names the item's language (the record's own tag for it
    where the record lists it), so that a Russian title is never cased as an English
    one; otherwise the record's first language of the material.
    """
    languages = _material_languages(record)
    if title_language and base_language(title_language) != "en":
        same = [tag for tag in languages if base_language(tag) == base_language(title_language)]
        return same[0] if same else title_language
    return languages[0] if languages else ""


def _material_languages(record: Record) -> list[str]:
    """The languages of the material as catalogued: what BibTeX, RIS and meta tags call the language."""
    return [lang.tag for lang in record.languages.all()]


def _name(agent: Any, language: str | None, mark: _Mark) -> dict[str, str]:
    names = list(agent.names.all())
    label = pick_label(names, language)
    if language == "en" and label is not None and not _in_latin_letters(label.text):
        # A name in another script is cited romanized in English, as its title is: by the romanization the
        # title rule trusts, split into family and given names as the original is.
        romanization = _romanization_to_cite(names, label)
        if romanization is not None:
            family, given = getattr(label, "family", ""), getattr(label, "given", "")
            if family and romanization.machine_made and label.base_language == "ru":
                return {"family": mark(romanize_russian(family), romanization.language),
                        "given": mark(romanize_russian(given), romanization.language)}
            return {"literal": mark(romanization.text, romanization.language)}
    if label is not None and getattr(label, "family", ""):
        given = getattr(label, "given", "")
        if has_kana_or_kanji(label.family + given):
            # Written family name first, with no initials and no comma: citeproc-py would take a given name in
            # kanji or kana for a lower-case particle ("山田, . 太郎 .").
            return {"literal": mark(label.text or f"{label.family} {given}".strip(), label.language)}
        return {"family": mark(label.family, label.language), "given": mark(given, label.language)}
    return {"literal": mark(label.text, label.language) if label else agent.identifier}


def _agent_name(agent: Any, language: str | None, mark: _Mark) -> str:
    """An agent's name as it is shown in ``language``, marked with the language of that name."""
    label = agent.display_label(language)
    if language == "en" and label is not None and not _in_latin_letters(label.text):
        label = _romanization_to_cite(list(agent.names.all()), label) or label
    return mark(label.text, label.language) if label else ""


def _csl_type(record: Record) -> str:
    # A news item is broadcast or online: one known by its web address is cited as the online article it is.
    if record.resource_type == "news-item" and record.url:
        return "article-newspaper"
    return CSL_TYPES.get(record.resource_type, "book" if record.kind == "memoir" else "document")


# A year, month or day as EDTF writes them, with an optional qualifier: ~ approximate, ? uncertain, % both.
_EDTF_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?", re.ASCII)


def _edtf_date_parts(text: str) -> tuple[list[int], str] | None:
    """``[year, month, day]`` as far as ``text`` gives them, and its qualifier ("" if none); ``None`` for other
    forms."""
    match = _EDTF_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    parts = [int(year)]
    if month is not None and 1 <= int(month) <= 12:  # 21-41 are seasons and quarters: the year alone
        parts.append(int(month))
        if day is not None:
            parts.append(int(day))
    return parts, qualifier or ""


def _issued(record: Record, language: str | None) -> dict[str, Any] | None:
    """The record's EDTF date as a CSL date: as precise as catalogued, ``circa`` when approximate.

    CSL's date parts say a date, a range and "circa" (``~``). What they cannot say is
    given as the record's page words it, as a literal date: one of a set or all of it
    ("1945 or 1950", not the range 1945–1950), a range open at one end ("1984 onward",
    "until 1950"), and an uncertain date ("1945?", ``?``; "ca. 1945?", ``%``), which is
    not an approximate one. The literal stands alone: citeproc-py ignores a literal
    beside date parts, and Zotero, which prefers the literal, keeps only the first date
    of the parts. Forms beyond years, months and days (``195X``) give their years.
    """
    if record.date_start is None and record.date_end is None:
        return None  # undated, or not a valid EDTF date
    value = record.date_edtf.strip()
    first, slash, last = value.partition("/")
    ends = [first, last] if slash else [first]
    parsed = [_edtf_date_parts(end) for end in ends]
    if all(result is not None and result[1] in ("", "~") for result in parsed):
        dates = [parts for parts, _qualifier in parsed]
        if len(dates) == 2 and dates[0] == dates[1]:
            dates = dates[:1]
        issued: dict[str, Any] = {"date-parts": dates}
        if any(qualifier for _parts, qualifier in parsed):
            issued["circa"] = True
        return issued
    uncertain = any(result is not None and result[1] in ("?", "%") for result in parsed)
    if uncertain or any(end in ("", "..") for end in ends) or value[:1] in ("[", "{"):
        with translation.override(language or translation.get_language()):
            return {"literal": edtf_in_words(value, abbreviated=True)}
    years = [year for year in (record.year_start, record.year_end) if year is not None]
    return {"date-parts": [[year] for year in dict.fromkeys(years)]}


def _sort_year(record: Record) -> int | None:
    """The year a reference manager files a record's date under: its first, or for an open start its last."""
    return record.year_start if record.year_start is not None else record.year_end


def _issuer_or_author(record: Record, language: str | None, mark: _Mark) -> list[dict[str, str]]:
    """The authors; a work without one is cited under its issuing body, as a corporate author."""
    links = list(record.agent_links.all())
    authors = [_name(link.agent, language, mark) for link in links if link.role == AgentRole.AUTHOR]
    return authors or [_name(link.agent, language, mark) for link in links if link.role == AgentRole.ISSUING_BODY]


def _part_of(record: Record, item: dict[str, Any], language: str | None, mark: _Mark,
             title_languages: dict[str, str]) -> None:
    """A record that is part of another (a volume of a series) is cited with its parent's title and its number.

    Only a published parent is named: an unpublished one is not the public's to read, as on the record's page.
    """
    if not record.parent_id:
        return
    if record.sequence is not None and record.level == LevelOfDescription.VOLUME:
        item.setdefault("volume", str(record.sequence))
    parent = record.published_parent()
    if parent is None:
        return
    cited = _cited_title(parent, language)
    in_container = item["type"] in ("chapter", "article-journal", "article-magazine", "article-newspaper")
    key = "container-title" if in_container else "collection-title"
    if key not in item:
        item[key] = mark(cited.text, cited.language)
        title_languages[key] = cited.language
    if not in_container and record.sequence is not None and record.level != LevelOfDescription.VOLUME:
        item.setdefault("collection-number", str(record.sequence))


def csl_json(record: Record, language: str | None = None) -> dict[str, Any]:
    """The record as a CSL-JSON item."""
    return _csl_item(record, language, _unmarked)[0]


def _csl_item(record: Record, language: str | None,
              mark: _Mark) -> tuple[dict[str, Any], dict[str, str], _CitedTitle]:
    """The record as a CSL-JSON item, the language tag of the title of what it is part of ("" where not
    known) by key, and the title it cites. The item's language decides the case of its own title (see
    _item_language).

    CSL has no variable for a translated title: the item names the translation in its ``note``,
    which a reference manager keeps (not as its ``title-short``, a short form of the title itself); the
    formatted citation puts it in square brackets after the title (see
    :func:`formatted_citation`). In an English citation the title is the romanization
    it cites, and the original stays out of ``original-title``, which CSL keeps for the
    title of the work a translation was made from (APA prints it as "Original work
    published as …").
    """
    cited = _cited_title(record, language)
    title_languages: dict[str, str] = {}
    item: dict[str, Any] = {
        "id": record.identifier,
        "type": _csl_type(record),
        "title": mark(cited.text, cited.language),
    }
    if cited.translated:
        translated = mark(cited.translated, cited.translated_language)
        item["note"] = str(_("Title translated: %(title)s") % {"title": translated})
    authors = _issuer_or_author(record, language, mark)
    if authors:
        item["author"] = authors
        if item["type"] == "legislation":
            # Both styles cite legislation by its title alone, as statutes are cited; a decree that names who
            # made or issued it is cited under that name, as the government document it is.
            item["type"] = "document"
    for role, key in ((AgentRole.EDITOR, "editor"), (AgentRole.TRANSLATOR, "translator")):
        people = [_name(link.agent, language, mark) for link in record.agent_links.all() if link.role == role]
        if people:
            item[key] = people
    publishers = [link.agent for link in record.agent_links.all() if link.role == AgentRole.PUBLISHER]
    if publishers:
        item["publisher"] = "; ".join(_agent_name(agent, language, mark) for agent in publishers)
    issued = _issued(record, language)
    if issued:
        item["issued"] = issued
    for field, key in (("container_title", "container-title"), ("volume", "volume"), ("issue", "issue"),
                       ("pages", "page"), ("edition", "edition"), ("publication_place", "publisher-place"),
                       ("isbn", "ISBN"), ("issn", "ISSN"), ("url", "URL"), ("call_number", "call-number")):
        value = getattr(record, field)
        if value and key in _FREE_TEXT:
            value, tag = _free_text_to_cite(value, language)
            item[key] = mark(value, tag)
            if key == "container-title":
                title_languages[key] = tag
        elif value:
            item[key] = value
    _part_of(record, item, language, mark, title_languages)
    if record.accessed:
        item["accessed"] = {"date-parts": [[record.accessed.year, record.accessed.month, record.accessed.day]]}
    if record.repository_id:
        item["archive"] = _agent_name(record.repository, language, mark)
    reference = _archival_reference(record, language)
    if reference:
        item["archive_location"] = reference
    item_language = _item_language(record, cited.language)
    if item_language:
        item["language"] = item_language
    return item, title_languages, cited


def _archival_reference(record: Record, language: str | None) -> str:
    """The fond, opis, delo and folios, abbreviated as the record's page does in ``language`` (ф. 1, оп. 2 in
    Russian, as Russian cites its archives); without a language, in the Latin letters English cites them in."""
    parts = (("f.", _("f."), record.reference_fond), ("op.", _("op."), record.reference_opis),
             ("d.", _("d."), record.reference_delo), ("l.", _("l."), record.reference_folios))
    if not language:
        return ", ".join(f"{latin} {value}" for latin, _label, value in parts if value)
    with translation.override(language):
        return ", ".join(f"{label} {value}" for _latin, label, value in parts if value)


def _free_text_to_cite(text: str, language: str | None) -> tuple[str, str]:
    """A field in words as a citation in ``language`` gives it, and its language tag (see ``_FREE_TEXT``):
    in English, Cyrillic in the app's transliteration, as the titles are; kana and kanji as written, as a
    machine's reading of kanji may be wrong."""
    written = script_language(text)
    if written == "ru" and base_language(language or "") == "en":
        return romanize_russian(text), "ru-Latn"
    return text, written


# The fields in words no field gives the language of (the others are numbers, codes and addresses): marked in the
# language their letters say, as the record's page marks them (its letters_lang_attr filter): lang="ru" for
# Cyrillic, lang="ja" for kana and kanji, and lang="", a language not known, for Latin letters or a mix.
_FREE_TEXT = ("container-title", "publisher-place")


def csl_json_text(record: Record, language: str | None = None) -> str:
    return json.dumps([csl_json(record, language)], ensure_ascii=False, indent=2)


# LaTeX's special characters. A brace is spelt as a command, not ``\{``: BibTeX counts every brace, escaped or
# not, so a lone ``\{`` would end or open a field. Everything else is written as UTF-8.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&", "%": r"\%",
    "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _latex(value: Any) -> str:
    """``value`` as LaTeX text: its special characters escaped."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in str(value))


def _bibtex_url(value: str) -> str:
    # A URL field is read verbatim (url package, biblatex): escaping would change the address. Characters that
    # cannot stand in a BibTeX value are percent-encoded, which is the same address.
    return re.sub(r"[{}\\\s]", lambda match: f"%{ord(match.group()):02X}", value)


def _bibtex_pages(value: str) -> str:
    """A page range with BibTeX's en dash (``131--148``)."""
    return re.sub(r"(?<=\w)\s*(?:-{1,2}|–|—)\s*(?=\w)", "--", value)


def _bibtex_names(people: list[dict[str, str]]) -> str:
    """Names joined by ``and``; a name catalogued whole (a literal) is braced, so BibTeX never splits it."""
    names = []
    for person in people:
        family, given = person.get("family", ""), person.get("given", "")
        if family and given:
            names.append(f"{_latex(family)}, {_latex(given)}")
        elif family:
            names.append("{" + _latex(family) + "}")
        else:
            names.append("{" + _latex(person.get("literal", "")) + "}")
    return " and ".join(names)


def bibtex(record: Record, language: str | None = None) -> str:
    """A UTF-8 BibTeX entry keyed by the record's identifier.

    Text fields are LaTeX, in double braces so that styles keep their case; names and
    URLs have single braces, the names to stay a list and the URL to be read verbatim.
    """
    import bibtexparser
    from bibtexparser.model import Entry, Field

    item, _title_languages, cited = _csl_item(record, language, _unmarked)
    fields: list[tuple[str, str]] = [("title", "{{" + _latex(item["title"]) + "}}")]
    if cited.bracketed:
        # biblatex prints titleaddon after the title, not in italics: the translation as APA and Chicago give it.
        fields.append(("titleaddon", "{{" + _latex(f"[{cited.translated}]") + "}}"))
    for key in ("author", "editor", "translator"):
        if key in item:
            fields.append((key, "{" + _bibtex_names(item[key]) + "}"))
    if "literal" in item.get("issued", {}):
        # BibTeX prints the year as written, and biblatex a year that is not a number; biblatex's date cannot
        # hold a set, and prints an uncertain date without its question mark unless the document asks for it.
        fields.append(("year", "{{" + _latex(item["issued"]["literal"]) + "}}"))
    elif "issued" in item:
        parts = item["issued"]["date-parts"]
        first = parts[0]
        fields.append(("year", "{{" + str(first[0]) + "}}"))
        if len(first) > 1:
            fields.append(("month", _BIBTEX_MONTHS[first[1] - 1]))  # the standard month macro
        # biblatex's date keeps what year and month cannot: the day, and a range's end.
        if len(first) > 2 or len(parts) > 1:
            fields.append(("date", "{" + "/".join(
                "-".join([f"{part[0]:04d}", *(f"{p:02d}" for p in part[1:])]) for part in parts) + "}"))
    mapping = (("container-title", "journal" if item["type"].startswith("article") else "booktitle"),
               ("collection-title", "series"), ("publisher", "publisher"), ("publisher-place", "address"),
               ("volume", "volume"), ("issue", "number"), ("collection-number", "number"), ("page", "pages"),
               ("edition", "edition"), ("ISBN", "isbn"), ("ISSN", "issn"), ("URL", "url"),
               ("archive", "howpublished"), ("archive_location", "note"))
    for source, target in mapping:
        if source not in item or any(key == target for key, _value in fields):
            continue
        value = item[source]
        if target == "url":
            fields.append((target, "{" + _bibtex_url(value) + "}"))
            continue
        if target == "pages":
            value = _bibtex_pages(_latex(value))
        else:
            value = _latex(value)
        fields.append((target, "{{" + value + "}}"))
    for tag in _material_languages(record)[:1]:
        fields.append(("language", "{{" + _latex(tag) + "}}"))
    entry = Entry(BIBTEX_TYPES.get(item["type"], "misc"), record.identifier,
                  [Field(key, value) for key, value in fields])
    # The values are written as they are: the default writer would brace them once more.
    return bibtexparser.write_string(bibtexparser.Library([entry]), unparse_stack=[])


# A line break of any kind, with the spaces around it. A RIS file is a line a field: a break in a value would end
# it there and start lines of the text's own making ("ER  -" ending the reference, then another one).
_RIS_LINE_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")


def _one_line(value: Any) -> Any:
    """``value`` (a text or a list of texts) with each line break a space."""
    if isinstance(value, list):
        return [_one_line(item) for item in value]
    return _RIS_LINE_BREAK.sub(" ", value) if isinstance(value, str) else value


def ris(record: Record, language: str | None = None) -> str:
    """A RIS reference, without the counter line rispy writes before ``TY``."""
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    item, _title_languages, cited = _csl_item(record, language, _unmarked)
    # A decree stays a statute here, whether or not it is cited under its issuer (see csl_json).
    kind = "STAT" if record.resource_type == "decree" else RIS_TYPES.get(item["type"], "GEN")
    entry: dict[str, Any] = {"type_of_reference": kind, "title": item["title"], "id": record.identifier}
    if cited.bracketed:
        entry["translated_title"] = cited.translated  # TT

    def names(people: list[dict[str, str]]) -> list[str]:
        return [f"{p['family']}, {p['given']}" if p.get("family") and p.get("given")
                else p.get("family") or p.get("literal", "") for p in people]

    if "author" in item:
        entry["authors"] = names(item["author"])
    if "editor" in item:
        entry["secondary_authors"] = names(item["editor"])
    if "translator" in item:
        entry["translated_authors"] = names(item["translator"])
    if "literal" in item.get("issued", {}):
        # PY is a year to file the reference under; DA in words, which Zotero keeps as its date where it does not
        # read YYYY/MM/DD (EndNote's date is free text).
        year = _sort_year(record)
        if year is not None:
            entry["year"] = str(year)
        entry["date"] = item["issued"]["literal"]
    elif "issued" in item:
        first = item["issued"]["date-parts"][0]
        entry["year"] = str(first[0])
        if len(first) > 1:  # RIS dates are YYYY/MM/DD/other, empty where unknown
            entry["date"] = "/".join([f"{first[0]:04d}"] + [f"{part:02d}" for part in first[1:]]
                                     + [""] * (3 - len(first)) + [""])
    for source, target in (("container-title", "secondary_title"), ("publisher", "publisher"),
                           ("publisher-place", "place_published"), ("volume", "volume"), ("issue", "number"),
                           ("edition", "edition"), ("ISBN", "issn"), ("URL", "urls"), ("archive", "custom1"),
                           ("archive_location", "custom2")):
        if source in item:
            entry[target] = [item[source]] if target == "urls" else item[source]
    if "collection-title" in item:
        # The series: a book's T2 (as Zotero and EndNote read it), else T3, the tertiary title.
        book = entry["type_of_reference"] == "BOOK" and "secondary_title" not in entry
        entry["secondary_title" if book else "tertiary_title"] = item["collection-title"]
    for tag in _material_languages(record)[:1]:
        entry["language"] = tag
    if "ISSN" in item and "issn" not in entry:
        entry["issn"] = item["ISSN"]
    if "page" in item:
        start, _sep, end = item["page"].partition("-")
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    return rispy.dumps([{key: _one_line(value) for key, value in entry.items()}], implementation=Writer)


# --- languages in the formatted citation ---------------------------------------------------------------------
#
# A cited title or name in another language than the page's is wrapped in <span lang="…">, so that it is read
# and drawn as its language (kanji on an English page are otherwise read by an English voice, and may be drawn
# in Chinese glyph forms). citeproc-py knows nothing of languages and writes HTML itself, and a value may be
# cased, initialized, italicized or quoted on the way: the texts are marked with Unicode noncharacters, which
# Unicode keeps for a program's internal use and which no case mapping or escaping touches, and the marks are
# made into elements after rendering, when the HTML around them is final.
_CLOSE = "\ufdd0"
_FIRST_OPEN = 0xFDD1  # the marks opening the 1st to 31st language tag of one citation
_MARK = re.compile("[\ufdd0-\ufdef]")
# 「, one marked text and nothing else, 」: a quoted title in the language of its mark.
_JAPANESE_QUOTED_MARK = re.compile("\u300c([\ufdd1-\ufdef])([^\ufdd0-\ufdef\u300c\u300d]*)\ufdd0\u300d")
_OPENS = "\ufdd1-\ufdef"
# Punctuation citeproc-py drops when its affix or delimiter repeats it ("Ltd." + ". "): it is left outside
# the mark, where citeproc-py still sees it; spaces likewise, which it collapses.
_MARKABLE = re.compile(r"(\s*)(.*?)([\s.,;:!?]*)", re.DOTALL)
# Parts of one name, or names one after the other, in the same language read best as one element.
_ADJACENT = re.compile(f"([{_OPENS}])([^\ufdd0-\ufdef]*){_CLOSE}([\\s,]*)\\1")


def _edges(text: str) -> tuple[str, str, str]:
    """``text`` as its leading spaces, the part to mark, and its trailing spaces and punctuation."""
    match = _MARKABLE.fullmatch(text)
    return (match[1], match[2], match[3]) if match else ("", text, "")


class _LanguageMarks:
    """Marks texts in another language than ``page_language`` for :func:`formatted_citation`: a text in no known
    language (tag ``""``) is marked ``lang=""``, as HTML says a language is not known."""

    def __init__(self, page_language: str | None) -> None:
        self.page_language = (page_language or "").lower()
        self.tags: list[str] = []

    def __call__(self, text: str, tag: str) -> str:
        before, inner, after = _edges(text)
        if tag.lower() == self.page_language or not inner:
            return text
        if tag not in self.tags:
            if len(self.tags) > 0xFDEF - _FIRST_OPEN:
                return text
            self.tags.append(tag)
        return f"{before}{chr(_FIRST_OPEN + self.tags.index(tag))}{inner}{_CLOSE}{after}"

    def foreign_titles_quoted_as_written(self, rendered: str) -> str:
        """A Japanese citation's 「」 round a title in another script replaced by “ ”.

        Japanese quotes its own titles in 「」; a title in Latin or Cyrillic letters is quoted as the
        Japanese page sets any such text, “Gulag”, not 「Gulag」. A title in no known language keeps 「」.
        """

        def quoted(match: re.Match[str]) -> str:
            index = ord(match.group(1)) - _FIRST_OPEN
            tag = self.tags[index] if index < len(self.tags) else ""
            if not tag or (base_language(tag) == "ja" and script_subtag(tag) != "Latn"):
                return match.group()
            return f"\u201c{match.group(1)}{match.group(2)}{_CLOSE}\u201d"

        return _JAPANESE_QUOTED_MARK.sub(quoted, rendered)

    def to_html(self, rendered: str) -> str:
        """``rendered`` with its marks made into elements; without them if they do not pair up."""
        depth = 0
        for mark in _MARK.findall(rendered):
            depth += -1 if mark == _CLOSE else 1
            if depth < 0:
                break
        if depth:
            return _MARK.sub("", rendered)
        while True:
            merged = _ADJACENT.sub(r"\1\2\3", rendered)
            if merged == rendered:
                break
            rendered = merged

        def element(match: re.Match[str]) -> str:
            if match.group() == _CLOSE:
                return "</span>"
            index = ord(match.group()) - _FIRST_OPEN
            return f'<span lang="{html.escape(self.tags[index])}">' if index < len(self.tags) else "<span>"

        return _MARK.sub(element, rendered)


def _restore_marks(marked: str, cased: str) -> str | None:
    """``cased`` with the marks ``marked`` had, by the same characters; ``None`` if casing changed their number.

    A mark is placed by the characters other than spaces (which title case collapses) before it: an
    opening mark goes before the next one, a closing mark after the last.
    """
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    seen = 0
    for char in marked:
        if char == _CLOSE:
            closing.setdefault(seen, []).append(char)
        elif _MARK.match(char):
            opening.setdefault(seen, []).append(char)
        elif not char.isspace():
            seen += 1
    if sum(not char.isspace() for char in cased) != seen:
        return None
    output: list[str] = []
    seen = 0
    for char in cased:
        if char.isspace():
            output.append(char)
            continue
        output += opening.pop(seen, [])
        output.append(char)
        seen += 1
        output += closing.pop(seen, [])
    return None if opening or closing else "".join(output)


# A given name written as an abbreviation of more than one letter: "Yu." and "Zh.", as Ю and Ж are romanized
# (a language mark may close before its period).
_ABBREVIATED = re.compile(r"(?<!\w)[^\W\d_][^\W\d_]+[\ufdd0-\ufdef]*\.")


@functools.cache
def _initials_as_csl_says() -> None:
    """Make citeproc-py initialize given names only where CSL does, and keep initials of several letters.

    citeproc-py ignores ``initialize="false"``, with which a style asks for given names in full
    (Chicago's bibliography: "Applebaum, Anne", not "Applebaum, A."), where CSL only puts the
    ``initialize-with`` mark after initials already there; and it cuts an initial of several letters to
    one ("Bondarenko, E. Yu." to "E. Y."), which for a romanized Russian name is another letter.
    """
    from citeproc import model

    initialize = model.Name.initialize

    def mended(self: Any, given: str, mark: Any, context: Any) -> Any:
        if _name_option(self, "initialize", context) == "false":
            return " ".join(_marked_initial(word, str(mark).rstrip()) for word in given.split())
        kept = [match for match in _ABBREVIATED.finditer(given) if match.group()[0].isupper()]
        if not kept:
            return initialize(self, given, mark, context)
        words: list[str] = []
        start = 0
        for match in [*kept, None]:
            between = given[start:match.start() if match else len(given)].strip()
            if any(char.isalpha() for char in between):
                words.append(initialize(self, between, mark, context))
            elif between and words:  # a language mark closing after the last abbreviation
                words[-1] += between
            if match:
                words.append(match.group())
                start = match.end()
        return " ".join(words)

    model.Name.initialize = mended


# Initials written as one word ("M.M.", "E.Yu."): each a capital, perhaps with one small letter, and a period.
_INITIAL_RUN = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}")
_INITIAL = re.compile(r"[^\W\d_]{1,2}\.")


def _marked_initial(word: str, mark: str) -> str:
    """A lone initial ("M", or "M" before a language mark's end) with the style's mark after it, initials run
    together ("M.M.") spaced as the style spaces them ("M. M."); any other word as it is."""
    letters = word.rstrip(_CLOSE)
    if len(letters) == 1 and letters.isupper():
        return letters + mark + word[len(letters):]
    if _INITIAL_RUN.fullmatch(letters):
        initials = _INITIAL.findall(letters)
        if all(initial[0].isupper() and (len(initial) == 2 or initial[1].islower()) for initial in initials):
            return " ".join(initial[:-1] + mark for initial in initials) + word[len(letters):]
    return word


def _name_option(name: Any, option: str, context: Any) -> str | None:
    """A name option as CSL inherits it: from the name, else its citation or bibliography, else the style.

    citeproc-py's own lookup fails for an option it has no default of, ``initialize`` among them.
    """
    value = name.get(option)
    if value is None:
        layouts = (context if context is not None else name).xpath_search(
            "./ancestor::*[self::cs:citation or self::cs:bibliography][1]")
        value = layouts[0].get(option) if layouts else None
    return value if value is not None else name.get_root().get(option)


@functools.cache
def _case_and_initials_past_marks() -> None:
    """Make citeproc-py case and initialize a marked text as it would the text without its marks.

    Title case would otherwise see a mark as the first letter of the first word, and the last word
    with a mark after it as no stop word; initials would take the mark for a lower-case particle.
    """
    from citeproc import model
    from citeproc.string import MixedString, String

    case, initialize = model.TextCased.case, model.Name.initialize

    def marked_case(self: Any, text: Any, language: Any = None) -> Any:
        plain = str(text) if text is not None else ""
        if not _MARK.search(plain):
            return case(self, text, language)
        unmarked = text
        for mark in set(_MARK.findall(plain)):
            unmarked = unmarked.replace(mark, "")
        cased = case(self, unmarked, language)
        restored = _restore_marks(plain, str(cased))
        if restored is None:  # a case mapping that changes the number of characters (ß -> SS)
            return cased
        return String(restored) if isinstance(cased, (String, MixedString)) else restored

    def marked_initialize(self: Any, given: str, mark: Any, context: Any) -> Any:
        # A mark closes before the name's last period ("E. L" + close + "."), which _edges left outside it.
        match = re.fullmatch(f"([{_OPENS}]*)(.*?)({_CLOSE}*)([^{_OPENS}{_CLOSE}]*)", given, re.DOTALL)
        if match is None or not match.group(1):
            return initialize(self, given, mark, context)
        opening, inner, closing, tail = match.groups()
        before, initials, after = _edges(initialize(self, inner + tail, mark, context))
        return before + opening + initials + closing + after

    model.TextCased.case = marked_case
    model.Name.initialize = marked_initialize


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

    # Before substituted variables are suppressed: that wraps whatever renders a substitute then.
    _substitutes_try_each_alternative()
    _suppress_substituted_variables()
    _labels_only_beside_their_variable()
    _labels_cased_in_the_language_of_their_terms()
    _a_month_without_its_day_as_the_locale_file_names_it()
    _a_literal_date_only_where_its_year_goes()
    _a_range_within_a_year_shown_without_its_year()
    # Before the marks are taught to initialize: they wrap whatever initializes then.
    _initials_as_csl_says()
    _case_and_initials_past_marks()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(path, locale=locale, validate=False)
    if locale.split("-")[0] != "en":
        # Chicago shortens a page range as English does (131–48, CMOS 9.64); Japanese and Russian give both
        # numbers in full, as ГОСТ Р 7.0.100 does (С. 131–148) and the record's page does (131-148頁).
        style.root.set("page-range-format", "expanded")
    language = locale.split("-")[0]
    if language != "en":
        _no_comma_before_the_last_names_word(style.root)
    if language in _NUMBERS_IN_WORDS:
        # Before the labels are put after their numbers: the labels given here are among them.
        _a_parts_pages_given(style.root)
        _a_journals_volume_and_issue_labelled(style.root, _NUMBERS_IN_WORDS[language])
        _a_volume_out_of_the_titles_italics(style.root)
    if language in _WORDS_AFTER_THE_NUMBER:
        _words_after_their_numbers(style.root)
        _dates_written_as_one(style.root)
    return style


def _no_comma_before_the_last_names_word(root: Any) -> None:
    """Join the last name to the others by the locale's word alone: «Тестов, Иван, Анна Тестова и Пётр Тестов».

    The comma before "and" is English (CMOS 6.19, the serial comma); Russian puts none before «и», nor
    Japanese before 「と」. Names joined by a symbol (APA's "&") keep the style's comma.
    """
    for name in root.iter(f"{_CSL}name"):
        if name.get("and") == "text":
            name.set("delimiter-precedes-last", "never")


# Languages whose bibliographies word a journal's volume and issue (т. 2, № 7; 第2巻第7号), where the styles give
# bare numbers (2 (7), 2(7)), and always give a chapter's pages; with what goes between the volume and the issue.
_NUMBERS_IN_WORDS = {"ja": "", "ru": ", "}


def _a_parts_pages_given(root: Any) -> None:
    """Give the pages of a part of a book (a chapter), labelled (45–67頁, с. 45–67), where the style gives none.

    Chicago's 18th edition leaves a chapter's pages out of its references; Japanese and Russian bibliographies
    always give them, as the record's page and APA do. The style marks the place, an empty branch for a part of
    a book ("remove `container-title` condition in styles that print chapter page numbers").
    """
    for branch in root.iter(f"{_CSL}else-if"):
        alternatives = _elements(branch.getparent())
        pages_otherwise = any(
            alternative.tag == f"{_CSL}else" and [(child.tag, child.get("variable")) for child in
                                                   _elements(alternative)] == [(f"{_CSL}text", "page")]
            for alternative in alternatives)
        if branch.get("variable") != "container-title" or _elements(branch) or not pages_otherwise:
            continue
        group = branch.makeelement(f"{_CSL}group", {"delimiter": " "})
        group.append(branch.makeelement(f"{_CSL}label", {"variable": "page", "form": "short"}))
        group.append(branch.makeelement(f"{_CSL}text", {"variable": "page"}))
        branch.append(group)


def _a_journals_volume_and_issue_labelled(root: Any, between: str) -> None:
    """Label a journal's volume and issue as the record's page does (т. 2, № 7; 第2巻第7号), not the styles'
    "2 (7)", which in Japanese and Russian reads as a count and a note.

    The styles give the volume bare and the issue in parentheses after it. Each becomes a label and its number
    (a label only beside a number, as the styles' label-volume macro gives one, so that 上巻 stays as it is), the
    issue next to the volume, ``between`` them; the parentheses keep what else they hold. Chicago gives a bare
    volume after the journal's title with a space, and a labelled number after a comma (Journal, no. 5): a
    Russian volume now labelled takes the comma too. Japanese joins a number to a title in 『』 without either
    (see :func:`_japanese_titles_bracketed`).
    """
    for issue in list(root.iter(f"{_CSL}text")):
        if issue.get("variable") != "issue":
            continue
        parentheses = next((ancestor for ancestor in issue.iterancestors(f"{_CSL}group")
                            if ancestor.get("prefix") == "(" and ancestor.get("suffix") == ")"), None)
        before = parentheses.getprevious() if parentheses is not None else None
        if before is None:
            continue
        volumes = [element for element in [before, *before.iterdescendants(f"{_CSL}text")]
                   if element.tag == f"{_CSL}text" and element.get("variable") == "volume"
                   and set(element.attrib) <= {"variable", "font-style"}]
        if not volumes:
            continue
        for volume in volumes:
            numbers = volume.makeelement(f"{_CSL}group", {"delimiter": between})
            numbers.append(_labelled(volume, "volume"))
            numbers.append(_labelled(volume, "issue"))
            volume.getparent().replace(volume, numbers)
        issue.getparent().remove(issue)
    if between.strip():
        for group in root.iter(f"{_CSL}group"):
            if group.get("delimiter") == " " and [_called_macros(child) for child in _elements(group)] == [
                    {"source-serial-title-bib"}, {"source-serial-identifier-bib"}]:
                group.set("delimiter", between)


# APA's macros that give a book's title, or the title of the book a chapter is in, with the title of its volume
# after a colon, in italics; and what goes between them in Japanese and Russian instead.
_TITLES_WITH_THEIR_VOLUME = {"title-and-volume-title": ". ", "source-monographic-title": ", "}


def _a_volume_out_of_the_titles_italics(root: Any) -> None:
    """Give a volume that is not a number after the title of its book, not in its italics: История плена. Кн. 2,
    as Russian writes it and as Chicago gives it (Т. 3.; В Сборник, т. 3); in a chapter, after the title of the book
    it is in with a comma, as Chicago does.

    APA takes a volume that is not a number for the title of the volume, which it gives in the book's title after a
    colon (*Title: Part one*); 上巻 and Кн. 2 are a volume's number as those languages write one. Japanese joins it
    to a title in 『』 (see :func:`_volume_after_the_title` and :func:`_volume_after_its_books_title`).
    """
    for macro in root.iter(f"{_CSL}macro"):
        between = _TITLES_WITH_THEIR_VOLUME.get(macro.get("name"))
        group = next((child for child in _elements(macro) if child.tag == f"{_CSL}group"), None)
        if between is None or group is None or group.get("delimiter") != ": ":
            continue
        title = next(child for child in _elements(group) if child.get("variable"))
        title.set("font-style", "italic")
        group.attrib.pop("font-style", None)
        group.set("delimiter", between)
        for caller in root.iter(f"{_CSL}text"):
            if caller.get("macro") == macro.get("name"):
                caller.attrib.pop("font-style", None)


def _labelled(element: Any, variable: str) -> Any:
    """A ``variable`` with its short label before it where it is a number (vol. 2, but 上巻 alone)."""
    group = element.makeelement(f"{_CSL}group", {"delimiter": " "})
    choose = element.makeelement(f"{_CSL}choose", {})
    numeric = element.makeelement(f"{_CSL}if", {"is-numeric": variable})
    numeric.append(element.makeelement(f"{_CSL}label", {"variable": variable, "form": "short"}))
    choose.append(numeric)
    group.append(choose)
    group.append(element.makeelement(f"{_CSL}text", {"variable": variable}))
    return group


# Languages that write a label after its number and "circa" after its date: 第2巻, 第5号, 第2版, 1950年頃.
_WORDS_AFTER_THE_NUMBER = {"ja"}
_CSL = "{http://purl.org/net/xbiblio/csl}"


def _words_after_their_numbers(root: Any) -> None:
    """Put each label after the number it labels, and "circa" after its date, with no space, as Japanese writes
    them; an ordinal (an edition's) as Japanese writes one, 第2; and a volume's or an issue's number as the nth
    of its sequence, 第2巻 (see :func:`_counted_from_the_first`).

    A CSL locale gives the words but not their order: the styles write a label, then its number ("vol. 2",
    "ca. 1950"), which in Japanese terms read 巻 2 and 頃 1950年. CSL's ordinals are suffixes, which gave
    2番目 版 for 第2版. Only a group that pairs a value with its word is changed (the styles' label-* and
    date-* macros); done once on a style parsed for a Japanese citation, which no other language shares.
    """
    for group in root.iter(f"{_CSL}group"):
        children = _elements(group)
        if len(children) == 1 and children[0].tag == f"{_CSL}choose":
            runs = [_elements(branch) for branch in _elements(children[0])]
        else:
            runs = [children]
        if group.get("delimiter") != " " or not all(_value_and_word(run) for run in runs):
            continue
        if not any(len(run) == 2 for run in runs):
            continue
        for run in runs:
            if len(run) == 2 and _is_word(run[0]):
                run[1].addnext(run[0])
                _counted_from_the_first(run[0], run[1])
            for element in run:
                if element.tag == f"{_CSL}number" and element.get("form") == "ordinal":
                    del element.attrib["form"]
                    element.set("prefix", "第")
        group.set("delimiter", "")


# Numbers Japanese writes as the nth of a sequence, 第2巻 and 第7号: 2巻 is two volumes, as a set is counted.
_NUMBERED_IN_SEQUENCE = ("volume", "issue")


def _counted_from_the_first(word: Any, value: Any) -> None:
    """Put 第 before the number a volume or an issue label follows, where it is a number (第2巻, not 第上巻)."""
    labelled = {label.get("variable") for label in word.iter(f"{_CSL}label")}
    for variable in _NUMBERED_IN_SEQUENCE:
        if variable in labelled:
            choose = value.makeelement(f"{_CSL}choose", {})
            numeric = value.makeelement(f"{_CSL}if", {"is-numeric": variable})
            numeric.append(value.makeelement(f"{_CSL}text", {"value": "第"}))
            choose.append(numeric)
            value.addprevious(choose)


def _dates_written_as_one(root: Any) -> None:
    """Write a date's year, its month and day, and the word saying what the date is, as one word, as Japanese
    does: 1998年4月12日放送, where the styles give "1998, April 12" and "Aired April 12".

    APA shows an ephemeral item's year, then ", " and its month and day, from two macros; Chicago puts the date's
    status word (aired) before the date macro. Both are groups of macro calls, which the label rule above leaves.
    """
    for group in root.iter(f"{_CSL}group"):
        children = _elements(group)
        macros = [_called_macros(child) for child in children]
        if (group.get("delimiter") == ", " and len(children) == 2
                and "date-issued-year" in macros[0] and "date-issued-month-day" in macros[1]):
            group.set("delimiter", "")
        elif (group.get("delimiter") == " " and len(children) == 2
                and macros[0] == {"source-date-status-bib"} and children[1].get("macro", "").startswith("source-date")):
            children[1].addnext(children[0])
            group.set("delimiter", "")


def _called_macros(element: Any) -> set[str]:
    """The names of the macros ``element`` calls, itself or in the elements it holds."""
    return {called.get("macro") for called in element.iter(f"{_CSL}text") if called.get("macro")}


def _elements(parent: Any) -> list[Any]:
    return [child for child in parent if isinstance(child.tag, str)]


def _is_word(element: Any) -> bool:
    """A label, "circa", or a choice of them: a word that goes with a value beside it."""
    if element.tag == f"{_CSL}label":
        return True
    if element.tag == f"{_CSL}text":
        return element.get("term") == "circa" or element.get("value") is not None
    if element.tag == f"{_CSL}choose":
        return all(all(_is_word(child) for child in _elements(branch)) for branch in _elements(element))
    return False


def _is_value(element: Any) -> bool:
    return (element.tag in (f"{_CSL}number", f"{_CSL}date")
            or (element.tag == f"{_CSL}text" and element.get("variable") is not None))


def _value_and_word(run: list[Any]) -> bool:
    """Whether ``run`` is a value with at most one word before or after it."""
    values = [element for element in run if _is_value(element)]
    return len(values) == 1 and len(run) <= 2 and all(_is_word(element) for element in run if element not in values)


# A parsed style keeps the state of the item it is rendering on its elements: one rendering at a time.
_RENDERING = threading.Lock()


@functools.cache
def _substitutes_try_each_alternative() -> None:
    """Make citeproc-py try the names in a ``cs:choose`` of a ``cs:substitute`` one by one, in the form of the names
    they stand in for, as it tries the substitute's own children.

    Chicago substitutes an editor or a translator for a missing author inside a condition
    (``<choose><if match="none" type="standard"><names variable="editor"/><names variable="translator"/>``).
    citeproc-py rendered every name of that branch at once ("A. EditovaB. Translov"), and each in its default
    form instead of the author's ("Editova, Anna, ed."). CSL processors try each element of the branch that
    applies as one more alternative (citeproc-js; pandoc's citeproc since jgm/citeproc#159), and a ``cs:names``
    with no ``cs:name`` of its own takes the name, et-al and label of the names it substitutes for.
    """
    from citeproc import model
    from citeproc.source import VariableError

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        substituted = self.getparent()
        for alternative in _substitute_alternatives(self, item, context):
            try:
                if isinstance(alternative, model.Names) and alternative.name is None:
                    text = alternative.render(item, names_context=substituted, context=context, **kwargs)
                else:
                    text = alternative.render(item, context=context, **kwargs)
            except VariableError:
                continue
            if text:
                return text
        return None

    model.Substitute.render = render


def _substitute_alternatives(parent: Any, item: Any, context: Any) -> Any:
    """The elements a substitute tries in turn: its children, and for a ``cs:choose`` the children of the branch
    that applies to ``item``."""
    from citeproc import model

    for child in parent.getchildren():
        if isinstance(child, model.Choose):
            branch = next((branch for branch in child.getchildren() if _applies(branch, item, context)), None)
            if branch is not None:
                yield from _substitute_alternatives(branch, item, context)
        else:
            yield child


class _ConditionOnly:
    """A ``cs:if`` or ``cs:else-if`` whose children render nothing: citeproc-py's own test of the condition runs on
    it without rendering the branch."""

    def __init__(self, branch: Any) -> None:
        self.branch = branch

    def __getattr__(self, name: str) -> Any:
        return getattr(self.branch, name)

    def render_children(self, *args: Any, **kwargs: Any) -> None:
        return None


def _applies(branch: Any, item: Any, context: Any) -> bool:
    """Whether the condition of a branch of a ``cs:choose`` holds for ``item`` (a ``cs:else`` always does)."""
    from citeproc import model

    if isinstance(branch, model.Else):
        return True
    try:
        model.If.render(_ConditionOnly(branch), item, context=context)
    except model.ConditionFailed:
        return False
    return True


@functools.cache
def _suppress_substituted_variables() -> None:
    """Make citeproc-py suppress every variable a ``cs:substitute`` rendered, as CSL requires.

    CSL suppresses substituted variables in the rest of the output, so that a work
    without an author, cited by its title or its editors in the author's place, does not
    show them twice. citeproc-py suppresses a variable only when the substitute names it
    itself, not when it renders it through a macro, as the shipped styles do
    (``<text macro="title"/>``), and never suppresses a name: APA named an editor cited as
    the author again after the title, "(A. Editova, Ed.)". Each text and name variable
    rendered inside a substitute that gave output is suppressed here.
    """
    from citeproc import model

    render_substitute, text_variable, process_names = model.Substitute.render, model.Text._variable, model.Names.process

    def variable(self: Any, item: Any, context: Any) -> Any:
        text = text_variable(self, item, context)
        rendered = getattr(context.get_layout(), "substituted", None)
        if text and rendered is not None:
            rendered.add((self.tag, self.get("variable")))
        return text

    def names(self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
        layout = (context if context is not None else self).get_layout()
        variables = self.get("variable")
        repressed = layout.repressed.get(self.tag, [])
        shown = [name for name in variables.split() if name not in repressed]
        # A suppressed variable is empty for the rest of the output: the names are rendered as if the style named
        # only the others (one item is rendered at a time, see _RENDERING).
        self.set("variable", " ".join(shown))
        try:
            text = process_names(self, item, names_context=names_context, context=context, **kwargs)
        finally:
            self.set("variable", variables)
        rendered = getattr(layout, "substituted", None)
        if text and rendered is not None:
            rendered.update((self.tag, name) for name in shown if name in item.reference)
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
    model.Names.process = names
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


@functools.cache
def _labels_cased_in_the_language_of_their_terms() -> None:
    """Make citeproc-py title-case a label's term where the style asks and the citation is in English.

    citeproc-py title-cases a text only when told it is English, and a label never tells it, so APA's
    editor came out "(ed.)" where APA writes "(Ed.)". A term is in the locale's language, not the item's:
    the locale decides, and Japanese and Russian terms stay as their locales write them.
    """
    from citeproc import model

    def markup(self: Any, text: Any) -> Any:
        if not text:
            return None
        return self.wrap(self.format(self.case(self.strip_periods(text), _locale_language(self))))

    model.Label.markup = markup


@functools.cache
def _a_month_without_its_day_as_the_locale_file_names_it() -> None:
    """Make citeproc-py name a month shown without its day as the CSL locale file does, not as the style's locale.

    The styles name Russian months in the genitive, as a day before its month needs ("4 марта 1950 г."),
    which a month shown alone (a magazine's issue of March 1950) is not: APA wrote "(1950, марта)" for
    "(1950, март)". A locale file names months as they stand alone; where a style names one otherwise, a
    date without a day takes the locale file's name. A name in lower case is marked for
    :func:`_months_starting_a_part_capitalized`.
    """
    from citeproc import model

    process = model.Date_Part.process

    def month(self: Any, date: Any, context: Any = None) -> Any:
        text = process(self, date, context)
        if self.get("name") != "month" or "day" in date or "month" not in date or not text:
            return text
        term = f"month-{date.month:02}"
        style = _style_of(self)
        if str(text) != str(style.get_single_term(name=term)):
            return text  # a number, or an abbreviation
        language = _locale_language(style)
        for locale in style.locales:
            tag = locale.get("{http://www.w3.org/XML/1998/namespace}lang", "")
            if locale.getparent() is None and tag.split("-")[0] == language:  # a locale file, not the style's own
                try:
                    text = type(text)(locale.get_term(term).single)
                except IndexError:
                    pass
                break
        return type(text)(f"{_MONTH}{text}") if str(text)[:1].islower() else text

    model.Date_Part.process = month


# Before a month named in lower case, while citeproc-py renders it: a noncharacter, as the language marks are.
_MONTH = "\U0005fffe"


def _a_month_aired_in_set_off(rendered: str, style: Any) -> str:
    """``rendered`` with a colon between the word saying a broadcast aired and a month named without its day:
    «Эфир: март», as Russian sets a date off its label, where «Эфир март» joins two nouns in the nominative;
    «Эфир 4 марта» (aired on 4 March) reads on as it is. Only a month named in lower case is marked (see
    :func:`_a_month_without_its_day_as_the_locale_file_names_it`): "Aired March" stays as Chicago writes it.
    """
    aired = str(style.root.get_single_term("aired"))
    if not aired or _MONTH not in rendered:
        return rendered
    return re.sub(f"(?<!\\w)({re.escape(aired)}) {_MONTH}", f"\\1: {_MONTH}", rendered, flags=re.IGNORECASE)


def _months_starting_a_part_capitalized(rendered: str) -> str:
    """``rendered`` with each month named in lower case (see
    :func:`_a_month_without_its_day_as_the_locale_file_names_it`) capitalized where it starts the citation or,
    after a period, a part of it: «Заметка». Март., as Chicago starts each part after a period with a capital
    (Т. 1., Неопубликованная рукопись.) and an English month has one. After a comma (Журнал, март.) and in
    APA's parentheses (1946, март) it stays in lower case, as Russian writes it.
    """
    if _MONTH not in rendered:
        return rendered

    def month(match: re.Match[str]) -> str:
        before = rendered[:match.start()]
        return match.group(1).upper() if not before or before.endswith(". ") else match.group(1)

    return re.sub(f"{_MONTH}(.)", month, rendered)


@functools.cache
def _a_literal_date_only_where_its_year_goes() -> None:
    """Make citeproc-py render a literal date only in a ``cs:date`` that shows the year, once.

    A literal date ("1945 or 1950") has no parts: citeproc-py rendered all of it for any
    part asked for, and APA, which gives a magazine's month and day beside the year,
    cited "(1945 or 1950, 1945 or 1950)". It now stands where the year does, and a date
    showing only a month or a day shows nothing of it.
    """
    from citeproc import model
    from citeproc.source import LiteralDate, VariableError

    process = model.Date.process

    def literal_with_its_year(self: Any, item: Any, variable: Any = None, show_parts: Any = None,
                              context: Any = None, **kwargs: Any) -> Any:
        name = variable or self.get("variable")
        try:
            value = item.reference[name.replace("-", "_")]
        except VariableError:
            value = None
        if isinstance(value, LiteralDate):
            shown = (self.get("date-parts") or "year-month-day").split("-") if self.get("form") else [
                part.get("name") for part in self.iterchildren() if isinstance(part.tag, str)]
            if "year" not in shown or (show_parts is not None and "year" not in show_parts):
                return None
        return process(self, item, variable=variable, show_parts=show_parts, context=context, **kwargs)

    model.Date.process = literal_with_its_year


@functools.cache
def _a_range_within_a_year_shown_without_its_year() -> None:
    """Make citeproc-py render the month and day of a range within one year where the style shows its year apart.

    citeproc-py drops the year shared by both ends from the parts it shows, and failed where the year was not
    among them: Chicago and APA give the year first and the month and day in a ``cs:date`` of their own, so
    the page of a record dated 1945-08-23/1945-09-02 could not be shown, and the year alone rendered nothing.
    The year is given once, and each end's month and day (August 23–September 2), as citeproc-py gives them
    for a range across years; a range within one month gives its month once too, where the locale's date
    puts it (see :func:`_days_of_one_month`).
    """
    from citeproc import model

    render_date_range = model.Date.render_date_range

    def range_without_its_year(self: Any, date_range: Any, show_parts: Any = None, context: Any = None) -> Any:
        begin, end = date_range.begin, date_range.end
        if show_parts is None or end.is_nil() or begin.year != end.year:
            return render_date_range(self, date_range, show_parts, context)
        if all(getattr(begin, part, None) == getattr(end, part, None) for part in show_parts):
            return self.render_single_date(end, list(show_parts), context)  # the year alone: 1945
        if "year" in show_parts:
            return render_date_range(self, date_range, show_parts, context)
        if days := _days_of_one_month(self, begin, end, show_parts, context):
            return days
        first = self.render_single_date(begin, list(show_parts), context)
        last = self.render_single_date(end, list(show_parts), context)
        if not (first and last) or first == last:
            return first or last
        # The Russian month's prefix would follow the dash: «август– сентябрь».
        return first.rstrip() + self.unicode_character("EN DASH") + _without_leading_space(last)

    model.Date.render_date_range = range_without_its_year


def _days_of_one_month(date: Any, begin: Any, end: Any, show_parts: Any, context: Any) -> Any:
    """The days of a range within one month with the month named once, as CSL asks of a range (the parts both
    ends share are not repeated) and citeproc-js does; ``None`` for any other range.

    citeproc-py gave each end whole: "August 23–August 30", «23 августа–30 августа», "8月23日–8月30日". The
    month stands where the locale's date puts it, and each day keeps its own affixes: "August 23–30",
    «23–30 августа» (in the genitive, as a day before it needs), "8月23日–30日", as the record's page writes it
    (8月23日～30日).
    """
    # A date's parts are keys: citeproc-py's dates raise KeyError, not AttributeError, for a part they lack.
    months, days = (begin.get("month"), end.get("month")), (begin.get("day"), end.get("day"))
    if not {"month", "day"} <= set(show_parts) or months[0] is None or months[0] != months[1] or None in days:
        return None
    # As citeproc-py renders a whole date: a locale's date renders its parts with the style's date's attributes.
    part_context = context if context is not date else None
    pieces = []
    for part in date.iterchildren():
        name = part.get("name") if isinstance(part.tag, str) else None
        if name not in show_parts:
            continue
        if name != "day":
            pieces += date.parts(end, [name], part_context)
            continue
        first, last = date.parts(begin, [name], part_context), date.parts(end, [name], part_context)
        if not (first and last):
            return None
        pieces.append(first[0].rstrip() + date.unicode_character("EN DASH") + _without_leading_space(last[0]))
    return (context if date.is_locale_date() else date).join(pieces) or None


def _without_leading_space(text: Any) -> Any:
    """A rendered text without the space its prefix starts it with, as the same kind of text citeproc-py made."""
    from citeproc.string import MixedString

    if isinstance(text, MixedString):
        head, *rest = text
        return MixedString([type(head)(str(head).lstrip()), *rest])
    return type(text)(str(text).lstrip())


def _style_of(element: Any) -> Any:
    """The style an element renders for: its root, or for a locale file's element the style using the file."""
    root = element.get_root()
    return getattr(root, "style", None) or root


def _locale_language(element: Any) -> str:
    """The language of the locale a style element takes its terms from ("en", "ja", "ru")."""
    for locale in element.get_root().locales:
        tag = locale.get("{http://www.w3.org/XML/1998/namespace}lang")
        if tag:
            return tag.split("-")[0]
    return "en"


def formatted_citation(record: Record, style: str, language: str | None = None) -> str:
    """The record cited in a CSL style, as HTML, in the page's language."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    _label, path = STYLES[style]
    locale = CSL_LOCALES.get((language or "en").split("-")[0], "en-US")
    marks = _LanguageMarks(language)
    item, title_languages, cited = _csl_item(record, language, _unmarked)
    # A catalogue text holding noncharacters of its own would have them taken for marks: such a record is
    # cited unmarked. Otherwise every mark in the rendering is one made here.
    plain = json.dumps(item, ensure_ascii=False)
    marked = not _MARK.search(plain)
    if marked:
        item, title_languages, cited = _csl_item(record, language, marks)
    mark = marks if marked else _unmarked
    bracketed = cited.bracketed and not _TRANSLATION.search(plain)
    if bracketed:
        # Rendered with the title, so that it follows the title wherever the style puts it; moved out of the
        # title's italics or quotes after rendering (_translation_after_the_title).
        translation = mark(cited.translated, cited.translated_language)
        item["title"] += f"{_TRANSLATION_OPEN} [{translation}]{_TRANSLATION_CLOSE}"
    if locale.startswith("ja"):
        _numbered_in_its_series_as_the_page_does(item)
    bracketed_in_japanese = locale.startswith("ja") and not _JAPANESE_TITLE.search(plain)
    if bracketed_in_japanese:
        if style in _STYLES_CITING_A_BOOKS_SERIES:
            series = _series_in_parentheses(item, title_languages) or _volume_after_the_title(item, cited)
        elif not _numbered_as_the_styles_take_it(item.get("volume", "")):
            series = _volume_after_the_title(item, cited)
        else:
            series = ""
        volume = _volume_after_its_books_title(item, title_languages)
        _japanese_titles_to_bracket(item, cited, title_languages)
        item["title"] += series
        if volume:
            item["container-title"] += volume
    # citeproc-py's HTML formatter inserts field values unescaped.
    escaped = _escaped(item)
    for key, tag in title_languages.items():
        if not _may_be_english(item[key], tag):
            # citeproc-py title-cases every title of an English item, a Russian journal's among them.
            escaped[key] = f'<span class="nocase">{escaped[key]}</span>'
    source = CiteProcJSON([escaped])
    with _RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        style = _style(str(path), locale)
        bibliography = CitationStylesBibliography(style, source, formatter.html)
        bibliography.register(Citation([CitationItem(record.identifier)]))
        rendered = re.sub(r"[^\S\u00a0]+", " ", "".join(str(entry) for entry in bibliography.bibliography())).strip()
        if bracketed:
            rendered = _translation_after_the_title(rendered)
        if bracketed_in_japanese:
            rendered = _japanese_titles_bracketed(_series_after_the_title(rendered))
        rendered = _months_starting_a_part_capitalized(_a_month_aired_in_set_off(rendered, style))
        if style.root.get_locale_option("punctuation-in-quote").lower() == "true":
            # American English puts a period or comma inside the closing quote; citeproc-py ignores the
            # locale's option that says so. A period then meets the ".", "?" or "!" a quoted title may end in.
            rendered = _END_THEN_QUOTED_PERIOD.sub(r"\1", rendered)
            rendered = _CLOSING_QUOTE_THEN_PUNCTUATION.sub(r"\2\1", rendered)
        rendered = _PERIOD_THEN_PERIOD.sub(r"\1", rendered)
        rendered = _QUESTION_OR_EXCLAMATION_THEN_PERIOD.sub(r"\1", rendered)
    if marked and locale.startswith("ja"):
        rendered = marks.foreign_titles_quoted_as_written(rendered)
    return marks.to_html(rendered) if marked else rendered


# Around the bracketed translation of a title while citeproc-py renders it: noncharacters, as the language marks
# are, from another plane.
_TRANSLATION_OPEN, _TRANSLATION_CLOSE = "\U0001fffe", "\U0001ffff"
_TRANSLATION = re.compile("[\U0001fffe\U0001ffff]")
# The translation, then the end of the title's italics or quotes and of its language mark.
_TRANSLATION_INSIDE = re.compile(f"{_TRANSLATION_OPEN}([^{_TRANSLATION_CLOSE}]*){_TRANSLATION_CLOSE}"
                                 f"((?:</i>|\u201d|{_CLOSE})*)")


# Around a title in Japanese script while citeproc-py renders a Japanese citation: the work's own title, and the
# title of the journal or book it is in. Noncharacters, as the language marks are, from other planes.
_OWN_OPEN, _OWN_CLOSE = "\U0002fffe", "\U0002ffff"
_CONTAINER_OPEN, _CONTAINER_CLOSE = "\U0003fffe", "\U0003ffff"
# Around the series a title is followed by, in parentheses: noncharacters from another plane.
_SERIES_OPEN, _SERIES_CLOSE = "\U0004fffe", "\U0004ffff"
_JAPANESE_TITLE = re.compile("[\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff]")
# The series, then the end of the title's italics or quotes and of its language marks.
_SERIES_INSIDE = re.compile(f"{_SERIES_OPEN}([^{_SERIES_CLOSE}]*){_SERIES_CLOSE}"
                            f"((?:</i>|[\u300d\u201d{_CLOSE}{_OWN_CLOSE}])*)")
# The styles that cite the series a book is in, after the book's volume, and a book's volume after its date. APA
# names only a report's series, in parentheses after its title already (its identifier-series macro), and the
# volume there too.
_STYLES_CITING_A_BOOKS_SERIES = {"chicago-author-date"}


def _in_the_pages_words(wording: str, number: str) -> str:
    """A number in a series worded in Japanese as the record's page words it (第7号, 第1巻); a number that is
    not a numeral (上巻) as catalogued."""
    if not number.isdigit():
        return number
    with translation.override("ja"):
        return gettext(wording) % {"number": number}


def _numbered_in_its_series_as_the_page_does(item: dict[str, Any]) -> None:
    """Word the number of a part in its series as the record's page does in Japanese, 第7号: the styles give the
    bare number after the series' title (シベリア抑留叢書 7), which Japanese reads as part of the title."""
    if "collection-number" in item:
        item["collection-number"] = _in_the_pages_words("no. %(number)s", item["collection-number"])


def _series_in_parentheses(item: dict[str, Any], title_languages: dict[str, str]) -> str:
    """The Japanese series of ``item`` with its number, taken out of the item, to follow the title; "" for none.

    Japanese names the series a book is in after the book's title, in parentheses and with the book's number
    in it, as the record's page numbers it: 『抑留の記録』（シベリア抑留叢書 第1巻）, where Chicago writes the
    volume, then the series, each on its own ("Vol. 1. Siberian Internment Series."). The series' title is not
    bracketed: in parentheses it names no work of its own. A series in Latin or Cyrillic letters keeps the
    style's order, as a title in them keeps its italics. Held between marks that
    :func:`_series_after_the_title` reads after rendering.
    """
    series = item.get("collection-title", "")
    if not series or not _in_japanese_script(_MARK.sub("", series), title_languages.get("collection-title", "")):
        return ""
    del item["collection-title"]
    title_languages.pop("collection-title", None)
    if "collection-number" in item:
        number = item.pop("collection-number")
    else:
        number = _in_the_pages_words("vol. %(number)s", item.pop("volume", ""))
    statement = f"{series} {number}" if number else series
    return f"{_SERIES_OPEN}\uff08{statement}\uff09{_SERIES_CLOSE}"


def _volume_after_the_title(item: dict[str, Any], cited: _CitedTitle) -> str:
    """The volume of a book in no series, taken out of ``item``, to follow its title in Japanese script; ""
    for none.

    Japanese gives a volume with the title it is a volume of, 『抑留全史』第3巻, where Chicago writes it after the
    date ("Vol. 3."), as the record's page words it; a volume that is not a numeral (上巻) as catalogued, which
    APA would give in the title's italics (its own parentheses hold a volume that is a number, (第3巻)). A
    volume of a book in a series in Latin or Cyrillic letters stays with the series, as the style orders it;
    one of a work in a book or a journal, with that (see :func:`_japanese_titles_bracketed`); and a title in
    Latin or Cyrillic letters keeps the style's order, as it keeps its italics. Held between the marks of a
    series (see :func:`_series_in_parentheses`).
    """
    if ("collection-title" in item or "container-title" in item or not item.get("volume")
            or not _in_japanese_script(cited.text, cited.language)):
        return ""
    return f"{_SERIES_OPEN}{_in_the_pages_words('vol. %(number)s', item.pop('volume'))}{_SERIES_CLOSE}"


def _numbered_as_the_styles_take_it(volume: str) -> bool:
    """Whether the styles take ``volume`` for a number (3, 2a), which they label (vol. 3), and not for the title of
    a volume, which APA gives in the book's title (上巻, Кн. 2); an empty one counts as a number."""
    from citeproc.model import If

    return not volume or bool(If.re_numeric.match(volume))


def _volume_after_its_books_title(item: dict[str, Any], title_languages: dict[str, str]) -> str:
    """The volume of the book in Japanese script a chapter is in, taken out of ``item``, to follow that book's
    title (『抑留の本』上巻), where it is not a number; "" otherwise.

    A volume that is a number is labelled and joined to the title in 『』 already (『抑留の本』第3巻, see
    :func:`_japanese_titles_bracketed`); one that is not, the styles give after a comma (Chicago) or in the
    book's title (APA). Held between the marks of a series (see :func:`_series_in_parentheses`).
    """
    container = item.get("container-title", "")
    if (item["type"] != "chapter" or _numbered_as_the_styles_take_it(item.get("volume", ""))
            or not _in_japanese_script(_MARK.sub("", container), title_languages.get("container-title", ""))):
        return ""
    return f"{_SERIES_OPEN}{item.pop('volume')}{_SERIES_CLOSE}"


def _series_after_the_title(rendered: str) -> str:
    """The series in parentheses (see :func:`_series_in_parentheses`) moved out of the title's italics or
    quotes, to follow them."""
    return _SERIES_INSIDE.sub(r"\2\1", rendered).replace(_SERIES_OPEN, "").replace(_SERIES_CLOSE, "")


def _in_japanese_script(text: str, tag: str) -> bool:
    """Whether a title is written in kanji or kana: by its tag, or, in no known language, by its letters."""
    if tag:
        return base_language(tag) == "ja" and script_subtag(tag) != "Latn"
    return has_kana_or_kanji(text)


def _japanese_titles_to_bracket(item: dict[str, Any], cited: _CitedTitle, title_languages: dict[str, str]) -> None:
    """Put the titles in Japanese script of ``item`` between the marks :func:`_japanese_titles_bracketed` reads."""
    if _in_japanese_script(cited.text, cited.language):
        item["title"] = f"{_OWN_OPEN}{item['title']}{_OWN_CLOSE}"
    # The journal or book the work is in; not a series, which is named in parentheses (_series_in_parentheses).
    container = item.get("container-title", "")
    if container and _in_japanese_script(_MARK.sub("", container), title_languages.get("container-title", "")):
        item["container-title"] = f"{_CONTAINER_OPEN}{container}{_CONTAINER_CLOSE}"


def _japanese_titles_bracketed(rendered: str) -> str:
    """A Japanese citation's titles in Japanese script in 『』 and 「」, as Japanese sets them, not in italics.

    Japanese has no italics: a book, a journal or a series is set in 『』, and a part of one (an article, a
    chapter) or a work not published on its own in 「」. Where the style italicizes a title, it cites it as a
    work of its own: 『』; where it quotes it (Chicago's article), the locale's quotes are already 「」; where it
    sets the work's own title in roman (APA's article), 「」; the title of what the work is in, 『』. The series
    a work is in is named in parentheses after its title, unbracketed (see :func:`_series_in_parentheses`). A
    title in Latin or Cyrillic letters keeps the style's italics or quotes (see
    :meth:`_LanguageMarks.foreign_titles_quoted_as_written`).
    """
    for opening, closing, plain in ((_OWN_OPEN, _OWN_CLOSE, "「\\1」"),
                                    (_CONTAINER_OPEN, _CONTAINER_CLOSE, "『\\1』")):
        rendered = re.sub(f"<i>{opening}(.*?){closing}</i>", r"『\1』", rendered)
        rendered = re.sub(f"「{opening}(.*?){closing}」", r"「\1」", rendered)
        rendered = re.sub(f"{opening}(.*?){closing}", plain, rendered)
    # The brackets are full-width, with their own space: a number or a parenthesis follows with none (『…』(第2版)).
    # A volume, an issue or an edition of a book or a journal in 『』 goes with its title, with no comma either:
    # 『歴史評論』第2巻第7号, 『抑留の本』第3巻, where the styles write "Journal 2 (7)" and "Book, vol. 3".
    return _SPACE_AFTER_BRACKET.sub(r"\1", _NUMBER_AFTER_A_TITLE.sub("』", rendered))


_SPACE_AFTER_BRACKET = re.compile(r"([』」]) (?=[(\d])")
_NUMBER_AFTER_A_TITLE = re.compile("』,? (?=第)")


def _translation_after_the_title(rendered: str) -> str:
    """The bracketed translation of a title moved out of its italics and quotes, in roman type.

    APA (9.38) and Chicago (14.98) set the translation in brackets after the title, neither
    italicized nor quoted: *Kanun tragedii* [Eve of tragedy]; Chicago quotes an article's
    title and puts the translation after the closing quote, the period after the bracket
    ("Waar verzamelde Pigafetta zijn Maleise woorden?" [Where did Pigafetta collect his
    Malaysian words?].).
    """
    rendered = _TRANSLATION_INSIDE.sub(r"\2\1", rendered)
    return _TRANSLATION.sub("", rendered)


def _may_be_english(text: str, tag: str) -> bool:
    """Whether title case may apply to ``text``: English by its tag; without one, written in Latin letters
    only, since a text in Cyrillic or kana is in no case English."""
    if tag:
        return base_language(tag) == "en"
    return _in_latin_letters(text)


_CLOSING_QUOTE_THEN_PUNCTUATION = re.compile("(\u201d)([.,])")
# A text ending in a period ("etc.", "Vol.") takes no second one from the style: citeproc-py drops the second
# only where the two touch, not across the end of italics or of a language mark, which show no character
# between them; nor, where the period goes inside the quote, across the closing quote. Nor does a title
# ending in "?" or "!" ("What now?", or a Japanese "？" or "！"), or a date that does ("1945?"), after which
# citeproc-py writes the period even where they touch: only a period that ends something (before a space, a
# tag or the end), so that "?." inside an address stays.
_UNSEEN_END = f"(?:</\\w+>|{_CLOSE})"
_PERIOD_THEN_PERIOD = re.compile(f"(\\.{_UNSEEN_END}+)\\.")
_QUESTION_OR_EXCLAMATION_THEN_PERIOD = re.compile(f"([?!\uff1f\uff01]{_UNSEEN_END}*)\\.(?![^\\s<])")
_END_THEN_QUOTED_PERIOD = re.compile(f"([.?!]{_UNSEEN_END}*\u201d{_UNSEEN_END}*)\\.")


def highwire_meta(record: Record, permalink: str, language: str | None = None) -> list[tuple[str, str]]:
    """Highwire ``citation_*`` and Dublin Core ``DC.*`` meta tags, which Zotero's connector reads."""
    item = csl_json(record, language)
    tags: list[tuple[str, str]] = [("citation_title", item["title"]), ("DC.title", item["title"])]
    for name in _dc_names(item.get("author", [])):
        tags += [("citation_author", name), ("DC.creator", name)]
    if "literal" in item.get("issued", {}):
        words = item["issued"]["literal"]
        tags += [("citation_date", words), ("DC.date", words)]
    elif parts := _date_parts(item):
        # As precise as catalogued: Highwire writes 1998/04/12, Dublin Core ISO 8601 (1998-04-12).
        tags += [("citation_date", "/".join(parts)), ("DC.date", "-".join(parts))]
    languages = _material_languages(record)[:1]
    for source, target in (("publisher", "citation_publisher"), ("container-title", "citation_journal_title"),
                           ("volume", "citation_volume"), ("issue", "citation_issue"), ("ISBN", "citation_isbn"),
                           ("ISSN", "citation_issn")):
        if source in item:
            tags.append((target, item[source]))
    first_page, _dash, last_page = str(item.get("page", "")).partition("-")
    if first_page.strip():
        tags.append(("citation_firstpage", first_page.strip()))
        if last_page.strip():
            tags.append(("citation_lastpage", last_page.strip()))
    tags += [("citation_language", tag) for tag in languages]
    if "publisher" in item:
        tags.append(("DC.publisher", item["publisher"]))
    tags += [("DC.language", tag) for tag in languages]
    tags += [("DC.identifier", permalink), ("citation_public_url", permalink),
             ("DC.type", record.get_kind_display())]
    return [(name, strip_tags(str(value))) for name, value in tags]


def _dc_names(people: list[dict[str, str]]) -> list[str]:
    """CSL names as Dublin Core and Highwire write them: "Family, Given", or the name as written."""
    return [f"{person['family']}, {person['given']}" if person.get("family") else person.get("literal", "")
            for person in people]


def _date_parts(item: dict[str, Any]) -> list[str]:
    """The first date of a CSL item's date parts, zero-padded (["1998", "04", "12"]); none for a literal date."""
    dates = _dates_in_parts(item)
    return dates[0] if dates else []


def _dates_in_parts(item: dict[str, Any]) -> list[list[str]]:
    """Each date of a CSL item's date parts, zero-padded: one, or the two ends of a span; none for a literal."""
    if "date-parts" not in item.get("issued", {}):
        return []
    return [[f"{date[0]:04d}"] + [f"{part:02d}" for part in date[1:]] for date in item["issued"]["date-parts"]]


class DCElement(NamedTuple):
    """One Dublin Core element of a record: its name (``title``), its value and the value's language tag."""

    name: str
    value: str
    language: str = ""


# Memoirs and documents are texts (the DCMI Type Vocabulary's Text), but for a news item, which may be a
# broadcast, and the organisation an association record describes, which no DCMI type names.
_DCMI_TEXT_KINDS = ("memoir", "document")
_NOT_TEXT = ("news-item", "organisation")


def _labels_in_every_language(labels: Any) -> list[tuple[str, str]]:
    """An authority's preferred names, one for each language tag, as (text, tag); its variants where it has no
    preferred name."""
    labels = [label for label in labels if label.text]
    chosen = [label for label in labels if label.preferred] or labels
    seen: dict[str, tuple[str, str]] = {}
    for label in sorted(chosen, key=lambda label: label.pk or 0):
        seen.setdefault(label.language, (label.text, label.language))
    return list(seen.values())


def dublin_core(record: Record, url_of: Callable[[Record], str]) -> list[DCElement]:
    """The record in simple Dublin Core, for harvesting (``collection.oai``): what the page's ``DC.*`` meta tags
    give, in every language the catalogue has rather than the page's one.

    Every title with its language; the authors (or the issuing body) as creators, the editors and translators
    as contributors, from the same CSL item as the citations; the agents the record is about, and its subjects,
    as subjects and its places as coverage, each in every language it is named in; the date in ISO 8601, a
    span as an interval (1945/1956), or in EDTF where it is neither; the DCMI type where one fits, and the kind and
    resource type; the languages of the material; the record's permanent URL (``url_of``), its ISBN and ISSN
    as URNs and its web address; the descriptions; the publisher; the rights; the published parent it is part
    of (by its URL). Call within ``translation.override`` for the words of the kind and of a publisher's name.
    """
    item = csl_json(record, None)
    elements = [DCElement("title", title.text, title.language)
                for title in sorted(record.titles.all(), key=lambda title: title.pk or 0) if title.text]
    elements += [DCElement("creator", name) for name in _dc_names(item.get("author", []))]
    for key in ("editor", "translator"):
        elements += [DCElement("contributor", name) for name in _dc_names(item.get(key, []))]
    for agent in record.agents_in_role(AgentRole.SUBJECT):
        elements += [DCElement("subject", text, tag) for text, tag in _labels_in_every_language(agent.names.all())]
    for subject in record.subjects.all():
        elements += [DCElement("subject", text, tag) for text, tag in _labels_in_every_language(subject.labels.all())]
    for place in record.places.all():
        elements += [DCElement("coverage", text, tag) for text, tag in _labels_in_every_language(place.names.all())]
    elements += [DCElement("description", description.text, description.language)
                 for description in record.descriptions.all() if description.text]
    # One element for each publisher, as Dublin Core repeats an element for each value.
    elements += [DCElement("publisher", _agent_name(link.agent, None, _unmarked))
                 for link in record.agent_links.all() if link.role == AgentRole.PUBLISHER]
    if spans := _dates_in_parts(item):
        # A span as an ISO 8601 interval (1945/1956): its first year alone would misdate the material.
        elements.append(DCElement("date", "/".join("-".join(parts) for parts in spans)))
    elif record.date_edtf:
        elements.append(DCElement("date", record.date_edtf))
    dcmi = "Text" if record.kind in _DCMI_TEXT_KINDS and record.resource_type not in _NOT_TEXT else ""
    elements += [DCElement("type", value) for value in (
        dcmi, str(record.get_kind_display()), str(record.get_resource_type_display())) if value]
    if record.extent:
        elements.append(DCElement("format", record.extent))
    elements += [DCElement("language", tag) for tag in _material_languages(record)]
    elements.append(DCElement("identifier", url_of(record)))
    isbn = record.isbn13 or record.isbn10 or record.isbn
    elements += [DCElement("identifier", value) for value in (
        f"urn:isbn:{isbn}" if isbn else "", f"urn:issn:{record.issn}" if record.issn else "", record.url) if value]
    if "container-title" in item:
        elements.append(DCElement("source", strip_tags(item["container-title"])))
    if parent := record.published_parent():
        elements.append(DCElement("relation", url_of(parent)))
    elements += [DCElement("rights", value) for value in (record.rights_statement, record.licence) if value]
    return elements


EXPORTS: dict[str, tuple[Any, str, Callable[[Record, str | None], str]]] = {
    "bib": (_("BibTeX"), "application/x-bibtex", bibtex),
    "ris": (_("RIS"), "application/x-research-info-systems", ris),
    "json": (_("CSL-JSON"), "application/vnd.citationstyles.csl+json", csl_json_text),
}
