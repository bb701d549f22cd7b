"""Keyboard and pointer use of the public pages in a real browser: where the focus is seen, and the scan viewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from collection.images import inspect_upload
from collection.models import PlaceKind, RecordKind, Status, add_images

from . import imaging
from .factories import PlaceFactory, RecordFactory, titled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element's outline, and the colour behind it: the nearest box painted under the element.
FOCUS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement, background = "rgba(0, 0, 0, 0)";
  while (behind && /rgba\\(.*, 0\\)|transparent/.test(background)) {
    background = getComputedStyle(behind).backgroundColor;
    behind = behind.parentElement;
  }
  return {name: element.tagName + " " + (element.getAttribute("aria-label") || element.textContent).trim().slice(0, 40),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor,
          background: /rgba\\(.*, 0\\)|transparent/.test(background) ? "rgb(255, 255, 255)" : background};
}"""


def luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def catalogue():
    region = PlaceFactory(name="Test region", kind=PlaceKind.REGION, identifier="test-region")
    for number in range(3):
        record = titled(f"Test memoir {number}", kind=RecordKind.MEMOIR, date_edtf="1950")
        record.places.add(region)


def test_every_stop_of_the_keyboard_shows_the_focus_against_what_is_behind_it(live_server, page, catalogue):
    page.goto(f"{live_server.url}/en/records/?page_size=2")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    stops = []
    for _ in range(40):
        focus = page.evaluate(FOCUS)
        if focus["name"].startswith("BODY"):
            break
        stops.append(focus)
        page.keyboard.press("Tab")
    assert len(stops) > 15  # header, search, facets, years, sort, results, pages
    for focus in stops:
        assert focus["style"] != "none" and focus["width"] >= 2, focus
        assert contrast(focus["colour"], focus["background"]) >= 3, focus  # WCAG 1.4.11
    # In the header's grey too.
    assert any(focus["background"] != "rgb(255, 255, 255)" for focus in stops)


def test_the_skip_link_leads_into_the_content_and_an_empty_footer_is_no_landmark(live_server, page, catalogue):
    page.goto(f"{live_server.url}/en/records/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#q")).to_be_focused()  # the first control of <main>, past the header's links
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(0)


def test_the_scan_viewer_pans_without_dragging_and_keeps_its_buttons_on_a_phone(live_server, page):
    record = RecordFactory(status=Status.PUBLISHED)
    scan = imaging.multipage_tiff(2, size=(1200, 900))
    add_images(record, inspect_upload(imaging.upload(scan, "register.tif"), "register.tif"),
               captions={"ja": "テスト名簿"})
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/en/records/{record.identifier}/")
    page.locator("a.record-image-link").nth(1).click()
    dialog = page.locator("dialog.image-viewer")
    expect(dialog).to_be_visible()
    # Named as its thumbnail is: the caption, read in its language, and the page of the file.
    stage = page.locator(".image-viewer-stage")
    expect(stage).to_have_attribute("aria-label", "テスト名簿, page 2")
    expect(stage).to_have_attribute("lang", "ja")
    # Every button is on the screen, Close too, and each says what it does.
    for button in page.locator(".image-viewer-button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, button.get_attribute("aria-label")
    expect(page.get_by_role("button", name="Actual size (1:1)")).to_be_visible()

    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Actual size (1:1)").click()
    assert float(dialog.get_attribute("data-scale")) == 1.0
    # A live region speaks whenever its text is set: panning leaves the zoom it says alone, and it stays quiet.
    page.evaluate("""() => {
      window.statusChanges = 0;
      new MutationObserver(() => window.statusChanges++).observe(
        document.querySelector(".image-viewer-status"), {childList: true, characterData: true, subtree: true});
    }""")
    moves = {"Scroll left": (1, 0), "Scroll right": (-1, 0), "Scroll up": (0, 1), "Scroll down": (0, -1)}
    for name, (right, down) in [("Scroll right", moves["Scroll right"]), ("Scroll down", moves["Scroll down"]),
                                ("Scroll left", moves["Scroll left"]), ("Scroll up", moves["Scroll up"])]:
        x, y = int(dialog.get_attribute("data-x")), int(dialog.get_attribute("data-y"))
        page.get_by_role("group", name="Scroll the image").get_by_role("button", name=name).click()
        assert (int(dialog.get_attribute("data-x")) - x, int(dialog.get_attribute("data-y")) - y) == (
            60 * right, 60 * down), name
    assert page.evaluate("window.statusChanges") == 0
    page.get_by_role("button", name="Zoom out").click()
    assert page.evaluate("window.statusChanges") == 1
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
