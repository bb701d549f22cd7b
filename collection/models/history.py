"""The change history every curated model keeps (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_m2m_records, pre_create_historical_m2m_records


class ChangeHistory(HistoricalRecords):
    """``HistoricalRecords`` that copies a save's many-to-many links in one query per field.

    simple-history reads the saved object back from its new history row once per
    many-to-many field (a query each when a field is excluded from the history, as
    a record's ``first_published`` is) and loads every linked object to copy its
    key. A record's history keeps three such fields and is written on every save
    and every change of its links, so the admin, the workflow and the importers
    paid for six reads where three do. The rows written, and the signals sent
    around them, are the same.
    """

    def create_historical_record_m2ms(self, history_instance: models.Model, instance: models.Model) -> None:
        for field in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[field]
            through = field.remote_field.through
            attnames = [through_field.attname for through_field in through._meta.concrete_fields]
            links = through._default_manager.filter(**{field.m2m_field_name(): instance}).values_list(*attnames)
            rows = [m2m_history_model(history=history_instance, **dict(zip(attnames, link, strict=True)))
                    for link in links]
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model, rows=rows, history_instance=history_instance, instance=instance,
                field=field,
            )
            created_rows = m2m_history_model.objects.bulk_create(rows)
            post_create_historical_m2m_records.send(
                sender=m2m_history_model, created_rows=created_rows, history_instance=history_instance,
                instance=instance, field=field,
            )


def change_history(**options: Any) -> HistoricalRecords:
    """``ChangeHistory`` whose change reason holds text of any length.

    A reason is a workflow comment or a file's name, as long as a person makes it:
    simple-history's default ``varchar(100)`` refuses a longer one on PostgreSQL. The
    field is given here, not by the site's ``SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD``,
    so that the app's migrations are the same whatever the site sets.
    """
    return ChangeHistory(history_change_reason_field=models.TextField(null=True), **options)
