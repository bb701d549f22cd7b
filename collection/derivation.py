"""Derive readings and romanizations of labels (titles, names, subject labels).

A Japanese label gets a kana reading (``ja-Hrkt``) and a Hepburn romanization
(``ja-Latn``) made from that reading; a Russian label gets a romanization
(``ru-Latn``). Derived labels point at their source with ``derived_from`` and are
flagged ``machine_made``. Once an archivist corrects one (clearing the flag) it is
never overwritten; a machine-made one follows its source when the source changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .models.labels import DERIVED_FORMS, Label, LabelForm
from .romanization import japanese_reading, kana_to_hepburn, romanize_russian
from .text import base_language, script_subtag

READING_TAG = "ja-Hrkt"


def _plan(label: Label, existing: dict[tuple[int, str], Label]) -> list[tuple[str, str, str, Label | None]]:
    """(language, form, text, source) of the forms a label should have."""
    language = base_language(label.language)
    script = script_subtag(label.language)
    planned: list[tuple[str, str, str, Label | None]] = []
    if language == "ja" and script in ("", "Jpan"):
        reading = existing.get((label.pk, READING_TAG))
        reading_text = reading.text if reading and not reading.machine_made else japanese_reading(label.text)
        if reading_text:
            planned.append((READING_TAG, LabelForm.READING, reading_text, label))
            planned.append(("ja-Latn", LabelForm.ROMANIZATION, kana_to_hepburn(reading_text), label))
    elif language == "ru" and script in ("", "Cyrl"):
        romanized = romanize_russian(label.text)
        if romanized and romanized != label.text:
            planned.append(("ru-Latn", LabelForm.ROMANIZATION, romanized, label))
    return planned


def derive_forms(labels: Iterable[Label], model: type[Label], owner: dict[str, models.Model]) -> list[Label]:
    """Create or refresh the machine-made readings and romanizations of ``labels``.

    ``owner`` names the parent, e.g. ``{"record": record}``. Returns the labels
    created or changed. Labels corrected by an archivist are left alone.
    """
    labels = list(labels)
    existing = {
        (label.derived_from_id, label.language): label
        for label in labels
        if label.derived_from_id and label.form in DERIVED_FORMS
    }
    changed: list[Label] = []
    for label in labels:
        if label.form in DERIVED_FORMS or label.derived_from_id or not label.pk:
            continue
        for language, form, text, source in _plan(label, existing):
            if not text:
                continue
            current = existing.get((label.pk, language))
            if current is None:
                created = model.objects.create(
                    **owner, language=language, form=form, text=text, derived_from=source,
                    preferred=label.preferred, machine_made=True,
                )
                existing[(label.pk, language)] = created
                changed.append(created)
            elif current.machine_made and current.text != text:
                current.text = text
                current.save(update_fields=["text"])
                changed.append(current)
    return changed
