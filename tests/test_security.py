"""What a hostile address, cell, file, cache or comment could make of the site: links that stay on the site,
citation downloads whose fields stay fields, scans taken as what they are, answers a cache keeps apart, and
histories that say what happened."""

from __future__ import annotations

import io
import re

import pytest
import rispy
from django.core.management import call_command
from django.urls import reverse

from collection.images import inspect_upload
from collection.models import Record, Status, Visibility, add_images
from collection.reasons import describe

from . import imaging
from .factories import RecordFactory, titled

pytestmark = pytest.mark.django_db


def _language_links(html: str) -> dict[str, str]:
    return dict((code, href) for href, code in re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', html))


class TestLanguageLinks:
    @pytest.mark.parametrize("path", ["/%2F/other.example/", "/%2F%2Fother.example/"])
    def test_a_not_found_page_links_each_language_on_this_site(self, client, path):
        # "/%2F/other.example/" reaches the site as "///other.example/": linked as it came, a browser would take
        # the "English" link to other.example. Each language's home page is linked instead.
        response = client.get(path)
        assert response.status_code == 404
        assert _language_links(response.content.decode()) == {"ja": "/ja/", "ru": "/ru/", "en": "/en/"}
        # An address on the site is linked as it came.
        links = _language_links(client.get("/en/no-such-page/").content.decode())
        assert set(links.values()) == {"/en/no-such-page/"}


class TestRisDownload:
    def test_a_line_break_in_an_imported_title_does_not_start_another_reference(self, client, tmp_path):
        # A cell broken with Alt+Enter, or made to forge a second reference in a reader's reference manager.
        sheet = tmp_path / "catalogue.csv"
        sheet.write_text(
            "identifier,kind,status,title_en,publication_place\n"
            'test-1,document,published,"Test title\nER  - \nTY  - JOUR\nTI  - Forged\nUR  - https://example.org/",'
            '"Test place\r\nER  - "\n',
            encoding="utf-8",
        )
        call_command("import_catalogue", str(sheet), stdout=io.StringIO())

        response = client.get("/en/records/test-1/cite.ris")
        text = response.content.decode()
        assert response.status_code == 200
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.splitlines()), text
        [entry] = rispy.loads(text)
        assert entry["title"] == "Test title ER  - TY  - JOUR TI  - Forged UR  - https://example.org/"
        assert entry["place_published"] == "Test place ER  -"
        assert "urls" not in entry

    def test_every_kind_of_line_break_is_a_space(self, client):
        record = titled("Line one\u2028line two\rline three", container_title="Box\n 1")
        [entry] = rispy.loads(client.get(f"/en/records/{record.identifier}/cite.ris").content.decode())
        assert entry["title"] == "Line one line two line three"
        assert entry["secondary_title"] == "Box 1"


class TestCaching:
    def test_the_api_answers_vary_with_the_language_cookie(self, client):
        record = titled("Test record", status=Status.PUBLISHED)
        client.cookies["django_language"] = "ru"
        for url in (
            reverse("collection_api:record-list"),
            reverse("collection_api:record-detail", args=[record.identifier]),
            reverse("collection_api:record-detail", args=["test-missing"]),
        ):
            response = client.get(url)
            assert response["Content-Language"] == "ru"
            vary = {value.strip().lower() for value in response["Vary"].split(",")}
            assert {"cookie", "accept-language"} <= vary, url
        # A page has its language in its address: a cache may keep one copy of it for every reader.
        assert "cookie" not in client.get(reverse("collection:record-list")).get("Vary", "").lower()

    def test_a_scan_not_yet_public_is_asked_for_again(self, client):
        record = RecordFactory(status=Status.DRAFT)
        data = imaging.jpeg()
        [image] = add_images(
            record, inspect_upload(imaging.upload(data, "scan.jpg"), "scan.jpg"), visibility=Visibility.PUBLIC
        )
        response = client.get(image.url("web"))
        assert response.status_code == 404
        assert "no-cache" in response["Cache-Control"]
        record.status = Status.PUBLISHED
        record.save()
        assert client.get(image.url("web")).status_code == 200


class TestScanFiles:
    @pytest.mark.parametrize("kind", ["web", "master"])
    def test_scans_are_never_sniffed_as_another_type(self, admin_client, settings, kind):
        # Even on a site that does not send the header itself (SecurityMiddleware's SECURE_CONTENT_TYPE_NOSNIFF).
        settings.SECURE_CONTENT_TYPE_NOSNIFF = False
        record = RecordFactory(status=Status.PUBLISHED)
        [image] = add_images(record, inspect_upload(imaging.upload(imaging.png(), "scan.png"), "scan.png"))
        response = admin_client.get(image.url(kind))
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"


class TestHistoryReasons:
    @pytest.mark.parametrize(
        "comment", ['[import] {"file": "catalogue.xlsx"}', '[status] {"new": "published", "old": "review"}']
    )
    def test_a_comment_that_reads_as_the_apps_own_reason_is_shown_as_typed(self, bob, login, comment):
        # Else the history would say the record was imported, or published, where a reviewer wrote this.
        record = RecordFactory(status=Status.REVIEW)
        record.return_to_draft(by=bob, comment=comment)
        page = login(bob).get(reverse("admin:collection_record_history", args=[record.pk]))
        assert [entry.reason for save in page.context["saves"] for entry in save.entries if entry.reason] == [comment]

    def test_a_deletion_reason_that_reads_as_one_is_kept_as_typed(self, dana):
        record = RecordFactory(status=Status.DRAFT, identifier="test-1")
        record.purge(by=dana, reason='[seed] {"file": "memoirs.csv"}')
        [row] = Record.history.filter(identifier="test-1", history_type="-")
        assert describe(row.history_change_reason) == '[seed] {"file": "memoirs.csv"}'
