"""Uploading scans through the record form: refusals that name every file, nothing left behind by a
rolled-back save, the order typed for new images, and who uploaded a replaced master."""

from __future__ import annotations

import io
import os

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from PIL import Image

import collection.admin.images as admin_images
import collection.models.images as image_models
from collection.images import MAX_SIDE_PIXELS, inspect_upload, make_derivatives
from collection.models import RecordImage, Status, add_images, image_storage
from collection.models.images import delete_image, discard_rolled_back_files

from . import imaging
from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def attach(record, data: bytes, name: str, **kwargs) -> list[RecordImage]:
    return add_images(record, inspect_upload(imaging.upload(data, name), name), **kwargs)


def stored_files() -> set[str]:
    location = image_storage().location
    found = set()
    for root, _dirs, files in os.walk(location):
        found |= {os.path.relpath(os.path.join(root, name), location) for name in files}
    return found


def files_of(images) -> set[str]:
    return {getattr(image, kind).name for image in images for kind in ("master", "thumb", "web", "full")}


def animated(fmt: str, frames: int = 3) -> bytes:
    pictures = [Image.new("RGB", (20, 20), (60 * i, 90, 120)) for i in range(frames)]
    return imaging.encode(pictures[0], fmt, save_all=True, append_images=pictures[1:], duration=100)


def post_new_images(client, record, rows: list[dict], existing: list[RecordImage] = ()):
    """Save the record's change form with ``existing`` image rows untouched and ``rows`` as new rows."""
    data = change_form_data(record, **{"images-TOTAL_FORMS": len(existing) + len(rows),
                                       "images-INITIAL_FORMS": len(existing)})
    for index, image in enumerate(existing):
        data |= {f"images-{index}-id": image.pk, f"images-{index}-record": record.pk,
                 f"images-{index}-position": image.position, f"images-{index}-visibility": image.visibility}
    for index, row in enumerate(rows, start=len(existing)):
        data |= {f"images-{index}-id": "", f"images-{index}-record": record.pk,
                 f"images-{index}-visibility": "public", f"images-{index}-position": row.get("position", "")}
        data[f"images-{index}-upload"] = [imaging.upload(content, name) for name, content in row["files"]]
    return client.post(reverse("admin:collection_record_change", args=[record.pk]), data)


def upload_errors(response) -> list[str]:
    return [str(message) for formset in response.context["inline_admin_formsets"]
            if formset.formset.prefix == "images"
            for form in formset.formset.forms for message in form.errors.get("upload", [])]


class TestRefusedBeforeStoring:
    def test_a_side_longer_than_a_jpeg_can_have_is_refused_by_name(self):
        data = imaging.encode(Image.new("L", (MAX_SIDE_PIXELS + 1, 2), 128), "PNG")
        with pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(data, "panorama.png"), "panorama.png")
        message = " ".join(excinfo.value.messages)
        assert "“panorama.png”" in message and "65,501 × 2" in message and "65,500" in message
        assert excinfo.value.error_list[0].code == "too_wide"
        with translation.override("ru"), pytest.raises(ValidationError) as excinfo:  # digits as Russian groups them
            inspect_upload(imaging.upload(data, "panorama.png"), "panorama.png")
        assert "65\xa0501 × 2" in " ".join(excinfo.value.messages)
        tall = imaging.encode(Image.new("L", (2, MAX_SIDE_PIXELS + 1), 128), "PNG")
        with pytest.raises(ValidationError, match="65,500"):
            inspect_upload(imaging.upload(tall, "scroll.png"), "scroll.png")
        assert stored_files() == set()

    def test_the_longest_side_a_jpeg_can_have_is_accepted_and_derived(self):
        data = imaging.encode(Image.new("L", (MAX_SIDE_PIXELS, 2), 128), "PNG")
        upload = inspect_upload(imaging.upload(data, "strip.png"), "strip.png")
        assert make_derivatives(upload.file)["full"].width == MAX_SIDE_PIXELS

    @pytest.mark.parametrize(("fmt", "name"), [("WEBP", "moving.webp"), ("PNG", "moving.png")])
    def test_animated_webp_and_png_are_refused_by_name(self, fmt, name):
        with pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(animated(fmt), name), name)
        message = " ".join(excinfo.value.messages)
        assert f"“{name}”" in message and "animated" in message and "3 frames" in message

    @pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
    def test_a_still_webp_or_png_written_as_an_animation_of_one_frame_is_accepted(self, fmt):
        data = animated(fmt, frames=1)
        assert inspect_upload(imaging.upload(data, "still"), "still").pages

    def test_an_empty_file_in_a_batch_hides_no_other_file_problem(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        response = post_new_images(admin_client, record, [{"files": [
            ("good.jpg", imaging.jpeg()), ("empty.jpg", b""), ("notes.jpg", b"just text"),
            ("anim.png", imaging.gif()),
        ]}])
        assert response.status_code == 200
        errors = upload_errors(response)
        assert "“empty.jpg”: the file is empty." in errors
        assert any(e.startswith("“notes.jpg”: this is not an image") for e in errors)
        assert any(e.startswith("“anim.png”: GIF files are not accepted") for e in errors)
        assert not any("Choose one or more" in e for e in errors)
        assert not any("submitted file is empty" in e for e in errors)
        assert not RecordImage.objects.exists() and stored_files() == set()

    def test_an_empty_file_alone_is_named_too(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        response = post_new_images(admin_client, record, [{"files": [("blank.tif", b"")]}])
        assert upload_errors(response) == ["“blank.tif”: the file is empty."]


class TestNothingLeftBehind:
    def test_files_of_earlier_uploads_removed_when_a_later_one_fails(self, admin_client, monkeypatch):
        record = RecordFactory(status=Status.DRAFT)
        calls = []

        def failing_on_the_second(fileobj, page=0):
            calls.append(page)
            if len(calls) == 2:
                raise OSError("broken data stream when writing image file")
            return make_derivatives(fileobj, page)

        monkeypatch.setattr(image_models, "make_derivatives", failing_on_the_second)
        with pytest.raises(OSError, match="broken data stream"):
            post_new_images(admin_client, record, [{"files": [("one.jpg", imaging.jpeg()),
                                                              ("two.jpg", imaging.jpeg())]}])
        assert len(calls) == 2
        assert not RecordImage.objects.exists()
        assert stored_files() == set(), "a rolled-back save leaves no file behind"

    def test_files_removed_when_the_admin_save_rolls_back_after_the_images(self, admin_client, monkeypatch):
        record = RecordFactory(status=Status.DRAFT)
        [kept] = attach(record, imaging.jpeg(), "kept.jpg")
        before = stored_files()

        def broken_renumber(record, **kwargs):
            raise RuntimeError("the save failed after the images were stored")

        monkeypatch.setattr(admin_images, "renumber", broken_renumber)
        with pytest.raises(RuntimeError):
            post_new_images(admin_client, record, [{"files": [("a.jpg", imaging.jpeg()),
                                                              ("b.tif", imaging.multipage_tiff(2))]}],
                            existing=[kept])
        assert list(RecordImage.objects.all()) == [kept]
        assert stored_files() == before, "the committed image keeps its files, the rolled-back ones are gone"

    def test_a_successful_save_keeps_its_files(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        response = post_new_images(admin_client, record, [{"files": [("a.jpg", imaging.jpeg()),
                                                                     ("b.png", imaging.png())]}])
        assert response.status_code == 302
        assert stored_files() == files_of(RecordImage.objects.all()) and len(stored_files()) == 8

    def test_rolled_back_savepoint_outside_a_request(self):
        record = RecordFactory(status=Status.DRAFT)
        with transaction.atomic():
            [kept] = attach(record, imaging.jpeg(), "kept.jpg")
        try:
            with transaction.atomic():
                attach(record, imaging.jpeg(), "first.jpg")
                attach(record, imaging.png(), "second.png")
                raise RuntimeError("a later step failed")
        except RuntimeError:
            pass
        assert len(stored_files()) == 12
        removed = discard_rolled_back_files()
        assert len(removed) == 8
        assert stored_files() == files_of([kept])
        assert discard_rolled_back_files() == []

    def test_files_named_by_history_are_never_removed(self):
        record = RecordFactory(status=Status.DRAFT)
        [other] = attach(record, imaging.jpeg(), "y.jpg")
        try:
            with transaction.atomic():
                [image] = attach(record, imaging.jpeg(), "x.jpg")
                names = sorted(files_of([image]))
                raise RuntimeError
        except RuntimeError:
            pass
        # Pretend a row had come to name one of them after all: a named file is in use and stays.
        RecordImage.objects.filter(pk=other.pk).update(master=names[0])
        RecordImage.history.filter(id=other.pk).update(full=names[1])
        assert set(discard_rolled_back_files()) == set(names[2:])
        assert image_storage().exists(names[0]) and image_storage().exists(names[1])


class TestOrderOfNewImages:
    def test_order_typed_in_the_new_row_is_honoured(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        existing = [attach(record, imaging.jpeg(), f"old{n}.jpg")[0] for n in range(1, 4)]
        response = post_new_images(admin_client, record, [{"position": 2, "files": [
            ("new-a.jpg", imaging.jpeg()), ("new-b.tif", imaging.multipage_tiff(2))]}], existing=existing)
        assert response.status_code == 302, upload_errors(response)
        order = list(record.images.order_by("position").values_list("original_name", "position"))
        assert order == [("old1.jpg", 1), ("new-a.jpg", 2), ("new-b.tif", 3), ("new-b.tif", 4),
                         ("old2.jpg", 5), ("old3.jpg", 6)]

    @pytest.mark.parametrize("position", ["", "0", "99"])
    def test_no_order_or_one_past_the_end_appends(self, admin_client, position):
        record = RecordFactory(status=Status.DRAFT)
        existing = [attach(record, imaging.jpeg(), f"old{n}.jpg")[0] for n in range(1, 3)]
        response = post_new_images(admin_client, record, [{"position": position,
                                                           "files": [("new.jpg", imaging.jpeg())]}],
                                   existing=existing)
        assert response.status_code == 302, upload_errors(response)
        order = list(record.images.order_by("position").values_list("original_name", "position"))
        assert order == [("old1.jpg", 1), ("old2.jpg", 2), ("new.jpg", 3)]

    def test_add_images_inserts_at_a_position(self):
        record = RecordFactory(status=Status.DRAFT)
        attach(record, imaging.jpeg(), "a.jpg")
        attach(record, imaging.jpeg(), "b.jpg")
        attach(record, imaging.jpeg(), "first.jpg", position=1)
        assert list(record.images.order_by("position").values_list("original_name", flat=True)) == [
            "first.jpg", "a.jpg", "b.jpg"]


class TestOrderOfExistingImages:
    """A number typed on an image already there puts it at that number; the others keep their order around it."""

    @staticmethod
    def post_order(client, record, images, numbers: dict):
        data = change_form_data(record, **{"images-TOTAL_FORMS": len(images), "images-INITIAL_FORMS": len(images)})
        for index, image in enumerate(images):
            data |= {f"images-{index}-id": image.pk, f"images-{index}-record": record.pk,
                     f"images-{index}-position": numbers.get(image.original_name, image.position),
                     f"images-{index}-visibility": image.visibility}
        return client.post(reverse("admin:collection_record_change", args=[record.pk]), data)

    @pytest.mark.parametrize(("numbers", "order"), [
        ({"d.jpg": 1}, ["d.jpg", "a.jpg", "b.jpg", "c.jpg"]),  # up, to the first place
        ({"c.jpg": 2}, ["a.jpg", "c.jpg", "b.jpg", "d.jpg"]),  # up, one place
        ({"a.jpg": 4}, ["b.jpg", "c.jpg", "d.jpg", "a.jpg"]),  # down, to the last place
        ({"a.jpg": 3}, ["b.jpg", "c.jpg", "a.jpg", "d.jpg"]),  # down, into the middle
        ({"a.jpg": 2, "b.jpg": 1}, ["b.jpg", "a.jpg", "c.jpg", "d.jpg"]),  # two swapped
    ])
    def test_a_typed_number_is_where_the_image_goes(self, admin_client, numbers, order):
        record = RecordFactory(status=Status.DRAFT)
        images = [attach(record, imaging.jpeg(), f"{name}.jpg")[0] for name in "abcd"]
        response = self.post_order(admin_client, record, images, numbers)
        assert response.status_code == 302, upload_errors(response)
        assert list(record.images.order_by("position").values_list("original_name", flat=True)) == order
        assert list(record.images.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]


class TestReplacedMaster:
    def test_the_replacing_user_is_the_uploader_of_the_new_master(self, alice, dana):
        [image] = attach(RecordFactory(status=Status.DRAFT), imaging.jpeg(), "old.jpg", by=alice)
        image.replace_master(inspect_upload(imaging.upload(imaging.png(), "new.png"), "new.png"), by=dana)
        image.refresh_from_db()
        assert image.uploaded_by == dana
        old = image.history.filter(original_name="old.jpg").order_by("history_id").first()
        assert old.uploaded_by_id == alice.pk and old.history_user_id == alice.pk
        assert image.history.order_by("-history_id").first().history_user_id == dana.pk

    def test_replacing_in_the_admin_records_the_replacing_user(self, alice, dana, login):
        record = RecordFactory(status=Status.DRAFT)
        [image] = attach(record, imaging.jpeg(), "old.jpg", by=alice)
        data = change_form_data(record, **{
            "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 1, "images-0-id": image.pk,
            "images-0-record": record.pk, "images-0-position": 1, "images-0-visibility": "public",
            "images-0-upload": imaging.upload(imaging.png(), "new.png"),
        })
        response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]), data)
        assert response.status_code == 302
        image.refresh_from_db()
        assert image.original_name == "new.png" and image.uploaded_by == dana


class TestFixityWording:
    def run(self) -> str:
        from django.core.management import call_command
        from django.core.management.base import CommandError

        out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("verify_fixity", stdout=out)
        return out.getvalue()

    def test_master_of_a_deleted_image_is_called_deleted(self):
        [image] = attach(RecordFactory(status=Status.DRAFT), imaging.jpeg(), "gone.jpg")
        name, pk = image.master.name, image.pk
        delete_image(image)
        image_storage().delete(name)
        report = self.run()
        assert f"MISSING  {name} (images: none (master of deleted image {pk} kept in history)" in report
        assert "replaced" not in report

    def test_replaced_master_is_still_called_replaced(self):
        [image] = attach(RecordFactory(status=Status.DRAFT), imaging.jpeg(), "old.jpg")
        old = image.master.name
        image.replace_master(inspect_upload(imaging.upload(imaging.png(), "new.png"), "new.png"))
        image_storage().delete(old)
        assert f"MISSING  {old} (images: none (replaced master kept in history)" in self.run()

    def test_replaced_then_deleted(self):
        [image] = attach(RecordFactory(status=Status.DRAFT), imaging.jpeg(), "old.jpg")
        old = image.master.name
        image.replace_master(inspect_upload(imaging.upload(imaging.png(), "new.png"), "new.png"))
        new, pk = image.master.name, image.pk
        image.delete()
        image_storage().delete(old)
        image_storage().delete(new)
        report = self.run()
        assert f"MISSING  {old} (images: none (master of deleted image {pk} kept in history)" in report
        assert f"MISSING  {new} (images: none (master of deleted image {pk} kept in history)" in report


class TestRepeatedFiles:
    """A file the record already has is added all the same, with a warning naming both."""

    @staticmethod
    def warnings(response) -> list[str]:
        return [str(message) for message in get_messages(response.wsgi_request) if message.level_tag == "warning"]

    def test_a_file_the_record_already_has_is_kept_and_named(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        existing = attach(record, imaging.jpeg(), "page-1.jpg")
        response = post_new_images(admin_client, record, [{"files": [
            ("again.jpg", imaging.jpeg()), ("other.png", imaging.png())]}], existing=existing)
        assert response.status_code == 302, upload_errors(response)
        assert record.images.count() == 3
        assert self.warnings(response) == [
            "“again.jpg” is the same file as “page-1.jpg”, already among this record's images. Both are kept: "
            "delete one if it was added twice by mistake."]

    def test_the_same_file_twice_in_one_save(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        response = post_new_images(admin_client, record, [{"files": [("a.png", imaging.png())]},
                                                          {"files": [("b.png", imaging.png())]}])
        assert response.status_code == 302, upload_errors(response)
        assert [message.split(",")[0] for message in self.warnings(response)] == [
            "“b.png” is the same file as “a.png”"]

    def test_no_warning_for_a_file_put_back_after_its_image_is_deleted(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record, imaging.jpeg(), "page-1.jpg")[0]
        data = change_form_data(record, **{"images-TOTAL_FORMS": 2, "images-INITIAL_FORMS": 1})
        data |= {"images-0-id": image.pk, "images-0-record": record.pk, "images-0-position": 1,
                 "images-0-visibility": image.visibility, "images-0-DELETE": "on",
                 "images-1-id": "", "images-1-record": record.pk, "images-1-visibility": "public",
                 "images-1-position": "", "images-1-upload": [imaging.upload(imaging.jpeg(), "page-1-again.jpg")]}
        response = admin_client.post(reverse("admin:collection_record_change", args=[record.pk]), data)
        assert response.status_code == 302, upload_errors(response)
        assert list(record.images.values_list("original_name", flat=True)) == ["page-1-again.jpg"]
        assert self.warnings(response) == []

    def test_a_file_another_record_has_is_kept_and_that_record_named_with_a_link(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        other = RecordFactory(status=Status.DRAFT, identifier="doc-<b>other</b>")
        attach(other, imaging.jpeg(), "first.jpg")
        attach(RecordFactory(status=Status.DRAFT, identifier="doc-z-third"), imaging.jpeg(), "third.jpg")
        response = post_new_images(admin_client, record, [{"files": [
            ("again.jpg", imaging.jpeg()), ("other.png", imaging.png())]}])
        assert response.status_code == 302, upload_errors(response)
        assert record.images.count() == 2
        link = reverse("admin:collection_record_change", args=[other.pk])
        # The first record holding it, by identifier; the identifier escaped.
        assert self.warnings(response) == [
            f"“again.jpg” is the same file as “first.jpg” of the record <a href=\"{link}\">doc-&lt;b&gt;other&lt;/b&gt;"
            "</a>. It is kept: delete it if it was added to this record by mistake."]

    def test_different_files_bring_no_warning(self, admin_client):
        record = RecordFactory(status=Status.DRAFT)
        existing = attach(record, imaging.jpeg(), "page-1.jpg")
        response = post_new_images(admin_client, record, [{"files": [("p.png", imaging.png())]}], existing=existing)
        assert response.status_code == 302, upload_errors(response)
        assert self.warnings(response) == []


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Choose one file to replace “old.jpg”: 2 were chosen (a.jpg, b.png). Add the others as new images."),
    ("ja", "「old.jpg」を差し替えるファイルは1つだけ選択してください（2 個選択されています：a.jpg, b.png）。"
           "その他のファイルは新しい画像として追加してください。"),
])
def test_several_files_chosen_to_replace_one_image_are_named(admin_client, language, said):
    record = RecordFactory(status=Status.DRAFT)
    [image] = attach(record, imaging.jpeg(), "old.jpg")
    data = change_form_data(record, **{
        "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 1, "images-0-id": image.pk,
        "images-0-record": record.pk, "images-0-position": 1, "images-0-visibility": "public",
        "images-0-upload": [imaging.upload(imaging.jpeg(), "a.jpg"), imaging.upload(imaging.png(), "b.png")],
    })
    response = admin_client.post(reverse("admin:collection_record_change", args=[record.pk]), data,
                                 headers={"accept-language": language})
    assert upload_errors(response) == [said]
