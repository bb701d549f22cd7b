"""Search over the seeded collection: what a reader types finds the records the seed's keys describe."""


import pytest

from tests.test_search_languages import found

pytestmark = pytest.mark.django_db


def test_a_russian_adjective_finds_the_seeded_places_whose_names_change_in_it(seeded, client):
    moscow, tokyo = found(client, "Москва"), found(client, "Токио")
    assert moscow and tokyo
    for adjective in ("московский", "Московская", "московских", "московского"):
        assert found(client, adjective) == moscow, adjective
    for adjective in ("токийский", "токийской", "токийские"):
        assert found(client, adjective) == tokyo, adjective
    # Дальний Восток России: the place's name in the genitive.
    russia = found(client, "России")
    assert russia and found(client, "российских") == found(client, "Российская") == russia


def test_romaji_words_of_the_seed_typed_as_one_find_what_they_find_apart(seeded, client):
    # The subjects ソ連における日本人捕虜 (Soren ni okeru nihonjin horyo) and 元抑留者の団体 (Moto yokuryūsha no
    # dantai), as the seed romanizes them.
    for apart, joined in (
        ("soren ni okeru", "sorenniokeru"),
        ("ni okeru nihonjin horyo", "niokerunihonjinhoryo"),
        ("yokuryusha no dantai", "yokuryushanodantai"),
        ("moto yokuryuusha no dantai", "motoyokuryuushanodantai"),
    ):
        assert found(client, apart), apart
        assert found(client, joined) == found(client, apart), joined


def test_the_search_hints_examples_each_find_records_of_the_seed(seeded, client):
    from lxml import html

    page = html.fromstring(client.get("/en/records/").content)
    examples = [span.text_content() for span in page.xpath("//*[@id='search-hint']//span[@lang]")]
    assert len(examples) == 4, examples
    for example in examples:
        assert found(client, example), example
