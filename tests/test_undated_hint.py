"""A word for "unknown" in the date is answered with how to say it: a blank date means undated."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record, Status
from collection.validators import validate_edtf

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db

HINT = "a blank date means undated"
UNKNOWN = ["unknown", "Unknown", "undated", "n.d.", "N. D.", "s.d.", "no date", "?", "不明", "年不明", "неизвестно",
           "Неизвестно", "б. д.", "без даты"]


@pytest.mark.parametrize("value", UNKNOWN)
def test_words_for_unknown_are_told_to_leave_the_date_blank(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert HINT in refusal.value.messages[0]
    assert f"“{value}” is not a date" in refusal.value.messages[0]


@pytest.mark.parametrize("value", ["1950-13", "not a date", "1950/unknown"])
def test_other_invalid_dates_keep_their_own_message(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert HINT not in refusal.value.messages[0]


@pytest.mark.parametrize("value", ["", "1950?", "1946/1956", "1984/.."])
def test_valid_dates_are_untouched(value):
    validate_edtf(value)


@pytest.mark.parametrize(("language", "hint"), [("ja", "空欄"), ("ru", "пуст")])
def test_the_hint_is_translated(language, hint):
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_edtf("unknown")
        assert hint in refusal.value.messages[0]


def test_the_import_names_the_row_and_the_date_column():
    result = write_rows([(2, {"identifier": "mem-undated", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "date": "unknown"})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "date")]
    assert HINT in result.errors[0].message
    assert not Record.objects.exists()


def test_the_admin_shows_the_hint_by_the_date(dana, login):
    record = RecordFactory(status=Status.DRAFT, date_edtf="1950")
    response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]),
                                change_form_data(record, date_edtf="不明"))
    assert response.status_code == 200
    assert HINT in response.context["adminform"].form.errors["date_edtf"][0]
    assert Record.objects.get(pk=record.pk).date_edtf == "1950"
