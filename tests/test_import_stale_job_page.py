"""The page of an import refused because the catalogue changed after its preview.

Its preview describes a catalogue that is no longer there: the page says why nothing was imported and offers
to preview the kept file again, and shows none of the outdated changes, on any page or filter of the preview.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collection.models import ImportJob, ImportJobStatus, PlaceName

from .factories import PlaceFactory, RecordFactory
from .roles import dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

FILE = "identifier,kind,status,title_en\r\ntest-1,memoir,draft,Title from the file\r\ntest-2,memoir,draft,Second\r\n"
OUTDATED = ("What importing would do", 'id="import-preview"', "Old title", "Title from the file", "Confirm import",
            "?action=updated")


def stale_job(client, url_name: str, file: SimpleUploadedFile, change) -> tuple[ImportJob, str]:
    client.post(reverse(url_name), {"file": file})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEWED
    change()
    client.post(reverse(f"{url_name}_job", args=[job.token]), {"fingerprint": job.fingerprint})
    job.refresh_from_db()
    assert job.status == ImportJobStatus.STALE
    return job, reverse(f"{url_name}_job", args=[job.token])


def test_the_outdated_preview_is_not_shown_only_the_way_to_preview_again(dana, login):  # noqa: F811
    record = RecordFactory(identifier="test-1", kind="memoir", status="draft", title="Old title",
                           title__language="en")
    client = login(dana)

    def edit_meanwhile():
        record.refresh_from_db()
        record.date_display = "edited by another manager"
        record.save()

    job, url = stale_job(client, "admin:collection_record_import",
                         SimpleUploadedFile("catalogue.csv", FILE.encode()), edit_meanwhile)
    for query in ("", "?page=2", "?action=updated", "?action=new"):
        page = client.get(url + query).content.decode()
        assert "The catalogue changed after the preview" in page
        assert "Preview the file again" in page
        shown = [text for text in OUTDATED if text in page]
        assert not shown, (query, shown)

    page = client.post(url, {"preview_again": "1"}, follow=True).content.decode()
    # The new preview shows what importing would do now, and can be confirmed.
    assert 'id="import-preview"' in page and "Confirm import" in page
    assert "Old title" in page and "Title from the file" in page


def test_a_vocabulary_import_hides_its_outdated_preview_too(dana, login):  # noqa: F811
    PlaceFactory(identifier="place-test-a", name="Test Town")
    sheet = "identifier,kind,parent,name_en\r\nplace-test-b,camp,Test Town,Test Camp\r\n"

    def rename_meanwhile():
        PlaceName.objects.filter(place__identifier="place-test-a").update(text="Renamed Test Town")

    _job, url = stale_job(login(dana), "admin:collection_place_import",
                          SimpleUploadedFile("places.csv", sheet.encode()), rename_meanwhile)
    page = login(dana).get(url).content.decode()
    assert "The vocabulary changed after the preview" in page and "Preview the file again" in page
    assert 'id="import-preview"' not in page and "Test Camp" not in page
    assert "What importing would do" not in page
