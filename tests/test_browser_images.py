"""Scans in a real browser: uploading in the admin, and the public full-resolution viewer."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.utils import translation
from playwright.sync_api import expect

from collection.images import inspect_upload
from collection.models import RecordImage, Status, Visibility, add_images, image_storage

from . import imaging
from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def file_payload(name: str, data: bytes, mime: str = "application/octet-stream") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def log_in(page, live_server, admin_user) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def stored_files() -> list[str]:
    found = []
    for _root, _dirs, files in os.walk(image_storage().location):
        found += files
    return found


def test_upload_several_files_at_once(page, live_server, admin_user):
    record = RecordFactory(status=Status.DRAFT)
    tiff, jpeg = imaging.multipage_tiff(2), imaging.jpeg()
    log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/collection/record/{record.pk}/change/")
    page.set_input_files("input[name='images-0-upload']", files=[
        file_payload("register.tif", tiff, "image/tiff"), file_payload("cover.jpg", jpeg, "image/jpeg"),
    ])
    page.fill("input[name='images-0-caption_en']", "Test caption")
    page.click("input[name='_continue']")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()

    images = list(RecordImage.objects.filter(record=record).order_by("position"))
    assert [(i.original_name, i.page, i.position) for i in images] == [
        ("register.tif", 0, 1), ("register.tif", 1, 2), ("cover.jpg", 0, 3),
    ]
    assert images[0].sha256 == hashlib.sha256(tiff).hexdigest()
    assert all(i.caption("en") == "Test caption" for i in images)
    assert images[0].history.first().history_user == admin_user
    # The change form now shows a preview of each, served to staff although the record is a draft.
    previews = page.locator("td.field-preview img")
    expect(previews).to_have_count(3)
    # Fetched with the page's own session (lazy loading decides when the browser itself asks).
    preview = page.request.get(live_server.url + previews.first.get_attribute("src"))
    assert preview.ok and preview.headers["content-type"].startswith("image/")


def test_refused_file_shows_why_and_stores_nothing(page, live_server, admin_user):
    record = RecordFactory(status=Status.DRAFT)
    log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/collection/record/{record.pk}/change/")
    page.set_input_files("input[name='images-0-upload']", files=[
        file_payload("good.jpg", imaging.jpeg(), "image/jpeg"),
        file_payload("vector.jpg", imaging.svg(), "image/jpeg"),
    ])
    page.click("input[name='_continue']")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".inline-group .errorlist")).to_contain_text(
        "“vector.jpg”: SVG/XML files are not accepted; upload JPEG, PNG, TIFF or WebP."
    )
    assert not RecordImage.objects.exists()
    assert stored_files() == []


def test_reorder_replace_and_remove(page, live_server, admin_user):
    record = RecordFactory(status=Status.DRAFT)
    first, second, third = (
        add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), f"{n}.jpg"), f"{n}.jpg"))[0]
        for n in ("one", "two", "three")
    )
    old_master = first.master.name
    replacement = imaging.png((90, 60))
    log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/collection/record/{record.pk}/change/")
    # The thumbnails first: the test server's threads share one in-memory SQLite connection, and a thumbnail
    # read in the middle of the save could fail there (a file or PostgreSQL database gives each its own).
    page.wait_for_load_state("networkidle")
    rows = {image.pk: index for index, image in enumerate((first, second, third))}
    page.fill(f"input[name='images-{rows[third.pk]}-position']", "0")
    page.select_option(f"select[name='images-{rows[second.pk]}-visibility']", Visibility.PRIVATE)
    page.set_input_files(f"input[name='images-{rows[first.pk]}-upload']",
                         files=[file_payload("better.png", replacement, "image/png")])
    page.check(f"input[name='images-{rows[second.pk]}-DELETE']")
    page.click("input[name='_continue']")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    page.wait_for_load_state("networkidle")  # as above, before this thread reads the database

    remaining = list(RecordImage.objects.filter(record=record).order_by("position"))
    assert [(i.pk, i.position) for i in remaining] == [(third.pk, 1), (first.pk, 2)]
    first.refresh_from_db()
    assert first.sha256 == hashlib.sha256(replacement).hexdigest() and first.format == "PNG"
    assert first.history.filter(master=old_master).exists()
    assert image_storage().exists(old_master), "the replaced master is kept"


def test_viewer_pans_and_zooms_with_the_keyboard(page, live_server):
    record = RecordFactory(status=Status.PUBLISHED)
    for name in ("a.jpg", "b.jpg"):
        add_images(record, inspect_upload(imaging.upload(imaging.jpeg((2400, 1600)), name), name))
    add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), "p.jpg"), "p.jpg"),
               visibility=Visibility.PRIVATE)
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    links = page.locator("a.record-image-link")
    expect(links).to_have_count(2)
    thumb = links.first.locator("img")
    expect(thumb).to_have_attribute("loading", "lazy")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())

    links.first.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.image-viewer")
    expect(dialog).to_be_visible()
    expect(page.locator(".image-viewer-stage")).to_be_focused()
    fit = float(dialog.get_attribute("data-scale"))
    assert fit < 0.5, "a 2400-pixel scan is fitted to the screen"
    viewed = page.locator(".image-viewer-image")
    assert viewed.get_attribute("src").endswith("/web/"), "fitted, the web size is enough"
    assert viewed.get_attribute("data-loaded") is None

    page.keyboard.press("+")
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.keyboard.press("+")
    # Zoomed past the web size's pixels, the full resolution is swapped in.
    expect(viewed).to_have_attribute("data-loaded", links.first.get_attribute("href"))
    expect(viewed).to_have_attribute("src", links.first.get_attribute("href"))
    zoomed = float(dialog.get_attribute("data-scale"))
    assert zoomed == pytest.approx(fit * 1.25 ** 4, rel=0.01)
    x_before = int(dialog.get_attribute("data-x"))
    page.keyboard.press("ArrowRight")
    assert int(dialog.get_attribute("data-x")) < x_before
    page.keyboard.press("1")
    assert float(dialog.get_attribute("data-scale")) == 1.0
    page.keyboard.press("0")
    assert float(dialog.get_attribute("data-scale")) == pytest.approx(fit)
    page.keyboard.press("PageDown")
    expect(page.locator(".image-viewer-status")).to_contain_text("2 / 2")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(links.first).to_be_focused()


def test_more_files_than_one_request_may_send_are_stopped_on_the_page(page, live_server, admin_user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    record = RecordFactory(status=Status.DRAFT)
    log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/collection/record/{record.pk}/change/")
    page.set_input_files("input[name='images-0-upload']", files=[
        file_payload(f"page-{n}.jpg", imaging.jpeg(), "image/jpeg") for n in range(3)
    ])
    page.fill("input[name='images-0-caption_en']", "Typed before saving")
    page.click("input[name='_continue']")
    # Django would answer a bare 400 and the typed caption would be lost: the page stops and says why.
    expect(page.locator(".collection-too-many-files")).to_have_text(
        "Nothing was sent: 3 files are chosen on this page, and one save can send at most 2. "
        "Remove some and add them with a second save."
    )
    expect(page.locator("input[name='images-0-caption_en']")).to_have_value("Typed before saving")
    assert not RecordImage.objects.exists()

    page.set_input_files("input[name='images-0-upload']", files=[
        file_payload(f"page-{n}.jpg", imaging.jpeg(), "image/jpeg") for n in range(2)
    ])
    page.click("input[name='_continue']")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert RecordImage.objects.filter(record=record).count() == 2


def test_the_viewer_shows_what_the_image_is(page, live_server):
    # A sighted reader zoomed into a page still sees its caption and page, as under its thumbnail, in its language.
    record = RecordFactory(status=Status.PUBLISHED)
    add_images(record, inspect_upload(imaging.upload(imaging.multipage_tiff(2), "reg.tif"), "reg.tif"),
               captions={"ja": "テスト名簿"})
    add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), "b.jpg"), "b.jpg"))
    page.set_viewport_size({"width": 375, "height": 700})
    with translation.override("en"):
        page.goto(f"{live_server.url}{record.get_absolute_url()}")
    page.locator("a.record-image-link").first.click()
    caption = page.locator(".image-viewer-caption")
    expect(caption).to_be_visible()
    expect(caption).to_have_text("テスト名簿 (50 × 70)")
    expect(caption.locator("[lang=ja]")).to_have_text("テスト名簿")
    page.keyboard.press("PageDown")
    expect(caption).to_have_text("テスト名簿, page 2 (50 × 70)")
    page.keyboard.press("PageDown")
    expect(caption).to_have_text("Image 3 of 3 (60 × 40)")


def test_the_list_of_images_shows_visibility_and_format_on_a_laptop_screen(page, live_server, admin_user):
    # A record's long title is wrapped, not kept on one line that pushes visibility and format off the screen.
    from .factories import titled

    record = titled("Test record of the internment of test persons in a test camp, with a long title, volume one "
                    "of a test series")
    add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), "scan.jpg"), "scan.jpg"))
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/collection/recordimage/")
    results = page.locator("#changelist .results").bounding_box()
    for column in ("visibility", "format"):
        cell = page.locator(f"#result_list tbody td.field-{column}").bounding_box()
        assert cell["x"] + cell["width"] <= results["x"] + results["width"], f"{column} is off the screen"
