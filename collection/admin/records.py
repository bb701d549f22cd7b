from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Description, Record, RecordAgent, ReservedIdentifier, Title
from .base import LabelInline, LabelledAdmin, RequireOneFormSet
from .importing import CatalogueImportExportMixin


class TitleFormSet(RequireOneFormSet):
    empty_message = _("A record needs at least one title in some language.")


class TitleInline(LabelInline):
    model = Title
    formset = TitleFormSet


class DescriptionInline(admin.StackedInline):
    model = Description
    extra = 0
    fields = ["language", "text", "our_translation"]


class RecordAgentInline(admin.TabularInline):
    model = RecordAgent
    extra = 1
    autocomplete_fields = ["agent"]
    fields = ["agent", "role", "position"]


@admin.register(Record)
class RecordAdmin(CatalogueImportExportMixin, LabelledAdmin):
    label_model, label_owner_field, label_related_name = Title, "record", "titles"
    inlines = [TitleInline, DescriptionInline, RecordAgentInline]
    list_display = ["identifier", "__str__", "kind", "status", "date_edtf", "modified"]
    list_filter = ["kind", "status", "level", "resource_type", "languages"]
    list_select_related = ["parent"]
    search_fields = ["identifier", "titles__text", "isbn", "isbn10", "isbn13", "agents__names__text"]
    autocomplete_fields = ["parent", "places", "subjects", "languages", "repository", "described_agent"]
    date_hierarchy = None
    fieldsets = [
        (None, {"fields": ["identifier", "kind", "status", "parent", "level", "sequence", "described_agent"]}),
        (_("Date"), {"fields": ["date_edtf", "date_display"]}),
        (_("Coverage"), {"fields": ["languages", "places", "subjects"]}),
        (_("Bibliographic"), {"fields": [
            "resource_type", "container_title", "volume", "issue", "pages", "edition", "publication_place",
            "isbn", "issn", "url", "archived_url", "accessed", "extent",
        ]}),
        (_("Holding and reference"), {"fields": [
            "repository", "reference_fond", "reference_opis", "reference_delo", "reference_folios", "call_number",
        ]}),
        (_("Rights and provenance"), {"fields": ["rights_statement", "licence", "description_source",
                                                 "staff_notes"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["identifier"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("titles")


@admin.register(ReservedIdentifier)
class ReservedIdentifierAdmin(admin.ModelAdmin):
    list_display = ["identifier", "record", "reserved_at", "deleted_at"]
    search_fields = ["identifier"]
    readonly_fields = ["identifier", "record", "reserved_at", "deleted_at", "deleted_by", "deletion_reason",
                       "title", "hide_title"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
