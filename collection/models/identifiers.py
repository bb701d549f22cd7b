"""Stable, human-readable identifiers, used in URLs, spreadsheets and citations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import validate_identifier


class IdentifiedModel(models.Model):
    """An entry with an identifier that is set once and never changed."""

    identifier_prefix = "id"

    identifier = models.CharField(
        _("identifier"), max_length=64, unique=True, blank=True, validators=[validate_identifier],
        help_text=_("Permanent; left blank, one is generated. It can never be changed."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self.identifier:
            self.identifier = self.next_identifier()
        elif self.pk:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("identifier", flat=True).first()
            if stored and stored != self.identifier:
                raise ValueError(f"The identifier {stored!r} can never be changed.")
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        super().clean_fields(exclude)
        if self.pk and "identifier" not in (exclude or set()):
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("identifier", flat=True).first()
            if stored and stored != self.identifier:
                raise ValidationError({"identifier": _("An identifier can never be changed.")})

    def next_identifier(self) -> str:
        model = type(self)
        prefix = self.get_identifier_prefix()
        count = model._base_manager.filter(identifier__startswith=f"{prefix}-").count()
        while True:
            count += 1
            candidate = f"{prefix}-{count:06d}"
            if not model._base_manager.filter(identifier=candidate).exists() and not self.identifier_taken(
                candidate
            ):
                return candidate

    def get_identifier_prefix(self) -> str:
        return self.identifier_prefix

    def identifier_taken(self, identifier: str) -> bool:
        return False
