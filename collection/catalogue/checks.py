"""Quick checks of catalogue values that agree with the models' own validation.

A file of thousands of rows repeats most of its values (kinds, statuses, dates,
languages, vocabulary) and brings fresh text in a few columns (titles,
descriptions). Building a model instance per row and running its
``clean_fields()`` costs more than writing the row. Here each field gets, once,
a check chosen from its own definition:

- a text field whose only rules are its maximum length, "no NUL character" and
  perhaps its choices is checked with a length test and a set lookup;
- any other field (dates, ISBNs, URLs, numbers) runs its own ``clean()``, and the
  verdict on each value is remembered, so a value repeated down the file is
  validated once.

A check only answers "certainly valid". A value it does not pass is validated by
the models themselves, which give the messages; so the rules and the messages
stay the models' own, and this module can only make a valid file faster.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

from ..fields import NFCCharField, NFCMixin, NFCTextField

# Fields whose to_python() keeps a text as it is and whose rules are the validators below.
_PLAIN_TEXT = (models.CharField, NFCCharField, models.TextField, NFCTextField)
_LENGTH_RULES = (MaxLengthValidator, ProhibitNullCharactersValidator)
# Verdicts kept per field before the cache starts over: repeated values are few, unique ones are not kept.
_MAX_VERDICTS = 10_000

Check = Callable[[Any], bool]


def field_check(field: models.Field) -> Check:
    """A function telling whether ``field.clean(value)`` would certainly accept ``value``.

    As ``Model.clean_fields()`` does, a blank value of a field that may be blank is
    accepted without running the field's validation.
    """
    if type(field) in _PLAIN_TEXT and all(isinstance(v, _LENGTH_RULES) for v in field.validators):
        return _text_check(field)
    return _remembered_check(field)


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


def _remembered_check(field: models.Field) -> Check:
    verdicts: dict[tuple[type, Any], bool] = {}

    def check(value: Any) -> bool:
        if field.blank and value in field.empty_values:
            return True
        key = (type(value), value)
        verdict = verdicts.get(key)
        if verdict is None:
            try:
                field.clean(value, None)
            except ValidationError:
                verdict = False
            else:
                verdict = True
            if len(verdicts) >= _MAX_VERDICTS:
                verdicts.clear()
            verdicts[key] = verdict
        return verdict

    return check
