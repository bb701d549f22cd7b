"""Validators for identifiers, standard numbers and language tags."""

from __future__ import annotations

import re

import langcodes
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as StdnumError

validate_identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    _("An identifier uses only Latin letters, digits, “.”, “_” and “-”, and starts with a letter or digit."),
    code="invalid_identifier",
)

_ISBN_PREFIX = re.compile(r"^\s*ISBN(?:-1[03])?:?\s*", re.IGNORECASE)


def strip_isbn_prefix(value: str) -> str:
    return _ISBN_PREFIX.sub("", value or "").strip()


def validate_isbn(value: str) -> None:
    number = strip_isbn_prefix(value)
    try:
        stdnum_isbn.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid ISBN: %(reason)s"),
            code="invalid_isbn",
            params={"value": value, "reason": exc.message},
        ) from exc


def isbn_forms(value: str) -> tuple[str, str]:
    """The compact ISBN-10 (where one exists) and ISBN-13 forms of a valid ISBN."""
    number = strip_isbn_prefix(value)
    if not number or not stdnum_isbn.is_valid(number):
        return "", ""
    isbn13 = stdnum_isbn.compact(stdnum_isbn.to_isbn13(number))
    try:
        isbn10 = stdnum_isbn.compact(stdnum_isbn.to_isbn10(number))
    except StdnumError:
        isbn10 = ""  # 979- ISBNs have no ISBN-10 form
    return isbn10, isbn13


def validate_issn(value: str) -> None:
    try:
        stdnum_issn.validate(re.sub(r"^\s*ISSN:?\s*", "", value, flags=re.IGNORECASE))
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid ISSN: %(reason)s"),
            code="invalid_issn",
            params={"value": value, "reason": exc.message},
        ) from exc


def validate_language_tag(value: str) -> None:
    if not langcodes.tag_is_valid(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid BCP 47 language tag (for example ja, ru, en, ja-Latn)."),
            code="invalid_language",
            params={"value": value},
        )


def validate_edtf(value: str) -> None:
    from .dates import parse_edtf_bounds

    parse_edtf_bounds(value)
