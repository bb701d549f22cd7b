"""Autocomplete choices that tell apart entries of one name (two places called Taishet).

Django's autocomplete names a result by ``str()``, the name alone. The app's admins
ask their own view instead, which names a result as the chosen entry's admin
does in ``choice_text`` (with its identifier, a place with the place it lies in);
other admins of the site keep Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.http import HttpRequest, HttpResponse
from django.urls import path


class ChoiceAutocompleteView(AutocompleteJsonView):
    """Autocomplete results named by the chosen model's admin, when it has a ``choice_text``."""

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, str]:
        result = super().serialize_result(obj, to_field_name)
        choice_text = getattr(self.model_admin, "choice_text", None)
        if choice_text is not None:
            result["text"] = choice_text(obj)
        return result


def _url_name(opts: Any) -> str:
    return f"{opts.app_label}_{opts.model_name}_autocomplete"


class ChoiceAutocompleteMixin:
    """A model admin (or an inline of one) whose autocomplete fields ask :class:`ChoiceAutocompleteView`."""

    def _autocomplete_widget(self, widget_class: type, db_field: Any, kwargs: dict[str, Any]) -> Any:
        widget = widget_class(db_field, self.admin_site, using=kwargs.get("using"))
        # An inline's widgets ask the view of the admin it is shown in.
        opts = self.parent_model._meta if hasattr(self, "parent_model") else self.opts
        widget.url_name = f"%s:{_url_name(opts)}"
        return widget

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = self._autocomplete_widget(AutocompleteSelect, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = self._autocomplete_widget(AutocompleteSelectMultiple, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_urls(self) -> list[Any]:
        return [
            path("autocomplete/", self.admin_site.admin_view(self.choice_autocomplete_view),
                 name=_url_name(self.opts)),
            *super().get_urls(),
        ]

    def choice_autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return ChoiceAutocompleteView.as_view(admin_site=self.admin_site)(request)


__all__ = ["ChoiceAutocompleteMixin", "ChoiceAutocompleteView"]
