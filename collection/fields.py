"""Model fields that store text NFC-normalized with ``\n`` line breaks, whatever path writes it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.db import models

from .text import stored_form
from .validators import validate_http_url, validate_no_control_character


class StoredTextFormField(forms.CharField):
    """A form's text in its stored form, so that a text box sent back unchanged is not taken for a change; one
    holding a control character is refused beside its field."""

    default_validators = [validate_no_control_character]

    def to_python(self, value: Any) -> Any:
        return stored_form(super().to_python(value))


class NFCMixin:
    """Normalize (:func:`collection.text.stored_form`) in forms, on assignment from forms, on save (also bulk)
    and in lookups."""

    def to_python(self, value: Any) -> Any:
        return stored_form(super().to_python(value))  # type: ignore[misc]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = stored_form(getattr(model_instance, self.attname))  # type: ignore[attr-defined]
        setattr(model_instance, self.attname, value)  # type: ignore[attr-defined]
        return value

    def get_prep_value(self, value: Any) -> Any:
        return stored_form(super().get_prep_value(value))  # type: ignore[misc]

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", StoredTextFormField)
        return super().formfield(**kwargs)  # type: ignore[misc]


class NFCCharField(NFCMixin, models.CharField):
    pass


class NFCTextField(NFCMixin, models.TextField):
    pass


class HttpURLField(models.URLField):
    """A URL restricted to http and https (no ``javascript:``, ``data:`` or ``file:``)."""

    default_validators = [validate_http_url]

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("assume_scheme", "https")
        field = super().formfield(**kwargs)
        if isinstance(field, forms.URLField):
            field.default_validators = self.default_validators
            field.validators = [v for v in field.validators if not isinstance(v, URLValidator)]
            field.validators.extend(self.default_validators)
        return field
