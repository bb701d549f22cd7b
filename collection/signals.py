"""Keep a deleted record's identifier reserved, with what its tombstone shows."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from .models import Record, ReservedIdentifier


@receiver(pre_delete, sender=Record)
def retire_identifier(sender: type[Record], instance: Record, **kwargs: Any) -> None:
    # Only what was public may be shown: the titles as they were when the record was last
    # published (a draft reopened for revision may carry titles the public never saw), in
    # every language, so the notice can pick the page's. None for a record never published.
    titles = instance.last_public_titles()
    reserved = ReservedIdentifier.objects.filter(identifier=instance.identifier).first()
    if reserved is None:
        reserved = ReservedIdentifier(identifier=instance.identifier)
    reserved.deleted_at = timezone.now()
    reserved.keep_titles(titles)
    # A record that was never public keeps its title off the 410 notice.
    reserved.hide_title = not instance.was_ever_published()
    reserved.save()
