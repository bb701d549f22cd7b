"""A place's, subject's or agent's preferred names in language tags without a name column of their own (``mn``, or a
language removed from COLLECTION_LANGUAGES) travel in ``other_names``, with what is said of each of them, so that a
sheet moved to another catalogue loses none of them. The names and texts here are invented for the tests."""


import pytest
from django.test import override_settings

from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.files import read_table
from collection.catalogue.format import vocabulary_columns
from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.vocabulary_files import import_vocabulary
from collection.derivation import derive_forms
from collection.models import Agent, AgentName, LabelForm, Place, PlaceName, Subject, SubjectLabel
from tests.test_vocabulary_name_data import empty_catalogue, exported, messages, rows, sheet_rows

pytestmark = pytest.mark.django_db

LABELS = {"places": PlaceName, "subjects": SubjectLabel, "agents": AgentName}


def names(model, **owner):
    return {(x.language, x.text): (x.preferred, x.form, x.our_translation, x.source) for x in
            model.objects.filter(**owner)}


def mongolian_names():
    """Entries with a Mongolian name beside their English one, each with what the admin records of it."""
    place = Place.objects.create(identifier="place-test-mn", kind="city")
    PlaceName.objects.create(place=place, language="en", text="Test Town")
    PlaceName.objects.create(place=place, language="mn", text="Туршилтын хот", valid_from=1924, valid_to=1961,
                             source="Test atlas: p. 3", form=LabelForm.TRANSCRIPTION)
    PlaceName.objects.create(place=place, language="mn", text="Хуучин хот", preferred=False)
    subject = Subject.objects.create(identifier="subject-test-mn")
    SubjectLabel.objects.create(subject=subject, language="en", text="Test labour")
    SubjectLabel.objects.create(subject=subject, language="mn", text="Туршилтын | хөдөлмөр",
                                form=LabelForm.TRANSLATION, our_translation=True)
    agent = Agent.objects.create(identifier="agent-test-mn")
    AgentName.objects.create(agent=agent, language="en", text="Testbaatar Dorj")
    AgentName.objects.create(agent=agent, language="mn", text="Дорж Туршилтбаатар", family="Дорж",
                             given="Туршилтбаатар", source="Test list, no. 9")
    return place, subject, agent


class TestExport:
    def test_the_column_follows_the_names_and_holds_them_with_what_is_said_of_them(self):
        mongolian_names()
        assert vocabulary_columns("places")[3:11] == [
            "name_ja", "name_ja-Hrkt", "name_ja-Latn", "name_ru", "name_ru-Latn", "name_en", "other_names",
            "variant_names"]
        place = sheet_rows("places")["place-test-mn"]
        assert (place["other_names"], place["variant_names"]) == ("mn:Туршилтын хот", "mn:Хуучин хот")
        assert (place["name_periods"], place["name_sources"], place["name_forms"]) == (
            "mn:1924/1961", "mn:Test atlas: p. 3", "mn:transcription")
        subject = sheet_rows("subjects")["subject-test-mn"]
        # Escaped as variant_names is; our translation is named as a column would be.
        assert (subject["other_names"], subject["our_translations"]) == ("mn:Туршилтын \\| хөдөлмөр", "name_mn")
        agent = sheet_rows("agents")["agent-test-mn"]
        assert (agent["other_names"], agent["name_parts"], agent["name_sources"]) == (
            "mn:Дорж Туршилтбаатар", "mn:Дорж, Туршилтбаатар", "mn:Test list, no. 9")

    def test_an_entry_without_such_names_has_the_column_empty(self):
        Place.objects.create(identifier="place-test-en", kind="city").names.create(language="en", text="Test")
        assert sheet_rows("places")["place-test-en"]["other_names"] == ""


class TestRoundTrip:
    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_a_sheet_loaded_into_an_empty_catalogue_exports_the_same_bytes(self, vocabulary, file_format):
        mongolian_names()
        first = exported(vocabulary, file_format)
        stored = names(LABELS[vocabulary])
        empty_catalogue()

        result = import_vocabulary(vocabulary, read_table(first, name=f"sheet.{file_format}"))
        assert result.ok, messages(result)
        assert result.created[vocabulary] == 1
        assert names(LABELS[vocabulary]) == stored
        assert exported(vocabulary, file_format) == first

    def test_the_names_loaded_are_the_ones_stored(self):
        mongolian_names()
        sheets = {vocabulary: exported(vocabulary) for vocabulary in LABELS}
        before = {vocabulary: names(model) for vocabulary, model in LABELS.items()}
        empty_catalogue()
        for vocabulary, sheet in sheets.items():
            assert import_vocabulary(vocabulary, read_table(sheet, name="sheet.csv")).ok
        assert {vocabulary: names(model) for vocabulary, model in LABELS.items()} == before
        mongolian = PlaceName.objects.get(language="mn", preferred=True)
        assert (mongolian.valid_from, mongolian.valid_to) == (1924, 1961)
        assert AgentName.objects.filter(language="mn", family="Дорж", given="Туршилтбаатар").exists()

    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_reimporting_the_export_reports_it_unchanged_and_writes_nothing(self, vocabulary):
        mongolian_names()
        model = LABELS[vocabulary]
        before = model.history.count(), model.objects.count()
        result = import_vocabulary(vocabulary, read_table(exported(vocabulary), name="sheet.csv"))
        assert result.ok, messages(result)
        assert (result.created[vocabulary], result.updated[vocabulary], result.unchanged[vocabulary]) == (0, 0, 1)
        assert (model.history.count(), model.objects.count()) == before

    @override_settings(COLLECTION_LANGUAGES=["ja", "en"])
    def test_names_in_a_language_no_longer_configured_travel_with_their_romanizations(self):
        place = Place.objects.create(identifier="place-test-ru", kind="city")
        place.names.create(language="en", text="Testovo")
        place.names.create(language="ru", text="Тестово", source="Test map")
        derive_forms(place.names.order_by("pk"), PlaceName, {"place": place})
        assert PlaceName.objects.filter(language="ru-Latn", machine_made=True).exists()
        first = exported("places")
        row = sheet_rows("places")["place-test-ru"]
        assert (row["other_names"], row["name_sources"]) == ("ru-Latn:Testovo|ru:Тестово", "ru:Test map")
        assert import_vocabulary("places", read_table(first, name="sheet.csv")).unchanged["places"] == 1

        empty_catalogue()
        assert import_vocabulary("places", read_table(first, name="sheet.csv")).ok
        assert exported("places") == first
        # Not derived again: the romanization is the one the sheet gives, and there is one.
        assert list(PlaceName.objects.filter(language="ru-Latn").values_list("text", "form")) == [
            ("Testovo", LabelForm.ROMANIZATION)]


class TestImport:
    def test_a_row_sets_the_names_and_their_data_keyed_by_tag(self):
        result = write_vocabulary("agents", rows({
            "identifier": "agent-test-1", "name_en": "Test Person", "other_names": "MN:Туршилт Хүн|de:Testperson",
            "our_translations": "name_de", "name_parts": "mn:Туршилт, Хүн", "name_sources": "mn:Test list: 4",
            "name_forms": "mn:transcription"}))
        assert result.ok, messages(result)
        stored = names(AgentName, agent__identifier="agent-test-1")
        assert stored[("MN", "Туршилт Хүн")] == (True, LabelForm.TRANSCRIPTION, False, "Test list: 4")
        assert stored[("de", "Testperson")] == (True, LabelForm.TRANSLATION, True, "")
        row = sheet_rows("agents")["agent-test-1"]
        # The per-name cells spell the tag as other_names does.
        assert (row["name_parts"], row["name_sources"], row["name_forms"]) == (
            "MN:Туршилт, Хүн", "MN:Test list: 4", "MN:transcription")

    def test_a_name_other_names_gives_is_not_derived_from(self):
        result = write_vocabulary("places", rows({
            "identifier": "place-test-1", "kind": "city", "name_en": "Test", "other_names": "ru-Cyrl:Тестово"}))
        assert result.ok, messages(result)
        assert set(PlaceName.objects.values_list("language", flat=True)) == {"en", "ru-Cyrl"}

    def test_a_blank_cell_keeps_a_left_out_tag_goes_and_clear_clears(self):
        place, _subject, _agent = mongolian_names()
        keep = write_vocabulary("places", rows({"identifier": place.identifier, "name_en": "Test Town 2"}))
        assert keep.ok, messages(keep)
        assert ("mn", "Туршилтын хот") in names(PlaceName, place=place)

        replace = write_vocabulary("places", rows({"identifier": place.identifier, "other_names": "de:Teststadt"}))
        assert replace.ok, messages(replace)
        stored = names(PlaceName, place=place)
        assert ("mn", "Туршилтын хот") not in stored and ("de", "Teststadt") in stored
        assert sheet_rows("places")["place-test-mn"]["name_sources"] == ""  # the removed name took its source

        cleared = write_vocabulary("places", rows({"identifier": place.identifier, "other_names": "[clear]"}))
        assert cleared.ok, messages(cleared)
        assert {language for language, _text in names(PlaceName, place=place)} == {"en", "mn"}  # mn: the variant
        assert not PlaceName.objects.filter(place=place, language="mn", preferred=True).exists()

    def test_a_changed_name_keeps_its_data_and_is_updated_in_place(self):
        place, _subject, _agent = mongolian_names()
        before = PlaceName.objects.get(place=place, language="mn", preferred=True)
        result = write_vocabulary("places", rows({"identifier": place.identifier, "other_names": "mn:Шинэ хот"}))
        assert result.ok, messages(result)
        assert result.changes[0].fields == {"other_names": ("mn:Туршилтын хот", "mn:Шинэ хот")}
        after = PlaceName.objects.get(place=place, language="mn", preferred=True)
        assert (after.pk, after.text, after.source, after.valid_from) == (before.pk, "Шинэ хот", "Test atlas: p. 3",
                                                                          1924)

    def test_problems_name_row_and_column_and_nothing_is_written(self):
        place, _subject, _agent = mongolian_names()
        before = PlaceName.history.count()
        result = write_vocabulary("places", rows(
            {"identifier": place.identifier, "other_names": "ja:テスト"},
            {"identifier": "place-test-2", "kind": "city", "name_en": "Test", "other_names": "mn:Нэг|MN:Хоёр"},
            {"identifier": "place-test-3", "kind": "city", "name_en": "Test", "other_names": "Туршилт"},
            {"identifier": "place-test-4", "kind": "city", "name_en": "Test", "other_names": "en-Latn:Test",
             "our_translations": "name_en-Latn"},
            {"identifier": "place-test-5", "kind": "city", "name_en": "Test", "name_sources": "mn:Test book"},
            {"identifier": "place-test-6", "kind": "city", "name_en": "Test", "other_names": "RU:Тест"},
        ))
        assert messages(result) == [
            "row 2, column other_names: “ja” has its own column: write this name in name_ja.",
            "row 3, column other_names: Two names tagged MN (“Нэг” and “Хоёр”): an entry has one preferred name per "
            "language; give the other in variant_names.",
            "row 4, column other_names: Write each value as language:text, e.g. mn:Text.",
            "row 5, column other_names: Only a translation can be marked as ours.",
            "row 6, column name_sources: “mn” is neither the language of a name column of this sheet (ja, ja-Hrkt, "
            "ja-Latn, ru, ru-Latn, en) nor a variant name of this row.",
            "row 7, column other_names: “RU” has its own column: write this name in name_ru.",
        ]
        assert PlaceName.history.count() == before
        assert not Place.objects.filter(identifier__startswith="place-test-").exclude(pk=place.pk).exists()

    def test_name_parts_need_the_name(self):
        result = write_vocabulary("agents", rows({
            "identifier": "agent-test-1", "name_en": "Test Person", "name_parts": "mn:Туршилт, Хүн"}))
        assert messages(result) == [
            "row 2, column name_parts: There is no name in mn in other_names to give the parts of."]

    def test_a_second_preferred_name_stored_in_the_tag_is_named_in_other_names(self):
        place, _subject, _agent = mongolian_names()
        PlaceName.objects.create(place=place, language="mn", text="Өөр хот")
        unchanged = import_vocabulary("places", read_table(exported("places"), name="sheet.csv"))
        assert unchanged.ok and unchanged.unchanged["places"] == 1
        result = write_vocabulary("places", rows({"identifier": place.identifier, "name_en": "Test Town 2"}))
        assert messages(result) == [
            "row 2, column identifier: The entry has two preferred names tagged mn (“Туршилтын хот” and “Өөр хот”), "
            "and the sheet shows one name per language: untick “preferred” on one of them in the admin (it then "
            "stays as a variant name), then import the row again."]
        result = write_vocabulary("places", rows({"identifier": place.identifier, "name_en": "Test Town 2",
                                                  "other_names": "mn:Туршилтын хот"}))
        assert messages(result)[0].startswith("row 2, column other_names: The entry has two preferred names tagged mn")


class TestOldSheets:
    """A sheet exported before other_names existed keeps those names, and what is said of them, as they are."""

    def old_sheet(self, vocabulary, **cells):
        columns = [column for column in vocabulary_columns(vocabulary) if column != "other_names"]
        row = dict.fromkeys(columns, "") | cells
        return read_table(write_csv([row], columns), name="old.csv")

    def test_typed_per_name_cells_leave_the_names_without_a_column_alone(self):
        _place, _subject, agent = mongolian_names()
        SubjectLabel.objects.create(subject=Subject.objects.get(), language="en", text="Test work", preferred=False)
        subjects = self.old_sheet("subjects", identifier="subject-test-mn", name_en="Test labour 2",
                                  our_translations="name_en", name_sources="en:Test source")
        result = import_vocabulary("subjects", subjects)
        assert result.ok, messages(result)
        assert names(SubjectLabel)[("mn", "Туршилтын | хөдөлмөр")] == (True, LabelForm.TRANSLATION, True, "")
        assert names(SubjectLabel)[("en", "Test labour 2")] == (True, LabelForm.TRANSLATION, True, "Test source")

        agents = self.old_sheet("agents", identifier=agent.identifier, name_en="Testbaatar Dorj",
                                name_parts="en:Dorj, Testbaatar", name_sources="en:Test card")
        assert import_vocabulary("agents", agents).ok
        mongolian = AgentName.objects.get(agent=agent, language="mn")
        assert (mongolian.family, mongolian.given, mongolian.source) == ("Дорж", "Туршилтбаатар", "Test list, no. 9")

    def test_an_old_export_imports_back_unchanged(self):
        mongolian_names()
        for vocabulary, model in LABELS.items():
            sheet = {row["identifier"]: row for _number, row in read_csv(exported(vocabulary))}
            (row,) = sheet.values()
            row.pop("other_names")
            before = model.history.count()
            result = import_vocabulary(vocabulary, self.old_sheet(vocabulary, **row))
            assert result.ok and result.unchanged[vocabulary] == 1, messages(result)
            assert model.history.count() == before
