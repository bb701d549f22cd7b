"""Multilingual labels: titles, names of agents and places, subject labels.

A label is one text in one language (a BCP 47 tag, which may carry a script:
``ja``, ``ja-Hrkt`` for a kana reading, ``ja-Latn`` and ``ru-Latn`` for
romanizations, ``ru`` for a Cyrillic spelling of a Japanese name). Labels live in
child tables keyed by tag, so the configured languages never shape the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from ..conf import app_settings
from ..fields import NFCCharField
from ..text import KANA_SCRIPTS, base_language, not_kana, script_subtag
from ..validators import validate_language_tag


class LabelForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    TRANSLATION = "translation", _("translation")
    READING = "reading", _("reading")
    ROMANIZATION = "romanization", _("romanization")
    TRANSCRIPTION = "transcription", _("transcription into another script")


DERIVED_FORMS = (LabelForm.READING, LabelForm.ROMANIZATION)


def is_machine_made_form(machine_made: bool, form: str) -> bool:
    """Whether a label with this flag and form counts as machine-made: a reading or romanization the app made
    and no archivist checked. The flag on a label of another form means nothing (nothing derives one), and a
    sheet does not carry it."""
    return machine_made and form in DERIVED_FORMS


def machine_made_form_sql(machine_made: str, form: str, literal: Callable[[str], str]) -> str:
    """:func:`is_machine_made_form` as an SQL condition, for the queries written by hand, so that the two
    cannot drift apart: ``machine_made`` and ``form`` are the columns as the query names them, and ``literal``
    quotes a value as the query needs it."""
    forms = ", ".join(literal(value) for value in DERIVED_FORMS)
    return f"{machine_made} AND {form} IN ({forms})"


class Label(models.Model):
    # A name (of a person, a body, a place) is romanized with every word capitalized; a title or a subject label
    # with its first word only.
    romanized_as_name = False

    language = models.CharField(
        _("language"), max_length=35, validators=[validate_language_tag],
        help_text=_("BCP 47 tag: ja, ru, en; ja-Hrkt for a kana reading; ja-Latn, ru-Latn for romanizations."),
    )
    text = NFCCharField(_("text"), max_length=1000)
    form = models.CharField(_("form"), max_length=20, choices=LabelForm.choices, default=LabelForm.ORIGINAL)
    preferred = models.BooleanField(
        _("preferred"), default=True, help_text=_("Untick for a variant (an earlier or alternative form)."),
    )
    our_translation = models.BooleanField(
        _("our translation"), default=False,
        help_text=_("Made by this archive, not found in the source."),
    )
    machine_made = models.BooleanField(
        _("machine-made"), default=False,
        help_text=_("Derived automatically; untick after checking or correcting it."),
    )
    derived_from = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="derived",
        verbose_name=_("reading or romanization of"),
    )
    source = NFCCharField(
        _("source"), max_length=255, blank=True,
        help_text=_("Where this form comes from: an authority and its id (e.g. “NDLSH 00567534”) or a publication."),
    )

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def script(self) -> str:
        return script_subtag(self.language)

    @property
    def base_language(self) -> str:
        return base_language(self.language)

    @property
    def form_name(self) -> str:
        """The label's form as the public pages name it, in the active language.

        A romanization is named by the language it romanizes: Japanese calls romanized Japanese
        ローマ字 and a Russian text in Latin letters ラテン文字表記 (ローマ字 means Japanese written in
        Latin letters), and Russian tells ромадзи from a transliteration. English says "romanization"
        of both.
        """
        if self.form == LabelForm.ROMANIZATION:
            if self.base_language == "ja":
                return pgettext("label form, of Japanese", "romanization")
            return pgettext("label form, of another language than Japanese", "romanization")
        return str(self.get_form_display())

    @property
    def is_machine_made(self) -> bool:
        """Whether the label counts as machine-made (:func:`is_machine_made_form`), as a sheet's
        ``machine_made`` cell lists it."""
        return is_machine_made_form(self.machine_made, self.form)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[Any]] = {}
        if not (self.text or "").strip():
            errors.setdefault("text", []).append(_("A label needs some text."))
        if self.form == LabelForm.READING and self.script not in KANA_SCRIPTS:
            errors.setdefault("language", []).append(
                _("A reading is tagged with a kana script, for example ja-Hrkt.")
            )
        # The app's own readings are left alone: it keeps a letter it cannot read (GHQ) rather than guess.
        foreign = not_kana(self.text or "") if self.script in KANA_SCRIPTS and not self.machine_made else []
        if foreign:
            errors.setdefault("text", []).append(
                _("A reading tagged %(language)s is written in kana (hiragana or katakana), with spaces, ー, ・ "
                  "and punctuation as needed; “%(letters)s” is not kana. Put a romanization under ja-Latn.")
                % {"language": self.language, "letters": foreign[0]}
            )
        if self.form == LabelForm.ROMANIZATION and self.script != "Latn":
            errors.setdefault("language", []).append(
                _("A romanization is tagged with the Latin script, for example ja-Latn or ru-Latn.")
            )
        if self.our_translation and self.form != LabelForm.TRANSLATION:
            errors.setdefault("our_translation", []).append(_("Only a translation can be marked as ours."))
        if errors:
            raise ValidationError(errors)


def is_derived(label: Label) -> bool:
    """Whether the label spells out another one: a reading or romanization the app made from it (even once an
    archivist corrected it, it still goes with its source)."""
    return getattr(label, "derived_from_id", None) is not None or label.is_machine_made


def preferred_name_clash(labels: Iterable[Label]) -> tuple[Label, Label] | None:
    """The first two labels that are both the preferred name in one language tag, if any; see
    :func:`validate_names`."""
    seen: dict[str, Label] = {}
    for label in labels:
        if not label.preferred or not (label.text or "").strip() or is_derived(label):
            continue
        key = (label.language or "").lower()
        if key in seen:
            return seen[key], label
        seen[key] = label
    return None


def validate_names(labels: Iterable[Label]) -> None:
    """The names of a vocabulary entry (a place, subject or agent) taken together: one preferred name per
    language tag.

    Whatever their forms, a second preferred name in a tag is never shown (``pick_label``
    takes the first), and the entry's sheet has one name column per tag, so an export
    would drop it and an import elsewhere lose it. An alternative name is a variant (not
    preferred). The tag is compared whole, whatever its letter case, as for titles
    (``validate_titles``). Readings and romanizations the app derived from a name are
    left out: each goes with its source, and two sources in two tags (``ja``, ``ja-Jpan``)
    give two readings in ``ja-Hrkt``. The error's ``params`` name the ``language`` it
    concerns.
    """
    clash = preferred_name_clash(labels)
    if clash is not None:
        first, second = clash
        raise ValidationError(
            _("Two names tagged %(language)s are both preferred (“%(first)s” and “%(second)s”): an entry has one "
              "preferred name per language, whatever its form. Untick “preferred” on one of them: it then stays "
              "as a variant name."),
            code="preferred_names",
            params={"language": second.language, "first": first.text, "second": second.text},
        )


def pick_label(labels: Iterable[Label], language: str | None = None) -> Label | None:
    """Choose the label to display: a preferred label before any variant, then the requested
    language, then the original, then any.

    Reads only ``pk``, ``text``, ``language``, ``form`` and ``preferred``: the search
    keys pick from plain rows with these attributes the label a page will show.

    A variant (an earlier or alternative form) is shown only where there is no
    preferred label at all, even one in another language: it names the entry, it
    is not its name. Within a language a label in the language's own script
    (``ja``) beats a reading or romanization (``ja-Latn``) unless that exact tag
    was requested.
    """
    labels = [label for label in labels if label.text]
    preferred = [label for label in labels if label.preferred]
    return _pick_by_language(preferred or labels, language)


def _pick_by_language(labels: list[Label], language: str | None) -> Label | None:
    if not labels:
        return None

    def rank(label: Label) -> tuple[int, int, int]:
        return (0 if label.preferred else 1, 0 if label.form not in DERIVED_FORMS else 1, label.pk or 0)

    if language:
        exact = [label for label in labels if label.language.lower() == language.lower()]
        if exact:
            return min(exact, key=rank)
        same_base = [label for label in labels if base_language(label.language) == base_language(language)
                     and label.form not in DERIVED_FORMS]
        if same_base:
            return min(same_base, key=rank)
    originals = [label for label in labels if label.form == LabelForm.ORIGINAL]
    if originals:
        configured = [base_language(tag) for tag in app_settings.LANGUAGES]

        def original_rank(label: Label) -> tuple[int, tuple[int, int, int]]:
            base = base_language(label.language)
            position = configured.index(base) if base in configured else 99
            return position, rank(label)

        return min(originals, key=original_rank)
    return min(labels, key=rank)
