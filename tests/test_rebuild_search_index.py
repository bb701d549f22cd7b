"""Rebuilding the search keys of a database whose keys an earlier version made."""

import pytest
from django.core.management import call_command

from collection.models import Record, RecordSearch
from collection.search import search_condition
from tests.factories import titled

pytestmark = pytest.mark.django_db


def test_the_command_brings_stale_search_keys_up_to_date(client, capsys):
    record = titled("Test Kuznetsov memoir", container_title="Test Gazette")
    # Keys as an earlier version left them: the container title was not searched.
    RecordSearch.objects.filter(record=record).update(document=" test kuznetsov memoir ")
    assert not Record.objects.published().filter(search_condition("gazette")).exists()

    call_command("rebuild_search_index")

    assert list(Record.objects.published().filter(search_condition("gazette"))) == [record]
    listed = client.get("/en/records/", {"q": "gazette"}).context["records"]
    assert [r.identifier for r in listed] == [record.identifier]
    assert "Search keys of 1 record rebuilt" in capsys.readouterr().out
