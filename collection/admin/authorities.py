from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..concurrency import VersionCheckedForm
from ..models import Agent, AgentName, Language, Place, PlaceName, Record, RecordAgent, Subject, SubjectLabel
from ..models.agents import name_parts_missing
from ..models.labels import validate_names
from ..search import owners_named_like
from .base import LabelInline, LabelInlineForm, LabelledAdmin, RequireOneFormSet, may_view_records
from .vocabularies import VocabularyImportExportMixin


class NameFormSet(RequireOneFormSet):
    empty_message = _("Give at least one name.")

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        # The names as they will be stored, checked together as an import checks them.
        validate_names([form.instance for form in self.forms
                        if form.cleaned_data and not self._should_delete_form(form)])


class VersionCheckedAdmin(LabelledAdmin):
    """An authority whose change form refuses a save from an outdated page, as the record's does."""

    form = VersionCheckedForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict[str, Any]]]:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # A hidden row of the first fieldset; a read-only page has nothing to check.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "loaded_version"]}), *rest]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str
                           ) -> tuple[QuerySet, bool]:
        """Django's match of each word, or a name holding the whole term as the public search reads it (any
        letter case on every database, kana, a Cyrillic name in Latin letters): the list's search box and the
        autocomplete that chooses the entry on a record's form."""
        matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return matched, may_have_duplicates
        named = owners_named_like(self.label_model._default_manager.all(), self.label_owner_field, search_term)
        return queryset.filter(Q(pk__in=matched.values("pk")) | Q(pk__in=named)), False

    def view_on_site(self, entry: Any) -> str | None:
        """The entry's public page, if it has one: an entry that no published record names has none."""
        if self.model._default_manager.with_public_page().filter(pk=entry.pk).exists():
            return entry.get_absolute_url()
        return None

    def choice_text(self, entry: Any) -> str:
        """The entry as an autocomplete offers it: its name in the admin's language, and its identifier to tell
        entries of one name apart."""
        return _("%(name)s (%(identifier)s)") % {"name": entry, "identifier": entry.identifier}


def records_counted(count: int) -> list[str]:
    """A deletion page's protected items for staff who may not view records: how many records name the entries."""
    return [f"{capfirst(Record._meta.verbose_name_plural)}: {count}"] if count else []


class NamedByRecordsAdmin(admin.ModelAdmin):
    """The deletion pages of places, subjects and languages: refused while a record names one, listing the
    records.

    The model refuses the deletion (``collection.models.in_use``); these pages say so
    beforehand, as they do for an agent, with each record by identifier and title to those who may view
    records, and how many records to others.
    """

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        records = self.model._default_manager.filter(pk__in=[obj.pk for obj in objs]).records_naming()
        if not may_view_records(self.admin_site, request):
            # Refused all the same, but records (drafts among them) are named only to those who may view them.
            return deleted, model_count, perms_needed, [*protected, *records_counted(records.count())]
        return deleted, model_count, perms_needed, [
            *protected, *(self._record_item(record) for record in records.prefetch_related("titles"))]

    def _record_item(self, record: Any) -> str:
        # As Django names a protected object: "<Verbose name>: <link to its change page>".
        name = capfirst(record._meta.verbose_name)
        try:
            url = reverse(f"{self.admin_site.name}:collection_record_change", args=[record.pk])
        except NoReverseMatch:
            return f"{name}: {record}"
        return format_html('{}: <a href="{}">{}</a>', name, url, record)


class AgentNameForm(LabelInlineForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Only a name or parts typed now: parts stored before the rule do not block every other change.
        if {"text", "family", "given"} & set(self.changed_data):
            for field, message in name_parts_missing(
                    cleaned.get("text") or "", cleaned.get("family") or "", cleaned.get("given") or "").items():
                self.add_error(field, message)
        return cleaned


class AgentNameInline(LabelInline):
    model = AgentName
    form = AgentNameForm
    formset = NameFormSet
    fields = ["language", "text", "family", "given", "form", "preferred", "our_translation", "machine_made",
              "source"]


@admin.register(Agent)
class AgentAdmin(VocabularyImportExportMixin, VersionCheckedAdmin):
    vocabulary = "agents"
    label_model, label_owner_field, label_related_name = AgentName, "agent", "names"
    inlines = [AgentNameInline]
    list_display = ["identifier", "__str__", "kind", "date_display"]
    list_filter = ["kind"]
    search_fields = ["identifier", "names__text", "viaf", "ndl", "wikidata", "isil"]
    fieldsets = [
        (None, {"fields": ["identifier", "kind", "date_edtf", "date_display"]}),
        (_("External identifiers"), {"fields": ["viaf", "ndl", "wikidata", "isil"]}),
        (_("Staff only"), {"fields": ["notes"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["identifier"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("names")

    def get_deleted_objects(self, objs, request):
        """Django lists what keeps an agent as each record holding or describing it and each link naming it,
        by the record's identifier (and title): to staff who may not view records, how many records there are.
        """
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not protected or may_view_records(self.admin_site, request):
            return deleted, model_count, perms_needed, protected
        naming = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in (Record, RecordAgent))
        agents = [obj.pk for obj in objs]
        count = Record.objects.naming_agents(agents).count()
        # A record that keeps the agent is never deleted with it: not being allowed to delete records is no reason.
        perms_needed.discard(Record._meta.verbose_name)
        return deleted, model_count, perms_needed, [
            *(item for item in protected if not str(item).startswith(naming)), *records_counted(count)]


class PlaceNameInline(LabelInline):
    model = PlaceName
    formset = NameFormSet
    fields = ["language", "text", "form", "preferred", "valid_from", "valid_to", "our_translation",
              "machine_made", "source"]


@admin.register(Place)
class PlaceAdmin(VocabularyImportExportMixin, NamedByRecordsAdmin, VersionCheckedAdmin):
    vocabulary = "places"
    label_model, label_owner_field, label_related_name = PlaceName, "place", "names"
    inlines = [PlaceNameInline]
    list_display = ["identifier", "__str__", "kind", "gupvi_camp_number", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["identifier", "names__text", "gupvi_camp_number"]
    autocomplete_fields = ["parent"]
    fields = ["identifier", "kind", "parent", "gupvi_camp_number", "latitude", "longitude"]

    def get_readonly_fields(self, request, obj=None):
        return ["identifier"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("names", "parent__names")

    def choice_text(self, place: Place) -> str:
        """A place with the place it lies in: two camps of one name are in different regions."""
        if place.parent is None:
            return super().choice_text(place)
        return _("%(name)s — %(parent)s (%(identifier)s)") % {
            "name": place, "parent": place.parent, "identifier": place.identifier}


class SubjectLabelInline(LabelInline):
    model = SubjectLabel
    formset = NameFormSet


@admin.register(Subject)
class SubjectAdmin(VocabularyImportExportMixin, NamedByRecordsAdmin, VersionCheckedAdmin):
    vocabulary = "subjects"
    label_model, label_owner_field, label_related_name = SubjectLabel, "subject", "labels"
    inlines = [SubjectLabelInline]
    list_display = ["identifier", "__str__", "broader"]
    search_fields = ["identifier", "labels__text"]
    autocomplete_fields = ["broader"]
    fields = ["identifier", "broader"]

    def get_readonly_fields(self, request, obj=None):
        return ["identifier"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("labels", "broader__labels")


@admin.register(Language)
class LanguageAdmin(NamedByRecordsAdmin):
    list_display = ["tag", "name"]
    search_fields = ["tag"]

    @admin.display(description=pgettext_lazy("a language's name", "name"))
    def name(self, language: Language) -> str:
        """The language's name in the admin's language."""
        return language.display_name()
