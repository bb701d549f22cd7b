"""Pieces shared by the app's admin classes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from ..derivation import derive_forms
from ..search import reindex_after_save


class LabelInline(admin.TabularInline):
    extra = 1
    fields = ["language", "text", "form", "preferred", "our_translation", "machine_made", "source"]


class LabelledAdmin(SimpleHistoryAdmin):
    """Admin for an entry with multilingual labels; derives readings and romanizations on save."""

    label_model: Any = None
    label_owner_field = ""
    label_related_name = ""

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        derive_forms(getattr(obj, self.label_related_name).all(), self.label_model, {self.label_owner_field: obj})
        reindex_after_save(obj)


class RequireOneFormSet(BaseInlineFormSet):
    """An inline formset that needs at least one non-empty, non-deleted form."""

    empty_message = ""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")
        ]
        if not kept:
            from django.core.exceptions import ValidationError

            raise ValidationError(self.empty_message)
