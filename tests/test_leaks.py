"""Drafts, records in review and withdrawn records never show anywhere public."""

import pytest

from collection.models import Language, Record, Status
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db

HIDDEN = (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN)


@pytest.fixture(params=HIDDEN)
def hidden(request):
    """A public record and, beside it, an unpublished one sharing every authority."""
    place = PlaceFactory(name="Test place", identifier="test-place")
    subject = SubjectFactory(label="Test subject", identifier="test-subject")
    agent = AgentFactory(name="Test shared agent", identifier="test-agent")
    secret_agent = AgentFactory(name="Test secret agent", identifier="test-secret-agent")
    language = Language.objects.create(tag="ja")
    public = titled("Test public record", kind="memoir", date_edtf="1950")
    secret = titled("Test secretword record", kind="document", date_edtf="1970", status=request.param,
                    parent=public)
    for record in (public, secret):
        record.places.add(place)
        record.subjects.add(subject)
        record.languages.add(language)
        link_agent(record, agent)
    link_agent(secret, secret_agent)
    secret.repository = AgentFactory(name="Test secret archive", identifier="test-secret-archive")
    secret.save()
    reindex(public, secret)
    return public, secret


def test_lists_counts_and_facets(client, hidden):
    public, secret = hidden
    response = client.get("/en/records/")
    html = response.content.decode()
    assert response.context["paginator"].count == 1
    assert "secretword" not in html and "Test secret agent" not in html and "Test secret archive" not in html
    assert "1970" not in html and "document" not in {v.value for f in response.context["facets"] for v in f.values}


def test_search(client, hidden):
    assert client.get("/en/records/", {"q": "secretword"}).context["paginator"].count == 0
    assert client.get("/api/records/", {"q": "secretword"}).json()["count"] == 0


def test_record_page_citations_and_page_titles(client, hidden):
    public, secret = hidden
    for url in (f"/en/records/{secret.identifier}/", f"/en/records/{secret.identifier}/cite.bib",
                f"/en/records/{secret.identifier}/cite.ris", f"/en/records/{secret.identifier}/cite.json",
                f"/api/records/{secret.identifier}/"):
        response = client.get(url)
        gone = secret.status == Status.WITHDRAWN  # the API too: JSON 410 with the notice's facts
        assert response.status_code == (410 if gone else 404), url
        body = response.content
        assert b"Test secret agent" not in body and b"Test secret archive" not in body and b"1970" not in body
        if secret.status != Status.WITHDRAWN:
            # A withdrawal's tombstone names the title unless it was hidden (tests/test_tombstones.py).
            assert b"secretword" not in body


def test_child_records_on_the_parent_page(client, hidden):
    public, secret = hidden
    html = client.get(f"/en/records/{public.identifier}/").content.decode()
    assert "secretword" not in html and "Test secret agent" not in html


def test_agent_place_and_subject_pages(client, hidden):
    for url in ("/en/agents/test-agent/", "/en/places/test-place/", "/en/subjects/test-subject/"):
        html = client.get(url).content.decode()
        assert "secretword" not in html and "Test public record" in html, url
        assert "1 record" in html
    assert client.get("/en/agents/test-secret-agent/").status_code == 404
    assert client.get("/en/agents/test-secret-archive/").status_code == 404


def test_api_results_and_facets(client, hidden):
    data = client.get("/api/records/").json()
    assert data["count"] == 1 and data["facets"]["kind"] == {"memoir": 1}
    assert data["facets"]["decade"] == {"1950": 1}
    assert "test-secret-agent" not in data["facets"]["agent"]
    assert data["facets"]["repository"] == {}


def test_sitemap(client, hidden):
    public, secret = hidden
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-records.xml" in index and "sitemap-agents.xml" in index
    xml = "".join(client.get(f"/sitemap-{section}.xml").content.decode()
                  for section in ("records", "agents", "places", "subjects"))
    assert public.identifier in xml and secret.identifier not in xml
    assert "test-secret-agent" not in xml and "test-agent" in xml
    assert 'hreflang="ja"' in xml


def test_home_page(client, hidden):
    html = client.get("/en/").content.decode()
    assert "1970" not in html and "Browse 1 record" in html


def test_publishing_later_shows_it_everywhere_at_once(client, hidden):
    public, secret = hidden
    client.get("/en/records/")  # counts cached
    Record.objects.filter(pk=secret.pk).update(status=Status.PUBLISHED)
    assert client.get("/en/records/").context["paginator"].count == 2
    assert client.get("/en/records/", {"q": "secretword"}).context["paginator"].count == 1
