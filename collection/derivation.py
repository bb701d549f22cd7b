"""Derive readings and romanizations of labels (titles, names, subject labels).

A Japanese label gets a kana reading (``ja-Hrkt``) and a Hepburn romanization
(``ja-Latn``) made from that reading; a Russian label gets a romanization
(``ru-Latn``). Derived labels point at their source with ``derived_from`` and are
flagged ``machine_made``. Once an archivist corrects one (clearing the flag) it is
never overwritten; a machine-made one follows its source when the source changes,
and goes when the source no longer gives one. A reading or romanization the
archivist entered is never doubled by a machine-made one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

from .models.labels import DERIVED_FORMS, Label, LabelForm
from .romanization import (
    capitalized_romanization,
    japanese_reading,
    kana_to_hepburn,
    readings_available,
    romanize_russian,
)
from .text import READING_TAGS, base_language, script_subtag

READING_TAG, _JAPANESE_ROMANIZATION = READING_TAGS["ja"]
(_RUSSIAN_ROMANIZATION,) = READING_TAGS["ru"]
# Lowercased, as labels' tags are compared whatever their letter case.
_DERIVED_BY_LANGUAGE = {base: tuple(tag.lower() for tag in tags) for base, tags in READING_TAGS.items()}
# The tags of derived forms, lowercased: an archivist's label in one of them stands for the machine's.
DERIVED_TAGS = frozenset(tag for tags in _DERIVED_BY_LANGUAGE.values() for tag in tags)
# The script a source label's tag may name: readings are made of Japanese text and romanizations of Cyrillic, so a
# label in another script (``ja-Latn``, ``ru-Latn``) is no source.
_SOURCE_SCRIPTS = {"ja": "Jpan", "ru": "Cyrl"}


def _source_of_form(label: Label, by_pk: dict[int, Label]) -> Label | None:
    """The label ``label`` is derived from: stored, by its key; made in memory (by an import, before keys are
    given out), as assigned."""
    return by_pk.get(label.derived_from_id) if label.derived_from_id else _assigned_source(label)


def _assigned_source(label: Label) -> Label | None:
    """The source assigned to a label not yet written (which has no key to name it by yet), if any."""
    derived_from = label._meta.get_field("derived_from")
    return derived_from.get_cached_value(label) if derived_from.is_cached(label) else None


class _Forms:
    """The forms a label already has, by the label and a tag: derived from it, or entered by an archivist.

    An archivist enters a reading or romanization as a label of its own, without
    naming its source: it counts as the form of the labels in its base language
    with the same preference (a preferred ``ja-Latn`` for the preferred ``ja``
    title), and is never doubled by a machine-made one. Labels are told apart by
    identity, not by key, so that an import can plan the forms of names it has not
    written yet.
    """

    def __init__(self, labels: list[Label]) -> None:
        by_pk = {label.pk: label for label in labels if label.pk}
        self.derived: dict[tuple[int, str], Label] = {}
        self.entered: dict[tuple[str, bool], Label] = {}
        for label in labels:
            source = _source_of_form(label, by_pk)
            if source is not None and label.form in DERIVED_FORMS:
                self.derived[(id(source), label.language)] = label
            elif (source is None and not label.derived_from_id and not label.machine_made
                  and label.language.lower() in DERIVED_TAGS):
                self.entered.setdefault((label.language.lower(), label.preferred), label)

    def entered_for(self, source: Label, tag: str) -> Label | None:
        return self.entered.get((tag.lower(), source.preferred))

    def current(self, source: Label, tag: str) -> Label | None:
        """The archivist's form wins over a machine-made one of the same source."""
        return self.entered_for(source, tag) or self.derived.get((id(source), tag))


def derived_tags(language: str) -> tuple[str, ...]:
    """The tags, lower-cased, of the forms the app derives from a label in ``language``."""
    base, script = base_language(language), script_subtag(language)
    if script and script != _SOURCE_SCRIPTS.get(base):
        return ()
    return _DERIVED_BY_LANGUAGE.get(base, ())


def source_of(tag: str, labels: Iterable[Label]) -> Label | None:
    """The label among ``labels`` (in key order) that a preferred form in ``tag`` is made from, as
    :func:`derive_forms` makes it: the first preferred label, not itself a form, in a language the app derives
    such a form from; ``None`` if there is none."""
    for label in labels:
        if (label.preferred and label.form not in DERIVED_FORMS and not label.derived_from_id
                and tag.lower() in derived_tags(label.language)):
            return label
    return None


def romanized_reading(label: Label | object, reading: str) -> str:
    """The Hepburn romanization of a label's kana reading, capitalized as a title's or as a name's."""
    return capitalized_romanization(kana_to_hepburn(reading), name=getattr(label, "romanized_as_name", False))


def forms_to_derive(label: Label | object, checked_reading: str = "") -> list[tuple[str, str, str]]:
    """(language, form, text) of the readings and romanizations the app derives from ``label`` (anything with a
    ``language`` and a ``text``): for a Japanese label its kana reading and the Hepburn romanization of that
    reading, for a Russian one its romanization.

    ``checked_reading`` is the label's reading as an archivist entered or corrected it: the romanization is made
    from it, never from the dictionary's, whichever path derives it (the admin, an import, the task after one).
    """
    tags = derived_tags(label.language)
    if READING_TAG.lower() in tags:
        reading = checked_reading or japanese_reading(label.text)
        if reading:
            return [(READING_TAG, LabelForm.READING, reading),
                    (_JAPANESE_ROMANIZATION, LabelForm.ROMANIZATION, romanized_reading(label, reading))]
    elif _RUSSIAN_ROMANIZATION.lower() in tags:
        romanized = romanize_russian(label.text)
        if romanized and romanized != label.text:
            return [(_RUSSIAN_ROMANIZATION, LabelForm.ROMANIZATION, romanized)]
    return []


def romanization_of(tag: str, source: Label | object, checked_reading: str = "") -> str | None:
    """The romanization in ``tag`` the app makes of ``source`` (anything with a ``language`` and a ``text``), where
    that is cheap and certain: of a Russian label, or of a Japanese one's ``checked_reading``; ``None`` where it
    would need the dictionary's reading (no checked one) or ``tag`` is no romanization of the label's language.
    ``""`` where the app makes none (a Russian text without Cyrillic)."""
    tags = derived_tags(source.language)
    if tag.lower() not in tags or tag.lower() == READING_TAG.lower() or (
            READING_TAG.lower() in tags and not checked_reading):
        return None
    made = {language.lower(): text for language, _form, text in forms_to_derive(source, checked_reading)}
    return made.get(tag.lower(), "")


def checked_text(reading: Label | None) -> str:
    """The text of a label's reading if an archivist entered or corrected it, else ``""`` (none, or
    machine-made: the romanization is then made from the dictionary's reading)."""
    return reading.text if reading is not None and not reading.machine_made else ""


def _plan(label: Label, forms: _Forms) -> list[tuple[str, str, str, Label | None]]:
    """(language, form, text, source) of the forms a label should have."""
    checked = checked_text(forms.current(label, READING_TAG))
    return [(language, form, text, label) for language, form, text in forms_to_derive(label, checked)]


@dataclass
class FormChanges:
    """What bringing a parent's machine-made readings and romanizations up to date does: the forms to create
    (unsaved), those whose text changes (already changed) and those to remove."""

    created: list[Label] = field(default_factory=list)
    updated: list[Label] = field(default_factory=list)
    removed: list[Label] = field(default_factory=list)


def plan_forms(labels: Iterable[Label], model: type[Label], owner: dict[str, models.Model],
               sources: Callable[[Label], bool] = lambda label: True) -> FormChanges:
    """The changes :func:`derive_forms` makes, worked out in memory and not written, for the labels that
    ``sources`` accepts among ``labels`` (all the parent's labels, stored or about to be).

    An import calls it to write the forms with the rest of its batch; a label it has not written yet is named
    as the source of its forms by the object, which gets its key when the import gives one out.
    """
    labels = list(labels)
    forms = _Forms(labels)
    changes = FormChanges()

    def remove(label: Label, language: str) -> None:
        changes.removed.append(forms.derived.pop((id(label), language)))

    for label in labels:
        if (label.form in DERIVED_FORMS or label.derived_from_id or _assigned_source(label) is not None
                or not sources(label)):
            continue
        planned = [plan for plan in _plan(label, forms) if plan[2]]
        if _conclusive(label):
            # The source no longer gives this form (a kanji the dictionary does not know): a machine-made
            # one left from its earlier text would be wrong.
            wanted = {language for language, *_ in planned}
            for source_id, language in list(forms.derived):
                if (source_id == id(label) and language not in wanted
                        and forms.derived[(source_id, language)].machine_made):
                    remove(label, language)
        for language, form, text, source in planned:
            machine = forms.derived.get((id(label), language))
            if forms.entered_for(label, language) is not None:
                if machine is not None and machine.machine_made:
                    remove(label, language)
                continue
            if machine is None:
                created = model(**owner, language=language, form=form, text=text, derived_from=source,
                                preferred=label.preferred, machine_made=True)
                forms.derived[(id(label), language)] = created
                changes.created.append(created)
            elif machine.machine_made and machine.text != text:
                machine.text = text
                changes.updated.append(machine)
    return changes


def derive_forms(labels: Iterable[Label], model: type[Label], owner: dict[str, models.Model],
                 reason: str | None = None) -> list[Label]:
    """Create or refresh the machine-made readings and romanizations of ``labels``.

    ``owner`` names the parent, e.g. ``{"record": record}``; ``labels`` are all its
    labels, as stored. Returns the labels created, changed or removed. Labels
    corrected or entered by an archivist are left alone, and a machine-made form
    that an archivist's form of the same tag replaces is removed. ``reason`` is the
    history's reason for each (``collection.reasons``), where no one's edit explains them.
    """
    changes = plan_forms([label for label in labels if label.pk], model, owner)
    changed = [*changes.created, *changes.updated, *changes.removed]
    if reason:
        for label in changed:
            label._change_reason = reason
    for label in changes.removed:
        label.delete()
    for label in changes.updated:
        label.save(update_fields=["text"])
    for label in changes.created:
        label.save(force_insert=True)
    return changed


def _conclusive(label: Label) -> bool:
    """Whether a label without a planned form truly has none, rather than no dictionary to read it with."""
    return base_language(label.language) != "ja" or readings_available()
