"""The changelist's export as a catalogue manager in Tokyo or Moscow downloads it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import RecordFactory
from .roles import dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Moscow"])
@pytest.mark.parametrize(("url", "file_format"), [
    ("admin:collection_record_export", "csv"),
    ("admin:collection_record_export", "xlsx"),
    ("admin:collection_place_export", "csv"),
])
def test_an_export_is_named_by_the_sites_clock_not_by_utc(
        dana, login, settings, monkeypatch, zone, url, file_format):  # noqa: F811
    settings.TIME_ZONE = zone
    RecordFactory(identifier="test-1")
    moment = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    response = login(dana).get(reverse(url, args=[file_format]))
    local = {"Asia/Tokyo": "20261130-0830", "Europe/Moscow": "20261130-0230"}[zone]
    assert f"-{local}.{file_format}" in response["Content-Disposition"]
