"""Search across scripts, romanizations, widths and cases."""

import unicodedata

import pytest

from collection.models import Description, LabelForm, Record, Status
from collection.search import bigrams, fold, refresh_search_index, search_condition
from tests.factories import AgentFactory, PlaceFactory, add_title, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


def found(client, query: str, language: str = "en") -> set[str]:
    response = client.get(f"/{language}/records/", {"q": query, "page_size": 100})
    assert response.status_code == 200
    return {record.identifier for record in response.context["records"]}


def test_fold_merges_long_vowels_widths_and_cases():
    assert fold("Jikkō") == fold("jikko") == fold("JIKKŌ") == "jikko"
    # Long vowels as romanized Japanese writes them are merged in ja-Latn texts only.
    assert fold("jikkou", "ja-Latn") == fold("Jikkoo", "ja-Latn") == fold("Jikkô", "ja-Latn") == "jikko"
    assert fold("Soothe book hour") == "soothe book hour"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("ｶﾀｶﾅ") == fold("カタカナ") == fold("かたかな")
    assert fold("Кузнецов") == fold("Kuznetsov") == fold("КУЗНЕЦОВ")
    assert fold("Kuznet͡sov") == fold("Kuznetsov")  # ALA-LC tie bar
    assert fold("ガギグ") == "がぎぐ"  # voiced kana keep their voicing


def test_bigrams_of_kana_and_kanji_runs():
    assert bigrams(fold("シベリア抑留記")) == ["しべ", "べり", "りあ", "あ抑", "抑留", "留記"]
    assert bigrams("abc def") == []


def test_romanization_and_kanji_find_the_same_memoir(client):
    memoir = titled("Test memoir of a camp", kind="memoir")
    author = AgentFactory(name="試験一郎", name__language="ja")
    author.names.create(language="ja-Latn", text="Shiken Ichirō", form=LabelForm.ROMANIZATION)
    link_agent(memoir, author)
    reindex(memoir)
    titled("Unrelated test record")
    assert found(client, "Shiken") == {memoir.identifier}
    assert found(client, "試験") == {memoir.identifier}
    assert found(client, "ichiro") == found(client, "Ichirou") == {memoir.identifier}


def test_cyrillic_and_latin_spellings_meet_both_ways(client):
    record = titled("Test document")
    agent = AgentFactory(name="Кузнецов", name__language="ru")
    link_agent(record, agent)
    reindex(record)
    other = titled("Test report by Kuznetsov")
    assert found(client, "Kuznetsov") == {record.identifier, other.identifier}
    assert found(client, "Кузнецов") == {record.identifier, other.identifier}
    assert found(client, "кузнецов") == found(client, "КУЗНЕЦОВ")


@pytest.mark.parametrize("query", ["Tajšet", "TAJŠET", "Taĭshet", "Tayshet", "Тайшет"])
def test_scholarly_and_library_transliterations_of_russian_find_the_cyrillic(client, query):
    record = titled("Письма из Тайшета", "ru")
    camp = titled("Test camp diary")
    camp.places.add(PlaceFactory(name="Тайшет", name__language="ru"))
    reindex(camp)
    titled("Test unrelated record")
    assert found(client, query) == {record.identifier, camp.identifier}
    assert set(Record.objects.filter(search_condition(query)).values_list("identifier", flat=True)) == {
        record.identifier, camp.identifier}


@pytest.mark.parametrize(("query", "title"), [("Čita", "Чита"), ("Jakutsk", "Якутск"), ("Krasnojarsk", "Красноярск"),
                                              ("Ščučʹe", "Щучье"), ("Zavitinsk", "Завитинск")])
def test_scholarly_letters_are_read_as_the_russian_letters_they_stand_for(client, query, title):
    record = titled(f"Test {title}", "ru")
    assert found(client, query) == {record.identifier}


def test_library_romanizations_without_their_ties_find_the_russian(client):
    record = titled("Test Якутск", "ru")
    author = AgentFactory(name="Testenko, E. Yu.", name__language="ru-Latn")
    link_agent(record, author)
    reindex(record)
    assert found(client, "Iakutsk") == found(client, "Testenko E. Iu.") == {record.identifier}


def test_a_respelling_never_loses_what_the_word_as_typed_finds(client):
    czech = titled("Test Jakub Čapek", "cs")
    assert found(client, "Čapek") == {czech.identifier}
    assert found(client, "Jakub") == {czech.identifier}


@pytest.mark.parametrize(("query", "title"), [
    ("лагерях", "Письма из лагеря"), ("лагерь", "Жизнь в лагерях"), ("военнопленные", "Судьбы военнопленных"),
    ("японцев", "Японцы в Сибири"), ("Читы", "Test Чита"), ("Сибири", "Test Сибирь"),
])
def test_a_russian_word_finds_the_other_cases_and_numbers_of_it(client, query, title):
    record = titled(title, "ru")
    titled("Test unrelated record", "ru")
    assert found(client, query) == {record.identifier}
    assert found(client, query, "ru") == {record.identifier}
    assert set(Record.objects.filter(search_condition(query)).values_list("identifier", flat=True)) == {
        record.identifier}


def test_a_short_russian_stem_must_begin_a_word(client):
    chita = titled("Test Чита", "ru")
    titled("Test Учитель", "ru")  # holds "чит" inside a word
    assert found(client, "Читы") == {chita.identifier}


@pytest.mark.parametrize(("query", "title"), [
    ("camps", "A camp diary"), ("memories", "Memory of Siberia"), ("marches", "The march"),
    ("prisoners", "Test prisoner letters"),
])
def test_an_english_plural_finds_the_singular(client, query, title):
    record = titled(title, "en")
    titled("Test unrelated record", "en")
    assert found(client, query) == {record.identifier}


def test_a_word_that_only_looks_plural_keeps_its_meaning(client):
    status = titled("Test status of internees", "en")
    statue = titled("Test statue", "en")
    assert found(client, "status") == {status.identifier}
    assert statue.identifier not in found(client, "status")


def test_one_letter_russian_prepositions_and_the_english_article_need_not_be_held(client):
    record = titled("Интернированные японцы, Токио", "ru")
    diary = titled("History of the camps", "en")
    assert found(client, "интернированные в Токио") == {record.identifier}
    assert found(client, "a history") == {diary.identifier}
    assert found(client, "Кузнецов И.") == found(client, "Кузнецов")  # an initial is not a preposition


@pytest.mark.parametrize(("query", "held", "not_held"), [
    ("Sato", "Satō Ichirō", "Test Isatori"), ("сон", "Сон в лагере", "Test prisoners"), ("men", "Men of the camp",
                                                                                     "Test documents"),
])
def test_a_word_in_latin_or_cyrillic_letters_must_begin_a_word(client, query, held, not_held):
    record = titled(held)
    titled(not_held)
    assert found(client, query) == {record.identifier}


def test_a_short_english_plural_finds_the_singular(client):
    record = titled("Japanese POW in Siberia", "en")
    assert found(client, "POWs") == found(client, "wars POW") | {record.identifier} == {record.identifier}


@pytest.mark.parametrize(("query", "title"), [("Voyennoplennye", "Военнопленные тестового лагеря"),
                                              ("Voennoplennye", "Военнопленные тестового лагеря"),
                                              ("voennoplennyh", "Судьбы военнопленных")])
def test_other_transliterations_of_russian_find_the_cyrillic(client, query, title):
    record = titled(title, "ru")
    assert found(client, query) == {record.identifier}


@pytest.mark.parametrize(("query", "name"), [("Pyotr", "Пётр Тестов"), ("Fyodorov", "Фёдоров, Тест"),
                                             ("Semyonov", "Семёнов, Тест"), ("Solovyov", "Соловьёв, Тест")])
def test_yo_for_the_russian_yo_finds_the_cyrillic(client, query, name):
    record = titled("Test document")
    link_agent(record, AgentFactory(name=name, name__language="ru"))
    reindex(record)
    titled("Test report on Peter, Fedora and Semen")
    assert found(client, query) == {record.identifier}


def test_yo_of_romaji_is_not_taken_for_the_russian_yo(client):
    japanese = titled("Horyo no tegami", "ja-Latn")
    titled("Доклад Хоре", "ru")
    assert found(client, "horyo") == {japanese.identifier}


def test_c_for_ts_and_h_for_kh_find_the_cyrillic(client):
    record = titled("Компенсации и архив", "ru")
    assert found(client, "kompensacii") == found(client, "arhiv") == {record.identifier}


@pytest.mark.parametrize(("query", "title"), [("Sovetsky", "Советский район"), ("Dalny", "Дальний Восток"),
                                              ("Vostochny", "Восточный лагерь"), ("Bolshoy", "Большой лагерь")])
def test_an_adjective_spelled_as_english_texts_spell_it_finds_the_cyrillic(client, query, title):
    """-ий and -ый as a lone -y (Sovetsky, Dalny, Vostochny), as newspapers and maps write them."""
    record = titled(f"Test {title}", "ru")
    titled("Test history of the army", "en")
    assert found(client, query) == {record.identifier}


@pytest.mark.parametrize("query", ["СССР", "USSR", "ソ連", "U.S.S.R."])
def test_the_names_of_the_soviet_union_in_each_language_find_each_other(client, query):
    russian = titled("Тестовые военнопленные в СССР", "ru")
    english = titled("Test prisoners in the USSR", "en")
    japanese = titled("テストソ連抑留記", "ja")
    titled("Test prisoners in Mongolia", "en")
    assert found(client, query) == {russian.identifier, english.identifier, japanese.identifier}


@pytest.mark.parametrize("query", ["Nippon", "Nihon"])
def test_both_readings_of_japan_find_its_romanized_name(client, query):
    """日本 is romanized Nihon (ALA-LC) but Nippon in Dai Nippon and in many English texts."""
    nihon = titled("Nihon no horyo", "ja-Latn")
    nippon = titled("Test history of the Nippon Times", "en")
    titled("Test history of the camps", "en")
    assert found(client, query) == {nihon.identifier, nippon.identifier}


def test_a_site_names_its_own_words_that_name_one_thing(client, settings):
    settings.COLLECTION_SEARCH_SYNONYMS = [["лагерь", "camp", "ラーゲリ"]]
    russian = titled("Тестовый лагерь", "ru")
    english = titled("Test camp", "en")
    japanese = titled("テストのラーゲリ", "ja")
    titled("Test prison", "en")
    everywhere = {russian.identifier, english.identifier, japanese.identifier}
    assert found(client, "лагерь") == found(client, "camp") == found(client, "ラーゲリ") == everywhere
    # The default's names are no longer the same word.
    ussr = titled("Test prisoners in the USSR", "en")
    assert found(client, "СССР") == set() and found(client, "USSR") == {ussr.identifier}


@pytest.mark.parametrize("query", ["Тестенко Е. Ю.", "Тестенко Е.Ю.", "Testenko E.Ju.", "Testenko E. Yu."])
def test_russian_initials_find_a_name_written_in_latin_letters(client, query):
    record = titled("Test collection of documents")
    link_agent(record, AgentFactory(name="Testenko, E. Yu.", name__language="ru-Latn"))
    reindex(record)
    assert found(client, query) == {record.identifier}


def test_manchuria_is_found_in_either_spelling(client):
    record = titled("満洲からシベリヤへ", "ja")
    assert found(client, "満州") == found(client, "満洲") == {record.identifier}


@pytest.mark.parametrize("query", ["ソ連捕虜", "ソ連の日本人捕虜", "日本人捕虜"])
def test_japanese_typed_without_spaces_is_cut_into_its_words(client, query):
    pytest.importorskip("fugashi")
    record = titled("ソ連における日本人捕虜の記録", "ja")
    titled("日本の記録", "ja")
    assert found(client, query) == {record.identifier}


@pytest.mark.parametrize(("query", "name"), [("Тэсуто Тосимаса", "Tesuto Toshimasa"), ("Итиро", "Tesuto Ichirō"),
                                             ("Синдзи", "Shinji"), ("Ёсида", "Yoshida Tesuo")])
def test_a_japanese_name_in_russian_spelling_finds_its_hepburn_romanization(client, query, name):
    record = titled("Test memoir")
    link_agent(record, AgentFactory(name=name, name__language="ja-Latn"))
    reindex(record)
    titled("Test unrelated memoir")
    assert found(client, query) == {record.identifier}


def test_a_russian_place_name_finds_it_as_english_texts_spell_it(client):
    record = titled("Letters from Taishet", "en")
    assert found(client, "Тайшет") == found(client, "Тайшете") == {record.identifier}


def test_two_character_japanese_words_anywhere_in_a_title(client):
    camp = titled("テスト用シベリア抑留記録", "ja")
    letter = titled("テストの遺書と手紙", "ja")
    titled("テスト以外", "ja")
    assert found(client, "抑留") == {camp.identifier}
    assert found(client, "遺書") == {letter.identifier}
    assert found(client, "シベリア") == {camp.identifier}
    assert found(client, "しべりあ") == {camp.identifier}  # hiragana finds katakana


def test_full_width_and_half_width_forms_match(client):
    record = titled("ＴＥＳＴ Ｒｅｃｏｒｄ ２０２４")
    kana = titled("ﾃｽﾄ資料", "ja")
    assert found(client, "test record 2024") == {record.identifier}
    assert found(client, "テスト") == {kana.identifier}


def test_case_never_matters_for_cyrillic(client):
    record = titled("Тестовые Воспоминания", "ru")
    assert found(client, "тестовые воспоминания", "ru") == {record.identifier}
    assert found(client, "ТЕСТОВЫЕ", "ru") == {record.identifier}


def test_isbn_matches_in_any_of_its_forms(client):
    record = titled("Test book with an ISBN", isbn="978-0-00-000000-2")
    titled("Test book without one")
    for form in ("9780000000002", "978-0-00-000000-2", "0-00-000000-0", "0000000000", "ISBN 978 0 00 000000 2",
                 "９７８０００００００００２"):
        assert found(client, form) == {record.identifier}, form


def test_descriptions_readings_and_place_names_are_searched(client):
    record = titled("Test title", "ja")
    add_title(record, "てすとのよみ", "ja-Hrkt", form=LabelForm.READING)
    Description.objects.create(record=record, language="en", text="A test description about forestry work")
    place = PlaceFactory(name="Тайшет", name__language="ru")
    record.places.add(place)
    reindex(record)
    assert found(client, "forestry") == {record.identifier}
    assert found(client, "テストノヨミ") == {record.identifier}
    assert found(client, "Tayshet") == {record.identifier}


def test_every_word_must_match():
    record = titled("Test alpha beta")
    titled("Test alpha")
    from collection.models import Record

    assert set(Record.objects.filter(search_condition("alpha beta")).values_list("pk", flat=True)) == {record.pk}
    assert search_condition("   ") is None


def test_unpublished_records_are_never_found(client):
    for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        titled(f"Test secret {status}", status=status)
    assert found(client, "secret") == set()


def test_refresh_search_index_uses_a_fixed_number_of_queries(django_assert_max_num_queries):
    records = [titled(f"Test batch {i}") for i in range(3)]
    with django_assert_max_num_queries(14) as small:
        refresh_search_index([r.pk for r in records])
    more = records + [titled(f"Test batch more {i}") for i in range(12)]
    with django_assert_max_num_queries(len(small.captured_queries)):
        refresh_search_index([r.pk for r in more])


def test_title_sort_uses_the_japanese_reading(client):
    later = titled("亜", "ja")  # read "a"... but given a reading that sorts later
    add_title(later, "んん", "ja-Hrkt", form=LabelForm.READING, derived_from=later.titles.first())
    first = titled("字", "ja")
    add_title(first, "あい", "ja-Hrkt", form=LabelForm.READING, derived_from=first.titles.first())
    response = client.get("/ja/records/", {"sort": "title"})
    identifiers = [r.identifier for r in response.context["records"]]
    assert identifiers.index(first.identifier) < identifiers.index(later.identifier)


@pytest.mark.postgres
def test_postgres_answers_two_character_and_latin_queries_from_indexes():
    from django.db import connection

    from collection.models import RecordSearch

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL indexes")
    titled("テスト抑留記", "ja")
    titled("Test kuznetsov")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for query, index in (("抑留", "collection_recordsearch_bigrams_gin"),
                             ("kuznetsov", "collection_recordsearch_document_trgm")):
            qs = RecordSearch.objects.filter(search_condition(query, prefix=""))
            assert qs.count() == 1
            assert index in qs.explain(), query
        cursor.execute("RESET enable_seqscan")


def test_folding_is_the_same_for_characters_met_after_the_table_is_full():
    from collection import search

    search._FOLD_TABLE.clear()  # filled by this test alone, past its bound
    rare = "".join(chr(code) for code in range(0x20000, 0x20000 + 70_000, 1))  # CJK extensions B–F
    normal = unicodedata.normalize("NFKC", rare).casefold()
    expected = " ".join(search._WORD.findall("".join(search._fold_char(c) for c in normal)))
    assert search.fold(rare) == search.fold(rare) == expected
    assert len(search._FOLD_TABLE) <= 65536
    assert search.fold("Кузнецов Jikkō ＡＢＣ ｶﾀｶﾅ") == "kuznetsov jikko abc かたかな"
    assert ord("к") not in search._FOLD_TABLE  # folded past the bound, not kept


def test_variant_and_traditional_kanji_meet_their_common_forms(client):
    name = titled("髙橋一郎の遺書", "ja")
    camp = titled("收容所の記録", "ja")
    titled("Unrelated test record")
    assert fold("髙橋") == fold("高橋") and fold("澤") == fold("沢") and fold("嶋田") == fold("島田")
    assert found(client, "高橋") == {name.identifier}
    assert found(client, "髙橋") == {name.identifier}
    assert found(client, "収容所") == {camp.identifier}
    # The admin's search uses the same keys.
    from collection.models import Record

    assert set(Record.objects.filter(search_condition("高橋")).values_list("identifier", flat=True)) == {
        name.identifier}


def test_the_words_left_out_of_a_long_search_are_counted_as_the_search_counts_them():
    from collection.search import words_not_searched

    assert words_not_searched(" ".join(["лагерь"] * 12) + " в") == 0  # a preposition is no word searched
    assert words_not_searched("camp " * 13) == 1
    pytest.importorskip("fugashi")
    assert words_not_searched("ソ連捕虜 " * 7) == 2  # each cut into ソ連 and 捕虜


def test_the_dictionary_that_cuts_japanese_queries_is_loaded_once_not_per_request_thread():
    import threading

    from collection import search

    pytest.importorskip("fugashi")
    search._japanese_tagger.cache_clear()
    results = []
    threads = [threading.Thread(target=lambda: results.append(search.search_alternatives("ソ連捕虜")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[("そ連", " sssr", " ussr"), ("捕虜",)]] * 4  # ソ連 with its names elsewhere (SEARCH_SYNONYMS)
    assert search._japanese_tagger.cache_info().misses == 1  # a tagger takes a fifth of a second to load
