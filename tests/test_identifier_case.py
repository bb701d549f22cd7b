"""Record identifiers are one whatever their letter case: a URL in any case names one record only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record, RecordKind, ReservedIdentifier, Status

from .catalogue_rows import errors_of, memoir, numbered
from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def test_an_identifier_in_other_case_is_refused_in_the_admin_s_checks_for_a_live_or_deleted_record():
    RecordFactory(identifier="mem-case-1")
    RecordFactory(identifier="mem-case-2").delete()
    for other_case, given in (("MEM-CASE-1", "mem-case-1"), ("Mem-Case-2", "mem-case-2")):
        with pytest.raises(ValidationError) as refused:
            Record(identifier=other_case, kind=RecordKind.MEMOIR).full_clean()
        message = " ".join(refused.value.message_dict["identifier"])
        assert f"“{given}”" in message and "letter case" in message


def test_the_database_refuses_an_identifier_in_other_case_whatever_code_writes_it():
    RecordFactory(identifier="mem-case-db")
    with pytest.raises(IntegrityError), transaction.atomic():
        Record.objects.create(identifier="MEM-CASE-DB", kind=RecordKind.MEMOIR)
    assert list(Record.objects.values_list("identifier", flat=True)) == ["mem-case-db"]


def test_an_import_refuses_an_identifier_in_other_case_naming_row_column_and_the_one_given():
    RecordFactory(identifier="mem-case-3").delete()
    RecordFactory(identifier="mem-case-4")
    result = write_rows(numbered(memoir("MEM-CASE-3"), memoir("Mem-Case-4"), memoir("mem-case-5")))
    assert errors_of(result) == [(2, "identifier"), (3, "identifier")]
    messages = [str(error) for error in result.errors]
    assert messages[0].startswith("row 2, column identifier: “MEM-CASE-3” differs only in letter case from "
                                  "“mem-case-3”")
    assert "“mem-case-4”" in messages[1]
    assert not Record.objects.filter(identifier__in=["mem-case-5", "MEM-CASE-3", "Mem-Case-4"]).exists()


def test_one_file_cannot_give_an_identifier_twice_in_two_cases():
    result = write_rows(numbered(memoir("mem-twice"), memoir("MEM-TWICE")))
    assert [str(error) for error in result.errors] == [
        "row 3, column identifier: “MEM-TWICE” is also on row 2, as “mem-twice”: identifiers are the same "
        "whatever their letter case."]
    assert not Record.objects.exists()


def test_an_update_in_the_identifier_s_own_case_still_applies():
    RecordFactory(identifier="mem-case-6", status=Status.DRAFT)
    result = write_rows(numbered(memoir("mem-case-6", title_en="Test title, amended")))
    assert result.ok, result.errors
    assert Record.objects.get(identifier="mem-case-6").display_title("en") == "Test title, amended"


@pytest.mark.parametrize(("route", "kwargs"), [
    ("collection:record-detail", {}),
    ("collection:record-citation", {"fmt": "bib"}),
    ("collection_api:record-detail", {}),
])
def test_a_public_link_in_other_case_leads_to_the_record(client, route, kwargs):
    RecordFactory(identifier="mem-case-public", status=Status.PUBLISHED)
    response = client.get(reverse(route, kwargs={"identifier": "MEM-Case-Public", **kwargs}))
    assert response.status_code == 301
    assert response["Location"] == reverse(route, kwargs={"identifier": "mem-case-public", **kwargs})
    assert client.get(response["Location"]).status_code == 200


def test_a_withdrawn_record_s_link_in_other_case_leads_to_its_notice(client, bob):
    RecordFactory(identifier="mem-case-gone", status=Status.PUBLISHED).withdraw(bob, "Rights unclear.")
    response = client.get(reverse("collection:record-detail", kwargs={"identifier": "MEM-CASE-GONE"}), follow=True)
    assert response.redirect_chain[0][1] == 301
    assert response.status_code == 410


@pytest.mark.parametrize("route", ["collection:record-detail", "collection_api:record-detail"])
def test_a_draft_is_not_found_in_any_case(client, route):
    RecordFactory(identifier="mem-case-draft", status=Status.DRAFT)
    for identifier in ("mem-case-draft", "MEM-CASE-DRAFT"):
        assert client.get(reverse(route, kwargs={"identifier": identifier})).status_code == 404


def test_reservations_are_found_whatever_the_case_asked():
    RecordFactory(identifier="Doc-Mixed-Case")
    assert ReservedIdentifier.objects.given("doc-mixed-case") == "Doc-Mixed-Case"
    assert ReservedIdentifier.objects.given("doc-other") is None


@pytest.mark.parametrize(("language", "said"), [("ja", "大文字と小文字を区別しません"), ("ru", "регистр букв")])
def test_a_case_clash_is_explained_in_japanese_and_russian(language, said):
    RecordFactory(identifier="mem-case-7")
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            Record(identifier="MEM-CASE-7", kind=RecordKind.MEMOIR).full_clean()
        assert said in " ".join(refused.value.message_dict["identifier"])
        result = write_rows(numbered(memoir("mem-twice-8"), memoir("MEM-TWICE-8")))
        assert said in str(result.errors[0])
