"""Searching the seeded collection as researchers type: operators of other search engines, plurals."""

import pytest

from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


def _notice(response) -> str:
    body = response.content.decode()
    return body.split('class="errors"')[1].split("</div>")[0] if 'class="errors"' in body else ""


def test_and_or_not_in_capitals_are_not_words_the_records_must_hold(seeded, client):
    # Two seeded records name both Japanese and Russian (the historiography and Bondarenko's book); "or" and
    # "and" as words would ask for records holding them too.
    both = found(client, "Japanese Russian")
    assert both and found(client, "Japanese AND Russian") == both
    assert found(client, "Japanese OR Russian") == both
    assert found(client, "NOT Russian") == found(client, "Russian")
    # In lower case they are words as any other, and a query of nothing else is searched for.
    assert found(client, "Japanese and Russian") != both
    assert found(client, "OR") == found(client, "or")


@pytest.mark.parametrize("query", ["Japanese -Russian", "Japanese OR Russian", "NOT Russian", "Kasatonova|Piper",
                                   '"Japanese POW"', "«Японские военнопленные»"])
def test_a_search_with_operators_says_they_are_not_understood_and_what_was_searched(seeded, client, query):
    response = client.get("/en/records/", {"q": query})
    assert response.status_code == 200
    assert "Search operators (OR, NOT, a minus, quotation marks) are not understood" in _notice(response)
    assert client.get("/api/records/", {"q": query}).json()["errors"]["q"][0].startswith("Search operators")
    assert "検索演算子" in _notice(client.get("/ja/records/", {"q": query}))
    assert "Операторы поиска" in _notice(client.get("/ru/records/", {"q": query}))


@pytest.mark.parametrize("query", ["Japanese Russian", "1945-1949", "Soviet - Japanese", "P.O.W.", "Gulag: A History",
                                   "Japan's", "and", "Kasatonova, E. L.", '"Gulag"', "«Гулаг»", "Primor'e"])
def test_a_search_without_operators_has_no_such_notice(seeded, client, query):
    assert _notice(client.get("/en/records/", {"q": query})) == ""


def test_the_notice_names_what_was_searched(seeded, client):
    notice = _notice(client.get("/en/records/", {"q": "Japanese -Russian"}))
    assert "the records found hold every word of “Japanese Russian”" in notice


def test_an_english_plural_finds_its_singular_as_a_word_not_as_the_start_of_others(client):
    from tests.factories import titled

    pow_ = titled("Test: a Japanese POW in Siberia", "en")
    powers = titled("Test: the Great Powers and Japan", "en")
    camp = titled("Test: a camp diary", "en")
    campaign = titled("Test: the campaign for compensation", "en")
    labour = titled("Test: labor in the coal mines", "en")
    laboratory = titled("Test: a laboratory in Khabarovsk", "en")
    assert found(client, "POWs") == found(client, "pows") == {pow_.identifier}
    assert found(client, "camps") == {camp.identifier}
    assert found(client, "labours") == {labour.identifier}
    # The word as typed still begins others, as every word does.
    assert found(client, "pow") == {pow_.identifier, powers.identifier}
    assert found(client, "camp") == {camp.identifier, campaign.identifier}
    assert laboratory.identifier in found(client, "labo")


def test_an_english_possessive_finds_its_word(seeded, client):
    # The seed has "Japan's Blossoms Soothe a P.O.W." and Piper's "Struggle for Compensation in Japan".
    japan = found(client, "Japan's")
    assert {"doc-nyt-1998-04-12", "doc-piper-2001"} <= japan
    assert found(client, "Japan’s") == found(client, "Japans") == japan
    assert found(client, "Japanese POW's") == found(client, "Japanese POWs") == found(client, "Japanese POW")
