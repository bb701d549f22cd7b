"""The JSON API takes the browse page's parameters."""

import pytest

from collection.models import Language, RecordKind, Status
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


def test_api_query_count_is_fixed(client, records, django_assert_max_num_queries):
    with django_assert_max_num_queries(29):
        client.get("/api/records/", {"page_size": 100})
    with django_assert_max_num_queries(29):  # the entries chosen are checked by the query resolving them
        client.get("/api/records/", {"page_size": 100, "place": ["test-place", "no-such-place"],
                                     "agent": "test-author", "language": "ja"})
