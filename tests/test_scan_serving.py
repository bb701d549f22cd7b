"""Serving scans after they change: revalidated caching with an opaque ETag, the admin preview's images,
and who may delete a scan outside its record's form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from collection.images import inspect_upload
from collection.models import Record, RecordImage, Status, Visibility, add_images
from collection.reasons import describe

from . import imaging
from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db

KINDS = ["thumb", "web", "full"]


def attach(record, visibility=Visibility.PUBLIC, name="scan.jpg", data=None, **kwargs) -> RecordImage:
    data = data or imaging.jpeg()
    return add_images(record, inspect_upload(imaging.upload(data, name), name), visibility=visibility,
                      **kwargs)[0]


def replace(image: RecordImage, data: bytes, name: str = "new.png") -> None:
    image.replace_master(inspect_upload(imaging.upload(data, name), name))


@pytest.fixture
def public_image():
    return attach(RecordFactory(status=Status.PUBLISHED))


class TestCaching:
    @pytest.mark.parametrize("kind", KINDS)
    def test_public_images_are_revalidated_before_every_use(self, client, public_image, kind):
        response = client.get(public_image.url(kind))
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert "public" in directives and "no-cache" in directives
        assert not any(d.startswith("max-age") and d != "max-age=0" for d in directives)
        assert response["ETag"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_etag_reveals_no_storage_path(self, client, public_image, kind):
        etag = client.get(public_image.url(kind))["ETag"]
        stored = getattr(public_image, kind).name
        assert "/" not in etag and "collection" not in etag and "scans" not in etag
        token = stored.rsplit("/", 1)[-1].split("-")[0].split(".")[0]
        assert token not in etag and token[:8] not in etag

    def test_etags_differ_between_kinds_and_pages(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        pages = add_images(record, inspect_upload(imaging.upload(imaging.multipage_tiff(2), "p.tif"), "p.tif"))
        tags = {client.get(page.url(kind))["ETag"] for page in pages for kind in KINDS}
        assert len(tags) == 6

    def test_unchanged_file_answers_not_modified(self, client, public_image):
        etag = client.get(public_image.url("web"))["ETag"]
        again = client.get(public_image.url("web"), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again["ETag"] == etag and "no-cache" in again["Cache-Control"]
        assert client.get(public_image.url("web"), HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304

    def test_replaced_master_is_sent_anew(self, client, public_image):
        etag = client.get(public_image.url("full"))["ETag"]
        replace(public_image, imaging.png((90, 70)))
        response = client.get(public_image.url("full"), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response["ETag"] != etag
        with public_image.full.open("rb") as handle:
            assert b"".join(response.streaming_content) == handle.read()

    def test_image_made_private_is_gone_at_once_even_when_revalidated(self, client, public_image):
        etag = client.get(public_image.url("thumb"))["ETag"]
        RecordImage.objects.filter(pk=public_image.pk).update(visibility=Visibility.PRIVATE)
        assert client.get(public_image.url("thumb"), HTTP_IF_NONE_MATCH=etag).status_code == 404

    def test_withdrawn_record_scans_are_gone_at_once_even_when_revalidated(self, client, public_image):
        etag = client.get(public_image.url("web"))["ETag"]
        Record.objects.filter(pk=public_image.record_id).update(status=Status.WITHDRAWN)
        assert client.get(public_image.url("web"), HTTP_IF_NONE_MATCH=etag).status_code == 404

    def test_no_not_modified_for_an_image_that_is_not_public(self, client, public_image, dana):
        etag = client.get(public_image.url("web"))["ETag"]
        RecordImage.objects.filter(pk=public_image.pk).update(visibility=Visibility.PRIVATE)
        client.force_login(dana)
        response = client.get(public_image.url("web"), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert not response.has_header("ETag")
        assert client.get(public_image.url("web"), HTTP_IF_NONE_MATCH="*").status_code == 200

    def test_master_of_a_public_image_is_never_publicly_cacheable(self, client, public_image, dana):
        client.force_login(dana)
        response = client.get(public_image.url("master"))
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


class TestPreview:
    def preview(self, client, record):
        return client.get(reverse("admin:collection_record_preview", args=[record.pk]))

    def test_preview_shows_the_images_that_will_be_public_with_loadable_urls(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        shown = attach(record, name="shown.jpg")
        hidden = attach(record, visibility=Visibility.PRIVATE, name="hidden.jpg")
        client = login(alice)
        response = self.preview(client, record)
        assert response.status_code == 200
        html = response.content.decode()
        assert shown.url("thumb") in html and shown.url("full") in html
        assert hidden.url("thumb") not in html
        for kind in KINDS:
            loaded = client.get(shown.url(kind))
            assert loaded.status_code == 200 and "no-store" in loaded["Cache-Control"]

    @pytest.mark.parametrize("status", [Status.REVIEW, Status.WITHDRAWN, Status.PUBLISHED])
    def test_preview_of_records_in_other_statuses(self, dana, login, status):
        record = RecordFactory(status=status)
        shown = attach(record)
        html = self.preview(login(dana), record).content.decode()
        assert shown.url("thumb") in html

    def test_anonymous_visitors_still_load_nothing_of_an_unpublished_record(self, client, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        image = attach(record)
        assert image.url("thumb") in self.preview(login(alice), record).content.decode()
        for kind in [*KINDS, "master"]:
            assert client.get(image.url(kind)).status_code == 404
        assert client.get(reverse("admin:collection_record_preview", args=[record.pk])).status_code == 302

    def test_tag_with_a_preview_flag_but_no_staff_user_shows_only_public_images(self):
        record = RecordFactory(status=Status.DRAFT)
        attach(record)
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        template = Template('{% include "collection/_record_images.html" %}')
        html = template.render(Context({"record": record, "preview": True}))
        assert "record-image-link" not in html
        from django.template import RequestContext

        html = template.render(RequestContext(request, {"record": record, "preview": True}))
        assert "record-image-link" not in html

    def test_public_page_unchanged(self, client):
        record = RecordFactory(status=Status.PUBLISHED)
        shown = attach(record)
        hidden = attach(record, visibility=Visibility.PRIVATE)
        html = client.get(record.get_absolute_url()).content.decode()
        assert shown.url("thumb") in html and hidden.url("thumb") not in html


class TestDeleting:
    def delete_url(self, image):
        return reverse("admin:collection_recordimage_delete", args=[image.pk])

    @pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN])
    def test_contributor_cannot_delete_scans_of_records_she_may_not_edit(self, alice, login, status):
        image = attach(RecordFactory(status=status))
        client = login(alice)
        assert client.get(self.delete_url(image)).status_code == 403
        assert client.post(self.delete_url(image), {"post": "yes"}).status_code == 403
        assert RecordImage.objects.filter(pk=image.pk).exists()
        page = client.get(reverse("admin:collection_recordimage_change", args=[image.pk])).content.decode()
        assert self.delete_url(image) not in page

    def test_no_bulk_delete_of_images(self, alice, dana, login):
        images = [attach(RecordFactory(status=Status.PUBLISHED)), attach(RecordFactory(status=Status.DRAFT))]
        for user in (alice, dana):
            client = login(user)
            changelist = client.get(reverse("admin:collection_recordimage_changelist"))
            assert "delete_selected" not in changelist.content.decode()
            client.post(reverse("admin:collection_recordimage_changelist"), {
                "action": "delete_selected", "_selected_action": [i.pk for i in images], "post": "yes"})
            assert RecordImage.objects.count() == 2

    def test_contributor_deletes_a_scan_of_her_draft_and_the_record_moves_on(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        first = attach(record, name="first.jpg")
        second = attach(record, name="second.jpg")
        version = Record.objects.get(pk=record.pk).version
        stale_page = change_form_data(record, **{
            "images-TOTAL_FORMS": 2, "images-INITIAL_FORMS": 2,
            **{f"images-{n}-{key}": value for n, image in enumerate((first, second))
               for key, value in (("id", image.pk), ("record", record.pk), ("position", image.position),
                                  ("visibility", "public"))},
        })
        client = login(alice)
        response = client.post(self.delete_url(first), {"post": "yes"})
        assert response.status_code == 302
        # Back to the record, whose history says who removed which scan.
        assert response["Location"] == reverse("admin:collection_record_change", args=[record.pk])
        latest = Record.history.filter(id=record.pk).order_by("-history_id").first()
        assert latest.history_user == alice and describe(latest.history_change_reason) == "scan first.jpg removed"
        assert list(record.images.all()) == [second]
        assert Record.objects.get(pk=record.pk).version == version + 1
        assert RecordImage.objects.get(pk=second.pk).position == 1
        deleted = RecordImage.history.get(id=first.pk, history_type="-")
        assert deleted.history_user_id == alice.pk
        # The record's tab opened before the deletion still shows the image: its save is refused.
        refused = client.post(reverse("admin:collection_record_change", args=[record.pk]), stale_page)
        assert refused.status_code == 200
        assert "Your changes were not saved" in refused.content.decode()
        assert f"was changed by {alice.get_full_name() or alice.get_username()}" in refused.content.decode()

    def test_reviewer_deletes_a_scan_of_a_published_record(self, bob, login):
        image = attach(RecordFactory(status=Status.PUBLISHED))
        assert login(bob).post(self.delete_url(image), {"post": "yes"}).status_code == 302
        assert not RecordImage.objects.filter(pk=image.pk).exists()


def test_a_scan_is_named_for_its_image_not_its_stored_file(client):
    image = attach(RecordFactory(status=Status.PUBLISHED))
    response = client.get(image.url("web"))
    assert response["Content-Disposition"] == f'inline; filename="image-{image.pk}-web.jpg"'
    assert image.web.name.rsplit("/", 1)[-1].split("-")[0] not in response["Content-Disposition"]


def test_a_revert_puts_back_an_order_changed_by_an_insertion(bob):
    from collection.admin.records import RecordAdmin
    from collection.history import revert

    record = RecordFactory(status=Status.DRAFT)
    first, second = attach(record, name="first.jpg"), attach(record, name="second.jpg")
    inserted = add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), "inserted.jpg"), "inserted.jpg"),
                          position=1, by=bob)[0]
    moment = RecordImage.history.order_by("-history_id").first().history_date
    attach(record, name="later.jpg")
    revert(Record.objects.get(pk=record.pk), RecordAdmin.history_parts(None), moment, bob)
    assert [(image.pk, image.position) for image in record.images.order_by("position")] == [
        (inserted.pk, 1), (first.pk, 2), (second.pk, 3)]


@pytest.mark.parametrize(("name", "data", "downloaded"), [
    ("page.jpg", imaging.png, "page.png"),  # a PNG saved under a JPEG's name
    ("page.JPEG", imaging.jpeg, "page.JPEG"),
    ("page.jpeg", imaging.jpeg, "page.jpeg"),
    ("page", imaging.png, "page.png"),
    ("page.v2", imaging.png, "page.v2.png"),
])
def test_a_master_is_downloaded_under_a_name_its_format_opens(admin_client, name, data, downloaded):
    record = RecordFactory(status=Status.PUBLISHED)
    image = attach(record, name=name, data=data())
    response = admin_client.get(image.url("master"))
    assert response["Content-Disposition"] == f'attachment; filename="{record.identifier}-{downloaded}"'
