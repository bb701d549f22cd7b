"""Words of one language that another language's respellings must not turn into words of every record."""

import pytest

from tests.factories import titled
from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


@pytest.fixture
def numerals():
    records = {
        "war": titled("Test prisoners of World War II", "en"),
        "interview": titled("Test interview with internees", "en"),
        "good": titled("Ii tenki", "ja-Latn"),
        "order": titled("Test Order of Ōō", "ja-Latn"),
    }
    return {key: record.identifier for key, record in records.items()}


@pytest.mark.parametrize(("query", "expected"), [
    # "ii" could be romaji (いい, held as "i"), but a lone letter left by merging its vowels is a whole word:
    # it does not begin every word in i.
    ("II", {"war", "good"}), ("war II", {"war"}), ("ii tenki", {"good"}), ("oo", {"order"}),
    # A lone letter typed still begins words (an initial).
    ("i", {"war", "interview", "good"}),
])
def test_a_roman_numeral_or_long_vowel_is_not_a_lone_letter(client, numerals, query, expected):
    assert found(client, query) == {numerals[key] for key in expected}
