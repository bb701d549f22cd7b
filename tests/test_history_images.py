"""A record's history with its scans: the page opens after any image edit, shows what an archivist changed,
and a revert restores images with their captions without touching their visibility or pointing at lost files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collection.admin.records import RecordAdmin
from collection.history import revert, timeline
from collection.images import inspect_upload
from collection.models import (
    Record,
    RecordImage,
    RecordImageCaption,
    Status,
    Visibility,
    add_images,
    image_storage,
)
from collection.models.images import set_captions

from . import imaging
from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db

LANGUAGES = ["ja", "ru", "en"]


@pytest.fixture(autouse=True)
def _languages(settings):
    settings.COLLECTION_LANGUAGES = LANGUAGES


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def history_url(record):
    return reverse("admin:collection_record_history", args=[record.pk])


def attach(record, name="scan.jpg", data=None, by=None, **kwargs) -> RecordImage:
    data = data or imaging.jpeg()
    return add_images(record, inspect_upload(imaging.upload(data, name), name), by=by, **kwargs)[0]


def replace(image, name="replacement.png", data=None, by=None):
    data = data or imaging.png((80, 50))
    image.replace_master(inspect_upload(imaging.upload(data, name), name), by=by)


def form_with_images(record, images: dict, **changes) -> dict:
    """The record's change form with its images inline, each as given: ``{image: {"caption_ja": ...}}``."""
    data = change_form_data(record)
    data.update({"images-TOTAL_FORMS": len(images), "images-INITIAL_FORMS": len(images)})
    for i, (image, values) in enumerate(images.items()):
        captions = {c.language: c.text for c in image.captions.all()}
        data.update({f"images-{i}-id": image.pk, f"images-{i}-record": record.pk,
                     f"images-{i}-position": image.position, f"images-{i}-visibility": image.visibility})
        data.update({f"images-{i}-caption_{tag}": captions.get(tag, "") for tag in LANGUAGES})
        data.update({f"images-{i}-{key}": value for key, value in values.items()})
    data.update(changes)
    return data


def all_changes(entries):
    return [(e.part, e.kind, c.field, c.old, c.new) for e in entries for c in e.changes]


def moment_now():
    """The moment of the last image or caption history row written so far: a revert target."""
    rows = [model.history.order_by("-history_id").first() for model in (RecordImage, RecordImageCaption)]
    return max(row.history_date for row in rows if row is not None)


class TestTimeline:
    def test_history_page_opens_after_a_caption_only_edit_and_shows_it(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, captions={"en": "First test caption"}, by=alice)
        response = login(alice).post(change_url(record), form_with_images(
            record, {image: {"caption_en": "Second test caption"}}))
        assert response.status_code == 302, response.content.decode()[:2000]
        page = login(bob).get(history_url(record))
        assert page.status_code == 200
        html = page.content.decode()
        assert "<del>First test caption</del> → <ins>Second test caption</ins>" in html
        assert "scan.jpg" in html

    def test_visibility_and_order_changes_are_shown(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        first = attach(record, "first.jpg", by=alice)
        second = attach(record, "second.jpg", by=alice)
        response = login(alice).post(change_url(record), form_with_images(record, {
            first: {"position": 2, "visibility": Visibility.PRIVATE}, second: {"position": 1}}))
        assert response.status_code == 302
        page = login(bob).get(history_url(record))
        assert page.status_code == 200
        changes = all_changes(e for save in page.context["saves"] for e in save.entries)
        assert ("image “first.jpg”", "changed", "visibility", "public", "private (staff only)") in changes
        assert any(c[0] == "image “second.jpg”" and c[2] == "order" and (c[3], c[4]) == ("2", "1") for c in changes)

    def test_a_replaced_master_shows_as_file_name_and_checksum_in_words(self, alice):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "old-scan.jpg", by=alice)
        old_sha = image.sha256
        replace(image, "new-scan.png", by=alice)
        entries = timeline(record, RecordAdmin.history_parts(None))
        [change] = [e for e in entries if e.part.startswith("image") and e.kind == "changed"]
        assert change.user == alice
        [(field, old, new)] = [(c.field, c.old, c.new) for c in change.changes]
        assert field == "master file"
        assert "old-scan.jpg" in old and old_sha[:16] in old and "JPEG" in old
        assert "new-scan.png" in new and image.sha256[:16] in new and "80 × 50" in new

    def test_no_derivative_paths_or_sizes_in_the_history(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "scan.jpg", by=alice)
        replace(image, by=alice)
        page = login(bob).get(history_url(record))
        html = page.content.decode()
        texts = " ".join(f"{c.field} {c.old} {c.new}" for save in page.context["saves"] for e in save.entries
                         for c in e.changes)
        for internal in ("collection/scans", "thumb", "-web", "full width", "web width", "size in bytes"):
            assert internal not in texts and internal not in html.split('id="change-history"')[1]
        added = next(e for save in page.context["saves"] for e in save.entries
                     if e.part.startswith("image") and e.kind == "added")
        assert {c.field for c in added.changes} == {"order", "visibility", "master file"}

    def test_captions_of_a_deleted_image_stay_in_the_history(self, alice):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "gone.jpg", captions={"ja": "テストの説明"}, by=alice)
        image.delete()
        entries = timeline(record, RecordAdmin.history_parts(None))
        assert any(e.part.endswith("of image “gone.jpg”") and e.kind == "added"
                   and ("caption", "", "テストの説明") in [(c.field, c.old, c.new) for c in e.changes]
                   for e in entries)
        assert any(e.part == "image “gone.jpg”" and e.kind == "deleted" for e in entries)


class TestRevert:
    def test_a_revert_never_makes_a_private_image_public(self, bob):
        record = RecordFactory(status=Status.PUBLISHED)
        image = attach(record)
        set_captions(image, {"en": "Test caption at the moment"})
        moment = moment_now()
        image.visibility = Visibility.PRIVATE
        image.save()
        set_captions(image, {"en": "Later test caption"})
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        image.refresh_from_db()
        assert image.visibility == Visibility.PRIVATE
        assert image.caption("en") == "Test caption at the moment"
        assert not RecordImage.objects.public().exists()

    def test_an_image_deleted_after_the_moment_comes_back_with_its_captions(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "kept.jpg")
        gone = attach(record, "gone.jpg", captions={"ja": "テスト説明", "ru": "Тестовая подпись", "en": "Test caption"})
        moment = moment_now()
        gone_pk, master = gone.pk, gone.master.name
        gone.delete()
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        back = RecordImage.objects.get(pk=gone_pk)
        assert back.master.name == master and image_storage().exists(master)
        assert all(getattr(back, kind) and image_storage().exists(getattr(back, kind).name)
                   for kind in ("thumb", "web", "full"))
        assert {c.language: c.text for c in back.captions.all()} == {
            "ja": "テスト説明", "ru": "Тестовая подпись", "en": "Test caption"}
        assert list(record.images.order_by("position").values_list("pk", flat=True)) == [image.pk, gone_pk]
        restored = RecordImageCaption.history.filter(image_id=gone_pk).order_by("-history_id").first()
        assert restored.history_user == bob

    def test_an_image_made_private_then_deleted_comes_back_private(self, bob):
        record = RecordFactory(status=Status.PUBLISHED)
        image = attach(record)
        moment = moment_now()
        image.visibility = Visibility.PRIVATE
        image.save()
        pk = image.pk
        image.delete()
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        assert RecordImage.objects.get(pk=pk).visibility == Visibility.PRIVATE

    def test_caption_edits_additions_and_removals_after_the_moment_are_reverted(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, captions={"ja": "元のテスト説明", "ru": "Исходная тестовая подпись"})
        moment = moment_now()
        set_captions(image, {"ja": "後のテスト説明", "ru": "", "en": "Later test caption"})
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        assert {c.language: c.text for c in image.captions.all()} == {
            "ja": "元のテスト説明", "ru": "Исходная тестовая подпись"}

    def test_an_image_added_after_the_moment_goes_with_its_captions(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        attach(record, "first.jpg")
        moment = moment_now()
        later = attach(record, "later.jpg", captions={"en": "Later test caption"})
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        assert not RecordImage.objects.filter(pk=later.pk).exists()
        deleted = RecordImageCaption.history.filter(image_id=later.pk, history_type="-").get()
        assert deleted.history_user == bob
        # The later image's master stays in storage and in the history, as for any removed image.
        assert image_storage().exists(later.master.name)

    def test_a_replaced_master_is_put_back_from_the_kept_file(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "old.jpg")
        old = {name: getattr(image, name) for name in ("sha256", "size", "format", "width", "height")}
        old_master, old_thumb = image.master.name, image.thumb.name
        moment = moment_now()
        replace(image)
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        image.refresh_from_db()
        assert image.master.name == old_master and image.thumb.name == old_thumb
        assert {name: getattr(image, name) for name in old} == old
        assert image.original_name == "old.jpg"

    def test_a_lost_master_refuses_the_revert_and_leaves_no_broken_image(self, bob):
        record = RecordFactory(status=Status.DRAFT, date_display="at the moment")
        gone = attach(record, "lost.jpg", captions={"en": "Test caption"})
        moment = moment_now()
        gone_pk, master = gone.pk, gone.master.name
        gone.delete()
        Record.objects.filter(pk=record.pk).update(date_display="later")
        image_storage().delete(master)
        record.refresh_from_db()
        with pytest.raises(ValueError, match="lost.jpg"):
            revert(record, RecordAdmin.history_parts(None), moment, bob)
        assert not RecordImage.objects.filter(pk=gone_pk).exists()
        assert Record.objects.get(pk=record.pk).date_display == "later"

    def test_a_lost_master_is_reported_on_the_history_page(self, dana, login):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "lost.jpg")
        moment = moment_now()
        master = image.master.name
        replace(image)
        image_storage().delete(master)
        record.refresh_from_db()
        response = login(dana).post(reverse("admin:collection_record_revert", args=[record.pk]), {
            "moment": moment.isoformat(), "version": record.version}, follow=True)
        messages = [str(m) for m in response.context["messages"]]
        assert any("Nothing was reverted" in m and "lost.jpg" in m for m in messages)
        image.refresh_from_db()
        assert image.original_name == "replacement.png" and image_storage().exists(image.master.name)

    def test_a_lost_derivative_is_made_anew(self, bob):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, "old.jpg")
        old_master, old_thumb = image.master.name, image.thumb.name
        moment = moment_now()
        replace(image)
        image_storage().delete(old_thumb)
        revert(record, RecordAdmin.history_parts(None), moment, bob)
        image.refresh_from_db()
        assert image.master.name == old_master
        assert image.thumb.name != old_thumb and image_storage().exists(image.thumb.name)
        assert image.thumb_width


def test_captions_given_with_an_upload_are_by_its_uploader(bob):
    record = RecordFactory(status=Status.DRAFT)
    attach(record, captions={"en": "Test first page"}, by=bob)
    caption = RecordImageCaption.history.get()
    assert caption.history_user == bob and caption.text == "Test first page"


def test_a_revert_that_changes_only_parts_still_says_it_was_a_revert(bob, login):
    record = RecordFactory(status=Status.DRAFT)
    image = attach(record, by=bob)
    moment = RecordImage.history.order_by("-history_id").first().history_date
    set_captions(image, {"en": "Test caption added later"}, by=bob)
    revert(Record.objects.get(pk=record.pk), RecordAdmin.history_parts(None), moment, bob)
    assert not RecordImageCaption.objects.exists()
    reasons = [entry.reason for entry in timeline(record, RecordAdmin.history_parts(None)) if entry.reason]
    assert any(reason.startswith("Reverted to the version of ") for reason in reasons)


def test_an_images_own_history_lists_each_version_by_its_uploaded_file(alice, admin_client):
    record = RecordFactory(status=Status.DRAFT)
    image = attach(record, "old-scan.jpg", by=alice)
    old_path, old_sha = image.master.name, image.sha256
    replace(image, "new-scan.png", by=alice)
    page = admin_client.get(reverse("admin:collection_recordimage_history", args=[image.pk]))
    table = page.content.decode().split('id="change-history"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert "new-scan.png (PNG, 80 × 50 px" in rows[0] and "old-scan.jpg (JPEG" in rows[1] and old_sha[:16] in rows[1]
    assert old_path not in table and image.master.name not in table and "collection/scans" not in table
    assert "None" not in table  # no reason given reads as a dash

    view = admin_client.get(reverse("admin:collection_recordimage_change", args=[image.pk])).content.decode()
    master = view.split("Master file")[1].split("Uploaded file name")[0]
    assert f">{record.identifier}-new-scan.png</a>" in master and image.master.name not in master


def test_an_image_uploaded_without_a_name_is_named_for_its_key_not_its_storage_name(admin_client):
    record = RecordFactory(status=Status.DRAFT)
    image = add_images(record, inspect_upload(imaging.upload(imaging.png(), "scan.png"), ""))[0]
    assert image.original_name == ""
    stored = image.master.name.rsplit("/", 1)[-1].split(".")[0]  # the random part: the file's only secret
    pages = {
        "change list": reverse("admin:collection_recordimage_changelist"),
        "change page": reverse("admin:collection_recordimage_change", args=[image.pk]),
        "history": reverse("admin:collection_recordimage_history", args=[image.pk]),
        "delete confirmation": reverse("admin:collection_recordimage_delete", args=[image.pk]),
        "record's change page": change_url(record),
    }
    for page, url in pages.items():
        html = admin_client.get(url).content.decode()
        assert f"image-{image.pk}.png" in html, page
        assert stored not in html, page
    deleted = admin_client.post(pages["delete confirmation"], {"post": "yes"}, follow=True).content.decode()
    assert not RecordImage.objects.exists()
    assert f"image-{image.pk}.png" in deleted and stored not in deleted


def test_an_images_own_history_names_who_changed_it_as_the_records_history_does(alice, admin_client):
    image = attach(RecordFactory(status=Status.DRAFT), "scan.jpg", by=alice)
    page = admin_client.get(reverse("admin:collection_recordimage_history", args=[image.pk])).content.decode()
    row = page.split('id="change-history"')[1].split("</table>")[0].split("<tr>")[2]
    assert "<td>Alice</td>" in row
