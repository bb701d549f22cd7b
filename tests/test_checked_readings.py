"""A reading an archivist checked gives the romanization, whichever path derives it: an import of a records or
vocabulary sheet (by the command, in the admin, by the writer itself, with the derivation done during it or by
the task after it), an update that corrects only the reading, and ``derive_romanizations``.

The names are invented; the dictionary misreads them (月見里 as ツキミ サト), so that a romanization made from its
reading rather than from the archivist's is told apart.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from collection.catalogue.csv_io import write_csv
from collection.catalogue.files import read_table
from collection.catalogue.format import record_columns, vocabulary_columns
from collection.catalogue.vocabulary_files import import_vocabulary
from collection.catalogue.writer import write_rows
from collection.derivation import derive_forms
from collection.importing.deferral import deferred_derivation
from collection.models import (
    Agent,
    AgentName,
    ImportJob,
    Place,
    PlaceName,
    Record,
    Subject,
    SubjectLabel,
    Title,
)
from collection.romanization import japanese_reading, readings_available

from .catalogue_rows import memoir, numbered

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not readings_available(), reason="the romanization extra (fugashi, UniDic) is not installed"),
]


TITLE, CHECKED, ROMANIZED = "月見里の手紙", "ヤマナシ ノ テガミ", "Yamanashi no tegami"
# Each vocabulary's entry: its identifier, Japanese name, checked reading and the romanization made from it.
ENTRIES = {
    "places": ("place-test-yamanashi", "月見里", "ヤマナシ", "Yamanashi"),
    "subjects": ("subject-test-yamanashi", TITLE, CHECKED, ROMANIZED),
    "agents": ("agent-test-yamanashi", "月見里 花子", "ヤマナシ ハナコ", "Yamanashi Hanako"),
}
MODELS = {"places": (Place, PlaceName, "place", "names"), "subjects": (Subject, SubjectLabel, "subject", "labels"),
          "agents": (Agent, AgentName, "agent", "names")}


def test_the_dictionary_misreads_the_names_the_tests_use():
    assert japanese_reading(TITLE) == "ツキミ サト ノ テガミ"
    for _identifier, name, checked, _romanized in ENTRIES.values():
        assert japanese_reading(name) != checked


def forms(labels) -> dict[str, tuple[str, bool]]:
    """The reading and romanization among ``labels``: text and whether it is machine-made, by tag."""
    return {label.language: (label.text, label.machine_made)
            for label in labels.filter(language__in=["ja-Hrkt", "ja-Latn"], preferred=True)}


def title_forms(identifier: str = "mem-test-1") -> dict[str, tuple[str, bool]]:
    return forms(Title.objects.filter(record__identifier=identifier))


def name_forms(vocabulary: str) -> dict[str, tuple[str, bool]]:
    model, label_model, owner, _related = MODELS[vocabulary]
    return forms(label_model.objects.filter(**{f"{owner}__identifier": ENTRIES[vocabulary][0]}))


def csv_sheet(rows: list[dict[str, str]], columns: list[str], machine_made_column: bool) -> bytes:
    """A sheet of ``rows``, with the ``machine_made`` column left blank or, as before it existed, without it."""
    if not machine_made_column:
        columns = [column for column in columns if column != "machine_made"]
    return write_csv(rows, columns)


def records_sheet(machine_made_column: bool, **cells: str) -> bytes:
    return csv_sheet([memoir(**{"title_ja": TITLE, "title_ja-Hrkt": CHECKED, **cells})], record_columns(),
                     machine_made_column)


def vocabulary_sheet(vocabulary: str, machine_made_column: bool) -> bytes:
    identifier, name, checked, _romanized = ENTRIES[vocabulary]
    row = {"identifier": identifier, "name_ja": name, "name_ja-Hrkt": checked}
    if vocabulary == "places":
        row["kind"] = "settlement"
    return csv_sheet([row], vocabulary_columns(vocabulary), machine_made_column)


# The worker closes its database connection after a task: a test that runs it is a transactional one.
WITH_THE_WORKER = pytest.mark.django_db(transaction=True)


def run_derivation_task(django_capture_on_commit_callbacks, write) -> None:
    """``write`` an import, then run the task it queues once it commits, in the worker."""
    with django_capture_on_commit_callbacks(execute=True):
        write()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


# Records -----------------------------------------------------------------------------------------------------------


@WITH_THE_WORKER
@pytest.mark.parametrize("machine_made_column", [True, False])
@pytest.mark.parametrize("deferred", [False, True])
def test_a_new_records_romanization_comes_from_its_checked_reading(settings, django_capture_on_commit_callbacks,
                                                                    machine_made_column, deferred):
    table = read_table(records_sheet(machine_made_column), name="records.csv")

    def write():
        if deferred:
            from collection.importing.jobs import queue_derived_forms

            with deferred_derivation():
                result = write_rows(table.records(), header=table.header)
            queue_derived_forms(result)
        else:
            result = write_rows(table.records(), header=table.header)
        assert result.ok, result.errors

    run_derivation_task(django_capture_on_commit_callbacks, write)
    assert title_forms() == {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)}


@WITH_THE_WORKER
@pytest.mark.parametrize("machine_made_column", [True, False])
def test_the_import_command_romanizes_a_checked_reading(settings, django_capture_on_commit_callbacks, tmp_path,
                                                        machine_made_column):
    path = tmp_path / "records.csv"
    path.write_bytes(records_sheet(machine_made_column))
    run_derivation_task(django_capture_on_commit_callbacks, lambda: call_command(
        "import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO()))
    assert title_forms() == {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)}


@WITH_THE_WORKER
@pytest.mark.parametrize("machine_made_column", [True, False])
def test_the_admin_import_romanizes_a_checked_reading(settings, django_capture_on_commit_callbacks, admin_client,
                                                      machine_made_column):
    upload = SimpleUploadedFile("records.csv", records_sheet(machine_made_column), content_type="text/csv")
    admin_client.post(reverse("admin:collection_record_import"), {"file": upload})
    job = ImportJob.objects.get()

    def confirm():
        admin_client.post(reverse("admin:collection_record_import_job", args=[job.token]),
                          {"fingerprint": job.fingerprint})

    run_derivation_task(django_capture_on_commit_callbacks, confirm)
    assert title_forms() == {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)}


def machine_made_record() -> Record:
    """A record whose reading and romanization the dictionary made, as the admin's first save leaves them."""
    assert write_rows(numbered(memoir(title_ja=TITLE))).ok
    record = Record.objects.get()
    derive_forms(record.titles.order_by("pk"), Title, {"record": record})
    assert title_forms() == {"ja-Hrkt": ("ツキミ サト ノ テガミ", True), "ja-Latn": ("Tsukimi sato no tegami", True)}
    return record


@WITH_THE_WORKER
@pytest.mark.parametrize("deferred", [False, True])
def test_correcting_only_the_reading_of_a_title_rederives_its_romanization(
        settings, django_capture_on_commit_callbacks, deferred):
    machine_made_record()
    rows = numbered({"identifier": "mem-test-1", "title_ja-Hrkt": CHECKED})

    def write():
        if deferred:
            from collection.importing.jobs import queue_derived_forms

            with deferred_derivation():
                result = write_rows(rows)
            queue_derived_forms(result)
        else:
            result = write_rows(rows)
        assert result.ok, result.errors

    run_derivation_task(django_capture_on_commit_callbacks, write)
    assert title_forms() == {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)}


@WITH_THE_WORKER
@pytest.mark.parametrize("by_command", [True, False])
def test_an_exported_sheet_whose_reading_is_corrected_rederives_the_romanization(
        settings, django_capture_on_commit_callbacks, tmp_path, by_command):
    from collection.catalogue.export import export_file

    machine_made_record()
    out = io.BytesIO()
    export_file(Record.objects.all(), out, "csv")
    # The archivist corrects the reading and takes it off the machine-made list; the romanization stays listed.
    data = out.getvalue().decode("utf-8-sig")
    assert "ツキミ サト ノ テガミ" in data and "title_ja-Hrkt|title_ja-Latn" in data
    corrected = data.replace("ツキミ サト ノ テガミ", CHECKED).replace("title_ja-Hrkt|title_ja-Latn", "title_ja-Latn")
    path = tmp_path / "records.csv"
    path.write_text(corrected, encoding="utf-8")

    def write():
        if by_command:
            call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        else:
            table = read_table(path.read_bytes(), name="records.csv")
            assert write_rows(table.records(), header=table.header).ok

    run_derivation_task(django_capture_on_commit_callbacks, write)
    assert title_forms() == {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)}


# Vocabularies ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("machine_made_column", [True, False])
@pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
def test_a_new_entrys_romanization_comes_from_its_checked_reading(vocabulary, machine_made_column):
    table = read_table(vocabulary_sheet(vocabulary, machine_made_column), name=f"{vocabulary}.csv")
    result = import_vocabulary(vocabulary, table)
    assert result.ok, result.errors
    _identifier, _name, checked, romanized = ENTRIES[vocabulary]
    assert name_forms(vocabulary) == {"ja-Hrkt": (checked, False), "ja-Latn": (romanized, True)}


@pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
def test_the_import_command_romanizes_an_entrys_checked_reading(tmp_path, vocabulary):
    path = tmp_path / f"{vocabulary}.csv"
    path.write_bytes(vocabulary_sheet(vocabulary, machine_made_column=False))
    call_command("import_catalogue", str(path), "--vocabulary", vocabulary, stdout=io.StringIO(),
                 stderr=io.StringIO())
    _identifier, _name, checked, romanized = ENTRIES[vocabulary]
    assert name_forms(vocabulary) == {"ja-Hrkt": (checked, False), "ja-Latn": (romanized, True)}


@pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
def test_the_admin_import_romanizes_an_entrys_checked_reading(admin_client, vocabulary):
    model = MODELS[vocabulary][0]._meta.model_name
    upload = SimpleUploadedFile(f"{vocabulary}.csv", vocabulary_sheet(vocabulary, machine_made_column=True),
                                content_type="text/csv")
    admin_client.post(reverse(f"admin:collection_{model}_import"), {"file": upload})
    job = ImportJob.objects.get()
    admin_client.post(reverse(f"admin:collection_{model}_import_job", args=[job.token]),
                      {"fingerprint": job.fingerprint})
    _identifier, _name, checked, romanized = ENTRIES[vocabulary]
    assert name_forms(vocabulary) == {"ja-Hrkt": (checked, False), "ja-Latn": (romanized, True)}


@pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
def test_correcting_only_the_reading_of_a_name_rederives_its_romanization(vocabulary):
    model, label_model, owner, related = MODELS[vocabulary]
    identifier, name, checked, romanized = ENTRIES[vocabulary]
    entry = model.objects.create(identifier=identifier, **({"kind": "settlement"} if model is Place else {}))
    label_model.objects.create(**{owner: entry}, language="ja", text=name)
    derive_forms(getattr(entry, related).order_by("pk"), label_model, {owner: entry})
    assert name_forms(vocabulary)["ja-Latn"] != (romanized, True)

    table = read_table(write_csv([{"identifier": identifier, "name_ja-Hrkt": checked}],
                                 ["identifier", "name_ja-Hrkt"]), name=f"{vocabulary}.csv")
    result = import_vocabulary(vocabulary, table)
    assert result.ok, result.errors
    assert name_forms(vocabulary) == {"ja-Hrkt": (checked, False), "ja-Latn": (romanized, True)}


# derive_romanizations ----------------------------------------------------------------------------------------------


def labels_with_checked_readings(romanized: bool) -> None:
    """A title and a name of each vocabulary with the archivist's reading; with ``romanized``, also a machine-made
    romanization made from the dictionary's reading (as the one it replaced left it)."""
    labelled = [(Title, "record", Record.objects.create(identifier="mem-test-1", kind="memoir"), TITLE, CHECKED)]
    for vocabulary, (identifier, name, checked, _romanized) in ENTRIES.items():
        model, label_model, owner, _related = MODELS[vocabulary]
        entry = model.objects.create(identifier=identifier, **({"kind": "settlement"} if model is Place else {}))
        labelled.append((label_model, owner, entry, name, checked))
    for label_model, owner, entry, text, checked in labelled:
        source = label_model.objects.create(**{owner: entry}, language="ja", text=text)
        label_model.objects.create(**{owner: entry}, language="ja-Hrkt", text=checked, form="reading")
        if romanized:
            label_model.objects.create(**{owner: entry}, language="ja-Latn", form="romanization", machine_made=True,
                                       derived_from=source, text="Tsukimi sato")


def all_forms() -> dict[str, dict[str, tuple[str, bool]]]:
    return {"records": title_forms(), **{vocabulary: name_forms(vocabulary) for vocabulary in ENTRIES}}


def expected_forms() -> dict[str, dict[str, tuple[str, bool]]]:
    return {"records": {"ja-Hrkt": (CHECKED, False), "ja-Latn": (ROMANIZED, True)},
            **{vocabulary: {"ja-Hrkt": (checked, False), "ja-Latn": (romanized, True)}
               for vocabulary, (_identifier, _name, checked, romanized) in ENTRIES.items()}}


def test_derive_romanizations_romanizes_the_checked_readings():
    labels_with_checked_readings(romanized=False)
    call_command("derive_romanizations", stdout=io.StringIO(), stderr=io.StringIO())
    assert all_forms() == expected_forms()


def test_derive_romanizations_refresh_remakes_romanizations_from_the_checked_readings():
    labels_with_checked_readings(romanized=True)
    call_command("derive_romanizations", "--refresh", stdout=io.StringIO(), stderr=io.StringIO())
    assert all_forms() == expected_forms()
