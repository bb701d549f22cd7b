"""Catalogue spreadsheets uploaded in the admin, from preview to import."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for the preview")
    PREVIEWING = "previewing", _("preparing the preview")
    PREVIEWED = "previewed", _("previewed, waiting for confirmation")
    INVALID = "invalid", _("refused: the file has errors")
    CONFIRMED = "confirmed", _("confirmed, waiting to be imported")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    STALE = "stale", _("not imported: the catalogue changed after the preview")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    """One uploaded file, a records or a vocabulary sheet: its bytes, the preview of what importing it would do,
    and the outcome.

    The file is kept so that confirming imports exactly the bytes that were
    previewed; ``fingerprint`` records the state of the catalogue the preview saw.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                             verbose_name=_("imported by"))
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    # Which sheet the file is: "" for records, else the vocabulary (places, subjects, agents).
    vocabulary = models.CharField(_("vocabulary"), max_length=20, blank=True, default="")
    data = models.BinaryField(_("file contents"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=ImportJobStatus.choices,
                              default=ImportJobStatus.QUEUED)
    background = models.BooleanField(_("run in the background"), default=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    fingerprint = models.CharField(_("state of the catalogue previewed"), max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    # Each problem worded in every language the app speaks ({"en": …, "ja": …}), as the job's file is not kept to
    # word it again: whoever opens the job reads it in theirs.
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportJobStatus.PREVIEWED, ImportJobStatus.INVALID, ImportJobStatus.DONE,
                               ImportJobStatus.STALE, ImportJobStatus.FAILED}

    def errors_in(self, language: str | None = None) -> list[str]:
        """The job's problems in ``language`` (the active one by default), else in English, in which they were
        written; a problem stored in one language only, as it was."""
        language = (language or get_language() or "en").lower()
        wanted = (language, language.split("-")[0], "en")
        worded = []
        for problem in self.errors:
            if isinstance(problem, dict):
                problem = next((problem[code] for code in wanted if code in problem), next(iter(problem.values())))
            worded.append(problem)
        return worded

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.rows_done / self.row_count)) if self.row_count else 0
