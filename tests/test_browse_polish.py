"""The browse page says what it lists, links every nearby page, and names the series a record is part of."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import LevelOfDescription, RecordKind, Status

from .factories import PlaceFactory, add_title, reindex, titled

pytestmark = pytest.mark.django_db


def title_of(html):
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def page_state(html):
    """The line under the heading, as read (tags left out)."""
    line = re.search(r'<p class="browse-state">(.*?)</p>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", line.group(1))) if line else ""


def pagination(html):
    nav = re.search(r'<nav class="pagination" aria-label="[^"]+">.*?</nav>', html, re.S)
    return nav.group(0) if nav else ""


def queries(client, url, params):
    """The number of queries answering ``url`` with ``params``, and the answer."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return len(captured.captured_queries), response


@pytest.fixture
def camps():
    """Four places with names in three languages (test names), each with published memoirs about it."""
    places = []
    for number in range(4):
        place = PlaceFactory(name=f"Test camp {number}", identifier=f"test-camp-{number}")
        place.names.create(language="ja", text=f"テスト収容所{number}")
        place.names.create(language="ru", text=f"Тестовый лагерь {number}")
        places.append(place)
    for number in range(6):
        record = titled(f"テスト抑留記{number}", "ja", kind=RecordKind.MEMOIR, date_edtf=str(1946 + number))
        record.places.add(places[number % 4])
        reindex(record)
    return places


# --- the page's title ------------------------------------------------------------------------------


def test_the_title_names_the_search_the_place_and_the_page_in_each_language(client, camps):
    params = {"q": "テスト抑留記", "place": "test-camp-0", "page_size": 1, "page": 2}
    titles = {
        language: title_of(client.get(f"/{language}/records/", params).content.decode())
        for language in ("ja", "ru", "en")
    }
    assert titles["ja"].startswith("「テスト抑留記」 · 場所：テスト収容所0 — 資料 (2/2ページ) · ")
    assert titles["ru"].startswith("«テスト抑留記» · Место: Тестовый лагерь 0 — Записи (страница 2 из 2) · ")
    assert titles["en"].startswith("“テスト抑留記” · Place: Test camp 0 — Records (page 2 of 2) · ")
    # The plain list, and its first page, keep the plain title.
    assert title_of(client.get("/en/records/").content.decode()).startswith("Records · ")
    assert title_of(client.get("/en/records/", {"page_size": 1}).content.decode()).startswith("Records · ")


def test_the_line_under_the_heading_says_the_same_with_each_name_in_its_language(client, camps):
    html = client.get(
        "/en/records/", {"q": "テスト抑留記", "kind": "memoir", "page_size": 2, "page": 2}
    ).content.decode()
    assert page_state(html) == "“テスト抑留記” · Kind: memoir · Page 2 of 3"
    record = titled("Test about a place named in Japanese only")
    record.places.add(PlaceFactory(name="テスト地域", name__language="ja", identifier="test-ja-only"))
    reindex(record)
    html = client.get("/en/records/", {"place": "test-ja-only"}).content.decode()
    assert '<span lang="ja">テスト地域</span>' in re.search(r'<p class="browse-state">.*?</p>', html).group(0)
    assert 'class="browse-state"' not in client.get("/en/records/").content.decode()


def test_the_words_searched_are_shown_as_text_never_as_markup(client, camps):
    html = client.get("/en/records/", {"q": "<i>テスト抑留記</i>"}).content.decode()
    assert "<title>“&lt;i&gt;テスト抑留記&lt;/i&gt;” — Records · " in html
    assert '<p class="browse-state">“&lt;i&gt;テスト抑留記&lt;/i&gt;”</p>' in html


def test_many_values_chosen_are_named_by_the_first_two_and_counted(client, camps):
    chosen = ["test-camp-2", "test-camp-0", "test-camp-3", "test-camp-1"]
    client.get("/en/records/")  # the index follows the fixture's changes
    # Named from the facets' own names: no query of its own, whatever the number of values, the years or the page.
    one, _response = queries(client, "/en/records/", {"q": "テスト抑留記", "place": chosen[0]})
    four, response = queries(
        client, "/en/records/", {"q": "テスト抑留記", "place": chosen, "year_from": 1940, "page_size": 1, "page": 3}
    )
    assert one == four
    assert title_of(response.content.decode()).startswith(
        "“テスト抑留記” · Place: Test camp 2, Test camp 0 +2 · Years: from 1940 — Records (page 3 of 6) · "
    )
    titles = {
        language: title_of(client.get(f"/{language}/records/", {"place": chosen}).content.decode())
        for language in ("ja", "ru", "en")
    }
    assert titles["en"].startswith("Place: Test camp 2, Test camp 0 +2 — Records · ")
    assert titles["ja"].startswith("場所：テスト収容所2、テスト収容所0ほか2件 — 資料 · ")
    assert titles["ru"].startswith("Место: Тестовый лагерь 2, Тестовый лагерь 0 и ещё 2 — Записи · ")
    three = title_of(client.get("/en/records/", {"place": chosen[:3]}).content.decode())
    assert three.startswith("Place: Test camp 2, Test camp 0, Test camp 3 — Records · ")


def test_decades_and_years_are_named_as_the_page_shows_them(client, camps):
    title = title_of(
        client.get("/en/records/", {"decade": "1940", "year_from": 1947, "year_to": 1949}).content.decode()
    )
    assert title.startswith("Decade: 1940s · Years: 1947–1949 — Records · ")
    assert title_of(client.get("/ru/records/", {"year_from": 1947}).content.decode()).startswith(
        "Годы: с 1947 года — Записи · "
    )
    assert title_of(client.get("/ja/records/", {"year_to": 1949}).content.decode()).startswith(
        "年の範囲：1949年まで — 資料 · "
    )


def test_a_value_only_unpublished_records_have_is_never_named(client, camps):
    hidden = PlaceFactory(name="Test hidden camp", identifier="test-hidden-camp")
    draft = titled("Test draft memoir", status=Status.DRAFT)
    draft.places.add(hidden)
    reindex(draft)
    html = client.get("/en/records/", {"place": ["test-camp-1", "test-hidden-camp"]}).content.decode()
    assert title_of(html).startswith("Place: Test camp 1 — Records · ")
    assert "Test hidden camp" not in html
    alone = client.get("/en/records/", {"place": "test-hidden-camp"})
    assert alone.status_code == 400
    assert title_of(alone.content.decode()).startswith("Records · ")
    assert "Test hidden camp" not in alone.content.decode()


# --- pagination ------------------------------------------------------------------------------------


@pytest.fixture
def many():
    return [
        titled(f"Test paged {number:02}", kind=RecordKind.MEMOIR, date_edtf=str(1900 + number)) for number in range(12)
    ]


def test_pages_are_numbered_around_this_one_with_the_first_and_the_last(client, many):
    html = client.get("/en/records/", {"kind": "memoir", "sort": "-date", "page_size": 1, "page": 6}).content.decode()
    nav = pagination(html)
    assert '<nav class="pagination" aria-label="Pages">' in nav
    shown = [unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li>(.*?)</li>", nav)]
    assert shown == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert '<span class="page" aria-current="page">6</span>' in nav
    links = dict(re.findall(r'<a class="page" href="([^"]+)" aria-label="Page (\d+)">', nav))
    assert {number: unescape(url) for url, number in links.items()} == {
        str(number): f"?kind=memoir&sort=-date&page_size=1&page={number}" for number in (4, 5, 7, 8, 12)
    } | {"1": "?kind=memoir&sort=-date&page_size=1"}
    # Every numbered link leads where it says, with the filters and the order kept.
    followed = client.get("/en/records/" + unescape(dict((n, u) for u, n in links.items())["12"]))
    assert followed.context["page_obj"].number == 12
    assert [r.identifier for r in followed.context["records"]] == [many[0].identifier]


def test_near_the_ends_no_gap_hides_a_single_page(client, many):
    client.get("/en/records/")
    # From the count the page already holds: no query of its own.
    first, _response = queries(client, "/en/records/", {"page_size": 1})
    fifth, response = queries(client, "/en/records/", {"page_size": 1, "page": 5})
    assert first == fifth
    nav = pagination(response.content.decode())
    shown = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", nav)]
    assert shown == ["1", "2", "3", "4", "5", "6", "7", "…", "12"]


def test_page_links_are_labelled_in_each_language(client, many):
    ja = pagination(client.get("/ja/records/", {"page_size": 4, "page": 2}).content.decode())
    assert 'aria-label="ページ"' in ja and 'aria-label="1ページ"' in ja and 'aria-label="3ページ"' in ja
    ru = pagination(client.get("/ru/records/", {"page_size": 4, "page": 2}).content.decode())
    assert 'aria-label="Страница 3"' in ru and '<span class="page" aria-current="page">2</span>' in ru


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 320])
def test_page_numbers_fit_a_phone_screen(live_server, page, width):
    for number in range(40):
        titled(f"Test paged {number:02}", kind=RecordKind.MEMOIR)
    page.set_viewport_size({"width": width, "height": 800})
    for language in ("en", "ru", "ja"):
        page.goto(f"{live_server.url}/{language}/records/?page_size=1&page=20&kind=memoir&sort=-title")
        assert page.locator(".pagination [aria-current=page]").inner_text() == "20"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, language


# --- the series a record is part of -----------------------------------------------------------------


def series(status=Status.PUBLISHED):
    parent = titled("Test series of memoirs", kind=RecordKind.MEMOIR, status=status, level=LevelOfDescription.SERIES)
    add_title(parent, "テスト叢書", "ja")
    return parent


def volume(parent, number, **fields):
    return titled(
        f"Test volume {number}",
        kind=RecordKind.MEMOIR,
        parent=parent,
        sequence=number,
        level=LevelOfDescription.VOLUME,
        **fields,
    )


def part_of(html, record_title):
    item = re.search(rf'<li class="record">\s*<a [^>]*>{record_title}</a>.*?</li>', html, re.S).group(0)
    found = re.search(r'<span class="part-of">(.*?)</span>', item, re.S)
    return found.group(1) if found else None


def test_a_volume_says_which_published_series_it_is_part_of(client):
    parent = series()
    volume(parent, 3)
    titled("Test lone record")
    html = client.get("/en/records/", {"q": "volume"}).content.decode()
    assert part_of(html, "Test volume 3") == (
        f'Part of: <a href="/en/records/{parent.identifier}/">Test series of memoirs</a> (vol. 3)'
    )
    ja = client.get("/ja/records/", {"q": "volume"}).content.decode()
    assert part_of(ja, "Test volume 3") == (
        f'上位階層：<a href="/ja/records/{parent.identifier}/">テスト叢書</a>（第3巻）'
    )
    ru = client.get("/ru/records/", {"q": "volume"}).content.decode()
    assert part_of(ru, "Test volume 3").endswith("</a> (т. 3)")
    assert part_of(client.get("/en/records/").content.decode(), "Test lone record") is None


def test_a_part_that_is_not_a_volume_is_numbered_as_an_issue(client):
    parent = series()
    titled("Test issue", parent=parent, sequence=7, level=LevelOfDescription.ITEM)
    titled("Test unnumbered part", parent=parent)
    html = client.get("/ru/records/").content.decode()
    assert part_of(html, "Test issue").endswith("</a> (№ 7)")
    # No Russian title: the original, marked as Japanese.
    assert part_of(html, "Test unnumbered part").endswith('lang="ja">テスト叢書</a>')


def test_an_unpublished_series_is_never_named(client):
    hidden = titled("Test series in review", kind=RecordKind.MEMOIR, status=Status.REVIEW)
    volume(hidden, 1)
    shown = series()
    volume(shown, 2)
    html = client.get("/en/records/", {"q": "volume"}).content.decode()
    assert part_of(html, "Test volume 1") is None
    assert "Test series in review" not in html and hidden.identifier not in html
    assert "Test series of memoirs" in part_of(html, "Test volume 2")
    results = {r["title"]: r for r in client.get("/api/records/", {"q": "volume"}).json()["results"]}
    assert results["Test volume 1"]["part_of"] is None
    assert results["Test volume 2"]["part_of"]["identifier"] == shown.identifier


# The catalogue version; the page's records, their titles and agent links; their published parents and those
# parents' titles (two queries, whatever the number of parents); the API adds the records' places and subjects.
# No value is chosen and no record names an agent, place or subject: no facet names a value.
@pytest.mark.parametrize(("url", "expected"), [("/en/records/", 6), ("/api/records/", 8)])
def test_the_series_of_3_or_30_results_cost_the_same_queries(client, django_assert_num_queries, url, expected):
    published, unpublished = series(), series(status=Status.DRAFT)
    for number in range(30):
        volume(published if number % 2 else unpublished, number)
    client.get(url)  # the index follows the fixture's changes
    for size in (3, 30):
        with django_assert_num_queries(expected):
            response = client.get(url, {"q": "volume", "page_size": size, "sort": "title"})
    if url.startswith("/api/"):
        parts = [result["part_of"] for result in response.json()["results"] if result["part_of"]]
        assert len(parts) == 15 and all(part["identifier"] == published.identifier for part in parts)
    else:
        assert response.content.decode().count('class="part-of"') == 15


def test_the_api_list_names_the_published_parent_with_its_link(client):
    parent = series()
    child = volume(parent, 2)
    results = {r["identifier"]: r for r in client.get("/api/records/").json()["results"]}
    assert results[child.identifier]["part_of"] == {
        "identifier": parent.identifier,
        "title": "Test series of memoirs",
        "title_language": "en",
        "link": f"http://testserver/en/records/{parent.identifier}/",
        "api": f"http://testserver/api/records/{parent.identifier}/",
    }
    assert results[parent.identifier]["part_of"] is None
    detail = client.get(f"/api/records/{child.identifier}/").json()
    assert detail["parent"] == parent.identifier and detail["part_of"]["identifier"] == parent.identifier
