"""Keep a deleted record's identifier reserved, with what its tombstone shows; rewrite the ready export rows a
change drops."""

from __future__ import annotations

from typing import Any

from django.apps import apps
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
    # One moment for the deletion: the history row it writes and the date its notice and harvesters give.
    reserved.deleted_at = instance._history_date = getattr(instance, "_history_date", None) or timezone.now()
    reserved.keep_titles(titles)
    # A record that was never public keeps its title off the 410 notice.
    reserved.hide_title = not instance.was_ever_published()
    reserved.save()


@receiver(post_delete, sender=Record)
def date_deletion_for_harvesters(sender: type[Record], instance: Record, **kwargs: Any) -> None:
    # Once the record is gone and its history has the deletion: a record once public is listed as deleted since.
    ReservedIdentifier.objects.filter(identifier=instance.identifier).restamp()


def rewrite_dropped_export_rows(sender: Any, using: str = "default", raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        queue_refresh(using)


def rewrite_export_rows_of_links(sender: Any, action: str, using: str = "default", **kwargs: Any) -> None:
    if action.startswith("post_"):
        queue_refresh(using)


# The database's triggers drop the ready rows a change makes stale, whatever makes it; these queue their
# rewriting after the changes made through the models. The writer of imports saves in bulk, without signals,
# and queues its own task. Each receiver names its sender: a receiver of every model's deletions would keep
# Django from deleting any model's rows in one statement.
for model in apps.get_app_config("collection").get_models(include_auto_created=True):
    if not shown_in_rows(model):
        continue
    if model._meta.auto_created:  # the table of a many-to-many link
        m2m_changed.connect(rewrite_export_rows_of_links, sender=model, dispatch_uid=f"export_rows_{model.__name__}")
    else:
        post_save.connect(rewrite_dropped_export_rows, sender=model, dispatch_uid=f"export_rows_{model.__name__}")
        post_delete.connect(rewrite_dropped_export_rows, sender=model, dispatch_uid=f"export_rows_{model.__name__}")
