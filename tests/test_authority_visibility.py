"""Which agents, places and subjects have a public page, and that the sitemap lists exactly those.

An authority has a page when a published record uses it (a place also when a published record is in a place
under it). Anything else — used only by drafts, records in review or withdrawn records, or used by no record
at all — answers 404 exactly as an identifier that does not exist.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import Agent, AgentKind, Place, PlaceKind, Record, RecordKind, Status, Subject
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db

HIDDEN = (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN)
SECTIONS = ("agents", "places", "subjects")


def page(client, section: str, identifier: str):
    return client.get(f"/en/{section}/{identifier}/")


def in_sitemap(client, section: str) -> set[str]:
    """The identifiers the sitemap section lists (its English addresses)."""
    xml = client.get(f"/sitemap-{section}.xml").content.decode()
    return set(re.findall(rf"<loc>http://testserver/en/{section}/([^/<]+)/</loc>", xml))


def assert_like_unknown(client, section: str, identifier: str) -> None:
    answer, unknown = page(client, section, identifier), page(client, section, "test-no-such-entry")
    assert (answer.status_code, unknown.status_code) == (404, 404), (section, identifier)
    # The same page but for the address asked for, which the page's language links repeat.
    assert (answer.content.decode().replace(identifier, "test-no-such-entry")
            == unknown.content.decode()), (section, identifier)


@pytest.fixture(params=HIDDEN)
def unpublished(request):
    """A camp in a region, a subject and an agent that only an unpublished record uses."""
    region = PlaceFactory(name="Test secret region", kind=PlaceKind.REGION, identifier="test-secret-region")
    camp = PlaceFactory(name="Test secret camp", kind=PlaceKind.CAMP, parent=region, identifier="test-secret-camp")
    subject = SubjectFactory(label="Test secret subject", identifier="test-secret-subject")
    agent = AgentFactory(name="Test secret agent", identifier="test-secret-agent")
    record = titled("Test secretword record", status=request.param)
    record.places.add(camp)
    record.subjects.add(subject)
    link_agent(record, agent)
    reindex(record)
    return record


def test_places_and_subjects_only_unpublished_records_use_answer_as_unknown(client, unpublished):
    for section, identifier in (("places", "test-secret-camp"), ("places", "test-secret-region"),
                                ("subjects", "test-secret-subject"), ("agents", "test-secret-agent")):
        assert_like_unknown(client, section, identifier)
        assert b"Test secret" not in page(client, section, identifier).content
        assert identifier not in in_sitemap(client, section)


def test_a_withdrawal_takes_the_authority_pages_down(client, bob):
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=region, identifier="test-camp")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    archive = AgentFactory(name="Test archive", kind=AgentKind.ORGANISATION, identifier="test-archive")
    record = titled("Test only public record", repository=archive)
    record.places.add(camp)
    record.subjects.add(subject)
    link_agent(record, AgentFactory(name="Test author", identifier="test-author"))
    reindex(record)
    urls = (("places", "test-camp"), ("places", "test-region"), ("subjects", "test-subject"),
            ("agents", "test-author"), ("agents", "test-archive"))
    for section, identifier in urls:
        assert page(client, section, identifier).status_code == 200, identifier
        assert identifier in in_sitemap(client, section)

    record.withdraw(by=bob, reason="Test withdrawal.")
    assert Record.objects.get(pk=record.pk).status == Status.WITHDRAWN
    for section, identifier in urls:
        assert_like_unknown(client, section, identifier)
        assert identifier not in in_sitemap(client, section)


def test_entries_no_record_uses_have_no_page(client):
    """A vocabulary entry nobody uses yet answers as the agent pages always have: 404, as if unknown."""
    region = PlaceFactory(name="Test unused region", kind=PlaceKind.REGION, identifier="test-unused-region")
    PlaceFactory(name="Test unused camp", kind=PlaceKind.CAMP, parent=region, identifier="test-unused-camp")
    SubjectFactory(label="Test unused subject", identifier="test-unused-subject")
    AgentFactory(name="Test unused agent", identifier="test-unused-agent")
    titled("Test unrelated public record")  # the sitemaps are not empty
    for section, identifier in (("places", "test-unused-region"), ("places", "test-unused-camp"),
                                ("subjects", "test-unused-subject"), ("agents", "test-unused-agent")):
        assert_like_unknown(client, section, identifier)
        assert identifier not in in_sitemap(client, section)


@pytest.fixture
def catalogue():
    """Every way an authority can meet a record, public or not."""
    country = PlaceFactory(name="Test country", kind=PlaceKind.COUNTRY, identifier="test-country")
    krai = PlaceFactory(name="Test krai", kind=PlaceKind.KRAI, parent=country, identifier="test-krai")
    camp = PlaceFactory(name="Test camp", kind=PlaceKind.CAMP, parent=krai, identifier="test-camp")
    PlaceFactory(name="Test idle branch", kind=PlaceKind.CAMP_BRANCH, parent=camp, identifier="test-idle-branch")
    other = PlaceFactory(name="Test other region", kind=PlaceKind.REGION, parent=country, identifier="test-other")
    draft_camp = PlaceFactory(name="Test draft camp", kind=PlaceKind.CAMP, parent=other, identifier="test-draft-camp")
    PlaceFactory(name="Test unused place", identifier="test-unused-place")
    subject = SubjectFactory(label="Test public subject", identifier="test-public-subject")
    draft_subject = SubjectFactory(label="Test draft subject", identifier="test-draft-subject")
    SubjectFactory(label="Test unused subject", identifier="test-unused-subject")

    organisation = {"kind": AgentKind.ORGANISATION}
    author = AgentFactory(name="Test author", identifier="test-author")
    holder = AgentFactory(name="Test holder only", identifier="test-holder", **organisation)
    described = AgentFactory(name="Test described only", identifier="test-described", **organisation)
    draft_author = AgentFactory(name="Test draft author", identifier="test-draft-author")
    draft_holder = AgentFactory(name="Test draft holder", identifier="test-draft-holder", **organisation)
    draft_described = AgentFactory(name="Test draft described", identifier="test-draft-described", **organisation)
    AgentFactory(name="Test unused agent", identifier="test-unused-agent")

    public = titled("Test public record", repository=holder)
    public.places.add(camp)
    public.subjects.add(subject)
    link_agent(public, author)
    association = titled("Test association", kind=RecordKind.ASSOCIATION, described_agent=described)
    draft_association = titled("Test draft association", kind=RecordKind.ASSOCIATION, status=Status.DRAFT,
                               described_agent=draft_described)
    draft = titled("Test draft record", status=Status.DRAFT, repository=draft_holder)
    draft.places.add(draft_camp)
    draft.subjects.add(draft_subject)
    link_agent(draft, draft_author)
    reindex(public, association, draft_association, draft)


EXPECTED = {
    "agents": {"test-author", "test-holder", "test-described"},
    "places": {"test-country", "test-krai", "test-camp"},
    "subjects": {"test-public-subject"},
}


def test_a_repository_only_agent_is_in_the_sitemap(client, catalogue):
    assert page(client, "agents", "test-holder").status_code == 200
    assert "test-holder" in in_sitemap(client, "agents")


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_sitemap_lists_exactly_the_pages_that_answer(client, catalogue, section):
    model = {"agents": Agent, "places": Place, "subjects": Subject}[section]
    answering = {identifier for identifier in model.objects.values_list("identifier", flat=True)
                 if page(client, section, identifier).status_code == 200}
    assert answering == EXPECTED[section]
    assert in_sitemap(client, section) == answering
    for identifier in set(model.objects.values_list("identifier", flat=True)) - answering:
        assert_like_unknown(client, section, identifier)


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_sitemap_queries_do_not_grow_with_its_items(client, catalogue, section):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/sitemap-{section}.xml").status_code == 200
        return len(captured)

    before = queries()
    for number in range(3):
        record = titled(f"Test more {number}", repository=AgentFactory(kind=AgentKind.ORGANISATION))
        record.places.add(PlaceFactory())
        record.subjects.add(SubjectFactory())
        link_agent(record, AgentFactory())
        reindex(record)
    assert len(in_sitemap(client, section)) > len(EXPECTED[section])
    assert queries() == before


@pytest.mark.parametrize(("section", "identifier"), [
    ("agents", "test-draft-author"), ("agents", "test-draft-holder"), ("agents", "test-draft-described"),
    ("places", "test-draft-camp"),
    ("places", "test-other"), ("subjects", "test-draft-subject"), ("agents", "test-unused-agent"),
    ("places", "test-unused-place"), ("subjects", "test-unused-subject"),
])
def test_debug_404_pages_do_not_tell_unpublished_from_unknown(client, catalogue, settings, section, identifier):
    settings.DEBUG = True
    unknown = "test-zz-unknown"
    hidden, missing = page(client, section, identifier), page(client, section, unknown)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.content.replace(identifier.encode(), b"ID") == missing.content.replace(unknown.encode(), b"ID")
