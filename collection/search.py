"""Search keys that find a record in any script and any romanization.

Every text a record's public page shows it by (titles, readings, romanizations,
descriptions, the journal or site it appeared in, its place of publication, the
names of its agents, of its places and of the places around them (a camp's krai and
country: a record counts in them, and is found by them) and the labels of its
subjects, in every language) is *folded* into one key string:

- NFKC, so full-width ``ＡＢＣ``/half-width ``ｶﾀｶﾅ`` equal ``abc``/``カタカナ``;
- casefold, in Python, so Cyrillic case never matters, on SQLite too;
- Latin diacritics dropped, so ``Kyokkō`` and ``kyokko`` are one key; in
  romanized Japanese (texts tagged ``ja-Latn``) long vowels merged too, so
  ``kyokkou`` is that key as well, while English and Russian keep theirs
  (``book`` is not ``bok``, nor ``Soothe`` ``south``);
- Cyrillic transliterated to Latin, so ``Кузнецов`` and ``Kuznetsov`` meet;
- katakana turned into hiragana, so a reading matches in either kana;
- traditional and variant kanji as their common forms, so ``高橋`` finds ``髙橋``
  and ``収容所`` finds ``收容所``, and the old kana spelling ``シベリヤ`` as ``シベリア``;
- dotted initials as one word, so ``P.O.W.``, ``U.S.S.R.`` and ``И. В.`` are
  ``pow``, ``ussr`` and ``iv``.

A query is folded the same way and matched as substrings (every word must
occur; a word that could be romaji also with its long vowels merged, to meet
the romanized Japanese keys); a lone Latin letter must begin a word and a lone digit be a whole one
(see :func:`search_words`); a year is also held by the records dated in it
(:func:`searched_year`); a word in a scholarly or library transliteration of
Russian is also looked for as the fold spells the Cyrillic, and a Russian or English word by its stem, so that
another form of it matches too (:func:`search_alternatives`).
A record's texts also hold the other ways a reader may type them
(:func:`document_key`): Japanese names and titles written with a space between
kanji or kana are also held without it, and dotted initials letter by letter too.
Kana and kanji have no spaces between words, so runs of them are also stored as
bigrams: a two-character word (抑留, 遺書) is found through an index on
PostgreSQL, where ``pg_trgm`` handles the alphabetic text. Public pages match the
same words in the facet index instead (``collection.facets.text``).
"""

from __future__ import annotations

import functools
import os
import random
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import snowballstemmer
from django.db import models, transaction
from django.db.models import Func, Q
from django.utils import timezone

from .conf import app_settings
from .db_triggers import all_present
from .text import CYRILLIC, KANJI_FORMS, base_language
from .validators import isbn_forms, strip_isbn_prefix

SEPARATOR = " | "

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}
# Soft and hard signs as romanizations write them: dropped, like the Cyrillic letters.
_DROPPED = {"\u02b9", "\u02ba", "\u02bc", "\u2019", "'", "`", "\u00b4"}
_KEPT_MARKS = {"\u3099", "\u309a"}  # kana voicing marks must survive
_DOUBLED_VOWEL = re.compile(r"([aeiou])\1+")
_WORD = re.compile(r"[\w\u3005\u30fc]+")
_KANA_OR_KANJI = r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30fc]"
_CJK_RUN = re.compile(_KANA_OR_KANJI + "{2,}")
_CJK_CHAR = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A space with kana or kanji on both sides: Japanese is written without one, so a name typed with or without it
# must meet.
_CJK_SPACE = re.compile(r"(?<=[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]) "
                        r"(?=[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
# Two or more single letters, each but the last followed by a dot (and maybe a space): P.O.W., U.S.S.R., И. В.
# An initial as transliterations of Russian write it: Ю. as Yu., Ju. or Iu., Ж. as Zh., Щ. as Shch.
_INITIAL = r"(?:shch|[yj][aeou]|i[au]|[zcsk]h|ts|[^\W\d_])"
_INITIALS = re.compile(rf"(?<!\w){_INITIAL}(?:\. ?{_INITIAL}(?!\w))+")
_ONE_INITIAL = re.compile(_INITIAL)
# Я and Ю as initials in other transliterations, as the fold spells them.
_INITIAL_SPELLINGS = {"ia": "ya", "iu": "yu", "ja": "ya", "ju": "yu", "jo": "yo", "je": "ye"}
_ISBN_LIKE = re.compile(r"^(?:isbn(?:-1[03])?:?\s*)?[0-9][0-9\s-]{7,}[0-9xX]$", re.IGNORECASE)




# Words written in an older kana spelling, as their common one (folded): pre-war and camp-era texts write
# シベリヤ, a reader types シベリア. Whole words only, each listed: ヤ for ア in general would merge other words.
_KANA_FORMS = {"しべりや": "しべりあ"}
_KANA_FORM = re.compile("|".join(_KANA_FORMS))
# ヴ, the kana of a v in loanwords, as the b-row kana the same words are as often written with: ソヴィエト is
# ソビエト, ヴォルガ ボルガ (folded to hiragana, ヴ is ゔ).
_VU_FORMS = {"ゔぁ": "ば", "ゔぃ": "び", "ゔぇ": "べ", "ゔぉ": "ぼ", "ゔゅ": "びゅ", "ゔ": "ぶ"}
_VU_FORM = re.compile("ゔ[ぁぃぇぉゅ]?")


@functools.lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    if char in _CYRILLIC:
        return _CYRILLIC[char]
    if char in KANJI_FORMS:
        return KANJI_FORMS[char]
    if char in _DROPPED:
        return ""
    code = ord(char)
    if 0x30A1 <= code <= 0x30F6:  # katakana -> hiragana
        return chr(code - 0x60)
    if unicodedata.category(char) == "Mn" and char not in _KEPT_MARKS:
        return ""
    if code < 0x250 and not char.isascii():  # Latin with a diacritic: keep the base letter
        base = unicodedata.normalize("NFKD", char)[0]
        return base if base.isascii() else char
    return char


class _FoldTable(dict):
    """``str.translate`` table of :func:`_fold_char`, filled as characters are met (so translating stays in C)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 65536:  # text full of rare characters must not grow it without bound
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def _initial_letters(match: re.Match) -> list[str]:
    return [_INITIAL_SPELLINGS.get(initial, initial) for initial in _ONE_INITIAL.findall(match.group())]


def _initials(match: re.Match) -> str:
    return "".join(_initial_letters(match))


def _initials_and_letters(match: re.Match) -> str:
    letters = _initial_letters(match)
    return f"{''.join(letters)} {' '.join(letters)}"


@functools.lru_cache(maxsize=256)
def romanized_japanese(language: str | None) -> bool:
    """Whether a text in ``language`` is Japanese in Latin letters (``ja-Latn``): romaji, whose long vowels are
    written in several ways (ō, ou, oo, ô) and are merged in its keys."""
    subtags = (language or "").lower().split("-")
    return subtags[0] == "ja" and "latn" in subtags[1:]


def _merged_long_vowels(text: str) -> str:
    # "ou" first, so that "kyokkou" meets "kyokko" and "kyokkō".
    return _DOUBLED_VOWEL.sub(r"\1", text.replace("ou", "o"))


def _fold(text: str | None, initials: Callable[[re.Match], str], romaji: bool = False) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    if "." in text:
        # Before transliterating, while each initial is still one letter (Ж. would be "zh.").
        text = _INITIALS.sub(initials, text)
    text = text.translate(_FOLD_TABLE)
    if "や" in text:
        text = _KANA_FORM.sub(lambda match: _KANA_FORMS[match.group()], text)
    if "ゔ" in text:
        text = _VU_FORM.sub(lambda match: _VU_FORMS[match.group()], text)
    if romaji:
        text = _merged_long_vowels(text)
    return " ".join(_WORD.findall(text))


def fold(text: str | None, language: str | None = None) -> str:
    """The search key of ``text``: the same for every spelling a reader might type.

    Long vowels are merged only in romanized Japanese (``language`` ``ja-Latn``):
    ``kyokkou`` is ``kyokko`` there, while the English ``book`` stays ``book``.
    """
    return _fold(text, _initials, romanized_japanese(language))


def document_key(text: str | None, language: str | None = None) -> str:
    """The search key of a text a record holds in ``language``: :func:`fold`, with the other ways a reader may
    type it.

    Dotted initials are held joined and letter by letter (``I.V.`` meets both
    ``iv`` and ``Kuznetsov I``); kana and kanji written with a space between them
    are held with and without it (``山田 太郎`` meets ``山田 太郎`` and ``山田太郎``);
    romanized Japanese holds each two words that follow each other also as one
    (``shiberia yokuryu`` meets ``shiberiayokuryu``: :func:`_joined_romaji`).
    """
    romaji = romanized_japanese(language)
    key = _fold(text, _initials_and_letters, romaji)
    if romaji and " " in key:
        key = _joined_romaji(key)
    if " " not in key or not _CJK_SPACE.search(key):
        return key
    held = set(key.split())
    joined = [word for word in _CJK_SPACE.sub("", key).split() if word not in held]
    return f"{key} {' '.join(joined)}" if joined else key


# The most words of romanized Japanese held joined as one: a reader types 日本人捕虜収容所 in romaji as one word
# for three (nihonjin horyo shuyojo), 捕虜抑留者業務総局 for four.
JOINED_ROMAJI_WORDS = 4


def _joined_romaji(key: str) -> str:
    """A romanized Japanese key that also holds, from each of its words, that word and those after it joined, up
    to ``JOINED_ROMAJI_WORDS`` words: ``soren ni okeru nihonjin horyo`` also holds ``sorenniokerunihonjin
    niokerunihonjinhoryo okerunihonjinhoryo nihonjinhoryo``.

    Romaji is word-spaced by whoever wrote it, while a reader types 抑留者 as
    yokuryusha or yokuryu sha, シベリア抑留 as one word or two, ソ連における as one
    or three. A query word must begin a word of the key, so a word typed for several
    is found only if they are held joined; a run begins with the shorter runs from
    its first word, so ``sorenni`` and ``sorenniokeru`` both begin ``sorenniokerunihonjin``.
    Runs from each word, not every run: the key grows with the bound (each word is
    held that many times more), where every run would make it grow with the square
    of its length.
    """
    words = key.split()
    if len(words) < 2:
        return key
    runs = ("".join(words[at:at + JOINED_ROMAJI_WORDS]) for at in range(len(words) - 1))
    return f"{key} {' '.join(runs)}"


# Katakana as hiragana; ё as е, as Russian dictionaries order it (its code point would put it after я).
_SORT_TABLE = {**{code: code - 0x60 for code in range(0x30A1, 0x30F7)}, ord("ё"): "е"}


def sort_key(text: str | None) -> str:
    """Order titles by their own script: NFKC, casefold, katakana as hiragana, ё as е."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SORT_TABLE)
    return " ".join(_WORD.findall(text))[:255]


def bigrams(text: str) -> list[str]:
    """Distinct kana/kanji bigrams of already folded text, in first-seen order."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            seen.setdefault(run[i:i + 2], None)
    return list(seen)


# --- building the keys -------------------------------------------------------------------------


def _title_sort_text(titles: list) -> str:
    """The original title, read by its kana reading when it is Japanese."""
    from .models import LabelForm

    originals = [t for t in titles if t.form == LabelForm.ORIGINAL and t.preferred] or [
        t for t in titles if t.form == LabelForm.ORIGINAL] or titles
    return _shown_sort_text(titles, min(originals, key=lambda t: t.pk)) if originals else ""


@functools.cache
def _labels() -> Any:
    """``collection.models.labels``, imported once the models are (this module is imported before them)."""
    from .models import labels

    return labels


def _shown_sort_text(titles: list, shown: Any) -> str:
    """The text of ``shown`` (one of ``titles``) to sort by: its kana reading when it is Japanese."""
    labels = _labels()
    reading = labels.LabelForm.READING
    if shown.form in labels.DERIVED_FORMS or base_language(shown.language) != "ja":
        return shown.text
    readings = [t for t in titles if t.form == reading and t.derived_from_id == shown.pk]
    if not readings and shown.form != labels.LabelForm.TRANSLATION:  # a reading naming no title is the original's
        readings = [t for t in titles if t.form == reading]
    return min(readings, key=lambda t: t.pk).text if readings else shown.text


def title_order_rows(pk: int, titles: list, languages: Iterable[str]) -> list[tuple[int, str, str]]:
    """``(record_id, language, title_key)`` of the record in each cataloguing language's title order:
    the title pages in that language show (``pick_label``), as :func:`sort_key`.

    ``titles`` as for :func:`search_row`. The one place the per-language keys are
    made, as :func:`search_row` is for the rest.
    """
    pick_label = _labels().pick_label
    keys: dict[int, str] = {}  # by shown title: languages often show the same one (the original)
    rows = []
    for language in languages:
        shown = pick_label(titles, language)
        if shown is None:
            rows.append((pk, language, ""))
            continue
        key = keys.get(id(shown))
        if key is None:
            key = keys[id(shown)] = sort_key(_shown_sort_text(titles, shown))
        rows.append((pk, language, _own_script_first(key, language)))
    return rows


def name_order_key(labels: Iterable[Any], language: str | None) -> str:
    """The key ordering entries (places, subjects, agents) by the name a page in ``language`` shows them by
    (``pick_label``), as titles are ordered: a Japanese name by its kana reading (沿海地方 as えんかいちほう, not
    after every katakana name), ё as е, the page's own script first."""
    labels = list(labels)
    shown = _labels().pick_label(labels, language)
    if shown is None:
        return ""
    return _own_script_first(sort_key(_shown_sort_text(labels, shown)), language or "")


# Each language's order puts the titles in its own script first, as a catalogue in that language does: on an
# А–Я list a Russian reader looks for "Абакан" at the start, not after every English title.
_OWN_SCRIPT = {"ru": "cyrillic", "ja": "japanese", "en": "latin"}


def _script(key: str) -> str:
    for char in key:
        if CYRILLIC.match(char):
            return "cyrillic"
        if _CJK_CHAR.match(char) or char in "\u3005\u30fc":
            return "japanese"
        if char.isalpha():
            return "latin"
    return ""


def _own_script_first(key: str, language: str) -> str:
    own = _OWN_SCRIPT.get(base_language(language))
    if not key or own is None:
        return key
    return ("0" if _script(key) == own else "1") + key[:254]


def title_order_language(language: str | None) -> str:
    """The cataloguing language whose title order pages in ``language`` sort by; ``""``: the original titles'.

    Pages show a record's title in their language where it has one (``pick_label``),
    so they sort by that title; a page language that is not a cataloguing language
    shows, and sorts by, the original titles.
    """
    if not language:
        return ""
    configured = list(app_settings.LANGUAGES)
    for tag in configured:
        if tag.lower() == language.lower():
            return tag
    base = base_language(language)
    return next((tag for tag in configured if "-" not in tag and tag.lower() == base), "")


def search_row(pk: int, titles: list, descriptions: Iterable[tuple[str, str]], agent_keys: Iterable[list[str]],
               place_keys: Iterable[list[str]], call_number: str, isbn10: str, isbn13: str, *,
               container_title: str = "", publication_place: str = "",
               subject_keys: Iterable[list[str]] = ()) -> tuple:
    """The search-key row of one record, from its texts: ``(record_id, document, titles, bigrams, title_key)``.

    ``titles`` are the record's titles in key order, each with ``pk``, ``text``,
    ``language``, ``form``, ``preferred`` and ``derived_from_id``; ``descriptions``
    its descriptions as ``(text, language)``; ``agent_keys``, ``place_keys`` and
    ``subject_keys`` the :func:`document_key` of each name or label (in its
    language) of each of its agents, places and subjects, in key order. Its places are
    those it counts in (:func:`places_counted_in`): its own and every place around
    them, each once, so that "Soviet Union" finds the records of the camps in it.
    The one place the keys are made: :func:`refresh_search_index` reads the inputs
    from the database, an import passes those it is writing.
    """
    title_keys = [document_key(t.text, t.language) for t in titles]
    parts = title_keys + [document_key(text, language) for text, language in descriptions]
    parts.append(document_key(container_title))
    parts.append(document_key(publication_place))
    for keys in agent_keys:
        parts.extend(keys)
    for keys in place_keys:
        parts.extend(keys)
    for keys in subject_keys:
        parts.extend(keys)
    parts.append(document_key(call_number))
    parts.extend(value for value in (isbn10, isbn13) if value)
    parts = [part for part in parts if part]
    document = SEPARATOR.join(parts)
    grams = bigrams(document)
    return (
        pk,
        f"{SEPARATOR}{document}{SEPARATOR}" if document else "",
        SEPARATOR.join(k for k in title_keys if k),
        f" {' '.join(grams)} " if grams else "",
        sort_key(_title_sort_text(titles)),
    )


def names_keys(names: Iterable[tuple[str, str]]) -> list[str]:
    """The :func:`document_key` of each of an agent's, place's or subject's names, given as ``(text, language)``."""
    return [document_key(text, language) for text, language in names]


def owners_named_like(labels: models.QuerySet, owner_field: str, term: str) -> set[int]:
    """The ids of the entries (agents, places, subjects) owning a name of ``labels`` that holds ``term`` as the
    public search reads both (:func:`fold`): in any letter case, ё as е, kana as hiragana or katakana, a Cyrillic
    name in Latin letters too.

    The names are folded here, not in the database: SQLite's ``LIKE`` folds the case of ASCII letters only, so
    ``icontains`` would not find “Иркутская” for “иркутская”. A vocabulary's names are few enough to read whole.
    """
    key = fold(term)
    if not key:
        return set()
    rows = labels.values_list(f"{owner_field}_id", "text", "language").iterator(chunk_size=5000)
    return {owner for owner, text, language in rows if key in fold(text, language)}


def place_ancestors(paths: dict[int, str]) -> dict[int, set[int]]:
    """Each place with all its ancestors, from the places' paths (``/1/5/9/``)."""
    return {pk: {int(part) for part in path.strip("/").split("/") if part} | {pk} for pk, path in paths.items()}


def places_counted_in(places: Iterable[int], ancestors: Mapping[int, set[int]]) -> list[int]:
    """The places a record in ``places`` counts in, in key order: those places and all their ancestors.

    ``ancestors`` is :func:`place_ancestors` of at least these places; a place missing
    from it counts as itself alone.
    """
    counted: set[int] = set()
    for place in places:
        counted |= ancestors.get(place, {place})
    return sorted(counted)


def refresh_search_index(record_ids: Iterable[int]) -> None:
    """Rebuild the search keys and place index of these records.

    Batch-friendly: a fixed number of queries per call, whatever the number of
    records, so bulk writers (imports, synthetic data) call it once per batch.
    """
    from .models import (
        AgentName,
        Description,
        Place,
        PlaceName,
        RecordAgent,
        SubjectLabel,
        Title,
    )
    from .models import Record as RecordModel

    ids = sorted({int(pk) for pk in record_ids})
    if not ids:
        return
    records = {r["pk"]: r for r in RecordModel.objects.filter(pk__in=ids).values(
        "pk", "isbn10", "isbn13", "call_number", "container_title", "publication_place")}
    titles: dict[int, list] = {}
    for title in Title.objects.filter(record_id__in=ids).order_by("pk").only(
        "pk", "record_id", "text", "language", "form", "preferred", "derived_from_id"
    ):
        titles.setdefault(title.record_id, []).append(title)
    descriptions: dict[int, list[tuple[str, str]]] = {}
    for record_id, text, language in Description.objects.filter(record_id__in=ids).order_by("pk").values_list(
            "record_id", "text", "language"):
        descriptions.setdefault(record_id, []).append((text, language))
    agent_ids: dict[int, set[int]] = {}
    for record_id, agent_id in RecordAgent.objects.filter(record_id__in=ids).values_list("record_id", "agent_id"):
        agent_ids.setdefault(record_id, set()).add(agent_id)
    place_through = RecordModel.places.through
    place_ids: dict[int, set[int]] = {}
    for record_id, place_id in place_through.objects.filter(record_id__in=ids).values_list("record_id", "place_id"):
        place_ids.setdefault(record_id, set()).add(place_id)
    agent_names: dict[int, list[tuple[str, str]]] = {}
    all_agents = set().union(*agent_ids.values()) if agent_ids else set()
    for agent_id, text, language in AgentName.objects.filter(agent_id__in=all_agents).order_by("pk").values_list(
            "agent_id", "text", "language"):
        agent_names.setdefault(agent_id, []).append((text, language))
    own_places = set().union(*place_ids.values()) if place_ids else set()
    ancestors = place_ancestors(dict(Place.objects.filter(pk__in=own_places).values_list("pk", "path")))
    # A record is found by the names of the places around its own too, as it is counted in them.
    all_places = set().union(*ancestors.values()) if ancestors else set()
    place_names: dict[int, list[tuple[str, str]]] = {}
    for place_id, text, language in PlaceName.objects.filter(place_id__in=all_places).order_by("pk").values_list(
            "place_id", "text", "language"):
        place_names.setdefault(place_id, []).append((text, language))
    subject_ids: dict[int, set[int]] = {}
    for record_id, subject_id in RecordModel.subjects.through.objects.filter(record_id__in=ids).values_list(
            "record_id", "subject_id"):
        subject_ids.setdefault(record_id, set()).add(subject_id)
    subject_labels: dict[int, list[tuple[str, str]]] = {}
    all_subjects = set().union(*subject_ids.values()) if subject_ids else set()
    for subject_id, text, language in SubjectLabel.objects.filter(
            subject_id__in=all_subjects).order_by("pk").values_list("subject_id", "text", "language"):
        subject_labels.setdefault(subject_id, []).append((text, language))

    # The same agents, places and subjects recur across records: fold each name once per call.
    agent_keys = {agent_id: names_keys(names) for agent_id, names in agent_names.items()}
    place_keys = {place_id: names_keys(names) for place_id, names in place_names.items()}
    subject_keys = {subject_id: names_keys(labels) for subject_id, labels in subject_labels.items()}
    rows: list[tuple[int, str, str, str, str]] = []
    order_rows: list[tuple[int, str, str]] = []
    place_rows: list[tuple[int, int]] = []
    languages = list(app_settings.LANGUAGES)
    for pk in ids:
        if pk not in records:
            continue
        record = records[pk]
        rows.append(search_row(
            pk, titles.get(pk, []), descriptions.get(pk, []),
            [agent_keys.get(agent_id, []) for agent_id in sorted(agent_ids.get(pk, ()))],
            [place_keys.get(place_id, []) for place_id in places_counted_in(place_ids.get(pk, ()), ancestors)],
            record["call_number"], record["isbn10"], record["isbn13"],
            container_title=record["container_title"], publication_place=record["publication_place"],
            subject_keys=[subject_keys.get(subject_id, []) for subject_id in sorted(subject_ids.get(pk, ()))],
        ))
        order_rows.extend(title_order_rows(pk, titles.get(pk, []), languages))
        place_rows.extend((pk, place_id) for place_id in places_counted_in(place_ids.get(pk, ()), ancestors))

    _store_search_rows(ids, rows, order_rows, place_rows)


def _store_search_rows(ids: list[int], rows: list[tuple], order_rows: list[tuple], place_rows: list[tuple], *,
                       replace: bool = True) -> None:
    """Write the search, title-order and place-index rows of these records, in place of their old ones."""
    from .catalogue.bulk import insert_values
    from .models import RecordPlaceIndex, RecordSearch, RecordTitleOrder

    with transaction.atomic():
        if replace:
            RecordSearch.objects.filter(record_id__in=ids).delete()
            RecordTitleOrder.objects.filter(record_id__in=ids).delete()
            RecordPlaceIndex.objects.filter(record_id__in=ids).delete()
        # Plain tuples in one executemany per table: the keys of a large import are many rows.
        insert_values(RecordSearch, [RecordSearch._meta.get_field(name) for name in
                                     ("record", "document", "titles", "bigrams", "title_key")], rows)
        insert_values(RecordTitleOrder, [RecordTitleOrder._meta.get_field(name) for name in
                                         ("record", "language", "title_key")], order_rows)
        insert_values(RecordPlaceIndex, [RecordPlaceIndex._meta.get_field(name) for name in ("record", "place")],
                      place_rows)


def rebuild_search_index(batch_size: int = 2000) -> int:
    """Rebuild the search keys of every record, a batch at a time; returns how many records there are.

    For a database whose keys were made by an earlier version of :func:`search_row`.
    """
    from .models import Record

    ids = list(Record._base_manager.order_by("pk").values_list("pk", flat=True))
    refresh_records_naming(Record, ids, batch_size)
    return len(ids)


# --- querying -------------------------------------------------------------------------------------


class BigramsContain(Func):
    """True when the bigram column holds every bigram given (an index lookup on PostgreSQL)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column: str, grams: list[str]) -> None:
        super().__init__(models.F(column))
        self.grams = list(grams)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite and others: a LIKE per bigram
        column_sql, params = compiler.compile(self.source_expressions[0])
        clauses = [f"{column_sql} LIKE %s" for _ in self.grams]
        return "(" + " AND ".join(clauses) + ")", [*params, *(f"% {gram} %" for gram in self.grams)]

    def as_postgresql(self, compiler, connection, **extra_context):
        column_sql, params = compiler.compile(self.source_expressions[0])
        return f"string_to_array({column_sql}, ' ') @> %s::text[]", [*params, self.grams]


def isbn_query(query: str) -> str:
    """The ISBN-13 a query names, or "" when the query is not an ISBN."""
    query = unicodedata.normalize("NFKC", query or "").strip()
    if not _ISBN_LIKE.match(query):
        return ""
    return isbn_forms(strip_isbn_prefix(query))[1]


# Words of a query beyond this many are ignored.
MAX_WORDS = 12


def search_words(query: str) -> list[str]:
    """The words of ``query`` a record must hold, folded: each is matched as a substring of its document.

    In the document every word has a space before and after it, so a word comes
    back with spaces saying where it must stand. A word in Latin letters (and so
    any Russian word, which the fold spells in them) must begin a word: ``sato``
    finds Satō, not Kasatonova, and ``сон`` does not find "prisoners". A lone
    letter, an initial, finds ``Ivan`` for ``" i"``. A number must be a whole one
    when it is a single digit (``" 7 "`` finds ``7``, not ``1947`` or ``70``).
    Kana and kanji have no spaces between words and are matched anywhere (a lone
    one, 碑 or の, as any other).
    """
    return [_placed(word) for word in fold(query).split()[:MAX_WORDS]]


def words_not_searched(query: str) -> int:
    """How many words of ``query`` the search leaves out: those beyond ``MAX_WORDS``, counted as the search
    counts them (folded: ``P.O.W.`` is one word, ``9-9`` two; Japanese cut into its words; one-letter
    prepositions not counted). An ISBN is matched whole."""
    if isbn_query(query):
        return 0
    return max(0, len(fold(_searched_text(query)).split()) - MAX_WORDS)


def searches_nothing(query: str) -> bool:
    """Whether ``query`` is typed but holds nothing to search for (``%``, ``*``, a dash): no word, no ISBN."""
    return bool(query.strip()) and not isbn_query(query) and not search_words(_searched_text(query))


def _searched_text(query: str) -> str:
    return _without_function_words(_spaced_japanese(without_operators(query or "")))


# What other search engines read as operators and this search does not: AND, OR and NOT in capitals, as those
# engines want them (in lower case they are words a title may hold), a minus or a bar before a word, double
# quotation marks. A reader who typed them meant something else than every word: the page says so.
_OPERATOR_WORD = re.compile(r"(?<![\w.'’])(?:AND|OR|NOT)(?![\w.'’])")
_QUOTES = re.compile(r"[\"“”„«»]")
_OPERATOR_SIGN = re.compile(rf"(?<!\S)[-−](?=\w)|\||{_QUOTES.pattern}")


def without_operators(query: str) -> str:
    """``query`` without the operators of other search engines it holds (``Japanese -Russian``, ``Japanese OR
    Russian``: ``Japanese Russian``), or as it is when they are all it has (a lone ``OR`` is a word)."""
    kept = " ".join(_OPERATOR_SIGN.sub(" ", _OPERATOR_WORD.sub(" ", query)).split())
    return kept or query


def has_operators(query: str) -> bool:
    """Whether ``query`` holds an operator of other search engines that the search leaves out
    (:func:`without_operators`). Quotation marks around a single word change nothing the reader meant."""
    kept = without_operators(query)
    if kept == " ".join(query.split()):
        return False
    return kept != " ".join(_QUOTES.sub(" ", query).split()) or len(kept.split()) > 1


def search_alternatives(query: str) -> list[tuple[str, ...]]:
    """:func:`search_words`, each with the other spellings that find what it means; a record must hold one
    spelling of every word.

    Russian names reach readers in several transliterations: the fold spells Cyrillic
    as English-language texts do (Тайшет as ``tayshet``), while scholars write
    ``Tajšet`` (ISO 9 and the Slavists' system), libraries ``Taĭshet`` (ALA-LC),
    and others ``Voyennoplennye`` (BGN/PCGN), ``arhiv`` or ``kompensacii`` (х as h,
    ц as c). A word typed in those is also looked for as the fold spells it.

    Russian declines its nouns and adjectives: a reader types ``лагерях`` or
    ``Читы`` and the title says ``лагерь``, ``Чита``. A Russian word is also
    looked for by its stem (Snowball's Russian stemmer: ``лагер``, ``чит``), and an
    English plural by its singular (``camps``, ``memories``: ``camp``, ``memory``).
    A stem is the start of every form of its word, but also of too many words of every
    language once the fold spells it in Latin letters (приём is ``при``: "prisoners",
    "Primorye"; пленных is ``плен``: "plenty"), so it is looked for only as a whole word
    with one of the Russian endings (:class:`WordForms`, :func:`_forms_of_stems`: ``чит``
    finds Чита, Читой, not "chitchat"; ``плен`` finds плена, пленных, plennye). A stem
    whose last vowel comes and goes (``японец``, ``японцы``: ``японец``, ``японц``)
    is also looked for in its other form (:func:`_fleeting_vowel`), and an adjective
    made from a place name by the place's (``тайшетские``, ``читинский``: ``тайшет``,
    ``чит``; :func:`_place_of_adjective`), also where the name's last letters change in
    it (``московских``: ``москв``; :func:`_alternated_place`). British
    and American spellings meet (``labour``, ``labor``). Ё at the start of a word
    typed as "yo" (``yolka``) is also looked for as the fold spells it (``elka``) in a word
    that ends as Russian words do (:func:`_informal_russian`), and -ий written as a lone y
    (``Sovetsky``, ``Dalny``) as ``iy``.

    Romanized Japanese is held with its long vowels merged (:func:`fold`): a word
    that could be romaji (made only of Japanese syllables) is also looked for so
    (``kyokkou``, ``yokuryuusha``: ``kyokko``, ``yokuryusha``), one that could not
    (``book``, ``south``) only as typed.

    Japanese readers type romaji as they learnt it at school: Kunrei-shiki or
    Nihon-shiki (``syuuyousyo``, ``tikyuu``, ``hukuoka``, ``zyosei``), where the
    texts are in Hepburn (shūyōsho, chikyū, Fukuoka, josei). A word made only of
    Japanese syllables is also looked for as Hepburn spells them
    (:func:`_hepburn_of_kunrei`); an English word that happens to be one
    (``situation``) is still looked for as typed too.

    Japanese is typed without spaces: a run of kana and kanji is cut into its words
    (``ソ連捕虜`` as ``ソ連 捕虜``) where the dictionary of readings is installed, so
    that each is looked for on its own. One-letter Russian prepositions and
    conjunctions (в, с, и…) and the English article "a" are left out of a query with
    other words, as a reader types them in a phrase that the record need not hold.

    A word of a group in ``COLLECTION_SEARCH_SYNONYMS`` (СССР, USSR, ソ連) is also looked for as the
    group's other words.

    Only the query is respelled, so the stored keys stay as they are; a respelling
    that finds nothing costs nothing.
    """
    query = _searched_text(query)
    words = search_words(query)
    respelled = fold(_as_the_fold_spells_russian(query)).split()[:MAX_WORDS]
    stems: set[str] = set()
    singulars: set[str] = set()
    stemmed = fold(_stemmed(query, russian_stems=stems, english_singulars=singulars)).split()[:MAX_WORDS]
    fleeting = fold(_stemmed(query, _fleeting_vowel, stems)).split()[:MAX_WORDS]
    place = _stemmed(query, _place_of_adjective, stems)
    places = fold(place).split()[:MAX_WORDS]
    places_hepburn = fold(_as_hepburn_spells_japanese(place)).split()[:MAX_WORDS]
    alternated = fold(_stemmed(query, _alternated_place, stems)).split()[:MAX_WORDS]
    japanese = fold(_as_hepburn_spells_japanese(query.casefold())).split()[:MAX_WORDS]
    japanese_stems = fold(_as_hepburn_spells_japanese(_stemmed(query))).split()[:MAX_WORDS]
    # An English singular stands for its whole word; a Russian stem spelled alike keeps its own forms.
    english, russian = _forms_of_singulars(singulars), _forms_of_stems(stems)
    forms = {**english, **russian}
    hepburn_forms = {**english, **_forms_of_stems(stems, hepburn=True)}
    lists = (respelled, stemmed, fleeting, places, places_hepburn, alternated, japanese, japanese_stems)
    if any(len(spelled) != len(words) for spelled in lists):
        return [(word,) for word in words]  # the words do not line up: none rather than wrong ones
    alternatives = []
    for word, other, stem, other_stem, place_name, place_hepburn, alternated_place, hepburn, hepburn_stem in zip(
            words, *lists, strict=True):
        if len(other) > 2 and "j" in other:  # й as j, and ja, ju for я, ю: the fold writes y
            other = other.replace("j", "y")
        # ALA-LC's я and ю beginning a word, written without their tie: Iakutsk, Iurii, the initial Iu. Within
        # a word the same letters are too common in English (diary, medium) to respell.
        if other.startswith(("ia", "iu")):
            other = "y" + other[1:]
        romaji = _as_romaji(word.strip())
        spellings = [word, _placed(other), _placed(_informal_russian(other)), _placed(_ending_in_iy(other)),
                     _spellings_of_stem(stem, forms),
                     _spellings_of_stem(other_stem, forms), _spellings_of_stem(place_name, forms),
                     _spellings_of_stem(place_hepburn, hepburn_forms),
                     _spellings_of_stem(alternated_place, forms),
                     # A Russian stem is no English word to respell (контор: kontor, not "kontour").
                     _spellings_of_stem(stem if stem in russian else _other_english_spelling(stem), forms),
                     _placed_romaji(_as_romaji(hepburn)),
                     hepburn_forms.get(hepburn_stem) or _placed_romaji(_as_romaji(hepburn_stem)),
                     _placed_romaji(romaji), _placed_romaji(_hepburn_of_kunrei(romaji))]
        spellings += [_placed(name) for name in _synonyms().get(word.strip(), ())]
        alternatives.append(_without_implied(dict.fromkeys(spellings)))
    return alternatives


def _without_implied(spellings: Iterable[str]) -> tuple[str, ...]:
    """``spellings`` less the forms of a stem that another spelling finds already, as the start of a word:
    Тайшет is its own stem, and `` tayshet`` begins every form of it."""
    starts = [spelling[1:] for spelling in spellings
              if not isinstance(spelling, WordForms) and spelling.startswith(" ") and not spelling.endswith(" ")]
    starts = tuple(starts)

    def implied(forms: WordForms) -> bool:
        return forms.start.startswith(starts) or all(
            (forms.start + ending).startswith(starts) for ending in forms.endings)

    return tuple(spelling for spelling in spellings if not (isinstance(spelling, WordForms) and implied(spelling)))


def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each word of ``COLLECTION_SEARCH_SYNONYMS``, folded, with the other words of its group."""
    return _synonyms_of(tuple(tuple(group) for group in app_settings.SEARCH_SYNONYMS))


@functools.lru_cache(maxsize=8)
def _synonyms_of(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    folded = [[fold(word) for word in group] for group in groups]
    return {word: tuple(other for other in group if other != word)
            for group in folded for word in group if word and " " not in word}


# Letters of scholarly (ISO 9, the Slavists' system) and library (ALA-LC) transliterations of Russian, as the
# fold spells the Cyrillic letters they stand for; before the fold, which would drop their marks (š to s).
_RUSSIAN_SPELLINGS = (("šč", "shch"), ("ŝ", "shch"), ("š", "sh"), ("č", "ch"), ("ž", "zh"), ("ĭ", "y"),
                      ("i\u0361a", "ya"), ("i\u0361u", "yu"), ("t\u0361s", "ts"))
_RUSSIAN_MARKED = re.compile("|".join(re.escape(written) for written, _fold in _RUSSIAN_SPELLINGS))
_RUSSIAN_FOLDED = dict(_RUSSIAN_SPELLINGS)


def _as_the_fold_spells_russian(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return _RUSSIAN_MARKED.sub(lambda match: _RUSSIAN_FOLDED[match.group()], text)


# Unmarked transliterations the fold does not write: BGN/PCGN's е as "ye" at the start of a word and after a
# vowel (voyennoplennye), х as a lone h (arhiv), ц as c (kompensacii), and ё after a consonant as "yo", as
# English texts spell it (Pyotr, Fyodorov, Semyonov, Solovyov for Пётр, Фёдоров, Семёнов, Соловьёв), where the
# fold writes е. Not in a word that could be romaji (Tokyo, horyo, Kyoto), whose "yo" is Japanese.
_YE = re.compile(r"(?<=[aeiouy])ye")
# At the start of a word only in one that ends as Russian words do (Yelena, Yeltsin, Yezhov, Yenisey, Yekaterinburg,
# Yerevan), so that English words are looked for as typed: "year" is not "ear", "yen" not "en" (enkai, 沿海).
_YE_START = re.compile(r"^ye(?=[a-z]*(?:[aeiouy]|[oe]v|[ai]n|[zks]h|sk|burg|grad)$)")
_YO = re.compile(r"(?<=[bcdfghjklmnpqrstvwxz])yo")
# Ё beginning a word, "yo" in English texts (Yolka, Yozh for Ёлка, Ёж), where the fold writes е: only in a word that
# ends as Russian words do (in a vowel, -ov, -ev, -in, -zh, -kh, -sh), and not in "you", so that English words
# (your, young, york, yolk, yogurt) are looked for only as typed: "your" is not "eur".
_YO_START = re.compile(r"^yo(?!u)(?=[a-z]*(?:[aeiouy]|[oe]v|in|[zks]h)$)")
_LONE_H = re.compile(r"(?<![cszk])h")
_LONE_C = re.compile(r"c(?!h)")


# -ий ending a word as English-language texts write it, a lone y (Sovetsky, Dalny for Советский, Дальний), where
# the fold writes "iy": after the letters Russian writes it after (к, г, х, ж, ш, ч, щ, and н of a soft stem),
# not in every English word ending in y (diary, history). -ый's "yy" needs nothing, the lone y being its start.
_LONE_Y_ENDING = re.compile(r"(?<=[a-z]{2}[kghn])y$")


def _ending_in_iy(word: str) -> str:
    return _LONE_Y_ENDING.sub("iy", word) if word.isascii() else word


def _informal_russian(word: str) -> str:
    if not word.isascii():
        return word
    if _romaji_syllables(word) is None:
        word = _YO.sub("e", _YO_START.sub("e", word))
    return _LONE_C.sub("ts", _LONE_H.sub("kh", _YE.sub("e", _YE_START.sub("e", word))))


# Japanese names and words as Russian writes them (the Polivanov system: Тосимаса, Мэгуро, Кайсоки), respelled
# as Hepburn does (Toshimasa, Meguro, Kaisōki): Soviet files name the internees so.
_POLIVANOV = (("дзя", "ja"), ("дзю", "ju"), ("дзё", "jo"), ("дзи", "ji"), ("дз", "z"), ("ся", "sha"),
              ("сю", "shu"), ("сё", "sho"), ("си", "shi"), ("тя", "cha"), ("тю", "chu"), ("тё", "cho"),
              ("ти", "chi"), ("цу", "tsu"), ("дж", "j"), ("ц", "ts"), ("й", "i"), ("э", "e"), ("ё", "yo"),
              ("ю", "yu"), ("я", "ya"), ("в", "w"), ("ш", "sh"), ("ч", "ch"), ("х", "h"), ("ы", "i"),
              ("ь", ""), ("ъ", ""))
_POLIVANOV_LETTERS = re.compile("|".join(written for written, _hepburn in _POLIVANOV))
_POLIVANOV_HEPBURN = dict(_POLIVANOV)


def _as_hepburn_spells_japanese(text: str) -> str:
    """``text`` with its Cyrillic words read as Japanese in the Polivanov system, spelled as Hepburn does."""
    return _RUSSIAN_WORD.sub(
        lambda word: _POLIVANOV_LETTERS.sub(lambda letters: _POLIVANOV_HEPBURN[letters.group()], word.group()),
        text)


# Kunrei-shiki and Nihon-shiki syllables that Hepburn spells otherwise.
_KUNREI_HEPBURN = {
    "si": "shi", "ti": "chi", "tu": "tsu", "hu": "fu", "zi": "ji", "di": "ji", "du": "zu",
    **{f"{kunrei}y{vowel}": f"{hepburn}{vowel}" for kunrei, hepburn in (("s", "sh"), ("t", "ch"), ("z", "j"),
                                                                      ("d", "j")) for vowel in "auo"},
}
# One Japanese syllable in any romaji, as the fold leaves it (no marks, no apostrophe): a consonant
# or two (Hepburn's sh, ch, ts; a consonant with y) and a vowel, a vowel alone, the syllabic n (not before a
# vowel or y), Hepburn's m before b or p, or the first of a doubled consonant (Hepburn's t before ch).
_ROMAJI_SYLLABLE = re.compile(
    r"(?:sh|ch|ts|[kgsztdnhbpmr]y|[kgsztdnhbpmrjfwy])?[aiueo]|n(?![aiueoy])|m(?=[bp])|t(?=ch)"
    r"|(?P<double>[kgsztdhbpmfcj])(?=(?P=double))")


def _romaji_syllables(word: str) -> list[str] | None:
    """The Japanese syllables ``word`` (folded) is made of; None if it is not made of them only."""
    if not word.isascii() or not word.isalpha():
        return None
    syllables, at = [], 0
    while at < len(word):
        syllable = _ROMAJI_SYLLABLE.match(word, at)
        if syllable is None:
            return None
        syllables.append(syllable.group())
        at = syllable.end()
    return syllables


def _as_romaji(word: str) -> str:
    """``word`` (folded) as the keys of romanized Japanese hold it, long vowels merged, if it could be romaji;
    unchanged otherwise, so that an English or Russian word keeps its doubled vowels."""
    return _merged_long_vowels(word) if _romaji_syllables(word) is not None else word


def _hepburn_of_kunrei(word: str) -> str:
    """``word`` (folded) spelled as Hepburn spells its Japanese syllables; unchanged unless it is made of them
    only, so that an English or Russian word is no Japanese one."""
    syllables = _romaji_syllables(word)
    if syllables is None:
        return word
    return "".join(_KUNREI_HEPBURN.get(syllable, syllable) for syllable in syllables)


def _placed(word: str) -> str:
    """``word`` with the spaces that say where it must stand (see :func:`search_words`)."""
    if word.isdigit():
        return f" {word} " if len(word) == 1 else word
    if _LATIN_START.match(word):
        return f" {word}"
    return word


def _placed_romaji(word: str) -> str:
    """``word`` respelled as romaji, placed: as :func:`_placed`, but a lone letter that merging long vowels left
    is a whole word (``ii``, ``oo``: ``i``, ``o``, as いい and おお are held), not the start of every word in it:
    "World War II" is not every record with a word in i."""
    return f" {word} " if len(word) == 1 and word.isalpha() else _placed(word)


_LATIN_START = re.compile(r"[a-z]")
# Words a reader types in a phrase that a record need not hold: one-letter Russian prepositions and
# conjunctions, the English article. Not followed by a dot, which would make them initials.
_FUNCTION_WORDS = re.compile(r"(?<![\w.])(?:[авиксоуя]|a)(?![\w.])", re.IGNORECASE)


def _without_function_words(query: str) -> str:
    """``query`` without its one-letter function words, unless they are all it has."""
    kept = _FUNCTION_WORDS.sub(" ", unicodedata.normalize("NFKC", query))
    return kept if kept.split() else query


_CJK_TO_CUT = re.compile(_KANA_OR_KANJI + "{3,}")
_KANA_PARTICLE = re.compile(r"[\u3041-\u3096]")
_TAGGER_LOCK = threading.Lock()


@functools.cache
def _japanese_tagger() -> Any:
    """The search's tagger of the dictionary of readings, made once (it takes a fifth of a second); None without
    the optional extra. A MeCab tagger is not safe to share between threads: it is used under _TAGGER_LOCK, and
    is not the one that derives readings."""
    try:
        import fugashi

        return fugashi.Tagger()
    except Exception:  # noqa: BLE001 - missing package or dictionary: queries stay as typed
        return None


def _spaced_japanese(query: str) -> str:
    """``query`` with a space between the words of each run of kana and kanji, as the dictionary of readings
    cuts it; one-kana particles (の, を, に…) left out. Unchanged without the dictionary."""
    if not _CJK_TO_CUT.search(query):
        return query
    with _TAGGER_LOCK:
        tagger = _japanese_tagger()
    if tagger is None:
        return query

    def cut(match: re.Match) -> str:
        with _TAGGER_LOCK:  # parsing takes some fifty microseconds
            words = [(word.surface, getattr(word.feature, "pos1", "") == "助詞") for word in tagger(match.group())]
        kept = [surface for surface, particle in words if not (particle and _KANA_PARTICLE.fullmatch(surface))]
        return f" {' '.join(kept or [surface for surface, _particle in words])} "

    return _CJK_TO_CUT.sub(cut, query)


# A word of letters only, in one script: the words the stemmers take.
_LETTERS = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"(?<=[a-z])['’]s\b")
_RUSSIAN_WORD = re.compile(r"[а-яё]+")
_ENGLISH_WORD = re.compile(r"[a-z]+")
# The shortest word worth stemming, and the shortest stem kept (shorter ones are most of their word).
_STEMMED_FROM, _SHORTEST_STEM = 4, 3
# A Russian stem's Latin letters begin words of every language in the keys: приём is при to the stemmer, and "pri"
# begins "prisoners" and "Primorye"; дети is дет, and "det" begins "details"; пленных is плен, and "plen" begins
# "plenty". A stem is looked for only followed by one of the endings of Russian nouns, adjectives and verbs, as a
# whole word (:func:`_forms_of_stems`). One this short is most of its word, and takes only the plain endings.
_SHORT_STEM = 3
_RUSSIAN_ENDINGS = (
    # Nouns.
    "а", "я", "о", "е", "ё", "ы", "и", "у", "ю", "ь", "й", "ой", "ей", "ёй", "ою", "ею", "ом", "ем", "ём", "ам", "ям",
    "ах", "ях", "ами", "ями", "ов", "ев", "ёв", "ью", "ьи", "ья", "ье", "ьё", "ьев", "ьей", "ьям", "ьях", "ьями",
    "ьми", "ия", "ии", "ие", "ий", "ию", "ием", "ией", "иям", "иях", "иями",
    # Adjectives and participles.
    "ый", "ая", "яя", "ое", "ее", "ые", "ого", "его", "ому", "ему", "ым", "им", "ую", "юю", "ых", "их", "ыми", "ими",
    # Verbs.
    "ть", "ти", "л", "ла", "ло", "ли", "ет", "ёт", "ит", "ут", "ют", "ат", "ят", "ешь", "ёшь", "ишь", "ете", "ите",
)
_RUSSIAN_CONSONANTS = "бвгджзйклмнпрстфхцчшщ"
# What else the stemmer takes off a longer word (Snowball's Russian suffixes): adjectives' other endings,
# participles (репрессированных: репрессирова), reflexive verbs (вернулись: вернул), gerunds, and the abstract
# nouns' -ость (ответственности: ответствен).
_ADJECTIVE_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им",
                      "ом", "ем", "ую", "юю", "ою", "ею", "ых", "их", "ыми", "ими", "ей")
_ACTIVE_PARTICIPLES = ("вш", "ивш", "ывш", "ющ", "ующ", "ущ", "ащ", "ящ", "щ")  # these take -ся too
_PARTICIPLES = ("нн", *_ACTIVE_PARTICIPLES, "ем", "им", "ом")
_VERB_ENDINGS = ("ть", "ти", "л", "ла", "ло", "ли", "ет", "ёт", "ит", "ут", "ют", "ат", "ят", "ешь", "ёшь", "ишь",
                 "ете", "ите", "ем", "им", "ил", "ила", "ило", "или", "ыл", "ыла", "ыло", "ыли", "ить", "ыть",
                 "й", "йте", "уй", "уйте", "ей", "ейте", "ует", "уют", "ую", "ю", "н", "на", "но", "ны", "ен",
                 "ена", "ено", "ены", "нно")
_GERUNDS = ("в", "вши", "вшись", "ив", "ивши", "ившись", "ыв", "ывши", "ывшись")
_LONG_STEM_ENDINGS = tuple(dict.fromkeys((
    *_RUSSIAN_ENDINGS, *_ADJECTIVE_ENDINGS,
    *(participle + ending for participle in _PARTICIPLES for ending in _ADJECTIVE_ENDINGS),
    *(participle + ending + "ся" for participle in _ACTIVE_PARTICIPLES for ending in _ADJECTIVE_ENDINGS),
    *(ending + reflexive for ending in _VERB_ENDINGS for reflexive in ("ся", "сь")), *_VERB_ENDINGS, *_GERUNDS,
    # A past tense's or an infinitive's -ся after what the stemmer keeps of it (вернулись, вернуться: вернул, вернут).
    "ся", "ась", "ось", "ись", "ясь", "ься",
    *("ост" + ending for ending in ("ь", "и", "ью", "ей", "ям", "ями", "ях")),
    # The adjectives and the names of people a noun makes, which its stem began before (Япония: японские, японец;
    # лагерь: лагерный; Корея: корейский): a reader of Russian searching the one expects the others.
    *(suffix + ending for suffix in ("ск", "йск", "ийск", "н") for ending in _ADJECTIVE_ENDINGS),
    "ец", *("ц" + ending for ending in ("а", "у", "ем", "е", "ы", "ев", "ам", "ами", "ах")),
)))
_LONG_STEM_ENDINGS_AFTER_N = (*_LONG_STEM_ENDINGS, *("н" + ending for ending in _LONG_STEM_ENDINGS))
# English plurals whose singular is not the word less its "s": boxes, marches, wishes, memories.
_ENGLISH_ES = ("ches", "shes", "sses", "xes", "zes")
_NOT_PLURAL = ("ss", "us", "is", "ics")


def _stemmed(query: str, russian_stem: Callable[[str, str], str] | None = None,
             russian_stems: set[str] | None = None, english_singulars: set[str] | None = None) -> str:
    """``query`` with each Russian word as its stem and each English plural as its singular.

    ``russian_stem`` (given the word and its stem) gives another stem to put in its place. The Russian stems are
    added to ``russian_stems``: they are looked for as the whole words they begin (:func:`_forms_of_stems`); the
    English singulars to ``english_singulars``, looked for as whole words (:func:`_forms_of_singulars`).
    """
    # An English possessive is read as its plural, which the fold joins it into (Japan's, POW's: japans, pows),
    # so that it also finds its word.
    text = _POSSESSIVE.sub("s", unicodedata.normalize("NFKC", query or "").casefold())
    russian = None

    def stem(match: re.Match) -> str:
        nonlocal russian
        word = match.group()
        if len(word) < _STEMMED_FROM:
            return word
        if _RUSSIAN_WORD.fullmatch(word):
            if russian is None:  # a stemmer keeps state while stemming: one per query, never shared
                russian = snowballstemmer.stemmer("russian")
            stemmed = russian.stemWord(word)
            if russian_stem is not None:
                stemmed = russian_stem(word, stemmed)
            if russian_stems is not None and len(stemmed) >= _SHORTEST_STEM:
                russian_stems.add(stemmed)
        elif _ENGLISH_WORD.fullmatch(word):
            stemmed = _english_singular(word)
            if english_singulars is not None and stemmed != word and len(stemmed) >= _SHORTEST_STEM:
                english_singulars.add(stemmed)
        else:
            return word
        return stemmed if len(stemmed) >= _SHORTEST_STEM else word

    return _LETTERS.sub(stem, text)


_RUSSIAN_VOWELS = "аеёиоуыэюя"


class WordForms(str):
    """A spelling that is one of several whole words: the forms of a Russian stem (:func:`_forms_of_stems`), such
    as `` chita ``, `` chity ``, `` chitoy `` for Чита.

    Its text is the regular expression that finds them between spaces (`` chit(?:a|oy|y) ``), so that it
    never equals a plain spelling; :meth:`pattern` places it, in a syntax Python and PostgreSQL read alike.
    Where a word is held is decided with the start all forms share (``start``) first: a plain substring,
    which an index finds, then the ending.
    """

    start: str
    endings: tuple[str, ...]

    def __new__(cls, forms: Iterable[str]) -> WordForms:
        forms = sorted(set(forms))
        start = os.path.commonprefix(forms)
        return cls.of_endings(start, tuple(form[len(start):] for form in forms))

    @classmethod
    def of_endings(cls, start: str, endings: tuple[str, ...]) -> WordForms:
        """The forms ``start`` followed by each of ``endings`` (distinct, sorted), without spelling each out."""
        shared = os.path.commonprefix(endings)
        if shared:
            start, endings = start + shared, tuple(ending[len(shared):] for ending in endings)
        spelling = super().__new__(cls, f" {cls._regex(start, endings)} ")
        spelling.start, spelling.endings = start, endings
        return spelling

    @staticmethod
    def _regex(start: str, endings: tuple[str, ...]) -> str:
        return re.escape(start) + _alternatives(endings)

    def pattern(self, before: str, after: str) -> str:
        """The regular expression of the forms, between ``before`` and ``after``."""
        return f"{before}{self[1:-1]}{after}"


@functools.lru_cache(maxsize=64)
def _alternatives(endings: tuple[str, ...]) -> str:
    """A regular expression matching exactly ``endings``, as a tree of their letters: a long stem has hundreds of
    endings, most sharing their first letters, and each letter is tried once. The same endings follow every
    long stem, so the tree is made once."""
    by_first: dict[str, list[str]] = {}
    bare = False
    for ending in endings:
        if ending:
            by_first.setdefault(ending[0], []).append(ending[1:])
        else:
            bare = True
    if not by_first:
        return ""
    branches = [re.escape(first) + _alternatives(tuple(rest)) for first, rest in sorted(by_first.items())]
    if len(branches) == 1 and not bare:
        return branches[0]
    return f"(?:{'|'.join(branches)}){'?' if bare else ''}"


def _forms_of_stems(stems: Iterable[str], hepburn: bool = False) -> dict[str, WordForms]:
    """Each Russian stem as the fold spells it, with the forms of its word spelled so: ``при`` (приём, приема) as
    ``pri``: ``pria``, ``priem``, ``priyu``…; ``плен`` (пленных, плена) as ``plen``: ``plena``, ``plennykh``,
    ``plennyy``…, never ``plenty``. ``hepburn``: the stems read as Japanese names are in the Polivanov system,
    spelled as Hepburn does (:func:`_as_hepburn_spells_japanese`, long vowels merged: Кавасимы, ``kawashim``).

    Stems that the fold spells alike (е and ё) share their forms.
    """
    forms: dict[str, list[WordForms]] = {}
    for stem in stems:
        spelled_stem, words = _forms_of_stem(stem, hepburn)
        if words is not None:
            forms.setdefault(spelled_stem, []).append(words)
    return {spelled_stem: words[0] if len(words) == 1 else WordForms(
        {form.start + ending for form in words for ending in form.endings}) for spelled_stem, words in forms.items()}


@functools.lru_cache(maxsize=4096)
def _forms_of_stem(stem: str, hepburn: bool) -> tuple[str, WordForms | None]:
    """The stem as spelled (see :func:`_forms_of_stems`), and the forms of its word; None if it has none.

    A short stem (``_SHORT_STEM``) takes the plain endings of nouns, adjectives and verbs, and is itself a form
    where a noun or a verb has no ending (лес, леса; год, года; жил, жила), so only when it ends in one consonant
    after a vowel: при, the stem of приём, is a preposition, and ёлка's ``елк`` is no word (its form without an
    ending is ёлок, which :func:`_fleeting_vowel` finds). A longer one takes every ending the stemmer takes off
    (``_LONG_STEM_ENDINGS``), and is itself a form when it ends in a consonant, or a consonant and ь (Хабаровск,
    Хабаровского; Урал, уральские: ураль); one in н may have lost the other н of -нн- to the stemmer (пленных:
    плен), which its forms have again. Japanese names take the plain endings only: they decline as nouns.
    """
    if len(stem) <= _SHORT_STEM:
        bare = stem[-1] in _RUSSIAN_CONSONANTS and stem[-2] in _RUSSIAN_VOWELS
        endings = _RUSSIAN_ENDINGS
    else:
        bare = stem.rstrip("ь")[-1:] in tuple(_RUSSIAN_CONSONANTS)  # уральские: ураль, Урал
        endings = _RUSSIAN_ENDINGS if hepburn else _LONG_STEM_ENDINGS_AFTER_N if stem[-1] == "н" \
            else _LONG_STEM_ENDINGS
    if hepburn:
        def spelled(text: str) -> str:
            return fold(_as_hepburn_spells_japanese(text))

        spelled_stem = spelled(stem)
        words = {_as_romaji(form) for form in (spelled(stem + ending) for ending in endings)
                 if bare or form != spelled_stem}  # ь is spelled as nothing
    else:
        # The fold spells Cyrillic letter by letter: a form is the stem's spelling and its ending's.
        spelled_stem = fold(stem)
        return spelled_stem, WordForms.of_endings(spelled_stem, _folded(endings, bare))
    if bare:
        words.add(_as_romaji(spelled_stem))
    return spelled_stem, WordForms(words) if words else None


@functools.lru_cache(maxsize=16)
def _folded(endings: tuple[str, ...], bare: bool) -> tuple[str, ...]:
    """The endings as the fold spells them, distinct and sorted; the empty one (ь is spelled as nothing) only if the
    stem is a form itself."""
    folded = {fold(ending) for ending in endings}
    return tuple(sorted(folded | {""} if bare else folded - {""}))


def _spellings_of_stem(stem: str, forms: Mapping[str, WordForms]) -> str:
    """A stem placed (:func:`_placed`), or the forms of a Russian stem (:func:`_forms_of_stems`)."""
    return forms.get(stem) or _placed(stem)


def _fleeting_vowel(_word: str, stem: str) -> str:
    """A Russian noun's stem in its other form: with its fleeting vowel if it has lost it, without it if not.

    Nouns in -ец, -ок, -ек lose that vowel in their other forms: японец, японцы, японца
    (stems ``японец``, ``японц``); отец, отца; городок, городка; боец, бойца (й for the
    vowel after a vowel). ``stem`` unchanged if it ends otherwise. A stem that keeps its
    vowel (кузнец, кузнеца) gets a form no word has, which finds nothing.
    """
    if len(stem) < 3 or stem[-1] not in "цк":
        return stem
    last, before = stem[-1], stem[-2]
    if before in "еёо":
        if len(stem) < 4:
            return stem
        return stem[:-2] + ("й" if stem[-3] in _RUSSIAN_VOWELS else "") + last
    if before in "йь":
        return stem[:-2] + "е" + last
    if before in _RUSSIAN_VOWELS:
        return stem
    return stem[:-1] + ("е" if last == "ц" else "о") + last


# The endings of a Russian adjective in -ский, in every case, number and gender.
_SKIY_ADJECTIVE = re.compile(r"ск(?:ий|ая|ое|ие|ого|ому|им|ом|их|ими|ую|ой)$")
# The shortest place name kept when -ск- alone is taken off (русский, детский, женский are no places), and when
# -инск- is (читинский: Чита).
_SHORTEST_PLACE, _SHORTEST_INSK_PLACE = 4, 3


def _place_of_adjective(word: str, stem: str) -> str:
    """The start of the place name a Russian adjective in -ский is made from; ``stem`` if it is none.

    тайшетские: Тайшет; магаданский: Магадан; сибирский: Сибирь; читинский: Чита (-инск-
    added to a name in -а); хабаровский, иркутский: Хабаровск, Иркутск themselves, which
    their stem already finds (Хабаров, Иркут too: the start of the name). Common adjectives
    (русский, детский) leave too short a word to stand for a place and are left alone.
    """
    if not stem.endswith("ск") or not _SKIY_ADJECTIVE.search(word):
        return stem
    base = stem[:-2]
    if base.endswith("ин") and len(base) - 2 >= _SHORTEST_INSK_PLACE:
        return base[:-2]
    return base if len(base.rstrip("ь")) >= _SHORTEST_PLACE else stem


# The last letters of a place name that its adjective in -ский changes: as the adjective's stem ends (less its
# -ск-), as the name has them, and the shortest start of a name kept; the first long enough is taken. Москва, Литва
# (московский, литовский: -ва as -ов-), five letters at least: a shorter one is mostly an adjective of a name in -ово
# (перовский, серовский) whose start, ``перв``, ``серв``, begins a hundred other words. Волга, Прага, Калуга
# (волжский, пражский, калужский: г as ж). Россия, Англия (российский: -ия as -ий-, so that России and Россией, which
# the fold spells ``rossii``, ``rossiey``, are found too, as Россия, ``rossiya``, was), five letters at least: индийский
# would find "individual". Токио (токийский: -о as -ий-), when the name is too short for the rule before.
_ALTERNATIONS = (
    (re.compile(r"(?<=[бвгджзклмнпрстфхцчшщ])ов$"), "в", 5),
    (re.compile(r"ж$"), "г", 4),
    (re.compile(r"ий$"), "и", 5),
    (re.compile(r"ий$"), "ио", 5),
)


def _alternated_place(word: str, stem: str) -> str:
    """The start of the place name a Russian adjective in -ский is made from with a change of its last letters;
    ``stem`` if it is none.

    московский, московских: Москва (``москв``); волжский: Волга; пражский: Прага;
    калужский: Калуга; российских: Россия, России (``росси``); токийский: Токио. The
    name's other changes (сибирский: Сибирь, читинский: Чита) are
    :func:`_place_of_adjective`'s, and an adjective these letters end by chance
    (хабаровский, петровский) gets a start that no name has, which finds nothing. A
    start too short to stand for a place (литовский: ``литв``, рижский: ``риг``) is left
    out (see ``_ALTERNATIONS``).
    """
    if not stem.endswith("ск") or not _SKIY_ADJECTIVE.search(word):
        return stem
    base = stem[:-2]
    for ending, replacement, shortest in _ALTERNATIONS:
        place = ending.sub(replacement, base)
        if place != base and len(place) >= shortest:
            return place
    return stem


def _english_singular(word: str) -> str:
    if len(word) < 4 or not word.endswith("s") or word.endswith(_NOT_PLURAL):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(_ENGLISH_ES):
        return word[:-2]
    return word[:-1]


def _english_plural(word: str) -> str:
    """The plural that :func:`_english_singular` takes back to ``word``."""
    if word.endswith("y") and word[-2:-1] not in ("", *"aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "ss", "x", "z")):
        return word + "es"
    return word + "s"


def _forms_of_singulars(singulars: Iterable[str]) -> dict[str, WordForms]:
    """Each English singular a plural is also looked for as, and its other spelling (labour, labor), as the
    whole word or its plural: the start of other words it is not (POWs finds POW, not "powers"; camps finds
    camp, not "campaign"; labours finds labor, not "laboratory"). The plural as typed still begins others."""
    forms: dict[str, WordForms] = {}
    for singular in singulars:
        for spelling in {fold(singular), fold(_other_english_spelling(singular))}:
            if spelling:
                forms[spelling] = WordForms([spelling, _english_plural(spelling)])
    return forms


def _other_english_spelling(word: str) -> str:
    """``word`` (folded) in the other of its British and American spellings: labour and labor, colour and color.

    Not below five letters (four, your, hour are no -or words), nor after a vowel (floor, door).
    """
    if len(word) < 5 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("our") and len(word) > 5 and word[-4] not in "aeiouy":
        return word[:-3] + "or"
    if word.endswith("or") and word[-3] not in "aeiouy":
        return word[:-2] + "our"
    return word


def _holds(field: str, word: str) -> Q:
    """``field`` holds ``word``; a word marked by :func:`search_words` also at the field's very start or end (a
    titles key has no separator around it)."""
    if isinstance(word, WordForms):
        return _holds(field, f" {word.start}") & Q(**{f"{field}__regex": word.pattern("(?:^| )", "(?: |$)")})
    condition = Q(**{f"{field}__contains": word})
    if word.startswith(" "):
        condition |= Q(**{f"{field}__startswith": word[1:]})
    if word.endswith(" "):
        condition |= Q(**{f"{field}__endswith": word[:-1]})
    if word.startswith(" ") and word.endswith(" "):
        condition |= Q(**{field: word.strip()})
    return condition


# A whole query word of four digits from FIRST_YEAR to LAST_YEAR is also a year (see searched_year).
FIRST_YEAR, LAST_YEAR = 1000, 2100
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def searched_year(spellings: tuple[str, ...]) -> int | None:
    """The year a query word names, if it is one: four digits, whole, from ``FIRST_YEAR`` to ``LAST_YEAR``.

    ``spellings`` is one word of :func:`search_alternatives`. A year finds the
    records dated in it as well as those whose text holds it: ``1945`` finds a
    letter dated 1946/1956 and a title "1945年8月".
    """
    word = spellings[0].strip() if spellings else ""
    if not _FOUR_DIGITS.fullmatch(word):
        return None
    year = int(word)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def search_condition(query: str, prefix: str = "search__") -> Q | None:
    """A filter for records matching ``query`` (every word, in one of its spellings, any script); None for an
    empty query.

    A year (:func:`searched_year`) is also matched by the record's dates: a record
    holds the word ``1945`` when its text does or its year range reaches 1945 at
    both ends (``dated_between(1945, 1945)``, the years filters' rule). ``prefix``
    leads to the search row: ``search__`` from a record, ``""`` from the search rows
    (the record's dates are then read through ``record__``).

    The facet index (``collection.facets.text``) matches the same words the same
    way in memory; the browse page and the API count and list through it.
    """
    from .models.records import dated_between

    isbn13 = isbn_query(query)
    if isbn13:
        return Q(isbn13=isbn13)
    words = search_alternatives(query)
    if not words:
        return None
    record = prefix.removesuffix("search__") if prefix.endswith("search__") else f"{prefix}record__"
    condition = Q()
    for spellings in words:
        either = Q()
        for word in spellings:
            # Every word of a document has a space on both sides (it starts and ends with the separator).
            if isinstance(word, WordForms):
                # The start of the forms first: a substring the trigram index finds, and a cheap test on SQLite.
                either |= Q(**{f"{prefix}document__contains": f" {word.start}"}) & Q(
                    **{f"{prefix}document__regex": word.pattern(" ", " ")})
                continue
            holds = Q(**{f"{prefix}document__contains": word})
            grams = bigrams(word)
            if grams:
                holds &= Q(BigramsContain(f"{prefix}bigrams", grams))
            either |= holds
        year = searched_year(spellings)
        if year is not None:
            either |= dated_between(year, year, record)
        condition &= either
    return condition


def title_match(query: str, prefix: str = "search__") -> Q:
    """Records whose titles hold every word (in one of its spellings): ranked first when sorting by relevance."""
    condition = Q()
    for spellings in search_alternatives(query):
        either = Q()
        for word in spellings:
            either |= _holds(f"{prefix}titles", word)
        condition &= either
    return condition


# --- keeping counts exact -----------------------------------------------------------------------

# Tables whose changes can change a facet count or a search result.
COUNTED_TABLES = (
    "collection_record", "collection_record_languages", "collection_record_places", "collection_record_subjects",
    "collection_recordagent", "collection_recordsearch", "collection_recordplaceindex", "collection_recordimage",
    "collection_recordtitleorder",
)
# The change log keeps this many versions; a facet index further behind starts afresh.
KEEP_VERSIONS = 100_000
# A PostgreSQL statement touching more published records than this logs "everything"
# rather than each id: re-reading that many records costs about a rebuild anyway.
LIST_AT_MOST = 10_000


def catalogue_triggers_sql(vendor: str, tables: Iterable[str]) -> list[str]:
    """SQL creating the triggers that bump the catalogue version and log changed records.

    Only changes that touch a published record count (a curator editing drafts
    leaves the public counts alone); a record leaving or entering publication
    always does, since its old or new row is published. Each bump draws a new
    random token and logs the ids of the published records concerned in
    ``collection_cataloguechange``, all in the changing transaction, so the facet
    index (``collection.facets.index``) can re-read exactly those records.
    """
    published = "status = 'published'"
    if vendor == "postgresql":
        statements = [
            "CREATE OR REPLACE FUNCTION collection_log_change(ids bigint[], everything boolean) RETURNS void AS $$ "
            "DECLARE v bigint; t bigint; BEGIN "
            "IF ids IS NULL AND NOT everything THEN RETURN; END IF; "
            "t := floor(random() * 9007199254740991)::bigint; "
            "UPDATE collection_catalogueversion SET version = version + 1, token = t RETURNING version INTO v; "
            "IF v IS NULL THEN RETURN; END IF; "
            f"IF everything OR cardinality(ids) > {LIST_AT_MOST} THEN "
            "INSERT INTO collection_cataloguechange (version, token, record_id) VALUES (v, t, NULL); "
            "ELSE INSERT INTO collection_cataloguechange (version, token, record_id) SELECT v, t, unnest(ids); "
            "END IF; "
            f"DELETE FROM collection_cataloguechange WHERE version <= v - {KEEP_VERSIONS}; "
            "END $$ LANGUAGE plpgsql",
            # TRUNCATE: no rows to name, so whoever reads the log starts afresh.
            "CREATE OR REPLACE FUNCTION collection_bump_catalogue_version() RETURNS trigger AS $$ "
            "BEGIN PERFORM collection_log_change(NULL, true); RETURN NULL; END $$ LANGUAGE plpgsql",
        ]
        for kind, select in (
            ("record", "SELECT id FROM {rows} WHERE " + published),
            # A join, never EXISTS: with EXISTS the planner may rescan the transition table per record.
            ("link", "SELECT x.record_id FROM {rows} AS x JOIN collection_record AS r ON r.id = x.record_id "
                     "WHERE r." + published),
        ):
            new, old = select.format(rows="new_rows"), select.format(rows="old_rows")
            statements.append(
                f"CREATE OR REPLACE FUNCTION collection_bump_if_published_{kind}() RETURNS trigger AS $$ "
                "DECLARE ids bigint[]; BEGIN "
                # Each branch names only the transition tables its event has.
                f"IF TG_OP = 'INSERT' THEN SELECT array_agg(DISTINCT c.i) INTO ids FROM ({new}) AS c(i); "
                f"ELSIF TG_OP = 'DELETE' THEN SELECT array_agg(DISTINCT c.i) INTO ids FROM ({old}) AS c(i); "
                f"ELSE SELECT array_agg(DISTINCT c.i) INTO ids FROM ({new} UNION {old}) AS c(i); END IF; "
                "PERFORM collection_log_change(ids, false); RETURN NULL; END $$ LANGUAGE plpgsql"
            )
        for table in tables:
            kind = "record" if table == "collection_record" else "link"
            for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                                       ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
                statements.append(f"DROP TRIGGER IF EXISTS {table}_bump_{event.lower()} ON {table}")
                statements.append(
                    f"CREATE TRIGGER {table}_bump_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {referencing} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION collection_bump_if_published_{kind}()"
                )
            statements.append(f"DROP TRIGGER IF EXISTS {table}_bump_truncate ON {table}")
            statements.append(
                f"CREATE TRIGGER {table}_bump_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION collection_bump_catalogue_version()"
            )
        return statements
    if vendor == "sqlite":
        statements = []
        for table in tables:
            column = "id" if table == "collection_record" else "record_id"
            for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
                if table == "collection_record":
                    when = " OR ".join(f"{row}.{published}" for row in rows)
                else:
                    when = " OR ".join(
                        f"EXISTS (SELECT 1 FROM collection_record WHERE id = {row}.record_id AND {published})"
                        for row in rows
                    )
                logged = " UNION ".join(
                    f"SELECT version, token, {row}.{column} FROM collection_catalogueversion" for row in rows
                )
                statements.append(f"DROP TRIGGER IF EXISTS {table}_bump_{event.lower()}")
                statements.append(
                    f"CREATE TRIGGER {table}_bump_{event.lower()} AFTER {event} ON {table} WHEN {when} BEGIN "
                    "UPDATE collection_catalogueversion SET version = version + 1, token = random(); "
                    f"INSERT INTO collection_cataloguechange (version, token, record_id) {logged}; "
                    "DELETE FROM collection_cataloguechange WHERE version <= "
                    f"(SELECT max(version) FROM collection_catalogueversion) - {KEEP_VERSIONS}; END"
                )
        return statements
    return []


def trigger_names(vendor: str, tables: Iterable[str]) -> list[str]:
    events = ("insert", "delete", "update", "truncate") if vendor == "postgresql" else ("insert", "delete", "update")
    return [f"{table}_bump_{event}" for table in tables for event in events]


def start_catalogue_version(cursor: Any) -> None:
    """Give a database without a version row one, logged so that an index built at it can follow later changes."""
    cursor.execute("SELECT count(*) FROM collection_catalogueversion")
    if cursor.fetchone()[0]:
        return
    token = random.getrandbits(53)
    cursor.execute("INSERT INTO collection_catalogueversion (version, token) VALUES (1, %s)", [token])
    # The log's first row at this version: record_id empty means "start afresh" to anyone behind it.
    cursor.execute("INSERT INTO collection_cataloguechange (version, token, record_id) VALUES (1, %s, NULL)",
                   [token])


def install_catalogue_triggers(using: str = "default") -> bool:
    """(Re)create the version triggers if any is missing (SQLite drops them whenever a migration rebuilds a
    table); whether it had to."""
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    if not {"collection_catalogueversion", "collection_cataloguechange"} <= existing:
        return False
    tables = [table for table in COUNTED_TABLES if table in existing]
    with conn.cursor() as cursor:
        start_catalogue_version(cursor)  # e.g. after a flush
        if all_present(cursor, conn.vendor, trigger_names(conn.vendor, tables)):
            return False
        for statement in catalogue_triggers_sql(conn.vendor, tables):
            cursor.execute(statement)
    return True


def log_everything(using: str = "default") -> None:
    """Bump the catalogue version and log "everything": each facet index re-reads the whole catalogue."""
    from django.db import connections

    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        token = random.getrandbits(53)
        cursor.execute("UPDATE collection_catalogueversion SET version = version + 1, token = %s", [token])
        cursor.execute("INSERT INTO collection_cataloguechange (version, token, record_id) "
                       "SELECT version, token, NULL FROM collection_catalogueversion")


def _before_migrate(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """SQLite: drop the app's triggers before migrations run; ``post_migrate`` makes them again.

    SQLite rebuilds a table to alter it, and renaming the rebuilt table fails while a
    trigger on another table names it ("error in trigger …: no such table"). Changes
    made by the migrations go unseen by the triggers meanwhile, so every ready export
    row goes now, and making the triggers again logs "everything". A migrate that
    fails leaves them away until the next one succeeds.
    """
    from django.db import connections

    from .catalogue.export_lines import trigger_names as export_trigger_names

    conn = connections[using]
    # Only this app's migrations alter the tables its triggers name.
    if conn.vendor != "sqlite" or not any(migration.app_label == "collection" for migration, _back in plan or ()):
        return
    with conn.cursor() as cursor:
        for name in trigger_names("sqlite", COUNTED_TABLES) + export_trigger_names("sqlite"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        # Gone now, not after: a migration that fails never reaches post_migrate, and no row may outlive
        # the triggers that keep it exact.
        if "collection_exportline" in conn.introspection.table_names(cursor):
            cursor.execute("DELETE FROM collection_exportline")


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from .catalogue.export_lines import install_export_line_triggers

    if install_catalogue_triggers(using):
        log_everything(using)  # what changed while they were missing was not logged
    install_export_line_triggers(using)


def reindex_after_save(obj: Any) -> None:
    """Refresh the search keys an admin save touches: a record's own, or those naming an agent, place or subject.

    A place that moved has already put the place index of the records inside it right
    (``Place.save``); their keys hold the names of the places around theirs, and are
    refreshed with those of the records naming it.
    """
    refresh_records_naming(type(obj), [obj.pk])


def refresh_records_naming(model: type[models.Model], ids: Iterable[int], batch_size: int = 2000) -> None:
    """Refresh the search keys (and place index) of the records that hold these records', agents', places' or
    subjects' names, a batch at a time; the records naming changed agents, places or subjects are changed too.

    A record's keys hold the names of its own agents, places and subjects, and of the
    places around its places (:func:`search_row`): a place's names are in the keys of
    the records linked to it and of every record the place index counts in it. So are
    those of a place that moved, or lies under one that did, whatever its path says
    now: the records found are those in it or under it before and after the move,
    and their keys and place index are made from the paths as they now stand.

    Their pages, citations and Dublin Core give those names: their ``modified`` moves,
    which dates them for the sitemap and the feed (``records.last_change``), and they are
    restamped for harvesters (``RecordQuerySet.restamp``).
    """
    from .catalogue.export_lines import queue_refresh
    from .models import Agent, Place, Record, RecordPlaceIndex, Subject

    ids = sorted(set(ids))
    if model is Record:
        records = set(ids)
    else:
        def linked(rows: type[models.Model], column: str, chunk: list[int]) -> models.QuerySet:
            return rows.objects.filter(**{f"{column}__in": chunk}).values_list("record_id", flat=True)

        naming = {
            # In a role, as its repository or as the organisation it describes.
            Agent: lambda chunk: Record.objects.naming_agents(chunk).values_list("pk", flat=True),
            Subject: lambda chunk: linked(Record.subjects.through, "subject_id", chunk),
            # A record linked to a place, and one the place index counts in it (in a place under it).
            Place: lambda chunk: linked(Record.places.through, "place_id", chunk).union(
                linked(RecordPlaceIndex, "place_id", chunk)),
        }.get(model)
        if naming is None:
            return
        records = set()
        for start in range(0, len(ids), batch_size):
            records.update(naming(ids[start:start + batch_size]))
    ordered = sorted(records)
    now = timezone.now()
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start:start + batch_size]
        if model is not Record:
            Record._base_manager.filter(pk__in=batch).update(modified=now)
        # Their ``modified`` moved, here or by the caller: harvesters' datestamps follow.
        Record.objects.filter(pk__in=batch).restamp()
        refresh_search_index(batch)
    if model is not Record and ordered:
        queue_refresh()  # the database drops the ready export rows of changed records


def _record_created(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    # A new record gets its search row at once, so that browse (which orders through it) always lists it;
    # its titles, written after it, are indexed when the writer calls refresh_search_index.
    # A record just inserted has no titles, descriptions or links yet, and no rows of keys: its row is made
    # from its own fields, without reading the tables refresh_search_index reads.
    if created and not raw:
        row = search_row(instance.pk, [], [], [], [], instance.call_number, instance.isbn10, instance.isbn13,
                         container_title=instance.container_title, publication_place=instance.publication_place)
        _store_search_rows([instance.pk], [row], title_order_rows(instance.pk, [], app_settings.LANGUAGES), [],
                           replace=False)
