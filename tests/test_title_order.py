"""“Title A–Z” sorts by the title each page shows: its language's title where there is one, else the original."""

import pytest
from django.core.management import call_command

from collection.catalogue.writer import write_rows
from collection.facets.index import facet_index
from collection.models import LabelForm, Record, RecordTitleOrder, Title
from collection.search import refresh_search_index, title_order_language
from tests.accessibility import page_tree
from tests.factories import add_title, titled

pytestmark = pytest.mark.django_db


def order(client, language, sort="title"):
    return [r.identifier for r in client.get(f"/{language}/records/", {"sort": sort}).context["records"]]


@pytest.fixture
def mixed():
    """Originals in three scripts; some with an English translation, one with a Japanese reading."""
    japanese = titled("テスト抑留記", "ja")
    add_title(japanese, "たすとよくりゅうき", "ja-Hrkt", form=LabelForm.READING,
              derived_from=japanese.titles.get(language="ja"))
    add_title(japanese, "Test memoir of internment", "en", form=LabelForm.TRANSLATION)
    russian = titled("Японские военнопленные (тест)", "ru")
    add_title(russian, "A test of Japanese prisoners", "en", form=LabelForm.TRANSLATION)
    english = titled("Test book", "en")
    untranslated = titled("Вторая тестовая запись", "ru")
    return {"ja": japanese.identifier, "ru": russian.identifier, "en": english.identifier,
            "plain": untranslated.identifier}


def test_each_page_sorts_by_the_title_it_shows(client, mixed):
    # English titles where there are, then the Cyrillic original the page shows.
    assert order(client, "en") == [mixed["ru"], mixed["en"], mixed["ja"], mixed["plain"]]
    assert order(client, "en", "-title") == [mixed["plain"], mixed["ja"], mixed["en"], mixed["ru"]]
    # No Russian translations: the originals, the Japanese by its reading; Cyrillic first on a Russian page.
    assert order(client, "ru") == [mixed["plain"], mixed["ru"], mixed["en"], mixed["ja"]]
    # Kana and kanji first on a Japanese page, then the others as they sort (Latin before Cyrillic).
    assert order(client, "ja") == [mixed["ja"], mixed["en"], mixed["plain"], mixed["ru"]]
    assert order(client, "ru", "-title") == list(reversed(order(client, "ru")))


def test_the_shown_title_is_the_first_of_each_listed_record(client, mixed):
    page = client.get("/en/records/", {"sort": "title"})
    shown = [record.display_title("en") for record in page.context["records"]]
    assert shown == ["A test of Japanese prisoners", "Test book", "Test memoir of internment",
                     "Вторая тестовая запись"]


def test_a_title_in_cyrillic_supplement_letters_is_cyrillic_to_the_order_and_to_a_search_for_it(client, mixed):
    # Abkhaz ԥ (U+0525) is not a letter of Russian but is Cyrillic: the Russian page lists the title among the
    # Cyrillic ones, as a search for it is marked to be read in a Russian voice, not sorted as Latin while heard as
    # Cyrillic.
    title = "Ԥсҭазаара"
    abkhaz = titled(title, "ab").identifier
    assert order(client, "ru") == [mixed["plain"], mixed["ru"], abkhaz, mixed["en"], mixed["ja"]]
    searched = page_tree(client, f"/en/records/?q={title}").find_class("browse-state")[0]
    assert [(span.get("lang"), span.text) for span in searched.iter("span") if span.get("lang")] == [("ru", title)]


@pytest.mark.parametrize("letter", ["Ѐ", "ӿ", "Ԁ", "ԯ", "Ա"])
def test_every_rule_that_tells_cyrillic_draws_the_same_line(letter):
    # The first and last letters of the Cyrillic block and of its supplement, and the Armenian letter after them.
    from collection.catalogue.resolve import guess_name_language
    from collection.search import _script, sort_key
    from collection.text import script_language

    cyrillic = script_language(letter) == "ru"
    assert cyrillic == (letter != "Ա")
    assert (_script(sort_key(letter)) == "cyrillic") == cyrillic
    assert (guess_name_language(letter) == "ru") == cyrillic


def test_a_retitled_record_moves_in_every_order_without_a_rebuild(client, mixed):
    index = facet_index()
    assert order(client, "en")[0] == mixed["ru"]
    rebuilds, catch_ups = index.rebuilds, index.catch_ups
    title = Title.objects.get(record__identifier=mixed["ru"], language="en")
    title.text = "Zz test of Japanese prisoners"
    title.save()
    refresh_search_index([title.record_id])
    assert order(client, "en") == [mixed["en"], mixed["ja"], mixed["ru"], mixed["plain"]]
    assert order(client, "ru") == [mixed["plain"], mixed["ru"], mixed["en"], mixed["ja"]]
    # Placed between its neighbours in each order, not read afresh.
    assert (index.rebuilds, index.catch_ups) == (rebuilds, catch_ups + 1)


def test_a_page_language_outside_the_catalogue_sorts_by_the_original_titles(settings):
    settings.COLLECTION_LANGUAGES = ["ja", "ru", "en"]
    assert title_order_language("en-us") == "en"
    assert title_order_language("ru") == "ru"
    assert title_order_language("de") == ""
    assert title_order_language(None) == ""


def test_an_import_writes_the_title_orders_the_refresh_makes(settings):
    settings.COLLECTION_DERIVE_READINGS = False
    assert write_rows([
        (2, {"identifier": "mem-test-order-1", "kind": "memoir", "status": "published", "title_ja": "テスト手記",
             "title_ja-Hrkt": "てすとしゅき", "title_en": "Test memoir"}),
        (3, {"identifier": "doc-test-order-2", "kind": "document", "status": "draft",
             "title_ru": "Тестовый документ", "title_ru-Latn": "Testovyi dokument"}),
    ]).ok
    written = sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key"))
    memoir = Record.objects.get(identifier="mem-test-order-1").pk
    # Each key starts with 0 in its own language's script (the page's first), 1 in another.
    assert (memoir, "ja", "0てすとしゅき") in written and (memoir, "en", "0test memoir") in written
    assert len(written) == 6  # each record in each cataloguing language's order
    refresh_search_index(Record.objects.values_list("pk", flat=True))
    assert sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key")) == written


def test_rebuilding_the_search_keys_rebuilds_the_title_orders(mixed):
    RecordTitleOrder.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    assert RecordTitleOrder.objects.count() == 4 * 3
    japanese = RecordTitleOrder.objects.get(record__identifier=mixed["ja"], language="ja")
    assert japanese.title_key == "0たすとよくりゅうき"


def test_the_api_sorts_by_the_titles_it_gives(client, mixed):
    for language in ("en", "ru"):
        results = client.get("/api/records/", {"sort": "title"}, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        assert [r["identifier"] for r in results] == order(client, language)
    english = client.get("/api/records/", {"sort": "title"}, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert english[0]["title"] == "A test of Japanese prisoners"


def test_authority_pages_list_records_in_the_pages_title_order(client, mixed):
    from tests.factories import AgentFactory, link_agent

    author = AgentFactory(name="Test author", identifier="agent-test-order")
    for record in Record.objects.all():
        link_agent(record, author)
    listed = [r.identifier for r in client.get("/en/agents/agent-test-order/").context["records"]]
    assert listed == [mixed["ru"], mixed["en"], mixed["ja"], mixed["plain"]]
    listed = [r.identifier for r in client.get("/ru/agents/agent-test-order/").context["records"]]
    assert listed == [mixed["plain"], mixed["ru"], mixed["en"], mixed["ja"]]
