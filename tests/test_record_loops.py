"""Records of a sheet that would end up inside themselves: each row on the loop is told which records make it."""

import pytest
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record

from .catalogue_rows import memoir, numbered

pytestmark = pytest.mark.django_db


def parent_errors(result) -> list[tuple[int, str]]:
    return [(error.row, error.message) for error in result.errors if error.column == "parent"]


def test_two_records_naming_each_other_are_told_they_would_each_be_part_of_the_other():
    result = write_rows(numbered(memoir("mem-1", parent="mem-2"), memoir("mem-2", parent="mem-1")))
    assert parent_errors(result) == [(2, "mem-1 and mem-2 would each be part of the other."),
                                     (3, "mem-2 and mem-1 would each be part of the other.")]
    assert not Record.objects.exists()


def test_a_stored_record_moved_under_its_own_part_is_told_so():
    write_rows(numbered(memoir("mem-1"), memoir("mem-2", parent="mem-1")))
    result = write_rows(numbered({"identifier": "mem-1", "parent": "mem-2"}))
    assert parent_errors(result) == [(2, "mem-1 and mem-2 would each be part of the other.")]
    assert Record.objects.get(identifier="mem-1").parent is None


def test_a_longer_loop_is_named_record_by_record():
    result = write_rows(numbered(memoir("mem-1", parent="mem-2"), memoir("mem-2", parent="mem-3"),
                                 memoir("mem-3", parent="mem-1"), memoir("mem-4", parent="mem-1")))
    assert parent_errors(result) == [
        (2, "mem-1 would be part of itself, each record part of the next: mem-1 → mem-2 → mem-3 → mem-1."),
        (3, "mem-2 would be part of itself, each record part of the next: mem-2 → mem-3 → mem-1 → mem-2."),
        (4, "mem-3 would be part of itself, each record part of the next: mem-3 → mem-1 → mem-2 → mem-3."),
    ]


def test_a_record_naming_itself_is_told_it_cannot_be_part_of_itself():
    result = write_rows(numbered(memoir("mem-1", parent="mem-1")))
    assert parent_errors(result) == [(2, "A record cannot be part of itself.")]


@pytest.mark.parametrize(("language", "two", "three"), [
    ("ja", "mem-1 と mem-2 が互いに相手の下位になってしまいます。",
     "mem-1 が自身の下位になってしまいます（各資料が次の資料の下位）：mem-1 → mem-2 → mem-3 → mem-1。"),
    ("ru", "Записи mem-1 и mem-2 вошли бы друг в друга.",
     "Запись mem-1 вошла бы сама в себя (каждая запись входит в следующую): mem-1 → mem-2 → mem-3 → mem-1."),
])
def test_the_loop_is_told_in_the_users_language(language, two, three):
    with translation.override(language):
        pair = write_rows(numbered(memoir("mem-1", parent="mem-2"), memoir("mem-2", parent="mem-1")))
        ring = write_rows(numbered(memoir("mem-1", parent="mem-2"), memoir("mem-2", parent="mem-3"),
                                   memoir("mem-3", parent="mem-1")))
    assert parent_errors(pair)[0] == (2, two)
    assert parent_errors(ring)[0] == (2, three)
