"""``/api/places/``, ``/api/subjects/`` and ``/api/agents/``: an authority's page as JSON.

They answer exactly when the public page does, and count only published records.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import (
    Agent,
    AgentKind,
    AgentName,
    Place,
    PlaceKind,
    PlaceName,
    RecordKind,
    Status,
    Subject,
    SubjectLabel,
)
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled
from tests.test_authority_visibility import HIDDEN, catalogue  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

SECTIONS = {"agents": Agent, "places": Place, "subjects": Subject}


def api(client, section: str, identifier: str, language: str = "en"):
    return client.get(f"/api/{section}/{identifier}/", HTTP_ACCEPT_LANGUAGE=language)


def assert_like_unknown(client, section: str, identifier: str) -> None:
    answer, unknown = api(client, section, identifier), api(client, section, "test-no-such-entry")
    assert (answer.status_code, unknown.status_code) == (404, 404), (section, identifier)
    assert answer.json() == {"identifier": identifier, "status": "not_found"}
    assert answer.content.replace(identifier.encode(), b"ID") == unknown.content.replace(b"test-no-such-entry", b"ID")
    assert "no-cache" in answer["Cache-Control"]  # a record published later gives it a page


@pytest.fixture
def camp():
    """A camp in a krai in a country, named in three languages and their forms, with one published record."""
    country = PlaceFactory(name="Test country", kind=PlaceKind.COUNTRY, identifier="test-country")
    krai = PlaceFactory(name="Test krai", kind=PlaceKind.KRAI, parent=country, identifier="test-krai")
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=krai, identifier="test-camp")
    PlaceName.objects.create(place=camp, language="ja", text="テスト収容所")
    PlaceName.objects.create(place=camp, language="ja-Hrkt", text="てすとしゅうようじょ", form="reading",
                             machine_made=True)
    PlaceName.objects.create(place=camp, language="ja-Latn", text="Tesuto shūyōjo", form="romanization")
    PlaceName.objects.create(place=camp, language="ru", text="Тестовый лагерь")
    PlaceName.objects.create(place=camp, language="ru", text="Старый тестовый лагерь", preferred=False)
    record = titled("Test record in the camp")
    record.places.add(camp)
    reindex(record)
    return camp


def test_a_place_with_its_names_in_every_language_and_form(client, camp):
    data = api(client, "places", "test-camp").json()
    assert data["identifier"] == "test-camp" and data["kind"] == "camp"
    assert data["names"] == {
        "en": [{"text": "Test camp", "form": "original", "preferred": True, "our_translation": False,
                "machine_made": False}],
        "ja": [{"text": "テスト収容所", "form": "original", "preferred": True, "our_translation": False,
                "machine_made": False}],
        "ja-Hrkt": [{"text": "てすとしゅうようじょ", "form": "reading", "preferred": True, "our_translation": False,
                     "machine_made": True}],
        "ja-Latn": [{"text": "Tesuto shūyōjo", "form": "romanization", "preferred": True, "our_translation": False,
                     "machine_made": False}],
        "ru": [{"text": "Тестовый лагерь", "form": "original", "preferred": True, "our_translation": False,
                "machine_made": False},
               {"text": "Старый тестовый лагерь", "form": "original", "preferred": False, "our_translation": False,
                "machine_made": False}],
    }
    assert (data["record_count"], data["records"]) == (1, "http://testserver/api/records/?place=test-camp")
    assert client.get(data["records"]).json()["count"] == 1


@pytest.mark.parametrize(("language", "name"), [("en", "Test camp"), ("ja", "テスト収容所"), ("ru", "Тестовый лагерь")])
def test_the_name_and_page_are_those_of_the_language_asked_for(client, camp, language, name):
    data = api(client, "places", "test-camp", language).json()
    assert (data["name"], data["name_language"]) == (name, language)
    assert data["link"] == f"http://testserver/{language}/places/test-camp/"
    assert client.get(data["link"]).status_code == 200
    assert data["api"] == "http://testserver/api/places/test-camp/"
    # The names listed do not depend on the language.
    assert data["names"] == api(client, "places", "test-camp", "en").json()["names"]


def test_an_entry_named_in_one_language_is_named_so_in_every_answer(client):
    """The page's fallback: the original name, not a romanization of it, nor a variant."""
    subject = SubjectFactory(label="テスト件名", label__language="ja", identifier="test-ja-subject")
    SubjectLabel.objects.create(subject=subject, language="ja-Latn", text="Tesuto kenmei", form="romanization")
    SubjectLabel.objects.create(subject=subject, language="en", text="Test old label", preferred=False)
    record = titled("Test record on a subject")
    record.subjects.add(subject)
    reindex(record)
    for language in ("en", "ru", "ja"):
        data = api(client, "subjects", "test-ja-subject", language).json()
        assert (data["name"], data["name_language"]) == ("テスト件名", "ja"), language
        assert "kind" not in data and "parent" not in data


def test_a_place_names_the_places_above_and_below_it_that_have_a_page(client, camp):
    krai = Place.objects.get(identifier="test-krai")
    PlaceFactory(name="Test unused camp", kind=PlaceKind.CAMP, parent=krai, identifier="test-unused-camp")
    other = PlaceFactory(name="A test other camp", kind=PlaceKind.CAMP, parent=krai, identifier="test-other-camp")
    for status in HIDDEN:
        hidden = titled(f"Test {status} record", status=status)
        hidden.places.add(PlaceFactory(name=f"Test {status} camp", parent=krai, identifier=f"test-{status}-camp"),
                          Place.objects.get(identifier="test-camp"))
        reindex(hidden)
    elsewhere = titled("Test record in the other camp")
    elsewhere.places.add(other)
    reindex(elsewhere)

    def ref(identifier: str, name: str) -> dict:
        return {"identifier": identifier, "name": name, "name_language": "en",
                "link": f"http://testserver/en/places/{identifier}/",
                "api": f"http://testserver/api/places/{identifier}/"}

    middle = api(client, "places", "test-krai").json()
    assert middle["parent"] == ref("test-country", "Test country")
    assert middle["children"] == [ref("test-other-camp", "A test other camp"), ref("test-camp", "Test camp")]
    assert middle["record_count"] == 2  # a region counts the records of the places under it, published only
    assert client.get(middle["records"]).json()["count"] == 2
    top = api(client, "places", "test-country").json()
    assert (top["parent"], top["children"]) == (None, [ref("test-krai", "Test krai")])
    bottom = api(client, "places", "test-camp").json()
    assert (bottom["parent"], bottom["children"], bottom["record_count"]) == (ref("test-krai", "Test krai"), [], 1)
    for status in HIDDEN:
        assert f"test-{status}-camp" not in api(client, "places", "test-krai").content.decode()
        assert_like_unknown(client, "places", f"test-{status}-camp")
    assert_like_unknown(client, "places", "test-unused-camp")


def test_an_agent_counts_the_records_naming_it_and_those_it_holds(client):
    archive = AgentFactory(name="Test archive", kind=AgentKind.ORGANISATION, identifier="test-archive")
    author = AgentFactory(name="Test author", identifier="test-author")
    AgentName.objects.create(agent=author, language="ja", text="テスト著者")
    for number in (1, 2):
        record = titled(f"Test held record {number}", repository=archive)
        link_agent(record, author)
    draft = titled("Test draft held record", status=Status.DRAFT, repository=archive)
    link_agent(draft, author)
    link_agent(draft, archive)
    data = api(client, "agents", "test-archive", "ja").json()
    assert (data["kind"], data["name"], data["name_language"]) == ("organisation", "Test archive", "en")
    assert (data["record_count"], data["records"]) == (0, None)  # the draft naming it is not counted
    assert (data["holdings_count"], data["holdings"]) == (2, "http://testserver/api/records/?repository=test-archive")
    assert client.get(data["holdings"]).json()["count"] == 2
    author_data = api(client, "agents", "test-author", "ja").json()
    assert (author_data["name"], author_data["record_count"], author_data["holdings_count"]) == ("テスト著者", 2, 0)
    assert author_data["records"] == "http://testserver/api/records/?agent=test-author"
    assert client.get(author_data["records"]).json()["count"] == 2


@pytest.mark.parametrize("status", HIDDEN)
def test_entries_only_unpublished_records_use_answer_as_unknown(client, status):
    region = PlaceFactory(name="Test secret region", kind=PlaceKind.REGION, identifier="test-secret-region")
    camp = PlaceFactory(name="Test secret camp", kind=PlaceKind.CAMP, parent=region, identifier="test-secret-camp")
    record = titled("Test secret record", status=status)
    record.places.add(camp)
    record.subjects.add(SubjectFactory(label="Test secret subject", identifier="test-secret-subject"))
    link_agent(record, AgentFactory(name="Test secret agent", identifier="test-secret-agent"))
    holder = AgentFactory(name="Test secret holder", kind=AgentKind.ORGANISATION, identifier="test-secret-holder")
    titled("Test secret held record", status=status, repository=holder)
    reindex(record)
    for section, identifier in (("places", "test-secret-camp"), ("places", "test-secret-region"),
                                ("subjects", "test-secret-subject"), ("agents", "test-secret-agent"),
                                ("agents", "test-secret-holder")):
        assert_like_unknown(client, section, identifier)
        assert b"Test secret" not in api(client, section, identifier).content


def test_a_withdrawal_takes_the_answers_down(client, bob, camp):
    record = Place.objects.get(identifier="test-camp").records.get()
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    record.subjects.add(subject)
    link_agent(record, AgentFactory(name="Test author", identifier="test-author"))
    reindex(record)
    answers = (("places", "test-camp"), ("places", "test-krai"), ("places", "test-country"),
               ("subjects", "test-subject"), ("agents", "test-author"))
    for section, identifier in answers:
        assert api(client, section, identifier).status_code == 200, identifier
    record.withdraw(by=bob, reason="Test withdrawal.")
    for section, identifier in answers:
        assert_like_unknown(client, section, identifier)


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_api_answers_exactly_where_the_page_does_and_counts_as_it(client, catalogue, section):  # noqa: F811
    identifiers = SECTIONS[section].objects.values_list("identifier", flat=True)
    answered = set()
    for identifier in identifiers:
        page = client.get(f"/en/{section}/{identifier}/")
        answer = api(client, section, identifier)
        assert answer.status_code == page.status_code, identifier
        if page.status_code == 200:
            answered.add(identifier)
            assert answer.json()["record_count"] == page.context["record_count"], identifier
            assert answer.json().get("holdings_count", 0) == page.context.get("holdings_count", 0), identifier
        else:
            assert_like_unknown(client, section, identifier)
    assert answered  # the comparison compared something


@pytest.mark.parametrize(("section", "identifier", "queries"), [
    # The place, its names, its records counted, the places above and below it with a page, their names.
    ("places", "test-krai", 5),
    # The subject, its labels, its records counted.
    ("subjects", "test-subject", 3),
    # The agent, its names, the records naming it counted, those it holds counted, the association record
    # describing it (none: so no titles to read).
    ("agents", "test-author", 5),
])
def test_an_answer_takes_a_fixed_number_of_queries(client, camp, django_assert_num_queries, section, identifier,
                                                   queries):
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    author = AgentFactory(name="Test author", identifier="test-author", kind=AgentKind.ORGANISATION)
    record = Place.objects.get(identifier="test-camp").records.get()
    record.subjects.add(subject)
    link_agent(record, author)
    reindex(record)
    with django_assert_num_queries(queries):
        small = api(client, section, identifier).json()

    krai = Place.objects.get(identifier="test-krai")
    entry = SECTIONS[section].objects.get(identifier=identifier)
    for number in range(30):
        record = titled(f"Test more {number}", kind=RecordKind.DOCUMENT, repository=author)
        record.places.add(PlaceFactory(parent=krai))
        record.subjects.add(subject)
        link_agent(record, author)
        reindex(record)
        {"places": PlaceName, "subjects": SubjectLabel, "agents": AgentName}[section].objects.create(
            **{section[:-1]: entry}, language=f"x-test{number}", text=f"Test name {number}")
    with CaptureQueriesContext(connection) as large_queries:
        large = api(client, section, identifier).json()
    assert len(large_queries) == queries
    assert large["record_count"] == small["record_count"] + 30
    assert len(large["names"]) == len(small["names"]) + 30
    if section == "places":
        assert len(large["children"]) == len(small["children"]) + 30
