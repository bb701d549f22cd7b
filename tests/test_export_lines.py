"""Ready export rows: the CSV export copies them where they are current, and is exact whether or not they are.

The reference is the same as the streaming export's: ``record_cells`` of each record
as a model instance. A ready row must give exactly those bytes; any change to what a
row shows must drop the row, by database triggers, whatever code or SQL makes it.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from collection.catalogue import export_lines
from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.export import export_csv_chunks, export_queryset, record_cells
from collection.catalogue.export_lines import (
    install_export_line_triggers,
    layout_of,
    refresh_export_lines,
    trigger_names,
)
from collection.catalogue.files import read_table
from collection.catalogue.format import record_columns
from collection.catalogue.unchanged import ReadyRowComparison
from collection.catalogue.writer import _load_stored, write_rows
from collection.models import (
    Agent,
    Description,
    ExportLine,
    Language,
    Place,
    Record,
    RecordAgent,
    Subject,
    Title,
)

from . import test_export_stream
from .factories import AgentFactory, PlaceFactory, RecordFactory
from .test_export_stream import exported, reads_in_one_query, reference_csv

pytestmark = pytest.mark.django_db

rich = test_export_stream.rich  # the records that use every column, with awkward values


def ready() -> set[str]:
    return set(ExportLine.objects.values_list("record__identifier", flat=True))


def _full():
    return Record.objects.get(identifier="test-Full")


def _rename(model, identifier, column="identifier"):
    # Identifiers never change through the models (they raise); a change in SQL must still reach the rows.
    model.objects.filter(**{column: identifier}).update(**{column: identifier + "-renamed"})


def _save_with(**fields):
    record = _full()
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


CHANGES = {
    "a title edited": lambda: Title.objects.filter(record=_full(), language="ja").update(text="変更"),
    "a title added": lambda: Title.objects.create(record=_full(), language="en", text="Added", preferred=False),
    "a title removed": lambda: Title.objects.filter(record=_full(), language="ru").delete(),
    "a reading checked": lambda: Title.objects.filter(record=_full(), language="ja-Hrkt").update(machine_made=False),
    "a description edited": lambda: Description.objects.filter(record=_full(), language="ja").update(text="新"),
    "a description added": lambda: Description.objects.create(record=_full(), language="ru", text="Новое"),
    "a description removed": lambda: Description.objects.filter(record=_full()).delete(),
    "a language added": lambda: _full().languages.add(Language.objects.create(tag="de")),
    "a language removed": lambda: _full().languages.remove(Language.objects.get(tag="ru")),
    "a place added": lambda: _full().places.add(PlaceFactory(identifier="place-new")),
    "places cleared": lambda: _full().places.clear(),
    "a subject removed": lambda: _full().subjects.remove(Subject.objects.get(identifier="subject-m")),
    "an agent added": lambda: RecordAgent.objects.create(record=_full(), agent=AgentFactory(identifier="agent-new"),
                                                         role="editor"),
    "agents reordered": lambda: RecordAgent.objects.filter(record=_full(), role="author").update(position=9),
    "an agent removed": lambda: RecordAgent.objects.filter(record=_full(), role="translator").delete(),
    "the record saved": lambda: _save_with(extent="99 p."),
    "the status set in SQL": lambda: Record.objects.filter(identifier="test-Full").update(status="published"),
    "a language's tag": lambda: _rename(Language, "ru", "tag"),
    "an agent's identifier": lambda: _rename(Agent, "agent-1"),
    "a holder's identifier": lambda: _rename(Agent, "org-archive"),
    "a place's identifier": lambda: _rename(Place, "place-b"),
    "a subject's identifier": lambda: _rename(Subject, "subject-z"),
    "the parent's identifier": lambda: _rename(Record, "test-series"),
}


class TestReadyRows:
    """The ready rows of records that use every column, kept exact through every kind of change."""

    def test_ready_rows_give_the_bytes_of_each_records_cells(self, rich):
        assert refresh_export_lines() == rich.count()
        assert ready() == set(rich.values_list("identifier", flat=True))
        assert exported(rich) == reference_csv(rich)
        assert b"".join(export_csv_chunks(rich)) == reference_csv(rich)
        for queryset in (rich.filter(status="draft"), rich.order_by("-identifier")[:3], rich.none()):
            assert exported(queryset) == reference_csv(queryset)
        # The rows really are the ones copied: a (deliberately) altered row shows in the export.
        ExportLine.objects.filter(record__identifier="test-bare").update(line="test-bare,altered\r\n")
        assert b"test-bare,altered\r\n" in exported(rich)
        assert refresh_export_lines() == 0  # nothing left to write

    def test_an_xlsx_export_reads_the_ready_rows_back_to_the_same_cells(self, rich):
        assembled = exported(rich, "xlsx")
        refresh_export_lines()
        ExportLine.objects.filter(record__identifier="test-awkward-04").delete()
        assert exported(rich, "xlsx") == assembled  # formula-like text, line breaks, bars and quotes included
        ExportLine.objects.filter(record__identifier="test-bare").update(line="test-bare,altered\r\n")
        assert exported(rich, "xlsx") != assembled  # the ready rows really are what it read

    def test_records_with_and_without_a_ready_row_come_in_identifier_order(self, rich):
        refresh_export_lines()
        ExportLine.objects.filter(record__identifier__in=["test-Full", "test-awkward-03", "test-series"]).delete()
        assert exported(rich) == reference_csv(rich)

    def test_an_export_with_ready_rows_is_still_one_query(self, rich):
        refresh_export_lines()
        ExportLine.objects.filter(record__identifier="test-Full").delete()
        with reads_in_one_query():
            exported(rich)

    @pytest.mark.parametrize("change", list(CHANGES))
    def test_any_change_to_what_a_row_shows_drops_it(self, rich, change):
        refresh_export_lines()
        before = ready()
        CHANGES[change]()
        dropped = before - ready()
        if change == "the parent's identifier":
            assert dropped >= {"test-Full"}  # the child naming it (and the parent itself)
        else:
            assert "test-Full" in {identifier.removesuffix("-renamed") for identifier in dropped}
        assert "test-awkward-05" in ready()  # the others are kept
        assert exported(rich) == reference_csv(rich)

    def test_an_import_that_changes_a_record_drops_its_row(self, rich):
        refresh_export_lines()
        data = b"identifier,kind,status,title_en,extent\ntest-bare,document,withdrawn,New title,12 p.\n"
        result = write_rows(read_table(data, name="a.csv").records())
        assert result.ok, result.errors
        assert "test-bare" not in ready() and "test-Full" in ready()
        assert exported(rich) == reference_csv(rich)

    def test_deleting_a_record_takes_its_row(self, rich):
        refresh_export_lines()
        Record.objects.get(identifier="test-awkward-01").delete()
        assert "test-awkward-01" not in ready()
        assert exported(Record.objects.all()) == reference_csv(Record.objects.all())

    def test_rows_of_other_cataloguing_languages_are_not_used_and_are_replaced(self, rich):
        refresh_export_lines()
        assert exported(rich, configured=["en"]) == reference_csv(rich, ["en"])
        assert refresh_export_lines(["en"]) == rich.count()
        assert set(ExportLine.objects.values_list("layout", flat=True)) == {layout_of(["en"])}
        assert exported(rich, configured=["en"]) == reference_csv(rich, ["en"])
        assert exported(rich) == reference_csv(rich)  # computed again for the default languages

    def test_rows_written_before_the_machine_made_column_are_not_used_and_are_replaced(self, rich, monkeypatch):
        with monkeypatch.context() as before:  # the columns of an earlier version, without machine_made
            before.setattr(export_lines, "record_columns",
                           lambda configured=None: [c for c in record_columns(configured) if c != "machine_made"])
            earlier = layout_of()
        assert earlier != layout_of()
        refresh_export_lines()
        ExportLine.objects.update(layout=earlier)
        assert exported(rich) == reference_csv(rich)
        assert refresh_export_lines() == rich.count()
        assert set(ExportLine.objects.values_list("layout", flat=True)) == {layout_of()}
        assert exported(rich) == reference_csv(rich)

    def test_the_command_writes_what_is_missing(self, rich):
        out = io.StringIO()
        call_command("refresh_export_lines", stdout=out)
        assert f"{rich.count()} export rows written" in out.getvalue()
        ExportLine.objects.filter(record__identifier="test-bare").delete()
        call_command("refresh_export_lines", stdout=out)
        assert "1 export rows written" in out.getvalue()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_the_task_an_import_queues_writes_the_rows(django_capture_on_commit_callbacks, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("identifier,kind,status,title_en\ntest-1,memoir,draft,Test one\ntest-2,document,draft,Two\n",
                    encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not ExportLine.objects.exists()  # not in the import's own time
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert ready() == {"test-1", "test-2"}
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())


def test_triggers_come_back_after_a_table_is_rebuilt():
    names = trigger_names(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER collection_title_export_insert ON collection_title")
        else:
            cursor.execute("DROP TRIGGER collection_title_export_insert")
    install_export_line_triggers()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", [names])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%%_export_%%'")
        assert cursor.fetchone()[0] == len(names)
    record = RecordFactory(identifier="test-t", title="Test")
    refresh_export_lines()
    Title.objects.create(record=record, language="ru", text="Тест")
    assert not ExportLine.objects.exists()


# Migrations, locks and plans --------------------------------------------------------------------------------


def _migrate_around(change):
    """Run ``change`` as a migration would: between the app's pre_migrate and post_migrate handlers."""
    from collection.search import _after_migrate, _before_migrate

    _before_migrate(sender=None, using="default", plan=[(SimpleNamespace(app_label="collection"), False)])
    try:
        change()
    finally:
        _after_migrate(sender=None, using="default")


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor runs outside a transaction
@pytest.mark.parametrize("model", [RecordAgent, Record.places.through, ExportLine, Record, Title])
def test_a_later_migration_can_rebuild_any_table_a_trigger_names(model):
    """SQLite alters a table by rebuilding it, and the rename that ends a rebuild fails while a trigger of
    another table names it; PostgreSQL alters in place."""
    from collection.models import CatalogueChange, CatalogueVersion

    record = RecordFactory(identifier="test-m", title="Before")
    refresh_export_lines()
    version = CatalogueVersion.objects.values_list("version", flat=True).first() or 0  # none after some flushes

    def rebuild_and_change():
        with connection.schema_editor() as editor:
            if connection.vendor == "sqlite":
                editor._remake_table(model)  # what an AlterField on the model does there
        Title.objects.filter(record=record).update(text="After")  # a data migration after it

    _migrate_around(rebuild_and_change)
    everything = Record.objects.all()
    assert exported(everything) == reference_csv(everything)  # the row the data migration made stale is gone
    assert b"After" in exported(everything)
    if connection.vendor == "sqlite":
        # Unseen by the triggers while they were away: every index is told to read everything again.
        assert CatalogueVersion.objects.get().version > version
        assert CatalogueChange.objects.filter(record_id=None, version=CatalogueVersion.objects.get().version)
    Title.objects.filter(record=record).update(text="Again")  # and the triggers are back
    assert exported(everything) == reference_csv(everything)


@pytest.mark.parametrize("plan", [[], [(SimpleNamespace(app_label="auth"), False)]])
def test_a_migrate_with_nothing_of_this_app_to_apply_keeps_the_rows(plan):
    from collection.search import _after_migrate, _before_migrate

    RecordFactory(identifier="test-k", title="Kept")
    refresh_export_lines()
    _before_migrate(sender=None, using="default", plan=plan)
    _after_migrate(sender=None, using="default")
    assert ready() == {"test-k"}


def test_a_filter_that_joins_exports_each_record_once():
    record = RecordFactory(identifier="test-j", title="One")
    Title.objects.create(record=record, language="en", text="Two")
    joined = Record.objects.filter(titles__language="en")
    assert joined.count() == 2  # the join repeats the record
    for _ready in (False, True):
        text = exported(joined).decode("utf-8-sig")
        assert text.count("test-j") == 1, text
        refresh_export_lines()


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row and table locks of PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_writing_rows_and_a_save_that_locked_its_record_first_never_deadlock(monkeypatch):
    """As a status change or the import writer does: SELECT … FOR UPDATE of the record, then save it."""
    import threading
    import time

    from django.db import connections, transaction

    from collection.catalogue import export as export_module

    _postgresql_only()
    record = RecordFactory(identifier="test-d", title="Test")
    original = export_module.catalogue_rows
    rows_locked, record_locked = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def paused_rows(*args, **kwargs):  # the rows' lock is taken and the ids read: let the save in
        rows_locked.set()
        record_locked.wait(5)
        time.sleep(0.5)  # the save now waits in its trigger
        yield from original(*args, **kwargs)

    monkeypatch.setattr(export_module, "catalogue_rows", paused_rows)

    def refresh():
        try:
            refresh_export_lines()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def status_change():
        try:
            rows_locked.wait(5)
            with transaction.atomic():
                current = Record._base_manager.select_for_update().get(pk=record.pk)
                record_locked.set()
                current.status = "review"
                current.save(update_fields=["status", "version", "modified"])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh), threading.Thread(target=status_change)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert Record.objects.get(pk=record.pk).status == "review"
    everything = Record.objects.all()
    assert exported(everything) == reference_csv(everything)


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_makes_the_refresh_give_way_not_every_writer_wait(monkeypatch):
    """An import holding the rows' table in a long transaction: the refresh stops waiting and leaves the rows
    to the next one, where a request queued behind it would stall every other save until the import ends."""
    import psycopg

    from collection.catalogue import export_lines

    _postgresql_only()
    RecordFactory(identifier="test-busy", title="Busy")
    other = RecordFactory(identifier="test-other", title="Other")
    monkeypatch.setattr(export_lines, "LOCK_RETRIES", (0.05, 0.05))
    database = connection.settings_dict
    with psycopg.connect(host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
                         dbname=database["NAME"]) as importer:
        importer.execute("UPDATE collection_title SET text = text WHERE record_id = %s", [other.pk])  # not committed
        assert refresh_export_lines() == 0
        importer.rollback()
    assert refresh_export_lines() == 2


def test_an_update_that_renames_nothing_reads_no_other_table():
    """Every save of an agent, place, subject or record bumps its version: the trigger must not read the
    record table (let alone all of it) unless an identifier changed."""
    _postgresql_only()
    agent = AgentFactory(identifier="agent-scan")
    RecordFactory(identifier="test-scan", title="Scan")
    refresh_export_lines()  # with no row to delete, PostgreSQL would not look for records at all
    with connection.cursor() as cursor:
        def scans():
            cursor.execute("SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
                           "WHERE relname = 'collection_record'")
            return cursor.fetchone()[0]

        before = scans()
        cursor.execute("UPDATE collection_agent SET notes = 'x' WHERE id = %s", [agent.pk])
        assert scans() == before
        cursor.execute("UPDATE collection_agent SET identifier = 'agent-scan-2' WHERE id = %s", [agent.pk])
        assert scans() > before  # a rename does look for the records naming it


def test_an_oversized_cell_is_refused_alike_with_or_without_a_ready_row():
    """A ready line longer than the csv module's default field limit is still read back for XLSX."""
    from collection.catalogue.export import export_file
    from collection.catalogue.xlsx_writer import CellRefused

    record = RecordFactory(identifier="test-long", title="Long")
    Description.objects.create(record=record, language="en", text="x" * 140_000)
    problems = []
    for _ready in (False, True):
        with pytest.raises(CellRefused) as refused:
            export_file(Record.objects.all(), io.BytesIO(), "xlsx")
        problems.append(str(refused.value))
        refresh_export_lines()
    assert problems[0] == problems[1]
    assert b"x" * 140_000 in exported(Record.objects.all())  # CSV has no cell limit


def test_many_cataloguing_languages_export_alike_with_or_without_ready_rows(settings):
    tags = ["ja", "ru", "en", *(f"x{n:02d}" for n in range(40))]  # more columns than a function takes arguments
    settings.COLLECTION_LANGUAGES = tags
    record = RecordFactory(identifier="test-wide", title=False)
    Title.objects.create(record=record, language="x39", text="Last language")
    everything = Record.objects.all()
    assert exported(everything, configured=tags) == reference_csv(everything, tags)
    refresh_export_lines(tags)
    assert ready() == {"test-wide"}
    Title.objects.create(record=RecordFactory(identifier="test-wide-2", title=False), language="x00", text="First")
    assert exported(everything, configured=tags) == reference_csv(everything, tags)  # one ready, one assembled


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_fails_leaves_no_row_the_triggers_do_not_keep():
    """pre_migrate drops the rows with the triggers: a migration that fails never reaches post_migrate."""
    from collection.search import _before_migrate

    record = RecordFactory(identifier="test-fail", title="Before")
    refresh_export_lines()
    _before_migrate(sender=None, using="default", plan=[(SimpleNamespace(app_label="collection"), False)])
    Title.objects.filter(record=record).update(text="After")  # a migration's change, then it fails
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())
    assert refresh_export_lines() == 1  # the refresh makes the triggers again before it writes a row
    Title.objects.filter(record=record).update(text="Again")
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())


# --- an import compares its rows with the ready rows -----------------------------------------------------

# Tables an import reads only for records whose ready row does not show the file's cells.
LINKED_TABLES = ("collection_title", "collection_description", "collection_recordagent",
                 "collection_record_places", "collection_record_subjects", "collection_record_languages")


def _import(data, *, dry_run=True):
    with CaptureQueriesContext(connection) as captured:
        result = write_rows(read_table(data, name="a.csv").records(), dry_run=dry_run)
    assert result.ok, result.errors
    return result, [query["sql"] for query in captured.captured_queries]


def _both_ways(data):
    """The import's result with ready rows, and without (the long way); the queries of the first."""
    refresh_export_lines()
    with_rows, queries = _import(data)
    ExportLine.objects.all().delete()
    without_rows, _queries = _import(data)
    return with_rows, without_rows, queries


def _edited(data, identifier, column, text):
    rows = read_csv(data)
    for _number, row in rows:
        if row["identifier"] == identifier:
            row[column] = text
    return write_csv([row for _number, row in rows], record_columns())


@pytest.fixture(scope="class")
def settled(rich):
    """The records once imported from their own export, which trims the white space around cells."""
    _import(exported(rich), dry_run=False)
    return rich


class TestReimportOfItsOwnExport:
    """Records imported from their own export, then compared with their ready rows as with their tables."""

    def test_an_export_imported_again_is_unchanged_without_reading_the_records_links(self, settled):
        rich = settled
        data = exported(rich)
        with_rows, without_rows, queries = _both_ways(data)
        assert [change.action for change in with_rows.changes] == ["unchanged"] * rich.count()
        assert with_rows.changes == without_rows.changes
        assert not [sql for sql in queries if any(table in sql for table in LINKED_TABLES)]
        # A real import of it writes nothing either.
        _result, queries = _import(data, dry_run=False)
        assert not [sql for sql in queries if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]

    def test_an_xlsx_export_imported_again_is_unchanged_against_the_ready_rows_too(self, settled):
        refresh_export_lines()
        table = read_table(exported(settled, "xlsx"), name="a.xlsx")
        with CaptureQueriesContext(connection) as captured:
            result = write_rows(table.records(), dry_run=True)
        assert result.ok, result.errors
        assert [change.action for change in result.changes] == ["unchanged"] * settled.count()
        assert not [q["sql"] for q in captured.captured_queries if any(table in q["sql"] for table in LINKED_TABLES)]

    @pytest.mark.parametrize(("column", "text"), [
        ("title_en", "A new English title"),
        ("title_ja-Latn", "Tesuto kaisouki"),
        ("places", "place-b|place.c"),
        ("authors", "agent-1|agent-3|agent-2"),  # the same authors in another order
        ("variant_titles", "en:Zeta"),
        ("languages", "ja"),
        ("date", "1946/1957"),
        ("extent", "[clear]"),
        ("staff_notes", "comma, \"quoted\"\nnote, longer"),
    ])
    def test_a_row_that_differs_from_its_ready_row_is_a_change_as_without_one(self, settled, column, text):
        rich = settled
        data = _edited(exported(rich), "test-Full", column, text)
        with_rows, without_rows, _queries = _both_ways(data)
        assert with_rows.changes == without_rows.changes
        full = next(change for change in with_rows.changes if change.identifier == "test-Full")
        assert full.action == "updated" and column in full.fields
        assert sum(change.action == "unchanged" for change in with_rows.changes) == rich.count() - 1

    def test_values_of_a_set_in_another_order_are_unchanged_with_or_without_ready_rows(self, settled):
        rich = settled
        data = _edited(exported(rich), "test-Full", "places", "place_d|place.c|place-b | Place-A|place-b")
        data = _edited(data, "test-Full", "languages", "ru|en|ja")
        with_rows, without_rows, queries = _both_ways(data)
        assert with_rows.changes == without_rows.changes
        assert [change.action for change in with_rows.changes] == ["unchanged"] * rich.count()
        assert not [sql for sql in queries if any(table in sql for table in LINKED_TABLES)]

    @pytest.mark.parametrize("damage", [
        lambda line: line.split(",")[0] + ",altered\r\n",  # too few cells
        lambda line: line.replace(",", ',"', 1),  # an unterminated quote
        lambda line: "test-bare" + line[line.index(","):],  # another record's identifier
    ])
    def test_a_damaged_ready_row_is_passed_over(self, settled, damage):
        data = _edited(exported(settled), "test-Full", "title_en", "Edited")
        refresh_export_lines()
        line = ExportLine.objects.get(record__identifier="test-Full")
        ExportLine.objects.filter(pk=line.pk).update(line=damage(line.line))
        result, _queries = _import(data)
        assert [(change.identifier, change.action) for change in result.changes if change.action != "unchanged"] == [
            ("test-Full", "updated")]


class TestStoredValuesAgainstReadyRows:
    """Records that use every column, as stored, compared with their ready rows as with their tables."""

    def test_a_file_of_some_columns_is_compared_with_those_cells_of_the_ready_rows(self, rich):
        data = write_csv([
            {"identifier": "test-Full", "title_en": "Test memoir | with bar\\", "extent": "1118 p.: ill."},
            {"identifier": "test-bare", "status": "withdrawn", "extent": ""},
            {"identifier": "test-awkward-06", "extent": "a|b", "title_en": "a|b"},
        ], ["identifier", "status", "title_en", "extent"])
        with_rows, without_rows, _queries = _both_ways(data)
        assert with_rows.changes == without_rows.changes
        # The export's cell keeps the white space around the text; the file's is trimmed, so it is a change.
        assert [(change.identifier, change.action) for change in with_rows.changes] == [
            ("test-Full", "updated"), ("test-awkward-06", "unchanged"), ("test-bare", "unchanged")]

    def test_ready_rows_of_other_cataloguing_languages_are_not_compared(self, rich):
        refresh_export_lines(["en"])
        _result, queries = _import(exported(rich))
        assert [sql for sql in queries if "collection_title" in sql]

    def test_a_variant_stored_twice_imports_back_unchanged(self, rich):
        assert Title.objects.filter(record__identifier="test-Full", text="異題").count() == 2
        data = exported(rich)
        _import(data, dry_run=False)
        with_rows, without_rows, _queries = _both_ways(data)
        assert with_rows.changes == without_rows.changes
        assert {change.action for change in with_rows.changes} == {"unchanged"}

    def test_a_ready_row_gives_the_values_the_writer_reads_from_the_tables(self, rich, awkward_record):
        columns = set(record_columns())
        identifiers = list(Record.objects.values_list("identifier", flat=True))
        from_tables = _stored_cells(identifiers, columns)
        refresh_export_lines()
        from_rows = {identifier: stored.exported for identifier, stored in _load_stored(identifiers, columns).items()}
        assert None not in from_rows.values()
        comparison = ReadyRowComparison(record_columns(), lambda column, text: None)
        for identifier, cells in from_tables.items():
            assert comparison.stored_cells(from_rows[identifier], cells) == cells, identifier


# Stored values a catalogue cell does not give back as they are: the ready rows must be judged as the tables are.
def _variants_padded(record):
    Title.objects.create(record=record, language="en", text="Tail ", preferred=False)
    Title.objects.create(record=record, language="en", text=" Head", preferred=False)


def _ours_on_a_romanization(record):
    title = Title(record=record, language="ja-Latn", text="Tesuto", form="translation", our_translation=True)
    title.full_clean()
    title.save()


def _machine_made_original_and_a_reading_of_no_title(record):
    Title.objects.filter(record=record).update(machine_made=True)  # ticked in the admin: listed nowhere
    Title.objects.create(record=record, language="ja-Hrkt", text="テスト", form="reading", machine_made=True)


def _language_tag_in_another_case(record):
    Language.objects.get_or_create(tag="ja")
    record.languages.add(Language.objects.create(tag="JA"))


def _variant_with_a_bad_tag(record):
    Title.objects.create(record=record, language="not a tag", text="Variant", preferred=False)


def _variant_without_text(record):
    Title.objects.create(record=record, language="en", text="", preferred=False)


def _variant_twice(record):
    for _ in range(2):
        Title.objects.create(record=record, language="ja", text="異題", preferred=False)


AWKWARD_STORED = {function.__name__.strip("_"): function for function in (
    _variants_padded, _ours_on_a_romanization, _machine_made_original_and_a_reading_of_no_title,
    _language_tag_in_another_case, _variant_with_a_bad_tag,
    _variant_without_text, _variant_twice)}


@pytest.fixture(params=list(AWKWARD_STORED))
def awkward_record(request):
    record = RecordFactory(identifier="test-odd", title=False, status="draft")
    Title.objects.create(record=record, language="en", text="A title")
    AWKWARD_STORED[request.param](record)
    return record


def _stored_cells(identifiers, columns):
    return {identifier: stored.cells for identifier, stored in _load_stored(identifiers, columns).items()}


def _both_ways_real(data, **options):
    """What a real import reports and leaves stored, with ready rows and without; each rolled back."""
    outcomes = []
    for ready_rows in (True, False):
        refresh_export_lines() if ready_rows else ExportLine.objects.all().delete()
        with transaction.atomic():
            result = write_rows(read_table(data, name="a.csv").records(), **options)
            stored = {record.identifier: record_cells(record) for record in export_queryset(Record.objects.all())}
            transaction.set_rollback(True)
        outcomes.append(([(c.identifier, c.action, c.fields) for c in result.changes],
                         [(e.row, e.column, e.message) for e in result.errors], stored))
    return outcomes


def test_an_export_of_awkward_stored_values_imports_alike_with_or_without_ready_rows(awkward_record):
    with_rows, without_rows = _both_ways_real(exported(Record.objects.all()))
    assert with_rows == without_rows


def test_a_contributor_is_refused_alike_with_or_without_ready_rows(alice):
    record = RecordFactory(identifier="test-odd", title=False, status="review")
    Title.objects.create(record=record, language="en", text="A title")
    _variants_padded(record)  # the import would trim the variants: an edit of a record in review
    with_rows, without_rows = _both_ways_real(exported(Record.objects.all()), user=alice)
    assert with_rows[:2] == without_rows[:2]
    assert [column for _row, column, _message in with_rows[1]] == ["variant_titles"]


def _two_records():
    for identifier in ("test-a", "test-b"):
        record = RecordFactory(identifier=identifier, title=False, status="draft")
        Title.objects.create(record=record, language="en", text=f"Title of {identifier}")


def _outcomes(data):
    outcomes = []
    for ready_rows in (True, False):
        refresh_export_lines() if ready_rows else ExportLine.objects.all().delete()
        with transaction.atomic():
            result = write_rows(read_table(data, name="a.csv").records())
            outcomes.append(([(c.identifier, c.action, c.fields) for c in result.changes],
                             [(e.row, e.column, e.message) for e in result.errors],
                             [(a.identifier, a.name, a.kind) for a in result.new_agents],
                             sorted(Language.objects.values_list("tag", flat=True)),
                             {r.identifier: record_cells(r) for r in export_queryset(Record.objects.all())}))
            transaction.set_rollback(True)
    return outcomes


@pytest.mark.parametrize("rows", [
    # New agents are numbered in the order of the rows that name them.
    [{"identifier": "test-a", "title_en": "Changed", "authors": "Fresh Alpha"},
     {"identifier": "test-b", "authors": "Fresh Beta"}],
    # A new name takes the kind of the column of the first row that names it (here: an organisation).
    [{"identifier": "test-a", "repository": "Fresh Holder"}, {"identifier": "test-b", "authors": "Fresh Holder"}],
    # A new language is spelt as the first row that names it spells it.
    [{"identifier": "test-a", "title_en": "Changed", "languages": "de"}, {"identifier": "test-b", "languages": "DE"}],
], ids=["agent numbers", "agent kind", "language spelling"])
def test_what_a_row_makes_new_is_made_alike_with_or_without_ready_rows(rows):
    _two_records()
    with_rows, without_rows = _outcomes(write_csv(rows, ["identifier", "title_en", "authors", "repository",
                                                         "languages"]))
    assert with_rows == without_rows
    assert with_rows[2] or "de" in with_rows[3]  # something new was made


# Rewritten after edits -------------------------------------------------------------------------------------------

def queued_refreshes() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="collection.tasks.write_export_lines").count()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_an_edit_in_the_admin_has_its_row_written_again_by_the_task_it_queues(admin_client,
                                                                            django_capture_on_commit_callbacks):
    from django.urls import reverse

    from .roles import change_form_data

    record = RecordFactory(identifier="test-e", title="Before")
    RecordFactory(identifier="test-other", title="Other")
    refresh_export_lines()
    url = reverse("admin:collection_record_change", args=[record.pk])
    before = queued_refreshes()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, change_form_data(record, **{"titles-0-text": "After"}))
    assert response.status_code == 302
    assert ready() == {"test-other"}  # dropped with the edit...
    assert queued_refreshes() == before + 1  # ...one task for the record, its titles and its search row
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert ready() == {"test-e", "test-other"}  # ...and written again, as the edit left it
    line = ExportLine.objects.get(record=record).line
    assert "After" in line and "Before" not in line
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_a_workflow_action_on_many_records_queues_one_task(admin_client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from collection.models import Status

    records = [RecordFactory(identifier=f"test-w{n}", title=f"Test {n}", status=Status.REVIEW) for n in range(3)]
    refresh_export_lines()
    before = queued_refreshes()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:collection_record_changelist"), {
            "action": "publish_selected", "_selected_action": [record.pk for record in records], "apply": "1"})
    assert set(Record.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert ready() == set() and queued_refreshes() == before + 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert ready() == {"test-w0", "test-w1", "test-w2"}
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())


@pytest.mark.django_db(transaction=True)  # commits for real, as a request does
def test_a_change_rolled_back_queues_nothing_and_one_kept_queues_once():
    record = RecordFactory(identifier="test-r", title="Test")
    before = queued_refreshes()
    with pytest.raises(RuntimeError), transaction.atomic():
        Title.objects.create(record=record, language="ru", text="Тест")
        raise RuntimeError
    assert queued_refreshes() == before  # the change that would have queued it never happened
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Title.objects.create(record=record, language="ru", text="Тест")
            raise RuntimeError
        Title.objects.create(record=record, language="en-GB", text="Test again")
        record.places.add(PlaceFactory(identifier="test-place"))
        Description.objects.create(record=record, language="en", text="A description")
    assert queued_refreshes() == before + 1


def test_changes_a_row_does_not_show_queue_nothing(django_capture_on_commit_callbacks, django_user_model):
    record = RecordFactory(identifier="test-n", title="Test")
    with django_capture_on_commit_callbacks() as callbacks:
        django_user_model.objects.create_user("someone")
        ExportLine.objects.filter(record=record).delete()
    assert not callbacks


@pytest.mark.django_db(transaction=True)
def test_a_task_that_cannot_be_queued_leaves_the_change_standing(monkeypatch, caplog):
    from collection.catalogue import export_lines

    def broken():
        raise RuntimeError("the task table is away")

    monkeypatch.setattr(export_lines, "_enqueue_refresh", broken)
    record = RecordFactory(identifier="test-q", title="Test")
    with pytest.raises(ValueError, match="the block's own"), transaction.atomic():
        from collection.catalogue.export_lines import one_refresh

        with one_refresh():
            Title.objects.create(record=record, language="ru", text="Тест")
            raise ValueError("the block's own")
    with transaction.atomic():
        Title.objects.create(record=record, language="en-GB", text="Test kept")
    assert Title.objects.filter(text="Test kept").exists()
    assert "the task table is away" in caplog.text
