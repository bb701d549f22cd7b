"""Keep a deleted record's identifier reserved, with what its tombstone shows."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from .models import Record, ReservedIdentifier


@receiver(pre_delete, sender=Record)
def retire_identifier(sender: type[Record], instance: Record, **kwargs: Any) -> None:
    ReservedIdentifier.objects.update_or_create(
        identifier=instance.identifier,
        defaults={
            "deleted_at": timezone.now(),
            "title": instance.display_title(),
            # A record that was never public keeps its title off the 410 notice.
            "hide_title": not instance.was_ever_published(),
        },
    )
