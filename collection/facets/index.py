"""The facet index: every published record's facet values, held in each process's memory.

Counting a million records eight ways in SQL takes seconds; counting them in
numpy arrays takes milliseconds. Each process keeps one :class:`FacetIndex` per
database: the published records (read through ``Record.objects.published()``)
with their kind, languages, decades (from their years: a range in each decade it
spans, "undated" a value of its own), places with all their ancestors
(``RecordPlaceIndex``), subjects, agents, repository, whether they have public
scans, and what the pages sort by (dates, and each record's place in the
database's own title order).

**Exact, not cached.** The index is stamped with the catalogue version and its
random token (:class:`~collection.models.CatalogueVersion`). Every request reads
the stamp (one small query). When it moved, the index catches up before
counting: database triggers log the ids of the published records each change
touches (:class:`~collection.models.CatalogueChange`, in the changing
transaction), and the index re-reads just those records (nine queries) — each
gets a new slot and its old slot is cleared. A count read after a commit
therefore reflects it, in every process: a withdrawn record leaves every count
on the next request. The index reads everything afresh when the log no longer
reaches back to its stamp (the triggers keep the last
``collection.search.KEEP_VERSIONS`` versions), when a change was too large to
list, or when its stamp is not in the committed history at all (it was read
inside a transaction that rolled back: the token tells). Cleared slots are
compacted away in memory once they add up (:data:`COMPACT_AT`).

**Counting.** Every facet is held as (slot, value) pairs twice: slots grouped
by value (what choosing a value reads, and what counting a large share of the
records walks: a gather and a sum per value) and values grouped by slot (what
counting a few thousand records walks); records changed since the last
compaction sit in a small unsorted tail. A facet is counted under every *other*
active filter — values of one facet OR, facets AND; the counts of the whole
catalogue are kept up to date rather than recounted, and a filter matching nearly
everything is counted by what it leaves out. The words of a search term (``q``)
are matched in memory too, in the tokens of each record's search document
(:mod:`collection.facets.text`), exactly as :mod:`collection.search` matches
them in the database; an ISBN is matched by the database. Pages are cut in
memory in the order the database would give.

**Why numpy.** A million records hold about eight million (record, value)
pairs. Python sets or int bitsets per value cost hundreds of megabytes for the
thousands of agents and places and seconds to combine; numpy keeps a pair in
6 bytes (frequent values as bitsets, no bigger) and counts every facet of a
filter state in 2–15 ms.

**Cost** (``benchmarks/browse.py``, 2 shared cores; see the README): 1,000,000
synthetic records on PostgreSQL (899,520 published) take about 190 MiB per
process (80 MiB of it the search documents' parts and words) and 13 s to read
from scratch; catching up after one record is withdrawn takes 19–26 ms.
200,000 records on SQLite: about 39 MiB, 4 s to read, 10–25 ms to catch up.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.db import NotSupportedError, connections
from django.db.models import Case, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, Length, RowNumber

from ..conf import app_settings
from ..models import (
    CatalogueChange,
    CatalogueVersion,
    Record,
    RecordAgent,
    RecordKind,
    RecordPlaceIndex,
    RecordSearch,
    RecordTitleOrder,
)
from ..search import searched_year
from .columns import Column, binary_array, fetch
from .text import MARKED_SQL, Parts, TextIndex, chunked, cut

KINDS: tuple[str, ...] = tuple(RecordKind.values)
# Facets a record may have any number of values of (a repository or a decade too: one layout for all).
MANY = ("language", "decade", "place", "subject", "agent", "repository")
FACETS = ("kind", "language", "decade", "place", "subject", "agent", "repository", "has_scans")
UNDATED = "undated"
UNDATED_ID = -(2**62)  # the decade value of an undated record
NO_YEAR = -(2**31)  # a missing year: below any year a record can hold
NO_DATE = -1  # a missing date (ordinals start at 1)
# Compact cleared slots away once the changed records exceed this share of the index and COMPACT_MIN.
COMPACT_AT = 0.05
COMPACT_MIN = 10_000
# Rebuild from the database rather than catch up when more records than this share changed.
REBUILD_AT = 0.25
# Counting walks the matching slots' values (rather than every value's slots) below this share.
SPARSE_BELOW = 0.08
# Neighbours in title order read on each side of a changed record.
NEIGHBOURS = 8
# A value held by at least one slot in this many gets a bitset (no bigger than its slots as int32).
FREQUENT = 32
# Search documents are read this many at a time (records; on PostgreSQL, a range of ids).
TEXT_CHUNK = 50_000


@dataclass(frozen=True)
class Stamp:
    version: int
    token: int


# --- reading the database -------------------------------------------------------------------------


def _changed(since: int, until: int) -> QuerySet:
    return CatalogueChange.objects.filter(version__gt=since, version__lte=until).values("record_id")


@dataclass
class Rows:
    """Facet rows of some published records, as numpy columns (database ids, not codes)."""

    ids: np.ndarray
    kind: np.ndarray
    repository: np.ndarray
    year_start: np.ndarray
    year_end: np.ndarray
    date_start: np.ndarray
    date_end: np.ndarray
    scans: np.ndarray  # ids of the records with public scans
    pairs: dict[str, tuple[np.ndarray, np.ndarray]]  # facet -> (record ids, value ids)
    # Each title order (see title_orders), as (record ids, ranks); records without keys in an order have
    # no rank in it. A full read gives every rank; a read of changed records gives their nearest
    # neighbours in each order instead (see Neighbours).
    titles: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
    neighbours: dict[str, Neighbours] | None = None
    parts: Parts | None = None  # the search documents' parts (collection.facets.text)

    @classmethod
    def read(cls, using: str, changed: QuerySet | None = None) -> Rows:
        """The published records, or those of them in ``changed`` (then a fixed number of queries)."""
        records = Record.objects.using(using).published()
        if changed is not None:
            records = records.filter(pk__in=changed)
        kind = Case(*[When(kind=value, then=Value(code)) for code, value in enumerate(KINDS)], default=Value(-1))
        day = datetime.date(2000, 1, 1)
        ids, kinds, repository, year_start, year_end, date_start, no_start, date_end, no_end = fetch(records, [
            Column("pk", "int8"), Column(kind, "int4"), Column(Coalesce("repository_id", Value(-1)), "int8"),
            Column(Coalesce("year_start", Value(NO_YEAR)), "int4"),
            Column(Coalesce("year_end", Value(NO_YEAR)), "int4"),
            # Dates with a flag for "none": columns are read as fixed-width arrays, and no sentinel date is safe.
            Column(Coalesce("date_start", Value(day)), "date"), Column(Q(date_start__isnull=True), "bool"),
            Column(Coalesce("date_end", Value(day)), "date"), Column(Q(date_end__isnull=True), "bool"),
        ])
        date_start[no_start] = NO_DATE
        date_end[no_end] = NO_DATE
        (scans,) = fetch(records.with_public_scans(), [Column("pk", "int8")])
        pairs = {}
        for name, model, value in (
            ("language", Record.languages.through, "language_id"),
            ("place", RecordPlaceIndex, "place_id"),
            ("subject", Record.subjects.through, "subject_id"),
            ("agent", RecordAgent, "agent_id"),
        ):
            # Every row (of the changed records): the records above decide which are public, and rows
            # of any other record find no slot and are dropped. Joining them to the published records
            # here would only cost the database a hash join over millions of rows.
            rows = model.objects.using(using).all() if changed is None else model.objects.using(using).filter(
                record_id__in=changed)
            pairs[name] = tuple(fetch(rows, [Column("record_id", "int8"), Column(value, "int8")]))
        result = cls(ids, kinds.astype(np.int8), repository, year_start, year_end, date_start, date_end, scans, pairs,
                     parts=read_parts(using, changed))
        if changed is None:
            result.titles = read_title_ranks(using, title_orders())
        else:
            result.neighbours = Neighbours.read(using, records, changed, title_orders())
        return result


def read_parts(using: str, changed: QuerySet | None = None) -> Parts:
    """The parts of every search document (or of the changed records'), read as a stream of chunks.

    Like the facet rows, documents of unpublished records are read and dropped
    by the index, which holds no slot for them. PostgreSQL marks and joins each
    chunk's documents itself, so that no Python step is taken per record.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        documents = RecordSearch.objects.using(using).order_by()
        if changed is not None:
            documents = documents.filter(record_id__in=changed)
        rows = documents.values_list("record_id", "document", Length("titles")).iterator(chunk_size=TEXT_CHUNK)
        return cut(chunked(rows, TEXT_CHUNK))
    return cut(_postgresql_chunks(connection, changed))


def _postgresql_chunks(connection: Any, changed: QuerySet | None) -> Iterator[tuple[np.ndarray, str]]:
    """Record ids and their marked documents: the changed records' in one query, else a range of ids at a time."""
    table = connection.ops.quote_name(RecordSearch._meta.db_table)
    # Both aggregates in the same order, so that the ids match the documents.
    select = (f"SELECT array_send(array_agg(record_id::bigint ORDER BY record_id)), "
              f"string_agg({MARKED_SQL}, '' ORDER BY record_id) FROM {table} WHERE ")
    with connection.cursor() as cursor:

        def by_range() -> Iterator[tuple[bytes | None, str | None]]:
            cursor.execute(f"SELECT min(record_id), max(record_id) FROM {table}")
            low, high = cursor.fetchone()
            for start in range(low, high + 1, TEXT_CHUNK) if low is not None else ():
                cursor.execute(f"{select}record_id >= %s AND record_id < %s", [start, start + TEXT_CHUNK])
                yield cursor.fetchone()

        if changed is not None:
            changed_sql, changed_params = changed.query.sql_with_params()
            cursor.execute(f"{select}record_id IN ({changed_sql})", changed_params)
            chunks: Iterable[tuple[bytes | None, str | None]] = [cursor.fetchone()]
        else:
            chunks = by_range()
        for ids, text in chunks:
            if text is not None:
                yield binary_array(ids, Column("record_id", "int8")), text


def title_orders() -> list[str]:
    """The title orders the index holds: ``""`` (the original titles', ``RecordSearch.title_key``), then
    each cataloguing language's (``RecordTitleOrder``): see :func:`collection.search.title_order_language`."""
    return ["", *app_settings.LANGUAGES]


def _title_keys(using: str, language: str) -> QuerySet:
    if not language:
        return RecordSearch.objects.using(using).all()
    return RecordTitleOrder.objects.using(using).filter(language=language)


def read_title_ranks(using: str, languages: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every record's place in each of these title orders (its title key, then id, in the database's
    collation): the original titles' (``""``) in one query, the cataloguing languages' together in another.

    Every record with a key in an order is ranked, in the order of that order's index,
    so the database walks the index rather than sorting; the index keeps the ranks of
    the published records it holds (their relative order is the same).
    """
    languages = list(languages)
    ranks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if "" in languages:
        rank = Window(RowNumber(), order_by=[F("title_key").asc(), F("record_id").asc()])
        ids, order = fetch(_title_keys(using, ""), [Column("record_id", "int8"), Column(rank, "int8")])
        ranks[""] = (ids, order.astype(np.float64))
    tags = [language for language in languages if language]
    if tags:
        code = Case(*[When(language=tag, then=Value(index)) for index, tag in enumerate(tags)], default=Value(-1))
        rank = Window(RowNumber(), partition_by=[F("language")], order_by=[F("title_key").asc(), F("record_id").asc()])
        ids, codes, order = fetch(RecordTitleOrder.objects.using(using).filter(language__in=tags),
                                  [Column("record_id", "int8"), Column(code, "int4"), Column(rank, "int8")])
        for index, tag in enumerate(tags):
            mine = codes == index
            ranks[tag] = (ids[mine], order[mine].astype(np.float64))
    return ranks


@dataclass
class Neighbours:
    """Changed records in title order, each with the records just before and after it in that order.

    The index holds no titles, so a changed record's title rank is placed between
    its nearest neighbours the index still holds: NEIGHBOURS on each side, in case
    the nearest are unpublished or changed too.
    """

    ids: np.ndarray
    before: np.ndarray  # (records, NEIGHBOURS) ids, nearest first; -1 past the first title
    after: np.ndarray

    @classmethod
    def read(cls, using: str, records: QuerySet, changed: QuerySet,
             languages: Iterable[str] = ("",)) -> dict[str, Neighbours]:
        """Neighbours of ``records`` among the records not in ``changed`` (a query of record ids), in the
        title order of each of ``languages`` (see :func:`title_orders`): one query for them all."""
        connection = connections[using]
        records_sql, records_params = records.values("pk").query.sql_with_params()
        changed_sql, changed_params = changed.query.sql_with_params()
        languages = list(languages)
        parts, params = [], []
        for part, language in enumerate(languages):
            table = connection.ops.quote_name(_title_keys(using, language).model._meta.db_table)
            # A row-value comparison walks the index, (title_key, record_id) or (language, title_key,
            # record_id), from the record outwards: the language leads the row, as it leads the index.
            key, own = ["n.title_key", "n.record_id"], ["s.title_key", "s.record_id"]
            head, head_params = "", []
            if language:
                key, own = ["n.language", *key], ["%s", *own]
                head, head_params = "s.language = %s AND ", [language]
            columns = []
            for side, order in (("<", "DESC"), (">", "ASC")):
                # The row comparison bounds the language on one side, this on the other. An equality instead
                # would be the scan's start (PostgreSQL takes one start per column, and "=" wins), so a walk
                # from the record outwards would walk from the language's far end to the record.
                same = "" if not language else f"n.language {'>=' if side == '<' else '<='} %s AND "
                for offset in range(NEIGHBOURS):
                    columns.append(
                        f"(SELECT n.record_id FROM {table} AS n WHERE {same}({', '.join(key)}) {side} "
                        f"({', '.join(own)}) AND n.record_id NOT IN ({changed_sql}) "
                        f"ORDER BY {', '.join(f'{column} {order}' for column in key)} LIMIT 1 OFFSET {offset})"
                    )
                    params += [*head_params, *head_params, *changed_params]
            # Each part numbers its rows in its own title order: a union keeps no order of its parts.
            parts.append(
                f"SELECT {part} AS part, ROW_NUMBER() OVER (ORDER BY s.title_key, s.record_id) AS position, "
                f"s.record_id, {', '.join(columns)} FROM {table} AS s WHERE {head}s.record_id IN ({records_sql})"
            )
            params += [*head_params, *records_params]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS parts ORDER BY part, position", params)
            rows = np.array([[-1 if v is None else v for v in row] for row in cursor.fetchall()], dtype=np.int64)
        if not len(rows):
            rows = np.zeros((0, 3 + 2 * NEIGHBOURS), dtype=np.int64)
        read = {}
        for part, language in enumerate(languages):
            mine = rows[rows[:, 0] == part]
            read[language] = cls(mine[:, 2], mine[:, 3:3 + NEIGHBOURS], mine[:, 3 + NEIGHBOURS:])
        return read


class RanksLost(Exception):
    """A changed record's title rank cannot be placed: the title order must be read afresh."""


def read_stamp(using: str) -> Stamp | None:
    row = CatalogueVersion.objects.using(using).order_by("pk").values_list("version", "token").first()
    return Stamp(*row) if row else None


# --- the arrays -----------------------------------------------------------------------------------


class Vocabulary:
    """Database ids of a facet's values, each with a small code (its position)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]

    def __len__(self) -> int:
        return len(self.ids)

    def codes(self, ids: np.ndarray) -> np.ndarray:
        """Codes of these ids; -1 for ids without one."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self.ids) - 1)
        return np.where(self._sorted[at] == ids, self._order[at], -1)

    def extended(self, ids: np.ndarray) -> tuple[Vocabulary, np.ndarray]:
        """This vocabulary with any new ids added, and the codes of ``ids``."""
        codes = self.codes(ids)
        new = _distinct(np.asarray(ids, dtype=np.int64)[codes < 0])
        if not len(new):
            return self, codes
        grown = Vocabulary(np.concatenate([self.ids, new]))
        return grown, grown.codes(ids)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hashing is far slower on millions of int64)."""
    values = np.sort(values)
    if len(values):
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def _code_type(count: int) -> type:
    return np.int16 if count < 2**15 else np.int32


@dataclass(frozen=True)
class ManyValued:
    """One facet as (slot, value) pairs: grouped by value, grouped by slot, and a tail of later slots.

    Values held by many slots (one in FREQUENT or more) also get a bitset of their
    slots: counting a large share of the records then costs a popcount per value
    rather than a gather per slot. Their groups come last in ``by_value``, so the
    gather walks only the rarer values' slots.
    """

    vocabulary: Vocabulary
    main: int  # slots below this are in the grouped layouts; later ones only in the tail
    by_value: np.ndarray  # slots, grouped by value (each group in slot order): rare values first
    group_start: np.ndarray  # code -> where its group starts in by_value
    group_end: np.ndarray
    rare: np.ndarray  # codes of the rare values, in the order of their groups
    rare_end: int  # where the rare values' groups end in by_value
    frequent: np.ndarray  # codes of the values with a bitset
    bits: np.ndarray  # (frequent values, words): their slots as bits
    by_slot: np.ndarray  # value codes, grouped by slot
    slot_start: np.ndarray  # where each main slot's group starts in by_slot (main + 1 entries)
    tail_slots: np.ndarray
    tail_codes: np.ndarray

    @classmethod
    def build(cls, slots: np.ndarray, values: np.ndarray, slot_count: int) -> ManyValued:
        vocabulary = Vocabulary(_distinct(values))
        # One key per pair sorts by slot, then value, and drops repeats (an agent in two roles).
        key = _distinct((slots.astype(np.int64) << 32) | vocabulary.codes(values))
        slots = (key >> 32).astype(np.int32)
        codes = (key & 0xFFFFFFFF).astype(_code_type(len(vocabulary)))
        slot_start = np.zeros(slot_count + 1, dtype=np.int32 if len(key) < 2**31 else np.int64)
        np.cumsum(np.bincount(slots, minlength=slot_count), out=slot_start[1:])
        sizes = np.bincount(codes, minlength=len(vocabulary))
        is_frequent = sizes * FREQUENT >= max(slot_count, 1)
        rare, frequent = np.flatnonzero(~is_frequent), np.flatnonzero(is_frequent)
        layout = np.concatenate([rare, frequent])  # group order: rare values first
        position = np.empty(len(vocabulary), dtype=np.int64)
        position[layout] = np.arange(len(layout))
        # A stable sort keeps each group's slots in slot order.
        by_value = slots[np.argsort(position[codes], kind="stable")]
        ends = np.cumsum(sizes[layout])
        group_end = np.empty(len(vocabulary), dtype=np.int64)
        group_end[layout] = ends
        group_start = group_end - sizes
        words = (slot_count + 63) // 64
        bits = np.zeros((len(frequent), words * 8), dtype=np.uint8)
        for row, code in enumerate(frequent):
            member = np.zeros(words * 64, dtype=bool)
            member[by_value[group_start[code]:group_end[code]]] = True
            bits[row] = np.packbits(member, bitorder="little")
        empty = np.zeros(0, dtype=np.int32)
        return cls(vocabulary, slot_count, by_value, group_start, group_end, rare,
                   int(ends[len(rare) - 1]) if len(rare) else 0, frequent, bits.view(np.uint64), codes,
                   slot_start, empty, empty)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (slot, value id) pair, main then tail."""
        slots = np.repeat(np.arange(self.main, dtype=np.int32), np.diff(self.slot_start))
        return (np.concatenate([slots, self.tail_slots]),
                self.vocabulary.ids[np.concatenate([self.by_slot.astype(np.int32), self.tail_codes])])

    def with_tail(self, slots: np.ndarray, values: np.ndarray) -> ManyValued:
        """This facet with pairs of new slots added to the tail."""
        vocabulary, codes = self.vocabulary.extended(values)
        key = _distinct((slots.astype(np.int64) << 32) | codes)
        added = len(vocabulary) - len(self.vocabulary)  # new values: no group in the main layouts
        return replace(self, vocabulary=vocabulary,
                       group_start=np.concatenate([self.group_start, np.zeros(added, dtype=np.int64)]),
                       group_end=np.concatenate([self.group_end, np.zeros(added, dtype=np.int64)]),
                       tail_slots=np.concatenate([self.tail_slots, (key >> 32).astype(np.int32)]),
                       tail_codes=np.concatenate([self.tail_codes, (key & 0xFFFFFFFF).astype(np.int32)]))

    def having(self, values: list[int], slot_count: int) -> np.ndarray:
        """Slots holding any of these value ids."""
        codes = [int(c) for c in self.vocabulary.codes(np.array(values, dtype=np.int64)) if c >= 0]
        mask = np.zeros(slot_count, dtype=bool)
        for code in codes:
            mask[self.by_value[self.group_start[code]:self.group_end[code]]] = True
        if len(self.tail_slots) and codes:
            chosen = np.zeros(len(self.vocabulary), dtype=bool)
            chosen[codes] = True
            mask[self.tail_slots[chosen[self.tail_codes]]] = True
        return mask

    def count(self, mask: np.ndarray, selected: int) -> np.ndarray:
        """How many slots in ``mask`` (``selected`` of them) hold each value, by code."""
        main = mask[:self.main]
        if selected < SPARSE_BELOW * self.main:  # walk the few matching slots' values
            slots = np.flatnonzero(main)
            starts = self.slot_start[slots].astype(np.int64)
            lengths = self.slot_start[slots + 1] - starts
            ends = np.cumsum(lengths)
            positions = np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
            counts = np.bincount(self.by_slot[positions], minlength=len(self.vocabulary))
        else:
            counts = np.zeros(len(self.vocabulary), dtype=np.int64)
            if self.rare_end:  # rare values: gather their slots, sum each group (no branching per slot)
                starts = self.group_start[self.rare]
                held = starts < self.group_end[self.rare]  # skipping empty groups keeps each sum to its own
                counts[self.rare[held]] = np.add.reduceat(main[self.by_value[:self.rare_end]], starts[held],
                                                          dtype=np.int64)
            if len(self.frequent):  # frequent values: a popcount of their bits and the mask's
                packed = np.zeros(self.bits.shape[1] * 8, dtype=np.uint8)
                bits = np.packbits(main, bitorder="little")
                packed[:len(bits)] = bits
                counts[self.frequent] = np.bitwise_count(self.bits & packed.view(np.uint64)).sum(axis=1)
        if len(self.tail_slots):
            counts = counts + np.bincount(self.tail_codes[mask[self.tail_slots]], minlength=len(self.vocabulary))
        return counts

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.by_value, self.group_start, self.group_end, self.rare, self.frequent,
                                      self.bits, self.by_slot, self.slot_start, self.tail_slots, self.tail_codes,
                                      self.vocabulary.ids))


def decade_pairs(slots: np.ndarray, year_start: np.ndarray, year_end: np.ndarray, this_year: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(slot, decade) pairs, a range in every decade it spans, as ``collection.dates.decades_between`` has it.

    An open end runs to this year; a record without years has the one value UNDATED_ID.
    """
    no_start, no_end = year_start == NO_YEAR, year_end == NO_YEAR
    dated = ~(no_start & no_end)
    first = np.where(no_start, year_end, year_start).astype(np.int64)
    last = np.where(no_end, np.maximum(this_year, first), year_end).astype(np.int64)
    first, last = first // 10, last // 10
    spans = np.where(dated, last - first + 1, 1)
    ends = np.cumsum(spans)
    within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - spans, spans)
    decades = np.where(np.repeat(dated, spans), (np.repeat(first, spans) + within) * 10, UNDATED_ID)
    return np.repeat(slots, spans), decades


@dataclass(frozen=True)
class Query:
    """A filter state, resolved to what the index holds.

    A facet present in ``facets`` is active, even with no known value (it then
    matches nothing). Values are database ids, kinds their names, decades their
    first year or ``undated``.
    """

    facets: dict[str, Any] = field(default_factory=dict)
    words: tuple[tuple[str, ...], ...] = ()  # a search term's folded words, each in its spellings (collection.search)
    search: np.ndarray | None = None  # ids of the published records a search term matched (an ISBN)
    title_hits: np.ndarray | None = None  # ids among them matched in a title (ranked first)
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True)
class IndexState:
    """One immutable snapshot of the index: a request counts on the state it was handed."""

    stamp: Stamp | None
    this_year: int
    main: int  # slots of the last build or compaction; later ones hold changed records
    record_ids: np.ndarray  # slot -> record id
    alive: np.ndarray  # slot -> still its record's current slot
    slot_of: np.ndarray  # record id -> slot (-1: none)
    kind: np.ndarray  # slot -> code in KINDS
    scans: np.ndarray  # slot -> has a public scan
    year_start: np.ndarray  # NO_YEAR when missing
    year_end: np.ndarray
    date_start: np.ndarray  # ordinals, NO_DATE when missing
    date_end: np.ndarray
    title_rank: dict[str, np.ndarray]  # title order -> slot -> place in that order (inf: no key in it)
    many: dict[str, ManyValued]
    text: TextIndex = field(default_factory=TextIndex)  # the search documents' tokens, by slot
    totals: dict[str, np.ndarray] = field(default_factory=dict)  # every facet counted over the live slots

    # --- building ---

    @classmethod
    def from_rows(cls, rows: Rows, stamp: Stamp | None, this_year: int) -> IndexState:
        order = np.argsort(rows.ids, kind="stable")
        ids = rows.ids[order]
        count = len(ids)
        slot_of = np.full(int(ids.max()) + 1 if count else 0, -1, dtype=np.int32)
        slot_of[ids] = np.arange(count, dtype=np.int32)
        slots = np.arange(count, dtype=np.int32)
        year_start, year_end = rows.year_start[order], rows.year_end[order]
        repository = rows.repository[order]
        pairs = {
            **{name: (_slots(slot_of, records), values) for name, (records, values) in rows.pairs.items()},
            "repository": (slots[repository >= 0], repository[repository >= 0]),
            "decade": decade_pairs(slots, year_start, year_end, this_year),
        }
        many = {}
        for name in MANY:
            slot, values = pairs[name]
            known = slot >= 0  # a record published after its rows were read comes with the next change
            many[name] = ManyValued.build(slot[known], values[known], count)
        state = cls(
            stamp=stamp, this_year=this_year, main=count, record_ids=ids, alive=np.ones(count, dtype=bool),
            slot_of=slot_of, kind=rows.kind[order], scans=_mask(slot_of, rows.scans, count),
            year_start=year_start, year_end=year_end, date_start=rows.date_start[order],
            date_end=rows.date_end[order], title_rank={}, many=many,
            text=TextIndex() if rows.parts is None else TextIndex.build(rows.parts, slot_of),
        )
        no_ranks = (np.zeros(0, dtype=np.int64), np.zeros(0))
        state = state.with_title_ranks(rows.titles or {language: no_ranks for language in title_orders()})
        return replace(state, totals=state._count_all(state.alive, count))

    def with_title_ranks(self, titles: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> IndexState:
        """This state with the ranks of each title order read afresh (renumbered 0, 1, 2… in their order)."""
        title_rank = {}
        for language, (ids, ranks) in titles.items():
            slots = _slots(self.slot_of, ids)
            known = slots >= 0
            slots, ranks = slots[known], ranks[known]
            title_rank[language] = np.full(self.slot_count, np.inf)
            title_rank[language][slots[np.argsort(ranks, kind="stable")]] = np.arange(len(slots), dtype=np.float64)
        return replace(self, title_rank=title_rank)

    def for_year(self, this_year: int) -> IndexState:
        """Open date ranges run to this year: a new year moves decades."""
        if this_year == self.this_year:
            return self
        slots = np.arange(self.slot_count, dtype=np.int32)
        decades = ManyValued.build(*decade_pairs(slots, self.year_start, self.year_end, this_year), self.slot_count)
        state = replace(self, this_year=this_year, many={**self.many, "decade": decades})
        return replace(state, totals={**self.totals, "decade": state._count("decade", state.alive, state.live)})

    @property
    def slot_count(self) -> int:
        return len(self.record_ids)

    @property
    def live(self) -> int:
        return int(self.totals["count"][0])

    @property
    def nbytes(self) -> int:
        """Bytes held by this state's arrays."""
        arrays = [self.record_ids, self.alive, self.slot_of, self.kind, self.scans, self.year_start,
                  self.year_end, self.date_start, self.date_end, *self.title_rank.values()]
        return sum(a.nbytes for a in arrays) + sum(m.nbytes for m in self.many.values()) + self.text.nbytes

    def changed(self, record_ids: np.ndarray, rows: Rows, stamp: Stamp) -> IndexState:
        """This state with ``record_ids`` re-read: their old slots cleared, the published ones in new slots.

        Arrays are copied or extended, never changed in place: requests still
        counting on this state keep their view.
        """
        old = _slots(self.slot_of, record_ids)
        old = old[old >= 0]
        old = old[self.alive[old]]
        alive = self.alive.copy()
        alive[old] = False
        cleared = np.zeros(self.slot_count, dtype=bool)
        cleared[old] = True
        removed = self._count_all(cleared, len(old))

        order = np.argsort(rows.ids, kind="stable")
        ids = rows.ids[order]
        first = self.slot_count
        new_slots = np.arange(first, first + len(ids), dtype=np.int32)
        size = max(len(self.slot_of), int(ids.max()) + 1 if len(ids) else 0)
        slot_of = np.full(size, -1, dtype=np.int32)
        slot_of[:len(self.slot_of)] = self.slot_of
        slot_of[record_ids[record_ids < size]] = -1
        slot_of[ids] = new_slots
        year_start, year_end = rows.year_start[order], rows.year_end[order]
        repository = rows.repository[order]
        pairs = {
            **{name: (_slots(slot_of, records), values) for name, (records, values) in rows.pairs.items()},
            "repository": (new_slots[repository >= 0], repository[repository >= 0]),
            "decade": decade_pairs(new_slots, year_start, year_end, self.this_year),
        }
        many = {}
        for name in MANY:
            slot, values = pairs[name]
            known = slot >= first
            many[name] = self.many[name].with_tail(slot[known], values[known])
        state = replace(
            self, stamp=stamp, record_ids=np.concatenate([self.record_ids, ids]),
            alive=np.concatenate([alive, np.ones(len(ids), dtype=bool)]), slot_of=slot_of,
            kind=np.concatenate([self.kind, rows.kind[order]]),
            scans=np.concatenate([self.scans, np.isin(ids, rows.scans)]),
            year_start=np.concatenate([self.year_start, year_start]),
            year_end=np.concatenate([self.year_end, year_end]),
            date_start=np.concatenate([self.date_start, rows.date_start[order]]),
            date_end=np.concatenate([self.date_end, rows.date_end[order]]),
            title_rank={language: np.concatenate([ranks, np.full(len(ids), np.inf)])
                        for language, ranks in self.title_rank.items()}, many=many,
            text=self.text if rows.parts is None else self.text.with_changed(rows.parts, slot_of),
        )
        if rows.neighbours is not None:
            for language, neighbours in rows.neighbours.items():
                state = state._placed(neighbours, first, language)
        if state.slot_count - state.main > max(COMPACT_MIN, COMPACT_AT * state.main):
            return state.compacted()
        added = np.zeros(state.slot_count, dtype=bool)
        added[first:] = True
        gained = state._count_all(added, len(ids))
        return replace(state, totals={name: _add(_add(total, -removed[name]), gained[name])
                                      for name, total in self.totals.items()})

    def _placed(self, neighbours: Neighbours, first: int, language: str) -> IndexState:
        """Ranks in the title order of ``language`` for the new slots (from ``first``), between the nearest
        records that stayed.

        Raises RanksLost when no neighbour that stayed is among those read, or when
        the gap between two ranks can no longer be split.
        """
        def nearest(candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            slots = _slots(self.slot_of, candidates.ravel()).reshape(candidates.shape)
            stayed = (slots >= 0) & (slots < first)
            stayed[stayed] = self.alive[slots[stayed]]
            found = stayed.any(axis=1)
            # A full list without one that stayed cannot tell; a short one reached the end of the order.
            if (~found & (candidates[:, -1] >= 0)).any():
                raise RanksLost
            pick = np.argmax(stayed, axis=1)
            return found, slots[np.arange(len(slots)), pick]

        has_before, before = nearest(neighbours.before)
        has_after, after = nearest(neighbours.after)
        if language not in self.title_rank:
            return self  # an order the settings added since the index was read: the next full read has it
        title_rank = self.title_rank[language].copy()
        low_end = high_end = 0.0
        if not (has_before.all() and has_after.all()):  # some go first or last: beyond every rank held
            live = title_rank[:first][self.alive[:first] & np.isfinite(title_rank[:first])]
            low_end = (live.min() if len(live) else 0.0) - 1.0
            high_end = (live.max() if len(live) else 0.0) + 1.0
        slots = _slots(self.slot_of, neighbours.ids)
        start = 0
        while start < len(slots):  # records between the same two neighbours share the gap, in order
            stop = start + 1
            while stop < len(slots) and (before[stop], has_before[stop], after[stop], has_after[stop]) == (
                    before[start], has_before[start], after[start], has_after[start]):
                stop += 1
            low = title_rank[before[start]] if has_before[start] else min(
                low_end, (title_rank[after[start]] if has_after[start] else high_end) - (stop - start + 1))
            high = title_rank[after[start]] if has_after[start] else max(high_end, low + stop - start + 1)
            ranks = low + (high - low) * np.arange(1, stop - start + 1) / (stop - start + 1)
            if not (low < ranks[0] and ranks[-1] < high and (np.diff(ranks) > 0).all()):
                raise RanksLost
            title_rank[slots[start:stop]] = ranks
            start = stop
        return replace(self, title_rank={**self.title_rank, language: title_rank})

    def compacted(self) -> IndexState:
        """The same records with cleared slots dropped and every value back in the grouped layouts."""
        live = np.flatnonzero(self.alive)
        repository = np.full(self.slot_count, -1, dtype=np.int64)
        slots, values = self.many["repository"].pairs()
        repository[slots] = values
        rows = Rows(
            ids=self.record_ids[live], kind=self.kind[live], repository=repository[live],
            year_start=self.year_start[live], year_end=self.year_end[live],
            date_start=self.date_start[live], date_end=self.date_end[live],
            scans=self.record_ids[live[self.scans[live]]], pairs={},
            titles={language: (self.record_ids[live], ranks[live]) for language, ranks in self.title_rank.items()},
        )
        for name in ("language", "place", "subject", "agent"):
            slots, values = self.many[name].pairs()
            keep = self.alive[slots]
            rows.pairs[name] = (self.record_ids[slots[keep]], values[keep])
        state = IndexState.from_rows(rows, self.stamp, self.this_year)
        new_slot = np.full(self.slot_count, -1, dtype=np.int64)
        new_slot[live] = state.slot_of[self.record_ids[live]]
        return replace(state, text=self.text.remapped(new_slot))

    # --- counting ---

    def _count(self, name: str, mask: np.ndarray, selected: int) -> np.ndarray:
        if name == "count":
            return np.array([selected])
        if selected < SPARSE_BELOW * self.slot_count and name in ("kind", "has_scans"):  # a few slots
            slots = np.flatnonzero(mask)
            if name == "kind":
                return np.bincount(self.kind[slots].astype(np.int64) + 1, minlength=len(KINDS) + 1)[1:]
            return np.array([np.count_nonzero(self.scans[slots])])
        if name == "kind":  # a handful of values: a comparison each beats sorting slots into bins
            return np.array([np.count_nonzero(mask & (self.kind == code)) for code in range(len(KINDS))])
        if name == "has_scans":
            return np.array([np.count_nonzero(mask & self.scans)])
        return self.many[name].count(mask, selected)

    def _count_all(self, mask: np.ndarray, selected: int) -> dict[str, np.ndarray]:
        return {name: self._count(name, mask, selected) for name in ("count", *FACETS)}

    def _count_under(self, name: str, mask: np.ndarray, selected: int) -> np.ndarray:
        """``name`` counted under ``mask`` the cheapest way: the kept totals, the mask, or what it leaves out."""
        live = self.live
        if selected == live:  # the mask is every live slot
            return self.totals[name]
        if selected > (1 - SPARSE_BELOW) * live:
            return _add(self.totals[name], -self._count(name, self.alive & ~mask, live - selected))
        return self._count(name, mask, selected)

    def held(self, name: str, ids: Collection[int]) -> set[int]:
        """Of these value ids of facet ``name`` (one of MANY), those at least one live record holds."""
        wanted = np.array(sorted(ids), dtype=np.int64)
        codes = self.many[name].vocabulary.codes(wanted)
        totals = self.totals[name]
        counted = (codes >= 0) & (codes < len(totals))
        counted[counted] = totals[codes[counted]] > 0
        return {int(pk) for pk in wanted[counted]}

    # --- filtering ---

    def _matching(self, name: str, value: Any) -> np.ndarray:
        """Slots matching one facet's chosen values (any of them)."""
        if name == "kind":
            mask = np.zeros(self.slot_count, dtype=bool)
            for kind in value:
                if kind in KINDS:
                    mask |= self.kind == KINDS.index(kind)
            return mask
        if name == "has_scans":
            return self.scans
        if name == "decade":
            value = [UNDATED_ID if item == UNDATED else int(item) for item in value]
        return self.many[name].having(value, self.slot_count)

    def _dated_between(self, year_from: int | None, year_to: int | None) -> np.ndarray:
        """Slots whose years reach into the range, as ``collection.models.records.dated_between`` has them: an
        open end runs on, an open start runs back."""
        mask = np.ones(self.slot_count, dtype=bool)
        if year_from is not None:
            mask &= (self.year_end >= year_from) | ((self.year_end == NO_YEAR) & (self.year_start != NO_YEAR))
        if year_to is not None:
            mask &= (((self.year_start <= year_to) & (self.year_start != NO_YEAR))
                     | ((self.year_start == NO_YEAR) & (self.year_end != NO_YEAR)))
        return mask

    def evaluate(self, query: Query) -> Result:
        """The result count and every facet counted under all the *other* active filters."""
        base = self.alive
        in_titles = None
        if query.words:
            # A year is also held by the records dated in it, as collection.search.search_condition has it.
            dated = [None if (year := searched_year(spellings)) is None else self._dated_between(year, year)
                     for spellings in query.words]
            in_documents, in_titles = self.text.matching(query.words, self.slot_count, dated)
            base = base & in_documents
        if query.search is not None:
            base = base & _mask(self.slot_of, query.search, self.slot_count)
        if query.year_from is not None or query.year_to is not None:
            base = base & self._dated_between(query.year_from, query.year_to)
        masks = {name: self._matching(name, value) for name, value in query.facets.items()}
        final = base.copy()
        for mask in masks.values():
            final &= mask
        total = int(np.count_nonzero(final))
        counts: dict[str, np.ndarray] = {}
        for name in FACETS:
            if name in masks:  # a facet ignores its own filter
                mask = base.copy()
                for other, other_mask in masks.items():
                    if other != name:
                        mask &= other_mask
                counts[name] = self._count_under(name, mask, int(np.count_nonzero(mask)))
            else:
                counts[name] = self._count_under(name, final, total)
        hits = None
        if in_titles is not None:
            hits = in_titles & final
        elif query.title_hits is not None:
            hits = _mask(self.slot_of, query.title_hits, self.slot_count) & final
        return Result(self, final, total, counts, hits)


def _slots(slot_of: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """Slots of these record ids; -1 for records the index does not hold."""
    record_ids = np.asarray(record_ids, dtype=np.int64)
    inside = (record_ids >= 0) & (record_ids < len(slot_of))
    slots = np.full(len(record_ids), -1, dtype=np.int64)
    slots[inside] = slot_of[record_ids[inside]]
    return slots


def _mask(slot_of: np.ndarray, record_ids: np.ndarray, slot_count: int) -> np.ndarray:
    slots = _slots(slot_of, record_ids)
    mask = np.zeros(slot_count, dtype=bool)
    mask[slots[slots >= 0]] = True
    return mask


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Add count arrays of different lengths (a facet's vocabulary grows as records change)."""
    if len(a) < len(b):
        a = np.concatenate([a, np.zeros(len(b) - len(a), dtype=a.dtype)])
    elif len(b) < len(a):
        b = np.concatenate([b, np.zeros(len(a) - len(b), dtype=b.dtype)])
    return a + b


class ValueCounts(Mapping[str, int]):
    """One facet's non-zero counts by value id (as text), made into a dict only if read whole.

    A catalogue may have a hundred thousand agents: a page shows the few counted
    most (:meth:`top`), and turning every count into a dict entry would cost more
    than counting them.
    """

    def __init__(self, vocabulary: Vocabulary, counts: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.counts = counts

    @functools.cached_property
    def _whole(self) -> dict[str, int]:
        held = np.flatnonzero(self.counts)
        return dict(zip(map(str, self.vocabulary.ids[held].tolist()), self.counts[held].tolist(), strict=True))

    def __getitem__(self, value: str) -> int:
        return self._whole[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole)

    def __len__(self) -> int:
        return len(self._whole)

    def top(self, count: int, chosen: Collection[str] = ()) -> list[tuple[str, int]]:
        """:func:`ranked` over the values that can make the top and the chosen ones, not over every value."""
        held = np.flatnonzero(self.counts)
        if len(held) > count:  # only values counted at least as often as the last of the top can be in it
            counted = self.counts[held]
            held = held[counted >= np.partition(counted, len(counted) - count)[len(counted) - count]]
        wanted = [value for value in chosen if value.isdigit()]
        codes = self.vocabulary.codes(np.array([int(value) for value in wanted], dtype=np.int64))
        held = np.concatenate([held, codes[(codes >= 0) & (codes < len(self.counts))]])
        return ranked({(str(self.vocabulary.ids[i]), int(self.counts[i])) for i in held if self.counts[i]},
                      count, chosen)


def _tie(value: str) -> tuple[int, int, str]:
    # Database ids as numbers: as text, "1000" would come before "999", and which entries made the top
    # would change with the ids the database happened to give.
    return (0, int(value), "") if value.lstrip("-").isdigit() else (1, 0, value)


def ranked(items: Iterable[tuple[str, int]], count: int, chosen: Collection[str] = ()) -> list[tuple[str, int]]:
    """The ``count`` values counted most (ties by value: an id as a number), then any chosen value beyond
    them, the same way."""
    ordered = sorted(items, key=lambda item: (-item[1], _tie(item[0])))
    return ordered[:count] + [item for item in ordered[count:] if item[0] in chosen]


class Result:
    """What one filter state matches: counts ready to show, and its records in any order the index knows."""

    def __init__(self, state: IndexState, mask: np.ndarray, total: int, counts: dict[str, np.ndarray],
                 hits: np.ndarray | None) -> None:
        self.state = state
        self.mask = mask
        self.count = total
        self.hits = hits
        self.counts = self._readable(counts)
        self.counts["title_hits"] = int(np.count_nonzero(hits)) if hits is not None else 0

    def _readable(self, counts: dict[str, np.ndarray]) -> dict[str, Any]:
        """Counts keyed as pages use them: kinds by name, decades by first year, the rest by database id."""
        readable: dict[str, Any] = {"count": self.count}
        readable["kind"] = {KINDS[i]: int(n) for i, n in enumerate(counts["kind"]) if n}
        for name in MANY:
            vocabulary = self.state.many[name].vocabulary
            if name == "decade":  # a few dozen, one of them renamed
                readable[name] = {str(vocabulary.ids[i]): int(counts[name][i]) for i in np.flatnonzero(counts[name])}
            else:
                readable[name] = ValueCounts(vocabulary, counts[name])
        undated = readable["decade"].pop(str(UNDATED_ID), 0)
        if undated:
            readable["decade"][UNDATED] = undated
        readable["has_scans"] = {"1": int(counts["has_scans"][0])}
        return readable

    def record_ids(self) -> np.ndarray:
        return self.state.record_ids[self.mask]

    def page(self, sort: str, start: int, stop: int, language: str = "") -> list[int]:
        """Record ids ``[start:stop]`` in ``sort`` order, exactly as the database orders them:
        ``relevance`` (title matches first, each part newest first), ``title`` or ``-title`` (the title
        order of ``language``, a cataloguing language or ``""`` for the original titles': its title key,
        then id), ``date`` (earliest start first) or ``-date`` (latest end first), missing dates last,
        ties by id."""
        slots = np.flatnonzero(self.mask)
        stop = min(stop, len(slots))
        if start >= stop:
            return []
        ids = self.state.record_ids[slots]
        if int(ids.max()) >= 2**32:
            raise OverflowError("record ids beyond 2**32 do not fit the sort key")
        # One key per record, unique (ranks are; the id is in the others): partition, then sort the first few.
        last = np.int64(2**31 - 1)
        if sort == "relevance":
            hit = self.hits[slots] if self.hits is not None else np.zeros(len(slots), dtype=bool)
            key = ((~hit).astype(np.int64) << 32) | (2**32 - 1 - ids)
        elif sort in ("date", "-date"):
            # A range open at one end sorts by the end it has: "1984/.." among the 1980s, not after every date.
            begins = self.state.date_start[slots].astype(np.int64)
            ends = self.state.date_end[slots].astype(np.int64)
            if sort == "date":
                day = np.where(begins == NO_DATE, ends, begins)
                key = (np.where(day == NO_DATE, last, day) << 32) | ids
            else:
                day = np.where(ends == NO_DATE, begins, ends)
                key = (np.where(day == NO_DATE, last, (2**31 - 2) - day) << 32) | (2**32 - 1 - ids)
        elif sort in ("title", "-title"):
            ranks = self.state.title_rank
            rank = (ranks[language] if language in ranks else ranks[""])[slots]
            rank = rank if sort == "title" else -rank
            # Records without search keys (none, normally) go last, by id.
            finite = np.isfinite(rank)
            top = rank[finite].max() + 1 if finite.any() else 0.0
            key = np.where(finite, rank, top + ids)
        else:
            raise ValueError(f"the index does not sort by {sort!r}")
        first = np.argpartition(key, stop - 1)[:stop] if stop < len(key) else np.arange(len(key))
        first = first[np.argsort(key[first])]
        return [int(i) for i in ids[first[start:stop]]]


# --- one index per process ------------------------------------------------------------------------


class FacetIndex:
    """The facet index of one database in this process, kept exact by the change log."""

    def __init__(self, using: str = "default") -> None:
        vendor = connections[using].vendor
        if vendor not in ("postgresql", "sqlite"):
            # Only these have the triggers that keep the index exact.
            raise NotSupportedError(f"collection's facet index needs PostgreSQL or SQLite, not {vendor}")
        self.using = using
        self._state: IndexState | None = None
        self._lock = threading.Lock()
        self.rebuilds = 0
        self.catch_ups = 0

    def current(self, this_year: int | None = None) -> IndexState:
        """The state matching the catalogue as this request sees it: one query when nothing changed."""
        this_year = this_year or datetime.date.today().year
        stamp = read_stamp(self.using)
        if stamp is None:  # no version row (a flushed database): nothing to stamp, so nothing kept
            return IndexState.from_rows(Rows.read(self.using), None, this_year)
        state = self._state
        if state is not None and state.stamp == stamp and state.this_year == this_year:
            return state
        with self._lock:  # one thread catches up or rebuilds; the others wait for it
            state = self._state
            if state is not None and state.stamp != stamp:
                state = self._caught_up(state)
            if state is None:
                state = self.build(stamp, this_year)
            self._state = state.for_year(this_year)
            return self._state

    def build(self, stamp: Stamp | None, this_year: int | None = None) -> IndexState:
        """Read every published record afresh and keep the result."""
        self._state = IndexState.from_rows(Rows.read(self.using), stamp, this_year or datetime.date.today().year)
        self.rebuilds += 1
        return self._state

    def _caught_up(self, state: IndexState) -> IndexState | None:
        """``state`` brought up to the logged changes, or None when only a rebuild can tell."""
        assert state.stamp is not None
        since = state.stamp.version
        versions, tokens, records = fetch(
            CatalogueChange.objects.using(self.using).filter(version__gte=since),
            [Column("version", "int8"), Column("token", "int8"), Column(Coalesce("record_id", Value(-1)), "int8")],
        )
        if not ((versions == since) & (tokens == state.stamp.token)).any():
            return None  # pruned, or a stamp read inside a transaction that rolled back
        later = versions > since
        if not later.any():
            return state  # newer than the stamp this request read: as if it had read a moment later
        if (records[later] < 0).any():
            return None  # a change too large to list
        last = int(np.argmax(np.where(later, versions, -1)))
        stamp = Stamp(int(versions[last]), int(tokens[last]))
        changed = _distinct(records[later])
        if len(changed) > REBUILD_AT * state.live + 1000:
            return None
        rows = Rows.read(self.using, changed=_changed(since, stamp.version).using(self.using))
        self.catch_ups += 1
        try:
            return state.changed(changed, rows, stamp)
        except RanksLost:
            rows.neighbours = None
            state = state.changed(changed, rows, stamp)
            return state.with_title_ranks(read_title_ranks(self.using, title_orders()))


_indexes: dict[str, FacetIndex] = {}
_indexes_lock = threading.Lock()


def facet_index(using: str = "default") -> FacetIndex:
    """This process's index of database ``using``."""
    with _indexes_lock:
        if using not in _indexes:
            _indexes[using] = FacetIndex(using)
        return _indexes[using]
