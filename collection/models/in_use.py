"""Vocabulary entries that records name cannot be deleted.

Deleting a place, subject or language of the material would silently take it off
every record naming it, a published one included, and no record's history would
show the change, so no revert could bring it back. An agent is kept by its
protected links (``RecordAgent.agent``); a place, subject or language is named
through a plain many-to-many link, which would cascade, so its deletion asks here
first, whatever deletes it:
the model, a queryset, the admin's pages. A deletion that goes round them (the base
manager's queryset, a plain ``QuerySet``, a cascade some later model might add) is
caught by :func:`guard_deletion` as it is about to be written.

The link's foreign keys stay ``CASCADE``: the links are the many-to-many fields'
own tables, whose ``on_delete`` Django does not let a model choose, and an explicit
link model would take the fields off the record's admin form (the admin shows no
field whose link is a model of its own) and rename their history. In the database
the keys have no ``ON DELETE``, so a delete in SQL is refused there.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import connections, models, router, transaction
from django.db.models.deletion import ProtectedError
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

# Records named in a refusal's message; the error itself carries them all.
NAMED_IN_MESSAGE = 10

# The models whose entries the deletion under way has checked (each deletes entries of its model only, none of
# which can cascade to another entry of it: a parent or broader entry is protected).
_checked: ContextVar[frozenset[type[models.Model]]] = ContextVar("collection_deletion_checked", default=frozenset())


class NamedByRecordsQuerySet(models.QuerySet):
    """Entries named by records through ``Record.<record_field>``."""

    record_field = ""

    def records_naming(self) -> models.QuerySet:
        """The records, of any status (drafts and withdrawn ones too), that name any of these entries."""
        from .records import Record

        field = Record._meta.get_field(self.record_field)
        links = field.remote_field.through.objects.filter(
            **{f"{field.m2m_reverse_field_name()}__in": self.values("pk")})
        return Record.objects.filter(pk__in=links.values(field.m2m_field_name()))

    def refuse_deletion_if_named(self) -> None:
        """Raise ``ProtectedError`` with the records naming any of these entries, if there are any.

        Call it in the transaction that deletes them: the entries stay locked until it ends, where the
        database can lock, so a record linked to one meanwhile either comes first and is seen here, or waits
        and then fails its link's foreign key.
        """
        if connections[self.db].features.has_select_for_update:
            list(self.model._base_manager.using(self.db).filter(pk__in=self.values("pk"))
                 .select_for_update().values_list("pk", flat=True))
        records = list(self.records_naming().prefetch_related("titles"))
        if records:
            named = ", ".join(record.identifier for record in records[:NAMED_IN_MESSAGE])
            if len(records) > NAMED_IN_MESSAGE:
                named += " …"
            raise ProtectedError(
                _("Records name these entries, so they cannot be deleted: %(records)s. Take the entries off "
                  "the records first.") % {"records": named},
                set(records),
            )

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the entries, unless a record names one of them (see the module's docstring)."""
        with transaction.atomic(using=self.db):
            self.refuse_deletion_if_named()
            token = _checked.set(_checked.get() | {self.model})
            try:
                return super().delete()
            finally:
                _checked.reset(token)

    delete.alters_data = True
    delete.queryset_only = True


class NamedByRecordsModel(models.Model):
    """An entry whose own deletion is refused while a record names it, as its queryset's is."""

    class Meta:
        abstract = True

    def delete(self, using: str | None = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            type(self)._default_manager.using(using).filter(pk=self.pk).refuse_deletion_if_named()
            token = _checked.set(_checked.get() | {type(self)})
            try:
                return super().delete(using=using, keep_parents=keep_parents)
            finally:
                _checked.reset(token)


def _refuse_unchecked_deletion(sender: type[models.Model], instance: models.Model, using: str,
                               **kwargs: object) -> None:
    if sender not in _checked.get():
        sender._default_manager.using(using).filter(pk=instance.pk).refuse_deletion_if_named()


def guard_deletion(model: type[NamedByRecordsModel]) -> None:
    """Refuse every deletion of ``model``'s entries that records name, the ones that do not ask first too.

    Django sends ``pre_delete`` for each entry it is about to delete, within the deletion's
    transaction, whichever queryset or cascade collected it: one unchecked entry refused
    undoes the whole deletion, and the transaction it is in. Entries deleted through the
    model or its manager were checked together beforehand, and are not asked again one by
    one.
    """
    pre_delete.connect(_refuse_unchecked_deletion, sender=model, weak=False,
                       dispatch_uid=f"collection.in_use.{model._meta.label_lower}")
