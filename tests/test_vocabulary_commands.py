"""A places, subjects or agents sheet imported and exported on its own: ``--vocabulary`` of the two commands."""

import io
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.format import vocabulary_columns
from collection.models import Agent, AgentName, Place, PlaceName, Record, Subject, SubjectLabel
from collection.reasons import describe
from collection.romanization import japanese_reading, readings_available, romanize_russian

from .catalogue_rows import write_file
from .factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = {"places": (Place, PlaceName), "subjects": (Subject, SubjectLabel), "agents": (Agent, AgentName)}

# Values a spreadsheet or the sheet's own syntax could mangle: Japanese and Cyrillic, bars and backslashes in
# names (literal in a name column, escaped in a multi-valued one), text a spreadsheet would run as a formula,
# text already starting with a quote, names given by their parts.
AWKWARD = {
    "places": [
        {"identifier": "place-test-country", "kind": "country", "name_ru": "СССР", "name_en": "=USSR | Soviet"},
        {"identifier": "place-test-city", "kind": "city", "parent": "СССР", "name_ja": "ハバロフスク",
         "name_ru": "Хабаровск", "name_en": "Khabarovsk \\ Test", "latitude": "48.48", "longitude": "135.07",
         "variant_names": "ru:Хабаровск \\| Khabarovsk|en:C:\\\\camps", "our_translations": "name_en",
         # What the admin records of each name: a variant is named as variant_names writes it.
         "name_periods": "ru:1858/..|ru:Хабаровск \\| Khabarovsk:1893/1926|en:C:\\\\camps:1946",
         "name_sources": "ru:=Test source: p. 1 \\| 2|en:C:\\\\camps:+Test list", "name_forms": "ja:transcription"},
        {"identifier": "place-test-camp", "kind": "camp", "parent": "place-test-city", "name_en": "-16 camp",
         "gupvi_camp_number": "16"},
    ],
    "subjects": [
        {"identifier": "subject-test-broad", "name_en": "Labour | work", "name_ja": "労働"},
        {"identifier": "subject-test-narrow", "broader": "subject-test-broad", "name_en": "=Camp life",
         "name_ru": "Лагерная жизнь \\ быт", "variant_names": "en:'=quoted already|en:+plus",
         "name_sources": "en:NDLSH 00000000|en:'=quoted already:-test", "name_forms": "ru:translation"},
    ],
    "agents": [
        {"identifier": "agent-test-ja", "name_ja": "山田太郎", "name_en": "Yamada Tarō",
         "name_parts": "ja:山田, 太郎|en:Yamada, Tarō", "name_forms": "en:transcription",
         "name_sources": "ja:Test source"},
        {"identifier": "agent-test-ru", "name_ru": "А.А. Тестов", "name_parts": "ru:Тестов, А.А.",
         "variant_names": "ru:Тестов \\| Антон|en:Testov\\\\A.", "date": "1901/1980",
         "date_display": "=1901–1980"},
        {"identifier": "agent-test-bar", "name_en": "Test\\Bar | Baz Anna",
         "name_parts": "en:Test\\\\Bar \\| Baz, Anna", "notes": "@staff only"},
        {"identifier": "agent-test-org", "kind": "organisation", "name_en": "'=Society", "isil": "RU-0000"},
    ],
}


def run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def refused(*args):
    """The command's failure, and what it printed about it (the problems, one a line)."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(*args, stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def sheet(tmp_path, vocabulary, rows, name=None):
    return write_file(tmp_path, write_csv(rows, vocabulary_columns(vocabulary)), name or f"{vocabulary}.csv")


def history_count(vocabulary):
    model, label = MODELS[vocabulary]
    return model.history.count(), label.history.count()


class TestImport:
    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_each_vocabulary_imports_from_a_utf8_csv(self, tmp_path, vocabulary):
        path = sheet(tmp_path, vocabulary, AWKWARD[vocabulary])
        out, _err = run("import_catalogue", str(path), "--vocabulary", vocabulary)
        count = len(AWKWARD[vocabulary])
        assert f"{vocabulary}: {count} new, 0 updated, 0 unchanged" in out
        model, _label = MODELS[vocabulary]
        assert sorted(model.objects.values_list("identifier", flat=True)) == sorted(
            row["identifier"] for row in AWKWARD[vocabulary])
        assert not Record.objects.exists()

    def test_names_and_hierarchy_are_stored_as_written(self, tmp_path):
        for vocabulary in ("places", "subjects", "agents"):
            run("import_catalogue", str(sheet(tmp_path, vocabulary, AWKWARD[vocabulary])), "--vocabulary", vocabulary)
        city = Place.objects.get(identifier="place-test-city")
        assert city.parent.identifier == "place-test-country"  # named by its name in the same sheet
        assert city.names.get(language="en", preferred=True).text == "Khabarovsk \\ Test"
        assert sorted(city.names.filter(preferred=False, machine_made=False).values_list("text", flat=True)) == [
            "C:\\camps", "Хабаровск | Khabarovsk"]
        camps = city.names.get(text="C:\\camps")
        assert (camps.valid_from, camps.valid_to, camps.source) == (1946, 1946, "+Test list")
        assert city.names.get(language="ru", preferred=True).source == "=Test source: p. 1 | 2"
        assert city.names.get(language="ja").form == "transcription"
        assert Place.objects.get(identifier="place-test-country").names.get(language="en").text == "=USSR | Soviet"
        assert Subject.objects.get(identifier="subject-test-narrow").broader.identifier == "subject-test-broad"
        bar = AgentName.objects.get(agent__identifier="agent-test-bar", language="en")
        assert (bar.text, bar.family, bar.given) == ("Test\\Bar | Baz Anna", "Test\\Bar | Baz", "Anna")
        assert AgentName.objects.get(agent__identifier="agent-test-org").text == "'=Society"
        assert Agent.objects.get(identifier="agent-test-ru").date_display == "=1901–1980"

    def test_a_cp932_file_needs_its_encoding_named(self, tmp_path):
        path = write_file(tmp_path, "identifier,name_ja,name_parts\nagent-test-1,髙橋①太郎,\"ja:髙橋①, 太郎\"\n"
                          .encode("cp932"), "agents.csv")
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "agents")
        assert "not valid UTF-8" in message and "--encoding" in message
        assert not Agent.objects.exists()
        out, _err = run("import_catalogue", str(path), "--vocabulary", "agents", "--encoding", "cp932")
        assert "agents: 1 new" in out
        name = AgentName.objects.get(agent__identifier="agent-test-1", language="ja")
        assert (name.text, name.family, name.given) == ("髙橋①太郎", "髙橋①", "太郎")

    def test_an_xlsx_sheet_is_read_by_the_xlsx_rules(self, tmp_path):
        book = openpyxl.Workbook()
        book.active.title = "notes"
        book.active.append(["not a vocabulary"])
        places = book.create_sheet("places")
        places.append(["identifier", "kind", "name_ru", "latitude", "longitude"])
        places.append(["place-test-1", "city", "Тайшет", 55.94, 98.0])  # numbers, as a spreadsheet types them
        path = tmp_path / "places.xlsx"
        book.save(path)
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "places")
        # The first sheet in workbook order, not the one named places: refused, naming the others.
        assert message.startswith("places.xlsx: The workbook's first sheet, “notes”, has no identifier column")
        assert message.endswith("other sheets are: places. Name the sheet to read with --sheet.")
        out, _err = run("import_catalogue", str(path), "--vocabulary", "places", "--sheet", "places")
        assert "places: 1 new" in out
        place = Place.objects.get(identifier="place-test-1")
        assert (str(place.latitude), str(place.longitude)) == ("55.940000", "98.000000")
        assert place.names.get(language="ru").text == "Тайшет"

    def test_an_xlsx_file_takes_no_encoding(self, tmp_path):
        path = tmp_path / "agents.xlsx"
        book = openpyxl.Workbook()
        book.active.append(["identifier", "name_en"])
        book.save(path)
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "agents", "--encoding", "cp932")
        assert "leave out the encoding" in message

    def test_the_import_caps_apply(self, tmp_path, settings):
        settings.COLLECTION_IMPORT_MAX_ROWS = 1
        path = sheet(tmp_path, "subjects", AWKWARD["subjects"])
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "subjects")
        assert "more than 1 rows" in message
        assert not Subject.objects.exists()

    def test_dry_run_writes_nothing(self, tmp_path):
        path = sheet(tmp_path, "agents", AWKWARD["agents"])
        out, _err = run("import_catalogue", str(path), "--vocabulary", "agents", "--dry-run")
        assert "Dry run: nothing was written." in out and "agents: 4 new, 0 updated, 0 unchanged" in out
        assert not Agent.objects.exists() and not AgentName.objects.exists()
        assert history_count("agents") == (0, 0)

    def test_variant_names_get_their_readings_and_romanizations_as_they_are_written(self, tmp_path):
        japanese = readings_available()
        variants = ["ru:Тестова Анна"] + (["ja:試験花子"] if japanese else [])
        path = sheet(tmp_path, "agents", [{"identifier": "agent-test-variants", "name_en": "Testova Anna",
                                           "variant_names": "|".join(variants)}])
        run("import_catalogue", str(path), "--vocabulary", "agents")
        made = {(name.language, name.derived_from.text): name.text for name in AgentName.objects.filter(
            agent__identifier="agent-test-variants", preferred=False, machine_made=True)}
        expected = {("ru-Latn", "Тестова Анна"): romanize_russian("Тестова Анна")}
        if japanese:
            expected[("ja-Hrkt", "試験花子")] = japanese_reading("試験花子")
        assert {key: text for key, text in made.items() if key[0] != "ja-Latn"} == expected
        assert (("ja-Latn", "試験花子") in made) == japanese
        # Nothing is left for the command to add, and the sheet exports as it was given.
        out, _err = run("derive_romanizations")
        assert out.startswith("0 ")
        exported = tmp_path / "agents-out.csv"
        run("export_catalogue", str(exported), "--vocabulary", "agents")
        (row,) = read_csv(exported.read_bytes())
        assert sorted(row[1]["variant_names"].split("|")) == sorted(variants)

    def test_errors_name_row_and_column_and_change_nothing(self, tmp_path):
        AgentFactory(identifier="agent-test-kept", name="Kept Name")
        path = sheet(tmp_path, "agents", [
            {"identifier": "agent-test-kept", "name_en": "Changed Name"},
            {"identifier": "agent-test-new", "name_en": "Anna Testova", "name_parts": "en:Testowa, Anna"},
            {"identifier": "agent-test-odd", "kind": "robot", "name_en": "Test Robot"},
        ])
        before = history_count("agents")
        message, err = refused("import_catalogue", str(path), "--vocabulary", "agents")
        assert "2 problem(s) in agents.csv; nothing was written." in message
        lines = err.splitlines()
        assert lines[0] == ("row 3, column name_parts: The family name “Testowa” does not occur in name_en, "
                            "“Anna Testova”: check both for a typo.")
        assert lines[1].startswith("row 4, column kind: ")
        assert AgentName.objects.get(agent__identifier="agent-test-kept").text == "Kept Name"
        assert list(Agent.objects.values_list("identifier", flat=True)) == ["agent-test-kept"]
        assert history_count("agents") == before

    def test_a_place_with_one_coordinate_is_an_error_of_its_row(self, tmp_path):
        path = sheet(tmp_path, "places", [{"identifier": "place-test-1", "kind": "city", "name_en": "Test",
                                           "latitude": "55.94"}])
        _message, err = refused("import_catalogue", str(path), "--vocabulary", "places")
        assert err.splitlines() == ["row 2, column longitude: Give both latitude and longitude, or neither."]
        assert not Place.objects.exists()

    def test_a_records_sheet_is_refused_for_its_columns(self, tmp_path):
        path = write_file(tmp_path, "identifier,kind,status,title_en\n", "records.csv")
        message, err = refused("import_catalogue", str(path), "--vocabulary", "agents")
        assert "2 problem(s) in records.csv" in message
        assert err.splitlines() == ["row 1, column status: Unknown column.", "row 1, column title_en: Unknown column."]

    def test_a_sheet_without_identifiers_is_refused(self, tmp_path):
        path = write_file(tmp_path, "name_en\nTest\n", "subjects.csv")
        _message, err = refused("import_catalogue", str(path), "--vocabulary", "subjects")
        assert err.splitlines() == ["row 1, column identifier: The identifier column is missing."]
        assert not Subject.objects.exists()

    def test_progress_counts_the_rows_checked_then_written(self, tmp_path):
        from collection.catalogue.writer import BATCH_SIZE

        count = BATCH_SIZE + 1
        path = sheet(tmp_path, "subjects", [{"identifier": f"subject-test-{n}", "name_en": f"Test subject {n}"}
                                            for n in range(count)])
        _out, err = run("import_catalogue", str(path), "--vocabulary", "subjects", "--progress")
        lines = err.split("\r")
        assert "Reading subjects.csv done in" in err
        assert f"99% {BATCH_SIZE:,}/{count:,} checked" in err
        assert any(f"100% {count:,}/{count:,} checked" in line for line in lines)
        assert any(f"{BATCH_SIZE:,}/{count:,} written" in line for line in lines)
        assert lines[-1].startswith(f"Checking and writing {count:,} rows done in")
        # Unchanged rows are checked, and there is nothing to write.
        _out, err = run("import_catalogue", str(path), "--vocabulary", "subjects", "--progress")
        assert f"{count:,}/{count:,} checked" in err and "written" not in err


class TestPermissions:
    def user(self, username, *codenames):
        user = UserFactory(username=username)
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        return user

    def test_a_user_who_may_not_change_agents_is_refused_and_nothing_is_written(self, tmp_path):
        self.user("test-importer", "import_records", "add_record", "change_record", "add_agent")
        path = sheet(tmp_path, "agents", AWKWARD["agents"])
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "agents", "--user", "test-importer")
        assert message == "test-importer may not add or change agents, so cannot import an agents sheet."
        assert not Agent.objects.exists()

    def test_a_contributor_may_import_agents_but_not_places(self, tmp_path, alice):
        places = sheet(tmp_path, "places", AWKWARD["places"])
        message, _err = refused("import_catalogue", str(places), "--vocabulary", "places", "--user", "alice")
        assert message == "alice may not add or change places, so cannot import a places sheet."
        assert not Place.objects.exists()
        out, _err = run("import_catalogue", str(sheet(tmp_path, "agents", AWKWARD["agents"])),
                        "--vocabulary", "agents", "--user", "alice")
        assert "agents: 4 new" in out

    def test_the_permission_is_checked_before_the_file_is_read(self, tmp_path):
        self.user("test-visitor")
        message, _err = refused("import_catalogue", str(tmp_path / "missing.csv"), "--vocabulary", "subjects",
                                "--user", "test-visitor")
        assert message == "test-visitor may not add or change subjects, so cannot import a subjects sheet."

    def test_unknown_user(self, tmp_path):
        path = sheet(tmp_path, "agents", AWKWARD["agents"])
        message, _err = refused("import_catalogue", str(path), "--vocabulary", "agents", "--user", "nobody-test")
        assert "no user" in message

    def test_history_records_the_user_and_the_file(self, tmp_path, dana):
        path = sheet(tmp_path, "agents", AWKWARD["agents"][:1], name="agents-2026.csv")
        run("import_catalogue", str(path), "--vocabulary", "agents", "--user", "dana")
        entry = Agent.objects.get().history.get()
        assert entry.history_user == dana
        assert describe(entry.history_change_reason) == "command line (dana): agents-2026.csv"
        name = AgentName.objects.get(language="ja").history.get()
        assert (name.history_user, describe(name.history_change_reason)) == (
            dana, "command line (dana): agents-2026.csv")

    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_a_renamed_entry_finds_its_records_by_the_new_name(self, tmp_path, vocabulary):
        from collection.search import search_condition

        from .factories import PlaceFactory, SubjectFactory, link_agent, reindex, titled

        record = titled("Test record")
        if vocabulary == "places":
            entry = PlaceFactory(name="Testovo", identifier="place-test-renamed")
            record.places.add(entry)
        elif vocabulary == "subjects":
            entry = SubjectFactory(label="Testovo", identifier="subject-test-renamed")
            record.subjects.add(entry)
        else:
            entry = AgentFactory(name="Testovo", identifier="agent-test-renamed")
            link_agent(record, entry)
        reindex(record)
        renamed = {"identifier": entry.identifier, "name_en": "Zavitinsk test"}
        if vocabulary == "places":
            renamed["kind"] = entry.kind
        run("import_catalogue", str(sheet(tmp_path, vocabulary, [renamed])), "--vocabulary", vocabulary)
        assert list(Record.objects.filter(search_condition("Zavitinsk"))) == [record]
        assert not Record.objects.filter(search_condition("Testovo")).exists()

    def test_the_operator_is_no_user_in_the_history(self, tmp_path):
        path = sheet(tmp_path, "places", AWKWARD["places"][:1])
        run("import_catalogue", str(path), "--vocabulary", "places")
        entry = Place.objects.get().history.get()
        assert entry.history_user is None and describe(entry.history_change_reason) == "command line: places.csv"


class TestExport:
    def test_csv_is_utf8_with_bom_crlf_sorted_and_formula_safe(self, tmp_path):
        run("import_catalogue", str(sheet(tmp_path, "agents", AWKWARD["agents"])), "--vocabulary", "agents")
        path = tmp_path / "out.csv"
        _out, err = run("export_catalogue", str(path), "--vocabulary", "agents")
        assert err == "4 entries of the agents sheet written to " + str(path) + "\n"
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 5
        text = data.decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(vocabulary_columns("agents"))
        assert ",'=1901–1980," in text and ",'@staff only" in text and ",''=Society," in text
        assert '"en:Test\\\\Bar \\| Baz, Anna"' in text
        rows = [row for _number, row in read_csv(data)]
        assert [row["identifier"] for row in rows] == ["agent-test-bar", "agent-test-ja", "agent-test-org",
                                                       "agent-test-ru"]
        assert rows[1]["name_parts"] == "en:Yamada, Tarō|ja:山田, 太郎"

    def test_xlsx_has_text_cells_and_quotes_formula_like_text(self, tmp_path):
        run("import_catalogue", str(sheet(tmp_path, "subjects", AWKWARD["subjects"])), "--vocabulary", "subjects")
        path = tmp_path / "subjects.xlsx"
        run("export_catalogue", str(path), "--vocabulary", "subjects")
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["subjects"]
        cells = {cell.value: cell for row in book.worksheets[0].iter_rows() for cell in row if cell.value}
        assert cells["=Camp life"].data_type == "s" and cells["=Camp life"].quotePrefix
        assert not cells["Labour | work"].quotePrefix
        assert "en:'=quoted already|en:+plus" in cells

    def test_standard_output(self, tmp_path):
        run("import_catalogue", str(sheet(tmp_path, "subjects", AWKWARD["subjects"])), "--vocabulary", "subjects")
        out, _err = run("export_catalogue", "-", "--vocabulary", "subjects")
        assert out.startswith("\ufeffidentifier,broader,") and "subject-test-narrow" in out

    def test_record_filters_are_refused(self, tmp_path):
        message, _err = refused("export_catalogue", str(tmp_path / "x.csv"), "--vocabulary", "agents",
                                "--kind", "memoir")
        assert "--kind and --status" in message
        assert not (tmp_path / "x.csv").exists()

    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("vocabulary", ["places", "subjects", "agents"])
    def test_an_exported_sheet_imports_back_unchanged(self, tmp_path, vocabulary, file_format):
        run("import_catalogue", str(sheet(tmp_path, vocabulary, AWKWARD[vocabulary])), "--vocabulary", vocabulary)
        first, second = tmp_path / f"first.{file_format}", tmp_path / f"second.{file_format}"
        run("export_catalogue", str(first), "--vocabulary", vocabulary)
        before = history_count(vocabulary)

        out, _err = run("import_catalogue", str(first), "--vocabulary", vocabulary)
        count = len(AWKWARD[vocabulary])
        assert out.splitlines() == [f"{vocabulary}: 0 new, 0 updated, {count} unchanged"]
        assert history_count(vocabulary) == before

        run("export_catalogue", str(second), "--vocabulary", vocabulary)
        assert first.read_bytes() == second.read_bytes()
        if file_format == "xlsx":
            with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as archive:
                assert archive.testzip() is None

    def test_exported_agents_load_elsewhere_and_records_name_them(self, tmp_path):
        run("import_catalogue", str(sheet(tmp_path, "agents", AWKWARD["agents"])), "--vocabulary", "agents")
        exported = tmp_path / "agents-export.xlsx"
        run("export_catalogue", str(exported), "--vocabulary", "agents")
        Agent.objects.all().delete()  # as in another catalogue, which has none of them

        out, _err = run("import_catalogue", str(exported), "--vocabulary", "agents")
        assert "agents: 4 new, 0 updated, 0 unchanged" in out
        records = write_file(tmp_path, "identifier,kind,status,title_en,authors,publishers\n"
                                       "mem-test-1,memoir,draft,Test memoir,agent-test-ru|agent-test-ja,\n"
                                       "doc-test-1,document,draft,Test document,agent-test-bar,agent-test-org\n")
        out, _err = run("import_catalogue", str(records))
        assert "new agent" not in out
        assert Agent.objects.count() == 4
        memoir = Record.objects.get(identifier="mem-test-1")
        assert [link.agent.identifier for link in memoir.agent_links.order_by("position")] == [
            "agent-test-ru", "agent-test-ja"]
        document = Record.objects.get(identifier="doc-test-1")
        assert sorted((link.role, link.agent.identifier) for link in document.agent_links.all()) == [
            ("author", "agent-test-bar"), ("publisher", "agent-test-org")]
