"""The facet index: every published record's facet values, held in each process's memory.

Counting a million records eight ways in SQL takes seconds; counting them in
numpy arrays takes milliseconds. Each process keeps one :class:`FacetIndex` per
database: the published records (the rule of ``Record.objects.published()``,
whose SQL builds it) with their kind, languages, years (decades are derived from
them, "undated" included), places with all their ancestors (``RecordPlaceIndex``),
subjects, agents, repository and whether they have public scans.

**Exact, not cached.** The index is stamped with the catalogue version and its
random token (:class:`~collection.models.CatalogueVersion`). Every request reads
the stamp (one small query). When it moved, the index catches up before
counting: database triggers log the ids of the published records each change
touches (:class:`~collection.models.CatalogueChange`, in the changing
transaction), and the index re-reads the facet rows of just those records —
each gets a new slot and its old slot is cleared. A count read after a commit
therefore reflects it, in every process: a withdrawn record leaves every count
on the next request. The index starts afresh from the database when the log no
longer reaches back to its stamp (the triggers keep the last
``collection.search.KEEP_VERSIONS`` versions), when a change was too large to
list, or when the stamp is not in the committed history at all (it was read
inside a transaction that rolled back). Cleared slots are compacted away in
memory once they add up (:data:`COMPACT_AT`).

**Counting.** Each many-valued facet is held twice: slots grouped by value
(what selecting a value reads, and what dense counting walks) and values grouped
by slot (what counting a few thousand matching records walks); records changed
since the last compaction sit in a small unsorted tail. A facet is counted under
every *other* active filter — values of one facet OR, facets AND — and the
counts of the unfiltered catalogue are kept up to date rather than recounted.
A search term (``q``) is matched in the database by :mod:`collection.search`
(the one search), which returns the ids of the published records it finds;
years, decades and everything else are matched in memory.

**Cost** (measured with ``benchmarks/browse.py`` on 2 shared cores; see the
README): with 1,000,000 synthetic records (900,000 published) the index holds
about 75 MB per process and is built from PostgreSQL in about 4 s (binary COPY);
catching up after one record is withdrawn takes a few milliseconds. 200,000
records on SQLite: about 15 MB, built in about 3 s.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.db import NotSupportedError, connections
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from ..models import CatalogueChange, CatalogueVersion, Record, RecordAgent, RecordKind, RecordPlaceIndex
from .columns import Column, fetch

KINDS: tuple[str, ...] = tuple(RecordKind.values)
MANY = ("language", "place", "subject", "agent")
UNDATED = "undated"
NO_YEAR = -(2**31)  # a missing year: below any year a record can hold
NO_DATE = -1  # a missing date (ordinals start at 1)
# Compact cleared slots away once the changed records exceed this share of the index and COMPACT_MIN.
COMPACT_AT = 0.05
COMPACT_MIN = 10_000
# Rebuild from the database rather than catch up when more records than this share changed.
REBUILD_AT = 0.25
# Counting walks the matching slots (rather than every pair) below this share of the slots.
SPARSE_BELOW = 0.12


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

    @classmethod
    def read(cls, using: str, changed: QuerySet | None = None) -> Rows:
        """The published records (or those of them in ``changed``): a fixed number of queries."""
        records = Record.objects.using(using).published()
        if changed is not None:
            records = records.filter(pk__in=changed)
        kind = Case(*[When(kind=value, then=Value(code)) for code, value in enumerate(KINDS)], default=Value(-1))
        day = datetime.date(2000, 1, 1)
        ids, kinds, repository, year_start, year_end, date_start, no_start, date_end, no_end = fetch(records, [
            Column("pk", "int8"), Column(kind, "int4"), Column(Coalesce("repository_id", Value(-1)), "int8"),
            Column(Coalesce("year_start", Value(NO_YEAR)), "int4"),
            Column(Coalesce("year_end", Value(NO_YEAR)), "int4"),
            # Dates with a flag for "none" (COPY rows must be of fixed width, and no sentinel date is safe).
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
        return cls(ids, kinds.astype(np.int8), repository, year_start, year_end, date_start, date_end, scans, pairs)


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
    """A facet a record may have several values of: (slot, value) pairs in two layouts and a tail."""

    vocabulary: Vocabulary
    main: int  # slots below this are in the two layouts; later ones in the tail
    by_value: np.ndarray  # slots, grouped by value code
    value_start: np.ndarray  # where each code's slots start in by_value (len = codes + 1)
    by_slot: np.ndarray  # value codes, grouped by slot
    slot_start: np.ndarray  # where each main slot's codes start in by_slot (len = main + 1)
    tail_slots: np.ndarray
    tail_codes: np.ndarray

    @classmethod
    def build(cls, vocabulary: Vocabulary, slots: np.ndarray, codes: np.ndarray, slot_count: int) -> ManyValued:
        # One key per pair sorts by slot, then value, and drops repeats (an agent in two roles).
        key = _distinct((slots.astype(np.int64) << 32) | codes.astype(np.int64))
        slots = (key >> 32).astype(np.int32)
        codes = (key & 0xFFFFFFFF).astype(_code_type(len(vocabulary)))
        slot_start = np.zeros(slot_count + 1, dtype=np.int32 if len(key) < 2**31 else np.int64)
        np.cumsum(np.bincount(slots, minlength=slot_count), out=slot_start[1:])
        # A stable sort by value keeps each value's slots in order (radix sort for 16-bit codes).
        order = np.argsort(codes, kind="stable")
        value_start = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=len(vocabulary)), out=value_start[1:])
        empty = np.zeros(0, dtype=np.int32)
        return cls(vocabulary, slot_count, slots[order], value_start, codes, slot_start, empty, empty)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (slot, code) pair, main then tail."""
        slots = np.repeat(np.arange(self.main, dtype=np.int32), np.diff(self.slot_start))
        return (np.concatenate([slots, self.tail_slots]),
                np.concatenate([self.by_slot.astype(np.int32), self.tail_codes]))

    def with_tail(self, vocabulary: Vocabulary, slots: np.ndarray, codes: np.ndarray) -> ManyValued:
        key = _distinct((slots.astype(np.int64) << 32) | codes.astype(np.int64))
        value_start = self.value_start
        if len(vocabulary) > len(self.vocabulary):  # new values have no main pairs
            value_start = np.concatenate([value_start, np.full(len(vocabulary) - len(self.vocabulary),
                                                               value_start[-1])])
        return replace(self, vocabulary=vocabulary, value_start=value_start,
                       tail_slots=np.concatenate([self.tail_slots, (key >> 32).astype(np.int32)]),
                       tail_codes=np.concatenate([self.tail_codes, (key & 0xFFFFFFFF).astype(np.int32)]))

    def having(self, codes: list[int], slot_count: int) -> np.ndarray:
        """Slots holding any of these values."""
        mask = np.zeros(slot_count, dtype=bool)
        for code in codes:
            mask[self.by_value[self.value_start[code]:self.value_start[code + 1]]] = True
        if len(self.tail_slots) and codes:
            chosen = np.zeros(len(self.vocabulary), dtype=bool)
            chosen[codes] = True
            mask[self.tail_slots[chosen[self.tail_codes]]] = True
        return mask

    def count(self, mask: np.ndarray, selected: int) -> np.ndarray:
        """How many slots in ``mask`` (``selected`` of them) hold each value."""
        main = mask[:self.main]
        if selected < SPARSE_BELOW * self.main:  # walk the few matching slots' values
            slots = np.flatnonzero(main)
            starts = self.slot_start[slots].astype(np.int64)
            lengths = self.slot_start[slots + 1] - starts
            ends = np.cumsum(lengths)
            positions = np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
            counts = np.bincount(self.by_slot[positions], minlength=len(self.vocabulary))
        else:  # walk every pair, grouped by value
            running = np.zeros(len(self.by_value) + 1, dtype=np.int64)
            np.cumsum(main[self.by_value], out=running[1:])
            counts = running[self.value_start[1:]] - running[self.value_start[:-1]]
        if len(self.tail_slots):
            counts = counts + np.bincount(self.tail_codes[mask[self.tail_slots]], minlength=len(self.vocabulary))
        return counts

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.by_value, self.value_start, self.by_slot, self.slot_start,
                                      self.tail_slots, self.tail_codes, self.vocabulary.ids))


@dataclass(frozen=True)
class Query:
    """A filter state, resolved to what the index holds.

    A facet present in ``facets`` is active, even with no known value (it then matches nothing).
    """

    facets: dict[str, list[int] | list[str] | bool] = field(default_factory=dict)
    search: np.ndarray | None = None  # ids of the published records a search term matched
    title_hits: np.ndarray | None = None  # ids among them matched in a title (ranked first)
    year_from: int | None = None
    year_to: int | None = None


FACETS = ("kind", "language", "decade", "place", "subject", "agent", "repository", "has_scans")


@dataclass(frozen=True)
class Decades:
    """Each slot's first and last decade (year // 10), as ``collection.dates.decades_between`` has them."""

    first: np.ndarray
    last: np.ndarray
    dated: np.ndarray
    low: int  # the lowest decade any slot has
    span: int  # how many decades from ``low`` to the highest

    @classmethod
    def of(cls, year_start: np.ndarray, year_end: np.ndarray, this_year: int) -> Decades:
        no_start, no_end = year_start == NO_YEAR, year_end == NO_YEAR
        dated = ~(no_start & no_end)
        first = np.where(no_start, year_end, year_start)
        last = np.where(no_end, np.maximum(this_year, first), year_end)  # an open end runs to this year
        first = np.where(dated, first // 10, 0).astype(np.int32)
        last = np.where(dated, last // 10, 0).astype(np.int32)
        if not dated.any():
            return cls(first, last, dated, 0, 0)
        low = int(first[dated].min())
        return cls(first, last, dated, low, int(last[dated].max()) - low + 1)

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Slots in ``mask`` per decade from ``low``, then the undated ones."""
        chosen = mask & self.dated
        starts = np.bincount(self.first[chosen] - self.low, minlength=self.span + 1)
        ends = np.bincount(self.last[chosen] - self.low + 1, minlength=self.span + 1)
        return np.concatenate([np.cumsum(starts - ends)[:self.span], [np.count_nonzero(mask & ~self.dated)]])

    def matching(self, values: list[str]) -> np.ndarray:
        mask = np.zeros(len(self.dated), dtype=bool)
        for item in values:
            if item == UNDATED:
                mask |= ~self.dated
            else:
                decade = int(item) // 10
                mask |= self.dated & (self.first <= decade) & (self.last >= decade)
        return mask

    @property
    def nbytes(self) -> int:
        return self.first.nbytes + self.last.nbytes + self.dated.nbytes


@dataclass(frozen=True)
class IndexState:
    """One immutable snapshot of the index: a request counts on the state it was handed."""

    stamp: Stamp | None
    this_year: int
    main: int  # slots below this are in the sorted layouts of many-valued facets
    record_ids: np.ndarray  # slot -> record id
    alive: np.ndarray  # slot -> still the record's current slot
    slot_of: np.ndarray  # record id -> slot (-1: none)
    kind: np.ndarray  # slot -> code in KINDS
    repositories: Vocabulary
    repository: np.ndarray  # slot -> code in repositories (-1: none)
    year_start: np.ndarray  # NO_YEAR when missing
    year_end: np.ndarray
    date_start: np.ndarray  # ordinals, NO_DATE when missing
    date_end: np.ndarray
    scans: np.ndarray  # slot -> has a public scan
    many: dict[str, ManyValued]
    decades: Decades
    totals: dict[str, np.ndarray] = field(default_factory=dict)  # every facet counted over the live slots

    # --- building ---

    @classmethod
    def from_rows(cls, rows: Rows, stamp: Stamp | None, this_year: int) -> IndexState:
        order = np.argsort(rows.ids, kind="stable")
        ids = rows.ids[order]
        count = len(ids)
        slot_of = np.full(int(ids.max()) + 1 if count else 0, -1, dtype=np.int32)
        slot_of[ids] = np.arange(count, dtype=np.int32)
        repository = rows.repository[order]
        repositories = Vocabulary(_distinct(repository[repository >= 0]))
        many = {}
        for name in MANY:
            records, values = rows.pairs[name]
            slots = _slots(slot_of, records)
            known = slots >= 0  # a record published after its row was read comes with the next change
            vocabulary = Vocabulary(_distinct(values[known]))
            many[name] = ManyValued.build(vocabulary, slots[known], vocabulary.codes(values[known]), count)
        year_start, year_end = rows.year_start[order], rows.year_end[order]
        state = cls(
            stamp=stamp, this_year=this_year, main=count, record_ids=ids, alive=np.ones(count, dtype=bool),
            slot_of=slot_of, kind=rows.kind[order], repositories=repositories,
            repository=repositories.codes(repository).astype(np.int32), year_start=year_start, year_end=year_end,
            date_start=rows.date_start[order], date_end=rows.date_end[order], scans=_mask(slot_of, rows.scans, count),
            many=many, decades=Decades.of(year_start, year_end, this_year),
        )
        return replace(state, totals=state._count_all(state.alive, count))

    def for_year(self, this_year: int) -> IndexState:
        """Open date ranges run to this year: a new year moves decade counts."""
        if this_year == self.this_year:
            return self
        state = replace(self, this_year=this_year, decades=Decades.of(self.year_start, self.year_end, this_year))
        return replace(state, totals={**self.totals, "decade": state.decades.count(state.alive)})

    @property
    def slot_count(self) -> int:
        return len(self.record_ids)

    @property
    def live(self) -> int:
        return int(self.totals["count"][0])

    @property
    def nbytes(self) -> int:
        """Bytes held by this state's arrays."""
        arrays = [self.record_ids, self.alive, self.slot_of, self.kind, self.repository, self.repositories.ids,
                  self.year_start, self.year_end, self.date_start, self.date_end, self.scans]
        return (sum(a.nbytes for a in arrays) + self.decades.nbytes + sum(m.nbytes for m in self.many.values()))

    def changed(self, record_ids: np.ndarray, rows: Rows, stamp: Stamp) -> IndexState:
        """This state with ``record_ids`` re-read: their old slots cleared, the published ones in new slots.

        Every array is copied or extended, never changed in place: requests still
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
        size = max(len(self.slot_of), int(ids.max()) + 1 if len(ids) else 0)
        slot_of = np.full(size, -1, dtype=np.int32)
        slot_of[:len(self.slot_of)] = self.slot_of
        slot_of[record_ids[record_ids < size]] = -1
        slot_of[ids] = np.arange(first, first + len(ids), dtype=np.int32)
        repository = rows.repository[order]
        repositories, codes = self.repositories.extended(repository[repository >= 0])
        repository_codes = np.full(len(ids), -1, dtype=np.int32)
        repository_codes[repository >= 0] = codes
        many = {}
        for name in MANY:
            records, values = rows.pairs[name]
            slots = _slots(slot_of, records)
            known = slots >= first
            vocabulary, value_codes = self.many[name].vocabulary.extended(values[known])
            many[name] = self.many[name].with_tail(vocabulary, slots[known], value_codes)
        year_start = np.concatenate([self.year_start, rows.year_start[order]])
        year_end = np.concatenate([self.year_end, rows.year_end[order]])
        state = replace(
            self, stamp=stamp, record_ids=np.concatenate([self.record_ids, ids]),
            alive=np.concatenate([alive, np.ones(len(ids), dtype=bool)]), slot_of=slot_of,
            kind=np.concatenate([self.kind, rows.kind[order]]), repositories=repositories,
            repository=np.concatenate([self.repository, repository_codes]), year_start=year_start,
            year_end=year_end, date_start=np.concatenate([self.date_start, rows.date_start[order]]),
            date_end=np.concatenate([self.date_end, rows.date_end[order]]),
            scans=np.concatenate([self.scans, np.isin(ids, rows.scans)]), many=many,
            decades=Decades.of(year_start, year_end, self.this_year),
        )
        if state.slot_count - state.main > max(COMPACT_MIN, COMPACT_AT * state.main):
            return state.compacted()
        added = np.zeros(state.slot_count, dtype=bool)
        added[first:] = True
        gained = state._count_all(added, len(ids))
        totals = {name: _add(_add(self.totals[name], -removed[name]), gained[name])
                  for name in self.totals if name != "decade"}
        # Decades are counted from the lowest decade held, which a change may move: recount them.
        totals["decade"] = state.decades.count(state.alive)
        return replace(state, totals=totals)

    def compacted(self) -> IndexState:
        """The same records with cleared slots dropped and every value back in the sorted layouts."""
        live = np.flatnonzero(self.alive)
        repository = self.repository[live]
        rows = Rows(
            ids=self.record_ids[live], kind=self.kind[live],
            repository=np.where(repository >= 0, self.repositories.ids[np.maximum(repository, 0)], -1),
            year_start=self.year_start[live], year_end=self.year_end[live],
            date_start=self.date_start[live], date_end=self.date_end[live],
            scans=self.record_ids[live[self.scans[live]]], pairs={},
        )
        for name in MANY:
            slots, codes = self.many[name].pairs()
            keep = self.alive[slots]
            rows.pairs[name] = (self.record_ids[slots[keep]], self.many[name].vocabulary.ids[codes[keep]])
        return IndexState.from_rows(rows, self.stamp, self.this_year)

    # --- counting ---

    def _count(self, name: str, mask: np.ndarray, selected: int) -> np.ndarray:
        if name == "count":
            return np.array([selected])
        if name == "kind":
            return np.bincount(self.kind[mask].astype(np.int64) + 1, minlength=len(KINDS) + 1)[1:]
        if name == "repository":
            return np.bincount(self.repository[mask].astype(np.int64) + 1, minlength=len(self.repositories) + 1)[1:]
        if name == "has_scans":
            return np.array([np.count_nonzero(mask & self.scans)])
        if name == "decade":
            return self.decades.count(mask)
        return self.many[name].count(mask, selected)

    def _count_all(self, mask: np.ndarray, selected: int) -> dict[str, np.ndarray]:
        return {name: self._count(name, mask, selected) for name in ("count", *FACETS)}

    def _count_under(self, name: str, mask: np.ndarray, selected: int) -> np.ndarray:
        """``name`` counted under ``mask`` the cheapest way: the kept totals, the mask, or what it leaves out."""
        live = self.live
        if selected == live:  # the mask is every live slot
            return self.totals[name]
        if name != "decade" and selected > (1 - SPARSE_BELOW) * live:
            return _add(self.totals[name], -self._count(name, self.alive & ~mask, live - selected))
        return self._count(name, mask, selected)

    # --- filtering ---

    def _matching(self, name: str, value: Any) -> np.ndarray:
        """Slots matching one facet's selected values (any of them)."""
        if name == "kind":
            chosen = np.zeros(len(KINDS) + 1, dtype=bool)
            chosen[[KINDS.index(v) + 1 for v in value if v in KINDS]] = True
            return chosen[self.kind.astype(np.int64) + 1]
        if name == "repository":
            codes = self.repositories.codes(np.array(value, dtype=np.int64))
            chosen = np.zeros(len(self.repositories) + 1, dtype=bool)
            chosen[codes[codes >= 0] + 1] = True
            return chosen[self.repository.astype(np.int64) + 1]
        if name == "has_scans":
            return self.scans
        if name == "decade":
            return self.decades.matching(value)
        many = self.many[name]
        codes = many.vocabulary.codes(np.array(value, dtype=np.int64))
        return many.having([int(c) for c in codes if c >= 0], self.slot_count)

    def evaluate(self, query: Query) -> Result:
        """The result count and every facet counted under all the *other* active filters."""
        base = self.alive
        if query.search is not None:
            base = base & _mask(self.slot_of, query.search, self.slot_count)
        # Years as RecordFilterSet.filter_year_from / filter_year_to have them: an open end runs on.
        if query.year_from is not None:
            base = base & ((self.year_end >= query.year_from)
                           | ((self.year_end == NO_YEAR) & (self.year_start != NO_YEAR)))
        if query.year_to is not None:
            base = base & (((self.year_start <= query.year_to) & (self.year_start != NO_YEAR))
                           | ((self.year_start == NO_YEAR) & (self.year_end != NO_YEAR)))
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
        if query.title_hits is not None:
            hits = _mask(self.slot_of, query.title_hits, self.slot_count) & final
        return Result(self, final, total, counts, hits)


def _slots(slot_of: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """Slots of these record ids; -1 for records the index does not hold."""
    record_ids = np.asarray(record_ids, dtype=np.int64)
    inside = record_ids < len(slot_of)
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
        """Counts keyed as the pages use them: kinds by name, decades by year, the rest by database id."""
        state = self.state
        readable: dict[str, Any] = {"count": self.count}
        readable["kind"] = {KINDS[i]: int(n) for i, n in enumerate(counts["kind"]) if n}
        for name in MANY:
            ids = state.many[name].vocabulary.ids
            readable[name] = {str(ids[i]): int(counts[name][i]) for i in np.flatnonzero(counts[name])}
        readable["repository"] = {str(state.repositories.ids[i]): int(counts["repository"][i])
                                  for i in np.flatnonzero(counts["repository"])}
        decades, undated = counts["decade"][:-1], counts["decade"][-1]
        readable["decade"] = {str((state.decades.low + i) * 10): int(decades[i]) for i in np.flatnonzero(decades)}
        if undated:
            readable["decade"][UNDATED] = int(undated)
        readable["has_scans"] = {"1": int(counts["has_scans"][0])}
        return readable

    def record_ids(self) -> np.ndarray:
        return self.state.record_ids[self.mask]

    def page(self, sort: str, start: int, stop: int) -> list[int]:
        """Record ids ``[start:stop]`` in ``sort`` order, exactly as the database orders them:
        ``relevance`` (title matches first, each part newest first), ``date`` (earliest start first)
        or ``-date`` (latest end first), missing dates last, ties by id."""
        slots = np.flatnonzero(self.mask)
        stop = min(stop, len(slots))
        if start >= stop:
            return []
        ids = self.state.record_ids[slots]
        if len(ids) and int(ids.max()) >= 2**32:
            raise OverflowError("record ids beyond 2**32 do not fit the sort key")
        # One int64 key per record, unique (the id is in it): partition, then sort only the first ``stop``.
        last = np.int64(2**31 - 1)
        if sort == "relevance":
            hit = self.hits[slots] if self.hits is not None else np.zeros(len(slots), dtype=bool)
            key = ((~hit).astype(np.int64) << 32) | (2**32 - 1 - ids)
        elif sort == "date":
            day = self.state.date_start[slots].astype(np.int64)
            key = (np.where(day == NO_DATE, last, day) << 32) | ids
        elif sort == "-date":
            day = self.state.date_end[slots].astype(np.int64)
            key = (np.where(day == NO_DATE, last, (2**31 - 2) - day) << 32) | (2**32 - 1 - ids)
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
        return state.changed(changed, rows, stamp)


_indexes: dict[str, FacetIndex] = {}
_indexes_lock = threading.Lock()


def facet_index(using: str = "default") -> FacetIndex:
    """This process's index of database ``using``."""
    with _indexes_lock:
        if using not in _indexes:
            _indexes[using] = FacetIndex(using)
        return _indexes[using]
