"""A control character (Word's line break within a paragraph, a bell pasted from a terminal) in any text is refused
where it is typed or imported, naming where it is: stored, it would be a record no XLSX export, feed or citation
can carry."""

import pytest
from django.urls import reverse
from django.utils import translation

from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.writer import write_rows
from collection.models import Place, Record, Status

from .catalogue_rows import errors_of, memoir, numbered
from .factories import RecordFactory
from .roles import change_form_data, record_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("column", "value", "code"), [
    ("title_en", "Test line one\x0bline two", "U+000B"),  # Word's manual line break
    ("title_ja", "テスト\x07記録", "U+0007"),
    ("description_ru", "Тест\x1b[0m", "U+001B"),
    ("extent", "12\x0c p.", "U+000C"),
])
def test_an_imported_cell_holding_a_control_character_is_refused_naming_it(column, value, code):
    result = write_rows(numbered(memoir("mem-test-good"), memoir("mem-test-control", **{column: value})))
    assert errors_of(result) == [(3, column)]
    assert code in str(result.errors[0])
    assert not Record.objects.exists()


def test_tabs_and_line_breaks_are_not_control_characters_to_refuse():
    assert write_rows(numbered(memoir("mem-test-lines", description_en="Test line one\r\nline two\tand a tab"))).ok
    assert Record.objects.get().descriptions.get().text == "Test line one\nline two\tand a tab"


def test_the_refusal_is_worded_in_the_readers_language():
    with translation.override("ja"):
        result = write_rows(numbered(memoir("mem-test-control", title_en="Test\x0b")))
    message = str(result.errors[0])
    assert "U+000B" in message and "control character" not in message


def test_a_vocabulary_sheet_cell_holding_a_control_character_is_refused_naming_it():
    result = write_vocabulary("places", numbered(
        {"identifier": "place-test", "kind": "camp", "name_ja": "テスト", "name_en": "Test\x0bplace"}))
    assert [(error.row, error.column) for error in result.errors] == [(2, "name_en")]
    assert "U+000B" in str(result.errors[0])
    assert not Place.objects.exists()


def test_the_admin_refuses_a_title_holding_a_control_character_beside_the_field(dana, login):
    record = RecordFactory(status=Status.DRAFT, title="Test title")
    data = change_form_data(record, **{"titles-0-text": "Test\x0btitle"})
    response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]), data)
    assert response.status_code == 200
    assert "U+000B" in response.content.decode()
    assert record.titles.get().text == "Test title"


def test_the_admin_add_form_refuses_a_control_character_in_a_plain_field(dana, login):
    client = login(dana)
    response = client.post(reverse("admin:collection_record_add"), record_form(client, extent="12\x07 p."))
    assert response.status_code == 200
    assert "U+0007" in response.content.decode()
    assert not Record.objects.exists()
