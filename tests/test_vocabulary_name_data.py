"""What the admin records of a vocabulary entry's names travels in its sheet: ``name_forms``, ``name_sources``
and, for places, ``name_periods``, so that a sheet moved to another catalogue loses none of it."""

import io

import pytest
from django.core.management import call_command

from collection.catalogue.csv_io import read_csv
from collection.catalogue.files import read_table
from collection.catalogue.format import NAME_DATA_COLUMNS
from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.vocabulary_files import export_vocabulary_file, import_vocabulary
from collection.derivation import derive_forms
from collection.models import Agent, AgentName, LabelForm, Place, PlaceName, Subject, SubjectLabel

pytestmark = pytest.mark.django_db


def rows(*cells):
    return [(number, row) for number, row in enumerate(cells, start=2)]


def exported(vocabulary, file_format="csv"):
    out = io.BytesIO()
    export_vocabulary_file(vocabulary, out, file_format)
    return out.getvalue()


def sheet_rows(vocabulary):
    """The exported sheet's rows by identifier."""
    return {row["identifier"]: row for _number, row in read_csv(exported(vocabulary))}


def messages(result):
    return [f"row {error.row}, column {error.column}: {error.message}" for error in result.errors]


def empty_catalogue():
    """As another catalogue, which has none of the entries."""
    while Place.objects.exists():
        Place.objects.filter(children__isnull=True).delete()
    Subject.objects.all().delete()
    Agent.objects.all().delete()
    assert not PlaceName.objects.exists() and not SubjectLabel.objects.exists() and not AgentName.objects.exists()


def names_as_the_admin_records_them():
    """Entries whose names carry a period, a source and a form, as an archivist sets them in the admin."""
    union = Place.objects.create(identifier="place-test-union", kind="country")
    PlaceName.objects.create(place=union, language="en", text="Test Union", source="Test atlas: p. 1")
    republic = Place.objects.create(identifier="place-test-republic", kind="republic", parent=union)
    PlaceName.objects.create(place=republic, language="en", text="Test-Mongol ASSR", valid_from=1923,
                             valid_to=1958, source="our reading of a test decree")
    PlaceName.objects.create(place=republic, language="ru", text="Тест-Монгольская АССР", valid_from=1923,
                             valid_to=1958)
    PlaceName.objects.create(place=republic, language="ru", text="Тестовая АССР", preferred=False, valid_from=1958)
    PlaceName.objects.create(place=republic, language="en", text="Test: old | name", preferred=False,
                             valid_to=1923, source="Test gazetteer, 1922", form=LabelForm.TRANSLATION)
    PlaceName.objects.create(place=republic, language="ja", text="テスト", preferred=False, valid_from=1930,
                             valid_to=1930, form=LabelForm.TRANSCRIPTION)
    subject = Subject.objects.create(identifier="subject-test-labour")
    SubjectLabel.objects.create(subject=subject, language="en", text="Test labour", source="NDLSH 00000000")
    SubjectLabel.objects.create(subject=subject, language="ja", text="テスト労働", form=LabelForm.TRANSLATION,
                                our_translation=True)
    SubjectLabel.objects.create(subject=subject, language="en", text="Test work", preferred=False,
                                source="LCSH sh00000000")
    agent = Agent.objects.create(identifier="agent-test-sato")
    AgentName.objects.create(agent=agent, language="ja", text="佐藤テスト", source="Test list, no. 5")
    AgentName.objects.create(agent=agent, language="ru", text="Сато Тесто", form=LabelForm.TRANSCRIPTION,
                             family="Сато", given="Тесто", source="Test card: Сато")
    AgentName.objects.create(agent=agent, language="en", text="Sato Testo", form=LabelForm.TRANSLATION)
    # The readings and romanizations the admin derives on saving.
    for entry, model, owner, related in ((union, PlaceName, "place", "names"), (republic, PlaceName, "place", "names"),
                                         (subject, SubjectLabel, "subject", "labels"),
                                         (agent, AgentName, "agent", "names")):
        derive_forms(getattr(entry, related).order_by("pk"), model, {owner: entry})


class TestExport:
    def test_each_name_says_its_period_source_and_form(self):
        names_as_the_admin_records_them()
        places = sheet_rows("places")
        republic = places["place-test-republic"]
        # The period the archivist set on the English name of the republic, and every other name's.
        assert republic["name_periods"] == (
            "en:1923/1958|en:Test: old \\| name:../1923|ja:テスト:1930|ru:1923/1958|ru:Тестовая АССР:1958/..")
        assert republic["name_sources"] == (
            "en:Test: old \\| name:Test gazetteer, 1922|en:our reading of a test decree")
        assert republic["name_forms"] == "en:Test: old \\| name:translation|ja:テスト:transcription"
        assert places["place-test-union"]["name_sources"] == "en:Test atlas: p. 1"
        assert places["place-test-union"]["name_periods"] == places["place-test-union"]["name_forms"] == ""

        subject = sheet_rows("subjects")["subject-test-labour"]
        # Our translation is a translation anyway: only a form the columns do not imply is written.
        assert (subject["name_forms"], subject["our_translations"]) == ("", "name_ja")
        assert subject["name_sources"] == "en:NDLSH 00000000|en:Test work:LCSH sh00000000"

        agent = sheet_rows("agents")["agent-test-sato"]
        assert agent["name_forms"] == "en:translation|ru:transcription"
        assert agent["name_sources"] == "ja:Test list, no. 5|ru:Test card: Сато"
        assert "name_periods" not in agent

    def test_the_seed_writes_none_of_them(self):
        call_command("load_seed", stdout=io.StringIO())
        for vocabulary, columns in NAME_DATA_COLUMNS.items():
            sheet = list(sheet_rows(vocabulary).values())
            assert sheet
            assert {row[column] for row in sheet for column in columns} == {""}


class TestRoundTrip:
    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_a_sheet_loaded_into_an_empty_catalogue_exports_the_same_bytes(self, vocabulary, file_format):
        names_as_the_admin_records_them()
        first = exported(vocabulary, file_format)
        empty_catalogue()

        result = import_vocabulary(vocabulary, read_table(first, name=f"sheet.{file_format}"))
        assert result.ok, messages(result)
        assert exported(vocabulary, file_format) == first

    def test_the_names_loaded_hold_what_the_admin_set(self):
        names_as_the_admin_records_them()
        sheet = exported("places")
        empty_catalogue()
        assert import_vocabulary("places", read_table(sheet, name="places.csv")).ok
        english = PlaceName.objects.get(place__identifier="place-test-republic", language="en", preferred=True)
        assert (english.valid_from, english.valid_to, english.source) == (1923, 1958, "our reading of a test decree")
        old = PlaceName.objects.get(place__identifier="place-test-republic", preferred=False, language="en")
        assert (old.text, old.valid_from, old.valid_to, old.form, old.source) == (
            "Test: old | name", None, 1923, LabelForm.TRANSLATION, "Test gazetteer, 1922")

    def test_reimporting_the_export_changes_nothing(self):
        names_as_the_admin_records_them()
        for vocabulary in ("places", "subjects", "agents"):
            before = PlaceName.history.count(), SubjectLabel.history.count(), AgentName.history.count()
            result = import_vocabulary(vocabulary, read_table(exported(vocabulary), name="sheet.csv"))
            assert result.ok and not result.created[vocabulary] and not result.updated[vocabulary]
            assert (PlaceName.history.count(), SubjectLabel.history.count(), AgentName.history.count()) == before


class TestImport:
    def test_cells_set_each_name_and_spellings_are_made_canonical(self):
        result = write_vocabulary("places", rows({
            "identifier": "place-test-1", "kind": "city", "name_en": "Test City", "name_ru": "Тестовск",
            "variant_names": "ru:Старый Тестовск", "name_periods": "EN:1923/..|ru:Старый Тестовск:1900/1923",
            "name_sources": "ru:Старый Тестовск:Test map: sheet 2|en:Test book", "name_forms": "en:original"}))
        assert result.ok, messages(result)
        names = {(x.language, x.text): x for x in PlaceName.objects.filter(place__identifier="place-test-1")}
        english, old = names["en", "Test City"], names["ru", "Старый Тестовск"]
        assert (english.valid_from, english.valid_to, english.source, english.form) == (
            1923, None, "Test book", LabelForm.ORIGINAL)
        assert (old.valid_from, old.valid_to, old.source, old.preferred) == (1900, 1923, "Test map: sheet 2", False)
        row = sheet_rows("places")["place-test-1"]
        assert row["name_periods"] == "en:1923/..|ru:Старый Тестовск:1900/1923"
        assert row["name_forms"] == ""

    def test_a_blank_cell_keeps_and_clear_clears(self):
        names_as_the_admin_records_them()
        keep = write_vocabulary("places", rows({"identifier": "place-test-republic", "gupvi_camp_number": "7"}))
        assert keep.ok and keep.updated["places"] == 1
        english = PlaceName.objects.get(place__identifier="place-test-republic", language="en", preferred=True)
        assert (english.valid_from, english.valid_to, english.source) == (1923, 1958, "our reading of a test decree")

        cleared = write_vocabulary("places", rows({"identifier": "place-test-republic", "name_periods": "[clear]",
                                                   "name_sources": "[clear]", "name_forms": "[clear]"}))
        assert cleared.ok, messages(cleared)
        names = PlaceName.objects.filter(place__identifier="place-test-republic", machine_made=False)
        assert {(x.valid_from, x.valid_to, x.source) for x in names} == {(None, None, "")}
        assert {x.form for x in names} == {LabelForm.ORIGINAL}

    def test_a_name_the_row_removes_takes_what_was_said_of_it(self):
        names_as_the_admin_records_them()
        result = write_vocabulary("places", rows({"identifier": "place-test-republic", "variant_names": "[clear]"}))
        assert result.ok, messages(result)
        row = sheet_rows("places")["place-test-republic"]
        assert row["name_periods"] == "en:1923/1958|ru:1923/1958"
        assert row["name_sources"] == "en:our reading of a test decree" and row["name_forms"] == ""

    def test_a_form_set_in_the_admin_survives_a_row_changing_the_name(self):
        names_as_the_admin_records_them()
        result = write_vocabulary("agents", rows({"identifier": "agent-test-sato", "name_ru": "Сато Тесто-сан"}))
        assert result.ok, messages(result)
        russian = AgentName.objects.get(agent__identifier="agent-test-sato", language="ru")
        assert (russian.text, russian.form, russian.source) == (
            "Сато Тесто-сан", LabelForm.TRANSCRIPTION, "Test card: Сато")

    def test_problems_name_row_and_column_and_nothing_is_written(self):
        names_as_the_admin_records_them()
        before = PlaceName.history.count()
        result = write_vocabulary("places", rows(
            {"identifier": "place-test-republic", "name_periods": "en:1923-05/1958"},
            {"identifier": "place-test-2", "kind": "city", "name_en": "Test", "name_periods": "en:1958/1923"},
            {"identifier": "place-test-3", "kind": "city", "name_en": "Test", "name_periods": "en:Test~"},
            {"identifier": "place-test-4", "kind": "city", "name_en": "Test", "name_periods": "xx:1923"},
            {"identifier": "place-test-5", "kind": "city", "name_en": "Test", "name_sources": "ru:Test book"},
            {"identifier": "place-test-6", "kind": "city", "name_en": "Test", "name_forms": "en:Other:translation"},
            {"identifier": "place-test-7", "kind": "city", "name_en": "Test", "name_forms": "en:loan"},
            {"identifier": "place-test-8", "kind": "city", "name_en": "Test", "name_sources": "en:a|en:b"},
            {"identifier": "place-test-9", "kind": "city", "name_en": "Test", "name_sources": "Test book"},
            {"identifier": "place-test-10", "kind": "city", "name_en": "Test", "name_forms": "en:reading"},
            {"identifier": "place-test-11", "kind": "city", "name_en": "Test", "name_sources": "en:" + "x" * 300},
            {"identifier": "place-test-12", "kind": "city", "name_en": "Test", "our_translations": "name_en",
             "name_forms": "en:original"},
        ))
        assert messages(result) == [
            "row 2, column name_periods: “1923-05/1958” is not a period in years: write 1923/1958, 1923/.. or "
            "../1958 (a name's period is stored as its first and last year).",
            "row 3, column name_periods: “1958/1923” ends before it starts.",
            *(f"row 4, column name_periods: {message}" for message in messages_of_edtf("Test~")),
            "row 5, column name_periods: “xx” is neither the language of a name column of this sheet (ja, ja-Hrkt, "
            "ja-Latn, ru, ru-Latn, en) nor a variant name of this row.",
            "row 6, column name_sources: There is no name in name_ru for “ru:Test book”.",
            "row 7, column name_forms: “en:Other” is not a variant name of this row.",
            "row 8, column name_forms: “loan” is not a form of a name: write one of original, translation, "
            "reading, romanization, transcription.",
            "row 9, column name_sources: “en” is given twice.",
            "row 10, column name_sources: “Test book” names no name: write the language of a name column or a "
            "variant name, a colon, then the value, e.g. en:NDLSH 00567534.",
            "row 11, column name_forms: A reading is tagged with a kana script, for example ja-Hrkt.",
            "row 12, column name_sources: Ensure this value has at most 255 characters (it has 300).",
            "row 13, column name_forms: Only a translation can be marked as ours.",
        ]
        assert PlaceName.history.count() == before
        assert not Place.objects.filter(identifier__in=["place-test-2", "place-test-3"]).exists()
        english = PlaceName.objects.get(place__identifier="place-test-republic", language="en", preferred=True)
        assert (english.valid_from, english.valid_to) == (1923, 1958)


def messages_of_edtf(value):
    from django.core.exceptions import ValidationError

    from collection.validators import validate_edtf

    try:
        validate_edtf(value)
    except ValidationError as exc:
        return exc.messages
    return []
