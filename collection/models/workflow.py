"""The log of a record's editorial workflow: every status change, by whom and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .records import Record, Status


class StatusChangeQuerySet(models.QuerySet):
    def submissions(self) -> StatusChangeQuerySet:
        """Changes that put a record under review, newest first."""
        return self.filter(to_status=Status.REVIEW).order_by("-at", "-pk")

    def withdrawals(self) -> StatusChangeQuerySet:
        """Withdrawals, newest first."""
        return self.filter(to_status=Status.WITHDRAWN).order_by("-at", "-pk")


class StatusChange(models.Model):
    """One transition of one record.

    The identifier is copied so that the log outlives a permanently deleted record.
    """

    record = models.ForeignKey(
        Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="status_changes",
        verbose_name=_("record"),
    )
    identifier = models.CharField(_("identifier"), max_length=64, db_index=True)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    hide_title = models.BooleanField(
        _("hide title"), default=False,
        help_text=_("For a withdrawal: keep the title off the public notice (for privacy)."),
    )

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["record", "to_status", "at"])]
        permissions = [
            ("publish_own_record", _("Can publish records they submitted themselves")),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.from_status or '∅'} → {self.to_status}"
