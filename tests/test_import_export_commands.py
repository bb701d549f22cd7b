from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.utils import translation

from collection.catalogue.csv_io import read_csv, write_csv
from collection.catalogue.export import catalogue_rows
from collection.catalogue.format import record_columns, vocabulary_columns
from collection.catalogue.vocabulary import export_vocabulary
from collection.models import AgentName, Record, Status, Title
from collection.reasons import describe

from .catalogue_rows import write_file
from .factories import AgentFactory, PlaceFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "identifier,kind,status,title_en,title_ja,pages,places\n"


def run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def catalogue(tmp_path):
    """A file that exercises the awkward cases: formulas, bars, Japanese, line breaks."""
    PlaceFactory(identifier="place-test", name="Test town")
    SubjectFactory(identifier="subject-test", label="Test subject")
    AgentFactory(identifier="agent-test", name="Test Author")
    rows = [
        {"identifier": "mem-test-2", "kind": "memoir", "status": "published", "title_en": "=1+1 test",
         "title_ja": "テスト回想記", "variant_titles": r"en:A \| B|en:'=quoted", "places": "Test town",
         "authors": "agent-test|Test New Author", "description_en": "line one\nline two", "pages": "-3",
         "isbn": "978-0-00-000001-9", "date": "1946/1956", "languages": "ja"},
        {"identifier": "doc-test-1", "kind": "document", "status": "draft", "title_ru": "Тестовый документ",
         "subjects": "subject-test", "url": "https://example.org/test", "accessed": "2020-01-02", "volume": "19",
         "edition": "'=really"},
        {"identifier": "assoc-test-1", "kind": "association", "status": "review", "title_en": "Test association",
         "described_agent": "Test Association Organisation", "parent": "doc-test-1"},
    ]
    return write_file(tmp_path, write_csv(rows, record_columns()))


class TestRoundTrip:
    def test_export_import_changes_nothing_and_export_is_byte_stable(self, catalogue, tmp_path):
        out, _ = run("import_catalogue", str(catalogue))
        assert "memoir: 1 new" in out and "new agent" in out
        first = tmp_path / "first.csv"
        run("export_catalogue", str(first))
        history = Record.history.count(), Title.history.count()

        out, _ = run("import_catalogue", str(first))
        assert "association: 0 new, 0 updated, 1 unchanged" in out
        assert "document: 0 new, 0 updated, 1 unchanged" in out
        assert "memoir: 0 new, 0 updated, 1 unchanged" in out
        assert (Record.history.count(), Title.history.count()) == history

        second = tmp_path / "second.csv"
        run("export_catalogue", str(second))
        assert first.read_bytes() == second.read_bytes()

    def test_export_is_utf8_with_bom_sorted_with_identifiers(self, catalogue, tmp_path):
        run("import_catalogue", str(catalogue))
        path = tmp_path / "out.csv"
        run("export_catalogue", str(path))
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = [row for _, row in read_csv(data)]
        assert [row["identifier"] for row in rows] == ["assoc-test-1", "doc-test-1", "mem-test-2"]
        memoir = rows[2]
        assert memoir["places"] == "place-test"
        assert memoir["authors"].startswith("agent-test|agent-")
        assert memoir["title_en"] == "=1+1 test" and memoir["pages"] == "-3"
        text = data.decode("utf-8-sig")
        assert ",'=1+1 test," in text and ",'-3," in text
        assert ",''=really," in text
        assert Record.objects.get(identifier="doc-test-1").edition == "'=really"

    def test_export_filters_by_kind_and_status(self, catalogue, tmp_path):
        run("import_catalogue", str(catalogue))
        path = tmp_path / "out.csv"
        run("export_catalogue", str(path), "--kind", "memoir")
        assert [row["identifier"] for _, row in read_csv(path.read_bytes())] == ["mem-test-2"]
        run("export_catalogue", str(path), "--status", "draft", "--status", "review")
        assert [row["identifier"] for _, row in read_csv(path.read_bytes())] == ["assoc-test-1", "doc-test-1"]


class TestImportCommand:
    def test_errors_are_all_printed_and_nothing_is_written(self, tmp_path):
        path = write_file(tmp_path, HEADER + "mem-1,memoir,draft,Test,,,\nmem-2,poem,draft,Test,,,\n"
                                             "mem-3,memoir,draft,Test,,,Nowhere\n")
        err = StringIO()
        with pytest.raises(CommandError, match="2 problem"):
            call_command("import_catalogue", str(path), stdout=StringIO(), stderr=err)
        assert "row 3, column kind: Unknown kind" in err.getvalue()
        assert "row 4, column places:" in err.getvalue()
        assert not Record.objects.exists()

    def test_dry_run_writes_nothing(self, tmp_path):
        path = write_file(tmp_path, HEADER + "mem-1,memoir,draft,Test,,,\n")
        out, _ = run("import_catalogue", str(path), "--dry-run")
        assert "Dry run" in out and "memoir: 1 new" in out
        assert not Record.objects.exists()

    def test_progress_counts_the_rows_checked_then_written(self, tmp_path):
        from collection.catalogue.writer import BATCH_SIZE

        count = BATCH_SIZE + 1
        path = write_file(tmp_path, HEADER + "".join(f"mem-{n},memoir,draft,Test,,,\n" for n in range(count)))
        _out, err = run("import_catalogue", str(path), "--progress")
        lines = err.split("\r")
        assert any(f"100% {count:,}/{count:,} checked" in line for line in lines)
        assert any(f"{BATCH_SIZE:,}/{count:,} written" in line for line in lines)
        assert lines[-1].startswith(f"Checking and writing {count:,} rows done in")
        assert f"99% {BATCH_SIZE:,}/{count:,} checked" in err
        # Unchanged rows are checked, and there is nothing to write.
        _out, err = run("import_catalogue", str(path), "--progress")
        assert f"{count:,}/{count:,} checked" in err and "written" not in err

    def test_no_progress_off_a_terminal_unless_asked(self, tmp_path):
        path = write_file(tmp_path, HEADER + "mem-1,memoir,draft,Test,,,\n")
        _out, err = run("import_catalogue", str(path))
        assert err == ""

    def test_history_names_the_command_line_and_the_file(self, tmp_path):
        path = write_file(tmp_path, HEADER + "mem-1,memoir,published,Test,,,\n", name="batch-7.csv")
        run("import_catalogue", str(path))
        entry = Record.objects.get().history.get()
        assert describe(entry.history_change_reason) == "command line: batch-7.csv" and entry.history_user is None
        with translation.override("ru"):  # stored without a language: read in the reader's
            assert describe(entry.history_change_reason) == "командная строка: batch-7.csv"

    def test_bad_encoding_is_a_clear_error(self, tmp_path):
        path = write_file(tmp_path, (HEADER + "mem-1,memoir,draft,Тест,,,\n").encode("cp1251"))
        with pytest.raises(CommandError, match="UTF-8"):
            run("import_catalogue", str(path))


class TestUserPermissions:
    def contributor(self, *codenames):
        user = UserFactory(username="test-contributor")
        user.user_permissions.add(*Permission.objects.filter(
            codename__in=["import_records", "add_record", "change_record", *codenames]))
        return user

    def test_a_user_who_may_not_publish_cannot_publish_by_import(self, tmp_path):
        self.contributor("submit_record")
        path = write_file(tmp_path, HEADER + "mem-1,memoir,published,Test,,,\n")
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_catalogue", str(path), "--user", "test-contributor", stdout=StringIO(), stderr=err)
        assert "row 2, column status" in err.getvalue()
        assert not Record.objects.exists()

    def test_the_users_permissions_apply_and_history_names_them(self, tmp_path):
        user = self.contributor("submit_record")
        path = write_file(tmp_path, HEADER + "mem-1,memoir,review,Test,,,\n")
        run("import_catalogue", str(path), "--user", "test-contributor")
        record = Record.objects.get()
        assert record.status == Status.REVIEW
        assert record.history.get().history_user == user

    def test_a_user_without_the_import_permission_is_refused(self, tmp_path):
        UserFactory(username="test-visitor")
        path = write_file(tmp_path, HEADER + "mem-1,memoir,draft,Test,,,\n")
        with pytest.raises(CommandError, match="may not import"):
            run("import_catalogue", str(path), "--user", "test-visitor")

    def test_unknown_user(self, tmp_path):
        path = write_file(tmp_path, HEADER)
        with pytest.raises(CommandError, match="no user"):
            run("import_catalogue", str(path), "--user", "nobody-test")


class TestAgentsSheet:
    def sheets(self, tmp_path, agents):
        directory = tmp_path / "sheets"
        directory.mkdir(exist_ok=True)
        write_file(directory, agents, "agents.csv")
        return str(directory)

    def test_name_parts_load_and_an_exported_sheet_loads_back_unchanged(self, tmp_path):
        directory = self.sheets(tmp_path, "identifier,name_en,name_ru,name_parts\n"
                                          "agent-test-person,Anna Testova,Тестова А. И.,"
                                          "\"ru:Тестова, А. И.|en:Testova, Anna\"\n"
                                          "agent-test-org,Test Society,,\n")
        out, _err = run("load_seed", "--dir", directory)
        assert "agents: 2 new" in out
        assert sorted(AgentName.objects.exclude(family="").values_list("language", "family", "given")) == [
            ("en", "Testova", "Anna"), ("ru", "Тестова", "А. И.")]
        exported = write_csv(export_vocabulary("agents"), vocabulary_columns("agents"))
        assert "\"en:Testova, Anna|ru:Тестова, А. И.\"" in exported.decode("utf-8-sig")
        directory = self.sheets(tmp_path, exported)
        out, _err = run("load_seed", "--dir", directory)
        assert "agents: 0 new, 0 updated, 2 unchanged" in out

    def test_name_parts_errors_are_printed_and_nothing_is_loaded(self, tmp_path):
        directory = self.sheets(tmp_path, "identifier,kind,name_en,name_parts\n"
                                          "agent-test-person,person,Anna Testova,en:Testova Anna\n"
                                          "agent-test-org,organisation,Test Society,\"en:Test, Society\"\n")
        err = StringIO()
        with pytest.raises(CommandError, match="2 problem"):
            call_command("load_seed", "--dir", directory, stdout=StringIO(), stderr=err)
        assert "row 2, column name_parts: “en:Testova Anna” has no comma" in err.getvalue()
        assert "row 3, column name_parts: An organisation's names have no family and given name" in err.getvalue()
        assert not AgentName.objects.exists()


def test_catalogue_rows_takes_a_sliced_queryset():
    for identifier in ("doc-q-b", "doc-q-a", "doc-q-c"):
        Record.objects.create(identifier=identifier, kind="document").titles.create(language="en", text="Test")
    rows = list(catalogue_rows(Record.objects.order_by("identifier")[:2]))
    identifier = record_columns().index("identifier")
    assert [row[identifier] for row in rows] == ["doc-q-a", "doc-q-b"]


@pytest.mark.django_db
def test_an_export_to_a_reader_that_stops_early_ends_quietly():
    """`export_catalogue - | head`: the reader is gone before the export is written."""
    import io
    import os

    reader, writer = os.pipe()
    os.close(reader)
    stdout = io.TextIOWrapper(io.FileIO(writer, "w"))
    with pytest.raises(SystemExit) as stopped:
        call_command("export_catalogue", "-", stdout=stdout)
    assert stopped.value.code == 1
    stdout.write("what the interpreter flushes at exit")
    stdout.close()  # goes nowhere instead of failing with a second BrokenPipeError
