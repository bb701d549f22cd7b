"""An ISBN or ISSN typed in full-width digits (as a Japanese IME types them) is refused in the admin as by the
import, with the form to write, instead of being stored in full-width digits."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from collection.catalogue.writer import write_rows
from collection.models import Record, Title

from .factories import RecordFactory
from .roles import record_form

pytestmark = pytest.mark.django_db

ISBN = "９７８－４－００－００００００－０"
ISSN = "０３７８－５９５５"


@pytest.mark.parametrize(("field", "value", "ascii_form"), [
    ("isbn", ISBN, "978-4-00-000000-0"),
    ("isbn", "９７８４０００００００００", "9784000000000"),
    ("isbn", "ISBN：９７８－４－００－００００００－０", "ISBN:978-4-00-000000-0"),
    ("issn", ISSN, "0378-5955"),
])
def test_the_admin_refuses_full_width_digits_naming_the_form_to_write(admin_client, field, value, ascii_form):
    response = admin_client.post(reverse("admin:collection_record_add"), record_form(admin_client, **{field: value}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [
        f"“{value}” is written with full-width characters: write it as {ascii_form}."]
    assert not Record.objects.exists() and not Title.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("isbn", ISBN), ("issn", ISSN)])
def test_the_model_refuses_them_on_any_path(field, value):
    record = RecordFactory(identifier="doc-full-width")
    setattr(record, field, value)
    with pytest.raises(ValidationError) as refusal:
        record.full_clean()
    assert "full-width characters" in refusal.value.message_dict[field][0]


@pytest.mark.parametrize(("field", "value"), [("isbn", "９７８－４－００－００００００－１"), ("issn", "٠٣٧٨-٥٩٥٥")])
def test_other_digits_than_ascii_are_refused_as_not_valid(field, value):
    """A wrong check digit is told as such; digits of another script are no standard number's."""
    record = RecordFactory(identifier="doc-other-digits")
    setattr(record, field, value)
    with pytest.raises(ValidationError) as refusal:
        record.full_clean()
    assert f"is not a valid {field.upper()}" in refusal.value.message_dict[field][0]


def test_the_import_says_the_same():
    result = write_rows([(2, {"identifier": "mem-full-width", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "isbn": ISBN, "issn": ISSN})])
    assert sorted(str(error) for error in result.errors) == [
        f"row 2, column isbn: “{ISBN}” is written with full-width characters: write it as 978-4-00-000000-0.",
        f"row 2, column issn: “{ISSN}” is written with full-width characters: write it as 0378-5955."]


def test_ascii_digits_are_taken(admin_client):
    response = admin_client.post(reverse("admin:collection_record_add"),
                                 record_form(admin_client, isbn="978-4-00-000000-0", issn="0378-5955"))
    assert response.status_code == 302
    assert Record.objects.get().isbn == "978-4-00-000000-0"


def test_a_full_width_isbn_with_a_wrong_check_digit_is_told_that_of_what_was_typed():
    record = RecordFactory(identifier="doc-check-digit")
    record.isbn = "９７８－４－００－００００００－１"
    with pytest.raises(ValidationError) as refusal:
        record.full_clean()
    assert refusal.value.message_dict["isbn"] == [
        "“９７８－４－００－００００００－１” is not a valid ISBN: its check digit (the last character) does not match "
        "the others; look for a mistyped digit."]
