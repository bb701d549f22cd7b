"""An unknown digit typed as a lowercase x (194x) is told the EDTF form to write (194X)."""

import pytest
from django.core.exceptions import ValidationError

from collection.catalogue.writer import write_rows
from collection.models import Record
from collection.validators import validate_edtf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "edtf"), [
    ("194x", "194X"),
    ("19xx", "19XX"),
    ("1945-xx", "1945-XX"),
    ("1945-08-xx", "1945-08-XX"),
    ("194x~", "194X~"),
    ("194x/195x", "194X/195X"),
    ("１９４ｘ", "194X"),  # full-width, as a Japanese IME types it
])
def test_a_lowercase_x_is_told_the_capital_x(value, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [f"“{value}”: EDTF writes an unknown digit as a capital X: write {edtf}."]


@pytest.mark.parametrize("value", ["1945-0x", "19x", "194xx", "195x/"])
def test_a_lowercase_x_that_a_capital_would_not_mend_gets_no_such_hint(value):
    """1945-0X is no EDTF date either: telling the archivist to write it would be wrong."""
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert "capital X" not in refusal.value.messages[0]


def test_an_import_row_is_told_the_capital_x():
    result = write_rows([(2, {"identifier": "mem-lower-x", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "date": "195x"})])
    assert [(error.row, error.column) for error in result.errors] == [(2, "date")]
    assert "write 195X" in result.errors[0].message
    assert not Record.objects.exists()


def test_the_capital_x_is_taken():
    validate_edtf("194X")
    validate_edtf("19XX")
