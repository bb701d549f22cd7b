"""Searches researchers make that must find records: a region by the records of the places in it."""

import pytest
from django.urls import reverse

from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.writer import write_rows
from collection.models import LabelForm, Place, PlaceKind, PlaceName, Record, RecordSearch, Status
from collection.search import rebuild_search_index, refresh_search_index, reindex_after_save, search_condition
from tests.catalogue_rows import memoir, numbered
from tests.factories import PlaceFactory, titled
from tests.test_authority_concurrency import opened

pytestmark = pytest.mark.django_db


def found(client, query: str, language: str = "en") -> set[str]:
    """What the browse page lists (matched in the facet index), checked against the database search; no record
    listed twice."""
    response = client.get(f"/{language}/records/", {"q": query, "page_size": 100})
    assert response.status_code == 200
    listed = [record.identifier for record in response.context["records"]]
    assert len(listed) == len(set(listed)), query
    truth = Record.objects.published().filter(search_condition(query)).values_list("identifier", flat=True)
    assert sorted(listed) == sorted(truth), query
    return set(listed)


def keys() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in RecordSearch.objects.values_list(
        "record_id", "document", "titles", "bigrams", "title_key")}


# --- a place name finds the records of the places inside it ------------------------------------


@pytest.fixture
def union():
    """The Soviet Union (named in three languages and romanized), two regions in it, a camp in each; a record
    in each camp, a draft in the first, and a record outside the Union."""
    ussr = PlaceFactory(name="Soviet Union", kind=PlaceKind.COUNTRY, identifier="test-ussr")
    PlaceName.objects.create(place=ussr, language="ru", text="Советский Союз")
    PlaceName.objects.create(place=ussr, language="ja", text="ソ連")
    PlaceName.objects.create(place=ussr, language="ja-Latn", text="Soren", form=LabelForm.ROMANIZATION)
    krai = PlaceFactory(name="Testovsky Krai", kind=PlaceKind.KRAI, parent=ussr, identifier="test-krai")
    oblast = PlaceFactory(name="Probnaya Oblast", kind=PlaceKind.OBLAST, parent=ussr, identifier="test-oblast")
    camp = PlaceFactory(name="Test camp No. 1", kind=PlaceKind.CAMP, parent=krai, identifier="test-camp-1")
    other_camp = PlaceFactory(name="Test camp No. 2", kind=PlaceKind.CAMP, parent=oblast, identifier="test-camp-2")
    manchuria = PlaceFactory(name="Manchuria", kind=PlaceKind.REGION, identifier="test-manchuria")
    in_camp = titled("Test diary of the first camp")
    in_other_camp = titled("Test letters from the second camp")
    draft = titled("Test draft from the first camp", status=Status.DRAFT)
    outside = titled("Test report from Mukden")
    in_camp.places.add(camp)
    in_other_camp.places.add(other_camp)
    draft.places.add(camp)
    outside.places.add(manchuria)
    refresh_search_index([in_camp.pk, in_other_camp.pk, draft.pk, outside.pk])
    return {"ussr": ussr, "krai": krai, "oblast": oblast, "camp": camp, "other_camp": other_camp,
            "in_camp": in_camp, "in_other_camp": in_other_camp, "draft": draft, "outside": outside}


@pytest.mark.parametrize("query", ["Soviet Union", "Советский Союз", "ソ連", "Soren", "Sovetskiy Soyuz",
                                   "Sovetskij Sojuz"])
def test_a_country_finds_the_records_of_the_camps_in_it_in_every_language(client, union, query):
    assert found(client, query) == {union["in_camp"].identifier, union["in_other_camp"].identifier}


def test_a_region_finds_its_own_camps_records_not_its_siblings_and_never_a_draft(client, union):
    assert found(client, "Testovsky Krai") == {union["in_camp"].identifier}
    assert found(client, "Probnaya") == {union["in_other_camp"].identifier}
    assert found(client, "Test camp No. 1") == {union["in_camp"].identifier}
    assert found(client, "Manchuria") == {union["outside"].identifier}
    assert found(client, "Soviet Union Manchuria") == set()
    assert union["draft"].identifier not in found(client, "draft Soviet Union") | found(client, "Testovsky")


def test_a_region_is_held_once_however_many_of_its_places_a_record_names(client, union):
    record = union["in_camp"]
    second = PlaceFactory(name="Test camp No. 3", kind=PlaceKind.CAMP, parent=union["krai"])
    record.places.add(second)
    refresh_search_index([record.pk])
    document = RecordSearch.objects.get(record=record).document
    assert document.count("testovsky krai") == document.count("soviet union") == 1
    assert found(client, "Testovsky Krai") == {record.identifier}


def test_renaming_a_country_reaches_the_records_of_the_places_in_it(client, union):
    ussr = union["ussr"]
    ussr.names.filter(language="en").update(text="USSR")
    reindex_after_save(ussr)  # as the admin does after saving a place and its names
    assert found(client, "USSR") == {union["in_camp"].identifier, union["in_other_camp"].identifier}
    assert found(client, "Soviet Union") == set()


def test_a_camp_moved_in_the_admin_is_found_by_its_new_region_only(admin_client, client, union):
    camp = union["camp"]
    data = opened(admin_client, camp)
    data["parent"] = union["oblast"].pk
    response = admin_client.post(reverse("admin:collection_place_change", args=[camp.pk]), data)
    assert response.status_code == 302
    assert found(client, "Probnaya") == {union["in_camp"].identifier, union["in_other_camp"].identifier}
    assert found(client, "Testovsky") == set()
    assert found(client, "Soviet Union") == {union["in_camp"].identifier, union["in_other_camp"].identifier}


def test_a_vocabulary_sheet_renaming_and_moving_places_reaches_the_records_under_them(client, union):
    result = write_vocabulary("places", numbered(
        {"identifier": "test-krai", "kind": "krai", "parent": "test-ussr", "name_en": "Renamed Krai"},
        {"identifier": "test-oblast", "kind": "oblast", "parent": "test-manchuria", "name_en": "Probnaya Oblast"}))
    assert not result.errors, result.errors
    assert found(client, "Renamed Krai") == {union["in_camp"].identifier}
    assert found(client, "Testovsky") == set()
    # The oblast (and the camp in it) left the Union for Manchuria.
    assert found(client, "Manchuria") == {union["outside"].identifier, union["in_other_camp"].identifier}
    assert found(client, "Soviet Union") == {union["in_camp"].identifier}


def test_rebuilding_gives_the_keys_the_refreshes_and_the_import_made(client, union):
    """Keys kept by renames, moves and an import are those a rebuild makes from scratch."""
    ussr = union["ussr"]
    ussr.names.filter(language="ru").update(text="СССР")
    reindex_after_save(ussr)
    camp = Place.objects.get(pk=union["other_camp"].pk)
    camp.parent = union["krai"]
    camp.save()
    reindex_after_save(camp)
    assert write_vocabulary("places", numbered(
        {"identifier": "test-oblast", "kind": "oblast", "parent": "test-manchuria",
         "name_en": "Probnaya Oblast"})).ok
    assert write_rows(numbered(memoir("mem-test-in-camp", places="test-camp-1"),
                               memoir("mem-test-in-oblast", places="test-oblast"))).ok
    imported = Record.objects.get(identifier="mem-test-in-camp")
    assert "sssr" in RecordSearch.objects.get(record=imported).document
    kept = keys()

    assert rebuild_search_index() == 6
    assert keys() == kept


# --- a year finds the records dated in it ------------------------------------------------------


@pytest.fixture(scope="class")
def dated(class_data):
    taishet = PlaceFactory(name="Тайшет", name__language="ru", identifier="test-taishet")
    records = {
        "1945": titled("Test order of the day", date_edtf="1945-08-23"),
        "span": titled("Test camp newspaper", date_edtf="1946/1956"),
        "span in taishet": titled("Test camp register", date_edtf="1946/1956"),
        "later in taishet": titled("Test letter home", date_edtf="1960"),
        "1950": titled("Test petition", date_edtf="1950"),
        "open": titled("Test oral history project", date_edtf="1984/.."),
        "text": titled("1945年8月の記録", "ja"),
        "call number": titled("Test undated folder", call_number="F. 1945, op. 2"),
        "draft": titled("Test draft order", date_edtf="1945", status=Status.DRAFT),
    }
    for key in ("span in taishet", "later in taishet"):
        records[key].places.add(taishet)
    refresh_search_index([record.pk for record in records.values()])
    return {key: record.identifier for key, record in records.items()}


class TestYears:
    """Records dated in a year, and records whose text holds it."""

    def test_a_year_finds_the_records_dated_in_it_and_those_whose_text_holds_it(self, client, dated):
        assert found(client, "1945") == {dated["1945"], dated["text"], dated["call number"]}  # never the draft
        assert found(client, "1950") == {dated["span"], dated["span in taishet"], dated["1950"]}
        assert found(client, "1955") == {dated["span"], dated["span in taishet"]}
        assert found(client, "2001") == {dated["open"]}  # an open end runs on
        assert found(client, "1944") == set()  # a year outside every record's dates
        assert found(client, "１９４５") == found(client, "1945")  # typed full-width

    def test_a_year_and_a_word_must_both_hold(self, client, dated):
        assert found(client, "1956 Тайшет") == found(client, "Tayshet 1956") == {dated["span in taishet"]}
        assert found(client, "1945 order") == {dated["1945"]}
        assert found(client, "1956 order") == set()

    def test_only_a_whole_four_digit_word_in_the_years_is_a_year(self, client, dated):
        assert found(client, "194") == {dated["text"], dated["call number"]}  # text only: no year has three digits
        assert found(client, "19451") == set()
        assert found(client, "0950") == set()  # not a year: found in no text either

    def test_a_year_in_the_admin_search_and_on_the_search_rows(self, dated):
        condition = search_condition("1950")
        assert set(Record.objects.filter(condition).values_list("identifier", flat=True)) == {
            dated["span"], dated["span in taishet"], dated["1950"]}
        assert set(RecordSearch.objects.filter(search_condition("1945", prefix="")).values_list(
            "record__identifier", flat=True)) == {dated["1945"], dated["text"], dated["call number"], dated["draft"]}


# --- Kunrei-shiki and Nihon-shiki romaji find Hepburn ------------------------------------------


@pytest.fixture(scope="class")
def romanized(class_data):
    records = {
        "shuyosho": titled("Shūyōsho no seikatsu", "ja-Latn"),
        "chikyu": titled("Chikyū no ura kara", "ja-Latn"),
        "fukuoka": titled("Fukuoka kara no tegami", "ja-Latn"),
        "josei": titled("Josei no yokuryū taiken", "ja-Latn"),
        "tsuchida": titled("Tsuchida Jirō nikki", "ja-Latn"),
        "mikazuki": titled("Mikazuki no yoru", "ja-Latn"),
        "situation": titled("Test situation report", "en"),
        "shitsu": titled("Test shitsuachion", "en", status=Status.DRAFT),
    }
    return {key: record.identifier for key, record in records.items()}


class TestRomajiSystems:
    """Titles in Hepburn romaji."""

    @pytest.mark.parametrize(("query", "key"), [
        ("syuuyousyo", "shuyosho"), ("SYUUYOUSYO", "shuyosho"), ("tikyuu", "chikyu"), ("hukuoka", "fukuoka"),
        ("zyosei", "josei"), ("tutida ziroo", "tsuchida"), ("mikaduki", "mikazuki"), ("Shūyōsho", "shuyosho"),
    ])
    def test_kunrei_and_nihon_shiki_romaji_find_hepburn(self, client, romanized, query, key):
        assert found(client, query) == {romanized[key]}

    def test_a_word_that_only_looks_like_romaji_is_still_found_as_typed(self, client, romanized):
        from collection.search import search_alternatives

        assert found(client, "situation") == {romanized["situation"]}  # the draft spelled in Hepburn never found
        assert search_alternatives("situation") == [(" situation", " shitsuachion")]
        # Not made of Japanese syllables only: no Hepburn spelling.
        assert search_alternatives("history") == [(" history", " khistory")]
        assert search_alternatives("tiger") == [(" tiger",)]
        assert search_alternatives("Shiberia") == [(" shiberia",)]  # Hepburn already


# --- シベリヤ, the older spelling, is シベリア -----------------------------------------------------


def test_the_old_spelling_of_siberia_meets_the_common_one_both_ways(client):
    from collection.search import fold

    old = titled("シベリヤ抑留記", "ja")
    common = titled("シベリア鉄道の記録", "ja")
    cart = titled("テストのリヤカー", "ja")
    titled("Test unrelated record")
    both = {old.identifier, common.identifier}
    assert found(client, "シベリア") == found(client, "シベリヤ") == found(client, "しべりや") == both
    assert found(client, "ｼﾍﾞﾘﾔ") == both
    assert found(client, "シベリヤ 抑留") == found(client, "シベリア抑留") == {old.identifier}
    # Only the word listed: ヤ is not ア in other words.
    assert found(client, "リアカー") == set() and found(client, "リヤカー") == {cart.identifier}
    assert fold("タイヤ") != fold("タイア")


def test_keys_made_before_the_old_spelling_was_folded_are_brought_up_to_date_by_a_rebuild(client):
    record = titled("シベリヤ抑留記", "ja")
    # Keys as an earlier version left them: the old spelling as written.
    RecordSearch.objects.filter(record=record).update(document=" | しべりや抑留記 | ")
    assert found(client, "シベリア") == set()

    rebuild_search_index()

    assert found(client, "シベリア") == {record.identifier}


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Kunrei-shiki", "places within it", "1945"]), ("ja", ["訓令式", "その中にある場所", "1945"]),
    ("ru", ["кунрэй", "о местах внутри него", "1945"])])
def test_the_search_hint_tells_of_kunrei_shiki_regions_and_years(client, language, words):
    html = client.get(f"/{language}/records/").content.decode()
    hint = html.split('id="search-hint"', 1)[1].split("</p>", 1)[0]
    assert all(word in hint for word in words), hint


# --- ヴ and the kana it is also written with: ソヴィエト is ソビエト ---------------------------------------


def test_a_loanword_written_with_vu_meets_its_spelling_with_b_both_ways(client):
    from collection.search import fold

    soviet = titled("ソヴィエト連邦の捕虜収容所", "ja")
    common = titled("ソビエト抑留の記録", "ja")
    volga = titled("ヴォルガ河畔のテスト記録", "ja")
    titled("Test unrelated record")
    both = {soviet.identifier, common.identifier}
    assert found(client, "ソビエト") == found(client, "ソヴィエト") == found(client, "そびえと") == both
    assert found(client, "ボルガ") == found(client, "ヴォルガ") == {volga.identifier}
    assert fold("ヴァ ヴィ ヴ ヴェ ヴォ") == fold("バ ビ ブ ベ ボ")
    assert fold("ヴ") != fold("フ")
