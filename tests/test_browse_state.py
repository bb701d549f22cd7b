"""The browse page's forms and links carry its whole state on, and nothing it could not use."""

import re
from html import unescape

import pytest

from collection.models import AgentKind, Language, RecordKind, Status

from .factories import AgentFactory, PlaceFactory, SubjectFactory, link_agent, reindex, titled

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def pows(class_data):
    return [titled(f"Test POW {number}", kind=RecordKind.MEMOIR, date_edtf=str(1946 + number)) for number in range(5)]


def form_inputs(html, css_class):
    form = re.search(rf'<form class="{css_class}".*?</form>', html, re.S)
    assert form, css_class
    return [(name, unescape(value)) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0))]


def links(html):
    """Every link of the page, the language switcher's and the alternates' included."""
    return [unescape(href) for href in re.findall(r'<[^>]*href="([^"]*)"[^>]*>', html)]


class TestStateCarriedOn:
    """Five published memoirs, one a year from 1946."""

    def test_the_years_form_keeps_the_sort_and_the_page_size(self, client, pows):
        html = client.get("/en/records/?q=POW&sort=-date&page_size=2&kind=memoir").content.decode()
        assert sorted(form_inputs(html, "year-range")) == [("kind", "memoir"), ("page_size", "2"), ("q", "POW"),
                                                           ("sort", "-date")]
        # The search form starts a new search in its own order; the sort form sets the sort.
        assert ("sort", "-date") not in form_inputs(html, "search")
        assert ("page_size", "2") in form_inputs(html, "search")
        assert [name for name, _v in form_inputs(html, "sort")].count("sort") == 0

    def test_clear_all_keeps_the_search_the_sort_and_the_page_size(self, client, pows):
        response = client.get("/en/records/", {"q": "POW", "sort": "-date", "page_size": "2", "kind": "memoir",
                                               "decade": "1940"})
        assert response.context["clear_all_url"] == "?q=POW&sort=-date&page_size=2"
        html = response.content.decode()
        assert 'class="clear-all" href="/en/records/?q=POW&amp;sort=-date&amp;page_size=2"' in html
        # With nothing to keep, the bare page.
        assert client.get("/en/records/", {"kind": "memoir"}).context["clear_all_url"] == ""

    def test_an_invalid_filter_is_reported_once_not_carried_on(self, client, pows):
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

    def test_an_unknown_sort_or_page_size_is_not_carried_on(self, client, pows):
        response = client.get("/en/records/", {"sort": "sideways", "page_size": "many", "kind": "memoir"})
        assert response.status_code == 400
        assert response.context["hidden_params"] == [("kind", "memoir")]
        oversized = client.get("/en/records/", {"page_size": "5000", "kind": "memoir"})
        assert ("page_size", "100") in oversized.context["hidden_params"]

    def test_a_page_beyond_the_last_is_not_found(self, client, pows):
        assert len(client.get("/en/records/", {"page_size": "2", "page": "3"}).context["records"]) == 1
        response = client.get("/en/records/", {"page_size": "2", "page": "4", "kind": "memoir"})
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html
        assert "no-cache" in response["Cache-Control"]
        # It says which page there is, and leads to it with the same filters.
        assert "There is no page 4; the last is page 3." in html
        assert links(html).count("?page_size=2&kind=memoir&page=3") == 1
        russian = client.get("/ru/records/", {"page_size": "2", "page": "9"}).content.decode()
        assert "Страницы 9 нет; последняя — страница 3." in russian
        assert "Перейти на последнюю страницу" in russian
        # The first page of no records is the page saying so.
        nothing = client.get("/en/records/", {"q": "nothing-matches-this"})
        assert nothing.status_code == 200 and "No records match." in nothing.content.decode()
        assert client.get("/en/records/", {"q": "nothing-matches-this", "page": "2"}).status_code == 404

    def test_no_results_under_filters_offer_the_search_without_them(self, client, pows):
        # The words find records, the filters leave none: the way out keeps the words and drops the filters.
        html = client.get("/en/records/", {"q": "POW", "kind": "document", "sort": "-date"}).content.decode()
        assert "No records match." in html
        link = re.search(r'<li class="no-results">.*?<a href="([^"]+)">([^<]+)</a>', html, re.S)
        assert unescape(link.group(1)) == "/en/records/?q=POW&sort=-date"
        assert link.group(2) == "Search all records for “POW”, without the filters"
        assert len(client.get(unescape(link.group(1))).context["records"]) == 5
        japanese = client.get("/ja/records/", {"kind": "document"}).content.decode()
        assert "絞り込みを解除してすべての資料を表示" in japanese
        # Words alone that find nothing: every word must be found, so fewer words may.
        russian = client.get("/ru/records/", {"q": "POW nothing-matches-this"}).content.decode()
        assert "Запись должна содержать каждое слово запроса" in russian

    @pytest.mark.parametrize(("params", "label", "message"), [
        ({"page": "abc"}, "Page", "Enter a whole number."),
        ({"page": "0"}, "Page", "Ensure this value is greater than or equal to 1."),
        ({"page_size": "0"}, "Records per page", "Ensure this value is greater than or equal to 1."),
        ({"page_size": "-1"}, "Records per page", "Ensure this value is greater than or equal to 1."),
    ])
    def test_a_page_or_page_size_not_understood_is_named_and_the_first_page_shown(
            self, client, pows, params, label, message):
        response = client.get("/en/records/", {"kind": "memoir", "sort": "date", **params})
        assert response.status_code == 400
        errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
        assert f"<li>{label}: {message}</li>" in errors
        # The first page of the default size, and no link carries the value on.
        assert [record.identifier for record in response.context["records"]] == [pow.identifier for pow in pows]
        assert response.context["state"].urlencode() == "kind=memoir&sort=date"

    def test_a_sort_not_a_choice_is_named_and_the_default_order_used(self, client, pows):
        def notice(response):
            return response.content.decode().split('class="errors"')[1].split("</div>")[0]

        response = client.get("/en/records/", {"sort": "sideways", "kind": "memoir"})
        assert response.status_code == 200
        assert "<li>Sort by: “sideways” is not one of the choices.</li>" in notice(response)
        assert response.context["sort"] == "title" and response.context["state"].urlencode() == "kind=memoir"
        searched = client.get("/en/records/", {"q": "POW", "sort": "sideways"})
        assert searched.context["sort"] == "relevance" and "<li>Sort by: " in notice(searched)
        # Relevance without a search is the default order, not a mistake.
        for sort in ("-date", "relevance"):
            assert 'class="errors"' not in client.get("/en/records/", {"sort": sort}).content.decode(), sort
        # A NUL is refused in the sort as in every filter, and not shown back.
        refused = client.get("/en/records/?sort=x%00y")
        assert refused.status_code == 400 and "<li>Sort by: Null characters are not allowed.</li>" in notice(refused)
        assert "\x00" not in refused.content.decode()

    def test_a_search_of_more_words_than_are_searched_says_so(self, client, pows):
        # Twelve words as the search counts them, hyphens parting them, and one more.
        query = "test-POW " * 6 + "nothing"
        response = client.get("/en/records/", {"q": query})
        assert response.status_code == 200 and response.context["paginator"].count == len(pows)
        errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
        assert "<li>Search: Only the first 12 words were searched.</li>" in errors
        assert response.context["state"]["q"] == query  # the search as typed, to be shortened by the reader
        twelve = client.get("/en/records/", {"q": "test-POW " * 6})
        assert twelve.context["paginator"].count == len(pows) and 'class="errors"' not in twelve.content.decode()

    @pytest.mark.parametrize("query", ["%", "*", "— !"])
    def test_a_search_of_no_letters_or_digits_says_it_searched_nothing(self, client, pows, query):
        response = client.get("/en/records/", {"q": query, "kind": "memoir"})
        assert response.status_code == 200 and response.context["paginator"].count == len(pows)
        errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
        assert f"<li>Search: “{query}” has no letters or digits to search for, and was left out.</li>" in errors
        russian = client.get("/ru/records/", {"q": query}).content.decode()
        assert f"В «{query}» нет букв или цифр для поиска; поиск не выполнялся." in russian
        assert client.get("/api/records/", {"q": query}).json()["errors"] == {
            "q": [f"“{query}” has no letters or digits to search for, and was left out."]}
        assert 'class="errors"' not in client.get("/en/records/", {"q": "POW"}).content.decode()

    def test_a_search_longer_than_200_characters_is_refused_and_carried_on_by_no_link(self, client, pows):
        response = client.get("/en/records/", {"q": "POW" * 1000, "kind": "memoir"})
        assert response.status_code == 400
        html = response.content.decode()
        errors = html.split('class="errors"')[1].split("</div>")[0]
        assert "<li>Search: Ensure this value has at most 200 characters (it has 3000).</li>" in errors
        assert "POWPOW" not in html and len(html) < 100_000
        assert response.context["paginator"].count == len(pows)
        assert response.context["state"].urlencode() == "kind=memoir"
        assert client.get("/en/records/", {"q": "POW " + "x" * 196}).status_code == 200

    def test_the_search_boxes_take_at_most_200_characters(self, client, pows):
        box = '<input id="q" name="q" type="search" maxlength="200"'
        for url in ("/en/", "/en/records/", "/en/records/test-nothing-here/"):
            assert box in client.get(url).content.decode(), url

    def test_a_year_range_ending_before_it_starts_is_an_error_naming_both_fields(self, client, pows):
        response = client.get("/en/records/", {"year_from": "2010", "year_to": "1990", "sort": "-date"})
        assert response.status_code == 400
        errors = dict(response.context["labelled_problems"])
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

    def test_the_api_reports_the_year_range_error_too(self, client, pows):
        response = client.get("/api/records/", {"year_from": "2010", "year_to": "1990"})
        assert response.status_code == 400
        assert response.json()["errors"] == {"year_to": ["“To year” (1990) is earlier than “From year” (2010)."]}

    def test_the_language_links_show_the_same_page_of_the_same_state(self, client, pows):
        html = client.get("/en/records/", {"kind": "memoir", "page_size": "2", "page": "2",
                                           "year_from": "1950.5"}).content.decode()
        switch = [link for link in links(html) if link.startswith("/ru/records/")]
        assert switch == ["/ru/records/?kind=memoir&page_size=2&page=2"]  # the bad year left behind
        alternates = re.findall(r'<link rel="alternate" hreflang="ru" href="([^"]*)"', html)
        assert [unescape(href) for href in alternates] == ["http://testserver/ru/records/?kind=memoir&page_size=2&page=2"]


# --- a kind or decade that is not one of the choices -----------------------------------------------


@pytest.fixture
def document_and_draft():
    """Beside the memoirs: a document of the 1940s, and a draft memoir no count may show."""
    titled("Test POW document", kind=RecordKind.DOCUMENT, date_edtf="1945")
    titled("Test POW draft", kind=RecordKind.MEMOIR, date_edtf="1947", status=Status.DRAFT)


class TestValuesNotAChoice:
    """The memoirs, a document of the 1940s and a draft memoir no count may show."""

    def test_a_kind_or_decade_not_a_choice_is_left_out_and_the_others_apply(self, client, pows, document_and_draft):
        response = client.get("/en/records/?kind=memoir&kind=bogus&decade=1940&decade=19x0&page_size=2&sort=date")
        assert response.status_code == 200
        # The memoirs of the 1940s, not every record.
        assert response.context["paginator"].count == 4
        assert [record.identifier for record in response.context["records"]] == [pow.identifier for pow in pows[:2]]
        facets = {facet.name: facet for facet in response.context["facets"]}
        assert facets["kind"].selected == ["memoir"] and facets["decade"].selected == ["1940"]
        assert {value.value: value.count for value in facets["kind"].values} == {"memoir": 4, "document": 1}
        assert {value.value: value.count for value in facets["decade"].values} == {"1940": 4, "1950": 1}
        errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
        assert "<li>Kind: “bogus” is not one of the choices.</li>" in errors
        assert "<li>Decade: “19x0” is not one of the choices.</li>" in errors

    def test_links_drop_the_value_not_a_choice_and_keep_the_others(self, client, pows, document_and_draft):
        response = client.get("/en/records/?kind=memoir&kind=bogus&decade=1940&decade=19x0&page_size=2&sort=date")
        html = response.content.decode()
        assert all("bogus" not in link and "19x0" not in link for link in links(html))
        assert response.context["next_url"] == "?kind=memoir&decade=1940&page_size=2&sort=date&page=2"
        assert 'href="/ja/records/?kind=memoir&amp;decade=1940&amp;page_size=2&amp;sort=date" hreflang="ja"' in html
        facets = {facet.name: facet for facet in response.context["facets"]}
        assert facets["kind"].clear_url == "?decade=1940&page_size=2&sort=date"
        assert facets["decade"].clear_url == "?kind=memoir&page_size=2&sort=date"
        document = next(value for value in facets["kind"].values if value.value == "document")
        assert document.url == "?kind=memoir&kind=document&decade=1940&page_size=2&sort=date"
        for form in ("search", "sort", "year-range"):
            inputs = form_inputs(html, form)
            assert ("kind", "memoir") in inputs and ("decade", "1940") in inputs
            assert ("kind", "bogus") not in inputs and ("decade", "19x0") not in inputs
        # A link followed: the same records, and nothing left to say.
        followed = client.get("/en/records/" + response.context["next_url"])
        assert followed.status_code == 200 and followed.context["paginator"].count == 4
        assert 'class="errors"' not in followed.content.decode()

    @pytest.mark.parametrize(("language", "line"), [
        ("ja", "<li>区分：「bogus」は選択肢にありません。</li>"),
        ("ru", "<li>Вид: «bogus» нет среди допустимых значений.</li>"),
    ])
    def test_the_value_left_out_is_named_under_the_filters_label_in_the_page_language(
            self, client, pows, document_and_draft, language, line):
        response = client.get(f"/{language}/records/", {"kind": ["memoir", "bogus"]})
        assert response.context["paginator"].count == len(pows)  # the memoirs only
        assert line in response.content.decode().split('class="errors"')[1].split("</div>")[0]

    def test_a_kind_with_no_value_a_choice_is_not_applied_and_names_every_value(self, client, pows, document_and_draft):
        response = client.get("/en/records/", {"kind": ["bogus", "poem"], "decade": "1940"})
        assert response.status_code == 400
        assert response.context["paginator"].count == 5  # every record of the 1940s, of any kind
        assert dict(response.context["labelled_problems"]) == {
            "Kind": ["“bogus” is not one of the choices.", "“poem” is not one of the choices."]}
        html = response.content.decode()
        assert 'class="errors" role="alert"' in html
        assert all("bogus" not in link and "poem" not in link for link in links(html))
        assert response.context["state"].urlencode() == "decade=1940"

    def test_other_errors_still_leave_their_whole_filter_out(self, client, pows, document_and_draft):
        response = client.get("/en/records/", {"kind": ["memoir", "bogus"], "year_from": "19x0"})
        assert response.status_code == 400
        assert response.context["paginator"].count == len(pows)  # the memoirs, of any year
        assert dict(response.context["labelled_problems"]) == {
            "Kind": ["“bogus” is not one of the choices."], "From year": ["Enter a whole number."]}
        assert response.context["state"].urlencode() == "kind=memoir"
        # More values than a filter takes: the filter is not applied, though one of them is a choice.
        too_many = client.get("/en/records/", {"kind": ["memoir", *(f"bogus-{n}" for n in range(30))]})
        assert too_many.status_code == 400
        assert too_many.context["paginator"].count == len(pows) + 1
        assert dict(too_many.context["labelled_problems"]) == {"Kind": ["Choose at most 30 values."]}
        assert "kind" not in too_many.context["state"]


# --- a place, subject, agent, repository or language no published record has ---------------------


@pytest.fixture(scope="class")
def catalogued(pows):
    """The memoirs with an entry of each kind, and a draft with entries of its own no public page may name."""
    first, second, third, fourth, _fifth = pows
    camp = PlaceFactory(name="Test camp", identifier="test-camp")
    first.places.add(camp)
    second.places.add(camp)
    first.subjects.add(SubjectFactory(label="Test subject", identifier="test-subject"))
    link_agent(second, AgentFactory(name="Test author", identifier="test-author"))
    third.repository = AgentFactory(name="Test archive", identifier="test-archive", kind=AgentKind.ORGANISATION)
    third.save()
    fourth.languages.add(Language.objects.create(tag="ja"))
    draft = titled("Test POW draft", kind=RecordKind.MEMOIR, date_edtf="1947", status=Status.DRAFT,
                   repository=AgentFactory(name="Test draft archive", identifier="test-draft-archive"))
    draft.places.add(PlaceFactory(name="Test draft place", identifier="test-draft-place"))
    draft.subjects.add(SubjectFactory(label="Test draft subject", identifier="test-draft-subject"))
    link_agent(draft, AgentFactory(name="Test draft author", identifier="test-draft-author"))
    draft.languages.add(Language.objects.create(tag="de"))
    reindex(*pows, draft)


# (parameter, its label, a value the public can see, how many memoirs have it, one only the draft has)
ENTRIES = [
    ("place", "Place", "test-camp", 2, "test-draft-place"),
    ("subject", "Subject", "test-subject", 1, "test-draft-subject"),
    ("agent", "Person or organisation", "test-author", 1, "test-draft-author"),
    ("repository", "Repository", "test-archive", 1, "test-draft-archive"),
    ("language", "Language of the material", "ja", 1, "de"),
]


class TestEntriesTheReaderCannotSee:
    """The memoirs with an entry of each kind, and a draft with entries of its own no public page may name."""

    @pytest.mark.parametrize(("name", "label", "known", "count", "drafts_only"), ENTRIES)
    def test_an_entry_no_published_record_has_is_left_out_and_the_others_apply(
            self, client, catalogued, name, label, known, count, drafts_only):
        response = client.get("/en/records/", {name: [known, "no-such-entry", drafts_only], "kind": "memoir",
                                               "page_size": "1", "sort": "date"})
        assert response.status_code == 200
        assert response.context["paginator"].count == count  # the memoirs having it, not every memoir
        facet = next(facet for facet in response.context["facets"] if facet.name == name)
        assert facet.selected == [known]
        errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
        assert (f"<li>{label}: “no-such-entry” is not one of the choices. “{drafts_only}” is not one of the "
                "choices.</li>") in errors
        html = response.content.decode()
        assert all(f"{name}=no-such-entry" not in link and f"{name}={drafts_only}" not in link for link in links(html))
        for form in ("search", "sort", "year-range"):
            inputs = form_inputs(html, form)
            assert (name, known) in inputs, form
            assert (name, "no-such-entry") not in inputs and (name, drafts_only) not in inputs, form
        assert response.context["state"].urlencode() == f"{name}={known}&kind=memoir&page_size=1&sort=date"

    @pytest.mark.parametrize(("name", "label", "known", "count", "drafts_only"), ENTRIES)
    def test_a_filter_with_no_entry_the_public_can_see_is_not_applied(
            self, client, catalogued, name, label, known, count, drafts_only):
        response = client.get("/en/records/", {name: ["no-such-entry", drafts_only], "kind": "memoir"})
        assert response.status_code == 400
        assert response.context["paginator"].count == 5  # every memoir, as if the filter had not been given
        assert dict(response.context["labelled_problems"]) == {
            label: ["“no-such-entry” is not one of the choices.", f"“{drafts_only}” is not one of the choices."]}
        assert 'class="errors" role="alert"' in response.content.decode()
        assert response.context["state"].urlencode() == "kind=memoir"

    def test_the_entry_left_out_is_named_in_the_page_language(self, client, catalogued):
        response = client.get("/ja/records/", {"place": ["test-camp", "no-such-entry"]})
        assert response.context["paginator"].count == 2
        assert "<li>場所：「no-such-entry」は選択肢にありません。</li>" in response.content.decode()


# --- "Clear all filters" ------------------------------------------------------------------------------


class TestProblemsNamed:
    """The memoirs, searched and filtered with what cannot be searched for."""

    def test_clear_all_is_offered_only_beside_a_filter_to_clear(self, client, pows):
        for params in ({"q": "POW"}, {"q": "POW", "sort": "-date", "page_size": "2"}):
            response = client.get("/en/records/", params)
            assert response.context["paginator"].count == len(pows)
            assert 'class="clear-all"' not in response.content.decode(), params  # nothing to clear: the search stays
        with_filter = client.get("/en/records/", {"q": "POW", "year_from": "1948"}).content.decode()
        assert 'class="clear-all" href="/en/records/?q=POW"' in with_filter

    @pytest.mark.parametrize(("name", "label"), [
        ("kind", "Kind"), ("language", "Language of the material"), ("decade", "Decade"),
        ("year_from", "From year"), ("year_to", "To year"), ("place", "Place"), ("subject", "Subject"),
        ("agent", "Person or organisation"), ("repository", "Repository"), ("has_scans", "Has scans"),
    ])
    def test_a_nul_in_any_filter_is_refused_as_in_the_search(self, client, pows, name, label):
        assert client.get("/en/records/?q=x%00y").status_code == 400
        response = client.get(f"/en/records/?{name}=x%00y&kind=memoir&page_size=2" if name != "kind" else
                              f"/en/records/?{name}=memoir&{name}=x%00y&page_size=2")
        assert response.status_code == 400
        assert dict(response.context["labelled_problems"]) == {label: ["Null characters are not allowed."]}
        html = response.content.decode()
        assert "\x00" not in html
        assert name not in response.context["state"]
        assert response.context["paginator"].count == len(pows)

    @pytest.mark.parametrize(("language", "message"), [
        ("ja", "NUL 文字は使えません。"), ("ru", "Символ NUL недопустим."),
    ])
    def test_a_nul_is_named_as_the_problem_in_japanese_and_russian(self, client, pows, language, message):
        for query in ("q=x%00y", "place=x%00y"):
            response = client.get(f"/{language}/records/?{query}")
            assert response.status_code == 400
            assert message in response.content.decode()

    @pytest.mark.parametrize(("language", "label"), [("en", "Search"), ("ja", "検索"), ("ru", "Поиск")])
    def test_a_problem_with_the_search_is_named_by_the_search_not_by_its_button(self, client, pows, language, label):
        response = client.get(f"/{language}/records/?q=x%00y")
        assert [name for name, _messages in response.context["labelled_problems"]] == [label]

    def test_a_nul_is_carried_on_by_no_link_or_form(self, client, pows):
        response = client.get("/en/records/?agent=x%00y&year_from=19%0050&unknown=a%00b&other=kept&kind=memoir")
        assert response.status_code == 400
        html = response.content.decode()
        assert "\x00" not in html and "%00" not in html
        assert 'name="year_from" type="number" inputmode="numeric" min="0" max="3000" value=""' in html
        assert response.context["state"].urlencode() == "other=kept&kind=memoir"


# --- NUL characters ------------------------------------------------------------------------------------

