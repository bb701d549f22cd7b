"""A controlled, multilingual list of subjects."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..concurrency import VersionedModel
from ..text import language_name
from .hierarchy import would_loop
from .history import change_history
from .identifiers import IdentifiedModel
from .in_use import NamedByRecordsModel, NamedByRecordsQuerySet, guard_deletion
from .labels import Label, pick_label


class SubjectQuerySet(NamedByRecordsQuerySet):
    record_field = "subjects"

    def with_public_page(self) -> SubjectQuerySet:
        """Subjects of a published record; see ``AgentQuerySet.with_public_page``."""
        from .records import Record

        return self.filter(models.Exists(Record.subjects.through.objects.filter(
            subject=models.OuterRef("pk"), record__in=Record.objects.published())))


class Subject(NamedByRecordsModel, VersionedModel, IdentifiedModel):
    identifier_prefix = "subject"

    broader = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="narrower",
        verbose_name=_("broader subject"),
    )
    # Bumped by every save, a change of its labels too: an import previewed before it is refused.
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = SubjectQuerySet.as_manager()
    history = change_history()

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["identifier"]

    def __str__(self) -> str:
        # In the reader's language, as public pages name it: the admin's lists, choices and history show this.
        return self.display_name(get_language()) or self.identifier

    def display_label(self, language: str | None = None) -> SubjectLabel | None:
        """The label shown in ``language`` (its text and its language): see ``pick_label``."""
        return pick_label(self.labels.all(), language)

    def display_name(self, language: str | None = None) -> str:
        label = self.display_label(language)
        return label.text if label else ""

    def get_absolute_url(self) -> str:
        return reverse("collection:subject-detail", kwargs={"identifier": self.identifier})

    def clean(self) -> None:
        super().clean()
        if self.broader_id and would_loop(self, "broader"):
            # A loop also breaks the subjects sheet: exported, it would not import back.
            raise ValidationError({"broader": _("A subject cannot be narrower than itself.")})


guard_deletion(Subject)


class SubjectLabel(Label):
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="labels",
                                verbose_name=_("subject"))
    history = change_history()

    class Meta(Label.Meta):
        verbose_name = _("subject label")
        verbose_name_plural = _("subject labels")


class LanguageQuerySet(NamedByRecordsQuerySet):
    record_field = "languages"


class Language(NamedByRecordsModel):
    """A language of the material (not of the interface), by BCP 47 tag."""

    tag = models.CharField(_("tag"), max_length=35, unique=True)
    objects = LanguageQuerySet.as_manager()

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["tag"]

    def __str__(self) -> str:
        return self.tag

    def display_name(self, language: str | None = None) -> str:
        """The language by name in ``language`` (default: the active one): see :func:`text.language_name`."""
        return language_name(self.tag, language)

    def clean(self) -> None:
        from ..validators import validate_language_tag

        validate_language_tag(self.tag)
        # A tag means the same in any letter case (BCP 47), and an import names the listed language by it: "RU"
        # beside "ru" would be one language listed twice, in the record form's choices and the browse facets.
        listed = (Language.objects.filter(tag__iexact=self.tag).exclude(pk=self.pk)
                  .values_list("tag", flat=True).first())
        if listed is not None:
            raise ValidationError({"tag": _(
                "“%(tag)s” is the language “%(listed)s”, already listed: a language tag means the same in capitals "
                "or small letters.") % {"tag": self.tag, "listed": listed}})


guard_deletion(Language)
