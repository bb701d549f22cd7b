"""No lost edits: of two people saving the same record from the same version, the second is refused."""

import pytest
from django.urls import reverse

from collection.concurrency import StaleRecord
from collection.models import Record, Status, Title

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


@pytest.fixture
def record():
    return RecordFactory(status=Status.DRAFT, title="Original test title")


def test_second_save_of_main_fields_is_refused_naming_who_and_when(record, alice, bob, login):
    opened_by_alice = change_form_data(record, date_display="alice's date")
    opened_by_bob = change_form_data(record, date_display="bob's date")
    assert login(alice).post(change_url(record), opened_by_alice).status_code == 302
    response = login(bob).post(change_url(record), opened_by_bob)
    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed by Alice at" in page
    assert "Your changes were not saved" in page
    assert Record.objects.get(pk=record.pk).date_display == "alice's date"


def test_second_save_of_an_inline_title_is_refused(record, alice, bob, login):
    opened_by_alice = change_form_data(record, **{"titles-0-text": "Alice's test title"})
    opened_by_bob = change_form_data(record, **{"titles-0-text": "Bob's test title"})
    login(alice).post(change_url(record), opened_by_alice)
    response = login(bob).post(change_url(record), opened_by_bob)
    assert "was changed by Alice" in response.content.decode()
    assert list(Title.objects.filter(record=record).values_list("text", flat=True)) == ["Alice's test title"]


def test_inline_only_change_also_moves_the_version(record, alice, bob, login):
    """Alice changed only a title; Bob, who opened the page before, may not overwrite the record's fields."""
    opened_by_bob = change_form_data(record, date_display="bob's date")
    login(alice).post(change_url(record), change_form_data(record, **{"titles-0-text": "Alice's test title"}))
    login(bob).post(change_url(record), opened_by_bob)
    assert Record.objects.get(pk=record.pk).date_display == ""


def test_a_transition_in_between_also_makes_the_page_stale(record, alice, bob, login):
    opened_by_bob = change_form_data(record, date_display="bob's date")
    record.submit(alice)
    login(bob).post(change_url(record), opened_by_bob)
    assert Record.objects.get(pk=record.pk).date_display == ""


def test_saving_again_after_reopening_works(record, alice, login):
    client = login(alice)
    client.post(change_url(record), change_form_data(record, date_display="first"))
    assert client.post(change_url(record), change_form_data(record, date_display="second")).status_code == 302
    assert Record.objects.get(pk=record.pk).date_display == "second"


def test_a_post_without_the_version_is_refused(record, alice, login):
    data = change_form_data(record, date_display="no version")
    del data["loaded_version"]
    login(alice).post(change_url(record), data)
    assert Record.objects.get(pk=record.pk).date_display == ""


def test_model_save_from_a_stale_copy_raises(record, alice):
    first, second = Record.objects.get(pk=record.pk), Record.objects.get(pk=record.pk)
    first.date_display = "first"
    first._history_user = alice
    first.save()
    second.date_display = "second"
    with pytest.raises(StaleRecord, match="changed by Alice"):
        second.save()
    assert Record.objects.get(pk=record.pk).date_display == "first"
