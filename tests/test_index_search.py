"""Search words matched in the facet index find exactly what the database search finds, and follow every change.

The database search (``collection.search.search_condition``) is the truth: the
browse page and the API count and list through the index, so the two must agree
on every query, in every script, for matches in documents and in titles.
"""

import pytest
from django.db import connection
from django.db.models.functions import Length
from django.http import QueryDict

from collection.facets import index_query
from collection.facets.index import FacetIndex, read_parts
from collection.facets.text import chunked, cut
from collection.filters import RecordFilterSet
from collection.models import Record, RecordAgent, RecordSearch, Status, Title
from collection.search import (
    SEPARATOR,
    WordForms,
    refresh_search_index,
    search_alternatives,
    search_condition,
    search_row,
    title_match,
)
from tests.factories import AgentFactory, PlaceFactory, add_title, link_agent, titled

pytestmark = pytest.mark.django_db

QUERIES = [
    "抑留", "シベリア", "しべりあ", "記録", "抑留記", "留の", "の", "遺書", "ｼﾍﾞﾘｱ", "試験", "Shiken",
    "shiken shinsaku",
    "Кузнецов", "кузнец", "Kuznetsov", "KUZNETSOV", "письмо", "pismo", "Jikkō", "jikko", "jikkou", "ikk",
    "diary", "dia", "ary", "diary camp", "camp diary", "Taishet", "тайшет", "Тайшет", "x", "1", "19", "zz",
    "no-such-word", "letter 7", "letters", "test", "Test Diary", "kiroku", "'", "抑留 diary",
    "Tajšet", "Taĭshet", "Tayshet diary", "Kuzněcov", "jiary", "kuznecov", "Kuznetsov Iu.", "Siberia",
    "лагерях", "лагерь", "Кузнецову", "письма", "Тайшете", "letter", "diaries", "camps", "Письмах лагеря",
    "Москва", "московских", "Московская", "nihonjinhoryoshuyojo", "horyoshuyojonokiroku", "shuyojono",
    "nihonjinhoryoshuyojonokiroku",
]


@pytest.fixture
def texts():
    """Records with titles, readings, romanizations, agents and places in three scripts; some unpublished."""
    taishet = PlaceFactory(name="Тайшет", identifier="taishet")
    records = [
        titled("シベリア抑留の記録", "ja"),
        titled("遺書", "ja"),
        titled("Письмо Кузнецова из лагеря", "ru"),
        titled("Kuznetsov diary", "en"),
        titled("Tesuto jikkō no kiroku", "ja-Latn"),
        titled("Camp diary 19", "en", status=Status.DRAFT),
        titled("Test letter 7", "en"),
        titled("Test letters", "en", status=Status.WITHDRAWN),
        titled("Sanatorium report", "en"),
        titled("Nihonjin horyo shūyōjo no kiroku", "ja-Latn"),
    ]
    add_title(records[0], "しべりあよくりゅうのきろく", "ja-Hira", form="reading")
    add_title(records[1], "Isho", "ja-Latn", form="romanization")
    link_agent(records[8], AgentFactory(name="試験一郎", identifier="shiken"))
    link_agent(records[3], AgentFactory(name="Shiken Shinsaku", identifier="shinsaku"))
    link_agent(records[6], AgentFactory(name="Кузнецов Иван", identifier="kuznetsov"))
    records[3].places.add(taishet)
    records[5].places.add(taishet)
    records[9].places.add(PlaceFactory(name="Москва", identifier="moscow"))
    refresh_search_index([record.pk for record in records])
    return records


def database_search(query: str) -> tuple[set[int], set[int]]:
    """Published records the database search finds, and those of them matched in a title."""
    published = Record.objects.published()
    condition = search_condition(query)
    found = published.filter(condition) if condition is not None else published
    return set(found.values_list("pk", flat=True)), set(found.filter(title_match(query)).values_list("pk", flat=True))


def index_search(index: FacetIndex, query: str) -> tuple[set[int], set[int]]:
    result = index.current().evaluate(index_query(RecordFilterSet(QueryDict(f"q={query}"))))
    found = set(result.record_ids().tolist())
    hits = set(result.state.record_ids[result.hits].tolist()) if result.hits is not None else found
    return found, hits


def assert_same(query: str, *indexes: FacetIndex) -> set[int]:
    truth = database_search(query)
    for index in indexes:
        assert index_search(index, query) == truth, query
    return truth[0]


def read_in_small_chunks(monkeypatch) -> None:
    """Documents read, and distinct parts cut, a few at a time."""
    from collection.facets import index as index_module
    from collection.facets import text as text_module

    monkeypatch.setattr(index_module, "TEXT_CHUNK", 3)
    monkeypatch.setattr(text_module, "PARTS_CHUNK", 2)


@pytest.mark.parametrize("small_chunks", [False, True])
def test_every_query_finds_what_the_database_finds(texts, small_chunks, monkeypatch):
    if small_chunks:
        read_in_small_chunks(monkeypatch)
    index = FacetIndex()
    found = {query: assert_same(query, index) for query in QUERIES}
    # The cases the search promises, as a researcher types them.
    assert found["試験"] == {texts[8].pk} and found["Shiken"] == found["shiken shinsaku"] == {texts[3].pk}
    assert found["Kuznetsov"] == found["Кузнецов"] == found["KUZNETSOV"] == {texts[2].pk, texts[3].pk, texts[6].pk}
    assert found["Jikkō"] == found["jikko"] == found["jikkou"] == {texts[4].pk}
    assert found["シベリア"] == found["しべりあ"] == found["ｼﾍﾞﾘｱ"] == {texts[0].pk}
    assert found["遺書"] == {texts[1].pk}
    assert found["抑留記"] == {texts[0].pk}  # typed without a space: 抑留 and 記, each anywhere
    assert found["Тайшет"] == {texts[3].pk}  # the draft in Taishet is never found
    assert found["letter 7"] == found["test"] == {texts[6].pk}  # the withdrawn "Test letters" is never found
    assert found["no-such-word"] == set()
    assert found["московских"] == found["Московская"] == found["Москва"] == {texts[9].pk}
    assert found["nihonjinhoryoshuyojo"] == found["horyoshuyojonokiroku"] == found["shuyojono"] == {texts[9].pk}
    assert found["nihonjinhoryoshuyojonokiroku"] == set()  # five words: runs are held up to four


def test_title_matches_rank_first(texts):
    index = FacetIndex()
    result = index.current().evaluate(index_query(RecordFilterSet(QueryDict("q=Kuznetsov"))))
    # In a title (newest first), then the newest record found by its agent's name alone.
    assert index_search(index, "Kuznetsov")[1] == {texts[2].pk, texts[3].pk}
    assert result.page("relevance", 0, 10) == [texts[3].pk, texts[2].pk, texts[6].pk]


def test_changes_to_titles_agents_places_and_status_show_in_every_process(texts):
    first, second = FacetIndex(), FacetIndex()
    for query in QUERIES:
        assert_same(query, first, second)

    def changes():
        Title.objects.filter(record=texts[8]).update(text="Письмо из Тайшета")
        refresh_search_index([texts[8].pk])
        yield ["письмо", "Тайшет", "sanatorium"], lambda found: (
            texts[8].pk in found["письмо"] and texts[8].pk in found["Тайшет"] and not found["sanatorium"])
        texts[5].refresh_from_db()
        texts[5].status = Status.PUBLISHED
        texts[5].save()
        yield ["camp", "19"], lambda found: found["camp"] == found["19"] == {texts[5].pk}
        RecordAgent.objects.filter(record=texts[8]).delete()
        refresh_search_index([texts[8].pk])
        yield ["試験"], lambda found: not found["試験"]
        Record.objects.filter(pk=texts[0].pk).update(status=Status.WITHDRAWN)
        yield ["抑留", "しべりあ"], lambda found: not found["抑留"] and not found["しべりあ"]
        texts[4].delete()
        yield ["jikko"], lambda found: not found["jikko"]
        new = titled("Новое письмо", "ru")
        link_agent(new, AgentFactory(name="Кузнецов Пётр", identifier="pyotr"))
        refresh_search_index([new.pk])
        yield ["Kuznetsov", "petr novoe"], lambda found: new.pk in found["Kuznetsov"] and found[
            "petr novoe"] == {new.pk}

    for queries, check in changes():
        found = {query: assert_same(query, first, second) for query in [*queries, "diary", "test"]}
        assert check(found), queries
    assert first.rebuilds == second.rebuilds == 1


def test_search_survives_compaction(texts, monkeypatch):
    from collection.facets import index as module

    index = FacetIndex()
    assert_same("diary", index)
    monkeypatch.setattr(module, "COMPACT_MIN", 0)
    monkeypatch.setattr(module, "COMPACT_AT", 0.1)
    for number, record in enumerate([texts[2], texts[3], texts[6]]):
        Title.objects.filter(record=record).update(text=f"Renamed diary {number}")
        refresh_search_index([record.pk])
        for query in ("diary", "renamed", "Kuznetsov", "letter", "renamed diary 1", "Тайшет"):
            assert_same(query, index)
    state = index.current()
    assert state.slot_count == state.main and len(state.text.segments) == 1  # compacted, one segment
    assert index.rebuilds == 1


def test_the_title_parts_are_the_titles_key():
    """The index finds a document's title parts by the length of its titles key: the key must lead."""
    class Line:
        def __init__(self, pk: int, text: str, language: str) -> None:
            self.pk, self.text, self.language = pk, text, language
            self.form, self.preferred, self.derived_from_id = "original", pk == 1, None

    row = search_row(7, [Line(1, "", "en"), Line(2, "Письмо 1945", "ru"), Line(3, "手紙", "ja")],
                     [("a description", "en")], [["kuznetsov ivan"]], [["taishet"]], "F. 1", "", "")
    _pk, document, titles, _grams, _key = row
    parts = cut(chunked(iter([(7, document, len(titles)), (8, "", 0)]), 10))
    found = [parts.vocabulary[code] for code in parts.codes]
    assert [part for part, in_title in zip(found, parts.in_title, strict=True) if in_title] == [
        "pismo 1945", "手紙"] == titles.split(SEPARATOR)
    assert found[2:] == ["a description", "kuznetsov ivan", "taishet", "f 1"]
    assert parts.record_ids.tolist() == [7] * 6  # the empty document has no parts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite documents are marked by Python itself")
def test_the_database_reads_documents_as_python_marks_them(texts):
    """On PostgreSQL the documents are marked by SQL: the parts must be those marked in Python."""
    rows = RecordSearch.objects.order_by().values_list("record_id", "document", Length("titles"))
    expected = cut(chunked(iter(rows.order_by("record_id")), 3))
    read = read_parts("default")
    assert ([read.vocabulary[c] for c in read.codes], read.record_ids.tolist(), read.in_title.tolist()) == (
        [expected.vocabulary[c] for c in expected.codes], expected.record_ids.tolist(), expected.in_title.tolist())
    changed = Record.objects.filter(pk__in=[texts[2].pk, texts[5].pk]).values("pk")
    assert sorted(set(read_parts("default", changed).record_ids.tolist())) == [texts[2].pk, texts[5].pk]


def test_search_words_never_need_the_database(texts, django_assert_num_queries):
    index = FacetIndex()
    index.current()
    query = index_query(RecordFilterSet(QueryDict("q=diary Тайшет")))
    # Тайшет is its own stem: its forms are found as it is, and its Japanese reading's (taishechi) too.
    assert query.words[0] == (" diary",) and query.words[1][0] == " tayshet" and " taishet" in query.words[1]
    assert query.search is None
    truth = database_search("diary Тайшет")[0]
    with django_assert_num_queries(1):  # the catalogue version, nothing else
        found = set(index.current().evaluate(query).record_ids().tolist())
    assert found == truth == {texts[3].pk}  # not the draft "Camp diary 19" in Taishet


def test_words_typed_joined_or_as_an_adjective_cost_no_query_and_no_more_spellings(texts, django_assert_num_queries):
    """Romaji typed as one word for several is matched as typed (the keys hold the runs), and a place's adjective
    adds one spelling: the index still needs the catalogue version alone."""
    index = FacetIndex()
    index.current()
    query = index_query(RecordFilterSet(QueryDict("q=nihonjinhoryoshuyojo московских")))
    # As many spellings as one romaji word has (its Russian readings of j and h), and Москва's one more.
    assert query.words[0][0] == " nihonjinhoryoshuyojo" and len(query.words[0]) == len(search_alternatives(
        "nihonjin")[0]) == 3
    assert "moskv" in [spelling.start for spelling in query.words[1] if isinstance(spelling, WordForms)]
    assert len(query.words[1]) == 8
    with django_assert_num_queries(1):  # the catalogue version, nothing else
        found = set(index.current().evaluate(query).record_ids().tolist())
    assert found == database_search("nihonjinhoryoshuyojo московских")[0] == {texts[9].pk}
