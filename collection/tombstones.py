"""What a record's URL says once the record is no longer public: a notice instead of the page.

A withdrawn or deleted record answers 410 Gone. A record that was published and is
back in draft or review (reopened for revision) answers 404 with a notice: it is
expected back under the same identifier, which 410 would deny, and citations of
its URL should not be dropped. A record that was never public answers a bare 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from .models import Record, ReservedIdentifier, Status, StatusChange, pick_label


@dataclass(frozen=True)
class Tombstone:
    identifier: str
    # When the record left publication, as harvesters are told (``ReservedIdentifierQuerySet.left_publication``):
    # its latest withdrawal, or its deletion. None for a record in revision, whose notice gives no date.
    date: datetime.datetime | None
    deleted: bool
    # Empty when the withdrawal or deletion hid it, and always for a record in revision. Otherwise the
    # title in the page's language among those the record had when it was last public, never a later edit.
    title: str
    # The BCP 47 tag of the title shown; blank for a title kept before deletions kept the tag.
    title_language: str = ""
    # Published before, now back in draft or review: only the identifier is shown.
    in_revision: bool = False

    @property
    def status_code(self) -> int:
        return 404 if self.in_revision else 410

    @property
    def state(self) -> str:
        return "in_revision" if self.in_revision else "deleted" if self.deleted else "withdrawn"

    def public_facts(self) -> dict[str, Any]:
        """What the notice shows, for the JSON API: never a hidden title."""
        facts: dict[str, Any] = {"identifier": self.identifier, "status": self.state}
        if self.title:
            facts["title"] = self.title
            if self.title_language:
                facts["title_language"] = self.title_language
        if self.date:
            facts["date"] = self.date.isoformat()
        return facts


def tombstone_for(identifier: str, language: str | None = None) -> Tombstone | None:
    """The notice for a withdrawn or deleted record's identifier, or for a once-published record now in
    revision; ``None`` for any other identifier, a record that was never published among them.

    Which identifiers have a notice, and the date it gives, are those harvesters are told of
    (``ReservedIdentifier.objects.known_to_the_public()``, not public now): a notice dates a record's
    leaving by the rule OAI-PMH dates its deleted header by (``ReservedIdentifierQuerySet.left_publication``).
    The title is picked in ``language`` (the active language when not given) as the public pages pick it,
    among the titles the record had when it was last public.
    """
    if language is None:
        language = get_language()
    # Whether the latest withdrawal hid the title: read in the same query.
    hidden_by_withdrawal = StatusChange.objects.filter(record_id=OuterRef("record_id")).withdrawals().values(
        "hide_title")[:1]
    reserved = (
        ReservedIdentifier.objects.known_to_the_public().filter(identifier=identifier, public=False)
        .select_related("record").annotate(hidden_by_withdrawal=Subquery(hidden_by_withdrawal)).first()
    )
    if reserved is None:
        return None  # published, never public (a draft, a record an import made withdrawn), or never given
    record = reserved.record
    if record is not None and record.status != Status.WITHDRAWN:
        return Tombstone(identifier=identifier, date=None, deleted=False, title="", in_revision=True)
    if record is not None:
        label = None if reserved.hidden_by_withdrawal else pick_label(record.last_public_titles(), language)
    else:
        label = None if reserved.hide_title else pick_label(reserved.public_titles(), language)
    return Tombstone(
        identifier=identifier, date=reserved.datestamp, deleted=record is None,
        title=label.text if label else "", title_language=label.language if label else "",
    )


def identifier_as_given(identifier: str) -> str | None:
    """The identifier as given to a record, where ``identifier`` differs from it only in letter case and
    its URL answers the public (a published record, or the notice of one no longer public); else ``None``.

    Identifiers are one whatever their case, so a link typed in another case still leads to its record; one
    the public may not know of stays unknown in any case.
    """
    given = ReservedIdentifier.objects.given(identifier)
    if given is None or given == identifier:
        return None
    if Record.objects.published().filter(identifier=given).exists() or tombstone_for(given) is not None:
        return given
    return None


def tombstone_response(request: HttpRequest, identifier: str) -> HttpResponse | None:
    """The notice of a record no longer public (410, or 404 while in revision), else ``None``."""
    tombstone = tombstone_for(identifier)
    if tombstone is None:
        return None
    return render(request, "collection/tombstone.html", {"tombstone": tombstone}, status=tombstone.status_code)
