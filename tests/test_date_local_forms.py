"""A full date written as office software or people write it locally is answered with its EDTF form."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record
from collection.validators import validate_edtf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "edtf"), [
    ("15.03.1946", "1946-03-15"),  # a Russian spreadsheet's date saved as CSV
    ("1946/3/15", "1946-03-15"),
    ("1946.03.15", "1946-03-15"),
    ("1946年3月15日", "1946-03-15"),
    ("１９４６年３月１５日", "1946-03-15"),
    ("1946年8月", "1946-08"),
    ("1946年", "1946"),
    ("15/03/1946", "1946-03-15"),
])
def test_a_local_form_is_told_its_edtf_form(value, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}” is not written as an EDTF date, which gives the year first: write {edtf}."]


@pytest.mark.parametrize("value", ["03/04/1946", "31.02.1946", "1946/13/01"])
def test_a_date_that_cannot_be_told_for_certain_gets_no_suggestion(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert "write 1946" not in refusal.value.messages[0]


@pytest.mark.parametrize(("language", "said"), [("ja", "1946-03-15"), ("ru", "1946-03-15")])
def test_the_suggestion_is_translated(language, said):
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_edtf("15.03.1946")
        message = refusal.value.messages[0]
    assert said in message and "EDTF" in message and "is not written" not in message


def test_the_import_names_the_row_and_the_date_column_and_writes_nothing():
    result = write_rows([(2, {"identifier": "mem-local-date", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "date": "15.03.1946"})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "date")]
    assert "write 1946-03-15" in result.errors[0].message
    assert not Record.objects.exists()
