"""Ready export rows: the CSV export copies them where they are current, and is exact whether or not they are.

The reference is the same as the streaming export's: ``record_cells`` of each record
as a model instance. A ready row must give exactly those bytes; any change to what a
row shows must drop the row, by database triggers, whatever code or SQL makes it.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from collection.catalogue.export import export_csv_chunks
from collection.catalogue.export_lines import (
    install_export_line_triggers,
    layout_of,
    refresh_export_lines,
    trigger_names,
)
from collection.catalogue.files import read_table
from collection.catalogue.writer import write_rows
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
from .test_export_stream import exported, reference_csv

pytestmark = pytest.mark.django_db

rich = test_export_stream.rich  # the records that use every column, with awkward values


def ready() -> set[str]:
    return set(ExportLine.objects.values_list("record__identifier", flat=True))


def test_ready_rows_give_the_bytes_of_each_records_cells(rich):
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


def test_an_xlsx_export_reads_the_ready_rows_back_to_the_same_cells(rich):
    assembled = exported(rich, "xlsx")
    refresh_export_lines()
    ExportLine.objects.filter(record__identifier="test-awkward-04").delete()
    assert exported(rich, "xlsx") == assembled  # formula-like text, line breaks, bars and quotes included
    ExportLine.objects.filter(record__identifier="test-bare").update(line="test-bare,altered\r\n")
    assert exported(rich, "xlsx") != assembled  # the ready rows really are what it read


def test_records_with_and_without_a_ready_row_come_in_identifier_order(rich):
    refresh_export_lines()
    ExportLine.objects.filter(record__identifier__in=["test-Full", "test-awkward-03", "test-series"]).delete()
    assert exported(rich) == reference_csv(rich)


def test_an_export_with_ready_rows_is_still_one_query(rich, django_assert_num_queries):
    refresh_export_lines()
    ExportLine.objects.filter(record__identifier="test-Full").delete()
    with django_assert_num_queries(1):
        exported(rich)


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


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_a_row_shows_drops_it(rich, change):
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


def test_an_import_that_changes_a_record_drops_its_row(rich):
    refresh_export_lines()
    data = b"identifier,kind,status,title_en,extent\ntest-bare,document,withdrawn,New title,12 p.\n"
    result = write_rows(read_table(data, name="a.csv").records())
    assert result.ok, result.errors
    assert "test-bare" not in ready() and "test-Full" in ready()
    assert exported(rich) == reference_csv(rich)


def test_deleting_a_record_takes_its_row(rich):
    refresh_export_lines()
    Record.objects.get(identifier="test-awkward-01").delete()
    assert "test-awkward-01" not in ready()
    assert exported(Record.objects.all()) == reference_csv(Record.objects.all())


def test_rows_of_other_cataloguing_languages_are_not_used_and_are_replaced(rich):
    refresh_export_lines()
    assert exported(rich, configured=["en"]) == reference_csv(rich, ["en"])
    assert refresh_export_lines(["en"]) == rich.count()
    assert set(ExportLine.objects.values_list("layout", flat=True)) == {layout_of(["en"])}
    assert exported(rich, configured=["en"]) == reference_csv(rich, ["en"])
    assert exported(rich) == reference_csv(rich)  # computed again for the default languages


def test_the_command_writes_what_is_missing(rich):
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
