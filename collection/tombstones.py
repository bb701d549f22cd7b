"""What a withdrawn or deleted record's URL says instead: 410 Gone, with a notice."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Record, ReservedIdentifier, Status


@dataclass(frozen=True)
class Tombstone:
    identifier: str
    date: datetime.datetime | None
    deleted: bool
    # Empty when the withdrawal or deletion hid it.
    title: str


def tombstone_for(identifier: str) -> Tombstone | None:
    """The notice for a withdrawn or deleted record's identifier; ``None`` for any other identifier."""
    record = Record.objects.filter(identifier=identifier, status=Status.WITHDRAWN).first()
    if record is not None:
        withdrawal = record.status_changes.withdrawals().first()
        hidden = withdrawal is not None and withdrawal.hide_title
        return Tombstone(
            identifier=identifier, date=withdrawal.at if withdrawal else record.modified, deleted=False,
            title="" if hidden else record.display_title(),
        )
    reserved = ReservedIdentifier.objects.filter(identifier=identifier, deleted_at__isnull=False).first()
    if reserved is not None:
        return Tombstone(
            identifier=identifier, date=reserved.deleted_at, deleted=True,
            title="" if reserved.hide_title else reserved.title,
        )
    return None


def tombstone_response(request: HttpRequest, identifier: str) -> HttpResponse | None:
    """A 410 response for a withdrawn or deleted record, else ``None``."""
    tombstone = tombstone_for(identifier)
    if tombstone is None:
        return None
    return render(request, "collection/tombstone.html", {"tombstone": tombstone}, status=410)
