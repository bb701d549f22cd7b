"""The synthetic-data generator: marked synthetic, searchable like real records, never mixed with the catalogue."""

import pytest
from django.core.management import CommandError, call_command

from collection.models import Record, RecordSearch, Status
from collection.search import refresh_search_index
from tests.factories import titled

pytestmark = pytest.mark.django_db


def test_generates_marked_records_with_the_sites_own_search_keys():
    call_command("generate_synthetic_records", 300, batch=120, verbosity=0)
    call_command("generate_synthetic_records", 50, verbosity=0)  # a second run adds to the first
    records = Record.objects.all()
    assert records.count() == 350
    assert not records.exclude(identifier__startswith="synthetic-").exists()
    assert records.filter(subjects__identifier="synthetic-data").distinct().count() == 350
    # Every record ever published has a (made-up) first publication, so the feed of new records can be timed.
    ever_published = records.filter(status__in=[Status.PUBLISHED, Status.WITHDRAWN])
    assert ever_published.exists() and not ever_published.filter(first_published__isnull=True).exists()
    assert not records.exclude(pk__in=ever_published).filter(first_published__isnull=False).exists()
    generated = dict(RecordSearch.objects.values_list("record_id", "document"))
    sample = list(records.values_list("pk", flat=True)[:40])
    refresh_search_index(sample)
    assert {pk: generated[pk] for pk in sample} == dict(
        RecordSearch.objects.filter(record_id__in=sample).values_list("record_id", "document"))


def test_refuses_a_database_with_catalogued_records():
    titled("Test catalogued record")
    with pytest.raises(CommandError, match="non-synthetic"):
        call_command("generate_synthetic_records", 10, verbosity=0)
    assert Record.objects.count() == 1
