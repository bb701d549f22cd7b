"""The browse page's forms and links carry its whole state on, and nothing it could not use."""

import re
from html import unescape

import pytest

from collection.models import RecordKind

from .factories import titled

pytestmark = pytest.mark.django_db


@pytest.fixture
def pows():
    return [titled(f"Test POW {number}", kind=RecordKind.MEMOIR, date_edtf=str(1946 + number)) for number in range(5)]


def form_inputs(html, css_class):
    form = re.search(rf'<form class="{css_class}".*?</form>', html, re.S)
    assert form, css_class
    return [(name, unescape(value)) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0))]


def links(html):
    """Every link of the page, the language switcher's and the alternates' included."""
    return [unescape(href) for href in re.findall(r'<[^>]*href="([^"]*)"[^>]*>', html)]


def test_the_years_form_keeps_the_sort_and_the_page_size(client, pows):
    html = client.get("/en/records/?q=POW&sort=-date&page_size=2&kind=memoir").content.decode()
    assert sorted(form_inputs(html, "year-range")) == [("kind", "memoir"), ("page_size", "2"), ("q", "POW"),
                                                       ("sort", "-date")]
    # The search form starts a new search in its own order; the sort form sets the sort.
    assert ("sort", "-date") not in form_inputs(html, "search")
    assert ("page_size", "2") in form_inputs(html, "search")
    assert [name for name, _v in form_inputs(html, "sort")].count("sort") == 0


def test_clear_all_keeps_the_search_the_sort_and_the_page_size(client, pows):
    response = client.get("/en/records/", {"q": "POW", "sort": "-date", "page_size": "2", "kind": "memoir",
                                           "decade": "1940"})
    assert response.context["clear_all_url"] == "?q=POW&sort=-date&page_size=2"
    html = response.content.decode()
    assert 'class="clear-all" href="/en/records/?q=POW&amp;sort=-date&amp;page_size=2"' in html
    # With nothing to keep, the bare page.
    assert client.get("/en/records/", {"kind": "memoir"}).context["clear_all_url"] == ""


def test_an_invalid_filter_is_reported_once_not_carried_on(client, pows):
    response = client.get("/en/records/", {"decade": "abc", "kind": "memoir", "page_size": "2", "sort": "-date"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errors" role="alert"' in html and "Decade:" in html  # the error is still said
    assert all("decade=abc" not in link for link in links(html))
    # This page in Japanese, without what it could not use.
    assert 'href="/ja/records/?kind=memoir&amp;page_size=2&amp;sort=-date" hreflang="ja"' in html
    for form in ("search", "sort", "year-range"):
        assert ("decade", "abc") not in form_inputs(html, form)
    assert response.context["next_url"] == "?kind=memoir&page_size=2&sort=-date&page=2"
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert all("abc" not in value.url for facet in facets.values() for value in facet.values)
    assert "abc" not in facets["kind"].clear_url
    # Following any link of the page no longer brings the error back.
    assert client.get("/en/records/" + response.context["next_url"]).status_code == 200
    assert client.get("/en/records/" + facets["kind"].clear_url).status_code == 200


def test_an_unknown_sort_or_page_size_is_not_carried_on(client, pows):
    response = client.get("/en/records/", {"sort": "sideways", "page_size": "many", "kind": "memoir"})
    assert response.status_code == 200
    assert response.context["hidden_params"] == [("kind", "memoir")]
    oversized = client.get("/en/records/", {"page_size": "5000", "kind": "memoir"})
    assert ("page_size", "100") in oversized.context["hidden_params"]


def test_a_year_range_ending_before_it_starts_is_an_error_naming_both_fields(client, pows):
    response = client.get("/en/records/", {"year_from": "2010", "year_to": "1990", "sort": "-date"})
    assert response.status_code == 400
    errors = dict(response.context["filterset"].labelled_errors())
    assert errors == {"To year": ["“To year” (1990) is earlier than “From year” (2010)."]}
    # Neither bound applies, and neither is carried on by the links; the years form shows them to correct.
    assert response.context["paginator"].count == len(pows)
    html = response.content.decode()
    assert all("year_" not in link for link in links(html))
    assert ("sort", "-date") in form_inputs(html, "year-range")
    assert 'name="year_from" type="number" inputmode="numeric" min="0" max="3000" value="2010"' in html
    # A range of one year is fine.
    one_year = client.get("/en/records/", {"year_from": "1947", "year_to": "1947"})
    assert one_year.status_code == 200 and one_year.context["paginator"].count == 1


def test_the_api_reports_the_year_range_error_too(client, pows):
    response = client.get("/api/records/", {"year_from": "2010", "year_to": "1990"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"year_to": ["“To year” (1990) is earlier than “From year” (2010)."]}


def test_the_language_links_show_the_same_page_of_the_same_state(client, pows):
    html = client.get("/en/records/", {"kind": "memoir", "page_size": "2", "page": "2",
                                       "year_from": "1950.5"}).content.decode()
    switch = [link for link in links(html) if link.startswith("/ru/records/")]
    assert switch == ["/ru/records/?kind=memoir&page_size=2&page=2"]  # the bad year left behind
    alternates = re.findall(r'<link rel="alternate" hreflang="ru" href="([^"]*)"', html)
    assert [unescape(href) for href in alternates] == ["http://testserver/ru/records/?kind=memoir&page_size=2&page=2"]
