"""A short Russian stem finds the forms of its own word, not every word its Latin letters begin; a word typed
with a leading "yo" for Ё finds the Ё word."""

import pytest

from collection.facets.index import FacetIndex
from collection.models import PlaceName, Record
from collection.search import search_alternatives
from tests.facet_truth import index_counts, sql_counts
from tests.factories import PlaceFactory, reindex, titled
from tests.test_facet_index import index_result
from tests.test_index_search import assert_same, read_in_small_chunks
from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def short_stems(class_data):
    """Russian titles whose words have three-letter stems (приём: при, Чита: чит, дети: дет), and English ones
    whose words begin with the same letters."""
    primorye = PlaceFactory(name="Приморский край", name__language="ru")
    PlaceName.objects.create(place=primorye, text="Primorye", language="en")
    about_primorye = titled("Test camp register")
    about_primorye.places.add(primorye)
    reindex(about_primorye)
    records = {
        "decree": titled("О приеме, размещении, трудовом использовании военнопленных", "ru"),
        "reception": titled("Приём военнопленных в лагерях", "ru"),
        "receptions": titled("Test приёмы", "ru"),
        "hospital": titled("Госпиталь при лагере", "ru"),
        "prisoners": titled("The last prisoners of the war", "en"),
        "primorye": about_primorye,
        "chita": titled("Test Чита", "ru"),
        "chita region": titled("Test Читинская область", "ru"),
        "children": titled("Дети в лагере", "ru"),
        "details": titled("Test details", "en"),
        "camps": titled("Test лагерь", "ru"),
        "camp": titled("Test лагеря", "ru"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestShortStems:
    """Russian titles with three-letter stems, and English ones that begin with the same letters."""

    @pytest.mark.parametrize(("query", "expected"), [
        # приём's stem is при: it finds приём, приема, приёмы, not "prisoners", Primorye or the preposition при.
        ("прием", {"decree", "reception", "receptions"}), ("приём", {"decree", "reception", "receptions"}),
        ("приема", {"decree", "reception", "receptions"}), ("Приёмы", {"decree", "reception", "receptions"}),
        ("прием военнопленных", {"decree", "reception"}),
        # дети's stem is дет: Дети, not "details".
        ("дети", {"children"}), ("детей", {"children"}),
    ])
    def test_a_short_russian_stem_finds_the_forms_of_its_word_only(self, client, short_stems, query, expected):
        assert found(client, query) == {short_stems[key] for key in expected}

    @pytest.mark.parametrize(("query", "expected"), [
        # Ordinary queries find what they found: a stem's other endings, the words typed in full.
        ("Чите", {"chita"}), ("читинский", {"chita", "chita region"}),
        ("Читинская", {"chita", "chita region"}), ("лагерей", {"camps", "camp", "reception", "hospital", "children"}),
        ("prisoners", {"prisoners"}), ("Primorye", {"primorye"}), ("Приморье", {"primorye"}), ("details", {"details"}),
        # A word typed as short as a stem begins words, as any typed word does.
        ("при", {"decree", "reception", "receptions", "hospital", "prisoners", "primorye"}),
    ])
    def test_a_short_stem_still_finds_what_readers_expect(self, client, short_stems, query, expected):
        assert found(client, query) == {short_stems[key] for key in expected}

    def test_chity_finds_chita(self, client, short_stems):
        # (Читы also begins "chitinskaya" as the Polivanov system reads it, chiti: a Japanese name in Cyrillic.)
        assert short_stems["chita"] in found(client, "Читы")

    @pytest.mark.parametrize("small_chunks", [False, True])
    def test_the_index_and_the_database_find_the_same_forms_of_a_short_stem(
            self, short_stems, small_chunks, monkeypatch):
        """Matches in documents and in titles (ranked first), and every facet's counts, for the short stems."""
        if small_chunks:
            read_in_small_chunks(monkeypatch)
        index = FacetIndex()
        for query in ("прием", "приём", "приема", "Читы", "читинский", "дети", "детей", "лагерей", "при", "prisoners",
                      "прием лагерях", "yolka", "your"):
            assert_same(query, index)
            assert index_counts(index_result(index, f"q={query}").counts) == sql_counts(f"q={query}"), query
        identifiers = dict(Record.objects.values_list("pk", "identifier"))
        assert {identifiers[pk] for pk in assert_same("прием", index)} == {
            short_stems["decree"], short_stems["reception"], short_stems["receptions"]}


# --- a word-initial "yo" for Ё ---------------------------------------------------------------------


@pytest.fixture(scope="class")
def yo(class_data):
    records = {
        "tree": titled("Ёлка в лагере", "ru"),
        "tree in e": titled("Новогодняя елка", "ru"),
        "hedgehog": titled("Test Ёж", "ru"),
        "yours": titled("Yours sincerely", "en"),
        "europe": titled("Letters from Europe", "en"),
        "york": titled("New York letters", "en"),
        "elk": titled("Test elk", "en"),
        "yokohama": titled("Yokohama no kiroku", "ja-Latn"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestLeadingYo:
    """Titles in Ё and in E, and English and romaji ones in yo."""

    @pytest.mark.parametrize(("query", "expected"), [
        ("yolka", {"tree", "tree in e"}), ("Yolka", {"tree", "tree in e"}), ("yozh", {"hedgehog"}),
        ("ёлка", {"tree", "tree in e"}), ("елка", {"tree", "tree in e"}),
        # English words and romaji search as they did: "your" is not "eur", "yolk" not "elk", Yokohama as typed.
        ("your", {"yours"}), ("york", {"york"}), ("yolk", set()), ("Yokohama", {"yokohama"}), ("europe", {"europe"}),
    ])
    def test_a_leading_yo_finds_the_yo_word(self, client, yo, query, expected):
        assert found(client, query) == {yo[key] for key in expected}


@pytest.mark.parametrize("word", ["your", "yours", "york", "young", "youth", "yolk", "yodel", "yogurt", "yonder",
                                  "yoke", "yoga", "yokohama"])
def test_english_and_japanese_words_in_yo_are_not_looked_for_with_e(word):
    assert not [spelling for spelling in search_alternatives(word)[0] if spelling.startswith(" e")]
