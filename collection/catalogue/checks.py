"""Quick checks of catalogue values that agree with the models' own validation.

A file of thousands of rows repeats most of its values (kinds, statuses, dates,
languages, vocabulary) and brings fresh text in a few columns (titles,
descriptions). Building a model instance per row and running its
``clean_fields()`` costs more than writing the row. Here each field gets, once,
a check chosen from its own definition:

- a text field whose only rules are its maximum length, "no NUL character" and
  perhaps its choices is checked with a length test and a set lookup;
- any other field (dates, ISBNs, URLs, numbers) runs its own ``clean()``, and the
  verdict on each value is remembered (:class:`FieldVerdicts`), so a value repeated
  down the file is validated once.

A check only answers "certainly valid". A value it does not pass is validated by
the models themselves, which give the messages; so the rules and the messages
stay the models' own, and this module can only make a valid file faster. That
validation (:meth:`FieldVerdicts.clean_fields`) draws on the same verdicts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault

from ..fields import NFCCharField, NFCMixin, NFCTextField

# Fields whose to_python() keeps a text as it is and whose rules are the validators below.
_PLAIN_TEXT = (models.CharField, NFCCharField, models.TextField, NFCTextField)
_LENGTH_RULES = (MaxLengthValidator, ProhibitNullCharactersValidator)
# Verdicts kept per field before the cache starts over: repeated values are few, unique ones are not kept.
_MAX_VERDICTS = 10_000

Check = Callable[[Any], bool]


def field_check(field: models.Field, verdicts: FieldVerdicts | None = None) -> Check:
    """A function telling whether ``field.clean(value)`` would certainly accept ``value``.

    As ``Model.clean_fields()`` does, a blank value of a field that may be blank is
    accepted without running the field's validation. A field validated by its own
    ``clean()`` keeps its verdicts in ``verdicts``, shared with whatever else validates
    through them.
    """
    if type(field) in _PLAIN_TEXT and all(isinstance(v, _LENGTH_RULES) for v in field.validators):
        return _text_check(field)
    judge = (verdicts if verdicts is not None else FieldVerdicts()).judge(field)
    blank, empty_values = field.blank, field.empty_values

    def check(value: Any) -> bool:
        if blank and value in empty_values:
            return True
        return judge(value)[0]

    return check


def _text_check(field: models.Field) -> Check:
    max_length = field.max_length
    blank = field.blank
    choices = frozenset(str(value) for value, _label in field.flatchoices) if field.choices else None
    # An NFC field validates the normalized text; a text already in NFC is its own normal form.
    normal = isinstance(field, NFCMixin)

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return value is None and blank
        if not value:
            return blank
        if "\x00" in value or (max_length is not None and len(value) > max_length):
            return False
        if normal and not unicodedata.is_normalized("NFC", value):
            return False
        return choices is None or value in choices

    return check


# A field's verdict on a value: (True, the cleaned value) or (False, the field's errors).
Verdict = tuple[bool, Any]
# Called with the value and, optionally, the instance it belongs to.
Judge = Callable[..., Verdict]


class FieldVerdicts:
    """Each field's verdicts on the values it was given, so that a value repeated down a file is validated once.

    Free text (NFC and text fields) and the values of unique fields seldom repeat:
    they are validated every time and not kept.
    """

    def __init__(self) -> None:
        self._judges: dict[models.Field, Judge] = {}

    def judge(self, field: models.Field) -> Judge:
        """``field``'s verdict on a value, the first time from its ``clean()``."""
        judge = self._judges.get(field)
        if judge is None:
            judge = self._judges[field] = _judge(field)
        return judge

    def clean_fields(self, obj: models.Model, exclude: set[str]) -> None:
        """``obj.clean_fields(exclude)``: the same cleaned values and errors, from the verdicts."""
        errors: dict[str, Any] = {}
        for f in obj._meta.fields:
            if f.name in exclude or f.generated:
                continue
            raw = getattr(obj, f.attname)
            if (f.blank and raw in f.empty_values) or isinstance(raw, DatabaseDefault):
                continue
            valid, outcome = self.judge(f)(raw, obj)
            if valid:
                setattr(obj, f.attname, outcome)
            else:
                errors[f.name] = outcome
        if errors:
            raise ValidationError(errors)


def _verdict(field: models.Field, value: Any, obj: models.Model | None) -> Verdict:
    try:
        return True, field.clean(value, obj)
    except ValidationError as exc:
        return False, exc.error_list


def _judge(field: models.Field) -> Judge:
    if isinstance(field, (NFCMixin, models.TextField)) or field.unique:
        return lambda value, obj=None: _verdict(field, value, obj)
    verdicts: dict[tuple[type, Any], Verdict] = {}

    def judge(value: Any, obj: models.Model | None = None) -> Verdict:
        key = (type(value), value)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = _verdict(field, value, obj)
            if len(verdicts) >= _MAX_VERDICTS:
                verdicts.clear()
            verdicts[key] = verdict
        return verdict

    return judge
