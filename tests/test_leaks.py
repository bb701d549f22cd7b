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
        # Never published, in whatever state it was made (withdrawn too, as an import may make it): answered as
        # an identifier never given. A withdrawal's notice is for what was public (tests/test_tombstones.py).
        assert response.status_code == 404, url
        body = response.content
        assert b"Test secret agent" not in body and b"Test secret archive" not in body and b"1970" not in body
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
    labelled = {name: [(v["value"], v["label"], v["count"]) for v in facet["values"]]
                for name, facet in data["facet_values"].items()}
    assert labelled["kind"] == [("memoir", "memoir", 1)] and labelled["decade"] == [("1950", "1950s", 1)]
    assert labelled["agent"] == [("test-agent", "Test shared agent", 1)] and labelled["repository"] == []
    assert labelled["place"] == [("test-place", "Test place", 1)]


def test_authority_api(client, hidden):
    for section, identifier in (("agents", "test-agent"), ("places", "test-place"), ("subjects", "test-subject")):
        response = client.get(f"/api/{section}/{identifier}/")
        assert response.json()["record_count"] == 1, section
        assert client.get(response.json()["records"]).json()["count"] == 1, section
        assert b"secret" not in response.content
    assert client.get("/api/agents/test-agent/").json()["holdings_count"] == 0
    for identifier in ("test-secret-agent", "test-secret-archive"):
        assert client.get(f"/api/agents/{identifier}/").json() == {"identifier": identifier, "status": "not_found"}


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


@pytest.fixture
def only_unpublished(hidden):
    """Beside the shared entries, a place, a subject and a language only the unpublished record has (as the
    secret agent and archive are), and an archive holding the public record."""
    public, secret = hidden
    secret.places.add(PlaceFactory(name="Test secret place", identifier="test-secret-place"))
    secret.subjects.add(SubjectFactory(label="Test secret subject", identifier="test-secret-subject"))
    secret.languages.add(Language.objects.create(tag="de"))
    public.repository = AgentFactory(name="Test public archive", identifier="test-public-archive")
    public.save()
    reindex(public, secret)
    return public, secret


# (parameter, an entry only the unpublished record has, one the public record has)
UNPUBLISHED_ONLY = [("place", "test-secret-place", "test-place"), ("subject", "test-secret-subject", "test-subject"),
                    ("agent", "test-secret-agent", "test-agent"), ("repository", "test-secret-archive",
                                                                   "test-public-archive"),
                    ("language", "de", "ja")]


@pytest.mark.parametrize(("name", "unseen", "public_value"), UNPUBLISHED_ONLY)
def test_an_entry_only_unpublished_records_have_answers_as_one_that_does_not_exist(client, only_unpublished, name,
                                                                                   unseen, public_value):
    def answer(url, value, *beside, **params):
        response = client.get(url, {name: [*beside, value], **params})
        # The value given is named in the notice (“…”, 「…」 in Japanese); nothing else may differ.
        body = response.content.decode().replace(f"“{value}”", "“VALUE”").replace(f"「{value}」", "「VALUE」")
        return response.status_code, body

    for url in ("/en/records/", "/api/records/", "/ja/records/"):
        for params in ({}, {"kind": "memoir"}, {"page_size": "1", "sort": "-date"}):
            unpublished = answer(url, unseen, **params)
            assert unpublished == answer(url, "zz-no-such-entry", **params), (url, params)
            assert unpublished[0] == 400
        # Beside an entry the public can see: left out in the same way, the other applied.
        unpublished = answer(url, unseen, public_value)
        assert unpublished == answer(url, "zz-no-such-entry", public_value), url
        assert unpublished[0] == 200 and "VALUE" in unpublished[1]
    # The filter set on its own (a site's code) checks the same way through the database.
    from django.http import QueryDict
    from django.utils import translation

    from collection.filters import RecordFilterSet

    def checked(value):
        filterset = RecordFilterSet(QueryDict(f"{name}={public_value}&{name}={value}"))
        with translation.override("en"):
            problems = {key: [m.replace(f"“{value}”", "“VALUE”") for m in messages]
                        for key, messages in filterset.problems().items()}
        return problems, list(filterset.qs)

    assert checked(unseen) == checked("zz-no-such-entry")
    assert checked(unseen)[0] == {name: ["“VALUE” is not one of the choices."]}


def test_an_entry_published_later_is_chosen_at_once(client, only_unpublished):
    public, secret = only_unpublished
    assert client.get("/en/records/", {"place": "test-secret-place"}).status_code == 400
    Record.objects.filter(pk=secret.pk).update(status=Status.PUBLISHED)
    response = client.get("/en/records/", {"place": "test-secret-place"})
    assert response.status_code == 200 and response.context["paginator"].count == 1
    assert client.get("/api/records/", {"agent": "test-secret-agent"}).json()["count"] == 1


# --- identifiers: a record the public never saw is never told apart from one never given -------------------------


def _as_unknown(client, url, given, unknown):
    """The answer to ``url`` with ``given`` in it, and to the same URL naming ``unknown``, identifiers masked."""
    def masked(response, identifier):
        return (response.status_code, response.get("Location"),
                response.content.replace(identifier.encode(), b"ID"), response.get("Cache-Control"))

    return masked(client.get(url.format(given)), given), masked(client.get(url.format(unknown)), unknown)


PUBLIC_URLS = ["/en/records/{}/", "/ja/records/{}/", "/ru/records/{}/", "/en/records/{}/cite.bib",
               "/ja/records/{}/cite.ris", "/ru/records/{}/cite.json", "/api/records/{}/"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, "deleted"])
def test_an_identifier_the_public_never_saw_answers_as_one_never_given_in_any_case(client, dana, status):
    record = titled("Test secretword record", status=Status.DRAFT if status == "deleted" else status,
                    identifier="mem-secret-7")
    if status == "deleted":
        record.purge(dana, "Duplicate entry.")
    for given in ("mem-secret-7", "MEM-SECRET-7", "Mem-Secret-7"):
        for url in PUBLIC_URLS:
            answer, unknown = _as_unknown(client, url, given, given.replace("7", "9"))
            assert answer == unknown, (url, given)
            assert answer[0] == 404 and b"secretword" not in answer[2], (url, given)


def test_a_deleted_record_once_published_keeps_its_notice_in_any_case(client, dana):
    titled("Test public record", identifier="mem-public-7").purge(dana, "Duplicate entry.")
    assert client.get("/en/records/mem-public-7/").status_code == 410
    assert client.get("/en/records/MEM-PUBLIC-7/")["Location"] == "/en/records/mem-public-7/"
    assert client.get("/api/records/mem-public-7/").json()["status"] == "deleted"


# --- search: a year, the names of the places around a draft's place ----------------------------------------------


def test_a_year_or_a_region_searched_finds_no_unpublished_record(client, hidden):
    public, secret = hidden
    country = PlaceFactory(name="Test secret country", identifier="test-secret-country")
    region = PlaceFactory(name="Test hidden region", identifier="test-hidden-region", parent=country)
    secret.places.add(PlaceFactory(name="Test hidden camp", identifier="test-hidden-camp", parent=region))
    reindex(secret)
    for q in ("1970", "Test public 1970", "secretword 1970", "hidden region", "secret country", "hidden camp"):
        for language in ("en", "ja", "ru"):
            assert client.get(f"/{language}/records/", {"q": q}).context["paginator"].count == 0, (q, language)
            data = client.get("/api/records/", {"q": q}, HTTP_ACCEPT_LANGUAGE=language).json()
            assert data["count"] == 0 and data["facets"]["place"] == {}, (q, language)
    assert client.get("/api/records/", {"q": "1950"}).json()["count"] == 1
    for identifier in ("test-secret-country", "test-hidden-region", "test-hidden-camp"):
        assert client.get(f"/api/places/{identifier}/").status_code == 404
        assert client.get(f"/en/places/{identifier}/").status_code == 404


# --- the admin: a deletion refused names records only to those who may view them ---------------------------------


@pytest.fixture
def place_keeper(db):
    """A staff member who may view and delete places and subjects, and may not view records."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username="place-keeper", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_place", "delete_place", "view_subject", "delete_subject"]))
    return type(user).objects.get(pk=user.pk)


def test_a_refused_deletion_names_no_record_to_one_who_may_not_view_records(hidden, place_keeper, dana, login):
    from collection.models import Place, Subject

    public, secret = hidden
    for entry in (Place.objects.get(identifier="test-place"), Subject.objects.get(identifier="test-subject")):
        url = f"/admin/collection/{entry._meta.model_name}/{entry.pk}/delete/"
        page = login(place_keeper).get(url).content.decode()
        assert "protected related objects" in page and "Records: 2" in page, url
        for told in (secret.identifier, public.identifier, "secretword", "Test public record"):
            assert told not in page, (url, told)
        login(place_keeper).post(url, {"post": "yes"})
        assert type(entry).objects.filter(pk=entry.pk).exists()
        assert secret.identifier in login(dana).get(url).content.decode()  # a manager sees which


@pytest.mark.parametrize("who", ["anonymous", "staff without permissions", "place keeper"])
def test_record_titles_are_not_listed_by_an_autocomplete_to_one_who_may_not_view_records(client, hidden, login,
                                                                                            place_keeper, alice, who):
    from tests.factories import UserFactory

    asker = {"anonymous": client, "place keeper": login(place_keeper),
             "staff without permissions": login(UserFactory(username="bare-staff", is_staff=True))}[who]
    for admin_model in ("record", "place", "subject", "agent"):
        for source, field in (("record", "parent"), ("recordimage", "record"), ("title", "record"),
                              ("recordagent", "record")):
            response = asker.get(f"/admin/collection/{admin_model}/autocomplete/", {
                "term": "secretword", "app_label": "collection", "model_name": source, "field_name": field})
            assert response.status_code == (302 if who == "anonymous" else 403), (admin_model, source)
            assert b"Test secretword record" not in response.content  # the term itself is echoed in links
    # A contributor, who may view records in the admin, is offered it.
    offered = login(alice).get("/admin/collection/record/autocomplete/", {
        "term": "secretword", "app_label": "collection", "model_name": "record", "field_name": "parent"})
    assert "Test secretword record" in offered.json()["results"][0]["text"]
