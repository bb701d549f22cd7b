"""Browse, record, authority and home pages in three languages."""

import re

import pytest

from collection.models import AgentKind, LabelForm, RecordKind, Status
from tests.factories import AgentFactory, PlaceFactory, SubjectFactory, add_title, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


def test_root_redirects_by_accept_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru").headers["Location"] == "/ru/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5").headers["Location"] == "/ja/"
    assert client.get("/records/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/en/records/"


def test_titles_in_the_page_language_with_the_original_beside(client):
    record = titled("テスト原題", "ja")
    add_title(record, "Test translated title", "en", form=LabelForm.TRANSLATION)
    english = client.get("/en/records/").content.decode()
    assert "Test translated title" in english and "テスト原題" in english
    russian = client.get("/ru/records/").content.decode()
    assert "テスト原題" in russian  # no Russian title: the original


def test_sorting_by_title_and_date_both_ways(client):
    old = titled("Test B", date_edtf="1946")
    new = titled("Test A", date_edtf="1990")
    undated = titled("Test C")

    def order(sort):
        return [r.identifier for r in client.get("/en/records/", {"sort": sort}).context["records"]]

    assert order("title") == [new.identifier, old.identifier, undated.identifier]
    assert order("-title") == [undated.identifier, old.identifier, new.identifier]
    assert order("date")[:2] == [old.identifier, new.identifier]
    assert order("-date")[:2] == [new.identifier, old.identifier]


def test_relevance_puts_title_matches_first(client):
    in_description = titled("Test other")
    in_description.descriptions.create(language="en", text="mentions zebra")
    reindex(in_description)
    in_title = titled("Test zebra")
    records = client.get("/en/records/", {"q": "zebra"}).context["records"]
    assert [r.identifier for r in records] == [in_title.identifier, in_description.identifier]


def test_pagination_keeps_filters(client):
    for number in range(3):
        titled(f"Test paged {number}", kind=RecordKind.MEMOIR)
    response = client.get("/en/records/", {"kind": "memoir", "page_size": 2})
    assert response.context["next_url"] == "?kind=memoir&page_size=2&page=2"
    assert len(client.get("/en/records/" + response.context["next_url"]).context["records"]) == 1


def test_language_switcher_keeps_page_and_filters(client):
    titled("Test switch", kind=RecordKind.MEMOIR)
    html = client.get("/en/records/?kind=memoir&q=switch").content.decode()
    assert 'href="/ja/records/?kind=memoir&amp;q=switch"' in html
    assert 'hreflang="ru" href="http://testserver/ru/records/?kind=memoir&amp;q=switch"' in html


def test_pages_name_their_language_neutral_address_as_the_sitemap_does(client):
    record = titled("Test neutral", kind=RecordKind.MEMOIR)
    html = client.get(f"/ru/records/{record.identifier}/").content.decode()
    neutral = f"http://testserver/records/{record.identifier}/"
    assert f'<link rel="alternate" hreflang="x-default" href="{neutral}">' in html
    assert f'hreflang="x-default" href="{neutral}"' in client.get("/sitemap-records.xml").content.decode()
    assert client.get(neutral, HTTP_ACCEPT_LANGUAGE="ja").headers["Location"] == f"/ja/records/{record.identifier}/"
    browse = client.get("/en/records/?kind=memoir&q=neutral").content.decode()
    assert 'hreflang="x-default" href="http://testserver/records/?kind=memoir&amp;q=neutral"' in browse


def test_record_page_shows_every_title_marked_and_metadata(client):
    record = titled("テスト記録", "ja", kind=RecordKind.MEMOIR, date_edtf="1950", isbn="978-0-00-000000-2")
    add_title(record, "てすときろく", "ja-Hrkt", form=LabelForm.READING)
    add_title(record, "Test record", "en", form=LabelForm.TRANSLATION, our_translation=True)
    author = AgentFactory(name="Test author")
    link_agent(record, author)
    html = client.get(f"/en/records/{record.identifier}/").content.decode()
    for text in ("テスト記録", "てすときろく", "reading", "our translation", "Test author", "978-0-00-000000-2",
                 'name="citation_title" content="テスト記録"', 'name="DC.creator"', "cite.bib", "cite.ris"):
        assert text in html, text


def test_authority_pages_list_published_records(client):
    place = PlaceFactory(name="Test place", identifier="test-place")
    record = titled("Test in place")
    record.places.add(place)
    reindex(record)
    html = client.get("/ru/places/test-place/").content.decode()
    assert "Test in place" in html and "?place=test-place" in html
    assert "Test place" in html  # the place's own names are listed


def test_subject_page_lists_its_labels_and_records(client):
    subject = SubjectFactory(label="Test forced labour", identifier="test-labour")
    record = titled("Test on labour")
    record.subjects.add(subject)
    reindex(record)
    html = client.get("/en/subjects/test-labour/").content.decode()
    assert "Test forced labour" in html and "Test on labour" in html and "?subject=test-labour" in html


def test_repository_page_links_its_holdings(client):
    archive = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION)
    titled("Test held record", repository=archive)
    html = client.get("/en/agents/test-archive/").content.decode()
    assert "Test archive" in html
    assert "1 record held here" in html and "?repository=test-archive" in html


def test_an_archive_no_record_names_links_its_holdings_not_an_empty_browse(client):
    archive = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION)
    titled("Test held record", repository=archive)
    html = client.get("/en/agents/test-archive/").content.decode()
    assert "?repository=test-archive" in html
    assert "?agent=test-archive" not in html  # no record names it: browsing by it would be refused
    assert client.get("/en/records/", {"repository": "test-archive"}).context["paginator"].count == 1
    refused = client.get("/en/records/", {"agent": "test-archive"})
    assert refused.status_code == 400 and "not one of the choices" in refused.content.decode()


def test_home_page_has_search_and_top_facets(client):
    titled("Test home", kind=RecordKind.MEMOIR)
    html = client.get("/ja/").content.decode()
    assert 'type="search"' in html and "/ja/records/?kind=memoir" in html


def test_pages_carry_no_inline_script_or_style_and_a_strict_policy(client):
    record = titled("Test csp")
    for url in ("/en/", "/en/records/", f"/en/records/{record.identifier}/"):
        response = client.get(url)
        html = response.content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html and "onclick" not in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "http://" not in html.split("<body>")[0].replace("http://testserver", "")


def test_bad_filter_values_are_reported_not_crashing(client):
    response = client.get("/en/records/", {"kind": "poem", "decade": "abc"})
    assert response.status_code == 400
    assert "not one of the choices" in response.content.decode()


def test_withdrawn_record_page_is_not_found(client):
    record = titled("Test gone", status=Status.WITHDRAWN)
    assert client.get(f"/en/records/{record.identifier}/").status_code in (404, 410)


def test_the_years_form_reads_as_a_range_in_each_language(client):
    titled("Test dated", date_edtf="1950")
    labels = {}
    for language in ("ja", "ru", "en"):
        html = client.get(f"/{language}/records/").content.decode()
        labels[language] = (re.search(r'<label for="year_from">([^<]+)</label>', html).group(1),
                            re.search(r'<label for="year_to">([^<]+)</label>', html).group(1))
    # Not 自 … 至 …, as a legal form writes it, nor От … до …: the years a record is dated within.
    assert labels == {"ja": ("開始年", "終了年"), "ru": ("С", "по"), "en": ("From", "to")}
