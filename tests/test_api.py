"""The JSON API takes the browse page's parameters."""

import pytest

from collection.models import (
    AgentKind,
    AgentName,
    Language,
    Place,
    PlaceKind,
    PlaceName,
    RecordKind,
    Status,
    SubjectLabel,
)
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    place = PlaceFactory(name="Test place", identifier="test-place")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    memoir = titled("Test memoir", kind=RecordKind.MEMOIR, date_edtf="1950")
    memoir.places.add(place)
    memoir.subjects.add(subject)
    memoir.languages.add(Language.objects.create(tag="ja"))
    link_agent(memoir, AgentFactory(name="Test author", identifier="test-author"))
    reindex(memoir)
    document = titled("Test document", kind=RecordKind.DOCUMENT)
    return memoir, document


def test_list_with_counts_results_and_facets(client, records):
    data = client.get("/api/records/", {"kind": ["memoir", "document"]}).json()
    assert data["count"] == 2
    assert data["facets"]["kind"] == {"memoir": 1, "document": 1}
    assert data["facets"]["place"] == {"test-place": 1}
    assert data["facets"]["decade"] == {"1950": 1, "undated": 1}
    memoir = next(r for r in data["results"] if r["kind"] == "memoir")
    assert memoir["titles"]["en"][0]["text"] == "Test memoir"
    assert memoir["agents"][0]["identifier"] == "test-author"
    assert memoir["places"] == [{"identifier": "test-place", "name": "Test place"}]
    assert memoir["subjects"][0]["identifier"] == "test-subject"
    assert memoir["link"].endswith(f"/records/{records[0].identifier}/")


def test_every_parameter_filters(client, records):
    for params in ({"q": "memoir"}, {"place": "test-place"}, {"subject": "test-subject"}, {"agent": "test-author"},
                   {"language": "ja"}, {"decade": "1950"}, {"year_from": "1949", "year_to": "1951"}):
        assert client.get("/api/records/", params).json()["count"] == 1, params
    assert client.get("/api/records/", {"page_size": 1, "page": 2}).json()["page"] == 2


def test_bad_parameters_get_a_400_naming_them(client, records):
    response = client.get("/api/records/", {"kind": "poem"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_a_kind_or_decade_not_a_choice_is_left_out_and_reported(client, records):
    titled("Test draft memoir", kind=RecordKind.MEMOIR, date_edtf="1950", status=Status.DRAFT)
    response = client.get("/api/records/?kind=memoir&kind=bogus&decade=1950&decade=19x0")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and [r["identifier"] for r in data["results"]] == [records[0].identifier]
    assert data["facets"]["kind"] == {"memoir": 1} and data["facets"]["decade"] == {"1950": 1}
    assert data["errors"] == {"kind": ["“bogus” is not one of the choices."],
                              "decade": ["“19x0” is not one of the choices."]}
    assert "errors" not in client.get("/api/records/?kind=memoir").json()


def test_a_filter_with_no_value_a_choice_is_still_a_400_naming_every_value(client, records):
    response = client.get("/api/records/?kind=bogus&kind=poem&decade=1950&decade=19x0")
    assert response.status_code == 400
    assert response.json() == {"errors": {
        "kind": ["“bogus” is not one of the choices.", "“poem” is not one of the choices."],
        "decade": ["“19x0” is not one of the choices."],
    }}
    too_many = client.get("/api/records/", {"kind": ["memoir", *(f"bogus-{n}" for n in range(30))]})
    assert too_many.status_code == 400 and too_many.json() == {"errors": {"kind": ["Choose at most 30 values."]}}


@pytest.mark.parametrize(("name", "known"), [("place", "test-place"), ("subject", "test-subject"),
                                             ("agent", "test-author"), ("language", "ja")])
def test_an_entry_no_published_record_has_is_left_out_and_reported(client, records, name, known):
    draft = titled("Test draft memoir", kind=RecordKind.MEMOIR, status=Status.DRAFT)
    draft.places.add(PlaceFactory(name="Test draft place", identifier="test-draft-place"))
    draft.languages.add(Language.objects.create(tag="de"))
    reindex(draft)
    response = client.get("/api/records/", {name: [known, "no-such-entry"]})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and [r["identifier"] for r in data["results"]] == [records[0].identifier]
    assert data["errors"] == {name: ["“no-such-entry” is not one of the choices."]}
    # An entry only a draft has, alone: not applied, and said as of any unknown entry.
    for unseen in ("test-draft-place", "de", "no-such-entry"):
        response = client.get("/api/records/", {name: unseen})
        assert response.status_code == 400
        assert response.json() == {"errors": {name: [f"“{unseen}” is not one of the choices."]}}


def test_a_page_links_the_next_and_previous_pages_with_the_same_filters(client, records):
    first = client.get("/api/records/", {"page_size": 1, "sort": "-date", "bogus": "kept"}).json()
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/records/?page_size=1&sort=-date&bogus=kept&page=2"
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and second["next"] is None
    assert second["previous"] == "http://testserver/api/records/?page_size=1&sort=-date&bogus=kept&page=1"
    assert second["results"][0]["identifier"] != first["results"][0]["identifier"]


def test_a_page_beyond_the_last_is_not_found(client, records):
    last = client.get("/api/records/", {"page": 2, "page_size": 1})
    assert last.status_code == 200 and len(last.json()["results"]) == 1 and last.json()["pages"] == 2
    response = client.get("/api/records/", {"page": 3, "page_size": 1})
    assert response.status_code == 404
    assert response.json() == {"errors": {"page": ["There is no page 3; the last is page 2."]}}
    assert "no-cache" in response["Cache-Control"]  # records published later may fill it
    # The first page of no records is there, empty; the second is not.
    empty = client.get("/api/records/", {"q": "nothing-matches-this"})
    assert empty.status_code == 200 and empty.json()["results"] == [] and empty.json()["pages"] == 1
    assert client.get("/api/records/", {"q": "nothing-matches-this", "page": 2}).status_code == 404


@pytest.mark.parametrize(("params", "name", "message"), [
    ({"page": "abc"}, "page", "Enter a whole number."),
    ({"page": "1.5"}, "page", "Enter a whole number."),
    ({"page": "0"}, "page", "Ensure this value is greater than or equal to 1."),
    ({"page": "-1"}, "page", "Ensure this value is greater than or equal to 1."),
    ({"page_size": "0"}, "page_size", "Ensure this value is greater than or equal to 1."),
    ({"page_size": "-5"}, "page_size", "Ensure this value is greater than or equal to 1."),
    ({"page_size": "many"}, "page_size", "Enter a whole number."),
])
def test_a_page_or_page_size_not_understood_is_a_400_naming_it(client, records, params, name, message):
    response = client.get("/api/records/", params)
    assert response.status_code == 400
    assert response.json() == {"errors": {name: [message]}}


def test_a_sort_not_a_choice_is_named_beside_the_results_in_the_default_order(client, records):
    response = client.get("/api/records/", {"sort": "bogus"})
    assert response.status_code == 200
    data = response.json()
    assert data["errors"] == {"sort": ["“bogus” is not one of the choices."]}
    assert [r["title"] for r in data["results"]] == ["Test document", "Test memoir"]  # by title
    assert "errors" not in client.get("/api/records/", {"sort": "-title"}).json()


def test_the_words_of_a_search_beyond_those_searched_are_reported_beside_the_results(client, records):
    data = client.get("/api/records/", {"q": "test " * 12 + "nothing"}).json()
    assert data["count"] == 2  # "nothing", the 13th word, was not looked for
    assert data["errors"] == {"q": ["Only the first 12 words were searched."]}
    assert "errors" not in client.get("/api/records/", {"q": "test " * 11 + "memoir"}).json()


def test_a_search_longer_than_200_characters_is_refused(client, records):
    response = client.get("/api/records/", {"q": "x" * 5000})
    assert response.status_code == 400
    assert response.json() == {"errors": {"q": ["Ensure this value has at most 200 characters (it has 5000)."]}}
    at_most = client.get("/api/records/", {"q": "x" * 200})
    assert at_most.status_code == 200 and at_most.json()["count"] == 0


def test_a_nul_in_a_filter_is_refused(client, records):
    for name in ("q", "kind", "language", "decade", "year_from", "place", "subject", "agent", "repository",
                 "has_scans"):
        response = client.get(f"/api/records/?{name}=x%00y")
        assert response.status_code == 400, name
        assert response.json() == {"errors": {name: ["Null characters are not allowed."]}}, name


def test_detail(client, records):
    data = client.get(f"/api/records/{records[0].identifier}/").json()
    assert data["identifier"] == records[0].identifier and data["languages"] == ["ja"]


def test_detail_gives_what_the_records_page_shows_and_names_only_a_published_parent(client):
    parent = titled("Test series")
    hidden = titled("Test draft series", status=Status.DRAFT)
    record = titled("Test volume", parent=parent, level="volume", sequence=2, container_title="Test container",
                    publication_place="Владивосток", extent="100 p.", url="http://example.org/test",
                    resource_type="book")
    data = client.get(f"/api/records/{record.identifier}/").json()
    assert (data["parent"], data["sequence"], data["container_title"], data["publication_place"], data["extent"],
            data["url"], data["resource_type"]) == (parent.identifier, 2, "Test container", "Владивосток", "100 p.",
                                                    "http://example.org/test", "book")
    assert data["titles"]["en"] == [{"text": "Test volume", "form": "original", "preferred": True,
                                     "machine_made": False}]
    orphan = titled("Test volume of a draft", parent=hidden)
    assert client.get(f"/api/records/{orphan.identifier}/").json()["parent"] is None


def test_detail_lists_the_published_parts_as_the_records_page_does(client):
    series = titled("Test series")
    second = titled("Test volume 2", parent=series, level="volume", sequence=2)
    first = titled("Test volume 1", parent=series, level="volume", sequence=1)
    titled("Test draft volume 3", parent=series, level="volume", sequence=3, status=Status.DRAFT)
    assert client.get(f"/api/records/{series.identifier}/").json()["children"] == [first.identifier,
                                                                                  second.identifier]
    assert [r.identifier for r in client.get(f"/en/records/{series.identifier}/").context["children"]] == [
        first.identifier, second.identifier]
    assert client.get(f"/api/records/{first.identifier}/").json()["children"] == []


def test_detail_gives_the_edition_the_records_page_and_citation_give(client):
    record = titled("Test edited book", edition="2nd ed.")
    assert client.get(f"/api/records/{record.identifier}/").json()["edition"] == "2nd ed."
    assert "2nd ed." in client.get(f"/en/records/{record.identifier}/").content.decode()


def test_api_query_count_is_fixed(client, records, django_assert_max_num_queries):
    with django_assert_max_num_queries(29):
        client.get("/api/records/", {"page_size": 100})
    with django_assert_max_num_queries(29):  # the entries chosen are checked by the query resolving them
        client.get("/api/records/", {"page_size": 100, "place": ["test-place", "no-such-place"],
                                     "agent": "test-author", "language": "ja"})


# --- facet_values: each facet as the browse page shows it, labelled ---------------------------------------------


@pytest.fixture
def named_everywhere(records):
    """The fixture's place, subject and author also named in Japanese and Russian."""
    memoir = records[0]
    for entry, names in ((memoir.places.get(), PlaceName), (memoir.subjects.get(), SubjectLabel),
                         (memoir.agent_links.get().agent, AgentName)):
        owner = {PlaceName: "place", SubjectLabel: "subject", AgentName: "agent"}[names]
        names.objects.create(**{owner: entry}, language="ja", text=f"テスト{owner}")
        names.objects.create(**{owner: entry}, language="ru", text=f"Тест {owner}")
    reindex(memoir)
    return records


def values(data, facet):
    return {value["value"]: (value["label"], value["label_language"], value["count"])
            for value in data["facet_values"][facet]["values"]}


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {"kind": ("Kind", "memoir"), "decade": ("Decade", "1950s"), "place": ("Place", "Test place"),
            "subject": ("Subject", "Test subject"), "agent": ("Person or organisation", "Test author"),
            "language": ("Language of the material", "Japanese")}),
    ("ja", {"kind": ("区分", "回想記"), "decade": ("年代", "1950年代"), "place": ("場所", "テストplace"),
            "subject": ("件名", "テストsubject"), "agent": ("人物・団体", "テストagent"),
            "language": ("資料の言語", "日本語")}),
    ("ru", {"kind": ("Вид", "воспоминания"), "decade": ("Десятилетие", "1950-е"), "place": ("Место", "Тест place"),
            "subject": ("Предметная рубрика", "Тест subject"), "agent": ("Лицо или организация", "Тест agent"),
            "language": ("Язык материала", "японский")}),
])
def test_facet_values_are_labelled_in_the_language_asked_for(client, named_everywhere, language, expected):
    data = client.get("/api/records/", {"kind": "memoir"}, HTTP_ACCEPT_LANGUAGE=language).json()
    value = {"kind": "memoir", "decade": "1950", "place": "test-place", "subject": "test-subject",
             "agent": "test-author", "language": "ja"}
    for facet, (facet_label, value_label) in expected.items():
        assert data["facet_values"][facet]["label"] == facet_label, facet
        shown = values(data, facet)[value[facet]]
        assert shown[0] == value_label and shown[2] == 1, facet
    # A catalogued name carries its language; a kind, a decade or a language is named in the answer's.
    assert values(data, "place")["test-place"][1] == language
    assert values(data, "kind")["memoir"][1] is None
    # The counts by value are still given as they were (a kind counted under the other filters only).
    assert data["facets"]["kind"] == {"memoir": 1, "document": 1}


def test_facet_values_are_the_labels_the_browse_page_shows(client, named_everywhere):
    for language in ("en", "ja", "ru"):
        data = client.get("/api/records/", HTTP_ACCEPT_LANGUAGE=language).json()
        page = client.get(f"/{language}/records/").context["facets"]
        for facet in page:
            assert [(v["value"], v["label"], v["count"]) for v in data["facet_values"][facet.name]["values"]] == [
                (v.value, v.label, v.count) for v in facet.values], (language, facet.name)


def test_an_entry_named_in_another_language_only_is_labelled_as_the_page_falls_back(client, records):
    """No Russian name: the original, not a romanization of it, as the page shows it."""
    place = PlaceFactory(name="テスト収容所", name__language="ja", identifier="test-ja-place")
    PlaceName.objects.create(place=place, language="ja-Latn", text="Tesuto shūyōjo", form="romanization")
    subject = SubjectFactory(label="テスト件名", label__language="ja", identifier="test-ja-subject")
    record = titled("Test Japanese-named record")
    record.places.add(place)
    record.subjects.add(subject)
    reindex(record)
    for language in ("ru", "en"):
        data = client.get("/api/records/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert values(data, "place")["test-ja-place"] == ("テスト収容所", "ja", 1)
        assert values(data, "subject")["test-ja-subject"] == ("テスト件名", "ja", 1)
    romanized = client.get("/api/records/", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert values(romanized, "place")["test-ja-place"] == ("テスト収容所", "ja", 1)


@pytest.fixture
def region():
    """A region with two camps, a record in each and a draft in the first."""
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    for number in (1, 2):
        camp = PlaceFactory(name=f"Test camp {number}", kind=PlaceKind.CAMP, parent=region,
                            identifier=f"test-camp-{number}")
        record = titled(f"Test record in camp {number}")
        record.places.add(camp)
        reindex(record)
    draft = titled("Test draft in camp 1", status=Status.DRAFT)
    draft.places.add(Place.objects.get(identifier="test-camp-1"),
                     PlaceFactory(name="Test draft-only camp", parent=region, identifier="test-draft-camp"))
    reindex(draft)
    return region


def test_the_place_facet_is_a_tree_opened_as_the_page_opens_it(client, region):
    closed = client.get("/api/records/").json()
    assert [(v["value"], v["count"], v["children"]) for v in closed["facet_values"]["place"]["values"]] == [
        ("test-region", 2, [])]
    # The counts by identifier still hold every place, listed or not.
    assert closed["facets"]["place"] == {"test-region": 2, "test-camp-1": 1, "test-camp-2": 1}

    opened = client.get("/api/records/", {"place": "test-camp-2"}).json()
    [listed] = opened["facet_values"]["place"]["values"]
    assert (listed["value"], listed["label"], listed["selected"]) == ("test-region", "Test region", False)
    assert [(child["value"], child["label"], child["count"], child["selected"], child["children"])
            for child in listed["children"]] == [("test-camp-1", "Test camp 1", 1, False, []),
                                                 ("test-camp-2", "Test camp 2", 1, True, [])]
    assert opened["count"] == 1


def test_facet_values_neither_count_nor_name_an_unpublished_record(client, region):
    for status in (Status.REVIEW, Status.WITHDRAWN):
        hidden = titled("Test hidden record", status=status, date_edtf="1990")
        hidden.subjects.add(SubjectFactory(label="Test hidden subject", identifier=f"test-hidden-subject-{status}"))
        link_agent(hidden, AgentFactory(name="Test hidden author", identifier=f"test-hidden-author-{status}"))
        reindex(hidden)
    response = client.get("/api/records/", {"place": "test-region"})
    data = response.json()
    assert values(data, "place") == {"test-region": ("Test region", "en", 2)}
    assert [(c["value"], c["count"]) for c in data["facet_values"]["place"]["values"][0]["children"]] == [
        ("test-camp-1", 1), ("test-camp-2", 1)]
    assert data["facet_values"]["subject"]["values"] == data["facet_values"]["agent"]["values"] == []
    assert "1990" not in values(data, "decade")
    for unseen in ("test-draft-camp", "draft-only", "hidden", "1990"):
        assert unseen not in response.content.decode()


def test_facet_values_take_a_fixed_number_of_queries_whatever_the_page_and_the_values(
        client, records, django_assert_num_queries):
    params = {"page_size": 100, "place": "test-place"}
    # The facet index is built, and follows each change to the catalogue, once per process: not counted here.
    client.get("/api/records/")
    # The catalogue's version (the facet index's state); the chosen identifiers; the page's records, their titles,
    # agent links and agents' names; the languages counted; the agents and repositories listed, their names; the
    # subjects listed, their labels; the places' outline, the places listed, their names; the records' places, their
    # names, the records' subjects, their labels.
    with django_assert_num_queries(18):
        small = client.get("/api/records/", params).json()
    assert len(small["results"]) == 1
    region = PlaceFactory(name="Test big region", kind=PlaceKind.REGION, identifier="test-big-region")
    Place.objects.filter(identifier="test-place").update(parent=region)
    Place.objects.get(identifier="test-place").save()  # its path, under the region
    for number in range(40):
        record = titled(f"Test memoir {number}", kind=RecordKind.MEMOIR, date_edtf=str(1900 + 3 * number),
                        repository=AgentFactory(kind=AgentKind.ORGANISATION))
        record.places.add(PlaceFactory(parent=region), PlaceFactory(kind=PlaceKind.REGION))
        record.subjects.add(SubjectFactory(), SubjectFactory())
        record.languages.add(Language.objects.create(tag=f"x-test{number}"))
        link_agent(record, AgentFactory())
        link_agent(record, AgentFactory())
        reindex(record)
    client.get("/api/records/")  # the index follows the changes
    with django_assert_num_queries(18):
        large = client.get("/api/records/", {"page_size": 100, "place": ["test-place", "test-big-region"]}).json()
    assert len(large["results"]) == 41
    assert len(large["facet_values"]["place"]["values"][0]["children"]) == 41
    for facet in ("subject", "agent", "repository", "language"):
        assert len(large["facet_values"][facet]["values"]) == 15, facet
        assert all(value["label"] for value in large["facet_values"][facet]["values"]), facet
