"""Import and export of a vocabulary sheet (places, subjects, agents) on its admin changelist.

The record import's screens and jobs (``CatalogueImportExportMixin``,
``collection.importing.jobs``) with the vocabulary writer: upload, a preview
that writes nothing, confirmation refused when the vocabulary changed since the
preview. The permissions are ``import_catalogue --vocabulary``'s, and the export
writes the whole sheet, the bytes ``export_catalogue --vocabulary`` writes.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..catalogue.vocabulary_files import export_vocabulary_file, vocabulary_permissions
from .importing import CONTENT_TYPES, CatalogueImportExportMixin, ImportForm, written_download


class VocabularyImportForm(ImportForm):
    file = forms.FileField(label=gettext_lazy("Vocabulary sheet (CSV or XLSX)"))


class VocabularyImportExportMixin(CatalogueImportExportMixin):
    """Import (preview, confirm) and whole-sheet export of ``vocabulary`` on its changelist."""

    change_list_template = "admin/collection/import/vocabulary_change_list.html"
    import_template = "admin/collection/import/vocabulary_import.html"
    import_form_class = VocabularyImportForm

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(vocabulary_permissions(self.vocabulary))

    def import_title(self) -> str:
        # One sentence per vocabulary: the noun takes a different case in each language.
        titles = {
            "places": _("Import a places sheet"),
            "subjects": _("Import a subjects sheet"),
            "agents": _("Import an agents sheet"),
        }
        return titles[self.vocabulary]

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        """The whole sheet, whatever the changelist's filter: what the command exports, byte for byte."""
        if not self.has_export_permission(request) or file_format not in CONTENT_TYPES:
            raise PermissionDenied
        # The site's clock, which the admin shows its times in: a download made at 08:30 in Tokyo says 0830.
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        changelist = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return written_download(request, lambda out: export_vocabulary_file(self.vocabulary, out, file_format),
                                file_format, f"{self.vocabulary}-{stamp}.{file_format}", changelist)


__all__ = ["VocabularyImportExportMixin", "VocabularyImportForm"]
