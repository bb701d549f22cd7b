"""Import and export costs grow with batches, not rows; readings come after the import."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection import dates
from collection.catalogue.files import read_table
from collection.catalogue.writer import BATCH_SIZE, write_rows
from collection.models import Place, Record, RecordPlaceIndex, Title
from collection.romanization import romanize_russian

from .factories import AgentFactory, PlaceFactory, SubjectFactory, titled

pytestmark = pytest.mark.django_db

COLUMNS = "identifier,kind,status,title_ja,title_ru,title_en,date,places,subjects,authors"


@pytest.fixture
def vocabulary():
    for n in range(3):
        PlaceFactory(identifier=f"test-place-{n}")
        SubjectFactory(identifier=f"test-subject-{n}")
        AgentFactory(identifier=f"test-agent-{n}")


def sheet(count: int, prefix: str = "test") -> bytes:
    lines = [COLUMNS] + [
        f"{prefix}-{n},memoir,draft,テスト{n},Тест {n},Test {n},{1946 + n % 10},test-place-{n % 3},"
        f"test-subject-{n % 3},test-agent-{n % 3}"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def import_queries(data: bytes, **options) -> int:
    table = read_table(data)
    with CaptureQueriesContext(connection) as captured:
        result = write_rows(table.records(), **options)
    assert result.ok, result.errors
    return len(captured.captured_queries)


def test_new_rows_cost_queries_per_batch_not_per_row(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    few = import_queries(sheet(10, "few"))
    many = import_queries(sheet(BATCH_SIZE - 20, "many"))
    # Pinned: lookups (records, reserved identifiers, vocabularies, languages), then per batch the inserts of
    # records, reservations, titles, agent links, places, subjects and the history of each, and the
    # refresh of the search index (a fixed number of queries per batch).
    assert few <= 45
    if connection.vendor == "postgresql":
        # Three titles a row: titles and their history come in batches of BATCH_SIZE objects.
        assert many - few <= 2 * (3 * (BATCH_SIZE - 20) // BATCH_SIZE)
    else:
        # SQLite caps the parameters of one statement, which splits a batch's inserts into chunks of
        # rows; still far from the four queries a row of a row-by-row import.
        assert many - few <= (BATCH_SIZE - 30) / 4


def test_a_second_batch_adds_a_bounded_number_of_queries(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    one = import_queries(sheet(BATCH_SIZE, "one"))
    two = import_queries(sheet(BATCH_SIZE + 10, "two"))
    assert one < two <= 2 * one


def test_reimporting_unchanged_rows_writes_nothing(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    data = sheet(50)
    import_queries(data)
    table = read_table(data)
    with CaptureQueriesContext(connection) as captured:
        result = write_rows(table.records())
    assert sum(result.unchanged.values()) == 50
    writes = [q["sql"] for q in captured.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    few_queries = len(captured.captured_queries)
    import_queries(sheet(200, "more"))
    with CaptureQueriesContext(connection) as captured:
        write_rows(read_table(sheet(200, "more")).records())
    assert len(captured.captured_queries) == few_queries


def test_the_preview_runs_the_same_queries_as_the_import(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    preview = import_queries(sheet(20), dry_run=True)
    assert not Record.objects.exists()
    # The preview does all of the import's work, search keys included, then rolls it back: one statement more.
    assert import_queries(sheet(20)) == preview - 1


def vocabulary_sheet(vocabulary: str, count: int, prefix: str, changed: str = "") -> list[tuple[int, dict]]:
    """Rows of a vocabulary sheet: Japanese and Russian names (their readings and romanizations derived), a
    Russian variant (its romanization derived, and removed with it when the changed sheet renames it), parents
    in the same sheet named by identifier or by name, agents' name parts, and the names' sources, forms and
    periods. ``changed`` is added to every name, changes what is said of the names, and
    moves places and subjects under other parents."""
    rows = []
    for n in range(count):
        parent = f"{vocabulary[:-1]}-test-{prefix}-{(n - 1) // (2 if changed else 3)}" if n else ""
        if vocabulary == "places":
            row = {"kind": "city" if n else "country", "name_ja": f"テスト町{n}{changed}",
                   "name_ru": f"Тестовый город {prefix} {n}{changed}", "latitude": "43.1", "longitude": "131.9",
                   # By name: the stored name, or the name in this sheet of a place new in it.
                   "parent": f"Тестовый город {prefix} {(n - 1) // 3}" if n % 2 and not changed else parent}
        elif vocabulary == "subjects":
            row = {"name_ja": f"テスト主題{n}{changed}", "name_en": f"Test subject {prefix} {n}{changed}",
                   "broader": parent}
        else:
            row = {"name_ja": f"テスト{n}太郎{changed}", "name_en": f"Testov{n} Ivan{changed}",
                   "name_parts": f"en:Testov{n}, Ivan{changed}", "date": "1921/1998"}
        variant = f"ru:Тестовый вариант {prefix} {n}{changed}"
        # What is said of each name: its source, its form where the column does not imply it, a place name's
        # years; the changed sheet changes them.
        row |= {"name_sources": f"{'ru' if vocabulary == 'places' else 'en'}:Test source {n}{changed}|"
                                f"{variant}:Test list{changed}",
                "name_forms": f"{variant}:{'transcription' if changed else 'translation'}"}
        if vocabulary == "places":
            row["name_periods"] = f"ru:{1923 if changed else 1920}/..|{variant}:1900/1923"
        rows.append((n + 2, {"identifier": f"{vocabulary[:-1]}-test-{prefix}-{n}", **row, "variant_names": variant}))
    return rows


@pytest.mark.parametrize(("vocabulary", "most"), [("places", 40), ("subjects", 18), ("agents", 18)])
def test_a_vocabulary_sheet_of_three_times_the_rows_costs_the_same_queries(vocabulary, most,
                                                                           django_assert_max_num_queries):
    from collection.catalogue.vocabulary import VOCABULARIES, write_vocabulary

    {"places": PlaceFactory, "subjects": SubjectFactory, "agents": AgentFactory}[vocabulary]()
    record = titled("Test record in a place")
    # Pinned: the vocabulary is read once (entries, names), then per batch of rows the entries and names are
    # inserted or updated, with their history, and the names removed; places also read and rewrite the paths
    # that change, and the place index of the records in places that moved; the records naming a renamed
    # entry are looked up (an agent's as their repository or the organisation they describe, too), changed, and
    # their search keys refreshed (a batch of records at a time), and those changed are dated anew for harvesters
    # (one statement). A preview does the same and rolls it back.
    queries = {}
    # Up to 120 rows: SQLite takes at most 1,000 rows in one INSERT, and a place here has 7 names.
    for count in (40, 120):
        prefix = f"n{count}"
        sheets = {"new": vocabulary_sheet(vocabulary, count, prefix),
                  "changed": vocabulary_sheet(vocabulary, count, prefix, "*")}
        for stage, rows in sheets.items():
            for dry_run in (True, False):
                with django_assert_max_num_queries(most) as captured:
                    result = write_vocabulary(vocabulary, rows, dry_run=dry_run)
                assert result.ok, result.errors[:3]
                queries[count, stage, dry_run] = len(captured)
            if vocabulary == "places" and stage == "new":
                # In a place the changed sheet moves: the place index follows it.
                record.places.add(Place.objects.get(identifier=f"place-test-{prefix}-7"))
        assert sum(result.updated.values()) == count
    assert {key[1:]: n for key, n in queries.items() if key[0] == 120} == {
        key[1:]: n for key, n in queries.items() if key[0] == 40}
    if vocabulary == "places":
        assert RecordPlaceIndex.objects.filter(record=record, place__identifier="place-test-n120-3").exists()
    # Within those queries, each renamed variant's romanization was made anew and its old one removed.
    names = VOCABULARIES[vocabulary].label_model.objects.filter(language="ru-Latn", preferred=False)
    old, new = "Тестовый вариант n120 5", "Тестовый вариант n120 5*"
    assert list(names.filter(derived_from__text__in=[old, new]).values_list("text", "machine_made")) == [
        (romanize_russian(new), True)]


def test_missing_romanizations_are_derived_by_the_command_after_the_import(settings):
    settings.COLLECTION_DERIVE_READINGS = False
    assert write_rows(read_table(
        "identifier,kind,status,title_ru\ntest-1,memoir,draft,Тестовая запись\n".encode()).records()).ok
    assert not Title.objects.filter(language="ru-Latn").exists()
    out = io.StringIO()
    call_command("derive_romanizations", stdout=out, stderr=io.StringIO())
    romanized = Title.objects.get(record__identifier="test-1", language="ru-Latn")
    assert romanized.text == romanize_russian("Тестовая запись") and romanized.machine_made
    assert "1 readings and romanizations" in out.getvalue()
    call_command("derive_romanizations", stdout=out, stderr=io.StringIO())
    assert Title.objects.filter(language="ru-Latn").count() == 1


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_an_import_leaves_romanizations_to_the_task_it_queues(django_capture_on_commit_callbacks, tmp_path):
    from django_tasks_db.models import DBTaskResult

    path = tmp_path / "ru.csv"
    path.write_text("identifier,kind,status,title_ru\ntest-1,memoir,draft,Тестовая запись\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    # Not derived in the import's hot path...
    assert not Title.objects.filter(language="ru-Latn").exists()
    [queued] = DBTaskResult.objects.filter(task_path="collection.tasks.derive_missing_forms")
    assert queued.args_kwargs["args"] == [["test-1"]]
    # ...but by the worker, right after.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert Title.objects.get(record__identifier="test-1", language="ru-Latn").machine_made


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_the_task_brings_changed_titles_machine_made_forms_up_to_date(django_capture_on_commit_callbacks,
                                                                      tmp_path):
    path = tmp_path / "ru.csv"
    for title in ("Первая запись", "Вторая запись"):
        path.write_text(f"identifier,kind,status,title_ru\ntest-1,memoir,draft,{title}\n", encoding="utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert Title.objects.get(record__identifier="test-1", language="ru-Latn").text == romanize_russian("Вторая запись")


@pytest.mark.parametrize("value", [
    "1950", "1950~", "1950?", "1945-08", "1945-08-23", "1946/1956", "1984/..", "../1950", "1946-03/1956-07-15",
    "1950~/1960?", "2000-02-29",
])
def test_the_fast_date_path_agrees_with_the_full_edtf_grammar(value, monkeypatch):
    fast = dates._fast_bounds(value)
    monkeypatch.setattr(dates, "_fast_bounds", lambda _value: None)
    dates._parse_edtf_bounds.cache_clear()
    try:
        assert fast == dates.parse_edtf_bounds(value)
    finally:
        dates._parse_edtf_bounds.cache_clear()


@pytest.mark.parametrize("value", ["1945-02-30", "1945-13", "1950/1940", "1900-02-29", "1950-00"])
def test_impossible_dates_stay_errors(value):
    dates._parse_edtf_bounds.cache_clear()
    with pytest.raises(ValidationError):
        dates.parse_edtf_bounds(value)
