"""The catalogue format: its columns, multi-valued cells and formula-safe cells.

The columns follow ``COLLECTION_LANGUAGES``: a title and a description column per
configured language, plus the reading and romanization columns of the languages
that have them (``title_ja-Hrkt``, ``title_ja-Latn``, ``title_ru-Latn``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from ..conf import app_settings
from ..text import KANA_SCRIPTS, READING_TAGS, base_language, script_subtag

SEPARATOR = "|"
ESCAPE = "\\"

# A cell written as this text removes the stored value; a blank cell keeps it.
CLEAR = "[clear]"

# Cells starting with one of these are run as formulas by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

AGENT_ROLE_COLUMNS: dict[str, str] = {
    "authors": "author",
    "editors": "editor",
    "translators": "translator",
    "publishers": "publisher",
    "issuing_bodies": "issuing_body",
    "agent_subjects": "subject",
}

# Single agents held in a foreign key, and the agent kind a new name there creates.
AGENT_FK_COLUMNS: dict[str, str] = {"described_agent": "described_agent", "repository": "repository"}

BIBLIOGRAPHIC_COLUMNS = (
    "resource_type", "container_title", "volume", "issue", "pages", "edition", "publication_place",
    "isbn", "issn", "url", "archived_url", "accessed", "extent",
)
HOLDING_COLUMNS = (
    "repository", "reference_fond", "reference_opis", "reference_delo", "reference_folios", "call_number",
)
RIGHTS_COLUMNS = ("rights_statement", "licence", "description_source", "staff_notes")

# Columns whose cells are dates, of records and of agents: a spreadsheet's date cell there reads as the day it
# holds, whatever it shows; in any other column, as the sheet shows it.
DATE_COLUMNS = frozenset({"date", "accessed"})

# Record fields whose cell is the stored text as is.
PLAIN_FIELDS = (
    "level", "date_display", "container_title", "volume", "issue", "pages", "edition", "publication_place",
    "isbn", "issn", "url", "archived_url", "extent", "reference_fond", "reference_opis", "reference_delo",
    "reference_folios", "call_number", "rights_statement", "licence", "description_source", "staff_notes",
    "resource_type",
)

# A record's preferred titles and descriptions, and a vocabulary entry's preferred names, in language tags without
# a column of their own (a language not in COLLECTION_LANGUAGES, or no longer), each as ``tag:text``.
OTHER_COLUMNS = ("other_titles", "other_descriptions", "other_names")

MULTI_VALUED = frozenset(
    {"variant_titles", "variant_names", *OTHER_COLUMNS, "name_parts", "name_forms", "name_periods", "name_sources",
     "our_translations", "machine_made", "languages", "places", "subjects", *AGENT_ROLE_COLUMNS}
)


def languages() -> list[str]:
    return list(app_settings.LANGUAGES)


def label_tags(configured: Sequence[str] | None = None) -> list[str]:
    """Every language tag with a label column: each language, then its reading and romanization."""
    tags: list[str] = []
    for tag in configured if configured is not None else languages():
        tags.append(tag)
        tags.extend(READING_TAGS.get(base_language(tag), ()) if "-" not in tag else ())
    return tags


def derived_form(tag: str) -> str:
    """The form a label in ``tag`` takes whatever else is said of it: ``reading`` for a kana tag of a language
    with readings (``ja-Hrkt``), ``romanization`` for a Latin-script tag of another (``ja-Latn``, ``ru-Latn``);
    ``""`` for any other tag, whose form depends on the material and on whether the text is our translation."""
    script = script_subtag(tag)
    if base_language(tag) in READING_TAGS and script in KANA_SCRIPTS:
        return "reading"
    if script == "Latn" and "-" in tag:
        return "romanization"
    return ""


def has_column(tag: str, tags: Sequence[str]) -> bool:
    """Whether a label in ``tag`` has a column of its own among ``tags`` (compared whatever the letter case);
    one that has none goes in an ``other_*`` column."""
    folded = tag.lower()
    return any(folded == own.lower() for own in tags)


def named_tag(value: str, columns: Mapping[str, Sequence[str]]) -> tuple[str, str, bool] | None:
    """What a value of a cell listing texts of the row (``our_translations``, ``machine_made``) names, as
    ``(prefix, tag, whether the tag has a column of its own)``, or ``None`` if it names none.

    ``columns`` gives the tags with a column of their own for each prefix the cell may
    name (``{"title": label_tags(), ...}``): ``title_ja-Hrkt`` names the column of
    ``ja-Hrkt``, ``title_mn`` the text in ``mn`` in ``other_titles``. A column's tag
    spelled in another letter case names none (the column is spelled as the header
    spells it), nor does a value that is not ``prefix_`` and a language tag.
    """
    from django.core.exceptions import ValidationError

    from ..validators import validate_language_tag

    prefix, _sep, tag = value.partition("_")
    own = columns.get(prefix)
    if own is None or not tag:
        return None
    if tag in own:
        return prefix, tag, True
    if has_column(tag, own):
        return None
    try:
        validate_language_tag(tag)
    except ValidationError:
        return None
    return prefix, tag, False


def names_a_derived_form(value: str, prefix: str, own_tags: Sequence[str]) -> bool:
    """Whether a ``machine_made`` value names a reading or romanization: the column of one (``title_ja-Hrkt``)
    or ``prefix_<tag>`` of one in the ``other_*`` column (``name_ja-Kana``)."""
    named = named_tag(value, {prefix: own_tags})
    return named is not None and bool(derived_form(named[1]))


def listed_text(cells: Mapping[str, Any], name: str, own_tags: Sequence[str], other_column: str) -> str:
    """The text of the row that a listed ``name`` (``title_ja-Hrkt``, ``title_mn``) is about: its column's cell,
    or the ``tag:text`` of ``other_column`` in its tag; ``""`` if the row has none."""
    prefix, _sep, tag = name.partition("_")
    column = f"{prefix}_{tag}"
    if has_column(tag, own_tags):
        return str(cells.get(column, ""))
    for value in cells.get(other_column, ()):
        other, _colon, text = value.partition(":")
        if other.lower() == tag.lower():
            return text
    return ""


def machine_made_kept(current: Mapping[str, Any], desired: Mapping[str, Any], own_tags: Sequence[str],
                      other_column: str) -> tuple[str, ...]:
    """The ``machine_made`` cell of a row that does not give one: the stored forms stay machine-made unless the
    row changes or removes their text, which makes a form the archivist's (as it does in the admin)."""
    return tuple(name for name in current.get("machine_made", ())
                 if listed_text(desired, name, own_tags, other_column)
                 == listed_text(current, name, own_tags, other_column))


def machine_made_romanization(name: str, cells: Mapping[str, Any], own_tags: Sequence[str], other_column: str,
                              *, romanized_as_name: bool = False) -> tuple[str, str, str] | None:
    """The romanization a listed ``name`` (``title_ru-Latn``) is made as from the row's texts (``cells``), as
    ``(the machine's text, the name of the text it is made from, that text)``, where that is cheap and certain:
    from the row's Russian text, or from its Japanese text's reading if that is the archivist's (given or stored,
    and not listed machine-made). ``None`` where it is not: a reading made by the dictionary is made again from
    the Japanese text, which is kept off an import's path. The machine's text is ``""`` where it makes none.

    The task after an import makes a machine-made form follow its source, so a listed
    text the machine would not make does not survive it (see :func:`machine_made_problems`).
    """
    from types import SimpleNamespace

    from ..derivation import romanization_of

    prefix, _sep, tag = name.partition("_")
    if derived_form(tag) != "romanization":
        return None
    base = base_language(tag)
    source_name = f"{prefix}_{base}"
    source = listed_text(cells, source_name, own_tags, other_column)
    if not source:
        return None
    reading_name, reading = source_name, ""
    for reading_tag in READING_TAGS.get(base, ()):
        if derived_form(reading_tag) == "reading":
            reading_name = f"{prefix}_{reading_tag}"
            if reading_name in cells.get("machine_made", ()):
                return None
            reading = listed_text(cells, reading_name, own_tags, other_column)
    label = SimpleNamespace(language=base, text=source, romanized_as_name=romanized_as_name)
    made = romanization_of(tag, label, reading)
    if made is None:
        return None
    return made, reading_name, reading or source


def machine_made_problems(current: Mapping[str, Any], desired: Mapping[str, Any], own_tags: Sequence[str],
                          other_column: str, *, given: Collection[str] | None = None,
                          romanized_as_name: bool = False) -> list[str]:
    """What is wrong with the ``machine_made`` cell a row gives, against the row's texts (``desired``) and the
    stored ones (``current``, blank for a new entry).

    A form listed is stored machine-made as the text the row leaves it with, so that
    text must be there; and it must be the stored one, unless the form is new. A
    changed text is the archivist's correction, which a file cannot list as
    machine-made: imported again, the file would then find the stored text equal
    to its own and tick it, undoing what its first import did.

    Where the row gives a listed form's text (its column, or ``other_column``, is among
    ``given``; ``None`` is every column) and the machine's text can be told cheaply (see
    :func:`machine_made_romanization`; ``romanized_as_name`` capitalizes it as a name's),
    the form must be that text: the task after the import would make it so, and the same
    file imported again would then be refused for changing it. The machine's text is
    taken even where the stored form is an older machine-made one. A form whose text the
    row does not give, or gives as its stored machine-made text, follows its source as it
    does without the column.
    """
    from django.utils.translation import gettext as _

    problems = []
    for name in desired.get("machine_made", ()):
        text = listed_text(desired, name, own_tags, other_column)
        stored = listed_text(current, name, own_tags, other_column)
        column = name if has_column(name.partition("_")[2], own_tags) else other_column
        # A stored machine-made text given back is the catalogue's own, however stale: an edited export's row
        # is not refused for it, and the form follows its title as it always has.
        echoed = stored == text and name in current.get("machine_made", ())
        machine = machine_made_romanization(name, desired, own_tags, other_column,
                                            romanized_as_name=romanized_as_name) if text and not echoed and (
            given is None or column in given) else None
        if not text:
            problems.append(_("%(name)s has no text in this row: only a reading or romanization the row has can be "
                              "machine-made.") % {"name": name})
        elif stored and stored != text and (machine is None or machine[0] == stored):
            problems.append(_("%(name)s is listed as machine-made, but the row changes its text (“%(old)s” → "
                              "“%(new)s”): a corrected text is the archivist's. Take %(name)s out of machine_made, "
                              "or give back the stored text.") % {"name": name, "old": stored, "new": text})
        elif machine is not None and not machine[0]:
            problems.append(_("%(name)s is listed as machine-made, but the machine makes none from %(source)s, "
                              "“%(text)s”: take %(name)s out of machine_made.") % {
                "name": name, "source": machine[1], "text": machine[2]})
        elif machine is not None and machine[0] != text:
            problems.append(_("%(name)s is listed as machine-made, but the machine makes “%(made)s” from "
                              "%(source)s, “%(text)s”: give that text, or take %(name)s out of machine_made.") % {
                "name": name, "made": machine[0], "source": machine[1], "text": machine[2]})
    return problems


def parse_other_texts(values: Iterable[str], own_tags: Sequence[str], prefix: str, own_column: str,
                      two_texts: str) -> tuple[str, ...]:
    """An ``other_*`` cell's ``tag:text`` values, checked: each tag a valid one without a column of its own, and
    one text per tag (written twice alike, it counts once). ``own_column`` and ``two_texts`` are the messages
    refusing a tag that has a column (``%(tag)s``, ``%(column)s``) and a second text (``%(tag)s``,
    ``%(first)s``, ``%(second)s``); ``prefix`` names the columns (``title``, ``description``, ``name``)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from ..validators import validate_language_tag

    seen: dict[str, tuple[str, str]] = {}
    for value in values:
        tag, sep, text = value.partition(":")
        tag, text = tag.strip(), text.strip()
        if not sep or not text:
            raise ValidationError(_("Write each value as language:text, e.g. mn:Text."))
        validate_language_tag(tag)
        if has_column(tag, own_tags):
            column = next(own for own in own_tags if own.lower() == tag.lower())
            raise ValidationError(own_column % {"tag": tag, "column": f"{prefix}_{column}"})
        first = seen.get(tag.lower())
        if first is not None and first != (tag, text):
            raise ValidationError(two_texts % {"tag": tag, "first": first[1], "second": text})
        seen[tag.lower()] = (tag, text)
    return tuple(sorted({f"{tag}:{text}" for tag, text in seen.values()}))


def record_columns(configured: Sequence[str] | None = None) -> list[str]:
    """The columns of the record sheet, in the order export writes them."""
    configured = list(configured if configured is not None else languages())
    return [
        "identifier", "kind", "status", "level", "parent", "sequence",
        *(f"title_{tag}" for tag in label_tags(configured)),
        "other_titles", "variant_titles",
        *(f"description_{tag}" for tag in configured),
        "other_descriptions", "our_translations", "machine_made",
        "date", "date_display", "languages", "places", "subjects",
        *AGENT_ROLE_COLUMNS, "described_agent",
        *BIBLIOGRAPHIC_COLUMNS, *HOLDING_COLUMNS, *RIGHTS_COLUMNS,
    ]


# Columns of each vocabulary sheet before and after its name columns.
VOCABULARY_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "places": (("identifier", "kind", "parent"), ("gupvi_camp_number", "latitude", "longitude")),
    "subjects": (("identifier", "broader"), ()),
    "agents": (("identifier", "kind"),
               ("name_parts", "date", "date_display", "viaf", "ndl", "wikidata", "isil", "notes")),
}


# What a vocabulary sheet records about each of an entry's names, a value per name: the form where it is not the
# one its column implies, where the name comes from, and (for places) the years it was used.
NAME_DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "places": ("name_forms", "name_periods", "name_sources"),
    "subjects": ("name_forms", "name_sources"),
    "agents": ("name_forms", "name_sources"),
}


def vocabulary_columns(vocabulary: str, configured: Sequence[str] | None = None) -> list[str]:
    """The columns of a vocabulary sheet (``places``, ``subjects`` or ``agents``)."""
    head, tail = VOCABULARY_COLUMNS[vocabulary]
    return [*head, *(f"name_{tag}" for tag in label_tags(configured)), "other_names", "variant_names",
            "our_translations", "machine_made", *NAME_DATA_COLUMNS[vocabulary], *tail]


def split_values(cell: str) -> list[str]:
    """Split a multi-valued cell on ``|``; ``\\|`` is a literal bar and ``\\\\`` a literal backslash.

    Values are stripped of surrounding white space and empty values dropped.
    """
    return [value.strip() for value in unjoin_values(cell) if value.strip()]


def unjoin_values(cell: str) -> list[str]:
    """The values of a multi-valued cell as written between its bars, white space and empty values kept:
    the exact inverse of :func:`join_values` (a ``\\`` before any other character is kept as it is)."""
    if not cell:
        return []
    if ESCAPE not in cell:
        return cell.split(SEPARATOR)
    values: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == ESCAPE:
            following = next(chars, "")
            current.append(following if following in (SEPARATOR, ESCAPE) else ESCAPE + following)
        elif char == SEPARATOR:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def escape_value(value: str) -> str:
    return value.replace(ESCAPE, ESCAPE * 2).replace(SEPARATOR, ESCAPE + SEPARATOR)


def join_values(values: Iterable[str]) -> str:
    """The inverse of :func:`unjoin_values`."""
    return SEPARATOR.join(escape_value(value) for value in values)


def _starts_formula(text: str) -> bool:
    stripped = text.lstrip("'")
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


# The first characters of every cell quote_formula may change: a formula trigger, or the quotes before one.
# A writer of many cells tests a cell's first character against these before calling it.
QUOTABLE_STARTS = frozenset(("'", *FORMULA_TRIGGERS))


def quote_formula(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula.

    A cell that already starts with ``'`` before such a character gets one more,
    so that :func:`unquote_formula` gives back exactly the original text. Only a
    cell starting with one of :data:`QUOTABLE_STARTS` can change.
    """
    return "'" + cell if cell[:1] in QUOTABLE_STARTS and _starts_formula(cell) else cell


def unquote_formula(cell: str) -> str:
    """Strip exactly one ``'`` from a cell quoted by :func:`quote_formula`; leave any other cell alone."""
    return cell[1:] if cell.startswith("'") and _starts_formula(cell[1:]) else cell


def unquoted(cells: list[str]) -> list[str]:
    """:func:`unquote_formula` of each cell; most rows have no cell starting with ``'``: returned as they are."""
    if "'" not in "".join(cells):
        return cells
    return [unquote_formula(cell) for cell in cells]
