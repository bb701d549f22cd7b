"""The streaming export: one query per export, the same bytes as the per-record cells, flat memory.

The reference for every cell is ``record_cells`` (the reading the import writer compares
rows with), applied to model instances; the streaming export must write exactly what
``write_csv`` writes from those cells, on data that exercises every column.
"""

from __future__ import annotations

import datetime
import io
import re
import tracemalloc
import zipfile
from contextlib import contextmanager
from copy import copy

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.export import (
    as_text,
    catalogue_rows,
    export_csv_chunks,
    export_file,
    export_queryset,
    record_cells,
)
from collection.catalogue.files import read_table
from collection.catalogue.format import FORMULA_TRIGGERS, quote_formula, record_columns
from collection.catalogue.xlsx_writer import EXCEL_ERRORS
from collection.models import AgentKind, Description, Language, Record, RecordAgent, Title

from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory
from .roles import dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

AWKWARD = ["=1+1", "+7 495", "-3", "@home", "'=quoted", "''-twice", "a|b", "back\\slash", "end\\", "\\|both",
           "line one\nline two", "cr\r\nlf", "\ttab", "comma, \"quote\"", " padded ", "<script>x</script>",
           "テスト回想記", "Тестовый документ", "#N/A", "emoji 🙂 é", "a]", ""]


def _title(record, language, text, **fields):
    return Title.objects.create(record=record, language=language, text=text, **fields)


@pytest.fixture(scope="class")
def rich(class_data):
    """Records that use every column, with the values a catalogue makes awkward."""
    places = [PlaceFactory(identifier=name) for name in ("place-b", "Place-A", "place.c", "place_d")]
    subjects = [SubjectFactory(identifier=name) for name in ("subject-z", "subject-A", "subject-m")]
    people = [AgentFactory(identifier=name) for name in ("agent-3", "agent-1", "agent-2", "Agent-0")]
    holder = AgentFactory(identifier="org-archive", kind=AgentKind.ORGANISATION)
    association = AgentFactory(identifier="org-association", kind=AgentKind.ORGANISATION)
    japanese, russian, english = (Language.objects.create(tag=tag) for tag in ("ja", "ru", "en"))

    parent = RecordFactory(identifier="test-series", kind="document", title=False, status="draft")
    _title(parent, "en", "Test series")

    full = RecordFactory(
        identifier="test-Full", kind="memoir", status="review", title=False, parent=parent, sequence=12,
        level="item", date_edtf="1946/1956", date_display="昭和21年頃 |x", accessed=datetime.date(2020, 1, 2),
        repository=holder, resource_type="book", container_title="=HYPERLINK(\"x\")", volume="-1", issue="@2",
        pages="+3", edition="'=really", publication_place="Москва | Tokyo", isbn="978-0-00-000001-9",
        issn="0000-0019", url="https://example.org/a|b", archived_url="https://example.org/archive",
        extent=" 1118 p.: ill. ", reference_fond="Ф. 1\\2", reference_opis="оп. 1", reference_delo="д. 3",
        reference_folios="л. 4", call_number="\tCALL", rights_statement="http://rightsstatements.org/vocab/InC/1.0/",
        licence="CC BY 4.0", description_source="line one\r\nline two", staff_notes="comma, \"quoted\"\nnote",
    )
    # Two preferred Japanese titles: the first by id is the cell. Tags match whatever their case.
    _title(full, "ja", "テスト回想記 =1")
    _title(full, "ja", "後のテスト")
    _title(full, "ja-Hrkt", "てすとかいそうき", form="reading", machine_made=True)
    _title(full, "JA-latn", "Tesuto kaisōki", form="romanization")
    _title(full, "ru", "=Тестовые воспоминания", form="translation", our_translation=True)
    _title(full, "ru-Latn", "Testovye vospominaniia", form="romanization", machine_made=True)
    _title(full, "en", " Test memoir | with bar\\ ", form="translation", our_translation=True)
    # A flag ticked in the admin on a title that is no reading or romanization is not listed in machine_made.
    _title(full, "de", "Nicht konfiguriert", machine_made=True)
    _title(full, "ja-Kana", "テスト", form="reading", machine_made=True)  # a reading in other_titles
    # Variants the archivist entered, in an order their sort must fix; machine-made forms are not exported.
    for language, text in (("en", "b|variant"), ("en", "a]"), ("en", "a|"), ("ja", "異題"), ("en", "Zeta"),
                           ("ru", "вариант\\"), ("en", "=formula variant"), ("ja", "異題")):
        _title(full, language, text, preferred=False)
    _title(full, "ja-Latn", "machine variant", preferred=False, machine_made=True, form="romanization")
    Description.objects.create(record=full, language="ja", text="説明\n二行目")
    Description.objects.create(record=full, language="EN", text="Older English description")
    Description.objects.create(record=full, language="en", text="=English | description", our_translation=True)
    Description.objects.create(record=full, language="de", text="Nicht konfiguriert")
    full.languages.add(russian, japanese, english)
    full.places.add(*places)
    full.subjects.add(*subjects)
    for agent, role, position in ((people[0], "author", 2), (people[1], "author", 1), (people[2], "author", 1),
                                  (people[3], "editor", 0), (people[1], "translator", 0),
                                  (holder, "publisher", 0), (people[2], "issuing_body", 5),
                                  (people[0], "subject", 0), (people[3], "subject", 0)):
        RecordAgent.objects.create(record=full, agent=agent, role=role, position=position)

    association_record = RecordFactory(identifier="test-association", kind="association", title=False,
                                       described_agent=association, status="published")
    Description.objects.create(record=association_record, language="ru", text="Описание", our_translation=True)
    _title(association_record, "ja", "協会", our_translation=True, form="translation")

    bare = RecordFactory(identifier="test-bare", kind="document", title=False, status="withdrawn")
    _title(bare, "en", "Untitled but not empty", preferred=False)

    # One record per awkward value, in a plain column, a title and a variant.
    for number, value in enumerate(AWKWARD):
        record = RecordFactory(identifier=f"test-awkward-{number:02d}", kind="document", title=False,
                               extent=value, date_display=value)
        if value:
            _title(record, "en", value)
            _title(record, "ru", value, preferred=False)
        record.places.add(places[number % len(places)])
    return Record.objects.all()


def reference_csv(queryset, configured=None) -> bytes:
    """The CSV the export wrote when it built each row from model instances."""
    columns = record_columns(configured)
    rows = []
    for record in export_queryset(queryset):
        cells = record_cells(record, configured)
        rows.append({column: as_text(cells.get(column, "")) for column in columns})
    return write_csv(rows, columns)


def exported(queryset, file_format="csv", configured=None) -> bytes:
    out = io.BytesIO()
    export_file(queryset, out, file_format, configured)
    return out.getvalue()


class TestExportOfEveryColumn:
    """Exports of records that use every column, with the values a catalogue makes awkward."""

    def test_csv_export_is_byte_identical_to_the_cells_of_each_record(self, rich):
        data = exported(rich)
        assert data == reference_csv(rich)
        text = data.decode("utf-8-sig")
        # The awkward values really are in the file, escaped and formula-guarded.
        assert "'=Тестовые воспоминания" in text and "'=1+1" in text
        rows = {row["identifier"]: row for _number, row in read_csv(data)}
        full = rows["test-Full"]
        assert full["title_ja"] == "テスト回想記 =1" and full["title_ja-Latn"] == "Tesuto kaisōki"
        assert full["title_ja-Hrkt"] == "てすとかいそうき"  # a preferred machine-made reading is the cell
        assert full["variant_titles"] == ("en:=formula variant|en:Zeta|en:a]|en:a\\||en:b\\|variant|ja:異題|ja:異題|"
                                          "ru:вариант\\\\")
        assert full["description_en"] == "=English | description" and full["description_ja"] == "説明\n二行目"
        assert full["our_translations"] == "description_en|title_en|title_ru"
        assert full["machine_made"] == "title_ja-Hrkt|title_ja-Kana|title_ru-Latn"
        assert full["places"] == "Place-A|place-b|place.c|place_d"
        assert full["authors"] == "agent-1|agent-2|agent-3" and full["agent_subjects"] == "agent-3|Agent-0"
        assert full["languages"] == "en|ja|ru" and full["parent"] == "test-series" and full["accessed"] == "2020-01-02"
        assert rows["test-association"]["our_translations"] == "description_ru|title_ja"
        assert list(rows) == sorted(rows)  # identifiers in code-point order: upper case first

    def test_export_follows_the_configured_languages(self, rich):
        for configured in (["en"], ["ru", "ja", "de"], ["ja-Latn", "en"]):
            assert exported(rich, configured=configured) == reference_csv(rich, configured)

    def test_a_selection_a_filter_and_a_slice_export_only_their_records(self, rich):
        for queryset in (rich.filter(status="draft"), rich.filter(identifier__startswith="test-awkward"),
                         rich.order_by("-identifier")[:3], rich.filter(titles__language="ru").distinct(),
                         rich.none()):
            assert exported(queryset) == reference_csv(queryset)
        assert exported(rich.none()).decode("utf-8-sig").count("\r\n") == 1  # the header alone

    def test_sorting_follows_code_points_whatever_the_database_collation(self, rich):
        """Python sorts text by code point; a PostgreSQL database in a linguistic collation must not reorder rows."""
        from django.db import connection

        from collection.models import Place, Subject

        if connection.vendor != "postgresql":
            pytest.skip("SQLite compares text by its bytes alone")
        columns = [(Record, "identifier"), (Title, "language"), (Title, "text"), (Place, "identifier"),
                   (Subject, "identifier"), (Language, "tag")]
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may remain before ALTER TABLE
            for model, name in columns:
                field = model._meta.get_field(name)
                cursor.execute(f'ALTER TABLE "{model._meta.db_table}" ALTER COLUMN "{field.column}" '
                               f'TYPE varchar({field.max_length}) COLLATE "und-x-icu"')
            cursor.execute("SELECT identifier FROM collection_record ORDER BY identifier")
            linguistic = [identifier for (identifier,) in cursor.fetchall()]
        assert linguistic != sorted(linguistic)  # the collation really orders otherwise
        assert exported(rich) == reference_csv(rich)

    def test_csv_chunks_join_to_the_file(self, rich):
        assert b"".join(export_csv_chunks(rich)) == exported(rich)

    def test_the_export_query_is_planned_without_jit_and_the_setting_comes_back(self, rich):
        """JIT compiling the export's dozen joins cost nearly half of an export of ready rows on PostgreSQL."""
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("JIT is PostgreSQL's")
        planned_with = []

        def note_the_setting(execute, sql, params, many, context):
            if "collection_title" in sql and "set_config" not in sql:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('jit')")
                    planned_with.append(cursor.fetchone()[0])
            return execute(sql, params, many, context)

        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'on', false), set_config('jit_above_cost', '0', false)")
        reference = reference_csv(rich)
        try:
            with connection.execute_wrapper(note_the_setting):
                assert exported(rich) == reference
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('jit')")
                after = cursor.fetchone()[0]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit; RESET jit_above_cost")
        assert planned_with == ["off"] and after == "on"

    def test_xlsx_sheet_is_what_openpyxl_writes_for_the_same_cells(self, rich):
        rows = [record_columns(), *catalogue_rows(rich)]
        data = exported(rich, "xlsx")
        assert sheet_xml(data) == openpyxl_sheet(rows)
        # Read back, every cell is the text exported; formula-like text is quoted, not run.
        table = read_table(data, name="export.xlsx")
        assert [list(cells) for _number, cells in table.rows] == [list(row) for row in rows[1:]]
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        awkward = {sheet.cell(row=n, column=1).value: n for n in range(2, sheet.max_row + 1)}
        formula = sheet.cell(row=awkward["test-awkward-00"], column=header.index("extent") + 1)
        assert formula.value == "=1+1" and formula.data_type == "s" and formula.quotePrefix
        error_like = sheet.cell(row=awkward[f"test-awkward-{AWKWARD.index('#N/A'):02d}"],
                                column=header.index("extent") + 1)
        assert error_like.value == "#N/A" and error_like.data_type == "s" and error_like.quotePrefix

    def test_xlsx_export_imports_back_unchanged(self, rich, tmp_path):
        def round_trip(name):
            path = tmp_path / name
            call_command("export_catalogue", str(path), stderr=io.StringIO())
            out = io.StringIO()
            call_command("import_catalogue", str(path), stdout=out, stderr=io.StringIO())
            return sheet_xml(path.read_bytes()), out.getvalue()

        # test-Full has a variant stored twice: a set of variants, in the file as in the comparison.
        assert Title.objects.filter(record__identifier="test-Full", text="異題").count() == 2
        round_trip("first.xlsx")  # the import trims the white space around cells, once
        second, report = round_trip("second.xlsx")
        counts = re.findall(r"(\d+) new, (\d+) updated, (\d+) unchanged", report)
        assert counts and all(new == updated == "0" for new, updated, _unchanged in counts)
        assert sum(int(unchanged) for _new, _updated, unchanged in counts) == rich.count()
        third, _report = round_trip("third.xlsx")
        assert second == third

    def test_xlsx_can_be_written_to_a_stream_that_cannot_seek(self, rich):
        """Standard output, when the command writes ``-``: the archive is streamed, never sought back into."""
        kept = io.BytesIO()

        class Pipe(_Discard):
            def write(self, data) -> int:
                return kept.write(data)

        assert export_file(rich, Pipe(), "xlsx") == rich.count()
        assert sheet_xml(kept.getvalue()) == sheet_xml(exported(rich, "xlsx"))
        assert openpyxl.load_workbook(io.BytesIO(kept.getvalue())).worksheets[0].max_row == rich.count() + 1

    def test_the_command_writes_what_export_file_writes(self, rich, tmp_path):
        path = tmp_path / "catalogue.csv"
        err = io.StringIO()
        call_command("export_catalogue", str(path), stderr=err)
        assert path.read_bytes() == exported(rich)
        assert f"{rich.count()} records written" in err.getvalue()
        assert [p.name for p in tmp_path.iterdir()] == ["catalogue.csv"]  # no partial file left behind
        out = io.StringIO()
        call_command("export_catalogue", "-", "--status", "draft", stdout=out, stderr=io.StringIO())
        assert out.getvalue().encode("utf-8") == exported(rich.filter(status="draft"))

    def test_a_failed_export_leaves_the_previous_file(self, rich, tmp_path, monkeypatch):
        path = tmp_path / "catalogue.csv"
        path.write_bytes(b"previous")

        def broken(*args, **kwargs):
            yield ("half",)
            raise RuntimeError("the database went away")

        monkeypatch.setattr("collection.catalogue.export.catalogue_rows", broken)
        with pytest.raises(RuntimeError):
            call_command("export_catalogue", str(path), stderr=io.StringIO())
        assert path.read_bytes() == b"previous"
        assert [p.name for p in tmp_path.iterdir()] == ["catalogue.csv"]

    def test_admin_csv_export_streams_the_changelist_as_filtered(self, rich, dana, login):  # noqa: F811
        response = login(dana).get(reverse(EXPORT_URL, args=["csv"]) + "?status__exact=draft")
        assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')
        data = b"".join(response.streaming_content)
        assert data == exported(rich.filter(status="draft"))
        identifiers = [row["identifier"] for _number, row in read_csv(data)]
        assert "test-series" in identifiers and "test-association" not in identifiers  # a draft in, a published out

    def test_admin_xlsx_export_is_a_file_response(self, rich, dana, login):  # noqa: F811
        response = login(dana).get(reverse(EXPORT_URL, args=["xlsx"]))
        data = b"".join(response.streaming_content)
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert int(response["Content-Length"]) == len(data)
        assert sheet_xml(data) == sheet_xml(exported(rich, "xlsx"))
        assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')

    def test_admin_export_of_a_selection(self, rich, dana, login):  # noqa: F811
        chosen = list(rich.filter(identifier__in=["test-Full", "test-bare"]).values_list("pk", flat=True))
        client, changelist = login(dana), reverse("admin:collection_record_changelist")
        response = client.post(changelist, {"action": "export_selected_csv", "_selected_action": chosen})
        assert b"".join(response.streaming_content) == exported(rich.filter(pk__in=chosen))

        response = client.post(changelist, {"action": "export_selected_xlsx", "_selected_action": chosen})
        data = b"".join(response.streaming_content)
        assert sheet_xml(data) == sheet_xml(exported(rich.filter(pk__in=chosen), "xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        assert sheet.max_row == 3
        identifiers = [row[header.index("identifier")].value for row in sheet.iter_rows(min_row=2)]
        assert identifiers == ["test-Full", "test-bare"]
        formula = sheet.cell(row=2, column=header.index("title_ru") + 1)
        assert formula.value == "=Тестовые воспоминания" and formula.data_type == "s" and formula.quotePrefix

    def test_export_needs_the_view_permission(self, rich, login):  # noqa: F811
        from .factories import UserFactory

        outsider = UserFactory(username="test-outsider", is_staff=True)
        assert login(outsider).get(reverse(EXPORT_URL, args=["csv"])).status_code == 403


@contextmanager
def reads_in_one_query():
    """Asserts that the block reads the catalogue in one query.

    On PostgreSQL an export also sets, around that query, how it is planned (without JIT), which reads nothing.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        yield
    reading = [query["sql"] for query in captured.captured_queries if "set_config('jit'" not in query["sql"]]
    assert len(reading) == 1, reading


@pytest.mark.parametrize("count", [3, 30])
def test_an_export_is_one_query_whatever_the_number_of_records(count):
    place, agent = PlaceFactory(identifier="place-q"), AgentFactory(identifier="agent-q")
    for number in range(count):
        record = RecordFactory(identifier=f"test-q-{number:03d}", title=f"Test {number}")
        record.places.add(place)
        RecordAgent.objects.create(record=record, agent=agent, role="author")
        Description.objects.create(record=record, language="en", text=f"Description {number}")
    with reads_in_one_query():  # every cell of every row, titles and links included
        rows = list(catalogue_rows(Record.objects.all()))
    with reads_in_one_query():
        csv_data = exported(Record.objects.all())
    with reads_in_one_query():
        xlsx_data = exported(Record.objects.all(), "xlsx")
    assert len(rows) == len(read_table(csv_data, name="a.csv")) == len(read_table(xlsx_data, name="a.xlsx")) == count
    authors = record_columns().index("authors")
    assert {row[authors] for row in rows} == {"agent-q"}


# XLSX ----------------------------------------------------------------------------------------------------


def openpyxl_sheet(rows) -> bytes:
    """The sheet openpyxl itself writes for these rows, cell by cell, as the export used to."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet("records")
    quoted = WriteOnlyCell(worksheet, "")
    quoted.quotePrefix = True
    for row in rows:
        cells = []
        for text in row:
            if not text:
                cells.append(None)
            elif text[0] in FORMULA_TRIGGERS or text.upper() in EXCEL_ERRORS:
                cell = WriteOnlyCell(worksheet, None)
                cell._value, cell.data_type, cell._style = text, "s", copy(quoted._style)
                cells.append(cell)
            else:
                # Text that starts with ' before a formula character gets a second ', which import strips.
                cell = WriteOnlyCell(worksheet, quote_formula(text) if text[0] == "'" else text)
                cell.data_type = "s"  # openpyxl would make "#N/A" an error cell; the export keeps text
                cells.append(cell)
        worksheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return sheet_xml(out.getvalue())


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_xlsx_writer_memory_does_not_grow_with_rows():
    from collection.catalogue.xlsx_writer import write_xlsx_rows

    columns = record_columns()

    def rows(count):
        yield columns
        for number in range(count):
            row = [""] * len(columns)
            row[0], row[6], row[9], row[11] = f"test-{number:06d}", f"テスト {number}", f"Тест {number}", "=1"
            row[20] = f"place-{number % 50}|place-{number % 7}"
            yield row

    def peak(count: int) -> int:
        tracemalloc.start()
        write_xlsx_rows(rows(count), _Discard())
        value = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return value

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.2 + 500_000


class _Discard(io.RawIOBase):
    """A binary output that keeps nothing (so that only the writer's own memory is measured), unseekable."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def test_export_memory_does_not_grow_with_records():
    """The rows stream from the cursor to the file: 12,000 records cost what 3,000 do."""
    place = PlaceFactory(identifier="place-m")
    records = Record.objects.bulk_create(
        Record(identifier=f"test-m-{number:06d}", kind="document", status="draft", extent=f"{number} p.")
        for number in range(12_000))
    Title.objects.bulk_create(Title(record=record, language="ja", text=f"テスト {record.identifier}")
                              for record in records)
    Record.places.through.objects.bulk_create(Record.places.through(record=record, place=place) for record in records)
    everything = Record.objects.order_by("identifier")

    def peak(count: int, file_format: str) -> int:
        tracemalloc.start()
        assert export_file(everything[:count], _Discard(), file_format) == count
        value = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return value

    for file_format in ("csv", "xlsx"):
        small, large = peak(3_000, file_format), peak(12_000, file_format)
        assert large < small * 1.2 + 500_000, file_format


def test_illegal_characters_are_refused_not_written():
    from collection.catalogue.xlsx_writer import CellRefused, write_xlsx_rows

    with pytest.raises(CellRefused, match="row 2, column B: the control character U\\+0007"):
        write_xlsx_rows([["identifier", "title_en"], ["test-1", "bell\x07"]], io.BytesIO())


def test_text_too_long_for_an_xlsx_cell_is_refused_not_cut():
    from collection.catalogue.xlsx_writer import MAX_CELL_CHARS, CellRefused, write_xlsx_rows

    with pytest.raises(CellRefused, match="row 3, column C: the text has 32768 characters"):
        write_xlsx_rows([["identifier", "title_en", "description_en"], ["test-1", "a", "b"],
                         ["test-2", "a", "x" * (MAX_CELL_CHARS + 1)]], io.BytesIO())
    # A row whose cells together are long is fine while each fits.
    out = io.BytesIO()
    write_xlsx_rows([["a", "b"], ["x" * MAX_CELL_CHARS, "y" * MAX_CELL_CHARS]], out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert len(sheet["A2"].value) == len(sheet["B2"].value) == MAX_CELL_CHARS


@pytest.fixture
def overlong(db):
    record = RecordFactory(identifier="test-long", status="draft")
    Description.objects.create(record=record, language="en", text="Test " + "x" * 40000)
    return Record.objects.filter(pk=record.pk)


def test_the_command_refuses_an_xlsx_export_that_would_cut_text(overlong, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "catalogue.xlsx"
    with pytest.raises(CommandError, match="row 2, column .*: the text has 40005 characters"):
        call_command("export_catalogue", str(path), stderr=io.StringIO())
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_the_admin_refuses_an_xlsx_export_that_would_cut_text(overlong, dana, login):  # noqa: F811
    client = login(dana)
    response = client.get(reverse("admin:collection_record_export", args=["xlsx"]) + "?status__exact=draft",
                          follow=True)
    assert response.redirect_chain[0][0].endswith("/record/?status__exact=draft")
    text = response.content.decode()
    assert "Nothing was exported" in text and "40005 characters" in text and "Export CSV instead" in text


# The command and the admin ----------------------------------------------------------------------------


EXPORT_URL = "admin:collection_record_export"


# The session, the user, the user's and the groups' permissions; the changelist's language filter (its choices
# are read twice) and its two counts (the page's and the catalogue's); then the rows, all in one query (on
# PostgreSQL, between the two statements that set and restore how it is planned).
def admin_export_queries():
    from django.db import connection

    return 4 + 4 + 1 + (2 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize("count", [2, 20])
def test_admin_export_runs_a_fixed_number_of_queries(count, dana, login, django_assert_num_queries):  # noqa: F811
    for number in range(count):
        RecordFactory(identifier=f"test-a-{number:03d}", title=f"Test {number}")
    client = login(dana)
    for file_format in ("csv", "xlsx"):
        with django_assert_num_queries(admin_export_queries()):
            response = client.get(reverse(EXPORT_URL, args=[file_format]))
            data = b"".join(response.streaming_content)
        assert len(read_table(data, name=f"export.{file_format}")) == count
