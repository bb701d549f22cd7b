"""Uploading scans: what is accepted, what is refused, and what the derivatives look like."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

import collection.images as images_module
from collection.images import inspect_upload, make_derivatives
from collection.models import Record, RecordImage, RecordImageCaption, Status, Visibility, add_images, image_storage

from . import imaging
from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def attach(record, data: bytes, name: str, **kwargs) -> list[RecordImage]:
    return add_images(record, inspect_upload(imaging.upload(data, name), name), **kwargs)


def stored_files() -> list[str]:
    location = image_storage().location
    found = []
    for root, _dirs, files in os.walk(location):
        found += [os.path.join(root, name) for name in files]
    return found


def derivative(image: RecordImage, kind: str = "full") -> Image.Image:
    with getattr(image, kind).open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


class TestAccepted:
    @pytest.mark.parametrize(("maker", "name", "fmt"), [
        (imaging.jpeg, "page.jpg", "JPEG"),
        (imaging.png, "page.png", "PNG"),
        (imaging.webp, "page.webp", "WEBP"),
        (lambda: imaging.multipage_tiff(1), "page.tif", "TIFF"),
    ])
    def test_master_kept_unchanged_with_checksum_and_size(self, maker, name, fmt):
        data = maker()
        [image] = attach(RecordFactory(), data, name)
        image.refresh_from_db()
        assert image.format == fmt
        assert image.sha256 == hashlib.sha256(data).hexdigest()
        assert image.size == len(data)
        with image.master.open("rb") as handle:
            assert handle.read() == data
        assert image.original_name == name
        assert {image.thumb_width, image.web_width, image.full_width} and image.thumb and image.web and image.full

    def test_format_decided_by_decoding_not_by_extension(self):
        [image] = attach(RecordFactory(), imaging.png(), "looks-like-a.jpg")
        assert image.format == "PNG"
        assert image.master.name.endswith(".png")

    def test_multipage_tiff_gives_one_image_per_page_in_order(self):
        record = RecordFactory()
        attach(record, imaging.jpeg(), "cover.jpg")
        pages = attach(record, imaging.multipage_tiff(3), "register.tif")
        assert [p.page for p in pages] == [0, 1, 2]
        assert [p.position for p in pages] == [2, 3, 4]
        assert len({p.master.name for p in pages}) == 1, "the TIFF is stored once"
        # Each page's derivative shows that page (the test pages differ in their red channel).
        reds = [derivative(p).getpixel((5, 5))[0] for p in pages]
        assert reds[0] < 15 and 30 < reds[1] < 50 and 70 < reds[2] < 90

    def test_file_names_are_random_not_the_uploaded_name(self):
        record = RecordFactory(identifier="doc-visible-name")
        [image] = attach(record, imaging.jpeg(), "secret-register.jpg")
        for field in (image.master, image.thumb, image.web, image.full):
            assert "secret" not in field.name and "doc-visible-name" not in field.name
            assert len(os.path.basename(field.name).split(".")[0].split("-")[0]) == 32


class TestRefused:
    @pytest.mark.parametrize(("maker", "name", "expected"), [
        (imaging.psd, "layers.psd", "Photoshop (PSD) files are not accepted"),
        (imaging.eps, "drawing.jpg", "EPS files are not accepted"),
        (imaging.svg, "vector.jpg", "SVG/XML files are not accepted"),
        (imaging.fits, "sky.fits", "FITS files are not accepted"),
        (imaging.gif, "anim.png", "GIF files are not accepted"),
        (lambda: b"just some text, not an image", "notes.jpg", "not an image in an accepted format"),
        (lambda: imaging.truncated(imaging.jpeg((400, 300))), "cut.jpg", "truncated or damaged"),
        (lambda: imaging.truncated(imaging.png((400, 300))), "cut.png", "truncated or damaged"),
        (lambda: imaging.truncated(imaging.multipage_tiff(3, (400, 300)), 0.8), "cut.tif", "truncated or damaged"),
        (lambda: b"", "empty.jpg", "the file is empty"),
    ])
    def test_refused_with_message_naming_file_and_nothing_stored(self, maker, name, expected):
        with pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(maker(), name), name)
        message = " ".join(excinfo.value.messages)
        assert f"“{name}”" in message
        assert expected in message
        assert stored_files() == []
        assert not RecordImage.objects.exists()

    @pytest.mark.parametrize(("language", "said"), [
        ("ja", "「cut.jpg」：ファイルが途中で切れているか破損しているため、読み込めません。"),
        ("ru", "«cut.jpg»: файл обрезан или повреждён и не может быть прочитан."),
    ])
    def test_a_damaged_file_is_refused_in_the_archivist_s_language_alone(self, language, said):
        # Pillow's own words ("image file is truncated (2 bytes not processed)") are English whatever the admin's
        # language: they are not part of what the archivist is told.
        with translation.override(language), pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(imaging.truncated(imaging.jpeg((400, 300))), "cut.jpg"), "cut.jpg")
        assert excinfo.value.messages == [said]

    def test_the_damaged_page_of_a_multipage_tiff_is_named(self):
        data = imaging.truncated(imaging.multipage_tiff(3, (400, 300)), 0.8)
        with pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(data, "register.tif"), "register.tif")
        assert excinfo.value.messages == [
            "“register.tif”: page 3 is truncated or damaged and cannot be read."]

    def test_file_over_the_size_limit(self, settings):
        settings.COLLECTION_MAX_UPLOAD_BYTES = 1000
        data = imaging.jpeg((300, 300))
        assert len(data) > 1000
        with pytest.raises(ValidationError, match="more than the limit of 1,000 bytes"):
            inspect_upload(imaging.upload(data, "big.jpg"), "big.jpg")

    def test_decompression_bomb_above_the_app_limit(self, settings):
        settings.COLLECTION_MAX_IMAGE_PIXELS = 1000
        with pytest.raises(ValidationError, match="decompression bomb") as excinfo:
            inspect_upload(imaging.upload(imaging.png((60, 40)), "bomb.png"), "bomb.png")
        assert "60 × 40" in str(excinfo.value)
        assert inspect_upload(imaging.upload(imaging.png((30, 30)), "ok.png"), "ok.png").pages

    def test_pillow_decompression_bomb_warning_is_an_error(self, monkeypatch):
        # Pillow warns between its limit and twice it; the warning must refuse the file, not just log.
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)
        with pytest.raises(ValidationError, match="decompression bomb"):
            inspect_upload(imaging.upload(imaging.png((60, 40)), "warned.png"), "warned.png")

    @pytest.mark.parametrize("pillow_limit", [2000, 1000], ids=["warned", "twice-over"])
    def test_pillow_bomb_refusal_names_the_size_and_the_limit(self, monkeypatch, pillow_limit):
        # Pillow stops the file at opening (a warning up to twice its limit, an error beyond): the archivist is
        # still told how large the page is and what the limit is, as for the app's own limit.
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)
        with pytest.raises(ValidationError) as excinfo:
            inspect_upload(imaging.upload(imaging.png((60, 40)), "huge.png"), "huge.png")
        message = " ".join(excinfo.value.messages)
        assert "“huge.png”" in message and "decompression bomb" in message
        assert "page 1 is 60 × 40 pixels" in message
        assert f"limit of {pillow_limit:,} pixels" in message

    def test_pillow_limit_applies_even_if_its_warning_is_silenced(self, monkeypatch):
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)
        with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ValidationError, match="2,000 pixels"):
            # Another thread may have reset the warning filters: the explicit check still refuses.
            monkeypatch.setattr(images_module.warnings, "simplefilter", lambda *args, **kwargs: None)
            inspect_upload(imaging.upload(imaging.png((60, 40)), "warned.png"), "warned.png")

    def test_bomb_on_a_later_tiff_page(self, settings):
        small = Image.new("RGB", (10, 10))
        large = Image.new("RGB", (100, 100))
        data = imaging.encode(small, "TIFF", save_all=True, append_images=[large])
        settings.COLLECTION_MAX_IMAGE_PIXELS = 5000
        with pytest.raises(ValidationError, match="page 2 is 100 × 100"):
            inspect_upload(imaging.upload(data, "pages.tif"), "pages.tif")

    def test_multipage_replacement_refused(self):
        [image] = attach(RecordFactory(), imaging.jpeg(), "one.jpg")
        upload = inspect_upload(imaging.upload(imaging.multipage_tiff(2), "two.tif"), "two.tif")
        with pytest.raises(ValidationError, match="has 2 pages"):
            image.replace_master(upload)
        image.refresh_from_db()
        assert image.format == "JPEG"


class TestDerivatives:
    @pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
    def test_16_bit_grey_is_scaled_not_clipped(self, fmt):
        [image] = attach(RecordFactory(), imaging.grey16(fmt, 32768), f"grey16.{fmt.lower()}")
        assert Image.open(io.BytesIO(imaging.grey16(fmt))).mode.startswith("I;16")
        value = derivative(image).getpixel((3, 3))
        assert 120 <= value <= 135, value  # a naive conversion gives 255

    def test_16_bit_rgb_tiff_keeps_its_colours(self):
        [image] = attach(RecordFactory(), imaging.rgb16_tiff(), "colour16.tif")
        assert image.format == "TIFF"
        red, green, blue = derivative(image).getpixel((1, 1))
        assert red > 245 and 118 <= green <= 138 and blue < 10, (red, green, blue)

    def test_cmyk_with_embedded_profile_converted_through_the_profile(self):
        data = imaging.cmyk_jpeg_with_profile()
        [image] = attach(RecordFactory(), data, "cmyk.jpg")
        red, green, blue = derivative(image).getpixel((5, 5))
        naive = Image.open(io.BytesIO(data)).convert("RGB").getpixel((5, 5))
        assert naive[0] == naive[2], "plain conversion gives neutral grey"
        assert red - blue > 25, (red, green, blue)  # the profile's warm paper

    def test_rgb_profile_honoured(self):
        [image] = attach(RecordFactory(), imaging.rgb_png_with_profile(), "tagged.png")
        red, green, blue = derivative(image).getpixel((5, 5))
        assert green > 200 and red < 60 and blue < 60, (red, green, blue)

    def test_exif_orientation_applied_and_metadata_stripped(self):
        data = imaging.with_exif_orientation_and_gps(6)
        master = Image.open(io.BytesIO(data))
        assert master.getexif().get_ifd(imaging.GPS_IFD), "the test file carries a GPS position"
        [image] = attach(RecordFactory(), data, "phone.jpg")
        assert (image.width, image.height) == (60, 40)
        assert (image.full_width, image.full_height) == (40, 60)
        for kind in ("thumb", "web", "full"):
            picture = derivative(image, kind)
            assert picture.width < picture.height, "upright: rotated a quarter turn"
            assert not picture.getexif(), f"{kind} keeps EXIF"
            assert "icc_profile" not in picture.info and "xmp" not in picture.info and "comment" not in picture.info
            with getattr(image, kind).open("rb") as handle:
                raw = handle.read()
            assert b"Exif" not in raw and b"TestCam" not in raw
        full = derivative(image)
        top, bottom = full.getpixel((20, 5)), full.getpixel((20, 55))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], "left half of the photo is now on top"
        with image.master.open("rb") as handle:
            assert handle.read() == data, "the master keeps its metadata untouched"

    def test_sizes_follow_settings(self, settings):
        settings.COLLECTION_IMAGE_THUMBNAIL_SIZE = 20
        settings.COLLECTION_IMAGE_WEB_SIZE = 50
        [image] = attach(RecordFactory(), imaging.jpeg((120, 80)), "big.jpg")
        assert (image.thumb_width, image.thumb_height) == (20, 13)
        assert (image.web_width, image.web_height) == (50, 33)
        assert (image.full_width, image.full_height) == (120, 80)
        assert derivative(image, "thumb").size == (20, 13)

    def test_transparency_flattened_on_white(self):
        picture = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
        [image] = attach(RecordFactory(), imaging.encode(picture, "PNG"), "clear.png")
        assert derivative(image).getpixel((5, 5)) == (255, 255, 255)

    def test_derivatives_made_once(self):
        [image] = attach(RecordFactory(), imaging.jpeg(), "once.jpg")
        names = (image.thumb.name, image.web.name, image.full.name)
        count = len(stored_files())
        assert image.ensure_derivatives() is False
        image.refresh_from_db()
        assert (image.thumb.name, image.web.name, image.full.name) == names
        assert len(stored_files()) == count

    def test_direct_derivative_call_with_page(self):
        made = make_derivatives(io.BytesIO(imaging.multipage_tiff(2, (30, 20))), page=1)
        assert made["full"].width == 30 and made["thumb"].height == 20


class TestReplaceAndHistory:
    def test_replaced_master_kept_in_history_and_storage(self):
        old_data, new_data = imaging.jpeg(), imaging.png((80, 50))
        [image] = attach(RecordFactory(), old_data, "first.jpg")
        old_name, old_sha, old_full = image.master.name, image.sha256, image.full.name
        image.replace_master(inspect_upload(imaging.upload(new_data, "second.png"), "second.png"))
        image.refresh_from_db()
        assert image.sha256 == hashlib.sha256(new_data).hexdigest()
        assert image.format == "PNG" and (image.width, image.height) == (80, 50)
        assert image.full.name != old_full and image.full_width == 80
        earlier = [h for h in image.history.all() if h.master == old_name]
        assert earlier and earlier[0].sha256 == old_sha
        with image_storage().open(old_name, "rb") as handle:
            assert handle.read() == old_data

    def test_removed_image_keeps_its_master_file(self):
        [image] = attach(RecordFactory(), imaging.jpeg(), "gone.jpg")
        name = image.master.name
        image.delete()
        assert image_storage().exists(name)
        assert RecordImage.history.filter(master=name, history_type="-").exists()


class TestCaptionsAndQueries:
    def test_caption_in_requested_language_with_fallback(self, settings):
        settings.COLLECTION_LANGUAGES = ["ja", "ru", "en"]
        [image] = attach(RecordFactory(), imaging.jpeg(), "c.jpg",
                         captions={"ja": "テスト画像", "en": "Test image", "ru": ""})
        assert RecordImageCaption.objects.filter(image=image).count() == 2
        assert image.caption("en") == "Test image"
        assert image.caption("ru") == "テスト画像"
        assert image.caption("en-GB") == "Test image"

    def test_with_public_scans(self):
        with_public = RecordFactory()
        attach(with_public, imaging.jpeg(), "a.jpg")
        only_private = RecordFactory()
        attach(only_private, imaging.jpeg(), "b.jpg", visibility=Visibility.PRIVATE)
        draft = RecordFactory(status=Status.DRAFT)
        attach(draft, imaging.jpeg(), "c.jpg")
        RecordFactory()
        found = set(Record.objects.published().with_public_scans())
        assert found == {with_public}


class TestAdminPages:
    def test_image_list_and_history_pages(self, admin_client, django_assert_max_num_queries):
        record = RecordFactory()
        images = [attach(record, imaging.jpeg(), f"{n}.jpg")[0] for n in range(3)]
        images[0].replace_master(inspect_upload(imaging.upload(imaging.png(), "new.png"), "new.png"))
        # session, user, count, filtered count, images with records, their titles (and a little slack)
        with django_assert_max_num_queries(8):
            response = admin_client.get("/admin/collection/recordimage/")
        assert response.status_code == 200
        assert images[0].sha256 in response.content.decode()
        history = admin_client.get(f"/admin/collection/recordimage/{images[0].pk}/history/")
        assert history.status_code == 200
        detail = admin_client.get(f"/admin/collection/recordimage/{images[0].pk}/change/").content.decode()
        assert f'href="{images[0].url("master")}"' in detail and "/no-public-url/" not in detail

    def test_record_change_form_lists_images_with_caption_fields(self, admin_client, settings):
        settings.COLLECTION_LANGUAGES = ["ja", "ru", "en"]
        record = RecordFactory()
        [image] = attach(record, imaging.jpeg(), "p.jpg", captions={"ru": "Тестовая подпись"})
        html = admin_client.get(f"/admin/collection/record/{record.pk}/change/").content.decode()
        assert 'name="images-0-caption_ja"' in html and 'name="images-0-caption_en"' in html
        assert 'value="Тестовая подпись"' in html
        assert image.url("thumb") in html
        assert 'enctype="multipart/form-data"' in html
        assert 'name="images-1-upload"' in html and "multiple" in html

    def test_a_photo_turned_by_its_exif_orientation_shows_its_upright_size_beside_the_stored_one(self, admin_client):
        record = RecordFactory()
        attach(record, imaging.with_exif_orientation_and_gps(6), "phone.jpg")
        [straight] = attach(record, imaging.jpeg(), "flat.jpg")
        html = admin_client.get(f"/admin/collection/record/{record.pk}/change/").content.decode()
        # The public page shows 40 × 60, the size of the image as seen: the admin says both, and why.
        assert "60 × 40 (turned upright by its EXIF orientation: 40 × 60)" in html
        assert html.count("turned upright") == 1, "an image not turned says its size once"
        assert f"{straight.width} × {straight.height} ·" in html


class TestStorageCheck:
    def test_warns_when_no_private_storage_is_configured(self, settings):
        from collection.checks import check_image_storage

        assert check_image_storage() == []
        settings.STORAGES = {key: value for key, value in settings.STORAGES.items() if key != "collection_images"}
        assert [w.id for w in check_image_storage()] == ["collection.W010"]
