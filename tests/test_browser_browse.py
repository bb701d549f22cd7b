"""The browse page in a real browser: facets, searches in Japanese and Russian, switching language."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from collection.models import LabelForm, PlaceKind, RecordKind
from tests.factories import AgentFactory, PlaceFactory, add_title, link_agent, reindex, titled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture
def catalogue():
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    region.names.create(language="ja", text="テスト地方")
    region.names.create(language="ru", text="Тестовый край")
    memoir = titled("テスト用シベリア抑留記", "ja", kind=RecordKind.MEMOIR, date_edtf="1950")
    add_title(memoir, "Test memoir of internment", "en", form=LabelForm.TRANSLATION)
    add_title(memoir, "Тестовые воспоминания", "ru", form=LabelForm.TRANSLATION)
    memoir.places.add(region)
    document = titled("Тестовый приказ", "ru", kind=RecordKind.DOCUMENT, date_edtf="1946/1948")
    author = AgentFactory(name="Кузнецов", name__language="ru")
    link_agent(document, author)
    titled("Test association record", kind=RecordKind.DOCUMENT)
    reindex(memoir, document)
    return memoir, document


def test_click_facets_search_and_switch_language(live_server, page, catalogue):
    memoir, document = catalogue
    page.goto(f"{live_server.url}/en/records/")
    assert page.locator(".results .count").inner_text() == "3 records"
    page.locator('[data-facet="kind"] a', has_text="memoir").click()
    assert page.locator(".results .count").inner_text() == "1 record"
    assert "kind=memoir" in page.url
    page.get_by_role("link", name="Clear Kind").click()
    assert page.locator(".results .count").inner_text() == "3 records"

    page.goto(f"{live_server.url}/ja/records/")
    page.get_by_role("searchbox").fill("抑留")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ja/records/?q=*")
    assert page.locator(".records .record").count() == 1
    assert "テスト用シベリア抑留記" in page.locator(".records").inner_text()

    page.goto(f"{live_server.url}/ru/records/")
    page.get_by_role("searchbox").fill("кузнецов")
    page.locator("form.search button").click()
    page.wait_for_url("**/ru/records/?q=*")
    assert page.locator(".records .record").count() == 1
    assert "Тестовый приказ" in page.locator(".records").inner_text()

    # Switch language with a facet chosen: the filter stays.
    page.goto(f"{live_server.url}/en/records/?kind=memoir")
    page.locator(".languages a[hreflang=ru]").click()
    page.wait_for_url("**/ru/records/?kind=memoir")
    assert page.locator(".records .record").count() == 1
    assert "Тестовые воспоминания" in page.locator(".records").inner_text()


def test_keyboard_reaches_the_facets(live_server, page, catalogue):
    page.goto(f"{live_server.url}/en/records/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


def test_the_results_are_one_link_away_past_the_filters(live_server, page, catalogue):
    page.goto(f"{live_server.url}/en/records/")
    link = page.get_by_role("link", name="Go to the results")
    page.locator("#q").focus()
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Go to the results"
    assert link.is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results-heading"
    # On a phone, where the filters come first, it is always shown.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/en/records/")
    assert link.is_visible()
    link.click()
    page.wait_for_url("**#results-heading")
    assert page.locator("#results-heading").evaluate(
        "heading => heading.getBoundingClientRect().top >= 0 && heading.getBoundingClientRect().bottom <= innerHeight")


def test_the_sort_menu_waits_for_the_keyboard_and_applies_a_pointer_choice(live_server, page, catalogue):
    page.goto(f"{live_server.url}/en/records/")
    sort, button = page.locator("#sort"), page.locator("form.sort button")
    assert not button.is_visible()  # a pointer choice needs no button
    page.evaluate("window.notReloaded = true")
    sort.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    # Each arrow only changes the menu: the page stays, and so does the focus.
    assert page.evaluate("window.notReloaded") is True
    assert page.url == f"{live_server.url}/en/records/"
    assert sort.input_value() == "date"
    expect(sort).to_be_focused()
    expect(button).to_be_visible()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/records/?sort=date#results-heading")
    # The reader lands on the results the sort reordered, the menu one Tab away.
    expect(page.locator("#results-heading")).to_be_focused()
    assert page.locator(".records .record").first.inner_text().startswith("Тестовый приказ")  # 1946/1948
    page.keyboard.press("Tab")
    expect(sort).to_be_focused()

    page.goto(f"{live_server.url}/en/records/")
    sort.click()  # a pointer press opens the menu, and the choice made there applies at once
    sort.select_option("-date")
    page.wait_for_url("**/en/records/?sort=-date#results-heading")
    assert sort.input_value() == "-date"
    assert not button.is_visible()


def test_screenshots_of_the_browse_page_in_each_language(live_server, page, catalogue, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 800})
    for language in ("ja", "ru", "en"):
        page.goto(f"{live_server.url}/{language}/records/?place=test-region")
        assert page.locator(".records .record").count() == 1
        taken = tmp_path / f"browse-{language}.png"
        page.screenshot(path=str(taken), full_page=True)
        assert taken.stat().st_size > 10_000
        # Into the docs in one step (a rename in the same directory): CI runs the suite on two Django lines
        # at once.
        staged = SCREENSHOTS / f".{taken.name}.{os.getpid()}"
        shutil.copyfile(taken, staged)
        os.replace(staged, SCREENSHOTS / taken.name)
