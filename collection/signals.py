"""Keep a deleted record's identifier reserved, with what its tombstone shows; rewrite the ready export rows a
change drops."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from .catalogue.export_lines import queue_refresh, shown_in_rows
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


# The database's triggers drop the ready rows a change makes stale, whatever makes it; these queue their
# rewriting after the changes made through the models. The writer of imports saves in bulk, without signals,
# and queues its own task.
@receiver(post_save, dispatch_uid="collection_export_rows_saved")
@receiver(post_delete, dispatch_uid="collection_export_rows_deleted")
def rewrite_dropped_export_rows(sender: Any, using: str = "default", raw: bool = False, **kwargs: Any) -> None:
    if not raw and shown_in_rows(sender):
        queue_refresh(using)


@receiver(m2m_changed, dispatch_uid="collection_export_rows_linked")
def rewrite_export_rows_of_links(sender: Any, action: str, using: str = "default", **kwargs: Any) -> None:
    if action.startswith("post_") and shown_in_rows(sender):
        queue_refresh(using)
