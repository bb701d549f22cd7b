"""The writer's fast paths give what the models would: rows, history, search keys, verdicts and messages."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from collection.catalogue import writer
from collection.catalogue.checks import FieldVerdicts, field_check
from collection.catalogue.export import export_queryset, record_cells
from collection.catalogue.format import record_columns
from collection.catalogue.writer import BATCH_SIZE, write_rows
from collection.models import (
    AgentKind,
    Description,
    Place,
    PlaceKind,
    PlaceName,
    Record,
    RecordAgent,
    ReservedIdentifier,
    Title,
)
from collection.models.search import RecordPlaceIndex, RecordSearch, RecordTitleOrder
from collection.search import refresh_search_index

from .catalogue_rows import errors_of, memoir, numbered
from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary():
    krai = PlaceFactory(identifier="place-test-krai", kind=PlaceKind.KRAI, name="Test Krai")
    city = Place(identifier="place-test-city", kind=PlaceKind.CITY, parent=krai)
    city.save()
    PlaceName.objects.create(place=city, language="ru", text="Тестоград")
    SubjectFactory(identifier="subject-test", label="Test subject")
    AgentFactory(identifier="agent-test", name="Test Author")
    AgentFactory(identifier="agent-test-org", kind=AgentKind.ORGANISATION, name="Test Organisation")


def rich_rows():
    """Rows using every kind of cell: titles in three scripts with a reading, variants, descriptions,
    translations of ours, agents known and new, places with ancestors, a parent further down the file."""
    return numbered(
        memoir("mem-test-1", **{
            "title_ja": "抑留記テスト", "title_ja-Hrkt": "ヨクリュウキテスト", "title_ru": "Тестовые записки",
            "variant_titles": "en:Test variant|ru:Другое название", "description_en": "A test description.",
            "description_ja": "テストの説明", "our_translations": "title_en|description_en",
            "languages": "ja|ru", "places": "Тестоград|place-test-krai", "subjects": "Test subject",
            "authors": "agent-test|Тестов Иван", "publishers": "agent-test-org", "date": "1950~",
            "isbn": "978-0-00-000001-9", "accessed": "2020-01-02", "url": "https://example.org/test",
            "call_number": "Test 12/3", "parent": "doc-test-series", "sequence": "2", "pages": "1-10",
        }),
        {"identifier": "assoc-test-1", "kind": "association", "status": "review",
         "title_en": "Test association", "described_agent": "Test New Organisation", "repository": "agent-test-org"},
        {"identifier": "doc-test-series", "kind": "document", "level": "series", "title_ru": "Тестовая серия",
         "date": "1946/1956", "editors": "Test Author|Test Editor"},
    )


def search_rows():
    return (sorted(RecordSearch.objects.values_list("record_id", "document", "titles", "bigrams", "title_key")),
            sorted(RecordTitleOrder.objects.values_list("record_id", "language", "title_key")),
            sorted(RecordPlaceIndex.objects.values_list("record_id", "place_id")))


@pytest.mark.parametrize("derive", [False, True])
def test_search_keys_of_new_records_are_those_the_index_refresh_makes(vocabulary, settings, derive):
    settings.COLLECTION_DERIVE_READINGS = derive
    assert write_rows(rich_rows()).ok
    written = search_rows()
    refresh_search_index(Record.objects.values_list("pk", flat=True))
    assert search_rows() == written
    assert len(written[0]) == 3
    # The city counts in its krai too.
    city, krai = Place.objects.get(identifier="place-test-city"), Place.objects.get(identifier="place-test-krai")
    record = Record.objects.get(identifier="mem-test-1")
    assert {(record.pk, city.pk), (record.pk, krai.pk)} <= set(written[2])
    # Each record in each cataloguing language's title order.
    assert len(written[1]) == 3 * 3


def fields_of(obj, model):
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}


def kept_in_history(record):
    """The record's fields its history rows copy: all but its first publication, which the history dates itself."""
    fields = fields_of(record, Record)
    del fields["first_published"]
    return fields


def test_new_records_and_their_history_are_the_rows_the_models_would_write(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = True
    user = UserFactory(is_superuser=True)
    assert write_rows(rich_rows(), user=user, source="test: rich.csv").ok
    for record in Record.objects.all():
        derived = Record.objects.get(pk=record.pk)
        derived.sync_derived_fields()
        assert fields_of(derived, Record) == fields_of(record, Record)
        assert record.version == 1 and record.created == record.modified
        assert ReservedIdentifier.objects.get(identifier=record.identifier).record == record
        [entry] = record.history.all()
        assert (entry.history_type, entry.history_user, entry.history_change_reason, entry.history_date) == (
            "+", user, "test: rich.csv", record.modified)
        assert {name: value for name, value in fields_of(entry, Record.history.model).items()
                if name in fields_of(record, Record)} == kept_in_history(record)
        for name in ("languages", "places", "subjects"):
            assert sorted(row.pk for row in getattr(record, name).through.objects.filter(record=record)) == sorted(
                row.id for row in getattr(entry, name).all())
            key = {"languages": "language_id", "places": "place_id", "subjects": "subject_id"}[name]
            assert sorted(obj.pk for obj in getattr(record, name).all()) == sorted(
                getattr(row, key) for row in getattr(entry, name).all())
    for model in (Title, Description, RecordAgent):
        objects = list(model.objects.all())
        assert objects
        for obj in objects:
            [entry] = model.history.filter(id=obj.pk)
            assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
                "+", user, "test: rich.csv")
            assert {name: value for name, value in fields_of(entry, model.history.model).items()
                    if name in fields_of(obj, model)} == fields_of(obj, model)
    record = Record.objects.get(identifier="mem-test-1")
    assert record.parent == Record.objects.get(identifier="doc-test-series")
    assert [link.agent.identifier for link in record.agent_links.filter(role="author").order_by("position")][0] == (
        "agent-test")
    titles = {t.language: t for t in record.titles.filter(preferred=True)}
    assert titles["en"].our_translation and titles["en"].form == "translation"
    assert titles["ja-Hrkt"].form == "reading" and not titles["ja-Hrkt"].machine_made
    assert titles["ru-Latn"].machine_made and titles["ru-Latn"].derived_from == titles["ru"]
    assert Record.objects.get(identifier="assoc-test-1").described_agent.kind == AgentKind.ORGANISATION


def test_updated_records_history_is_the_rows_the_models_would_write(vocabulary, settings):
    settings.COLLECTION_DERIVE_READINGS = False
    user = UserFactory(is_superuser=True)
    assert write_rows(rich_rows(), user=user, source="test: first.csv").ok
    rows = numbered(
        memoir("mem-test-1", **{"title_ru": "Другие записки", "languages": "ru|en", "places": "place-test-krai",
                                "subjects": "[clear]", "parent": "mem-test-new", "date": "1951-03",
                                "isbn": "[clear]", "status": "review"}),
        {"identifier": "doc-test-series", "parent": "mem-test-1", "date": "1946/1960"},
        memoir("mem-test-new", places="Тестоград"),
    )
    result = write_rows(rows, user=user, source="test: second.csv")
    assert result.ok, result.errors
    assert [change.action for change in result.changes] == ["updated", "updated", "new"]
    for identifier in ("mem-test-1", "doc-test-series"):
        record = Record.objects.get(identifier=identifier)
        entry = record.history.order_by("history_id").last()
        assert (entry.history_type, entry.history_user, entry.history_change_reason, entry.history_date) == (
            "~", user, "test: second.csv", record.modified)
        derived = Record.objects.get(pk=record.pk)
        derived.sync_derived_fields()
        assert fields_of(derived, Record) == fields_of(record, Record)
        assert {name: value for name, value in fields_of(entry, Record.history.model).items()
                if name in fields_of(record, Record)} == kept_in_history(record)
        for name in ("languages", "places", "subjects"):
            through = getattr(record, name).through
            assert sorted(through.objects.filter(record=record).values_list("pk", flat=True)) == sorted(
                row.id for row in getattr(entry, name).all())
            key = {"languages": "language_id", "places": "place_id", "subjects": "subject_id"}[name]
            assert sorted(obj.pk for obj in getattr(record, name).all()) == sorted(
                getattr(row, key) for row in getattr(entry, name).all())
    record = Record.objects.get(identifier="mem-test-1")
    assert record.parent == Record.objects.get(identifier="mem-test-new")
    assert record.history.count() == 2 and not record.subjects.exists()
    assert Record.objects.get(identifier="doc-test-series").year_end == 1960


def test_stored_cells_compared_with_a_row_are_the_export_cells(vocabulary):
    assert write_rows(rich_rows()).ok
    record = Record.objects.get(identifier="doc-test-series")
    Title.objects.create(record=record, language="en", text="Test machine variant", preferred=False,
                         machine_made=True)
    Title.objects.create(record=record, language="EN", text="Test upper-case tag", our_translation=True,
                         form="translation")
    Description.objects.create(record=record, language="ru", text="Тестовое описание", our_translation=True)
    RecordAgent.objects.create(record=record, agent=record.agent_links.first().agent, role="translator", position=3)
    records = list(export_queryset(Record.objects.all()))
    stored = writer._load_stored([r.identifier for r in records], set(record_columns()))
    for record in records:
        expected = record_cells(record)
        del expected["identifier"]
        assert stored[record.identifier].cells == expected


def test_an_unordered_cell_of_a_stored_record_is_unchanged(vocabulary):
    assert write_rows(rich_rows()).ok
    rows = rich_rows()
    rows[0][1]["places"] = "place-test-krai|place-test-city"
    rows[0][1]["languages"] = "ru|ja"
    assert [c.action for c in write_rows(rows).changes] == ["unchanged"] * 3


# The quick checks and the models' validation give the same errors, messages and changes --------------------

CASES = [
    {},
    {"identifier": "mem-" + "x" * 60},
    {"identifier": "mem-" + "x" * 61},
    {"level": "series"},
    {"level": "shelf"},
    {"resource_type": "book"},
    {"resource_type": "scroll"},
    {"sequence": "3"},
    {"sequence": "007"},
    {"sequence": "-1"},
    {"sequence": "99999999999"},
    {"accessed": "2020-02-29"},
    {"accessed": "2021-02-29"},
    {"title_en": "x" * 1000},
    {"title_en": "x" * 1001},
    {"title_en": unicodedata.normalize("NFD", "テスト é")},
    {"date_display": "x" * 200},
    {"date_display": "x" * 201},
    {"container_title": "x" * 501},
    {"volume": "x" * 51},
    {"kind": "association"},
    {"kind": "association", "described_agent": "agent-test-org"},
    {"described_agent": "agent-test-org"},
    {"archived_url": "https://example.org/archived"},
    {"archived_url": "https://example.org/archived", "url": "https://example.org/"},
    {"url": "javascript:alert(1)"},
    {"url": "ftp://example.org/file"},
    {"rights_statement": "not a url"},
    {"isbn": "978-0-00-000001-9"},
    {"isbn": "978-0-00-000001-0"},
    {"issn": "0000-0019"},
    {"issn": "0000-0018"},
    {"date": "1950~"},
    {"date": "1950-13"},
    {"title_en": "", "variant_titles": "en:Test variant only"},
    {"title_en": "", "description_en": "A description is no title"},
    {"our_translations": "title_en|description_ja", "description_ja": "テスト", "languages": "ja"},
    {"variant_titles": "ja-Hrkt:テスト|en-Latn:Test"},
    {"description_ru": "x" * 5000},
    {"status": "published"},
]


@pytest.mark.parametrize("cells", CASES, ids=[",".join(f"{k}={v[:12]}" for k, v in c.items()) for c in CASES])
def test_the_quick_checks_agree_with_the_models(vocabulary, monkeypatch, cells):
    quick = write_rows(numbered(memoir(**cells)), dry_run=True)
    monkeypatch.setattr(writer._Planner, "_surely_valid", lambda self, plan: False)
    by_models = write_rows(numbered(memoir(**cells)), dry_run=True)
    assert quick.errors == by_models.errors
    assert quick.changes == by_models.changes


SAMPLES = [None, "", " ", "x", "x" * 50, "x" * 51, "x" * 1000, "x" * 1001, "memoir", "item", "series", "shelf",
           "book", "draft", "published", "1950", "1950~", "1950-13", "https://example.org/", "javascript:alert(1)",
           "978-0-00-000001-9", "978-0-00-000001-0", "0000-0019", unicodedata.normalize("NFD", "é"), "a\x00b",
           0, 3, -1, 2**40, True, False, "ja", "ja-Latn", "x-", "original", "reading", "1950-01-01", "1950-02-30",
           "1950-01-01 10:00", datetime.date(1950, 1, 1), datetime.datetime(1950, 1, 1, tzinfo=datetime.UTC)]


@pytest.mark.parametrize("field", [f for f in Record._meta.concrete_fields + Title._meta.concrete_fields
                                   + Description._meta.concrete_fields
                                   if not isinstance(f, (models.ForeignKey, models.AutoField, models.BigAutoField))],
                         ids=lambda f: f"{f.model.__name__}.{f.name}")
def test_a_quick_check_never_passes_what_the_field_refuses(field):
    check = field_check(field)
    cleaned = 0
    for value in SAMPLES:
        try:
            passed = check(value)
        except (TypeError, ValueError):
            continue  # a value of a type the field never gets (an int for a date): refused all the same
        if not passed:
            continue
        if field.blank and value in field.empty_values:
            continue  # clean_fields() skips a blank value of a field that may be blank
        try:
            field.clean(value, None)
        except ValidationError as exc:
            pytest.fail(f"{field.name}: the check passed {value!r}, the field refused it: {exc.messages}")
        cleaned += 1
    assert cleaned, f"{field.name}: no sample passed the quick check, so none was compared with the field"


def test_remembered_verdicts_clean_fields_as_the_model_does(vocabulary):
    verdicts = FieldVerdicts()
    checks = {name: field_check(Record._meta.get_field(name), verdicts) for name in ("date_edtf", "isbn", "url")}
    for values in ({"date_edtf": "1950-13", "isbn": "978-0-00-000001-0", "url": "javascript:alert(1)"},
                   {"date_edtf": "1950~", "isbn": "978-0-00-000001-9", "url": "https://example.org/"}):
        for _repeat in range(2):  # the second time from the verdicts kept
            by_model, remembered = Record(identifier="mem-test", **values), Record(identifier="mem-test", **values)
            exclude = {"parent", "described_agent", "repository"}
            try:
                by_model.clean_fields(exclude)
            except ValidationError as exc:
                expected = exc.message_dict
            else:
                expected = {}
            try:
                verdicts.clean_fields(remembered, exclude)
            except ValidationError as exc:
                found = exc.message_dict
            else:
                found = {}
            assert found == expected
            assert fields_of(remembered, Record) == fields_of(by_model, Record)
            assert all(check(values[name]) == (name not in expected) for name, check in checks.items())


def test_plain_text_passes_the_quick_check_of_its_field():
    assert field_check(Record._meta.get_field("extent"))("123 p.")
    assert field_check(Record._meta.get_field("kind"))("memoir")
    assert not field_check(Record._meta.get_field("kind"))("poem")
    assert not field_check(Title._meta.get_field("text"))("")


# Batches ---------------------------------------------------------------------------------------------------

def test_errors_in_every_batch_are_reported_and_nothing_is_written():
    rows = [memoir(f"mem-batch-{n}") for n in range(2 * BATCH_SIZE + 10)]
    rows[3]["date"] = "1945-02-30"
    rows[BATCH_SIZE + 5]["identifier"] = "mem-batch-1"
    rows[-1]["isbn"] = "978-0-00-000001-0"
    result = write_rows(numbered(*rows))
    assert errors_of(result) == [(5, "date"), (BATCH_SIZE + 7, "identifier"), (len(rows) + 1, "isbn")]
    assert "row 3" in result.errors[1].message
    assert not Record.objects.exists() and not Title.objects.exists()


@pytest.mark.parametrize("identifier", ["mem test", "-mem", "mem/1", "mém-1"])
def test_an_identifier_out_of_its_format_is_refused_with_the_validators_message(identifier):
    result = write_rows(numbered(memoir("mem-ok"), memoir(identifier)))
    assert errors_of(result) == [(3, "identifier")]
    assert "Latin letters" in result.errors[0].message
    assert not Record.objects.exists()


def test_a_parent_further_down_the_file_in_another_batch():
    rows = [memoir(f"mem-batch-{n}", parent="doc-batch-series") for n in range(BATCH_SIZE + 1)]
    rows.append({"identifier": "doc-batch-series", "kind": "document", "title_en": "Test series"})
    assert write_rows(numbered(*rows)).ok
    series = Record.objects.get(identifier="doc-batch-series")
    assert series.children.count() == BATCH_SIZE + 1
    entry = Record.objects.get(identifier="mem-batch-0").history.get()
    assert entry.parent_id == series.pk  # the history row has it too


def test_a_cycle_through_an_unchanged_record_is_refused():
    assert write_rows(numbered(memoir("mem-a"), memoir("mem-b", parent="mem-a"))).ok
    result = write_rows(numbered(memoir("mem-b", parent="mem-a"), memoir("mem-a", parent="mem-b")))
    assert errors_of(result) == [(3, "parent")]


def test_an_unchanged_association_keeps_its_claim_on_its_organisation(vocabulary):
    association = {"identifier": "assoc-test-1", "kind": "association", "title_en": "Test assoc",
                   "described_agent": "agent-test-org"}
    assert write_rows(numbered(association)).ok
    result = write_rows(numbered({"identifier": "assoc-test-1"}, {**association, "identifier": "assoc-test-2"}))
    assert errors_of(result) == [(3, "described_agent")]
    assert "Row 2 already describes" in result.errors[0].message


def test_rows_are_read_a_batch_at_a_time_and_progress_is_reported():
    count = 2 * BATCH_SIZE + 1
    read = []

    def rows():
        for n in range(count):
            read.append(n)
            yield n + 2, memoir(f"mem-batch-{n}")

    calls = []
    assert write_rows(rows(), progress=lambda stage, done, total: calls.append((stage, done, total, len(read)))).ok
    # Each batch is checked as soon as it is read: the rows after it are not read yet.
    assert calls == [("checking", BATCH_SIZE, None, BATCH_SIZE), ("checking", 2 * BATCH_SIZE, None, 2 * BATCH_SIZE),
                     ("checking", count, None, count), ("writing", BATCH_SIZE, count, count),
                     ("writing", 2 * BATCH_SIZE, count, count), ("writing", count, count, count)]
    assert Record.objects.count() == count


@pytest.mark.postgres
def test_reading_through_indexes_ends_with_the_block_even_when_it_fails():
    from django.db import DatabaseError, connection, transaction

    from collection.catalogue.bulk import index_scans

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            return cursor.fetchone()[0]

    with index_scans():
        assert setting() == "off"
    assert setting() == "on"
    with pytest.raises(DatabaseError), transaction.atomic(), index_scans():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")
    assert setting() == "on"


@pytest.mark.parametrize("wanted", [["a,b", "c"], ["", "c"], [""], ["c", "d"]])
def test_a_batch_of_keys_finds_exactly_its_rows_whatever_the_keys_hold(wanted):
    from django.db import connection

    from collection.catalogue.bulk import keys_in

    records = {text: RecordFactory(call_number=text) for text in ("a,b", "a", "b", "", "c", "d")}
    condition, params = keys_in("call_number", wanted, "text")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT call_number FROM collection_record WHERE {condition}", params)
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(wanted)
    condition, params = keys_in("id", [records[text].pk for text in wanted])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT call_number FROM collection_record WHERE {condition}", params)
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(wanted)


def test_an_import_leaves_the_garbage_collector_as_it_found_it():
    import gc

    from collection.catalogue.writer import write_rows

    before = gc.get_threshold()
    seen = []

    def rows():
        seen.append(gc.get_threshold()[0])  # read while the import runs
        yield 2, {"identifier": "test-gc", "kind": "nonsense", "title_en": "Test"}

    result = write_rows(rows())
    assert not result.ok  # an import that fails restores it too
    assert seen[0] > before[0] and gc.get_threshold() == before


def test_a_row_putting_a_record_under_a_loop_is_not_blamed_for_it():
    assert write_rows(numbered(memoir("mem-a"), memoir("mem-b", parent="mem-a"), memoir("mem-c"))).ok
    result = write_rows(numbered(memoir("mem-a", parent="mem-b"), memoir("mem-c", parent="mem-a")))
    assert errors_of(result) == [(2, "parent")]
