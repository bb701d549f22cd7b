"""The in-process facet index stays exact: it equals SQL counting under any filters and follows every change.

Two :class:`FacetIndex` instances stand for two server processes: each keeps its
own arrays and learns of a change only through the database.
"""

import random
from itertools import combinations

import pytest
from django.db import transaction
from django.http import QueryDict

from collection.facets import index_query
from collection.facets.index import FacetIndex, facet_index, read_stamp
from collection.filters import RecordFilterSet
from collection.models import (
    AgentKind,
    CatalogueChange,
    Language,
    PlaceKind,
    Record,
    RecordAgent,
    RecordKind,
    RecordTitleOrder,
    Status,
    Title,
    Visibility,
)
from collection.search import refresh_search_index
from tests.facet_truth import index_counts, sql_counts
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, titled
from tests.test_image_visibility import attach

pytestmark = pytest.mark.django_db

DATES = ["", "1945", "1946-08", "1948/1962", "1950?", "195X", "../1950", "1984/..", "1956-12-26", "1991/1993"]


def index_result(index: FacetIndex, query: str):
    return index.current().evaluate(index_query(RecordFilterSet(QueryDict(query))))


def assert_exact(query: str, *indexes: FacetIndex) -> dict:
    truth = sql_counts(query)
    for index in indexes:
        assert index_counts(index_result(index, query).counts) == truth, query
    return truth


def assert_title_order(*indexes: FacetIndex) -> None:
    """Pages in each title order (both ways) are those the database's title indexes give."""
    published = Record.objects.published().filter(search__isnull=False)
    orders = {"": (list(published.order_by("search__title_key", "pk").values_list("pk", flat=True)),
                   list(published.order_by("-search__title_key", "-pk").values_list("pk", flat=True)))}
    for language in ("ja", "ru", "en"):
        keys = RecordTitleOrder.objects.filter(language=language, record__in=published)
        orders[language] = (list(keys.order_by("title_key", "record_id").values_list("record_id", flat=True)),
                            list(keys.order_by("-title_key", "-record_id").values_list("record_id", flat=True)))
    for index in indexes:
        result = index_result(index, "")
        for language, (ascending, descending) in orders.items():
            assert result.page("title", 0, 1000, language) == ascending, language
            assert result.page("-title", 0, 1000, language) == descending, language
            assert result.page("title", 5, 9, language) == ascending[5:9], language


@pytest.fixture
def varied():
    """Forty records with every facet varied, some unpublished, built from a fixed seed."""
    rng = random.Random(6)
    regions = [PlaceFactory(name=f"Test region {n}", kind=PlaceKind.REGION, identifier=f"region-{n}")
               for n in range(2)]
    camps = [PlaceFactory(name=f"Test camp {n}", kind=PlaceKind.CAMP, parent=regions[n % 2], identifier=f"camp-{n}")
             for n in range(4)]
    subjects = [SubjectFactory(label=f"Test subject {n}", identifier=f"subject-{n}") for n in range(3)]
    agents = [AgentFactory(name=f"Test agent {n}", identifier=f"agent-{n}") for n in range(4)]
    archives = [AgentFactory(name=f"Test archive {n}", identifier=f"archive-{n}", kind=AgentKind.ORGANISATION)
                for n in range(2)]
    languages = [Language.objects.create(tag=tag) for tag in ("ja", "ru")]
    records = []
    for number in range(40):
        status = rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
        record = titled(f"Test {rng.choice(['letter', 'diary', 'report'])} {number}",
                        kind=rng.choice(RecordKind.values), date_edtf=rng.choice(DATES), status=status,
                        repository=rng.choice([None, *archives]))
        record.places.add(*rng.sample(camps, rng.choice([0, 1, 1, 2])))
        record.subjects.add(*rng.sample(subjects, rng.choice([0, 1, 2])))
        record.languages.add(*rng.sample(languages, rng.choice([0, 1, 1, 2])))
        for agent in rng.sample(agents, rng.choice([0, 1, 2])):
            link_agent(record, agent)
        if number % 9 == 0:
            link_agent(record, agents[0], role="editor")  # a second role: still one record for the agent
        # Translations, so that each language's title order differs from the originals'.
        if number % 3 == 0:
            Title.objects.create(record=record, language="ru", text=f"Тест {rng.randrange(100)}", form="translation")
        if number % 4 == 0:
            Title.objects.create(record=record, language="ja", text=f"テスト{rng.randrange(100)}", form="translation")
        records.append(record)
    refresh_search_index([record.pk for record in records])
    attach(records[1])
    attach(records[2], visibility=Visibility.PRIVATE)
    return {"records": records, "camps": camps, "subjects": subjects, "agents": agents, "archives": archives,
            "languages": languages, "regions": regions}


STATES = [
    "kind=memoir", "kind=memoir&kind=document", "decade=1950", "decade=1950&decade=undated", "decade=1980",
    "decade=2020", "year_from=1950", "year_to=1949", "year_from=1946&year_to=1950", "place=region-0",
    "place=camp-1&place=camp-2", "subject=subject-0", "agent=agent-0&agent=agent-3", "repository=archive-1",
    "language=ja", "has_scans=1", "q=diary", "q=letter&kind=document", "q=agent", "q=nothing-matches-this",
]


def test_counts_equal_sql_under_every_combination_of_filters(varied):
    index = FacetIndex()
    for state in STATES:
        assert_exact(state, index)
    for first, second in combinations(STATES, 2):
        assert_exact(f"{first}&{second}", index)
    assert_exact("q=test&kind=memoir&decade=1950&place=region-1&subject=subject-1&language=ru&agent=agent-1",
                 index)


def test_the_matching_records_are_those_sql_finds(varied):
    index = FacetIndex()
    for state in STATES:
        expected = set(RecordFilterSet(QueryDict(state)).queryset_without(None).values_list("pk", flat=True))
        assert set(index_result(index, state).record_ids().tolist()) == expected, state


def test_every_kind_of_change_shows_in_the_next_request_of_every_process(varied):
    first, second = FacetIndex(), FacetIndex()
    states = ["", "kind=memoir", "place=region-1&decade=1950", "agent=agent-2", "has_scans=1&language=ja",
              "repository=archive-0", "q=diary&subject=subject-2"]
    for state in states:
        assert_exact(state, first, second)
    published = [r for r in varied["records"] if r.status == Status.PUBLISHED]
    draft = next(r for r in varied["records"] if r.status == Status.DRAFT)
    record = published[0]

    def changes():
        record.refresh_from_db()
        record.status = Status.WITHDRAWN
        record.save()
        yield "withdrawn"
        Record.objects.filter(pk=record.pk).update(status=Status.PUBLISHED)
        yield "published again"
        Record.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
        yield "a draft published"
        target = published[1]
        target.places.set([varied["camps"][1]])
        refresh_search_index([target.pk])  # the place index, as every writer does
        yield "place"
        target.subjects.add(next(s for s in varied["subjects"] if not target.subjects.filter(pk=s.pk).exists()))
        yield "subject added"
        target.subjects.clear()
        yield "subjects removed"
        link_agent(target, varied["agents"][2])
        yield "agent linked"
        RecordAgent.objects.filter(record=target).delete()
        yield "agents unlinked"
        target.refresh_from_db()
        target.kind = RecordKind.ASSOCIATION
        target.date_edtf = "1950/1952"
        target.save()
        yield "kind and dates"
        target.refresh_from_db()
        target.date_edtf = ""
        target.repository = varied["archives"][0]
        target.save()
        yield "undated, repository"
        held = set(target.languages.all())
        target.languages.set([lang for lang in varied["languages"] if lang not in held] or varied["languages"][:1])
        yield "languages"
        attach(target)
        yield "scan"
        target.images.update(visibility=Visibility.PRIVATE)
        yield "scan hidden"
        title = published[3].titles.get(language="en")
        title.text = "Test aardvark"  # to the top of the title order
        title.save()
        refresh_search_index([published[3].pk])
        yield "retitled"
        for other in published[4:7]:  # several at once, between the same neighbours
            other.titles.filter(language="en").update(text="Test middle")
        refresh_search_index([other.pk for other in published[4:7]])
        yield "three retitled alike"
        Record.objects.filter(pk=published[2].pk).delete()
        yield "deleted"

    stamp = read_stamp("default")
    for change in changes():
        assert read_stamp("default") != stamp, f"{change}: the triggers logged nothing"
        stamp = read_stamp("default")
        for state in states:
            assert_exact(state, first, second)
        assert_title_order(first, second)
    assert first.rebuilds == second.rebuilds == 1  # built once, then only caught up
    assert first.catch_ups > 5


def _prune_the_log() -> None:
    CatalogueChange.objects.all().delete()  # as the triggers prune versions far behind


def _log_too_large_a_change() -> None:
    from collection.models import CatalogueVersion

    # As the triggers log a statement touching more published records than they list.
    CatalogueChange.objects.filter(version=CatalogueVersion.objects.get().version).update(record_id=None)


@pytest.mark.parametrize("lose_the_change", [_prune_the_log, _log_too_large_a_change])
def test_a_change_the_log_cannot_name_makes_the_index_start_afresh(varied, lose_the_change):
    index = FacetIndex()
    assert_exact("kind=memoir", index)
    record = next(r for r in varied["records"] if r.status == Status.PUBLISHED)
    Record.objects.filter(pk=record.pk).update(status=Status.WITHDRAWN)
    lose_the_change()
    assert_exact("kind=memoir", index)
    assert index.rebuilds == 2


def test_a_state_read_inside_a_rolled_back_transaction_is_never_used(varied):
    index = FacetIndex()
    assert_exact("", index)
    record = next(r for r in varied["records"] if r.status == Status.PUBLISHED)
    with pytest.raises(RuntimeError), transaction.atomic():
        Record.objects.filter(pk=record.pk).update(status=Status.WITHDRAWN)
        assert_exact("", index)  # the index follows the uncommitted withdrawal...
        raise RuntimeError("roll back")
    assert_exact("", index)  # ...and notices that it never happened
    # Another change reusing the rolled-back version number is not mistaken for it.
    other = next(r for r in varied["records"] if r.status == Status.PUBLISHED and r.pk != record.pk)
    Record.objects.filter(pk=other.pk).update(status=Status.WITHDRAWN)
    assert_exact("", index)


def test_cleared_slots_are_compacted_away(varied, monkeypatch):
    from collection.facets import index as module

    index = FacetIndex()
    assert_exact("", index)
    monkeypatch.setattr(module, "COMPACT_MIN", 0)
    monkeypatch.setattr(module, "COMPACT_AT", 0.1)
    published = [r for r in varied["records"] if r.status == Status.PUBLISHED]
    for record in published[:6]:
        Record.objects.filter(pk=record.pk).update(kind=RecordKind.MEMOIR)
        for state in ("", "kind=memoir&place=region-0", "q=diary"):
            assert_exact(state, index)
    state = index.current()
    assert state.slot_count == state.live == state.main  # compacted: no cleared slot left
    assert index.rebuilds == 1


def test_a_title_rank_that_cannot_be_placed_is_read_afresh(varied, monkeypatch):
    from collection.facets import index as module

    index = FacetIndex()
    assert_title_order(index)
    monkeypatch.setattr(module, "NEIGHBOURS", 1)
    drafts = [r for r in varied["records"] if r.status != Status.PUBLISHED]
    target = next(r for r in varied["records"] if r.status == Status.PUBLISHED)
    # The retitled record's only neighbour read is an unpublished record the index does not hold.
    drafts[0].titles.update(text="Test zz 1")
    target.titles.update(text="Test zz 2")
    refresh_search_index([drafts[0].pk, target.pk])
    assert_title_order(index)
    assert index.rebuilds == 1  # only the title order was read again


def test_pages_in_index_order_equal_the_database_order(varied):
    from django.db.models.functions import Coalesce

    index = FacetIndex()
    published = Record.objects.published()
    result = index_result(index, "")
    by_date = list(published.order_by(Coalesce("date_start", "date_end").asc(nulls_last=True), "pk")
                   .values_list("pk", flat=True))
    assert result.page("date", 0, 100) == by_date
    assert result.page("date", 3, 7) == by_date[3:7]
    by_end = list(published.order_by(Coalesce("date_end", "date_start").desc(nulls_last=True), "-pk")
                  .values_list("pk", flat=True))
    assert result.page("-date", 0, 100) == by_end
    searched = index_result(index, "q=diary")
    hits = set(published.filter(search__titles__contains="diary").values_list("pk", flat=True))
    order = sorted(searched.record_ids().tolist(), key=lambda pk: (pk not in hits, -pk))
    assert searched.page("relevance", 0, 100) == order and order


def test_the_process_index_is_one_per_database():
    assert facet_index() is facet_index("default")


def test_top_values_are_those_of_the_whole_counts():
    """ValueCounts.top equals ranking every count (ties by id, chosen ones after), without making them a dict."""
    import heapq

    import numpy as np

    from collection.facets.index import ValueCounts, Vocabulary

    rng = random.Random(3)
    for size in (0, 5, 15, 16, 400):
        ids = np.array(rng.sample(range(1, 100_000), size), dtype=np.int64)
        counts = np.array([rng.choice([0, 0, 1, 1, 1, 2, 3, 7, 7, 50]) for _ in range(size)], dtype=np.int64)
        values = ValueCounts(Vocabulary(ids), counts)
        chosen = [str(pk) for pk in rng.sample(ids.tolist(), min(size, 4))] + ["999999", "agent-3"]
        top = values.top(15, chosen)
        assert "_whole" not in values.__dict__
        whole = {str(pk): int(n) for pk, n in zip(ids.tolist(), counts.tolist(), strict=True) if n}
        # Ties by id as a number.
        expected = heapq.nsmallest(15, whole.items(), key=lambda item: (-item[1], int(item[0])))
        shown = {value for value, _n in expected}
        expected += sorted(((value, n) for value, n in whole.items() if value in chosen and value not in shown),
                           key=lambda item: (-item[1], int(item[0])))
        assert top == expected, size
        assert dict(values) == whole and len(values) == len(whole)
