"""Search terms matched in the facet index: which records hold every word of a query.

The one search (:mod:`collection.search`) folds a query into words and finds
the records whose search document holds each of them as a substring. A folded
word holds neither a space nor the separator, so it is inside a document
exactly when it is inside one of the document's *tokens* (its space-separated
runs); a word given with a space before (or after) it, a lone letter or digit,
is in the document exactly when a token starts (or ends) with the rest. Asking the database reads
every candidate row: a common word in a million records costs PostgreSQL over
100 ms before anything is counted. Here:

- a document is cut at its separators into *parts* (a title key, a
  description, an agent's or a place's name…). Parts recur (every record of an
  agent holds the agent's names), so each distinct part is kept once, with the
  slots of the records holding it, and the slots holding it in a title;
- each distinct part is cut into tokens, and each distinct token is kept once,
  with the parts holding it; all tokens are joined in one string;
- a word is looked for in that string (one scan of a few megabytes, however
  many records hold it), then followed through its tokens and their parts to
  the records.

Cutting millions of documents into parts is a handful of C calls per chunk;
only the far fewer distinct parts are cut into tokens. Records changed since the
last build get a second, small segment; their old slots are cleared by the index
(stale slots here are harmless: a match is always taken with the live slots).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..search import SEPARATOR, WordForms

TOKEN_END = "\n"
# Parts marking where a record's titles and the record end, in the marked text a chunk of documents is
# read as (see marked). Control characters: a folded document never holds one.
TITLES_END, RECORD_END = "\x01", "\x02"
_MARKERS = ("", TITLES_END, RECORD_END)  # the first part codes
_TITLES_END_CODE, _RECORD_END_CODE = _MARKERS.index(TITLES_END), _MARKERS.index(RECORD_END)
# Distinct parts are cut into tokens this many at a time.
PARTS_CHUNK = 100_000


def marked(document: str, titles_length: int) -> str:
    """A document as the index reads it: its parts, a titles marker after the titles key, a record marker.

    A document starts with the separator and its titles key (see
    ``collection.search.search_row``). ``MARKED_SQL`` builds the same text in
    PostgreSQL.
    """
    head = len(SEPARATOR) + titles_length
    return f"{document[:head]}{SEPARATOR}{TITLES_END}{SEPARATOR}{document[head:]}{SEPARATOR}{RECORD_END}{SEPARATOR}"


# marked() in PostgreSQL, over the columns document and titles (lengths in characters, substr from 1).
MARKED_SQL = (
    f"substr(document, 1, {len(SEPARATOR)} + char_length(titles)) || '{SEPARATOR}' || chr(1) || '{SEPARATOR}' || "
    f"substr(document, {len(SEPARATOR) + 1} + char_length(titles)) || '{SEPARATOR}' || chr(2) || '{SEPARATOR}'"
)


@dataclass(frozen=True)
class Parts:
    """Every (part, record) pair of some documents: part codes, record ids, whether in the titles key."""

    vocabulary: list[str]
    codes: np.ndarray
    record_ids: np.ndarray
    in_title: np.ndarray


def cut(chunks: Iterable[tuple[np.ndarray, str]]) -> Parts:
    """The parts of documents given in chunks: (record ids, their marked documents concatenated).

    Each chunk is split in one call and coded through a dictionary, with no
    Python step per part.
    """
    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    for marker in _MARKERS:
        vocabulary[marker]
    codes, records, titles = [], [], []
    for ids, text in chunks:
        pieces = text.split(SEPARATOR)
        code = np.fromiter(map(vocabulary.__getitem__, pieces), dtype=np.int32, count=len(pieces))
        del pieces, text
        ends = code == _RECORD_END_CODE
        seen_ends = np.cumsum(ends)
        if int(seen_ends[-1]) != len(ids):
            raise ValueError("a chunk of documents does not hold one marked document per record")
        record = seen_ends - ends  # each part's record, by position in the chunk
        title = np.cumsum(code == _TITLES_END_CODE) == seen_ends  # before its record's titles marker
        keep = code >= len(_MARKERS)
        codes.append(code[keep])
        records.append(_narrow(np.asarray(ids))[record[keep]])
        titles.append(title[keep])
    empty = np.zeros(0, dtype=np.int32)
    return Parts(list(vocabulary), np.concatenate([empty, *codes]), np.concatenate([empty, *records]),
                 np.concatenate([empty.astype(bool), *titles]))


def _narrow(ids: np.ndarray) -> np.ndarray:
    """Record ids as int32 when they fit (millions of pairs hold them), else int64."""
    if not len(ids) or (ids.min() >= 0 and ids.max() < 2**31):
        return ids.astype(np.int32)
    return ids.astype(np.int64)


def chunked(rows: Iterator[tuple[int, str, int]], size: int) -> Iterator[tuple[np.ndarray, str]]:
    """Rows of (record id, document, titles length) as chunks for :func:`cut`."""
    while chunk := list(itertools.islice(rows, size)):
        yield (np.array([row[0] for row in chunk], dtype=np.int64),
               "".join(marked(document, length) for _pk, document, length in chunk))


@dataclass(frozen=True)
class Postings:
    """Values (slots, or part codes) per key code: ``values[offsets[code]:offsets[code + 1]]``."""

    offsets: np.ndarray
    values: np.ndarray

    @classmethod
    def build(cls, codes: np.ndarray, values: np.ndarray, code_count: int) -> Postings:
        key = codes.astype(np.int64)  # one array, shifted, combined and sorted in place
        key <<= 32
        key |= values
        key.sort()
        if len(key):  # a part twice in one record is one posting
            key = key[np.concatenate([[True], key[1:] != key[:-1]])]
        offsets = np.zeros(code_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(key >> 32, minlength=code_count), out=offsets[1:])
        return cls(offsets, (key & 0xFFFFFFFF).astype(np.int32))

    @property
    def code_count(self) -> int:
        return len(self.offsets) - 1

    def of(self, codes: np.ndarray) -> np.ndarray:
        """The values of these codes (with repeats)."""
        starts = self.offsets[codes]
        lengths = self.offsets[codes + 1] - starts
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        return self.values[np.repeat(starts - (ends - lengths), lengths) + np.arange(total)]

    def remapped(self, new_value: np.ndarray) -> Postings:
        """The same postings with values renumbered (``new_value[old]``; -1 drops a posting)."""
        codes = np.repeat(np.arange(self.code_count, dtype=np.int64), np.diff(self.offsets))
        values = new_value[self.values]
        keep = values >= 0
        offsets = np.zeros(self.code_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(codes[keep], minlength=self.code_count), out=offsets[1:])
        return Postings(offsets, values[keep].astype(np.int32))

    def followed_by(self, other: Postings, value_shift: int = 0) -> Postings:
        """These postings, then ``other``'s under codes numbered after these (its values shifted)."""
        return Postings(np.concatenate([self.offsets[:-1], other.offsets + len(self.values)]),
                        np.concatenate([self.values, other.values + np.int32(value_shift)]))

    @property
    def nbytes(self) -> int:
        return self.offsets.nbytes + self.values.nbytes


@dataclass(frozen=True)
class Segment:
    """Distinct tokens joined in one string, the distinct parts holding each, and the slots holding each part."""

    joined: str  # every token followed by TOKEN_END, in code order
    starts: np.ndarray  # token code -> where it starts in ``joined``; one more entry at the end
    token_parts: Postings  # token code -> part codes
    documents: Postings  # part code -> slots
    titles: Postings  # part code -> slots holding it in their titles key

    @classmethod
    def build(cls, parts: Parts, slot_of_record: np.ndarray) -> Segment:
        """A segment of these parts, in slots (pairs of records without one are dropped)."""
        slots = np.full(len(parts.record_ids), -1, dtype=np.int32)
        inside = parts.record_ids < len(slot_of_record)
        slots[inside] = slot_of_record[parts.record_ids[inside]]
        held = slots >= 0
        codes, slots, in_title = parts.codes[held], slots[held], parts.in_title[held]
        del inside, held
        part_count = len(parts.vocabulary)
        # The distinct parts' tokens, a chunk of parts at a time: each part ends with a marker token (code 0).
        tokens: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        tokens[RECORD_END]
        token_codes, token_parts = [], []
        for first in range(len(_MARKERS), part_count, PARTS_CHUNK):
            words = f" {RECORD_END} ".join(parts.vocabulary[first:first + PARTS_CHUNK]).split() + [RECORD_END]
            code = np.fromiter(map(tokens.__getitem__, words), dtype=np.int32, count=len(words))
            del words
            ends = code == 0
            keep = ~ends
            token_codes.append(code[keep])
            token_parts.append((np.cumsum(ends) - ends)[keep] + first)
        empty = np.zeros(0, dtype=np.int32)
        token_codes, token_parts = np.concatenate([empty, *token_codes]), np.concatenate([empty, *token_parts])
        vocabulary = list(tokens)
        lengths = np.fromiter(map(len, vocabulary), dtype=np.int64, count=len(vocabulary)) + len(TOKEN_END)
        starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        return cls(TOKEN_END.join(vocabulary) + TOKEN_END, starts,
                   Postings.build(token_codes, token_parts, len(vocabulary)),
                   Postings.build(codes, slots, part_count),
                   Postings.build(codes[in_title], slots[in_title], part_count))

    def parts_containing(self, word: str) -> np.ndarray:
        """Codes of the parts holding ``word`` (some maybe twice: marking slots twice marks them once).

        A word with a space before it must begin a token, one with a space after it
        end one (see ``collection.search.search_words``); every token ends with TOKEN_END.
        The forms of a Russian stem (``collection.search.WordForms``) must each be a
        whole token, as the database's regular expression has them.
        """
        if isinstance(word, WordForms):
            positions = self._tokens_matching(word)
        else:
            positions = self._positions(word)
        if not positions:
            return np.zeros(0, dtype=np.int64)
        tokens = np.searchsorted(self.starts, positions, side="right") - 1
        return self.token_parts.of(tokens[np.concatenate([[True], tokens[1:] != tokens[:-1]])])

    def _positions(self, word: str) -> list[int]:
        find, positions = self.joined.find, []
        needle = word.strip() + (TOKEN_END if word.endswith(" ") else "")
        shift = 0
        if word.startswith(" "):
            if self.joined.startswith(needle):
                positions.append(0)
            needle, shift = TOKEN_END + needle, len(TOKEN_END)
        at = find(needle)
        while at >= 0:
            positions.append(at + shift)
            at = find(needle, at + 1)
        return positions

    def _tokens_matching(self, word: WordForms) -> list[int]:
        """Where the tokens that are one of ``word``'s forms start: each is a whole token, between two
        TOKEN_ENDs (the first token has none before it)."""
        whole = re.compile(word.pattern("", f"(?={TOKEN_END})"))
        positions = [0] if whole.match(self.joined) else []
        # The lookahead leaves the token's end to begin the next match.
        positions.extend(match.start() + len(TOKEN_END) for match in re.finditer(
            word.pattern(re.escape(TOKEN_END), f"(?={TOKEN_END})"), self.joined))
        return positions

    def followed_by(self, other: Segment) -> Segment:
        return Segment(self.joined + other.joined,
                       np.concatenate([self.starts[:-1], other.starts + len(self.joined)]),
                       self.token_parts.followed_by(other.token_parts, self.documents.code_count),
                       self.documents.followed_by(other.documents), self.titles.followed_by(other.titles))

    def remapped(self, new_slot: np.ndarray) -> Segment:
        return Segment(self.joined, self.starts, self.token_parts, self.documents.remapped(new_slot),
                       self.titles.remapped(new_slot))

    @property
    def nbytes(self) -> int:
        return (sys.getsizeof(self.joined) + self.starts.nbytes + self.token_parts.nbytes + self.documents.nbytes
                + self.titles.nbytes)


@dataclass(frozen=True)
class TextIndex:
    """The search documents of the indexed records: the last build's segment, and one for records changed since."""

    segments: tuple[Segment, ...] = ()

    @classmethod
    def build(cls, parts: Parts, slot_of_record: np.ndarray) -> TextIndex:
        return cls((Segment.build(parts, slot_of_record),))

    def with_changed(self, parts: Parts, slot_of_record: np.ndarray) -> TextIndex:
        """This index with the parts of re-read records (in their new slots) added."""
        added = Segment.build(parts, slot_of_record)
        if len(self.segments) < 2:
            return TextIndex((*self.segments, added))
        return TextIndex((self.segments[0], self.segments[1].followed_by(added)))

    def remapped(self, new_slot: np.ndarray) -> TextIndex:
        """One segment, with slots renumbered after a compaction (``new_slot[old]``, -1 for dropped)."""
        if not self.segments:
            return self
        merged = self.segments[0]
        for segment in self.segments[1:]:
            merged = merged.followed_by(segment)
        return TextIndex((merged.remapped(new_slot),))

    def matching(self, words: Iterable[tuple[str, ...]], slot_count: int,
                 otherwise: Sequence[np.ndarray | None] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Slots whose document holds every word (in one of its spellings), and those whose titles key does.

        ``otherwise`` gives, for each word, the slots that hold it in another way,
        or None (the records dated in a year: ``collection.search.searched_year``).
        """
        documents = np.ones(slot_count, dtype=bool)
        titles = np.ones(slot_count, dtype=bool)
        for number, spellings in enumerate(words):
            held = otherwise[number] if number < len(otherwise) else None
            in_documents = np.zeros(slot_count, dtype=bool) if held is None else held.copy()
            in_titles = np.zeros(slot_count, dtype=bool)
            for segment in self.segments:
                for word in spellings:
                    parts = segment.parts_containing(word)
                    in_documents[segment.documents.of(parts)] = True
                    in_titles[segment.titles.of(parts)] = True
            documents &= in_documents
            titles &= in_titles
        return documents, titles

    @property
    def nbytes(self) -> int:
        return sum(segment.nbytes for segment in self.segments)
