"""Scans in the admin: an inline on the record form to upload several files at once, reorder,
replace and remove, and a read-only list of images with their history (replaced masters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from ..conf import app_settings
from ..history import scan_summary, user_name
from ..images import inspect_upload
from ..models.images import RecordImage, add_images, delete_image, renumber, set_captions
from ..text import language_name
from ..workflow import may_edit
from .base import FittedTabularInline, WithoutVersionPagesMixin, may_view_records


class MultipleFileInput(forms.ClearableFileInput):
    """A file input for several files that warns, before sending, of more files than Django accepts.

    Django refuses a request with more than ``DATA_UPLOAD_MAX_NUMBER_FILES`` files
    before any view runs (a bare "400 Bad Request", everything typed on the page
    lost), so the page counts the files chosen in all its inputs and, over the limit,
    says so and sends nothing.
    """

    allow_multiple_selected = True

    class Media:
        js = ["collection/admin-uploads.js"]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if limit is not None:
            context["widget"]["attrs"]["data-max-files"] = limit
            # Filled in by the script: %(count)s files chosen, %(max)s allowed.
            context["widget"]["attrs"]["data-too-many-files"] = _(
                "Nothing was sent: %(count)s files are chosen on this page, and one save can send at most "
                "%(max)s. Remove some and add them with a second save."
            )
        return context


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list.

    An empty file is let through, so that :func:`inspect_upload` refuses it by
    name together with every other file's problem, instead of one unnamed error
    hiding the rest of the batch.
    """

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        items = [item for item in data if item] if isinstance(data, (list, tuple)) else ([data] if data else [])
        files: list[Any] = []
        problems: list[ValidationError] = []
        for item in items:
            try:
                files.append(single(item, initial))
            except ValidationError as error:
                name = getattr(item, "name", "") or "?"
                problems += [ValidationError(_("“%(name)s”: %(problem)s") % {"name": name, "problem": message},
                                             code=error.code) for message in error.messages]
        if problems:
            raise ValidationError(problems)
        return files

    def has_changed(self, initial: Any, data: Any) -> bool:
        # The widget gives an empty list when no file was chosen; that leaves an extra row untouched.
        return not self.disabled and bool(data)


def caption_field_name(language: str) -> str:
    return "caption_" + language.lower().replace("-", "_")


class RecordImageForm(forms.ModelForm):
    upload = MultipleFileField(
        label=_("file(s)"), required=False,
        help_text=_("New row: choose one or more JPEG, PNG, TIFF or WebP files (each TIFF page becomes an image). "
                    "Existing image: choose one file to replace its master; the old one is kept in the history."),
    )

    class Meta:
        model = RecordImage
        fields = ["position", "visibility"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.inspected: list[Any] = []
        if self.instance.pk:
            captions = {c.language.lower(): c.text for c in self.instance.captions.all()}
            for language in app_settings.LANGUAGES:
                self.initial.setdefault(caption_field_name(language), captions.get(language.lower(), ""))

    def captions(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(caption_field_name(language), "")
                for language in app_settings.LANGUAGES}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        files = cleaned.get("upload") or []
        if self.instance.pk and len(files) > 1:
            self.add_error("upload", _("Choose one file to replace “%(image)s”: %(count)s were chosen (%(names)s). "
                                       "Add the others as new images.")
                           % {"image": self.instance, "count": len(files),
                              "names": ", ".join(getattr(upload, "name", "") or "?" for upload in files)})
            return cleaned
        if not self.instance.pk and not files and not cleaned.get("DELETE") and "upload" not in self.errors:
            self.add_error("upload", _("Choose one or more image files for the new image."))
            return cleaned
        problems: list[ValidationError] = []
        for upload in files:
            try:
                self.inspected.append(inspect_upload(upload, upload.name))
            except ValidationError as error:
                problems.append(error)
        if problems:
            self.inspected = []
            self.add_error("upload", problems)
        elif self.instance.pk and self.inspected and len(self.inspected[0].pages) != 1:
            self.add_error("upload", _("“%(name)s” has %(count)s pages; a replacement must be a single page. "
                                       "Add it as new images instead.")
                           % {"name": self.inspected[0].name, "count": len(self.inspected[0].pages)})
            self.inspected = []
        return cleaned


class RecordImageFormSet(BaseInlineFormSet):
    """Stores files only after every form of the page is valid, so a refused file stores nothing."""

    user: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (new file's name, the record's image it repeats) for each file added that the record already has.
        self.repeated: list[tuple[str, str]] = []
        # (new file's name, another record's image it repeats) for each file added that another record has.
        self.held_elsewhere: list[tuple[str, RecordImage]] = []

    def save_new_objects(self, commit: bool = True) -> list[RecordImage]:
        self.new_objects = []
        # The record's images, by the checksum of their file, after this save's removals.
        held: dict[str, str] = {}
        for image in self.instance.images.order_by("position", "pk"):
            held.setdefault(image.sha256, str(image))
        for form in self.extra_forms:
            if not form.has_changed() or (self.can_delete and self._should_delete_form(form)):
                continue
            # An order typed in the new row puts the new images there (1 = first); blank or 0 appends.
            position = form.cleaned_data.get("position") or None
            for upload in form.inspected:
                if upload.sha256 in held:
                    self.repeated.append((upload.name, held[upload.sha256]))
                added = add_images(
                    self.instance, upload, visibility=form.cleaned_data["visibility"],
                    captions=form.captions(), by=self.user, position=position,
                )
                self.new_objects.extend(added)
                held.setdefault(upload.sha256, str(added[0]))
                if position is not None:
                    position += len(added)  # the next file of the row follows this one
        self._find_held_elsewhere()
        return self.new_objects

    def _find_held_elsewhere(self) -> None:
        """Note each new file that another record already has (the same bytes): one query for the whole save."""
        names = {image.sha256: image.original_name for image in self.new_objects if image.page == 0}
        if not names:
            return
        others = (RecordImage.objects.filter(sha256__in=names).exclude(record=self.instance)
                  .select_related("record").order_by("record__identifier", "position", "pk"))
        seen: set[str] = set()
        for image in others:
            if image.sha256 not in seen:
                seen.add(image.sha256)
                self.held_elsewhere.append((names[image.sha256], image))

    def save_existing_objects(self, commit: bool = True) -> list[RecordImage]:
        saved = super().save_existing_objects(commit)
        # Images given another order number, and which way: each goes to the number typed, before (moved up)
        # or after (moved down) the image that had it.
        self.moved: dict[int, int] = {}
        for form in self.initial_forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if not form.has_changed():
                continue
            was, now = form.initial.get("position"), form.instance.position
            if "position" in form.changed_data and was is not None and now is not None and now != was:
                self.moved[form.instance.pk] = -1 if now < was else 1
            set_captions(form.instance, form.captions())
            if form.inspected:
                form.instance.replace_master(form.inspected[0], by=self.user)
        return saved

    def save(self, commit: bool = True) -> list[RecordImage]:
        saved = super().save(commit)
        if commit:
            renumber(self.instance, moved=getattr(self, "moved", {}))
        return saved


class RecordImageInline(FittedTabularInline):
    model = RecordImage
    form = RecordImageForm
    formset = RecordImageFormSet
    extra = 1
    readonly_fields = ["preview", "details"]
    ordering = ["position", "pk"]
    verbose_name = _("image")
    verbose_name_plural = _("images (scans)")

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        captions = [caption_field_name(language) for language in app_settings.LANGUAGES]
        return ["preview", "upload", "position", "visibility", *captions, "details"]

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        # Caption fields follow the configured languages, so the form class is built per request.
        attrs = {
            caption_field_name(language): forms.CharField(
                label=_("caption (%(language)s)") % {"language": language_name(language)}, required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"lang": language, "size": 24}),
            )
            for language in app_settings.LANGUAGES
        }
        names = list(attrs)  # the form's metaclass consumes attrs
        kwargs["form"] = type("RecordImageForm", (RecordImageForm,), attrs)
        kwargs["fields"] = ["position", "visibility", "upload", *names]
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("captions")

    @admin.display(description=_("preview"))
    def preview(self, obj: RecordImage) -> str:
        if not obj.pk or not obj.thumb:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" width="{}" height="{}" alt="" '
            'loading="lazy" style="max-width:96px;height:auto"></a>',
            obj.url("full"), obj.url("thumb"), obj.thumb_width, obj.thumb_height,
        )

    @admin.display(description=pgettext_lazy("an image file", "file"))
    def details(self, obj: RecordImage) -> str:
        if not obj.pk:
            return "—"
        page = _(", page %(page)s") % {"page": obj.page + 1} if obj.page else ""
        size = ngettext("%(size)s byte", "%(size)s bytes", obj.size) % {
            "size": number_format(obj.size, force_grouping=True)}
        pixels = f"{obj.width} × {obj.height}"
        if obj.full_width and (obj.full_width, obj.full_height) != (obj.width, obj.height):
            # The derivatives, and so the public page, are the image as seen: a photo's EXIF turns it upright.
            pixels = _("%(stored)s (turned upright by its EXIF orientation: %(shown)s)") % {
                "stored": pixels, "shown": f"{obj.full_width} × {obj.full_height}"}
        return format_html(
            '{}{} · {} · {}<br><code title="SHA-256">{}…</code><br>'
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.format, page, pixels, size, obj.sha256[:16],
            obj.url("master"), _("master"),
            reverse("admin:collection_recordimage_history", args=[obj.pk]), _("history"),
        )


@admin.register(RecordImage)
class RecordImageAdmin(WithoutVersionPagesMixin, SimpleHistoryAdmin):
    """Read-only list of every image with its checksum; edit images on their record.

    Staff who may view images but not records see each image without its record:
    neither the record's identifier, title nor status, nor a search by identifier.
    """

    # The record and the checksum are shown so that they wrap or are shortened: a foreign key's column never wraps,
    # and a long title or a whole checksum would push visibility, format and size off a laptop's screen.
    list_display = ["__str__", "record_name", "position", "visibility", "format", "width", "height", "size",
                    "sha256_start"]
    list_filter = ["visibility", "format"]
    list_select_related = ["record"]
    search_fields = ["record__identifier", "original_name", "sha256"]
    readonly_fields = ["record", "position", "visibility", "master_file", "original_name", "sha256", "size",
                       "format", "page_number", "width", "height", "uploaded_by_name", "created", "modified"]
    fields = readonly_fields
    # Each version's file in words (uploaded name, format, pixels, checksum): a replaced master shows as
    # another file, not as another random storage name.
    history_list_display = ["file_in_words"]
    object_history_list_template = "admin/collection/recordimage/history_list.html"

    @admin.display(description=RecordImage._meta.get_field("uploaded_by").verbose_name)
    def uploaded_by_name(self, image: RecordImage) -> str | None:
        # Named as the histories and workflow logs name people.
        return user_name(image.uploaded_by) if image.uploaded_by else None

    @admin.display(description=RecordImage._meta.get_field("record").verbose_name, ordering="record__identifier")
    def record_name(self, obj: RecordImage) -> str:
        return str(obj.record)

    @admin.display(description=RecordImage._meta.get_field("sha256").verbose_name, ordering="sha256")
    def sha256_start(self, obj: RecordImage) -> str:
        # As the record form shows it; the whole checksum is on the image's page and found by the search.
        return format_html('<code title="{}">{}…</code>', obj.sha256, obj.sha256[:16])

    @admin.display(description=RecordImage._meta.get_field("page").verbose_name)
    def page_number(self, obj: RecordImage) -> int:
        # Counted from one, as the image's name ("scan.tif, page 2") and the record form count pages.
        return obj.page + 1

    @admin.display(description=_("master file"))
    def master_file(self, obj: RecordImage) -> str:
        # The storage has no public URL: link to the serving view, which checks permissions. It downloads
        # under the name shown; the storage's own name is random and tells an archivist nothing.
        return format_html('<a href="{}">{}</a>', obj.url("master"), obj.master_download_name())

    @admin.display(description=_("master file"))
    def master_file_as_uploaded(self, obj: RecordImage) -> str:
        # For staff who may not view records: the name the master downloads under for them, without the
        # record's identifier.
        return format_html('<a href="{}">{}</a>', obj.url("master"), obj.master_download_name(with_record=False))

    def _without_records(self, request: Any, names: Any) -> list[str]:
        """``names`` (columns, fields, searched fields) less those naming the record, for staff who may not
        view records."""
        if may_view_records(self.admin_site, request):
            return list(names)
        replaced = {"master_file": "master_file_as_uploaded"}
        return [replaced.get(name, name) for name in names
                if name not in ("record", "record_name", "record__identifier")]

    def get_list_display(self, request: Any) -> Any:
        return self._without_records(request, super().get_list_display(request))

    def get_search_fields(self, request: Any) -> Any:
        return self._without_records(request, super().get_search_fields(request))

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        return self._without_records(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self._without_records(request, super().get_readonly_fields(request, obj))

    def history_view_title(self, request: Any, obj: Any) -> str:
        # simple-history's own title has no Japanese translation.
        return _("History: %(entry)s") % {"entry": obj}

    @admin.display(description=pgettext_lazy("an image file", "file"))
    def file_in_words(self, row: Any) -> str:
        return " ".join(scan_summary(row).values()) or "—"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("record__titles")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Removing a scan edits its record: allowed exactly when editing the record is.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or may_edit(request.user, obj.record)

    def get_actions(self, request: Any, action_location: Any = None) -> Any:
        # A read-only list: images are removed one at a time (or on their record's form), each checked.
        # Django 6.1 passes where the actions are shown; Django 5.2 has no such argument.
        location = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **location)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: Any, obj: RecordImage) -> None:
        delete_image(obj, by=request.user)
        request.collection_deleted_from = obj.record_id

    def response_delete(self, request: Any, obj_display: str, obj_id: Any) -> HttpResponse:
        # Back to the record the scan was removed from (this list offers no change page to land on).
        response = super().response_delete(request, obj_display, obj_id)
        record = getattr(request, "collection_deleted_from", None)
        if record is not None and request.user.has_perm("collection.view_record"):
            return HttpResponseRedirect(reverse("admin:collection_record_change", args=[record]))
        return response

