"""A change reason is as long as a person makes it: a workflow comment, a file's name."""

import pytest
from django.apps import apps
from django.db import models

from collection import reasons
from collection.catalogue.writer import write_rows
from collection.models import Record, Status
from collection.workflow import change_status
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db

COMMENT = "Test: returned for a second look at the dates of the camp and the spelling of the names. " * 4


def test_every_history_keeps_a_reason_of_any_length():
    histories = [model for model in apps.get_app_config("collection").get_models()
                 if model.__name__.startswith("Historical") and hasattr(model, "history_change_reason")]
    assert len(histories) >= 12
    for model in histories:
        assert isinstance(model._meta.get_field("history_change_reason"), models.TextField), model.__name__


# SQLite does not enforce a column's length: the two tests below fail on PostgreSQL (which CI runs) without a text
# column; the first test checks the field itself on any database.


def test_a_long_workflow_comment_is_kept_whole():
    record = RecordFactory(status=Status.DRAFT)
    change_status(record, None, Status.REVIEW, comment=COMMENT)
    assert record.history.order_by("-history_id").first().history_change_reason == COMMENT


def test_an_import_of_a_file_with_a_long_name_keeps_its_name():
    name = "test-catalogue-of-the-memoirs-of-internees-in-the-camps-of-the-primorye-region-1945-1949-final.csv"
    rows = [(2, {"identifier": "mem-test-long", "kind": "memoir", "status": "draft", "title_en": "Test"})]
    assert write_rows(rows, source=reasons.import_of(name)).ok
    stored = Record.objects.get().history.get().history_change_reason
    assert reasons.describe(stored) == f"import of {name}"
