"""Keyword in context: the passage of a record's description around the words a search found there.

A record found through its description shows, on the browse page, a passage of
it around the first word the search matched, the matched words marked, as
library catalogues and archives show a search's "keyword in context". The words
are found as the search finds them (:mod:`collection.search`): the query's own
spellings (:func:`~collection.search.search_alternatives`: word forms,
transliterations, synonyms) looked for in the text's fold (full-width letters,
katakana as hiragana, ヴ as the b-row, Latin accents…), each placed as the search
places it (the start of a word, a whole word, anywhere in kana and kanji). The
fold is followed back to the characters it came from, so that the mark falls on
the text as written. A word the search found in a form the fold does not hold
(a romanized title, a name's reading) is not in the description: it gets no
mark, and a text where no word is found no passage, rather than a wrong one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from .models import LabelForm, pick_label
from .search import WordForms, document_key, fold, isbn_query, search_alternatives
from .text import HAN, base_language, is_kana, script_language, script_subtag

# How long a passage is, in characters, and how much of it comes before the first match: most of it after, as a
# sentence goes on from its keyword.
PASSAGE_LENGTH = 180
CONTEXT_BEFORE = 60
# How far a cut looks for a space, in a language written with them, before it cuts inside a word (a long address).
FARTHEST_SPACE = 30
ELLIPSIS = "…"
# Languages written without spaces between words: a passage of them is cut at any character.
_UNSPACED_LANGUAGES = ("ja", "zh")
# Punctuation a passage does not start or end with, once cut out of its sentence.
_LEADING_PUNCTUATION = ",;:.、。，；：)]）」』"
_TRAILING_PUNCTUATION = ",;:、，；：([（「『"
# What may stand between a one-character word and the word it is marked beside (see _markable): nothing (抑留者),
# or a space (Kuznetsov I.).
_BESIDE = re.compile(r"\s?")


@dataclass(frozen=True)
class Passage:
    """A passage of a text in ``language``: its parts in order, each ``(text, marked)``.

    Shown as :attr:`html`: its text escaped, the marked parts in ``<mark>``, the only markup it holds.
    """

    language: str
    parts: tuple[tuple[str, bool], ...]

    def __str__(self) -> str:
        return "".join(text for text, _marked in self.parts)

    @property
    def marked(self) -> list[str]:
        """The texts marked, in order."""
        return [text for text, marked in self.parts if marked]

    @property
    def html(self) -> SafeString:
        """The passage as a page shows it: its text escaped, its marked parts in ``<mark>``."""
        return mark_safe("".join(f"<mark>{escape(text)}</mark>" if marked else escape(text)
                                 for text, marked in self.parts))


@dataclass(frozen=True)
class FoundIn:
    """A title or journal name a result's line does not show, through which it was found: what it is
    (``name``: "Also titled", "Reading", "In"), and its ``passage``, in its own language (``""`` for a journal's
    name in Latin letters, whose language no field gives)."""

    name: str
    passage: Passage


class SearchedWords:
    """The words of a query as the search looks for them, to find again in a text.

    Made once per page: the query's spellings are worked out once for all its records.
    """

    def __init__(self, query: str) -> None:
        query = (query or "").strip()
        # An ISBN is matched whole against the record's own, which no description is.
        self.words: list[tuple[str, ...]] = [] if not query or isbn_query(query) else search_alternatives(query)
        # The numbers of the words of one character: 抑留者's 者, an initial.
        self.one_character = {number for number, spellings in enumerate(self.words)
                              if len(spellings[0].strip()) == 1}

    def __bool__(self) -> bool:
        return bool(self.words)

    def all_held_by(self, texts: Iterable[tuple[str, str]]) -> bool:
        """Whether every word is held by one of ``texts`` (``(text, language)``), as the search holds them: then
        those texts alone say why a record was found."""
        return bool(self.words) and len(self.held_by(texts)) == len(self.words)

    def held_by(self, texts: Iterable[tuple[str, str]]) -> set[int]:
        """The numbers of the words held by one of ``texts`` (``(text, language)``), as the search holds them."""
        keys = [f" {document_key(text, language)} " for text, language in texts if text]
        return {number for number, spellings in enumerate(self.words)
                if any(_occurrences(spelling, key) for spelling in spellings for key in keys)}

    def passage(self, text: str, language: str = "") -> Passage | None:
        """The passage of ``text`` to show around the first word found in it, the words found marked; None when
        no word is found in it."""
        if not self.words or not text:
            return None
        spans = self._markable(text, self._found(text, language))
        if not spans:
            return None
        return _passage(text, language, spans)

    def _found(self, text: str, language: str) -> list[tuple[int, int, int]]:
        """Where each word is found in ``text``: ``(start, end, word number)`` in its characters."""
        folded, origin = _traced_fold(text, language)
        haystack = f" {folded} "
        found = [(at, end, number) for number, spellings in enumerate(self.words) for spelling in spellings
                 for at, end in _occurrences(spelling, haystack)]
        spans = []
        for at, end, number in found:
            # The haystack has a space before the fold.
            chars = origin[at - 1:end - 1]
            if not chars or any(char is None for char in chars):
                continue  # where the fold took these letters from cannot be told: no mark rather than a wrong one
            start, stop = min(span[0] for span in chars), _with_marks(text, max(span[1] for span in chars))
            if folded[at - 1:end - 1] not in fold(text[start:stop], language):
                continue  # the characters found do not fold to the word: no mark rather than a wrong one
            if number not in self.one_character:  # a lone letter is an initial, not the word it begins
                start, stop = _whole_word(text, start, stop)
            spans.append((start, stop, number))
        return spans

    def _markable(self, text: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """The spans to mark: a word of one character only beside another word's, as it was typed, unless the
        query has no longer word: alone, it is in most texts many times over."""
        short = self.one_character
        if len(short) == len(self.words):
            short = set()
        long_spans = [(start, end) for start, end, number in spans if number not in short]

        def beside(start: int, end: int) -> bool:
            return any((other_end <= start and _BESIDE.fullmatch(text[other_end:start]))
                       or (end <= other_start and _BESIDE.fullmatch(text[end:other_start]))
                       for other_start, other_end in long_spans)

        kept = long_spans + [(start, end) for start, end, number in spans if number in short and beside(start, end)]
        return _merged(kept)


def passage(query: str, text: str, language: str = "") -> Passage | None:
    """The passage of ``text`` (in ``language``) a search for ``query`` shows: about ``PASSAGE_LENGTH``
    characters around the first word the search finds in it, cut at words (at characters in Japanese and
    Chinese), an ellipsis where it is cut, every word found in it marked. None when the search finds no word of
    the query in ``text`` itself."""
    return SearchedWords(query).passage(text, language)


def attach_passages(records: Sequence[Any], query: str, language: str) -> None:
    """Give each of ``records`` (published records with their titles, as a page lists them) a
    ``search_passage``: the passage of its description a search for ``query`` shows, or None; and a
    ``search_found_in``: the titles and journal its line does not show that hold the other words
    (:func:`found_in`).

    A record whose line says why it was found (:func:`line_holds_every_word`) shows
    neither. The others' descriptions are read in one query for them all (none when
    every line says why); the description their page shows in ``language``
    (``Record.description_in``) is tried first, then the others. Their titles and
    journal came with them: they cost no query.
    """
    words = SearchedWords(query)
    unexplained = [record for record in records if words and not line_holds_every_word(record, words, language)]
    prefetch_related_objects(unexplained, "descriptions")
    for record in records:
        record.search_passage = None
        record.search_found_in = []
    for record in unexplained:
        record.search_passage = description_passage(record, words, language)
        record.search_found_in = found_in(record, words, language, record.search_passage)


def shown_titles(record: Any, language: str) -> list[Any]:
    """The titles a result line shows of ``record`` on a page in ``language``: its ``display_label``, and the
    original title beside it."""
    shown = [record.display_label(language), pick_label(record.original_titles(), None)]
    return [label for label in shown if label is not None]


def line_holds_every_word(record: Any, words: SearchedWords, language: str) -> bool:
    """Whether the titles a result line shows of ``record`` on a page in ``language`` hold every word searched:
    then the line says why it was found."""
    return words.all_held_by((label.text, label.language) for label in shown_titles(record, language))


def found_in(record: Any, words: SearchedWords, language: str, shown_passage: Passage | None = None) -> list[FoundIn]:
    """The titles of ``record`` its line on a page in ``language`` does not show, and its journal, each with
    its passage, that hold a word searched which neither the line, nor ``shown_passage`` (of its description),
    nor one before it holds: the other titles first, then the readings and romanizations, then the journal.

    A title is shown once: not one of the line's, nor one written as another shown. A word the line or the
    passage already explains does not bring another title, so that a result shows as few as say why.
    """
    shown = shown_titles(record, language)
    explained = words.held_by([(label.text, label.language) for label in shown]
                              + ([(str(shown_passage), shown_passage.language)] if shown_passage else []))
    seen = {_same_text(label.text) for label in shown}
    found = []
    for name, text, text_language in _other_texts(record, shown):
        if _same_text(text) in seen:
            continue
        new = words.held_by([(text, text_language)]) - explained
        found_passage = words.passage(text, text_language) if new else None
        if found_passage is None:
            continue
        found.append(FoundIn(name, found_passage))
        explained |= new
        seen.add(_same_text(text))
    return found


# Titles of these forms are other titles of the record; the others spell out a title.
_TITLE_FORMS = (LabelForm.ORIGINAL, LabelForm.TRANSLATION, LabelForm.TRANSCRIPTION)


def _other_texts(record: Any, shown: list[Any]) -> list[tuple[str, str, str]]:
    """The titles of ``record`` not among ``shown`` and its journal, in the order :func:`found_in` tries them:
    each as ``(what it is, text, language)``."""
    titles = [title for title in record.titles.all() if title.text and title not in shown]
    texts = [(_title_name(title), title.text, title.language)
             for title in sorted(titles, key=lambda title: title.form not in _TITLE_FORMS)]
    if record.container_title:
        # No field gives a journal's language: its letters say it, or nothing (Latin letters).
        texts.append((gettext("In"), record.container_title, script_language(record.container_title)))
    return texts


def _title_name(title: Any) -> str:
    """What a title the line does not show is, as the line labels it."""
    if title.form == LabelForm.READING:
        return pgettext("a title's reading in kana, through which a search found a record", "Reading")
    if title.form == LabelForm.ROMANIZATION:
        if base_language(title.language) == "ja":
            return pgettext("a Japanese title in Latin letters, through which a search found a record",
                            "Romanization")
        return pgettext("a title in Latin letters, of another language than Japanese, through which a search "
                        "found a record", "Romanization")
    return pgettext("another title of a record, through which a search found it", "Also titled")


def _same_text(text: str) -> str:
    return " ".join(text.casefold().split())


def description_passage(record: Any, words: SearchedWords, language: str) -> Passage | None:
    """The passage of ``record``'s descriptions the search ``words`` show on a page in ``language``: of the one
    its page shows first, else of the first other that holds a word."""
    shown_first = record.description_in(language)
    others = [description for description in record.descriptions.all() if description != shown_first]
    for description in ([shown_first] if shown_first else []) + others:
        found = words.passage(description.text, description.language)
        if found is not None:
            return found
    return None


# --- finding the words ------------------------------------------------------------------------


def _occurrences(spelling: str, haystack: str) -> list[tuple[int, int]]:
    """Where ``spelling`` (a word of :func:`~collection.search.search_alternatives`) is in ``haystack`` (folded
    words between spaces, with a space at each end), as the search's document holds it: ``(start, end)`` of the
    word itself, without the spaces placing it."""
    if isinstance(spelling, WordForms):
        return [match.span() for match in re.finditer(spelling.pattern("(?<= )", "(?= )"), haystack)]
    word = spelling.strip()
    if not word:
        return []
    before = 1 if spelling.startswith(" ") else 0
    found, at = [], haystack.find(spelling)
    while at >= 0:
        found.append((at + before, at + before + len(word)))
        at = haystack.find(spelling, at + 1)
    return found


def _whole_word(text: str, start: int, end: int) -> tuple[int, int]:
    """A match widened to the whole word it begins, in a script written with spaces (``camp`` in "campaign",
    ``lager`` in "лагерях"); in kana and kanji, where a word has no bounds to see, the match itself."""
    if _unspaced(text[start]) or _unspaced(text[end - 1]):
        return start, end
    while start > 0 and _spaced_letter(text[start - 1]):
        start -= 1
    while end < len(text) and _spaced_letter(text[end]):
        end += 1
    return start, end


def _with_marks(text: str, end: int) -> int:
    """``end`` moved past the combining and voicing marks that belong to the character before it."""
    while end < len(text) and (unicodedata.category(text[end]).startswith("M") or text[end] in "\uff9e\uff9f"):
        end += 1
    return end


def _unspaced(char: str) -> bool:
    return bool(HAN.match(char)) or is_kana(char)


def _spaced_letter(char: str) -> bool:
    return (char.isalnum() or unicodedata.category(char).startswith("M")) and not _unspaced(char)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, those that overlap or touch as one (抑留 and 者 typed as 抑留者 are one mark)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


# --- the fold, followed back to the text ------------------------------------------------------------

_PIECES: dict[str, str] = {}


def _piece(char: str) -> str:
    """What ``char`` folds to on its own: its letters, ``""`` when the fold drops it inside a word (ь, an
    apostrophe, an accent), a space when it parts words."""
    piece = _PIECES.get(char)
    if piece is None:
        piece = fold(char) or ("" if fold(f"a{char}a") == "aa" else " ")
        if len(_PIECES) < 65536:
            _PIECES[char] = piece
    return piece


def _traced_fold(text: str, language: str) -> tuple[str, list[tuple[int, int] | None]]:
    """``text`` folded as the search folds it (:func:`~collection.search.fold`), and for each character of the
    fold the characters of ``text`` it was made from (``(start, end)``), or None where that cannot be told.

    Folded a character at a time, a text is mostly its fold. Where the fold reads
    several characters together (``ヴァ`` as ``ば``, ``シベリヤ`` as ``しべりあ``,
    romaji's long vowels, the initials ``P.O.W.``), the two part and meet again a
    few letters on: the letters the fold made there come from the characters
    between.
    """
    folded = fold(text, language)
    letters: list[str] = []
    owners: list[int] = []
    for index, char in enumerate(text):
        for letter in _piece(char):
            if letter == " " and (not letters or letters[-1] == " "):
                continue
            letters.append(letter)
            owners.append(index)
    if letters and letters[-1] == " ":
        letters.pop()
        owners.pop()
    pieces = "".join(letters)
    if pieces == folded:
        return folded, [(owner, owner + 1) for owner in owners]
    return folded, _aligned(pieces, owners, folded)


# How far apart the letters folded a character at a time and the fold may run before they meet again, and how
# many letters must agree for them to have met.
_FARTHEST_REWRITE, _AGREEING = 8, 4


def _aligned(pieces: str, owners: list[int], folded: str) -> list[tuple[int, int] | None]:
    """For each letter of ``folded``, the characters (``owners``) of the letters of ``pieces`` it stands for.

    Where the two differ, the nearest place where they agree again
    (``_AGREEING`` letters, or both ends) is looked for, the fewest letters
    skipped first: the fold's rewrites are a few letters long, so this takes a step per letter.
    """
    origin: list[tuple[int, int] | None] = [None] * len(folded)
    at, to = 0, 0  # in pieces, in folded
    while to < len(folded):
        if at < len(pieces) and pieces[at] == folded[to]:
            origin[to] = (owners[at], owners[at] + 1)
            at, to = at + 1, to + 1
            continue
        skip = _meeting(pieces, at, folded, to)
        if skip is None:
            break  # they do not meet again: the rest cannot be told
        skipped_pieces, skipped_folded = skip
        if skipped_pieces:
            span = (min(owners[at:at + skipped_pieces]), max(owners[at:at + skipped_pieces]) + 1)
            for index in range(to, to + skipped_folded):
                origin[index] = span
        at, to = at + skipped_pieces, to + skipped_folded
    return origin


def _meeting(pieces: str, at: int, folded: str, to: int) -> tuple[int, int] | None:
    """How many letters of ``pieces`` from ``at`` and of ``folded`` from ``to`` to skip for the two to agree
    again; None if they do not within ``_FARTHEST_REWRITE``."""
    for total in range(1, 2 * _FARTHEST_REWRITE + 1):
        for skipped_pieces in range(max(0, total - _FARTHEST_REWRITE), min(total, _FARTHEST_REWRITE) + 1):
            here, there = at + skipped_pieces, to + total - skipped_pieces
            if here > len(pieces) or there > len(folded):
                continue
            ahead = pieces[here:here + _AGREEING]
            if ahead == folded[there:there + _AGREEING] and (ahead or (here == len(pieces)
                                                                         and there == len(folded))):
                return skipped_pieces, total - skipped_pieces
    return None


# --- cutting the passage ------------------------------------------------------------------------


def _passage(text: str, language: str, spans: list[tuple[int, int]]) -> Passage:
    """The passage of ``text`` around the first of ``spans`` (in order), the spans inside it marked."""
    first_start, first_end = spans[0]
    start = max(0, first_start - CONTEXT_BEFORE)
    end = min(len(text), max(start + PASSAGE_LENGTH, first_end))
    if end == len(text):
        start = max(0, min(first_start, end - PASSAGE_LENGTH))
    if _cut_at_words(language):
        start = _word_start(text, start, first_start)
        end = _word_end(text, end, first_end)
    while start < first_start and (text[start].isspace() or text[start] in _LEADING_PUNCTUATION):
        start += 1
    while end > first_end and (text[end - 1].isspace() or text[end - 1] in _TRAILING_PUNCTUATION):
        end -= 1
    parts: list[tuple[str, bool]] = []
    if start > 0:
        parts.append((ELLIPSIS, False))
    at = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        if span_start > at:
            parts.append((_one_line(text[at:span_start]), False))
        parts.append((_one_line(text[span_start:span_end]), True))
        at = span_end
    if end > at:
        parts.append((_one_line(text[at:end]), False))
    if end < len(text):
        parts.append((ELLIPSIS, False))
    return Passage(language, tuple(parts))


def _cut_at_words(language: str) -> bool:
    """Whether a text in ``language`` is cut between words: not Japanese or Chinese in their own scripts."""
    return base_language(language or "") not in _UNSPACED_LANGUAGES or script_subtag(language) in ("Latn", "Cyrl")


def _word_start(text: str, start: int, first: int) -> int:
    """``start`` moved to the beginning of a word: after the space before it where one is near, not past
    ``first``."""
    if start == 0 or text[start - 1].isspace() or text[start].isspace():
        return start
    after = next((at + 1 for at in range(start, min(first, start + FARTHEST_SPACE)) if text[at].isspace()), None)
    if after is not None:
        return after
    before = next((at + 1 for at in range(start - 1, max(-1, start - FARTHEST_SPACE), -1) if text[at].isspace()),
                  None)
    return before if before is not None else start


def _word_end(text: str, end: int, last: int) -> int:
    """``end`` moved to the end of a word: the space before it where one is near, not before ``last``."""
    if end == len(text) or text[end].isspace() or text[end - 1].isspace():
        return end
    space = next((at for at in range(end - 1, max(last - 1, end - FARTHEST_SPACE), -1) if text[at].isspace()), None)
    if space is not None:
        return space
    after = next((at for at in range(end, min(len(text), end + FARTHEST_SPACE)) if text[at].isspace()), None)
    return after if after is not None else end


def _one_line(text: str) -> str:
    """A part of a passage with its line breaks and runs of spaces as single spaces: it is shown in one line."""
    return re.sub(r"\s+", " ", text)
