"""A Russian stem of four letters or more finds the forms of its own word, in Cyrillic and romanized, not every
English word its Latin letters begin."""

import pytest

from collection.facets.index import FacetIndex
from collection.models import Record
from tests.facet_truth import index_counts, sql_counts
from tests.factories import titled
from tests.test_facet_index import index_result
from tests.test_index_search import assert_same, read_in_small_chunks
from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def long_stems(class_data):
    """Russian titles, Cyrillic and romanized, and English ones beginning with the same Latin letters."""
    records = {
        "prisoners": titled("Test пленные в лагере", "ru"),
        "captivity": titled("Test десять лет плена", "ru"),
        "prisoner": titled("Test пленный солдат", "ru"),
        "camps": titled("Test лагерях Сибири", "ru"),
        "camp": titled("Test лагерь", "ru"),
        "camp romanized": titled("Test pis'ma iz lagerya", "ru-Latn"),
        "khabarovsk": titled("Test Хабаровск", "ru"),
        "khabarovsk krai": titled("Test Хабаровского края", "ru"),
        "khabarovsk romanized": titled("Test Khabarovskogo kraia", "ru-Latn"),
        "repressed": titled("Test репрессированные", "ru"),
        "returned": titled("Test вернулись домой", "ru"),
        "japanese": titled("Test японские песни", "ru"),
        "plenty": titled("Test plenty of snow", "en"),
        "plenary": titled("Test plenary session", "en"),
        "lagerfeld": titled("Test Lagerfeld collection", "en"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestLongStems:
    """Russian titles, Cyrillic and romanized, and English ones beginning with the same Latin letters."""

    @pytest.mark.parametrize(("query", "expected"), [
        # пленных's stem is плен: it finds пленные, плена, пленный, not "plenty" or "plenary".
        ("пленных", {"prisoners", "captivity", "prisoner"}), ("пленный", {"prisoners", "captivity", "prisoner"}),
        ("плену", {"prisoners", "captivity", "prisoner"}),
        # лагерях's stem is лагер: лагерь, лагерях, lagerya, not "Lagerfeld".
        ("лагерях", {"camps", "camp", "camp romanized", "prisoners"}),
        ("лагеря", {"camps", "camp", "camp romanized", "prisoners"}),
        ("Хабаровского", {"khabarovsk", "khabarovsk krai", "khabarovsk romanized"}),
        ("Хабаровск", {"khabarovsk", "khabarovsk krai", "khabarovsk romanized"}),
        ("репрессированных", {"repressed"}),
        # A reflexive verb's forms: вернулся and вернулись are вернул to the stemmer.
        ("вернулся", {"returned"}),
        # A country's name finds the adjective made from it, as its stem began it before.
        ("Япония", {"japanese"}), ("Японии", {"japanese"}),
    ])
    def test_a_long_russian_stem_finds_the_forms_of_its_word_only(self, client, long_stems, query, expected):
        assert found(client, query) == {long_stems[key] for key in expected}

    @pytest.mark.parametrize(("query", "expected"), [
        # Words typed in Latin letters begin words, as they did.
        ("plen", {"prisoners", "captivity", "prisoner", "plenty", "plenary"}), ("plenty", {"plenty"}),
        ("lager", {"camps", "camp", "camp romanized", "prisoners", "lagerfeld"}),
        ("Khabarovskogo", {"khabarovsk krai", "khabarovsk romanized"}),
    ])
    def test_words_typed_in_latin_letters_still_begin_words(self, client, long_stems, query, expected):
        assert found(client, query) == {long_stems[key] for key in expected}

    @pytest.mark.parametrize("small_chunks", [False, True])
    def test_the_index_and_the_database_find_the_same_forms_of_a_long_stem(self, long_stems, small_chunks, monkeypatch):
        if small_chunks:
            read_in_small_chunks(monkeypatch)
        index = FacetIndex()
        for query in ("пленных", "лагерях", "Хабаровского", "репрессированных", "плена лагерь", "plen"):
            assert_same(query, index)
            assert index_counts(index_result(index, f"q={query}").counts) == sql_counts(f"q={query}"), query
        identifiers = dict(Record.objects.values_list("pk", "identifier"))
        assert {identifiers[pk] for pk in assert_same("пленных", index)} == {
            long_stems["prisoners"], long_stems["captivity"], long_stems["prisoner"]}

