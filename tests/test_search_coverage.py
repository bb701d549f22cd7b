"""What a public record page shows can be searched, however a reader types it; titles sort as readers expect."""

import pytest

from collection.catalogue.writer import write_rows
from collection.models import Description, LabelForm, Record, RecordSearch, RecordTitleOrder, SubjectLabel
from collection.models.search import RecordPlaceIndex
from collection.search import refresh_search_index, reindex_after_save, search_condition, sort_key
from tests.catalogue_rows import memoir, numbered
from tests.factories import (
    AgentFactory,
    PlaceFactory,
    SubjectFactory,
    add_title,
    link_agent,
    reindex,
    titled,
)

pytestmark = pytest.mark.django_db


def found(client, query: str, language: str = "en") -> set[str]:
    """What the browse page lists (matched in the facet index), checked against the database search."""
    response = client.get(f"/{language}/records/", {"q": query, "page_size": 100})
    assert response.status_code == 200
    listed = {record.identifier for record in response.context["records"]}
    condition = search_condition(query)
    truth = set(Record.objects.published().filter(condition).values_list("identifier", flat=True).distinct())
    assert listed == truth, query
    return listed


def listed(client, query: str, **params) -> list[str]:
    response = client.get("/en/records/", {"q": query, "page_size": 100, **params})
    return [record.identifier for record in response.context["records"]]


# --- fields of the record page ------------------------------------------------------------------


def test_container_title_and_place_of_publication_are_searched(client):
    article = titled("Test article on repatriation", container_title="Test News Service",
                     publication_place="Владивосток")
    paper = titled("Test report from the coast", container_title="New York Test Times",
                   publication_place="Seattle")
    titled("Test unrelated record")
    assert found(client, "Test News Service") == {article.identifier}
    assert found(client, "Владивосток") == found(client, "Vladivostok") == {article.identifier}
    assert found(client, "new york times") == {paper.identifier}
    assert found(client, "Seattle") == {paper.identifier}


def test_subject_labels_are_searched_in_every_language(client):
    camps = SubjectFactory(label="test labor camps")
    SubjectLabel.objects.create(subject=camps, language="ja", text="テスト収容所")
    SubjectLabel.objects.create(subject=camps, language="ru", text="Тестовые лагеря")
    record = titled("Test record about work")
    record.subjects.add(camps)
    reindex(record)
    titled("Test record about nothing")
    assert found(client, "labor camps") == {record.identifier}
    assert found(client, "収容所") == {record.identifier}
    assert found(client, "лагеря") == found(client, "lagerya") == {record.identifier}


def test_renaming_a_subject_reindexes_its_records(client):
    subject = SubjectFactory(label="Test old label")
    record = titled("Test record with a subject")
    record.subjects.add(subject)
    reindex(record)
    subject.labels.update(text="Test renamed memoirs")
    reindex_after_save(subject)  # as the admin does after saving a subject and its labels
    assert found(client, "memoirs") == {record.identifier}
    assert found(client, "old label") == set()


def test_a_title_match_still_ranks_before_a_subject_or_container_match(client):
    subject = SubjectFactory(label="Test memoirs")
    by_subject = titled("Test aaa record")
    by_subject.subjects.add(subject)
    reindex(by_subject)
    by_container = titled("Test aab record", container_title="Test Memoirs Quarterly")
    by_title = titled("Test zzz memoirs")
    assert listed(client, "memoirs")[0] == by_title.identifier
    assert set(listed(client, "memoirs")) == {by_subject.identifier, by_container.identifier, by_title.identifier}


def new_record_rows():
    return numbered(
        memoir("mem-test-cover-1", **{
            "title_ja": "シベリア 抑留記", "title_en": "Test P.O.W. diary", "container_title": "Test News",
            "publication_place": "Владивосток", "subjects": "subject-test-camps|subject-test-memoirs",
            "authors": "agent-test-yamada", "places": "place-test-city", "call_number": "Test 9-9",
        }),
        memoir("mem-test-cover-2", **{"title_ru": "Ёлки в лагере", "subjects": "Test memoirs"}),
    )


def test_an_import_writes_the_search_keys_the_index_refresh_makes(client, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    camps = SubjectFactory(identifier="subject-test-camps", label="Test labor camps")
    SubjectLabel.objects.create(subject=camps, language="ja", text="テスト 収容所")
    SubjectFactory(identifier="subject-test-memoirs", label="Test memoirs")
    AgentFactory(identifier="agent-test-yamada", name="山田 太郎", name__language="ja")
    PlaceFactory(identifier="place-test-city", name="Test City")
    assert write_rows(new_record_rows()).ok
    written = (sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams", "title_key")),
               sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key")),
               sorted(RecordPlaceIndex.objects.values_list("record_id", "place_id")))
    record = Record.objects.get(identifier="mem-test-cover-1")
    document = RecordSearch.objects.get(record=record).document
    for held in ("test news", "vladivostok", "test labor camps", "収容所", "test memoirs", "山田太郎", "pow"):
        assert held in document, held
    refresh_search_index(Record.objects.values_list("pk", flat=True))
    assert (sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams", "title_key")),
            sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key")),
            sorted(RecordPlaceIndex.objects.values_list("record_id", "place_id"))) == written



def search_rows():
    return (sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams", "title_key")),
            sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key")),
            sorted(RecordPlaceIndex.objects.values_list("record_id", "place_id")))


def test_a_record_just_created_is_found_by_its_own_fields_as_a_full_refresh_would_find_it():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as creation:
        record = Record.objects.create(kind="document", identifier="doc-test-created", call_number="Test 9-9",
                                       isbn="978-4-00-000000-2", container_title="Test Ｎｅｗｓ",
                                       publication_place="Владивосток")
    # Nothing links to a record yet: its keys come from its own fields, not from reading titles and links.
    assert not [query for query in creation.captured_queries if '"collection_title"' in query["sql"]]
    created = search_rows()
    assert [held in created[0][0][1] for held in ("test 9 9", "test news", "vladivostok")] == [True] * 3
    assert [language for _, language, _ in created[1]] == ["en", "ja", "ru"]
    refresh_search_index([record.pk])
    assert search_rows() == created

# --- Japanese written with and without spaces ----------------------------------------------------


def test_a_japanese_name_matches_typed_with_or_without_its_space(client):
    record = titled("テスト手記", "ja")
    link_agent(record, AgentFactory(name="山田 太郎", name__language="ja"))
    reindex(record)
    other = titled("テスト山田の記録", "ja")
    assert found(client, "山田太郎") == {record.identifier}
    assert found(client, "山田 太郎") == {record.identifier}
    assert found(client, "山田") == {record.identifier, other.identifier}
    # Typed without a space, a name is cut into its words, which match in any order as words typed apart do.
    assert found(client, "太郎山田") == found(client, "太郎 山田") == {record.identifier}


def test_a_japanese_title_matches_typed_with_or_without_its_space(client):
    record = titled("シベリア 抑留記 テスト", "ja")
    titled("テスト抑留", "ja")
    assert found(client, "シベリア抑留記") == {record.identifier}
    assert found(client, "抑留記テスト") == {record.identifier}
    assert found(client, "シベリア 抑留記") == {record.identifier}
    assert listed(client, "シベリア抑留記") == [record.identifier]


# --- sorting ---------------------------------------------------------------------------------


def test_yo_sorts_as_ye_in_title_order(client):
    yolki = titled("Ёлки в лагере Тайшет", "ru")
    japanese = titled("Японские военнопленные", "ru")
    diary = titled("Дневник", "ru")
    later = titled("Жизнь в лагере", "ru")
    response = client.get("/ru/records/", {"sort": "title"})
    order = [r.identifier for r in response.context["records"]]
    assert order.index(diary.identifier) < order.index(yolki.identifier) < order.index(later.identifier) \
        < order.index(japanese.identifier)
    assert sort_key("Ёлки") == sort_key("елки") == "елки"


# --- initials and fragments of numbers ---------------------------------------------------------------


@pytest.fixture
def letters_and_numbers():
    decoys = [titled(text) for text in (
        "Test power of words", "Test photo of a wagon", "Test report 1949", "Test opis 19", "Test volume 99")]
    pow_diary = titled("Test P.O.W. camp diary")
    ussr = titled("Test map of the U.S.S.R.")
    call = titled("Test box", call_number="Test 9-9")
    initials = titled("Test memoir")
    link_agent(initials, AgentFactory(name="Кузнецов И. В.", name__language="ru"))
    reindex(initials)
    return {"decoys": decoys, "pow": pow_diary, "ussr": ussr, "call": call, "initials": initials}


def test_dotted_initials_are_one_word(client, letters_and_numbers):
    pow_diary, ussr = letters_and_numbers["pow"], letters_and_numbers["ussr"]
    power = letters_and_numbers["decoys"][0]
    # "pow" is still a piece of "power", as any three letters are; no longer each letter alone.
    assert found(client, "P.O.W.") == found(client, "POW") == {pow_diary.identifier, power.identifier}
    assert found(client, "P.O.W. camp") == {pow_diary.identifier}
    assert found(client, "U.S.S.R.") == found(client, "USSR") == {ussr.identifier}


def test_initials_of_a_name_match_however_they_are_typed(client, letters_and_numbers):
    initials = letters_and_numbers["initials"].identifier
    for query in ("Кузнецов И.В.", "Кузнецов И. В.", "Kuznetsov I.V.", "Kuznetsov I", "Kuznetsov V"):
        assert found(client, query) == {initials}, query


def test_a_lone_letter_or_digit_must_begin_a_word(client, letters_and_numbers):
    call = letters_and_numbers["call"].identifier
    words, wagon = (decoy.identifier for decoy in letters_and_numbers["decoys"][:2])
    assert found(client, "9-9") == {call}  # not "1949", "19" or "99"
    assert found(client, "test 9") == {call}
    # A letter begins a word: "words", "wagon" and the W of P.O.W., not the w inside "power".
    assert found(client, "w") == {words, wagon, letters_and_numbers["pow"].identifier}


def test_isbn_romanized_and_single_kanji_searches_still_work(client):
    book = titled("Test book", isbn="978-0-00-000000-2")
    romanized = titled("Tesuto jikkō no kiroku", "ja-Latn")
    monument = titled("慰霊碑の記録", "ja")
    titled("Test other 978")
    for form in ("9780000000002", "978-0-00-000000-2", "0-00-000000-0"):
        assert found(client, form) == {book.identifier}, form
    assert found(client, "jikkou no kiroku") == found(client, "Jikko") == {romanized.identifier}
    assert found(client, "碑") == {monument.identifier}
    assert found(client, "の") == {monument.identifier}


def test_descriptions_with_initials_and_spaced_japanese_are_searched(client):
    record = titled("Test record", "en")
    Description.objects.create(record=record, language="ja", text="山田 花子 の手記。U.S.S.R. test")
    add_title(record, "てすと", "ja-Hrkt", form=LabelForm.READING)
    reindex(record)
    assert found(client, "山田花子") == found(client, "USSR") == {record.identifier}
