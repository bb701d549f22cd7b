"""A text's line breaks are stored as ``\\n`` whichever way a browser or office software sends them, so that a
text that went through a form or a spreadsheet program compares equal to itself."""

import pytest
from django.urls import reverse

from collection.catalogue.export import catalogue_rows, cells_of, record_columns
from collection.catalogue.writer import write_rows
from collection.models import Description, Record

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db

TYPED = "一行目\r\n二行目\rthird line"
STORED = "一行目\n二行目\nthird line"


def description_form(record, text: str) -> dict:
    """The change form's data with one description added, as a browser sends a text box (CRLF)."""
    return change_form_data(record, **{
        "descriptions-TOTAL_FORMS": 1, "descriptions-0-language": "ja", "descriptions-0-text": text,
        "descriptions-0-record": record.pk})


def exported_row(record) -> dict[str, str]:
    [cells] = list(cells_of(catalogue_rows(Record.objects.filter(pk=record.pk), ready_lines=True)))
    return dict(zip(record_columns(), cells, strict=True))


def test_a_description_typed_in_the_admin_is_stored_with_newlines(admin_client):
    record = RecordFactory()
    page = admin_client.post(reverse("admin:collection_record_change", args=[record.pk]),
                             description_form(record, TYPED))
    assert page.status_code == 302, page.context and page.context["errors"]
    assert Description.objects.get(record=record).text == STORED


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_a_sheet_saved_again_by_office_software_imports_unchanged(admin_client, line_break):
    """The admin stored what the browser sent; a spreadsheet program saves the cell's breaks its own way."""
    record = RecordFactory()
    admin_client.post(reverse("admin:collection_record_change", args=[record.pk]), description_form(record, TYPED))
    row = exported_row(record)
    assert row["description_ja"] == STORED
    row["description_ja"] = STORED.replace("\n", line_break)

    result = write_rows([(2, row)])

    assert not result.errors
    assert sum(result.unchanged.values()) == 1 and not sum(result.updated.values())
    assert Description.objects.get(record=record).text == STORED


def test_an_imported_text_is_stored_with_newlines():
    result = write_rows([(2, {"identifier": "mem-line-breaks", "kind": "memoir", "status": "draft",
                              "title_en": "Letters", "description_en": "First\r\nsecond\rthird"})])
    assert not result.errors
    assert Description.objects.get(record__identifier="mem-line-breaks").text == "First\nsecond\nthird"


def test_a_text_box_sent_back_untouched_is_no_change(admin_client):
    """The browser sends the stored text with CRLF: the admin's history does not call it a change."""
    from django.contrib.admin.models import LogEntry

    record = RecordFactory()
    url = reverse("admin:collection_record_change", args=[record.pk])
    admin_client.post(url, description_form(record, TYPED))
    description = Description.objects.get(record=record)
    untouched = change_form_data(record, **{
        "descriptions-TOTAL_FORMS": 1, "descriptions-INITIAL_FORMS": 1, "descriptions-0-id": description.pk,
        "descriptions-0-record": record.pk, "descriptions-0-language": "ja",
        "descriptions-0-text": STORED.replace("\n", "\r\n"), "date_display": "1945"})

    assert admin_client.post(url, untouched).status_code == 302

    entry = LogEntry.objects.filter(object_id=str(record.pk)).latest("pk")
    assert "Date as written" in entry.get_change_message() or "date as written" in entry.get_change_message()
    assert "description" not in entry.get_change_message().lower()
