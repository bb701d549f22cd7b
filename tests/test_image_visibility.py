"""Who may see which scan: the public sees public images of published records, and nothing else."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from django.contrib.auth.models import Permission
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from collection.images import inspect_upload
from collection.models import RecordImage, Status, Visibility, add_images, image_storage
from collection.models.images import set_captions

from . import imaging
from .accessibility import accessible_name
from .factories import RecordFactory, UserFactory

pytestmark = pytest.mark.django_db

KINDS = ["thumb", "web", "full"]


def attach(record, visibility=Visibility.PUBLIC, name="scan.jpg", data=None) -> RecordImage:
    data = data or imaging.jpeg()
    return add_images(record, inspect_upload(imaging.upload(data, name), name), visibility=visibility)[0]


@pytest.fixture
def staff(db):
    user = UserFactory(username="archivist", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_recordimage"))
    return user


@pytest.fixture
def record_viewer(staff):
    """Staff who may view scans and records."""
    staff.user_permissions.add(Permission.objects.get(codename="view_record"))
    return type(staff).objects.get(pk=staff.pk)


@pytest.fixture
def public_image():
    return attach(RecordFactory(status=Status.PUBLISHED))


class TestPublic:
    @pytest.mark.parametrize("kind", KINDS)
    def test_public_image_of_published_record_is_served(self, client, public_image, kind):
        response = client.get(public_image.url(kind))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "public" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        with getattr(public_image, kind).open("rb") as handle:
            assert body == handle.read()

    def test_master_is_not_served_to_the_public(self, client, public_image):
        assert client.get(public_image.url("master")).status_code == 404

    @pytest.mark.parametrize("kind", [*KINDS, "master"])
    def test_private_image_of_published_record_is_hidden(self, client, kind):
        image = attach(RecordFactory(status=Status.PUBLISHED), visibility=Visibility.PRIVATE)
        assert client.get(image.url(kind)).status_code == 404

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
    @pytest.mark.parametrize("kind", [*KINDS, "master"])
    def test_public_image_of_unpublished_record_is_hidden(self, client, status, kind):
        image = attach(RecordFactory(status=status))
        assert client.get(image.url(kind)).status_code == 404

    def test_withdrawing_the_record_hides_its_images(self, client, public_image):
        assert client.get(public_image.url("web")).status_code == 200
        public_image.record.status = Status.WITHDRAWN
        public_image.record.save()
        assert client.get(public_image.url("web")).status_code == 404

    def test_guessed_ids_and_kinds_tell_nothing(self, client, public_image):
        hidden = attach(RecordFactory(status=Status.DRAFT))
        missing = reverse("collection:image-file", kwargs={"pk": hidden.pk + 100, "kind": "web"})
        assert client.get(missing).status_code == 404
        assert client.get(hidden.url("web")).status_code == 404
        bad_kind = reverse("collection:image-file", kwargs={"pk": public_image.pk, "kind": "original"})
        assert client.get(bad_kind).status_code == 404

    def test_files_are_not_under_the_public_media_root(self, settings, client):
        image = attach(RecordFactory(status=Status.DRAFT))
        location = Path(image_storage().location).resolve()
        assert not location.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        for field in (image.master, image.thumb, image.web, image.full):
            assert client.get(settings.MEDIA_URL + field.name).status_code == 404

    def test_post_is_refused(self, client, public_image):
        assert client.post(public_image.url("web")).status_code == 405

    def test_unchanged_file_answers_not_modified(self, client, public_image):
        first = client.get(public_image.url("thumb"))
        again = client.get(public_image.url("thumb"), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


class TestStaff:
    @pytest.mark.parametrize("kind", KINDS)
    def test_staff_see_private_images_without_caching(self, client, staff, kind):
        image = attach(RecordFactory(status=Status.DRAFT), visibility=Visibility.PRIVATE)
        client.force_login(staff)
        response = client.get(image.url(kind))
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]

    def test_staff_download_the_master_unchanged(self, client, record_viewer):
        data = imaging.png()
        image = attach(RecordFactory(status=Status.DRAFT), data=data, name="orig.png")
        client.force_login(record_viewer)
        response = client.get(image.url("master"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == f'attachment; filename="{image.record.identifier}-orig.png"'
        assert b"".join(response.streaming_content) == data

    def test_a_master_downloads_under_the_name_it_was_uploaded_with(self, client, record_viewer):
        image = attach(RecordFactory(status=Status.DRAFT, identifier="mem-test-7"), name="名簿\x01 1.png",
                       data=imaging.png())
        client.force_login(record_viewer)
        disposition = client.get(image.url("master"))["Content-Disposition"]
        # Not ASCII: RFC 6266's UTF-8 form, which every browser reads; the control character cannot be sent.
        assert disposition == "attachment; filename*=utf-8''mem-test-7-%E5%90%8D%E7%B0%BF_%201.png"

    def test_a_master_downloads_without_its_record_to_staff_who_may_not_view_records(self, client, staff):
        data = imaging.png()
        image = attach(RecordFactory(status=Status.DRAFT, identifier="mem-test-8"), name="名簿 1.png", data=data)
        client.force_login(staff)
        response = client.get(image.url("master"))
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%90%8D%E7%B0%BF%201.png"
        assert b"".join(response.streaming_content) == data

    @pytest.mark.parametrize(("who", "expected"), [("staff", "image-{pk}.png"),
                                                   ("record_viewer", "mem-test-9-image-{pk}.png")])
    def test_a_master_uploaded_without_a_name_downloads_under_its_key(self, client, request, who, expected):
        image = attach(RecordFactory(status=Status.DRAFT, identifier="mem-test-9"), data=imaging.png())
        RecordImage.objects.filter(pk=image.pk).update(original_name="")
        client.force_login(request.getfixturevalue(who))
        disposition = client.get(image.url("master"))["Content-Disposition"]
        assert disposition == f'attachment; filename="{expected.format(pk=image.pk)}"'

    def test_staff_without_the_permission_see_only_public(self, client):
        image = attach(RecordFactory(status=Status.PUBLISHED), visibility=Visibility.PRIVATE)
        client.force_login(UserFactory(username="clerk", is_staff=True))
        assert client.get(image.url("web")).status_code == 404

    def test_inactive_user_is_treated_as_public(self, client, staff):
        image = attach(RecordFactory(status=Status.PUBLISHED), visibility=Visibility.PRIVATE)
        client.force_login(staff)
        staff.is_active = False
        staff.save()
        assert client.get(image.url("web")).status_code in (302, 404)


class TestRecordPage:
    def test_record_page_shows_only_public_images_lazily_with_sizes(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        shown = attach(record, name="shown.jpg")
        hidden = attach(record, visibility=Visibility.PRIVATE, name="hidden.jpg")
        html = client.get(record.get_absolute_url()).content.decode()
        assert shown.url("thumb") in html and shown.url("full") in html
        assert reverse("collection:image-file", kwargs={"pk": hidden.pk, "kind": "thumb"}) not in html
        assert 'loading="lazy"' in html
        assert f'width="{shown.thumb_width}" height="{shown.thumb_height}"' in html
        assert "collection/image-viewer.js" in html
        assert "<script>" not in html, "no inline script"

    def test_caption_in_the_page_language_marked_with_its_language(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        image = attach(record)
        set_captions(image, {"ja": "テスト画像", "ru": "Тестовое изображение"})
        with translation.override("ru"):
            url = record.get_absolute_url()
        html = client.get(url).content.decode()
        assert '<span lang="ru">Тестовое изображение</span>' in html
        assert 'alt="Тестовое изображение"' in html

    def test_the_pages_of_one_file_are_told_apart_by_their_page(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        pages = add_images(record, inspect_upload(imaging.upload(imaging.multipage_tiff(3), "register.tif"),
                                                  "register.tif"), captions={"en": "Test register"})
        html = client.get(f"/en/records/{record.identifier}/").content.decode()
        links = lxml.html.fromstring(html).find_class("record-image-link")
        assert [accessible_name(link) for link in links] == ["Test register", "Test register, page 2",
                                                             "Test register, page 3"]
        assert len(pages) == 3 and '<span lang="en">Test register</span>, page 3' in html

    def test_a_caption_in_another_language_is_read_in_its_own_and_the_page_in_the_pages(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        add_images(record, inspect_upload(imaging.upload(imaging.multipage_tiff(2), "register.tif"), "register.tif"),
                   captions={"ja": "テスト名簿"})
        html = client.get(f"/en/records/{record.identifier}/").content.decode()
        links = lxml.html.fromstring(html).find_class("record-image-link")
        thumbs = [link.find("img") for link in links]
        assert [(thumb.get("alt"), thumb.get("lang")) for thumb in thumbs] == [("テスト名簿", "ja")] * 2
        assert accessible_name(links[1]) == "テスト名簿, page 2"
        page = links[1].find_class("record-image-page")[0]
        assert page.text == ", page 2" and page.xpath("ancestor-or-self::*[@lang][1]/@lang") == ["en"]
        # In its own language the caption needs no mark of its own.
        with translation.override("ja"):
            url = record.get_absolute_url()
        thumb = lxml.html.fromstring(client.get(url).content.decode()).find_class("record-image-link")[0].find("img")
        assert thumb.get("alt") == "テスト名簿" and thumb.get("lang") is None

    def test_no_section_without_public_images(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        attach(record, visibility=Visibility.PRIVATE)
        html = client.get(record.get_absolute_url()).content.decode()
        assert "record-images" not in html and "image-viewer.js" not in html

    def test_images_listed_with_a_fixed_number_of_queries(self, django_assert_num_queries):
        record = RecordFactory(status=Status.PUBLISHED)
        for number in range(4):
            attach(record, name=f"p{number}.jpg")
        template = Template('{% include "collection/_record_images.html" %}')
        # 1: the record's public images (published record, public image); 2: their captions.
        with django_assert_num_queries(2):
            html = template.render(Context({"record": record}))
        assert html.count("record-image-link") == 4

    def test_tag_refuses_images_of_an_unpublished_record(self):
        record = RecordFactory(status=Status.DRAFT)
        attach(record)
        html = Template('{% include "collection/_record_images.html" %}').render(Context({"record": record}))
        assert "record-image-link" not in html
