"""Search that follows each language's own rules: long vowels merged in romaji only, Russian word forms."""

import pytest

from collection.catalogue.writer import write_rows
from collection.models import Description, LabelForm, PlaceName, Record, RecordSearch, SubjectLabel
from collection.search import refresh_search_index, search_alternatives, search_condition
from tests.catalogue_rows import memoir, numbered
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, add_title, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


def found(client, query: str) -> set[str]:
    """What the browse page lists (matched in the facet index), checked against the database search."""
    response = client.get("/en/records/", {"q": query, "page_size": 100})
    assert response.status_code == 200
    listed = {record.identifier for record in response.context["records"]}
    truth = set(Record.objects.published().filter(search_condition(query)).values_list("identifier", flat=True))
    assert listed == truth, query
    return listed


# --- long vowels are merged in romanized Japanese, not in English or Russian ----------------------


@pytest.fixture(scope="class")
def vowels(class_data):
    records = {
        "soothe": titled("Test soothe the wounded", "en"),
        "book": titled("Test book of letters", "en"),
        "moon": titled("Test moon over the camp", "en"),
        "cooperation": titled("Кооперация в лагере", "ru"),
        "horyo": titled("Horyo no kiroku", "ja-Latn"),
        "bokujo": titled("Bokujō no seikatsu", "ja-Latn"),
        "yokuryusha": titled("Yokuryūsha no shuki", "ja-Latn"),
        "tokyo": titled("Tôkyô e no michi", "ja-Latn"),
        "ooka": titled("Test memoir"),
    }
    author = AgentFactory(name="大岡テス太郎", name__language="ja")
    author.names.create(language="ja-Latn", text="Ōoka Tesutarō", form=LabelForm.ROMANIZATION)
    link_agent(records["ooka"], author)
    reindex(records["ooka"])
    return {key: record.identifier for key, record in records.items()}


class TestLongVowels:
    """Records whose titles and names are written with and without their long vowels."""

    @pytest.mark.parametrize(("query", "expected"), [
        ("south", set()), ("hour", set()), ("book", {"book"}), ("bok", {"bokujo"}), ("soothe", {"soothe"}),
        ("sothe", set()), ("moon", {"moon"}), ("mon", set()), ("кооперация", {"cooperation"}),
        ("koperatsiya", set()),
    ])
    def test_english_and_russian_keep_their_doubled_vowels(self, client, vowels, query, expected):
        assert found(client, query) == {vowels[key] for key in expected}

    @pytest.mark.parametrize(("query", "key"), [
        ("yokuryuusha", "yokuryusha"), ("yokuryusha", "yokuryusha"), ("Yokuryūsha", "yokuryusha"),
        ("YOKURYÛSHA", "yokuryusha"), ("toukyou", "tokyo"), ("tookyoo", "tokyo"), ("Tōkyō", "tokyo"),
        ("tokyo", "tokyo"), ("Ooka Tesutarou", "ooka"), ("Ōoka", "ooka"), ("oka tesutaro", "ooka"),
        ("bokujou", "bokujo"), ("horyo", "horyo"),
    ])
    def test_romaji_long_vowels_meet_however_they_are_written(self, client, vowels, query, key):
        assert found(client, query) == {vowels[key]}

    def test_a_romanized_japanese_key_is_held_merged_and_an_english_one_as_written(self, vowels):
        documents = dict(RecordSearch.objects.values_list("record__identifier", "document"))
        assert " yokuryusha no shuki " in documents[vowels["yokuryusha"]]
        assert " oka tesutaro " in documents[vowels["ooka"]]
        assert " test book of letters " in documents[vowels["book"]]
        assert " kooperatsiya v lagere " in documents[vowels["cooperation"]]

    def test_a_title_matched_in_romaji_ranks_first(self, client, vowels):
        other = titled("Test report")
        add_title(other, "Test yokuryusha", "en", form=LabelForm.TRANSLATION)
        reindex(other)
        assert found(client, "yokuryuusha") == {vowels["yokuryusha"], other.identifier}


def test_british_and_american_spellings_meet_now_that_ou_is_no_longer_o_in_english(client):
    british = titled("Test POW labour in the harbour", "en")
    american = titled("Test labor camps", "en")
    titled("Test flour and floor", "en")
    assert found(client, "labour") == found(client, "labor") == found(client, "labours") == {
        british.identifier, american.identifier}
    assert found(client, "harbor") == {british.identifier}
    assert found(client, "flor") == set()


def test_only_a_word_that_could_be_romaji_is_also_looked_for_with_merged_vowels():
    assert search_alternatives("yokuryuusha") == [(" yokuryuusha", " yokuryusha")]
    assert search_alternatives("book") == [(" book",)]
    assert " soth" not in search_alternatives("south")[0]


def test_descriptions_and_place_and_subject_names_are_merged_by_their_own_language(client):
    record = titled("Test record")
    Description.objects.create(record=record, language="ja-Latn", text="Shuuyoujo no seikatsu")
    Description.objects.create(record=record, language="en", text="A good look at the camp")
    place = PlaceFactory(name="Test Ooita", name__language="en")
    PlaceName.objects.create(place=place, language="ja-Latn", text="Ōita", form=LabelForm.ROMANIZATION)
    record.places.add(place)
    labour = SubjectFactory(label="Test forced labour")
    SubjectLabel.objects.create(subject=labour, language="ja-Latn", text="Kyousei roudou")
    record.subjects.add(labour)
    reindex(record)
    assert found(client, "shuyojo") == found(client, "Shūyōjo") == {record.identifier}
    assert found(client, "kyosei rodo") == found(client, "Kyōsei rōdō") == {record.identifier}
    assert found(client, "oita") == found(client, "ooita") == {record.identifier}
    assert found(client, "good look") == {record.identifier}
    assert found(client, "god lok") == set()


def test_an_import_merges_long_vowels_by_each_text_s_language_as_the_refresh_does(client, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    place = PlaceFactory(identifier="place-test-oita", name="Test Oita")
    PlaceName.objects.create(place=place, language="ja-Latn", text="Ooita", form=LabelForm.ROMANIZATION)
    AgentFactory(identifier="agent-test-ooka", name="Ōoka Tesutarō", name__language="ja-Latn")
    assert write_rows(numbered(memoir("mem-test-vowels", **{
        "status": "published", "title_ja-Latn": "Tesuto jikkou no kiroku", "title_en": "Test moon book",
        "description_en": "Good food", "authors": "agent-test-ooka", "places": "place-test-oita",
    }))).ok
    written = sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams", "title_key"))
    document = written[0][1]
    for held in (" tesuto jikko no kiroku ", " test moon book ", " good food ", " oka tesutaro ", " oita "):
        assert held in document, held
    refresh_search_index(Record.objects.values_list("pk", flat=True))
    assert sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams",
                                                   "title_key")) == written
    assert found(client, "jikkou moon") == {"mem-test-vowels"}


# --- Russian nouns whose last vowel comes and goes ------------------------------------------------


@pytest.fixture(scope="class")
def fleeting(class_data):
    records = {
        "japanese": titled("Японцы в Сибири", "ru"),
        "one japanese": titled("Японец в лагере", "ru"),
        "letter": titled("Письмо японца домой", "ru"),
        "father": titled("Мой отец в плену", "ru"),
        "to father": titled("Письма отцу", "ru"),
        "fighter": titled("Последний боец", "ru"),
        "town": titled("Военный городок", "ru"),
        "ration": titled("Хлебный паёк", "ru"),
        "smith": titled("Кузнецк и Кузнецов", "ru"),
        "fatherland": titled("Отечество и конституция", "ru"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestFleetingVowels:
    """Russian titles with nouns whose last vowel comes and goes."""

    @pytest.mark.parametrize(("query", "expected"), [
        ("японец", {"japanese", "one japanese", "letter"}), ("японцы", {"japanese", "one japanese", "letter"}),
        ("японца", {"japanese", "one japanese", "letter"}), ("японцев", {"japanese", "one japanese", "letter"}),
        ("отец", {"father", "to father"}), ("отца", {"father", "to father"}), ("отцы", {"father", "to father"}),
        ("бойцы", {"fighter"}), ("городка", {"town"}), ("пайка", {"ration"}), ("пайков", {"ration"}),
        # A stem that keeps its vowel finds its own words only; none finds a word it merely starts like.
        ("кузнец", {"smith"}), ("конец", set()), ("отечество", {"fatherland"}),
    ])
    def test_a_russian_noun_finds_its_forms_with_and_without_its_fleeting_vowel(
            self, client, fleeting, query, expected):
        assert found(client, query) == {fleeting[key] for key in expected}


def test_the_fleeting_vowel_is_looked_for_in_both_directions():
    from collection.search import _fleeting_vowel

    assert _fleeting_vowel("японец", "японец") == "японц" and _fleeting_vowel("японцы", "японц") == "японец"
    assert _fleeting_vowel("бойцы", "бойц") == "боец" and _fleeting_vowel("боец", "боец") == "бойц"
    assert _fleeting_vowel("городка", "городк") == "городок" and _fleeting_vowel("лагерь", "лагер") == "лагер"


# --- an adjective made from a place name finds the place ---------------------------------------


@pytest.fixture(scope="class")
def adjectives(class_data):
    camp = titled("Test camp register")
    camp.places.add(PlaceFactory(name="Тайшет", name__language="ru"))
    reindex(camp)
    records = {
        "camp": camp,
        "camps": titled("Лагерь в Тайшете", "ru"),
        "letters": titled("Letters from Taishet", "en"),
        "khabarovsk": titled("Письма из Хабаровска", "ru"),
        "chita": titled("Test Чита", "ru"),
        "irkutsk": titled("Test Иркутск", "ru"),
        "siberia": titled("Test Сибирь", "ru"),
        "ural": titled("Test Урал", "ru"),
        "ruslan": titled("Руслан и Людмила", "ru"),
        "details": titled("Test details", "en"),
        "women": titled("Жены военнопленных", "ru"),
        "moscow": titled("Test Москва", "ru"),
        "volga": titled("Test Волга", "ru"),
        "tokyo": titled("Test Токио", "ru"),
        "servant": titled("Test сервант", "ru"),
        "first": titled("Test первый", "ru"),
        "russia": titled("Дальний Восток России", "ru"),
        "individual": titled("Test individual", "en"),
    }
    return {key: record.identifier for key, record in records.items()}


class TestPlaceAdjectives:
    """Records of places, and titles an adjective could be mistaken for."""

    @pytest.mark.parametrize(("query", "expected"), [
        ("тайшетские лагеря", {"camps"}), ("тайшетских", {"camp", "camps", "letters"}),
        ("Тайшетский", {"camp", "camps", "letters"}), ("хабаровский", {"khabarovsk"}),
        ("хабаровского края", set()), ("читинский", {"chita"}), ("читинской", {"chita"}),
        ("иркутский", {"irkutsk"}), ("сибирских", {"siberia"}), ("уральские", {"ural"}),
        # Common adjectives leave no place name: русские is not Руслан, детские not "details", женские not жены.
        ("русские", set()), ("детские", set()), ("женские", set()),
    ])
    def test_a_russian_adjective_of_a_place_finds_the_place(self, client, adjectives, query, expected):
        assert found(client, query) == {adjectives[key] for key in expected}

    @pytest.mark.parametrize(("query", "expected"), [
        # The name's last letters change in its adjective: Москва московский, Волга волжский, Токио токийский.
        ("московский", {"moscow"}), ("Московская", {"moscow"}),
        ("московских", {"moscow"}), ("волжские", {"volga"}), ("токийской", {"tokyo"}),
        # Россия in any case: России is "rossii" in the key, Россия "rossiya".
        ("российских", {"russia"}), ("Российская", {"russia"}), ("индийский", set()),
        # An adjective of a name in -ово leaves too short a start (перовский is not первый, серовский not сервант),
        # and one that merely ends so finds no name (хабаровский is still Хабаровск alone).
        ("перовский", set()), ("серовский", set()), ("хабаровский", {"khabarovsk"}),
    ])
    def test_a_russian_adjective_finds_a_place_whose_name_changes_in_it(self, client, adjectives, query, expected):
        assert found(client, query) == {adjectives[key] for key in expected}


# --- romaji typed as one word for two ------------------------------------------------------------


@pytest.fixture(scope="class")
def joined(class_data):
    memoir = titled("Shiberia yokuryū no kiroku", "ja-Latn")
    pows = titled("Test record")
    author = AgentFactory(name="Test agency", name__language="en")
    author.names.create(language="ja-Latn", text="Soren ni okeru Nihonjin horyo", form=LabelForm.ROMANIZATION)
    link_agent(pows, author)
    reindex(pows)
    english = titled("Test Siberia camp", "en")
    return {"memoir": memoir.identifier, "pows": pows.identifier, "english": english.identifier}


class TestJoinedRomaji:
    """Records with romanized Japanese titles and names of several words."""

    @pytest.mark.parametrize(("query", "expected"), [
        ("shiberiayokuryu", {"memoir"}), ("Shiberiayokuryuu", {"memoir"}), ("yokuryuno kiroku", {"memoir"}),
        ("shiberia yokuryu", {"memoir"}), ("nihonjinhoryo", {"pows"}), ("sorenni", {"pows"}),
        # English words are not joined, and a joined pair is no word begun in the middle.
        ("siberiacamp", set()), ("testsiberia", set()), ("beriayokuryu", set()), ("kuryu", set()),
    ])
    def test_two_romaji_words_typed_as_one_find_the_record(self, client, joined, query, expected):
        assert found(client, query) == {joined[key] for key in expected}

    @pytest.mark.parametrize(("query", "expected"), [
        ("shiberiayokuryunokiroku", {"memoir"}), ("Shiberiayokuryuuno", {"memoir"}), ("yokuryunokiroku", {"memoir"}),
        ("sorenniokeru", {"pows"}), ("sorenniokerunihonjin", {"pows"}), ("niokerunihonjinhoryo", {"pows"}),
        ("okerunihonjinhoryo", {"pows"}),
        # Runs of words in their order, each from the start of a word, and no longer than four words.
        ("sorenokeru", set()), ("kiroku shiberiayokuryuno", {"memoir"}), ("ryunokiroku", set()),
        ("sorenniokerunihonjinhoryo", set()),
    ])
    def test_three_or_four_romaji_words_typed_as_one_find_the_record(self, client, joined, query, expected):
        assert found(client, query) == {joined[key] for key in expected}

    def test_a_romanized_japanese_key_holds_the_words_from_each_of_its_words_joined(self, joined):
        from collection.search import document_key

        assert document_key("Shiberia yokuryū no kiroku", "ja-Latn") == (
            "shiberia yokuryu no kiroku shiberiayokuryunokiroku yokuryunokiroku nokiroku")
        assert document_key("Soren ni okeru Nihonjin horyo", "ja-Latn") == (
            "soren ni okeru nihonjin horyo sorenniokerunihonjin niokerunihonjinhoryo okerunihonjinhoryo "
            "nihonjinhoryo")
        assert document_key("Shiberia yokuryū no kiroku", "en") == "shiberia yokuryu no kiroku"
        assert document_key("Nihon", "ja-Latn") == "nihon"

