"""Links researchers keep to the pages of places, subjects and agents: an identifier in another letter case."""

import pytest

from collection.models import Status
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("asked", "given"), [
    ("/ja/places/PLACE-JAPAN/", "/ja/places/place-japan/"),
    ("/ru/subjects/Subject-POW-Labor/", "/ru/subjects/subject-pow-labor/"),
    ("/en/agents/AGENT-KASATONOVA-EL/", "/en/agents/agent-kasatonova-el/"),
])
def test_an_authority_s_link_in_other_case_leads_to_its_page(seeded, client, asked, given):
    answer = client.get(asked)
    assert (answer.status_code, answer["Location"]) == (301, given)
    assert client.get(given).status_code == 200


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN])
def test_an_entry_only_unpublished_records_use_is_not_found_in_any_case(client, status):
    place = PlaceFactory(name="Test secret camp", identifier="test-secret-camp")
    subject = SubjectFactory(label="Test secret subject", identifier="test-secret-subject")
    agent = AgentFactory(name="Test secret agent", identifier="test-secret-agent")
    record = titled("Test secret record", status=status)
    record.places.add(place)
    record.subjects.add(subject)
    link_agent(record, agent)
    reindex(record)
    for section in ("places", "subjects", "agents"):
        assert client.get(f"/en/{section}/TEST-SECRET-{section[:-1].upper()}/").status_code == 404, section
    assert client.get("/en/places/TEST-SECRET-CAMP/").status_code == 404
