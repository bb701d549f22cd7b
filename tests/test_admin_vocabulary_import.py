"""A places, subjects or agents sheet imported and exported on its changelist in the admin.

The import is the records import's (upload, a preview that writes nothing, confirmation refused when the
vocabulary changed in between); the permissions are ``import_catalogue --vocabulary``'s; the export writes
the bytes ``export_catalogue --vocabulary`` writes.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from collection.catalogue.csv_io import write_csv
from collection.catalogue.format import vocabulary_columns
from collection.importing.jobs import summary_lines_of
from collection.models import Agent, AgentName, ImportJob, ImportJobStatus, Place, PlaceName, Subject
from collection.reasons import describe

from .factories import PlaceFactory, SubjectFactory, UserFactory
from .test_admin_import import percents_shown_while_checking
from .test_vocabulary_commands import AWKWARD, sheet

pytestmark = pytest.mark.django_db

MODEL_NAMES = {"places": "place", "subjects": "subject", "agents": "agent"}


def url(vocabulary: str, name: str, *args) -> str:
    return reverse(f"admin:collection_{MODEL_NAMES[vocabulary]}_{name}", args=args)


def csv_upload(vocabulary: str, rows: list[dict], name: str | None = None) -> SimpleUploadedFile:
    data = write_csv(rows, vocabulary_columns(vocabulary))
    return SimpleUploadedFile(name or f"{vocabulary}.csv", data, content_type="text/csv")


def upload(client, vocabulary: str, file, **fields):
    return client.post(url(vocabulary, "import"), {"file": file, **fields})


def job_url(job: ImportJob) -> str:
    return url(job.vocabulary, "import_job", job.token)


def confirm(client, job: ImportJob, **kwargs):
    return client.post(job_url(job), {"fingerprint": job.fingerprint}, **kwargs)


def history_count() -> tuple[int, ...]:
    return (Place.history.count(), PlaceName.history.count(), Subject.history.count(), Agent.history.count(),
            AgentName.history.count())


class TestPermissions:
    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_a_collection_manager_is_offered_import_and_both_exports(self, dana, login, vocabulary):
        page = login(dana).get(url(vocabulary, "changelist")).content.decode()
        assert url(vocabulary, "import") in page
        # The whole sheet: no filter of the list is carried to the export.
        assert f'href="{url(vocabulary, "export", "csv")}"' in page
        assert f'href="{url(vocabulary, "export", "xlsx")}"' in page

    def test_a_contributor_may_import_agents_but_not_places_or_subjects(self, alice, login):
        client = login(alice)
        for vocabulary in ("places", "subjects"):
            page = client.get(url(vocabulary, "changelist")).content.decode()
            assert url(vocabulary, "import") not in page
            assert url(vocabulary, "export", "csv") in page  # alice may view them, so export them
            assert client.get(url(vocabulary, "import")).status_code == 403
            assert upload(client, vocabulary, csv_upload(vocabulary, AWKWARD[vocabulary])).status_code == 403
        assert not ImportJob.objects.exists() and not Place.objects.exists() and not Subject.objects.exists()
        assert url("agents", "import") in client.get(url("agents", "changelist")).content.decode()
        upload(client, "agents", csv_upload("agents", AWKWARD["agents"]))
        job = ImportJob.objects.get()
        confirm(client, job)
        assert Agent.objects.count() == len(AWKWARD["agents"])

    def test_a_job_answers_only_on_its_own_vocabulary_and_to_those_who_may_import_it(self, alice, dana, login):
        client = login(dana)
        upload(client, "places", csv_upload("places", AWKWARD["places"]))
        job = ImportJob.objects.get()
        assert client.get(job_url(job)).status_code == 200
        for other in ("subjects", "agents"):
            assert client.get(url(other, "import_job", job.token)).status_code == 404
        assert client.get(reverse("admin:collection_record_import_job", args=[job.token])).status_code == 404
        # A user who may not change places: no job page, no confirmation, no problems download.
        assert login(alice).get(job_url(job)).status_code == 403
        assert confirm(login(alice), job).status_code == 403
        assert login(alice).get(url("places", "import_errors", job.token)).status_code == 403
        assert not Place.objects.exists()

    def test_a_user_who_may_add_but_not_change_places_is_refused(self, login):
        user = UserFactory(username="test-adder", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=["view_place", "add_place"]))
        client = login(type(user).objects.get(pk=user.pk))
        assert url("places", "import") not in client.get(url("places", "changelist")).content.decode()
        assert client.get(url("places", "import")).status_code == 403

    def test_export_needs_the_view_permission(self, login):
        client = login(UserFactory(username="test-staff", is_staff=True))
        assert client.get(url("agents", "export", "csv")).status_code == 403
        assert client.get(url("agents", "export", "xlsx")).status_code == 403


class TestPreviewAndConfirm:
    def test_preview_writes_nothing_and_confirm_writes_it_with_the_user_and_file_in_history(self, dana, login):
        client = login(dana)
        response = upload(client, "places", csv_upload("places", AWKWARD["places"], name="places-2026.csv"))
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == job_url(job)
        assert (job.vocabulary, job.status) == ("places", ImportJobStatus.PREVIEWED)
        assert not Place.objects.exists() and history_count() == (0, 0, 0, 0, 0)

        page = client.get(job_url(job)).content.decode()
        assert page.count('class="import-new"') == 3
        assert "places: 3 new, 0 updated, 0 unchanged" in page
        # In the sheet's row order, though the writer saves a parent before its children.
        assert [entry["row"] for entry in job.preview] == [2, 3, 4]
        assert "Хабаровск" in page and "ハバロフスク" in page
        assert "<code>parent</code>: place-test-country" in page  # named by its name, shown by its identifier

        confirm(client, job)
        job.refresh_from_db()
        assert job.status == ImportJobStatus.DONE
        city = Place.objects.get(identifier="place-test-city")
        assert city.parent.identifier == "place-test-country"
        assert city.names.get(language="en", preferred=True).text == "Khabarovsk \\ Test"
        for entry in [*Place.history.all(), *PlaceName.history.all()]:
            assert entry.history_user == dana
            assert describe(entry.history_change_reason) == "import of places-2026.csv"

    def test_an_update_shows_each_changed_column_old_and_new_and_unchanged_rows(self, dana, login):
        PlaceFactory(identifier="place-test-a", kind="city", name="Old Test Name")
        PlaceFactory(identifier="place-test-b", kind="camp", name="Same Test Name")
        client = login(dana)
        upload(client, "places", csv_upload("places", [
            {"identifier": "place-test-a", "name_en": "New Test Name", "gupvi_camp_number": "7"},
            {"identifier": "place-test-b", "name_en": "Same Test Name"},
        ]))
        job = ImportJob.objects.get()
        page = client.get(job_url(job)).content.decode()
        assert '<tr class="import-updated">' in page and '<tr class="import-unchanged">' in page
        assert "<code>name_en</code>: <del>Old Test Name</del> → <ins>New Test Name</ins>" in page
        assert "<code>gupvi_camp_number</code>: <del>—</del> → <ins>7</ins>" in page
        assert PlaceName.objects.get(place__identifier="place-test-a").text == "Old Test Name"

        before = Place.history.filter(identifier="place-test-b").count()
        confirm(client, job)
        assert PlaceName.objects.get(place__identifier="place-test-a").text == "New Test Name"
        assert Place.objects.get(identifier="place-test-a").gupvi_camp_number == "7"
        assert Place.history.filter(identifier="place-test-b").count() == before  # unchanged: not touched

    def test_errors_name_row_and_column_and_nothing_is_written(self, dana, login):
        client = login(dana)
        upload(client, "agents", csv_upload("agents", [
            {"identifier": "agent-test-fine", "name_en": "Fine Test"},
            {"identifier": "agent-test-new", "name_en": "Anna Testova", "name_parts": "en:Testowa, Anna"},
            {"identifier": "agent-test-odd", "kind": "robot", "name_en": "Test Robot"},
        ]))
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.INVALID
        page = client.get(job_url(job)).content.decode()
        assert ("row 3, column name_parts: The family name “Testowa” does not occur in name_en, “Anna Testova”: "
                "check both for a typo.") in page
        assert "row 4, column kind:" in page
        assert 'id="confirm-form"' not in page
        assert not Agent.objects.exists() and history_count() == (0, 0, 0, 0, 0)
        download = client.get(url("agents", "import_errors", job.token)).content.decode("utf-8-sig")
        assert "row 4, column kind:" in download

    def test_a_records_sheet_is_refused_for_its_columns(self, dana, login):
        client = login(dana)
        upload(client, "subjects", SimpleUploadedFile("records.csv", b"identifier,kind,status,title_en\n"
                                                                     b"mem-test-1,memoir,draft,Test\n"))
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.INVALID
        assert job.errors_in() == ["row 1, column kind: Unknown column.", "row 1, column status: Unknown column.",
                              "row 1, column title_en: Unknown column."]

    def test_confirm_is_refused_if_a_name_changed_after_the_preview(self, dana, login):
        PlaceFactory(identifier="place-test-a", name="Test Town")
        client = login(dana)
        upload(client, "places", csv_upload("places", [
            {"identifier": "place-test-b", "kind": "camp", "parent": "Test Town", "name_en": "Test Camp"}]))
        job = ImportJob.objects.get()
        # Only a name is edited meanwhile (the entry's own row is untouched): the parent named by it is gone.
        PlaceName.objects.filter(place__identifier="place-test-a").update(text="Renamed Test Town")
        response = confirm(client, job, follow=True)
        job.refresh_from_db()
        assert job.status == ImportJobStatus.STALE
        assert "The vocabulary changed after the preview" in response.content.decode()
        assert not Place.objects.filter(identifier="place-test-b").exists()

    def test_confirm_is_refused_if_an_entry_was_added_after_the_preview(self, dana, login):
        client = login(dana)
        upload(client, "subjects", csv_upload("subjects", AWKWARD["subjects"]))
        job = ImportJob.objects.get()
        SubjectFactory(identifier="subject-test-other", label="Labour | work")
        confirm(client, job)
        job.refresh_from_db()
        assert job.status == ImportJobStatus.STALE
        assert list(Subject.objects.values_list("identifier", flat=True)) == ["subject-test-other"]

    def test_an_import_that_would_differ_from_its_preview_writes_nothing(self, dana, login, monkeypatch):
        from collection.importing import jobs

        client = login(dana)
        upload(client, "agents", csv_upload("agents", AWKWARD["agents"]))
        job = ImportJob.objects.get()
        monkeypatch.setattr(jobs, "preview_entries", lambda result: [{"row": 99}])
        confirm(client, job)
        job.refresh_from_db()
        assert job.status == ImportJobStatus.STALE
        assert not Agent.objects.exists() and history_count() == (0, 0, 0, 0, 0)

    def test_a_cp932_csv_needs_its_encoding_chosen(self, dana, login):
        client = login(dana)
        data = "identifier,name_ja,name_parts\nagent-test-1,髙橋①太郎,\"ja:髙橋①, 太郎\"\n".encode("cp932")
        upload(client, "agents", SimpleUploadedFile("agents.csv", data))
        job = ImportJob.objects.get()
        assert job.status == ImportJobStatus.INVALID and "“Encoding of a CSV file”" in job.errors_in()[0]
        upload(client, "agents", SimpleUploadedFile("agents.csv", data), encoding="cp932")
        job = ImportJob.objects.latest("created")
        confirm(client, job)
        name = AgentName.objects.get(agent__identifier="agent-test-1", language="ja")
        assert (name.text, name.family, name.given) == ("髙橋①太郎", "髙橋①", "太郎")

    def test_an_xlsx_sheet_is_chosen_by_name(self, dana, login):
        book = openpyxl.Workbook()
        book.active.title = "notes"
        book.active.append(["not a vocabulary"])
        places = book.create_sheet("places")
        places.append(["identifier", "kind", "name_ru", "latitude", "longitude"])
        places.append(["place-test-1", "city", "Тайшет", 55.94, 98])
        out = io.BytesIO()
        book.save(out)
        client = login(dana)
        upload(client, "places", SimpleUploadedFile("book.xlsx", out.getvalue()))
        # The first sheet in workbook order is read; without an identifier column it is refused, naming the others.
        assert ImportJob.objects.get().errors_in()[0].startswith(
            "The workbook's first sheet, “notes”, has no identifier column, so it cannot be the sheet to import.")
        assert "other sheets are: places." in ImportJob.objects.get().errors_in()[0]
        upload(client, "places", SimpleUploadedFile("book.xlsx", out.getvalue()), sheet="places")
        confirm(client, ImportJob.objects.latest("created"))
        assert str(Place.objects.get(identifier="place-test-1").latitude) == "55.940000"

    def test_an_oversized_upload_is_refused_before_it_is_read(self, dana, login, settings):
        settings.COLLECTION_IMPORT_MAX_BYTES = 50
        response = upload(login(dana), "agents", csv_upload("agents", AWKWARD["agents"]))
        assert "larger than the" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_script_in_cells_and_file_name_is_shown_escaped(self, dana, login):
        client = login(dana)
        upload(client, "subjects", csv_upload("subjects", [
            {"identifier": "subject-test-1", "name_en": "<script>alert(1)</script>"}], name="<script>alert(2).csv"))
        page = client.get(job_url(ImportJob.objects.get())).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;script&gt;alert(2).csv" in page

        upload(client, "places", csv_upload("places", [
            {"identifier": "place-test-1", "kind": "<script>x</script>", "name_en": "Test"}], name="<b>.csv"))
        job = ImportJob.objects.latest("created")
        assert job.status == ImportJobStatus.INVALID
        page = client.get(job_url(job)).content.decode()
        assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;b&gt;.csv" in page

    def test_the_preview_page_runs_no_query_per_row(self, dana, login, settings, django_assert_max_num_queries):
        settings.COLLECTION_IMPORT_PREVIEW_ROWS_PER_PAGE = 200
        for number in range(200):
            PlaceFactory(identifier=f"place-test-{number:03}", name=f"Old Test {number}")
        client = login(dana)
        upload(client, "places", csv_upload("places", [
            {"identifier": f"place-test-{number:03}", "name_en": f"New Test {number}"} for number in range(200)]))
        job = ImportJob.objects.get()
        with django_assert_max_num_queries(8):
            page = client.get(job_url(job)).content.decode()
        assert page.count('class="import-updated"') == 200

    def test_an_exported_sheet_imports_back_unchanged(self, dana, login):
        client = login(dana)
        upload(client, "agents", csv_upload("agents", AWKWARD["agents"]))
        confirm(client, ImportJob.objects.get())
        before = history_count()
        exported = b"".join(client.get(url("agents", "export", "xlsx")).streaming_content)
        upload(client, "agents", SimpleUploadedFile("agents.xlsx", exported))
        job = ImportJob.objects.latest("created")
        assert summary_lines_of(job) == [f"agents: 0 new, 0 updated, {len(AWKWARD['agents'])} unchanged"]
        confirm(client, job)
        assert history_count() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
def test_the_export_is_the_commands_byte_for_byte(tmp_path, dana, login, vocabulary, file_format):
    call_command("import_catalogue", str(sheet(tmp_path, vocabulary, AWKWARD[vocabulary])),
                 "--vocabulary", vocabulary, stdout=io.StringIO())
    path = tmp_path / f"command.{file_format}"
    call_command("export_catalogue", str(path), "--vocabulary", vocabulary, stderr=io.StringIO())
    # A filter on the list does not narrow the sheet.
    response = login(dana).get(url(vocabulary, "export", file_format) + "?q=nothing-matches")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == path.read_bytes()
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{vocabulary}-') and disposition.endswith(
        f'.{file_format}"')


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_a_large_sheet_is_previewed_and_imported_by_the_task_worker(dana, login, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.COLLECTION_IMPORT_INLINE_MAX_ROWS = 1
    client = login(dana)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "agents", csv_upload("agents", AWKWARD["agents"]))
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportJobStatus.QUEUED
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEWED and not Agent.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, job)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert Agent.objects.count() == len(AWKWARD["agents"])
    assert {entry.history_user for entry in Agent.history.all()} == {dana}


def test_a_background_preview_shows_the_rows_checked_so_far(dana, monkeypatch):
    from collection.catalogue.writer import BATCH_SIZE
    from collection.importing import jobs

    rows = [{"identifier": f"subject-test-{n}", "name_en": f"Test subject {n}"} for n in range(2 * BATCH_SIZE)]
    job = jobs.create_job(user=dana, file_name="subjects.csv", data=write_csv(rows, vocabulary_columns("subjects")),
                          vocabulary="subjects")
    # Checking is half of the work, as for records: 25%, then 50%.
    assert percents_shown_while_checking(job, monkeypatch) == [25, 50]


def test_a_cp1251_places_sheet_that_lost_a_japanese_name_is_refused_in_the_preview(dana, login):
    client = login(dana)
    rows = [{"identifier": "place-cp-1", "kind": "city", "name_ja": "ハバロフスク", "name_ru": "Хабаровск"}]
    upload(client, "places", csv_upload("places", rows))
    confirm(client, ImportJob.objects.get())
    saved = write_csv(rows, vocabulary_columns("places")).decode("utf-8-sig").encode("cp1251", errors="replace")
    upload(client, "places", SimpleUploadedFile("places.csv", saved), encoding="cp1251")
    job = ImportJob.objects.latest("created")
    assert job.status == ImportJobStatus.INVALID
    assert job.errors_in() == [
        "row 2, column name_ja: The file is saved in cp1251, which cannot hold “ハ”, “バ”, “ロ”, “フ”, “ス”, “ク” "
        "of the stored text: the program that saved it put other characters (such as ?) in their place. Save the "
        "sheet as CSV UTF-8 or as an Excel workbook (.xlsx), and import that file."]
    assert PlaceName.objects.get(place__identifier="place-cp-1", language="ja").text == "ハバロフスク"
