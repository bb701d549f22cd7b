import unicodedata

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.catalogue.vocabulary import export_vocabulary, write_vocabulary
from collection.catalogue.writer import RowError, write_rows
from collection.models import Agent, AgentName, LabelForm, Place, Record, RecordAgent, Status, Subject, Title
from collection.reasons import describe

from .catalogue_rows import errors_of, memoir, numbered
from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestCreateAndUpdate:
    def test_creates_records_with_titles_vocabulary_and_agents(self):
        place = PlaceFactory(identifier="place-test", name="Test town")
        subject = SubjectFactory(identifier="subject-test", label="Test subject")
        author = AgentFactory(identifier="agent-test", name="Test Author")
        result = write_rows(numbered(memoir(
            places="Test town", subjects="subject-test", authors="agent-test|Test Author Two",
            isbn="978-0-00-000001-9", date="1950~", languages="ja|en", title_ja="テスト")))
        assert result.ok, result.errors
        record = Record.objects.get(identifier="mem-test-1")
        assert list(record.places.all()) == [place]
        assert list(record.subjects.all()) == [subject]
        assert record.agents_in_role("author")[0] == author
        assert str(record.agents_in_role("author")[1]) == "Test Author Two"
        assert record.isbn13 == "9780000000019" and record.year_start == 1950
        assert result.created["memoir"] == 1
        assert [c.action for c in result.changes] == ["new"]
        assert [a.name for a in result.new_agents] == ["Test Author Two"]
        assert record.reservation.identifier == "mem-test-1"

    def test_second_run_changes_nothing(self):
        PlaceFactory(identifier="place-test", name="Test town")
        rows = numbered(memoir(places="Test town", authors="Test Author", title_ru="Тест"),
                        memoir("mem-test-2", variant_titles="en:Other | en:Another"))
        assert write_rows(rows).ok
        history = Record.history.count(), Title.history.count()
        second = write_rows(rows)
        assert second.ok
        assert [c.action for c in second.changes] == ["unchanged", "unchanged"]
        assert second.unchanged["memoir"] == 2 and not second.created and not second.updated
        assert not second.new_agents
        assert (Record.history.count(), Title.history.count()) == history
        assert Agent.objects.count() == 1

    def test_unordered_values_compare_as_sets(self):
        write_rows(numbered(memoir(variant_titles="en:Zeta")))
        write_rows(numbered(memoir(variant_titles="en:Zeta|en:Alpha", description_en="Test",
                                   our_translations="title_en|description_en")))
        again = write_rows(numbered(memoir(variant_titles="en:Alpha|en:Zeta", description_en="Test",
                                           our_translations="description_en|title_en")))
        assert [c.action for c in again.changes] == ["unchanged"]

    def test_update_reports_old_and_new_values(self):
        write_rows(numbered(memoir(pages="1-10")))
        result = write_rows(numbered(memoir(pages="1-12")))
        change = result.changes[0]
        assert change.action == "updated"
        assert change.fields == {"pages": ("1-10", "1-12")}
        record = Record.objects.get(identifier="mem-test-1")
        assert record.pages == "1-12" and record.version == 2

    def test_blank_cell_keeps_the_value_and_clear_removes_it(self):
        write_rows(numbered(memoir(pages="1-10", title_ru="Тест", places="")))
        write_rows(numbered({"identifier": "mem-test-1", "pages": "", "title_ru": ""}))
        record = Record.objects.get(identifier="mem-test-1")
        assert record.pages == "1-10" and record.display_title("ru") == "Тест"
        write_rows(numbered({"identifier": "mem-test-1", "pages": "[clear]", "title_ru": "[clear]"}))
        record = Record.objects.get(identifier="mem-test-1")
        assert record.pages == ""
        assert not record.titles.filter(language__startswith="ru").exists()

    def test_text_is_stored_nfc(self):
        decomposed = unicodedata.normalize("NFD", "ガ test é")
        write_rows(numbered(memoir(title_en=decomposed, container_title=decomposed)))
        record = Record.objects.get()
        assert record.container_title == unicodedata.normalize("NFC", decomposed)
        assert record.titles.get(language="en").text == unicodedata.normalize("NFC", decomposed)

    def test_parent_in_the_same_file(self):
        result = write_rows(numbered(
            {"identifier": "doc-vol", "kind": "document", "title_en": "Test volume", "parent": "doc-series",
             "sequence": "2"},
            {"identifier": "doc-series", "kind": "document", "title_en": "Test series", "level": "series"},
        ))
        assert result.ok, result.errors
        assert Record.objects.get(identifier="doc-vol").parent.identifier == "doc-series"

    def test_parent_cycle_is_refused(self):
        write_rows(numbered(memoir("mem-a"), memoir("mem-b", parent="mem-a")))
        result = write_rows(numbered({"identifier": "mem-a", "parent": "mem-b"}))
        assert errors_of(result) == [(2, "parent")]

    def test_dry_run_reports_but_writes_nothing(self):
        result = write_rows(numbered(memoir(authors="Test Author")), dry_run=True)
        assert result.ok and result.created["memoir"] == 1 and result.new_agents
        assert not Record.objects.exists() and not Agent.objects.exists()


class TestReadings:
    def test_given_readings_are_stored_as_the_archivists(self):
        write_rows(numbered(memoir(**{"title_ja": "抑留記", "title_ja-Hrkt": "ヨクリュウキ",
                                      "title_ja-Latn": "Yokuryūki"})))
        titles = {t.language: t for t in Title.objects.all()}
        assert titles["ja-Hrkt"].form == LabelForm.READING and not titles["ja-Hrkt"].machine_made
        assert titles["ja-Latn"].text == "Yokuryūki" and not titles["ja-Latn"].machine_made

    def test_missing_romanization_is_derived_and_flagged(self):
        write_rows(numbered(memoir(title_ru="Тестовый", languages="ru")))
        derived = Title.objects.get(language="ru-Latn")
        assert derived.machine_made and derived.text.lower().startswith("testov")
        assert Title.objects.get(language="ru").form == LabelForm.ORIGINAL
        assert Title.objects.get(language="en").form == LabelForm.TRANSLATION

    def test_changed_title_updates_its_machine_made_romanization(self):
        write_rows(numbered(memoir(title_ru="Тестовый")))
        write_rows(numbered({"identifier": "mem-test-1", "title_ru": "Другой"}))
        assert Title.objects.get(language="ru-Latn").text.lower().startswith("drug")

    def test_our_translation_is_marked(self):
        write_rows(numbered(memoir(title_ru="Тест", languages="ru", our_translations="title_en")))
        english = Title.objects.get(language="en")
        assert english.our_translation and english.form == LabelForm.TRANSLATION

    def test_new_agent_gets_a_derived_romanization(self):
        result = write_rows(numbered(memoir(authors="Тестов Иван")))
        agent = Agent.objects.get(identifier=result.new_agents[0].identifier)
        names = {n.language: n for n in agent.names.all()}
        assert names["ru"].text == "Тестов Иван"
        assert names["ru-Latn"].machine_made and names["ru-Latn"].text.startswith("Testov")


class TestAmbiguity:
    def test_a_name_of_several_places_lists_them(self):
        PlaceFactory(identifier="place-one", name="Test Station")
        PlaceFactory(identifier="place-two", name="test  station")
        result = write_rows(numbered(memoir(places="Test Station")))
        assert errors_of(result) == [(2, "places")]
        message = str(result.errors[0])
        assert "place-one" in message and "place-two" in message
        assert write_rows(numbered(memoir(places="place-two"))).ok

    def test_a_name_of_several_agents_lists_them(self):
        AgentFactory(identifier="agent-x", name="Test Name")
        AgentFactory(identifier="agent-y", name="Test Name")
        result = write_rows(numbered(memoir(authors="Test Name")))
        assert "agent-x" in str(result.errors[0]) and "agent-y" in str(result.errors[0])
        assert Agent.objects.count() == 2

    def test_a_name_in_any_language_finds_the_entry(self):
        place = PlaceFactory(identifier="place-k", name="Test City")
        place.names.create(language="ru", text="Тестоград")
        write_rows(numbered(memoir(places="тестоград")))
        assert list(Record.objects.get().places.all()) == [place]


class TestAllOrNothing:
    @pytest.mark.parametrize(("cells", "column", "fragment"), [
        ({"colour": "red"}, "colour", "Unknown column"),
        ({"kind": "poem"}, "kind", "Unknown kind"),
        ({"status": "secret"}, "status", "Unknown status"),
        ({"isbn": "978-0-00-000001-0"}, "isbn", "not a valid ISBN"),
        ({"isbn": "9.78E+12"}, "isbn", "turned into a number"),
        ({"isbn": 9780000000019.0}, "isbn", "turned into a number"),
        ({"date": "1945-02-30"}, "date", "not a day of the calendar"),
        ({"accessed": "2020-02-30"}, "accessed", "not a date"),
        ({"url": "javascript:alert(1)"}, "url", ""),
        ({"pages": "12\x0034"}, "pages", "NUL"),
        ({"title_en": "x" * 1001}, "title_en", "1000"),
        ({"title_en": "", "kind": "memoir"}, "title_en", "at least one title"),  # a column the file has
        ({"places": "Nowhere in particular"}, "places", "not one of the places"),
        ({"subjects": "Nothing in particular"}, "subjects", "not one of the subjects"),
        ({"parent": "doc-missing"}, "parent", "doc-missing"),
        ({"sequence": "first"}, "sequence", ""),
        ({"languages": "not a tag!"}, "languages", "BCP 47"),
        ({"variant_titles": "no colon"}, "variant_titles", "language:title"),
        ({"described_agent": "Test Org"}, "described_agent", ""),
    ])
    def test_one_bad_row_writes_nothing(self, cells, column, fragment):
        result = write_rows(numbered(memoir("mem-good"), memoir("mem-bad", **cells)))
        assert not result.ok
        wanted_row = 1 if column == "colour" else 3
        assert (wanted_row, column) in errors_of(result), result.errors
        assert fragment in " ".join(str(e) for e in result.errors)
        assert not Record.objects.exists() and not Agent.objects.exists()

    def test_missing_identifier_and_duplicates(self):
        result = write_rows(numbered(memoir("mem-1"), memoir(""), memoir("mem-1")))
        assert errors_of(result) == [(3, "identifier"), (4, "identifier")]
        assert "row 2" in str(result.errors[1])
        assert not Record.objects.exists()

    def test_every_error_is_reported_row_column_problem(self):
        result = write_rows(numbered(memoir(isbn="bad"), memoir("mem-2", date="nonsense")))
        assert [str(e).split(":")[0] for e in result.errors] == ["row 2, column isbn", "row 3, column date"]
        assert str(RowError(7, "url", "bad")) == "row 7, column url: bad"

    def test_reserved_identifier_cannot_be_reused(self):
        RecordFactory(identifier="mem-gone").delete()
        result = write_rows(numbered(memoir("mem-gone")))
        assert errors_of(result) == [(2, "identifier")]

    def test_association_needs_the_organisation_it_describes(self):
        result = write_rows(numbered({"identifier": "assoc-1", "kind": "association", "title_en": "Test assoc"}))
        assert errors_of(result) == [(2, "described_agent")]
        result = write_rows(numbered({"identifier": "assoc-1", "kind": "association", "title_en": "Test assoc",
                                      "described_agent": "Test Association Org"}))
        assert result.ok
        assert Record.objects.get().described_agent.kind == "organisation"


    def test_an_organisation_is_described_by_one_association_only(self):
        def association(identifier):
            return {"identifier": identifier, "kind": "association", "title_en": "Test assoc",
                    "described_agent": "Test Association Org"}

        result = write_rows(numbered(association("assoc-1"), association("assoc-2")))
        assert errors_of(result) == [(3, "described_agent")]
        assert write_rows(numbered(association("assoc-1"))).ok
        result = write_rows(numbered(association("assoc-2")))
        assert "assoc-1" in str(result.errors[0])


class TestWorkflowAndHistory:
    def test_history_has_user_reason_and_places(self):
        user = UserFactory(is_superuser=True)
        PlaceFactory(identifier="place-test")
        write_rows(numbered(memoir(places="place-test")), user=user, source="test: file.csv")
        entry = Record.objects.get().history.get()
        assert entry.history_user == user and entry.history_change_reason == "test: file.csv"
        assert [row.place.identifier for row in entry.places.all()] == ["place-test"]
        assert Title.history.filter(history_change_reason="test: file.csv").exists()

    def test_update_adds_a_history_entry(self):
        write_rows(numbered(memoir()))
        write_rows(numbered(memoir(pages="5")), source="second")
        assert [describe(reason) for reason in Record.objects.get().history.values_list(
            "history_change_reason", flat=True)] == ["second", "catalogue import"]

    def test_reordered_and_removed_agents(self):
        user = UserFactory(is_superuser=True)
        write_rows(numbered(memoir(authors="Test A|Test B|Test C", variant_titles="en:Test variant")))
        kept = {link.agent.display_name(): link.pk for link in Record.objects.get().agent_links.all()}
        write_rows(numbered(memoir(authors="Test C|Test A", variant_titles="[clear]")), user=user, source="fix")
        record = Record.objects.get()
        assert [str(a) for a in record.agents_in_role("author")] == ["Test C", "Test A"]
        assert {link.agent.display_name(): link.pk for link in record.agent_links.all()} == {
            "Test C": kept["Test C"], "Test A": kept["Test A"]}
        removed = RecordAgent.history.get(history_type="-")
        assert (removed.history_user, removed.history_change_reason) == (user, "fix")
        assert Title.history.get(history_type="-").history_change_reason == "fix"
        assert not record.titles.filter(preferred=False).exists()

    def test_user_without_publish_permission_cannot_publish(self):
        user = UserFactory()
        user.user_permissions.add(*Permission.objects.filter(codename__in=["add_record", "change_record",
                                                                           "submit_record"]))
        result = write_rows(numbered(memoir(status="published")), user=user)
        assert errors_of(result) == [(2, "status")]
        assert write_rows(numbered(memoir(status="review")), user=user).ok
        result = write_rows(numbered(memoir(status="published")), user=user)
        assert errors_of(result) == [(2, "status")]
        assert Record.objects.get().status == Status.REVIEW

    def test_workflow_refuses_impossible_transitions_even_on_the_command_line(self):
        write_rows(numbered(memoir(status="published")))
        result = write_rows(numbered(memoir(status="review")))
        assert errors_of(result) == [(2, "status")]

    def test_user_without_change_permission_cannot_update(self):
        write_rows(numbered(memoir()))
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(codename="add_record"))
        result = write_rows(numbered(memoir(pages="9")), user=user)
        assert errors_of(result) == [(2, "identifier")]


def test_no_query_per_row():
    PlaceFactory(identifier="place-test")
    AgentFactory(identifier="agent-test")

    def run(prefix, count):
        rows = numbered(*(memoir(f"{prefix}-{i}", places="place-test", authors="agent-test",
                                 description_en="Test description") for i in range(count)))
        with CaptureQueriesContext(connection) as queries:
            assert write_rows(rows).ok
        return [q["sql"] for q in queries.captured_queries]

    small, large = run("mem-small", 5), run("mem-large", 200)
    # Lookups are loaded once per file, whatever its length.
    assert sum(sql.startswith("SELECT") for sql in large) == sum(sql.startswith("SELECT") for sql in small)
    # Inserts split only where the database limits the values in one statement (SQLite: 999 per
    # statement on older builds), so 40 times the rows costs a handful of extra batches, not 195 queries.
    assert len(large) <= len(small) + 30, (len(small), len(large))


class TestVocabularySheets:
    def test_places_with_parents_named_in_the_same_sheet(self):
        result = write_vocabulary("places", numbered(
            {"identifier": "place-test-station", "kind": "railway_station", "parent": "Test Krai",
             "name_en": "Test Station"},
            {"identifier": "place-test-krai", "kind": "krai", "name_en": "Test Krai", "name_ru": "Тестовый край",
             "variant_names": "en:Test Province"},
        ))
        assert result.ok, result.errors
        station = Place.objects.get(identifier="place-test-station")
        assert [p.identifier for p in station.ancestors()] == ["place-test-krai"]
        krai = Place.objects.get(identifier="place-test-krai")
        assert krai.names.get(language="ru-Latn").machine_made
        again = write_vocabulary("places", numbered(
            {"identifier": "place-test-station", "kind": "railway_station", "parent": "place-test-krai",
             "name_en": "Test Station"},
        ))
        assert [c.action for c in again.changes] == ["unchanged"]

    def test_vocabulary_errors_name_row_and_column_and_write_nothing(self):
        result = write_vocabulary("places", numbered(
            {"identifier": "place-ok", "kind": "city", "name_en": "Test City"},
            {"identifier": "place-bad", "kind": "planet", "name_en": "Test Planet"},
            {"identifier": "place-nameless", "kind": "city"},
        ))
        assert errors_of(result) == [(3, "kind"), (4, "name_ja")]
        assert not Place.objects.exists()

    def test_a_place_cannot_contain_itself(self):
        write_vocabulary("places", numbered({"identifier": "place-a", "kind": "krai", "name_en": "Test A"},
                                            {"identifier": "place-b", "kind": "city", "name_en": "Test B",
                                             "parent": "place-a"}))
        result = write_vocabulary("places", numbered({"identifier": "place-a", "parent": "place-b"}))
        assert errors_of(result) == [(2, "parent")]

    def test_a_parent_named_by_the_new_name_this_sheet_gives_it(self):
        PlaceFactory(identifier="place-test-region", kind="oblast", name="Test Old Region")
        result = write_vocabulary("places", numbered(
            {"identifier": "place-test-region", "kind": "oblast", "name_en": "Test Renamed Region"},
            {"identifier": "place-test-camp", "kind": "camp", "parent": "Test Renamed Region",
             "name_en": "Test Camp"},
        ))
        assert result.ok, result.errors
        assert Place.objects.get(identifier="place-test-camp").parent.identifier == "place-test-region"

    def test_a_new_name_this_sheet_gives_an_entry_can_make_a_parent_ambiguous(self):
        PlaceFactory(identifier="place-test-region", kind="oblast", name="Test Old Region")
        PlaceFactory(identifier="place-test-other", kind="oblast", name="Test Other Region")
        result = write_vocabulary("places", numbered(
            {"identifier": "place-test-region", "kind": "oblast", "name_en": "Test Other Region"},
            {"identifier": "place-test-camp", "kind": "camp", "parent": "Test Other Region", "name_en": "Test Camp"},
        ))
        assert errors_of(result) == [(3, "parent")]
        assert "place-test-other" in result.errors[0].message and "place-test-region" in result.errors[0].message

    def test_agents_and_subjects(self):
        assert write_vocabulary("agents", numbered(
            {"identifier": "agent-test-org", "kind": "organisation", "name_en": "Test Org", "date": "1946/.."},
            {"identifier": "agent-test-person", "name_ja": "試験太郎", "our_translations": "name_ja"},
        )).ok
        assert Agent.objects.get(identifier="agent-test-person").kind == "person"
        assert AgentName.objects.get(language="ja").our_translation
        assert write_vocabulary("subjects", numbered(
            {"identifier": "subject-narrow", "broader": "subject-broad", "name_en": "Test narrow"},
            {"identifier": "subject-broad", "name_en": "Test broad"},
        )).ok
        assert Subject.objects.get(identifier="subject-narrow").broader.identifier == "subject-broad"

    def test_coordinates_compare_as_stored(self):
        rows = numbered({"identifier": "place-c", "kind": "city", "name_en": "Test C", "latitude": "56.2",
                         "longitude": "95.7"})
        assert write_vocabulary("places", rows).ok
        assert [c.action for c in write_vocabulary("places", rows).changes] == ["unchanged"]
        bad = write_vocabulary("places", numbered({"identifier": "place-d", "kind": "city", "name_en": "Test D",
                                                   "latitude": "north"}))
        assert errors_of(bad) == [(2, "latitude")]

    def test_unknown_column(self):
        result = write_vocabulary("subjects", numbered({"identifier": "subject-x", "name_en": "X", "kind": "y"}))
        assert errors_of(result) == [(1, "kind")]


class TestAgentNameParts:
    """``name_parts`` gives the family and given names of an agent's preferred names."""

    def person(self, **cells):
        return {"identifier": "agent-test-person", "name_en": "Anna Testova", **cells}

    def parts(self, identifier="agent-test-person"):
        return sorted((x.language, x.family, x.given)
                      for x in AgentName.objects.filter(agent__identifier=identifier).exclude(family=""))

    def test_parts_are_stored_on_the_name_of_their_language(self):
        editor = UserFactory(username="test-editor", is_superuser=True)
        result = write_vocabulary("agents", numbered(self.person(
            name_ru="Тестова А. И.", name_parts="en:Testova, Anna|ru:Тестова, А. И.")), user=editor)
        assert result.ok, result.errors
        assert self.parts() == [("en", "Testova", "Anna"), ("ru", "Тестова", "А. И.")]
        # Saved through the name's own save: its history holds the parts and who imported them.
        name = AgentName.objects.get(language="en")
        assert [(h.family, h.given, h.history_user) for h in name.history.all()] == [("Testova", "Anna", editor)]

    def test_a_person_known_by_one_name_has_no_given_name(self):
        assert write_vocabulary("agents", numbered(self.person(name_en="Testius", name_parts="en:Testius,"))).ok
        assert self.parts() == [("en", "Testius", "")]

    def test_tags_and_spacing_are_written_as_the_name_columns_write_them(self):
        rows = numbered(self.person(name_ru="Тестова А. И.", name_parts="RU:Тестова ,А. И.| en:Testova,Anna"))
        result = write_vocabulary("agents", rows)
        assert result.changes[0].fields["name_parts"] == ("", "en:Testova, Anna|ru:Тестова, А. И.")
        assert [c.action for c in write_vocabulary("agents", rows).changes] == ["unchanged"]

    @pytest.mark.parametrize(("cell", "message"), [
        ("Testova, Anna", "“Testova, Anna” has no language: write name parts as language:Family, Given, "
                          "e.g. en:Applebaum, Anne."),
        ("en:Testova Anna", "“en:Testova Anna” has no comma between the family and the given name: write "
                            "language:Family, Given, e.g. en:Applebaum, Anne (or en:Plato, for a person known by "
                            "one name)."),
        ("en:, Anna", "“en:, Anna” has no family name: write language:Family, Given, e.g. en:Applebaum, Anne."),
        ("de:Testova, Anna", "There is no name in de in other_names to give the parts of."),
        ("d_e:Testova, Anna", "“d_e” is not the language of a name column of this sheet (ja, ja-Hrkt, ja-Latn, "
                              "ru, ru-Latn, en)."),
        ("en:Testova, Anna|EN:Testova, A.", "The name parts of name_en are given twice."),
        ("ru:Тестова, Анна", "There is no name in name_ru to give the parts of."),
        ("en:Testowa, Anna", "The family name “Testowa” does not occur in name_en, “Anna Testova”: check both for "
                             "a typo."),
        ("en:Testova, Ana", "The given name “Ana” does not occur in name_en, “Anna Testova”: check both for a "
                            "typo."),
        ("en:testova, Anna", "The family name “testova” does not occur in name_en, “Anna Testova”: check both for "
                             "a typo."),
    ])
    def test_refusals_name_row_and_column_and_write_nothing(self, cell, message):
        result = write_vocabulary("agents", numbered(
            {"identifier": "agent-test-other", "name_en": "Test Other"}, self.person(name_parts=cell)))
        assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "name_parts", message)]
        assert not Agent.objects.exists()

    def test_a_name_the_sheet_leaves_blank_is_the_stored_one(self):
        assert write_vocabulary("agents", numbered(self.person(name_ru="Тестова А. И."))).ok
        result = write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "name_parts": "ru:Тестова, А. И."}))
        assert result.ok, result.errors
        assert self.parts() == [("ru", "Тестова", "А. И.")]
        cleared = write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "name_ru": "[clear]", "name_parts": "ru:Тестова, А. И."}))
        assert [(e.row, e.column) for e in cleared.errors] == [(2, "name_parts")]
        assert cleared.errors[0].message == "There is no name in name_ru to give the parts of."

    def test_organisations_have_no_name_parts(self):
        result = write_vocabulary("agents", numbered(
            {"identifier": "agent-test-org", "kind": "organisation", "name_en": "Test Society",
             "name_parts": "en:Test, Society"}))
        assert [(e.row, e.column, e.message) for e in result.errors] == [
            (2, "name_parts", "An organisation's names have no family and given name: give name parts for "
                              "persons only.")]
        assert write_vocabulary("agents", numbered(self.person(name_parts="en:Testova, Anna"))).ok
        turned = write_vocabulary("agents", numbered({"identifier": "agent-test-person", "kind": "organisation"}))
        assert [(e.row, e.column, e.message) for e in turned.errors] == [
            (2, "name_parts", "An organisation's names have no family and given name: write [clear] in name_parts "
                              "to remove the stored ones (en:Testova, Anna).")]
        assert write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "kind": "organisation", "name_parts": "[clear]"})).ok
        assert self.parts() == []

    def test_blank_keeps_the_parts_and_clear_removes_them_all(self):
        assert write_vocabulary("agents", numbered(self.person(
            name_ru="Тестова А. И.", name_parts="en:Testova, Anna|ru:Тестова, А. И."))).ok
        kept = write_vocabulary("agents", numbered({"identifier": "agent-test-person", "date": "1950/.."}))
        assert kept.ok and kept.changes[0].fields == {"date": ("", "1950/..")}
        assert len(self.parts()) == 2
        assert write_vocabulary("agents", numbered({"identifier": "agent-test-person", "name_parts": "[clear]"})).ok
        assert self.parts() == []
        assert AgentName.objects.filter(language="en", text="Anna Testova").exists()

    def test_a_renamed_name_needs_parts_that_fit_it(self):
        assert write_vocabulary("agents", numbered(self.person(name_parts="en:Testova, Anna"))).ok
        renamed = write_vocabulary("agents", numbered({"identifier": "agent-test-person", "name_en": "A. Testova"}))
        assert [(e.row, e.column, e.message) for e in renamed.errors] == [
            (2, "name_parts", "name_en is now “A. Testova”, which does not contain the stored name parts "
                              "“en:Testova, Anna”: give its parts in name_parts, or write [clear] there.")]
        assert self.parts() == [("en", "Testova", "Anna")]
        # A new text that still holds the parts keeps them; new parts may come with the new text.
        assert write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "name_en": "Anna I. Testova"})).ok
        assert self.parts() == [("en", "Testova", "Anna")]
        assert write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "name_en": "A. Testova", "name_parts": "en:Testova, A."})).ok
        assert self.parts() == [("en", "Testova", "A.")]
        assert AgentName.objects.get(language="en").history.count() == 3  # made, renamed, renamed and split

    def test_a_cleared_name_takes_its_parts_with_it(self):
        assert write_vocabulary("agents", numbered(self.person(
            name_ru="Тестова А. И.", name_parts="en:Testova, Anna|ru:Тестова, А. И."))).ok
        result = write_vocabulary("agents", numbered({"identifier": "agent-test-person", "name_ru": "[clear]"}))
        assert result.ok, result.errors
        assert result.changes[0].fields["name_parts"] == ("en:Testova, Anna|ru:Тестова, А. И.", "en:Testova, Anna")
        assert self.parts() == [("en", "Testova", "Anna")]

    def test_export_then_import_changes_nothing(self):
        assert write_vocabulary("agents", numbered(
            self.person(name_ru="Тестова А. И.", name_parts="ru:Тестова, А. И.|en:Testova, Anna"),
            {"identifier": "agent-test-one-name", "name_en": "Testius", "name_parts": "en:Testius,"},
            {"identifier": "agent-test-org", "kind": "organisation", "name_en": "Test Society"},
        )).ok
        exported = list(export_vocabulary("agents"))
        assert [row["name_parts"] for row in exported] == ["en:Testius,", "", "en:Testova, Anna|ru:Тестова, А. И."]
        again = write_vocabulary("agents", numbered(*exported))
        assert again.ok, again.errors
        assert [c.action for c in again.changes] == ["unchanged"] * 3

    def test_parts_typed_in_the_admin_go_back_and_forth_unchanged(self):
        # Stored before the sheet checked parts against names: an export of them still imports unchanged.
        agent = AgentFactory(identifier="agent-test-admin", name="Anna Testova")
        AgentName.objects.filter(agent=agent).update(family="Тестова", given="Anna")
        exported = list(export_vocabulary("agents"))
        assert exported[0]["name_parts"] == "en:Тестова, Anna"
        assert [c.action for c in write_vocabulary("agents", numbered(*exported)).changes] == ["unchanged"]

    def test_splitting_a_machine_made_name_checks_it(self):
        assert write_vocabulary("agents", numbered(self.person(name_ru="Тестова Анна"))).ok
        romanized = AgentName.objects.get(language="ru-Latn")
        assert romanized.machine_made
        result = write_vocabulary("agents", numbered(
            {"identifier": "agent-test-person", "name_parts": f"ru-Latn:{romanized.text.split()[0]},"}))
        assert result.ok, result.errors
        romanized.refresh_from_db()
        assert romanized.family and not romanized.machine_made


class TestLostUpdates:
    def test_an_import_refuses_records_changed_after_it_planned(self, monkeypatch):
        from collection.catalogue import writer

        assert write_rows(numbered(memoir(), memoir("mem-test-2"))).ok
        editor = UserFactory(username="test-editor", first_name="Testeditor")
        plan = writer._Planner.plan

        def plan_then_someone_saves(self, rows):
            plans = plan(self, rows)
            record = Record.objects.get(identifier="mem-test-2")
            record.extent = "1 p."
            record._history_user = editor
            record.save()
            return plans

        monkeypatch.setattr(writer._Planner, "plan", plan_then_someone_saves)
        result = write_rows(numbered(memoir(extent="5 p."), memoir("mem-test-2", extent="7 p.")))
        assert errors_of(result) == [(3, "identifier")]
        # A message shown with its first letter capitalized must not begin with the identifier ("Mem-test-2").
        assert result.errors[0].message.startswith("Record mem-test-2 was changed by Testeditor at ")
        assert set(Record.objects.values_list("extent", flat=True)) == {"", "1 p."}

    def test_an_import_bumps_the_version_so_a_form_opened_before_it_is_refused(self):
        from collection.concurrency import StaleRecord

        assert write_rows(numbered(memoir(), memoir("mem-test-2"))).ok
        opened = {r.identifier: r for r in Record.objects.all()}
        versions = {r.identifier: r.version for r in opened.values()}
        assert write_rows(numbered(memoir(extent="5 p."), memoir("mem-test-2", extent="7 p."))).ok
        assert {r.identifier: r.version for r in Record.objects.all()} == {
            k: v + 1 for k, v in versions.items()}
        stale = opened["mem-test-2"]
        stale.extent = "9 p."
        with pytest.raises(StaleRecord):
            stale.save()
        assert Record.objects.get(identifier="mem-test-2").extent == "7 p."
