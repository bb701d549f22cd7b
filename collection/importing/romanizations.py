"""Readings and romanizations that an import left to be derived afterwards.

An import writes what the file gives and nothing more, so that deriving kana
readings (a dictionary lookup per word) stays out of its hot path. This module
finds every label that should have a derived form and lacks it, and derives it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .. import reasons
from ..derivation import derive_forms
from ..models import AgentName, LabelForm, PlaceName, SubjectLabel, Title
from ..models.labels import DERIVED_FORMS
from ..romanization import readings_available
from ..search import refresh_records_naming

# (label model, the owner's field on it, the owner's related name for its labels)
LABELS: tuple[tuple[type[models.Model], str, str], ...] = (
    (Title, "record", "titles"),
    (AgentName, "agent", "names"),
    (PlaceName, "place", "names"),
    (SubjectLabel, "subject", "labels"),
)

# Labels in these languages get derived forms (see collection.derivation).
_JAPANESE = Q(language__iexact="ja") | Q(language__iexact="ja-Jpan")
_RUSSIAN = Q(language__iexact="ru") | Q(language__iexact="ru-Cyrl")
_DERIVABLE = _JAPANESE | _RUSSIAN

BATCH = 500


def owners_missing_forms(model: type[models.Model], owner_field: str, *, refresh: bool = False,
                         identifiers: list[str] | None = None) -> models.QuerySet:
    """Ids of owners with a Japanese or Russian label that has no derived form.

    With ``refresh``, every owner with such a label (to bring machine-made forms up
    to date); ``identifiers`` limits either to the owners with those identifiers.
    """
    sources = model.objects.filter(_DERIVABLE, derived_from__isnull=True).exclude(form__in=DERIVED_FORMS)
    if identifiers is not None:
        sources = sources.filter(**{f"{owner_field}__identifier__in": identifiers})
    if not refresh:
        sources = sources.filter(~Exists(model.objects.filter(derived_from=OuterRef("pk")))).exclude(
            _has_entered_forms(model, owner_field))
    return sources.values_list(f"{owner_field}_id", flat=True).distinct().order_by(f"{owner_field}_id")


def _has_entered_forms(model: type[models.Model], owner_field: str) -> Q:
    """A source label whose forms an archivist entered, all that can be derived: nothing is missing from it.

    Such forms name no source (see :func:`collection.derivation.derive_forms`), so
    without this the label would count as missing forms on every run. A Japanese
    label needs its romanization entered, and its reading too unless no reading can be
    derived here: an entered reading alone still leaves the Hepburn form to derive.
    """
    same = {owner_field: OuterRef(owner_field), "preferred": OuterRef("preferred"), "derived_from__isnull": True,
            "machine_made": False}
    reading = Q(Exists(model.objects.filter(language__iexact="ja-Hrkt", **same)))
    romanization = Q(Exists(model.objects.filter(language__iexact="ja-Latn", **same)))
    japanese = romanization & reading if readings_available() else romanization
    russian = Q(Exists(model.objects.filter(language__iexact="ru-Latn", **same)))
    return (_JAPANESE & japanese) | (_RUSSIAN & russian)


def update_missing_forms(*, refresh: bool = False, records: list[str] | None = None,
                         progress: Callable[[int, int], None] | None = None) -> int:
    """Derive every missing reading and romanization; with ``refresh`` also redo stale machine-made ones.

    ``records`` (identifiers) brings those records' titles fully up to date — what
    an import changed — besides every missing form elsewhere. Returns the number
    of labels created or changed. Forms an archivist corrected are never touched
    (see :func:`collection.derivation.derive_forms`). The records whose search keys
    hold a changed label are re-indexed with it, a batch at a time.
    """
    changed = 0
    work = []
    for model, owner_field, related in LABELS:
        owners = set(owners_missing_forms(model, owner_field, refresh=refresh))
        if records and model is Title:
            for start in range(0, len(records), 5000):
                owners.update(owners_missing_forms(model, owner_field, refresh=True,
                                                   identifiers=records[start:start + 5000]))
        work.append((model, owner_field, related, sorted(owners)))
    total = sum(len(ids) for *_, ids in work)
    done = 0
    for model, owner_field, related, ids in work:
        owner_model = model._meta.get_field(owner_field).related_model
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            with transaction.atomic():
                touched = []
                for owner in owner_model.objects.filter(pk__in=chunk).prefetch_related(related):
                    labels = getattr(owner, related).all()
                    forms = derive_forms(labels, model, {owner_field: owner}, reasons.machine_made_forms())
                    if forms:
                        touched.append(owner.pk)
                        changed += len(forms)
                # The owner's readings and romanizations are part of what its pages and its records' Dublin Core
                # show: its change moves their dates (``records.last_change``), harvesters' too.
                owner_model.objects.filter(pk__in=touched).update(modified=timezone.now())
                refresh_records_naming(owner_model, touched)
            done += len(chunk)
            if progress:
                progress(done, total)
    return changed


def missing_count() -> int:
    """How many owners still lack a derived form."""
    return sum(owners_missing_forms(model, owner_field).count() for model, owner_field, _ in LABELS)


__all__ = ["LabelForm", "missing_count", "owners_missing_forms", "update_missing_forms"]
