"""Which readings and romanizations are machine-made travels in the sheets' ``machine_made`` column, so that a
catalogue exported and loaded into another keeps them machine-made: they follow their titles and names, and
English citations do not trust them. The titles and names here are invented for the tests."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.export import as_text, catalogue_rows, export_file, export_queryset, record_cells
from collection.catalogue.files import read_table
from collection.catalogue.format import record_columns
from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.vocabulary_files import import_vocabulary
from collection.catalogue.writer import _load_stored, write_rows
from collection.citations import csl_json
from collection.derivation import derive_forms
from collection.importing.romanizations import update_missing_forms
from collection.models import (
    Agent,
    AgentName,
    ExportLine,
    LabelForm,
    PlaceName,
    Record,
    ReservedIdentifier,
    SubjectLabel,
    Title,
)
from collection.models.labels import machine_made_form_sql

from .factories import RecordFactory
from .test_vocabulary_name_data import empty_catalogue as empty_vocabularies
from .test_vocabulary_name_data import exported as exported_sheet
from .test_vocabulary_name_data import messages, names_as_the_admin_records_them, rows

pytestmark = pytest.mark.django_db


def exported(file_format: str = "csv") -> bytes:
    out = io.BytesIO()
    export_file(Record.objects.all(), out, file_format)
    return out.getvalue()


def imported(data: bytes, name: str = "sheet.csv", **options):
    table = read_table(data, name=name)
    return write_rows(table.records(), header=table.header, **options)


def sheet_cells(data: bytes) -> dict[str, dict[str, str]]:
    return {row["identifier"]: row for _number, row in read_csv(data)}


def title_flags() -> set[tuple[str, str, str, bool, str]]:
    """Each title: its record, language, text, whether it is machine-made, and the language of the title it
    was made from."""
    return {(t.record.identifier, t.language, t.text, t.machine_made, t.derived_from.language if t.derived_from
             else "") for t in Title.objects.select_related("record", "derived_from")}


def records_with_machine_made_forms() -> None:
    """Titles whose readings and romanizations the app derives, one of them checked by an archivist."""
    result = write_rows(rows(
        {"identifier": "doc-test-machine", "kind": "document", "title_ja": "テスト抑留記",
         "title_ru": "Тестовые записки", "title_en": "Test notes", "languages": "ja"},
        {"identifier": "doc-test-checked", "kind": "document", "title_ja": "試験文書",
         "title_ja-Hrkt": "シケン ブンショ"},
    ))
    assert result.ok, result.errors
    record = Record.objects.get(identifier="doc-test-machine")
    assert {t.language for t in record.titles.filter(machine_made=True)} == {"ja-Hrkt", "ja-Latn", "ru-Latn"}


def empty_catalogue() -> None:
    Record.objects.all().delete()
    ReservedIdentifier.objects.all().delete()


def test_an_export_lists_the_machine_made_readings_and_romanizations():
    records_with_machine_made_forms()
    cells = sheet_cells(exported())
    assert cells["doc-test-machine"]["machine_made"] == "title_ja-Hrkt|title_ja-Latn|title_ru-Latn"
    assert cells["doc-test-checked"]["machine_made"] == "title_ja-Latn"  # the reading is the archivist's
    assert record_columns().index("our_translations") + 1 == record_columns().index("machine_made")


def test_every_reading_of_the_machine_made_rule_agrees_with_the_labels_own():
    # Each form with the flag set and unset, in a tag with a title column and in one without.
    for form in LabelForm.values:
        for flag in (True, False):
            record = RecordFactory(identifier=f"test-{form}-{flag}".lower(), title=False, status="draft")
            for language in ("ja-Latn", "mn-Latn"):
                Title.objects.create(record=record, language=language, text="Tesuto", form=form, machine_made=flag)
    titles = list(Title.objects.all())
    for title in titles:
        assert title.is_machine_made == (title.machine_made and title.form in ("reading", "romanization"))
    expected = {record.identifier: as_text(tuple(sorted(f"title_{t.language}" for t in titles
                                                        if t.record_id == record.pk and t.is_machine_made)))
                for record in Record.objects.all()}

    quote = connection.ops.quote_name
    condition = machine_made_form_sql(quote("machine_made"), quote("form"), lambda value: f"'{value}'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {quote(Title._meta.db_table)} WHERE {condition}")
        assert {pk for (pk,) in cursor.fetchall()} == {t.pk for t in titles if t.is_machine_made}

    from_instances = {record.identifier: as_text(record_cells(record)["machine_made"])
                      for record in export_queryset(Record.objects.all())}
    at = record_columns().index("machine_made")
    from_query = {row[0]: row[at] for row in catalogue_rows(Record.objects.all())}
    ExportLine.objects.all().delete()  # the writer reads the tables, not ready rows
    from_writer = {identifier: as_text(stored.cells["machine_made"])
                   for identifier, stored in _load_stored(list(expected), {"machine_made"}).items()}
    assert from_instances == from_query == from_writer == expected
    assert expected["test-reading-true"] == "title_ja-Latn|title_mn-Latn"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_loaded_into_an_empty_catalogue_keeps_its_machine_made_forms(file_format):
    records_with_machine_made_forms()
    # A machine-made reading may keep a letter the dictionary left as it was, which an archivist's may not.
    record = Record.objects.get(identifier="doc-test-checked")
    Title.objects.filter(record=record, language="ja-Latn").delete()
    Title.objects.create(record=record, language="ja-Latn", text="GHQ no shiken", form="romanization",
                         machine_made=True, derived_from=record.titles.get(language="ja"))
    Title.objects.filter(record=record, language="ja-Hrkt").update(text="GHQ ノ シケン", machine_made=True,
                                                                   derived_from=record.titles.get(language="ja"))
    first, flags = exported(file_format), title_flags()
    empty_catalogue()

    result = imported(first, f"sheet.{file_format}")
    assert result.ok, result.errors
    assert title_flags() == flags
    assert exported(file_format) == first

    history = Title.history.count(), Record.history.count()
    again = imported(first, f"sheet.{file_format}")
    assert again.ok and sum(again.unchanged.values()) == 2, again.changes
    assert (Title.history.count(), Record.history.count()) == history


def test_texts_in_languages_without_a_column_keep_their_machine_made_forms(settings):
    settings.COLLECTION_LANGUAGES = ["ru", "en"]
    record = Record.objects.create(identifier="doc-test-other", kind="document")
    Title.objects.create(record=record, language="en", text="Test record")
    Title.objects.create(record=record, language="ja", text="テスト記録")
    derive_forms(record.titles.order_by("pk"), Title, {"record": record})
    first, flags = exported(), title_flags()
    row = sheet_cells(first)["doc-test-other"]
    assert row["machine_made"] == "title_ja-Hrkt|title_ja-Latn"
    assert row["other_titles"] == "ja-Hrkt:テスト キロク|ja-Latn:Tesuto kiroku|ja:テスト記録"
    empty_catalogue()

    assert imported(first).ok
    assert title_flags() == flags
    assert exported() == first


def test_machine_made_forms_loaded_from_a_sheet_follow_their_title_and_are_never_doubled():
    records_with_machine_made_forms()
    first = exported()
    empty_catalogue()
    assert imported(first).ok
    # What the admin's save and the import's task derive finds the forms there, as its own.
    update_missing_forms(refresh=True)
    record = Record.objects.get(identifier="doc-test-machine")
    assert sorted(record.titles.values_list("language", flat=True)) == ["en", "ja", "ja-Hrkt", "ja-Latn", "ru",
                                                                         "ru-Latn"]
    # A sheet without the column changing the title: its machine-made forms follow it.
    assert write_rows(rows({"identifier": "doc-test-machine", "title_ru": "Другие записки"})).ok
    romanized = record.titles.get(language="ru-Latn")
    assert (romanized.text, romanized.machine_made) == ("Drugie zapiski", True)


def test_an_english_citation_does_not_trust_a_machine_made_romanization_loaded_from_a_sheet():
    records_with_machine_made_forms()
    first = exported()
    empty_catalogue()
    assert imported(first).ok
    # The reading was the analyser's guess: the citation keeps the original rather than a romanization of it.
    assert csl_json(Record.objects.get(identifier="doc-test-machine"), "en")["title"] == "テスト抑留記"


def test_a_row_unticks_and_ticks_forms_and_the_preview_shows_it():
    records_with_machine_made_forms()
    row = {"identifier": "doc-test-machine", "machine_made": "title_ja-Latn|title_ru-Latn"}
    preview = write_rows(rows(row), dry_run=True)
    [change] = preview.changes
    assert change.fields == {"machine_made": ("title_ja-Hrkt|title_ja-Latn|title_ru-Latn",
                                              "title_ja-Latn|title_ru-Latn")}
    assert write_rows(rows(row)).ok
    record = Record.objects.get(identifier="doc-test-machine")
    reading = record.titles.get(language="ja-Hrkt")
    assert not reading.machine_made
    # Checked, the reading stays as it is when the title changes; the romanization still follows the title.
    romanized = record.titles.get(language="ru-Latn").text
    assert write_rows(rows({"identifier": "doc-test-machine", "title_ja": "別のテスト", "title_ru": "Другие записки",
                            "machine_made": "title_ja-Latn|title_ru-Latn"})).ok
    assert record.titles.get(language="ja-Hrkt").text == reading.text
    assert record.titles.get(language="ru-Latn").text != romanized

    # Listed again with its text as stored, it is machine-made again, made from the title.
    assert write_rows(rows({"identifier": "doc-test-machine", "title_ja-Hrkt": reading.text,
                            "machine_made": "title_ja-Hrkt|title_ja-Latn|title_ru-Latn"})).ok
    reading = record.titles.get(language="ja-Hrkt")
    assert reading.machine_made and reading.derived_from == record.titles.get(language="ja")

    # [clear] unticks them all; a blank cell keeps them as they are.
    assert write_rows(rows({"identifier": "doc-test-machine", "machine_made": "", "pages": "12"})).ok
    assert record.titles.filter(machine_made=True).count() == 3
    assert write_rows(rows({"identifier": "doc-test-machine", "machine_made": "[clear]"})).ok
    assert not record.titles.filter(machine_made=True).exists()


def test_a_sheet_without_the_column_imports_as_before():
    records_with_machine_made_forms()
    data = exported()
    older = write_csv([{column: text for column, text in row.items() if column != "machine_made"}
                       for _number, row in read_csv(data)], [c for c in record_columns() if c != "machine_made"])
    # Into the same catalogue, unchanged: the forms stay machine-made.
    assert sum(imported(older).unchanged.values()) == 2
    assert Title.objects.filter(machine_made=True).count() == 4
    # A changed text is the archivist's.
    assert write_rows(rows({"identifier": "doc-test-machine", "title_ru-Latn": "Testovye zapiski (ispr.)"})).ok
    assert not Title.objects.get(record__identifier="doc-test-machine", language="ru-Latn").machine_made
    # Into an empty catalogue, every form the sheet gives is the archivist's, as it always was.
    empty_catalogue()
    assert imported(older).ok
    assert not Title.objects.filter(machine_made=True).exists()


def test_what_a_machine_made_cell_cannot_list_is_refused_naming_the_row():
    records_with_machine_made_forms()
    before = title_flags()
    corrected = "Testovye zapiski (ispr.)"
    result = write_rows(rows(
        {"identifier": "doc-test-machine", "title_ru-Latn": corrected, "machine_made": "title_ru-Latn"},
        {"identifier": "doc-test-new", "kind": "memoir", "title_ja": "新しいテスト", "machine_made": "title_ja-Hrkt"},
        {"identifier": "doc-test-checked", "machine_made": "title_en|title_ja-Hrkt"},
        {"identifier": "doc-test-other", "kind": "memoir", "other_titles": "mn:Туршилт", "machine_made": "title_mn"},
    ))
    assert [str(error) for error in result.errors] == [
        "row 2, column machine_made: title_ru-Latn is listed as machine-made, but the row changes its text "
        "(“Testovye zapiski” → “Testovye zapiski (ispr.)”): a corrected text is the archivist's. Take "
        "title_ru-Latn out of machine_made, or give back the stored text.",
        "row 3, column machine_made: title_ja-Hrkt has no text in this row: only a reading or romanization the row "
        "has can be machine-made.",
        "row 4, column machine_made: “title_en” is not a reading or romanization column (title_ja-Hrkt, "
        "title_ja-Latn, title_ru-Latn), nor title_<tag> of a reading or romanization in other_titles.",
        "row 5, column machine_made: “title_mn” is not a reading or romanization column (title_ja-Hrkt, "
        "title_ja-Latn, title_ru-Latn), nor title_<tag> of a reading or romanization in other_titles.",
    ]
    assert title_flags() == before


# Vocabulary sheets ----------------------------------------------------------------------------------------


def name_flags() -> set[tuple[str, str, str, bool, str]]:
    """Each preferred name of each entry, as :func:`title_flags` gives each title (the forms of variants,
    which have no column, are derived again where the admin saves them)."""
    flags = set()
    for entry, model in (("place", PlaceName), ("subject", SubjectLabel), ("agent", AgentName)):
        for name in model.objects.filter(preferred=True).select_related(entry, "derived_from"):
            flags.add((getattr(name, entry).identifier, name.language, name.text, name.machine_made,
                       name.derived_from.language if name.derived_from else ""))
    return flags


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_vocabulary_sheet_loaded_into_an_empty_catalogue_keeps_its_machine_made_names(file_format):
    names_as_the_admin_records_them()
    sheets = {vocabulary: exported_sheet(vocabulary, file_format) for vocabulary in ("places", "subjects", "agents")}
    flags = name_flags()
    assert any(flag[3] for flag in flags)
    empty_vocabularies()

    for vocabulary, sheet in sheets.items():
        result = import_vocabulary(vocabulary, read_table(sheet, name=f"sheet.{file_format}"))
        assert result.ok, messages(result)
        assert exported_sheet(vocabulary, file_format) == sheet
    assert name_flags() == flags
    for vocabulary, sheet in sheets.items():
        result = import_vocabulary(vocabulary, read_table(sheet, name=f"sheet.{file_format}"))
        assert result.ok and sum(result.unchanged.values()) == len(result.changes), result.changes


def test_an_agents_sheet_lists_machine_made_names_and_a_citation_keeps_their_original():
    agent = Agent.objects.create(identifier="agent-test-yamada")
    AgentName.objects.create(agent=agent, language="ja", text="山田試験")
    derive_forms(agent.names.order_by("pk"), AgentName, {"agent": agent})
    record = Record.objects.create(identifier="doc-test-cited", kind="document")
    Title.objects.create(record=record, language="en", text="Test record")
    record.agent_links.create(agent=agent, role="author")
    cited = csl_json(record, "en")["author"]

    sheet = exported_sheet("agents")
    assert sheet_cells(sheet)["agent-test-yamada"]["machine_made"] == "name_ja-Hrkt|name_ja-Latn"
    record.agent_links.all().delete()
    Agent.objects.all().delete()
    assert import_vocabulary("agents", read_table(sheet, name="agents.csv")).ok
    record.agent_links.create(agent=Agent.objects.get(identifier="agent-test-yamada"), role="author")
    assert csl_json(Record.objects.get(pk=record.pk), "en")["author"] == cited == [{"literal": "山田試験"}]


def test_a_vocabulary_row_unticks_ticks_and_is_refused_as_a_record_row_is():
    names_as_the_admin_records_them()
    [row] = [cells for identifier, cells in sheet_cells(exported_sheet("places")).items()
             if identifier == "place-test-republic"]
    assert row["machine_made"] == "name_ru-Latn"
    romanized = row["name_ru-Latn"]
    preview = write_vocabulary("places", rows({"identifier": "place-test-republic", "machine_made": "[clear]"}),
                               dry_run=True)
    assert preview.changes[0].fields == {"machine_made": ("name_ru-Latn", "")}
    assert write_vocabulary("places", rows({"identifier": "place-test-republic", "machine_made": "[clear]"})).ok
    name = PlaceName.objects.get(place__identifier="place-test-republic", language="ru-Latn", preferred=True)
    assert not name.machine_made
    assert write_vocabulary("places", rows({"identifier": "place-test-republic",
                                            "machine_made": "name_ru-Latn"})).ok
    name.refresh_from_db()
    assert name.machine_made and name.derived_from.language == "ru"

    result = write_vocabulary("places", rows(
        {"identifier": "place-test-republic", "name_ru-Latn": romanized + " (ispr.)", "machine_made": "name_ru-Latn"},
        {"identifier": "place-test-union", "machine_made": "name_en|name_ja-Hrkt"},
        {"identifier": "place-test-new", "kind": "city", "name_en": "Test City", "machine_made": "name_ja-Latn"},
        {"identifier": "place-test-form", "kind": "city", "name_en": "Test Town", "name_ja-Latn": "Tesuto",
         "name_forms": "ja-Latn:transcription", "machine_made": "name_ja-Latn"},
    ))
    assert messages(result) == [
        f"row 2, column machine_made: name_ru-Latn is listed as machine-made, but the row changes its text "
        f"(“{romanized}” → “{romanized} (ispr.)”): a corrected text is the archivist's. Take name_ru-Latn out of "
        f"machine_made, or give back the stored text.",
        "row 3, column machine_made: “name_en” is not a reading or romanization column (name_ja-Hrkt, "
        "name_ja-Latn, name_ru-Latn), nor name_<tag> of a reading or romanization in other_names.",
        "row 4, column machine_made: name_ja-Latn has no text in this row: only a reading or romanization the row "
        "has can be machine-made.",
        "row 5, column machine_made: name_ja-Latn is a name of the form “transcription” (name_forms): only a "
        "reading or romanization can be machine-made.",
    ]


def test_name_parts_given_for_a_machine_made_name_are_refused_while_it_is_listed():
    agent = Agent.objects.create(identifier="agent-test-sato")
    AgentName.objects.create(agent=agent, language="ja", text="佐藤試験")
    derive_forms(agent.names.order_by("pk"), AgentName, {"agent": agent})
    romanized = agent.names.get(language="ja-Latn").text
    family, given = romanized.split(" ", 1)
    parts = f"ja-Latn:{family}, {given}"
    result = write_vocabulary("agents", rows({"identifier": "agent-test-sato", "name_parts": parts,
                                              "machine_made": "name_ja-Hrkt|name_ja-Latn"}))
    assert messages(result) == [
        "row 2, column machine_made: name_ja-Latn is listed as machine-made, but the row gives its name parts, "
        "which make it the archivist's. Take name_ja-Latn out of machine_made."]
    # Without the column, the parts make it checked, as before; the preview says so.
    preview = write_vocabulary("agents", rows({"identifier": "agent-test-sato", "name_parts": parts}), dry_run=True)
    assert preview.changes[0].fields["machine_made"] == ("name_ja-Hrkt|name_ja-Latn", "name_ja-Hrkt")
    assert write_vocabulary("agents", rows({"identifier": "agent-test-sato", "name_parts": parts})).ok
    assert not agent.names.get(language="ja-Latn").machine_made


def test_a_form_the_app_never_derives_is_taken_by_a_vocabulary_sheet_as_by_a_record_sheet():
    # Nothing derives a romanization of Mongolian: listed machine-made, it is stored flagged with no source,
    # by either sheet, so that a catalogue holding one exports and loads again whichever sheet carries it.
    record = write_rows(rows({"identifier": "doc-test-mongolian", "kind": "document", "title_en": "Test",
                              "other_titles": "mn-Latn:Turshilt", "machine_made": "title_mn-Latn"}))
    place = write_vocabulary("places", rows({"identifier": "place-test-mongolian", "kind": "city", "name_en": "Test",
                                             "other_names": "mn-Latn:Turshilt", "machine_made": "name_mn-Latn"}))
    assert record.ok and place.ok, (record.errors, messages(place))
    title = Title.objects.get(record__identifier="doc-test-mongolian", language="mn-Latn")
    name = PlaceName.objects.get(place__identifier="place-test-mongolian", language="mn-Latn")
    assert (title.machine_made, title.derived_from) == (name.machine_made, name.derived_from) == (True, None)


# A listed form against the text the machine makes ------------------------------------------------------------


def mismatched_rows():
    """A Japanese title with a checked reading and a Russian title, each with a romanization listed as
    machine-made that is not the one the machine makes."""
    return rows(
        {"identifier": "doc-test-hepburn", "kind": "document", "title_ja": "試験文書",
         "title_ja-Hrkt": "シケン ブンショ",
         "title_ja-Latn": "Shiken monjo", "machine_made": "title_ja-Latn"},
        {"identifier": "doc-test-ala", "kind": "document", "title_ru": "Тестовые записки",
         "title_ru-Latn": "Testovye zapisi", "machine_made": "title_ru-Latn"},
        {"identifier": "doc-test-latin", "kind": "document", "title_ru": "Test", "title_ru-Latn": "Test",
         "machine_made": "title_ru-Latn"},
    )


def test_a_listed_romanization_the_machine_would_not_make_is_refused_at_the_first_import():
    result = write_rows(mismatched_rows())
    assert [str(error) for error in result.errors] == [
        "row 2, column machine_made: title_ja-Latn is listed as machine-made, but the machine makes “Shiken bunsho” "
        "from title_ja-Hrkt, “シケン ブンショ”: give that text, or take title_ja-Latn out of machine_made.",
        "row 3, column machine_made: title_ru-Latn is listed as machine-made, but the machine makes “Testovye "
        "zapiski” from title_ru, “Тестовые записки”: give that text, or take title_ru-Latn out of machine_made.",
        "row 4, column machine_made: title_ru-Latn is listed as machine-made, but the machine makes none from "
        "title_ru, “Test”: take title_ru-Latn out of machine_made.",
    ]
    assert not Record.objects.exists() and not Title.objects.exists()


def test_a_romanization_ticked_against_a_stored_checked_reading_is_read_against_it():
    records_with_machine_made_forms()  # doc-test-checked: the reading シケン ブンショ is the archivist's
    assert write_rows(rows({"identifier": "doc-test-checked", "title_ja-Latn": "Shiken monjo",
                            "machine_made": "[clear]"})).ok
    before = title_flags()
    # The row gives the stored romanization, not the reading: the stored one is read.
    result = write_rows(rows({"identifier": "doc-test-checked", "title_ja-Latn": "Shiken monjo",
                              "machine_made": "title_ja-Latn"}))
    assert [str(error) for error in result.errors] == [
        "row 2, column machine_made: title_ja-Latn is listed as machine-made, but the machine makes “Shiken bunsho” "
        "from title_ja-Hrkt, “シケン ブンショ”: give that text, or take title_ja-Latn out of machine_made."]
    assert title_flags() == before
    assert write_rows(rows({"identifier": "doc-test-checked", "title_ja-Latn": "Shiken bunsho",
                            "machine_made": "title_ja-Latn"})).ok
    assert Title.objects.get(record__identifier="doc-test-checked", language="ja-Latn").machine_made


def test_a_listed_form_whose_text_the_row_does_not_give_follows_its_title():
    records_with_machine_made_forms()
    # Ticked without its text, the form is the machine's to make: the task after the import makes it.
    assert write_rows(rows({"identifier": "doc-test-checked", "title_ja-Latn": "Shiken monjo",
                            "machine_made": "[clear]"})).ok
    partial = rows({"identifier": "doc-test-checked", "machine_made": "title_ja-Latn"})
    assert write_rows(partial).ok
    update_missing_forms(records=["doc-test-checked"])
    romanized = Title.objects.get(record__identifier="doc-test-checked", language="ja-Latn")
    assert (romanized.text, romanized.machine_made) == ("Shiken bunsho", True)
    again = write_rows(partial)
    assert again.ok and sum(again.unchanged.values()) == 1, again.changes


def test_listed_romanizations_the_machine_makes_are_taken_and_the_sheet_imports_again_unchanged():
    given = rows(
        {"identifier": "doc-test-hepburn", "kind": "document", "title_ja": "試験文書",
         "title_ja-Hrkt": "シケン ブンショ",
         "title_ja-Latn": "Shiken bunsho", "machine_made": "title_ja-Latn"},
        {"identifier": "doc-test-ala", "kind": "document", "title_ru": "Тестовые записки",
         "title_ru-Latn": "Testovye zapiski", "machine_made": "title_ru-Latn"},
    )
    sheet = write_csv([cells for _number, cells in given], record_columns())
    result = imported(sheet)
    assert result.ok, result.errors
    # What the task after an import does changes nothing of it.
    assert update_missing_forms(records=["doc-test-hepburn", "doc-test-ala"]) == 0
    flags = title_flags()
    assert {flag for flag in flags if flag[1].endswith("-Latn")} == {
        ("doc-test-hepburn", "ja-Latn", "Shiken bunsho", True, "ja"),
        ("doc-test-ala", "ru-Latn", "Testovye zapiski", True, "ru")}
    again = imported(sheet)
    assert again.ok and sum(again.unchanged.values()) == 2, again.changes
    assert title_flags() == flags


def test_a_row_may_give_the_machines_text_for_a_stale_machine_made_form():
    records_with_machine_made_forms()
    record = Record.objects.get(identifier="doc-test-checked")
    record.titles.filter(language="ja-Latn").update(text="Shiken monjo")  # made before the reading was checked
    assert write_rows(rows({"identifier": "doc-test-checked", "title_ja-Latn": "Shiken bunsho",
                            "machine_made": "title_ja-Latn"})).ok
    romanized = record.titles.get(language="ja-Latn")
    assert (romanized.text, romanized.machine_made) == ("Shiken bunsho", True)


def test_a_sheet_exported_after_the_task_imports_again_unchanged():
    records_with_machine_made_forms()
    assert write_rows(rows({"identifier": "doc-test-checked", "title_ja-Hrkt": "シケン モンジョ"})).ok
    update_missing_forms(records=["doc-test-checked"])
    assert Title.objects.get(record__identifier="doc-test-checked", language="ja-Latn").text == "Shiken monjo"
    sheet, flags = exported(), title_flags()
    again = imported(sheet)
    assert again.ok and sum(again.unchanged.values()) == 2, again.changes
    empty_catalogue()
    assert imported(sheet).ok
    assert title_flags() == flags
    assert update_missing_forms(records=["doc-test-checked", "doc-test-machine"]) == 0
    assert exported() == sheet


def test_a_vocabulary_row_listing_a_romanization_the_machine_would_not_make_is_refused():
    given = rows(
        {"identifier": "place-test-town", "kind": "city", "name_ru": "Тестовый город", "name_ru-Latn": "Testovyi gorod",
         "machine_made": "name_ru-Latn"},
        {"identifier": "place-test-village", "kind": "city", "name_ja": "試験村", "name_ja-Hrkt": "シケン ムラ",
         "name_ja-Latn": "Shiken mura", "machine_made": "name_ja-Latn"},
    )
    assert messages(write_vocabulary("places", given)) == [
        "row 2, column machine_made: name_ru-Latn is listed as machine-made, but the machine makes “Testovyĭ gorod” "
        "from name_ru, “Тестовый город”: give that text, or take name_ru-Latn out of machine_made.",
        # A place's name is romanized with every word capitalized.
        "row 3, column machine_made: name_ja-Latn is listed as machine-made, but the machine makes “Shiken Mura” "
        "from name_ja-Hrkt, “シケン ムラ”: give that text, or take name_ja-Latn out of machine_made.",
    ]
    assert not PlaceName.objects.exists()
    given[0][1]["name_ru-Latn"], given[1][1]["name_ja-Latn"] = "Testovyĭ gorod", "Shiken Mura"
    result = write_vocabulary("places", given)
    assert result.ok, messages(result)
