from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from ..concurrency import VersionCheckedForm, stale_message
from ..history import Part, scan_summary, user_name
from ..models import (
    Description,
    ExportLine,
    Record,
    RecordAgent,
    RecordImage,
    RecordImageCaption,
    RecordPlaceIndex,
    RecordSearch,
    RecordTitleOrder,
    ReservedIdentifier,
    Status,
    Title,
    validate_titles,
)
from ..search import search_condition
from ..text import listed
from ..workflow import (
    ACTIONS,
    Action,
    ReasonMissing,
    TransitionNotAllowed,
    actions_and_withheld,
    apply_action,
    apply_to_many,
    check_action,
    check_status_change,
    decides_on_reviews,
    foreseen_skips,
    may_edit,
    returned_to,
    stale_action_message,
    stale_refusal,
    submits_for_review,
    view_only_reason,
)
from .autocomplete import ChoiceAutocompleteMixin
from .base import FittedTabularInline, LabelInline, LabelledAdmin, RequireOneFormSet, may_view_records
from .images import RecordImageInline
from .importing import CatalogueImportExportMixin
from .preview import preview_record


def unlisted_on_deletion() -> list[type]:
    """Rows deleted with a record that the deletion page does not list.

    Search keys, title order, the place index and ready export rows are derived from the
    record and rebuilt by the app; the rows linking the record to its places, subjects and
    languages are the record's own fields (the places themselves stay). Listing them would
    only bury what an archivist checks before deleting: titles, descriptions, agents, scans.
    """
    links = [field.remote_field.through for field in Record._meta.many_to_many
             if field.remote_field.through._meta.auto_created]
    return [RecordSearch, RecordTitleOrder, RecordPlaceIndex, ExportLine, *links]


def _without_unlisted(items: list[Any], prefixes: tuple[str, ...]) -> list[Any]:
    """Django's nested list of deleted items without those of the unlisted models, nor their own sub-lists."""
    kept: list[Any] = []
    skip_children = False
    for item in items:
        if isinstance(item, list):
            if not skip_children:
                children = _without_unlisted(item, prefixes)
                if children:
                    kept.append(children)
            skip_children = False
            continue
        skip_children = str(item).startswith(prefixes)
        if not skip_children:
            kept.append(item)
    return kept


# The session key of a comment typed for a workflow button that was refused after the page's changes were saved:
# the change page it leads back to shows it in the comment box again, once.
KEPT_COMMENT = "collection_kept_transition_comment"


class TitleFormSet(RequireOneFormSet):
    empty_message = gettext_lazy("A record needs at least one title in some language.")

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        # The titles as they will be stored, checked together as an import checks them.
        kept = [form.instance for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")]
        validate_titles(kept)


def _answering_stale_page(request: HttpRequest, obj: Record | None) -> bool:
    """Whether this request is the save of an outdated page of ``obj`` that is answered with the stale message.

    Set by :meth:`RecordAdmin.changeform_view`: the form is shown again with what was
    typed and the message, and its version check refuses it, so nothing is written.
    """
    return obj is not None and obj.pk is not None and getattr(request, "_collection_stale_record", None) == obj.pk


class RecordPartInline:
    """Titles, descriptions and agent links are editable exactly when their record is."""

    def _record_editable(self, request: HttpRequest, obj: Record | None) -> bool:
        return obj is None or may_edit(request.user, obj) or _answering_stale_page(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._record_editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._record_editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._record_editable(request, obj) and super().has_delete_permission(request, obj)


class TitleInline(RecordPartInline, LabelInline):
    model = Title
    formset = TitleFormSet


class DescriptionInline(RecordPartInline, admin.StackedInline):
    model = Description
    extra = 0
    fields = ["language", "text", "our_translation"]


class RecordAgentInline(RecordPartInline, ChoiceAutocompleteMixin, FittedTabularInline):
    model = RecordAgent
    extra = 1
    autocomplete_fields = ["agent"]
    fields = ["agent", "role", "position"]


class RecordForm(VersionCheckedForm):
    """The record change form: refuses a save from an outdated page, and checks a requested transition."""

    request: HttpRequest
    transition_comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("Why: required when returning or withdrawing a record."),
    )
    hide_title = forms.BooleanField(
        label=gettext_lazy("Hide the title on the public notice (withdrawal for privacy)"), required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                # Django's "Enter a valid date." leaves the archivist guessing: ISO dates are taken in every language.
                field.error_messages["invalid"] = gettext_lazy(
                    "Enter the date as YYYY-MM-DD, for example 2010-12-31.")

    def requested_action(self) -> Action | None:
        name = self.data.get("_transition")
        return ACTIONS.get(name) if name else None

    def _stale(self, record: Record) -> ValidationError:
        action = self.requested_action()
        if _answering_stale_page(self.request, record):
            # She may not change it any more: not told to make her changes again, but (above) who can.
            message = stale_refusal(record)
        else:
            message = stale_message(record) if action is None else stale_action_message(record, action)
        return ValidationError(message, code="stale")

    def clean(self) -> dict[str, Any]:
        record = self.instance
        if _answering_stale_page(self.request, record):
            # Shown only to be refused: the person may not edit the record as it is now.
            raise self._stale(record)
        try:
            cleaned = super().clean()  # the version check first: a stale page is refused whatever it asks
        except ValidationError as refusal:
            if refusal.code == "stale":
                raise self._stale(record) from None
            raise
        posted_status = self.data.get("status")
        if posted_status and posted_status != (record.status if record.pk else Status.DRAFT):
            try:
                check_status_change(self.request.user, record if record.pk else None, posted_status)
            except TransitionNotAllowed as refusal:
                raise ValidationError(str(refusal), code="transition") from None
            raise ValidationError(_("Change the status with the workflow buttons."), code="transition")
        name = self.data.get("_transition")
        if name:
            action = ACTIONS.get(name)
            if action is None or not record.pk:
                raise ValidationError(_("Unknown workflow action."), code="transition")
            try:
                check_action(self.request.user, record, action, cleaned.get("transition_comment") or "")
            except ReasonMissing:
                # Said at the comment box, where the reason goes, naming the button that needs it.
                self.add_error("transition_comment", ValidationError(
                    _("Write the reason here: “%(action)s” needs one.") % {"action": action.label}, code="required"))
            except TransitionNotAllowed as refusal:
                raise ValidationError(str(refusal), code="transition") from None
        return cleaned


class ReviewQueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("review")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        # Only those who publish or return records have a queue: to others the filter would always list nothing.
        # Those who submit records find the ones returned to them.
        choices = [("mine", _("Waiting for my review"))] if decides_on_reviews(request.user) else []
        if submits_for_review(request.user):
            choices.append(("returned", _("Returned to me")))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.awaiting_review_by(request.user)
        if self.value() == "returned":
            return returned_to(request.user, queryset)
        return queryset


class LanguageListFilter(admin.RelatedFieldListFilter):
    """The languages of the material by name in the admin's language, as the app names them elsewhere, in the order
    of their names; records without one under words that say so, not the admin's bare “-”."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = pgettext_lazy("languages of the material", "None given")

    def field_choices(self, field, request, model_admin):
        languages = field.remote_field.model._default_manager.all()
        return sorted(((language.pk, language.display_name()) for language in languages),
                      key=lambda choice: choice[1].casefold())


def _bulk_action(name: str):
    action = ACTIONS[name]

    def run(modeladmin: RecordAdmin, request: HttpRequest, queryset: QuerySet[Record]) -> HttpResponse | None:
        return modeladmin.apply_in_bulk(request, queryset, action)

    run.__name__ = f"{name}_selected"
    return admin.action(description=action.label, permissions=[name])(run)


@admin.register(Record)
class RecordAdmin(CatalogueImportExportMixin, LabelledAdmin):
    label_model, label_owner_field, label_related_name = Title, "record", "titles"
    form = RecordForm
    inlines = [TitleInline, DescriptionInline, RecordAgentInline, RecordImageInline]
    list_display = ["identifier", "title", "kind", "status", "date_edtf", "modified"]
    list_filter = [ReviewQueueFilter, "kind", "status", "level", "resource_type", ("languages", LanguageListFilter)]
    list_select_related = ["parent"]
    # Shows the search box; get_search_results matches the folded search keys as well.
    search_fields = ["identifier"]
    autocomplete_fields = ["parent", "places", "subjects", "languages", "repository", "described_agent"]
    date_hierarchy = None
    actions = [*(_bulk_action(name) for name in ("submit", "publish", "return", "withdraw")),
               "export_selected_csv", "export_selected_xlsx"]
    fieldsets = [
        (None, {"fields": ["identifier", "kind", "status", "first_published", "parent", "level", "sequence",
                           "described_agent"]}),
        (gettext_lazy("Date"), {"fields": ["date_edtf", "date_display"]}),
        (gettext_lazy("Coverage"), {"fields": ["languages", "places", "subjects"]}),
        (gettext_lazy("Bibliographic"), {"fields": [
            "resource_type", "container_title", "volume", "issue", "pages", "edition", "publication_place",
            "isbn", "issn", "url", "archived_url", "accessed", "extent",
        ]}),
        (gettext_lazy("Holding and reference"), {"fields": [
            "repository", "reference_fond", "reference_opis", "reference_delo", "reference_folios", "call_number",
        ]}),
        (gettext_lazy("Rights and provenance"), {"fields": ["rights_statement", "licence", "description_source",
                                                            "staff_notes"]}),
    ]

    def history_parts(self) -> list[Part]:
        # An image's captions hang off the image; its visibility is a publication decision a revert leaves alone.
        return [Part(Title, "record"), Part(Description, "record"),
                Part(RecordAgent, "record", name=RecordAgent.name_in_record),
                Part(RecordImage, "record", children=(Part(RecordImageCaption, "image"),),
                     not_reverted=frozenset({"visibility"}), summary=scan_summary)]

    @admin.display(description=pgettext_lazy("a work's title", "title"))
    def title(self, record: Record) -> str:
        """The title in the language the archivist reads the admin in, else the original (the identifier has
        its own column)."""
        return record.display_title(get_language())

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Record], search_term: str
                           ) -> tuple[QuerySet[Record], bool]:
        """The public search's folded match (any script, romanization, kana or case; an ISBN in any form), on
        every record the changelist shows, drafts included; or a part of the identifier."""
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(identifier__icontains=term)
        folded = search_condition(term)
        if folded is not None:
            condition |= folded
        # One search row per record: no duplicates, so the changelist needs no DISTINCT.
        return queryset.filter(condition), False

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through the workflow buttons and actions, which date the first publication.
        return ["identifier", "status", "first_published"] if obj else ["status", "first_published"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("titles")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view),
                 name="{}_{}_preview".format(*info)),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return preview_record(request, self, unquote(object_id))

    def view_on_site(self, record: Record) -> str | None:
        """The public page of a published record; any other record's answers "not found" or "gone" (its
        “Preview” shows what the page will be)."""
        return record.get_absolute_url() if Record.objects.published().filter(pk=record.pk).exists() else None

    # Who may do what

    def has_change_permission(self, request, obj=None):
        if _answering_stale_page(request, obj):
            return super().has_change_permission(request, obj)
        return super().has_change_permission(request, obj) and (obj is None or may_edit(request.user, obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save from a page opened before the record moved out of the person's reach is told why it failed.

        A contributor's tab opened on a draft that was submitted since (in another tab, or
        by a colleague) would otherwise get a bare 403 and lose what was typed: the page is
        shown again with the typed values and the stale message, without a save button,
        and nothing is written. Someone who simply may not edit the record still gets 403.
        """
        if request.method == "POST" and object_id and "_saveasnew" not in request.POST:
            obj = self.get_object(request, unquote(object_id))
            posted = request.POST.get("loaded_version", "")
            if (obj is not None and posted.isdigit() and int(posted) < obj.version
                    and self.has_view_permission(request, obj) and not self.has_change_permission(request, obj)
                    and super().has_change_permission(request, obj)):
                request._collection_stale_record = obj.pk
                # "Open it again and make your changes anew" cannot be followed here: say what can.
                messages.warning(request, _(
                    "The record %(identifier)s is now “%(status)s”, which you may not change: a reviewer can "
                    "return it to draft if it still needs your changes."
                ) % {"identifier": obj.identifier, "status": obj.get_status_display()})
                extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                                 "show_save_and_add_another": False, "show_delete_link": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("collection.purge_record")

    def has_submit_permission(self, request):
        return request.user.has_perm("collection.submit_record")

    def has_publish_permission(self, request):
        return request.user.has_perm("collection.publish_record")

    def has_return_permission(self, request):
        return request.user.has_perm("collection.review_record")

    def has_withdraw_permission(self, request):
        return request.user.has_perm("collection.withdraw_record")

    def get_actions(self, request, action_location=None):
        # Django 6.1 passes where the actions are shown; Django 5.2 has no such argument.
        location = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **location)
        # Permanent deletion asks for a reason per record, on the record's own page.
        actions.pop("delete_selected", None)
        return actions

    # The change form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            actions, context["withheld_actions"] = actions_and_withheld(request.user, obj)
            context["workflow_actions"] = actions
            if not any(action.needs_reason for action in actions):
                # Told that a reason is required only by a button that requires one: a contributor has none.
                context["adminform"].form.fields["transition_comment"].help_text = ""
            context["status_changes"] = obj.status_changes.select_related("by")[:20]
            # A refused outdated page has said why already, in its warning.
            context["view_only_reason"] = "" if _answering_stale_page(request, obj) else view_only_reason(
                request.user, obj)
            # No review stands between saving a published record and its public page: said before Save is pressed.
            context["saves_go_public"] = obj.status == Status.PUBLISHED and may_edit(request.user, obj)
            form = context["adminform"].form
            # A comment typed on a page refused as outdated is shown with the rest of what was typed, to copy, even
            # where no button is left to send it with.
            context["typed_comment"] = form.is_bound and bool(form.data.get("transition_comment", "").strip())
            kept = request.session.get(KEPT_COMMENT) if request.method == "GET" else None
            if kept and kept.get("record") == obj.pk:
                del request.session[KEPT_COMMENT]
                context["adminform"].form.initial["transition_comment"] = kept["comment"]
        form = context["adminform"].form
        if obj is not None and obj.pk and form.is_bound and any(
                error.code == "stale" for error in form.errors.as_data().get(NON_FIELD_ERRORS, [])):
            # The page still carries the version it was opened at: every button on it would be refused again, the
            # same way. What was typed stays here to copy, and the record as it is now opens beside it.
            context.update({"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
                            "show_save_as_new": False, "workflow_actions": [], "withheld_actions": [],
                            "outdated_page": True})
        if form.is_bound and request.FILES:
            # Shown again, for any reason: a browser cannot put chosen files back in a page's file inputs, and
            # the empty boxes would not tell that the scans went nowhere.
            names = [upload.name for key in request.FILES for upload in request.FILES.getlist(key)]
            messages.warning(request, _(
                "These files were not uploaded, and the page cannot keep them: %(names)s. Choose them again."
            ) % {"names": listed(names)})
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        if (form.non_field_errors() and set(form.errors) == {NON_FIELD_ERRORS}
                and not any(formset.total_error_count() for formset in formsets)):
            # Refused as a whole (an outdated page, a step the workflow does not allow): Django's “Please correct
            # the error below” would send the archivist looking for a field to correct, and there is none.
            context["refusals"], context["errors"] = list(form.non_field_errors()), None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # A save that changes nothing writes nothing: no version, no history row naming the person as having
        # changed the record, which would count against them under the four-eyes rule. Whether only the
        # inlines changed is known once they are saved (``save_related``).
        if change and not self._record_fields_changed(form):
            request._collection_record_unsaved = True
            return
        super().save_model(request, obj, form, change)

    @staticmethod
    def _record_fields_changed(form) -> bool:
        fields = {field.name for field in Record._meta.get_fields()}
        return any(name in fields for name in form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "_collection_record_unsaved", False):
            del request._collection_record_unsaved
            if any(formset.has_changed() for formset in formsets):
                # Only the inlines changed: the record is saved all the same, so its version moves (an outdated
                # page of it is refused) and its history names who changed it.
                super().save_model(request, form.instance, form, change)
        for formset in formsets:
            for name, earlier in getattr(formset, "repeated", ()):
                # Kept, not refused: the same scan twice may be meant (a page shown again); mostly it is not.
                messages.warning(request, _(
                    "“%(name)s” is the same file as “%(earlier)s”, already among this record's images. Both are "
                    "kept: delete one if it was added twice by mistake.") % {"name": name, "earlier": earlier})
            for name, image in getattr(formset, "held_elsewhere", ()):
                other = reverse("admin:collection_record_change", args=[image.record_id])
                messages.warning(request, format_html(
                    _("“{name}” is the same file as “{image}” of the record {record}. It is kept: delete it if it "
                      "was added to this record by mistake."),
                    name=name, image=str(image),
                    record=format_html('<a href="{}">{}</a>', other, image.record.identifier),
                ))
        action = form.requested_action()
        if action is not None and change:
            record = form.instance
            try:
                apply_action(record, request.user, action, form.cleaned_data.get("transition_comment") or "",
                             hide_title=form.cleaned_data.get("hide_title", False))
            except TransitionNotAllowed as refusal:
                # Publishing changes one has just made oneself (the four-eyes rule): the changes are kept, and so is
                # the comment typed for the button, in the box of the page this leads back to.
                comment = form.cleaned_data.get("transition_comment") or ""
                if comment.strip():
                    request.session[KEPT_COMMENT] = {"record": record.pk, "comment": comment}
                messages.error(request, _("Your changes were saved, but “%(action)s” was not applied to the record "
                                          "%(record)s. %(why)s") % {"record": record.identifier,
                                                                    "action": action.label, "why": refusal})
                request._collection_workflow_said = True
                request._collection_action_refused = True
                return
            edited = (set(form.changed_data) - {"transition_comment", "hide_title"}
                      or any(formset.has_changed() for formset in formsets))
            # Not starting with the identifier: the admin capitalizes the first letter of every message.
            said = action.saved_and_done if edited else action.done
            messages.success(request, said % {"record": record.identifier})
            request._collection_workflow_said = True

    def response_change(self, request, obj):
        if getattr(request, "_collection_action_refused", False):
            # The changes were saved but the button's action was refused: the record's page shows what can be done
            # now, where the list of records would leave its reader to find it again.
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    def message_user(self, request, message, level=messages.INFO, extra_tags="", fail_silently=False):
        if level == messages.SUCCESS and getattr(request, "_collection_workflow_said", False):
            return  # a workflow button said what it did, and that the edits made with it were saved
        super().message_user(request, message, level, extra_tags, fail_silently)

    # Permanent deletion

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and not request.POST.get("deletion_reason", "").strip():
            messages.error(request, _("Give a reason for deleting the record permanently."))
            return HttpResponseRedirect(request.path)
        record = self.get_object(request, unquote(object_id))
        if request.method == "POST" and record is not None and self.has_delete_permission(request, record):
            try:
                record.check_purge(hide_title=bool(request.POST.get("hide_title")))
            except TransitionNotAllowed as refusal:
                messages.error(request, str(refusal))
                return HttpResponseRedirect(request.path)
        # The page speaks of a public notice, and offers to hide its title, only for a record that leaves one.
        notice = record is not None and record.was_ever_published()
        return super().delete_view(request, object_id, {**(extra_context or {}), "leaves_a_notice": notice})

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        unlisted = unlisted_on_deletion()
        # Django names each item "<Verbose name>: <item>"; these models have no admin, so never a link.
        prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in unlisted)
        plurals = {str(model._meta.verbose_name_plural) for model in unlisted}
        model_count = {name: count for name, count in model_count.items() if str(name) not in plurals}
        return _without_unlisted(deleted, prefixes), model_count, perms_needed, protected

    def delete_model(self, request, obj):
        obj.purge(request.user, request.POST.get("deletion_reason", ""),
                  hide_title=bool(request.POST.get("hide_title")))

    # Bulk actions

    def apply_in_bulk(self, request: HttpRequest, queryset: QuerySet[Record], action: Action) -> HttpResponse | None:
        """Run ``action`` on the records confirmed on the page that first says what it will do to each selected one
        (and asks for its reason, or a comment)."""
        reason = request.POST.get("transition_comment", "").strip()
        confirmed = bool(request.POST.get("apply"))
        if not confirmed or (action.needs_reason and not reason):
            if confirmed:
                messages.error(request, _("Give a reason."))
            return self._bulk_confirmation(request, queryset, action)
        result = apply_to_many(queryset.order_by("identifier"), request.user, action, reason,
                               hide_title=bool(request.POST.get("hide_title")))
        if len(result.done) == 1:
            messages.success(request, action.done % {"record": result.done[0].identifier})
        elif result.done:
            messages.success(request, action.done_many % {
                "records": listed(record.identifier for record in result.done)})
        for record, why in result.skipped:
            # Two sentences: each reason is a sentence of its own, which a colon would leave capitalized.
            messages.warning(request, _("The record %(record)s was skipped. %(why)s") % {
                "record": record.identifier, "why": why})
        return None

    def _bulk_confirmation(self, request: HttpRequest, queryset: QuerySet[Record], action: Action) -> HttpResponse:
        foreseen = foreseen_skips(request.user, queryset.order_by("identifier"), action)
        return TemplateResponse(request, "admin/collection/record/bulk_reason.html", {
            **self.admin_site.each_context(request),
            "title": action.label, "opts": self.model._meta, "action": action,
            "action_name": request.POST.get("action"), "foreseen": foreseen,
            # The form carries the records the action will change, and no others: confirming changes those the
            # page says it will, even where the selection was every record of the list.
            "applying": [record for record, skipped in foreseen if not skipped],
            "target_status": Status(action.target).label,
            "status_label": Record._meta.get_field("status").verbose_name,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            # Asked again (no reason given): what was ticked and typed is kept.
            "comment": request.POST.get("transition_comment", "") if request.POST.get("apply") else "",
            "hide_title": bool(request.POST.get("hide_title")),
        })


@admin.register(ReservedIdentifier)
class ReservedIdentifierAdmin(admin.ModelAdmin):
    list_display = ["identifier", "record", "reserved_at", "deleted_at", "deleted_by_name"]
    # A record is named by its title: the records, who deleted them and the titles, whatever the number of rows.
    list_select_related = ["record", "deleted_by"]
    search_fields = ["identifier"]
    readonly_fields = ["identifier", "record", "reserved_at", "deleted_at", "deleted_by_name", "deletion_reason",
                       "title", "hide_title"]

    @admin.display(description=ReservedIdentifier._meta.get_field("deleted_by").verbose_name,
                   ordering="deleted_by__username")
    def deleted_by_name(self, reserved: ReservedIdentifier) -> str | None:
        # Named as the histories and workflow logs name people.
        return user_name(reserved.deleted_by) if reserved.deleted_by else None

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record__titles")

    # The record of a reserved identifier is named by its title, as it is now (a draft's too): only to staff who
    # may view records. The titles kept for a deleted record's notice are those it had when last public.

    def get_list_display(self, request):
        return self._without_record(request, super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return self._without_record(request, super().get_fields(request, obj))

    def _without_record(self, request: HttpRequest, names: Any) -> list[str]:
        return list(names) if may_view_records(self.admin_site, request) else [n for n in names if n != "record"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
