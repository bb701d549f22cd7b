"""One import shows every problem of a row: each cell that cannot be read, and the checks of the rest of the row,
without what only a refused cell would cause."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from collection.catalogue.writer import write_rows
from collection.models import Agent, ExportLine, Record, Status, StatusChange

from .catalogue_rows import memoir, numbered
from .factories import AgentFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def problems(result):
    return {(error.row, error.column) for error in result.errors}


def messages(result, column):
    return [error.message for error in result.errors if error.column == column]


@pytest.fixture
def organisation():
    return AgentFactory(identifier="agent-test-org", kind="organisation", name="Test Organisation")


class TestNewRecords:
    def test_an_unknown_place_an_untitled_row_and_a_bad_url_are_reported_together(self):
        PlaceFactory(identifier="place-test", name="Test town")
        rows = [(2, memoir("mem-test-ok", places="Test town")),
                (3, {"identifier": "mem-test-bad", "kind": "memoir", "title_en": "", "url": "ftp://x",
                     "places": "Nowhere"})]
        result = write_rows(rows)
        assert [str(error) for error in result.errors] == [
            "row 3, column places: “Nowhere” is not one of the places, by identifier or by name.",
            "row 3, column title_en: A record needs at least one title in some language.",
            "row 3, column url: Enter a URL that starts with http:// or https://.",
        ]
        assert not Record.objects.exists()

    def test_problems_of_every_kind_in_one_row_are_reported_in_one_import(self, alice):
        PlaceFactory(identifier="place-test", name="Test town")
        rows = [(2, memoir("mem-test-ok")),
                (3, {"identifier": "mem-test-bad", "kind": "memoir", "status": "published", "title_en": "",
                     "url": "ftp://x", "places": "Nowhere", "subjects": "Test nothing", "isbn": "9.78E+12",
                     "accessed": "yesterday", "date": "1945-02-30", "authors": "Test New Author"})]
        result = write_rows(rows, user=alice)
        assert problems(result) == {(3, "places"), (3, "subjects"), (3, "isbn"), (3, "accessed"), (3, "date"),
                                    (3, "url"), (3, "title_en"), (3, "status")}
        assert not Record.objects.exists()
        assert not Agent.objects.exists()

    @pytest.mark.parametrize("cells", [
        {"kind": "assoc"},  # a typing error
        {"kind": "[clear]"},
        {},  # no kind at all
    ], ids=["unknown", "cleared", "missing"])
    def test_a_bad_kind_is_reported_with_the_rows_other_problems_and_not_what_follows_from_it(
            self, organisation, cells):
        row = {"identifier": "ass-test-1", "title_en": "Test association", "described_agent": "agent-test-org",
               "url": "ftp://x", **cells}
        result = write_rows(numbered(row))
        # Whether the organisation belongs on the row depends on its kind: nothing is said of it.
        assert problems(result) == {(2, "kind"), (2, "url")}
        assert len(messages(result, "kind")) == 1
        assert not Record.objects.exists()

    def test_an_agent_that_is_not_an_organisation_is_the_only_problem_told_of_it(self):
        AgentFactory(identifier="agent-test-person", name="Test Person")
        result = write_rows(numbered(memoir("ass-test-1", kind="association", described_agent="agent-test-person",
                                            places="Nowhere", date="1945-02-30")))
        assert problems(result) == {(2, "described_agent"), (2, "places"), (2, "date")}
        assert messages(result, "described_agent") == ["“agent-test-person (Test Person)” is not an organisation."]

    def test_a_refused_variant_title_is_not_also_a_missing_title(self):
        result = write_rows(numbered({"identifier": "mem-test-1", "kind": "memoir", "variant_titles": "Test",
                                      "url": "ftp://x"}))
        assert problems(result) == {(2, "variant_titles"), (2, "url")}

    def test_a_row_whose_parent_is_a_refused_row_is_not_told_that_the_parent_is_missing(self):
        result = write_rows(numbered(memoir("mem-test-child", parent="mem-test-parent"),
                                     memoir("mem-test-parent", places="Nowhere")))
        assert problems(result) == {(3, "places")}

    def test_a_cell_refused_on_every_row_is_reported_on_every_row_with_their_other_problems(self):
        result = write_rows(numbered(memoir("mem-test-1", places="Nowhere", url="ftp://x"),
                                     memoir("mem-test-2", places="Nowhere", date="1945-02-30")))
        assert problems(result) == {(2, "places"), (2, "url"), (3, "places"), (3, "date")}


@pytest.fixture(params=["assembled", "ready export rows"])
def stored(request):
    """Stored records, compared as assembled from the catalogue or as their ready export rows."""
    def make(status=Status.PUBLISHED, kind="memoir"):
        assert write_rows(numbered(memoir("mem-test-1", kind=kind, status=status))).ok
        if request.param == "ready export rows":
            call_command("refresh_export_lines", stdout=StringIO())
            assert ExportLine.objects.exists()
        return Record.objects.get(identifier="mem-test-1")
    return make


def unchanged(record):
    again = Record.objects.get(pk=record.pk)
    return (again.version, again.status, again.url, again.date_edtf, again.display_title("en")) == (
        record.version, record.status, record.url, record.date_edtf, record.display_title("en"))


class TestStoredRecords:
    def test_a_row_of_a_stored_record_reports_all_its_problems_and_changes_nothing(self, bob, stored):
        record = stored()
        result = write_rows(numbered({"identifier": "mem-test-1", "status": "review", "places": "Nowhere",
                                      "url": "ftp://x", "date": "1945-02-30", "isbn": "9.78E+12",
                                      "title_en": "[clear]"}), user=bob)
        assert problems(result) == {(2, "status"), (2, "places"), (2, "url"), (2, "date"), (2, "isbn"),
                                    (2, "title_en")}
        assert unchanged(record)
        assert not StatusChange.objects.exists()

    def test_a_contributor_is_told_with_the_refused_cell_that_she_may_not_edit_the_record(self, alice, stored):
        record = stored()
        result = write_rows(numbered({"identifier": "mem-test-1", "places": "Nowhere"}), user=alice)
        assert problems(result) == {(2, "places")}
        assert [message.split(" ")[:3] for message in messages(result, "places")] == [
            ["“Nowhere”", "is", "not"], ["You", "may", "not"]]
        assert unchanged(record)

    def test_a_status_change_is_judged_along_with_the_refused_cells(self, alice, stored):
        record = stored(status=Status.DRAFT)
        result = write_rows(numbered({"identifier": "mem-test-1", "status": "published", "places": "Nowhere",
                                      "url": "ftp://x"}), user=alice)
        assert problems(result) == {(2, "status"), (2, "places"), (2, "url")}
        assert unchanged(record)

    def test_a_bad_kind_leaves_the_organisation_unjudged_and_the_rest_checked(self, organisation, stored):
        record = stored()
        result = write_rows(numbered({"identifier": "mem-test-1", "kind": "assoc", "described_agent": "agent-test-org",
                                      "date": "1945-02-30"}))
        assert problems(result) == {(2, "kind"), (2, "date")}
        assert unchanged(record)


@pytest.mark.parametrize("status", ["bogus", "draft\x00"])
def test_a_user_who_may_not_create_records_is_told_so_beside_a_refused_status(status):
    from .factories import UserFactory

    nobody = UserFactory(username="test-nobody", is_staff=True)
    result = write_rows(numbered(memoir("mem-test-1", status=status)), user=nobody)
    said = messages(result, "status")
    assert len(said) == 2 and any("may not create" in message for message in said), said
    assert not Record.objects.exists()
