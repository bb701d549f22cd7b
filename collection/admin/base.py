"""Pieces shared by the app's admin classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from ..concurrency import StaleRecord, stale_revert_message
from ..derivation import derive_forms
from ..history import Part, group_saves, revert, timeline
from ..models.labels import DERIVED_FORMS
from ..search import reindex_after_save
from .autocomplete import ChoiceAutocompleteMixin

# The admin index shows how many records wait for the signed-in reviewer, unless the site has its own index.
if admin.site.index_template is None:
    admin.site.index_template = "admin/collection/index.html"


def may_view_records(admin_site: admin.AdminSite, request: HttpRequest) -> bool:
    """Whether the signed-in user may view records in ``admin_site``.

    Only then may another page (an image's, a deletion's, a reserved identifier's)
    name a record: its identifier, title and status are what the record's own pages
    keep from those who may not view it.
    """
    from ..models import Record

    if admin_site.is_registered(Record):
        return admin_site.get_model_admin(Record).has_view_permission(request)
    return request.user.has_perm(f"{Record._meta.app_label}.view_{Record._meta.model_name}")


def permitted_entry(request: HttpRequest, allowed: Callable[..., bool], find: Callable[[], Any]) -> Any:
    """The entry ``find()`` gives, if ``allowed(request, entry)``; else 403, or 404 when there is none.

    Permission is asked first without the entry, as Django's change view does: without it,
    an existing entry and a missing one answer alike, so the answer tells nobody which
    identifiers exist.
    """
    if not allowed(request):
        raise PermissionDenied
    entry = find()
    if entry is None:
        raise Http404
    if not allowed(request, entry):
        raise PermissionDenied
    return entry


class LabelInlineForm(forms.ModelForm):
    """A label in an inline: an archivist who edits a machine-made text has corrected it.

    The text counts as checked even when “machine-made” was left ticked, so the
    next derivation never overwrites the correction.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (self.instance.pk and self.instance.machine_made and "text" in self.changed_data
                and "machine_made" not in self.changed_data):
            cleaned["machine_made"] = False
        return cleaned


class FittedTabularInline(admin.TabularInline):
    """A table of rows that fits the window beside the admin's sidebar, in every language of the admin.

    Django's own widths (20em for each text field, a select as wide as its longest choice) made a row of
    labels twice as wide as a laptop's window; ``collection/admin.css`` shares the table's width among
    its fields.
    """

    class Media:
        css = {"all": ["collection/admin.css"]}


class LabelInline(FittedTabularInline):
    form = LabelInlineForm
    extra = 1
    fields = ["language", "text", "form", "preferred", "our_translation", "machine_made", "source"]


class WithoutVersionPagesMixin:
    """simple-history's page of one past version is replaced by the entry's history list.

    That page's form saves the past version over the entry, its row alone: past the
    permission to change it (viewing is enough), the workflow and the version check.
    """

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> HttpResponse:
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_history".format(*info), args=[object_id]))


class TimelineHistoryAdmin(WithoutVersionPagesMixin, SimpleHistoryAdmin):
    """History of an entry together with its parts (titles, names, links), with diffs and revert.

    simple-history's own per-row revert form is replaced: it would restore the main
    row only, and bypass the workflow and the version check.
    """

    object_history_template = "admin/collection/history.html"

    def history_parts(self) -> list[Part]:
        return []

    def after_save(self, obj: Any) -> None:
        """What follows every change of an entry here, a save or a revert: its search keys are brought up to date,
        and the records naming it are dated anew for harvesters."""
        reindex_after_save(obj)

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/history/revert/", self.admin_site.admin_view(self.revert_view),
                 name="{}_{}_revert".format(*info)),
            *super().get_urls(),
        ]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        obj = permitted_entry(request, self.has_view_or_change_permission,
                              lambda: self.get_object(request, unquote(object_id)))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(entry)s") % {"entry": obj},
            "opts": self.model._meta,
            "module_name": capfirst(self.model._meta.verbose_name_plural),
            "object": obj,
            "saves": group_saves(timeline(obj, self.history_parts())),
            "can_revert": self.has_change_permission(request, obj),
            "version": getattr(obj, "version", ""),
            **(extra_context or {}),
        }
        return render(request, self.object_history_template, context)

    def revert_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            raise PermissionDenied
        obj = permitted_entry(request, self.has_change_permission, lambda: self.get_object(request, unquote(object_id)))
        info = self.model._meta.app_label, self.model._meta.model_name
        back = reverse("admin:{}_{}_history".format(*info), args=[object_id])
        moment = parse_datetime(request.POST.get("moment", ""))
        version = request.POST.get("version", "")
        if moment is None:
            messages.error(request, _("Choose a version to revert to."))
            return HttpResponseRedirect(back)
        with transaction.atomic():
            try:
                revert(obj, self.history_parts(), moment, request.user,
                       expected_version=int(version) if version.isdigit() else None)
            except StaleRecord:
                messages.error(request, stale_revert_message(obj))
                return HttpResponseRedirect(back)
            except ValueError as refusal:
                messages.error(request, str(refusal))
                return HttpResponseRedirect(back)
            self.after_save(obj)
        messages.success(request, _("Reverted “%(entry)s” to the version of that moment.") % {"entry": obj})
        return HttpResponseRedirect(back)


class LabelledAdmin(ChoiceAutocompleteMixin, TimelineHistoryAdmin):
    """Admin for an entry with multilingual labels; derives readings and romanizations on save."""

    label_model: Any = None
    label_owner_field = ""
    label_related_name = ""

    def history_parts(self) -> list[Part]:
        return [Part(self.label_model, self.label_owner_field)]

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            # The identifier is shown read-only once given: what leaving it blank does no longer applies.
            kwargs["help_texts"] = {**kwargs.get("help_texts", {}),
                                    "identifier": _("Permanent: it can never be changed.")}
        return super().get_form(request, obj, change=change, **kwargs)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self.after_save(form.instance)

    def after_save(self, obj: Any) -> None:
        """The readings and romanizations of the labels as stored now are derived, then the search keys follow.

        A revert puts back labels as they were at a moment, when some forms may not have
        been derived yet (an import leaves them to a task): it is followed by this too.
        """
        # The change view's queryset prefetched the labels as they were before the formsets saved (or the revert):
        # derive from the stored ones, and drop the stale cache so the message names the entry as saved.
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        prefetched.pop(self.label_related_name, None)
        labels = self.label_model._default_manager.filter(**{self.label_owner_field: obj}).order_by("pk")
        derive_forms(labels, self.label_model, {self.label_owner_field: obj})
        super().after_save(obj)


class RequireOneFormSet(BaseInlineFormSet):
    """Labels in an inline: at least one must remain that is not a reading or romanization.

    A reading or romanization made from a label goes with it (``derived_from`` cascades),
    so it never keeps the entry named on its own; nor does one an archivist entered, as
    the import has it (:func:`collection.models.validate_titles`).
    """

    empty_message = ""

    def _deleted_pks(self) -> set[Any]:
        """The stored labels ticked for deletion, read from what was posted: the forms are not all cleaned yet."""
        if not (self.can_delete and self.is_bound):
            return set()
        return {form.instance.pk for form in self.initial_forms
                if form.instance.pk and form[DELETION_FIELD_NAME].data}

    def _goes_with_its_source(self, form: forms.BaseForm) -> bool:
        source = getattr(form.instance, "derived_from_id", None)
        return source is not None and source in self._deleted_pks()

    def _should_delete_form(self, form: forms.BaseForm) -> bool:
        # Saved as posted, a form whose source is deleted would be written back pointing at a label that is gone.
        return super()._should_delete_form(form) or self._goes_with_its_source(form)

    def delete_existing(self, obj: Any, commit: bool = True) -> None:
        if getattr(obj, "derived_from_id", None) in self._deleted_pks():
            return  # the database deletes it with its source; a second delete would log it twice
        super().delete_existing(obj, commit=commit)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form) and form.cleaned_data.get("text")
            and form.cleaned_data.get("form") not in DERIVED_FORMS
        ]
        if not kept:
            raise ValidationError(self.empty_message)
