"""Catalogue import and export screens for the record changelist.

The screens follow django-import-export's (its templates and URL names, so its
"Import" button and look carry over), but every write goes through the one
catalogue writer, and the preview is the writer's own dry run: per row new,
updated (each changed column, old → new), unchanged or error, paginated, and
confirmed against a fingerprint of the catalogue. See ``collection.importing.jobs``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..catalogue.export import export_csv_chunks, export_file
from ..catalogue.files import ENCODING_ALIASES, FileRefused, check_size, format_size
from ..catalogue.writer import kind_label
from ..catalogue.xlsx_writer import CellRefused
from ..conf import app_settings
from ..importing import jobs
from ..models import ImportJob, ImportJobStatus

IMPORT_PERMISSION = "collection.import_records"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def written_download(request: HttpRequest, write: Callable[[IO[bytes]], Any], file_format: str, file_name: str,
                     back: str) -> HttpResponse:
    """A file written whole into a temporary file before the response starts, so that a cell the format
    refuses is an error message on ``back``, not a truncated download (a workbook's directory comes last)."""
    out = tempfile.TemporaryFile()
    try:
        write(out)
        out.seek(0)
    except CellRefused as exc:
        out.close()
        messages.error(request, _("Nothing was exported: %(error)s") % {"error": exc})
        return redirect(back)
    except BaseException:
        out.close()
        raise
    response = FileResponse(out, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = _content_disposition(file_name)
    return response
# A stale job's reasons are shown as notices; beyond this many, only their number.
STALE_REASONS_SHOWN = 10

ENCODING_CHOICES = [
    ("", gettext_lazy("Tell from the file (UTF-8, or a byte-order mark)")),
    ("cp932", gettext_lazy("Japanese Windows (Shift_JIS, cp932)")),
    ("cp1251", gettext_lazy("Russian Windows (Windows-1251)")),
    ("utf-16-le", gettext_lazy("UTF-16 little-endian without a byte-order mark")),
    ("utf-8", "UTF-8"),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Catalogue spreadsheet (CSV or XLSX)"))
    encoding = forms.ChoiceField(label=jobs.ENCODING_FIELD, choices=ENCODING_CHOICES,
                                 required=False)
    sheet = forms.CharField(label=jobs.SHEET_FIELD, required=False, max_length=100,
                            help_text=gettext_lazy("Default: the first sheet."))

    def clean_encoding(self) -> str:
        value = self.cleaned_data.get("encoding", "")
        return ENCODING_ALIASES.get(value, value)


def _content_disposition(file_name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, get_valid_filename(file_name) or "download")


class CatalogueImportExportMixin:
    """Adds import (with preview and confirmation) and CSV/XLSX export to the record admin."""

    change_list_template = "admin/collection/import/change_list.html"
    import_template = "admin/collection/import/import.html"
    job_template = "admin/collection/import/job.html"
    import_form_class: type[ImportForm] = ImportForm
    # The sheet this admin imports: "" for records, or a vocabulary (see ``VocabularyImportExportMixin``).
    vocabulary: str = ""

    # -- permissions -----------------------------------------------------------------------------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)  # type: ignore[attr-defined]

    def _job_for(self, request: HttpRequest, token: str) -> ImportJob:
        if not self.has_import_permission(request):
            raise PermissionDenied
        # Another sheet's job is not this admin's: it was checked against other permissions.
        job = get_object_or_404(ImportJob, token=token, vocabulary=self.vocabulary)
        if job.user_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied
        return job

    # -- URLs and changelist ---------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("import/", wrap(self.import_view), name=f"{prefix}_import"),
            path("import/<uuid:token>/", wrap(self.job_view), name=f"{prefix}_import_job"),
            path("import/<uuid:token>/status/", wrap(self.job_status_view), name=f"{prefix}_import_status"),
            path("import/<uuid:token>/errors.csv", wrap(self.job_errors_view), name=f"{prefix}_import_errors"),
            path("export/<str:file_format>/", wrap(self.export_view), name=f"{prefix}_export"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            "has_export_permission": self.has_export_permission(request),
        }
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts,  # type: ignore[attr-defined]
                "app_label": self.opts.app_label, **extra}  # type: ignore[attr-defined]

    # -- import ----------------------------------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.import_form_class()
        if request.method == "POST":
            uploads = [upload for key in request.FILES for upload in request.FILES.getlist(key)]
            form = self.import_form_class(request.POST, request.FILES)
            if len(uploads) > app_settings.IMPORT_MAX_FILES:
                form.add_error(None, _("Upload at most %(count)s file(s) at a time.")
                               % {"count": app_settings.IMPORT_MAX_FILES})
            elif form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    check_size(upload.size)
                except FileRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    job = jobs.create_job(user=request.user, file_name=upload.name, data=upload.read(),
                                          encoding=form.cleaned_data["encoding"], sheet=form.cleaned_data["sheet"],
                                          vocabulary=self.vocabulary)
                    jobs.start_preview(job)
                    return redirect(self._job_url(job))
        recent = ImportJob.objects.filter(user=request.user, vocabulary=self.vocabulary).defer("data", "preview")[:10]
        return TemplateResponse(request, self.import_template, self._context(
            request, title=self.import_title(), form=form, recent=recent,
            adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            max_size=format_size(app_settings.IMPORT_MAX_BYTES), inline_rows=app_settings.IMPORT_INLINE_MAX_ROWS,
        ))

    def import_title(self) -> str:
        return _("Import catalogue spreadsheet")

    def _job_url(self, job: ImportJob) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import_job",  # type: ignore[attr-defined]
                       args=[job.token])

    def job_view(self, request: HttpRequest, token: str) -> HttpResponse:
        job = self._job_for(request, token)
        if request.method == "POST" and "preview_again" in request.POST:
            try:
                jobs.preview_again(job)
            except jobs.ConfirmRefused as exc:
                messages.error(request, str(exc))
            return redirect(self._job_url(job))
        if request.method == "POST":
            try:
                job = jobs.confirm(job, fingerprint=request.POST.get("fingerprint", ""))
            except jobs.ConfirmRefused as exc:
                messages.error(request, str(exc))
            else:
                if job.status == ImportJobStatus.DONE:
                    # Quoted, so that the admin's capfirst cannot change a file name that starts a message.
                    messages.success(request, _("Imported “%(file)s”.") % {"file": job.file_name})
            return redirect(self._job_url(job))
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            page = 1
        action = request.GET.get("action", "")
        action = action if action in ("new", "updated", "unchanged") else ""
        entries, pages, counts = jobs.page_of(job, page, action)
        page = min(max(page, 1), pages)
        labels = {"new": _("new"), "updated": _("updated"), "unchanged": _("unchanged")}
        entries = [{**entry, "label": labels.get(entry["action"], entry["action"]), "kind": kind_label(entry["kind"])}
                   for entry in entries]
        counts = [(name, labels.get(name, name), count) for name, count in counts.items()]
        errors = job.errors_in()
        outdated = job.status == ImportJobStatus.STALE
        if outdated:
            # The catalogue changed, not the file: its reasons are notices, not problems to correct in the file.
            self._stale_notices(request, job)
            errors = []
        return TemplateResponse(request, self.job_template, self._context(
            request, title=_("Import of %(file)s") % {"file": job.file_name}, job=job, entries=entries,
            summary_lines=jobs.summary_lines_of(job),
            page=page, pages=pages, counts=counts, action=action, ellipsis=Paginator.ELLIPSIS,
            # A few pages around this one and at the ends: a 200,000-row file has 2,000 pages.
            page_range=list(Paginator(range(pages), 1).get_elided_page_range(page, on_each_side=3, on_ends=2)),
            statuses=ImportJobStatus, errors=errors[:500], more_errors=max(0, len(errors) - 500),
            can_confirm=job.status == ImportJobStatus.PREVIEWED,
            can_preview_again=outdated and bool(job.data),
            # Its changes are those of a catalogue that is no longer there: not shown, lest they be taken as true.
            preview_outdated=outdated,
            refresh=not job.finished,
        ))

    def _stale_notices(self, request: HttpRequest, job: ImportJob) -> None:
        reasons = job.errors_in()
        for reason in reasons[:STALE_REASONS_SHOWN] or [job.get_status_display()]:
            messages.warning(request, reason)
        more = len(reasons) - STALE_REASONS_SHOWN
        if more > 0:
            # The msgid of the job page's own "and … more problems".
            messages.warning(request, ngettext("and %(n)s more problem", "and %(n)s more problems", more)
                             % {"n": more})

    def job_status_view(self, request: HttpRequest, token: str) -> JsonResponse:
        job = self._job_for(request, token)
        return JsonResponse({"status": job.status, "label": str(job.get_status_display()),
                             "rows": job.row_count, "done": job.rows_done, "percent": job.percent,
                             "finished": job.finished})

    def job_errors_view(self, request: HttpRequest, token: str) -> HttpResponse:
        job = self._job_for(request, token)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([_("problem")])
        for error in job.errors_in():
            writer.writerow([error])
        response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type=CONTENT_TYPES["csv"])
        stem = job.file_name.rpartition(".")[0] or job.file_name
        response["Content-Disposition"] = _content_disposition(f"{stem}-errors.csv")
        return response

    # -- export ----------------------------------------------------------------------------------------

    def export_view(self, request: HttpRequest, file_format: str) -> StreamingHttpResponse | HttpResponse:
        """Export what the changelist shows with the same filters and search (all pages), by identifier."""
        if not self.has_export_permission(request) or file_format not in ("csv", "xlsx"):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        return self.export_response(request, changelist.get_queryset(request), file_format)

    def export_response(self, request: HttpRequest, queryset: Any, file_format: str
                        ) -> HttpResponse | StreamingHttpResponse:
        """The records as a download: CSV streamed as the query runs, XLSX built in a temporary file first.

        A workbook is a zip archive whose directory comes last, so it is written out
        whole before the response starts (and any error is still a proper error page).
        """
        # The site's clock, which the admin shows its times in: a download made at 08:30 in Tokyo says 0830.
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        file_name = f"catalogue-{stamp}.{file_format}"
        if file_format == "xlsx":
            opts = self.model._meta  # type: ignore[attr-defined]
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            query = request.META.get("QUERY_STRING", "")
            return written_download(request, lambda out: export_file(queryset, out, "xlsx"), file_format,
                                    file_name, f"{changelist}?{query}" if query else changelist)
        response = StreamingHttpResponse(export_csv_chunks(queryset), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = _content_disposition(file_name)
        return response

    # Listed in the admin's ``actions``; shown only to users with the export permission.
    @admin.action(description=gettext_lazy("Export selected records as CSV"), permissions=["export"])
    def export_selected_csv(self, request: HttpRequest, queryset: Any) -> StreamingHttpResponse | HttpResponse:
        return self.export_response(request, queryset, "csv")

    @admin.action(description=gettext_lazy("Export selected records as XLSX"), permissions=["export"])
    def export_selected_xlsx(self, request: HttpRequest, queryset: Any) -> StreamingHttpResponse | HttpResponse:
        return self.export_response(request, queryset, "xlsx")


__all__ = ["CatalogueImportExportMixin", "ImportForm"]
