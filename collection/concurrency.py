"""Optimistic locking: a save based on an outdated copy of an entry is refused, never merged.

An entry with a ``version`` that every save bumps (:class:`VersionedModel`: records,
agents, places, subjects) refuses a save from an outdated copy; its admin change form
(:class:`VersionCheckedForm`) carries the version it was opened at and refuses a
save from an outdated page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class StaleRecord(Exception):
    """Someone else saved the entry since this copy of it was read."""


def last_change(record: Any) -> tuple[Any, Any]:
    """Who last changed ``record`` and when, from its history: ``(user or None, datetime or None)``."""
    latest = record.history.select_related("history_user").order_by("-history_id").first()
    if latest is None:
        return None, None
    return latest.history_user, latest.history_date


def last_change_words(record: Any) -> dict[str, str]:
    """The record's identifier, who last changed it and when, as a message names them."""
    from .history import user_name

    user, when = last_change(record)
    return {
        "identifier": record.identifier,
        "user": user_name(user) if user else _("someone"),
        "when": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else _("recently"),
    }


def stale_message(record: Any) -> str:
    """Tell the person whose save was refused who changed the entry, and when."""
    names = last_change_words(record)
    # Not starting with the identifier: the admin capitalizes the first letter of every message.
    return _(
        "Your changes were not saved: %(identifier)s was changed by %(user)s at %(when)s after you opened it, "
        "and their changes were kept. Open it again to see them, then make your changes anew."
    ) % names


def stale_revert_message(entry: Any) -> str:
    """Tell the person whose revert was refused that nothing was reverted, who changed the entry since, and when.

    They typed nothing: the plain stale message's changes to make anew would be none of theirs.
    """
    return _(
        "Nothing was reverted: %(identifier)s was changed by %(user)s at %(when)s after you opened its history. "
        "Open the history again to see that change, then choose the version anew."
    ) % last_change_words(entry)


class VersionedModel(models.Model):
    """An entry whose every save bumps ``version``; a save from an outdated copy raises :class:`StaleRecord`."""

    version = models.PositiveIntegerField(pgettext_lazy("how many times an entry was saved", "version"), default=1,
                                          editable=False)

    class Meta:
        abstract = True

    @transaction.atomic
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.claim_version()
        super().save(*args, **kwargs)

    def claim_version(self) -> None:
        """Bump ``version`` if it is still the one this copy was read with, else raise :class:`StaleRecord`.

        The conditional UPDATE holds the row lock until the save commits, so of two
        saves from the same version exactly one wins: no edit is silently lost.
        """
        claimed = type(self)._base_manager.filter(pk=self.pk, version=self.version).update(version=F("version") + 1)
        if not claimed and type(self)._base_manager.filter(pk=self.pk).exists():
            raise StaleRecord(stale_message(self))
        self.version += 1


def check_loaded_version(instance: VersionedModel, loaded_version: int | None) -> None:
    """Raise ``ValidationError`` unless ``instance`` is still at the version its change form was opened at."""
    if not instance.pk:
        return
    # Locked until the change form's transaction ends: no save can slip in between check and write.
    current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk).values_list(
        "version", flat=True
    ).first()
    if loaded_version != current:
        raise ValidationError(stale_message(instance), code="stale")


class VersionCheckedForm(forms.ModelForm):
    """A change form that carries the version it was opened at and refuses a save from an outdated page.

    The admin saves the entry with every change, its inlines' alone included, so
    that change moves the version too.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_loaded_version(self.instance, cleaned.get("loaded_version"))
        return cleaned
