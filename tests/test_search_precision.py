"""Words of one language that another language's respellings must not turn into words of every record."""

import pytest

from tests.factories import titled
from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def numerals(class_data):
    records = {
        "war": titled("Test prisoners of World War II", "en"),
        "interview": titled("Test interview with internees", "en"),
        "good": titled("Ii tenki", "ja-Latn"),
        "order": titled("Test Order of Ōō", "ja-Latn"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestNumeralsAndLongVowels:
    """Titles with Roman numerals, and romaji with long vowels written twice."""

    @pytest.mark.parametrize(("query", "expected"), [
        # "ii" could be romaji (いい, held as "i"), but a lone letter left by merging its vowels is a whole word:
        # it does not begin every word in i.
        ("II", {"war", "good"}), ("war II", {"war"}), ("ii tenki", {"good"}), ("oo", {"order"}),
        # A lone letter typed still begins words (an initial).
        ("i", {"war", "interview", "good"}),
    ])
    def test_a_roman_numeral_or_long_vowel_is_not_a_lone_letter(self, client, numerals, query, expected):
        assert found(client, query) == {numerals[key] for key in expected}


@pytest.fixture(scope="class")
def ye(class_data):
    records = {
        "early": titled("Test early letters", "en"),
        "enkai": titled("Enkai chiho no kiroku", "ja-Latn"),
        "yen": titled("Test yen and roubles", "en"),
        "year": titled("Test year of return", "en"),
        "yelena": titled("Test Елена", "ru"),
        "yeltsin": titled("Test Ельцин", "ru"),
        "ekaterinburg": titled("Test Екатеринбург", "ru"),
        "yenisei": titled("Test Енисей", "ru"),
        "yezhov": titled("Test Ежов", "ru"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestLeadingYe:
    """English words in ye, and Russian ones in е and Е."""

    @pytest.mark.parametrize(("query", "expected"), [
        # An English word in ye is no Russian one written "ye" for е: "year" is not "ear", "yen" not enkai (沿海).
        ("year", {"year"}), ("yen", {"yen"}),
        # Russian names written so find the Cyrillic.
        ("Yelena", {"yelena"}), ("Yeltsin", {"yeltsin"}), ("Yekaterinburg", {"ekaterinburg"}), ("Yenisey", {"yenisei"}),
        ("Yezhov", {"yezhov"}),
    ])
    def test_a_leading_ye_is_read_as_russian_only_in_a_russian_word(self, client, ye, query, expected):
        assert found(client, query) == {ye[key] for key in expected}

