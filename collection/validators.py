"""Validators for identifiers, standard numbers, web addresses and language tags."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import langcodes
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from .text import CONTROL_CHARACTER

CONTROL_CHARACTER_MESSAGE = _(
    "The text holds the control character U+%(code)04X, which no text may hold (Word writes U+000B for a line "
    "break within a paragraph): remove it, or type a line break instead.")


def validate_no_control_character(value: str) -> None:
    """Refuse a text holding a control character (:data:`collection.text.CONTROL_CHARACTER`)."""
    found = CONTROL_CHARACTER.search(value or "")
    if found is not None:
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_character",
                              params={"code": ord(found.group())})


def unstorable_cell_problem(text: str) -> str | None:
    """What is wrong with an imported cell's ``text`` that no text may hold: a NUL, or a control character (the
    message a form gives beside its field); ``None`` when there is nothing of the kind."""
    if "\x00" in text:
        return str(_("The cell contains a NUL character."))
    try:
        validate_no_control_character(text)
    except ValidationError as error:
        return error.messages[0]
    return None


validate_identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    _("An identifier uses only Latin letters, digits, “.”, “_” and “-”, and starts with a letter or digit."),
    code="invalid_identifier",
)

_ISBN_PREFIX = re.compile(r"^\s*ISBN(?:-1[03])?:?\s*", re.IGNORECASE)


def strip_isbn_prefix(value: str) -> str:
    return _ISBN_PREFIX.sub("", value or "").strip()


# Our own words for python-stdnum's kinds of failure: its messages are English only. The first kind the
# failure is an instance of wins (a wrong length is also a wrong format to stdnum); the last is the catch-all.
_ISBN_MESSAGES = (
    (InvalidChecksum, _("“%(value)s” is not a valid ISBN: its check digit (the last character) does not match "
                        "the others; look for a mistyped digit.")),
    (InvalidLength, _("“%(value)s” is not a valid ISBN: an ISBN has 10 or 13 digits.")),
    (InvalidComponent, _("“%(value)s” is not a valid ISBN: an ISBN of 13 digits starts with 978 or 979.")),
    (StdnumError, _("“%(value)s” is not a valid ISBN: an ISBN holds only digits, hyphens and spaces (one of 10 "
                    "digits may end in X).")),
)
_ISSN_MESSAGES = (
    (InvalidChecksum, _("“%(value)s” is not a valid ISSN: its check digit (the last character) does not match "
                        "the others; look for a mistyped digit.")),
    (InvalidLength, _("“%(value)s” is not a valid ISSN: an ISSN has 8 digits, as in 0317-8471.")),
    (StdnumError, _("“%(value)s” is not a valid ISSN: an ISSN holds only digits and a hyphen (it may end in X).")),
)


def _standard_number_error(exc: StdnumError, messages: tuple[tuple[type[StdnumError], Any], ...], code: str,
                           value: str) -> ValidationError:
    message = next(message for kind, message in messages if isinstance(exc, kind))
    return ValidationError(message, code=code, params={"value": value})


def half_width_form(value: str) -> str | None:
    """``value`` in ASCII where it is typed in full-width characters, as a Japanese IME types them (ｍｅｍｏｉｒ,
    ９７８４…); ``None`` for ASCII text and for text that has no ASCII form."""
    if value.isascii():
        return None
    ascii_form = unicodedata.normalize("NFKC", value).strip()
    return ascii_form if ascii_form != value and ascii_form.isascii() else None


def full_width_error(value: str, ascii_form: str, code: str | None = None) -> ValidationError:
    """The refusal of ``value`` typed full-width, naming the ASCII form to write: the two look alike, and
    "unknown" or "invalid" would not say why."""
    return ValidationError(_("“%(value)s” is written with full-width characters: write it as %(ascii)s."),
                           code=code, params={"value": value, "ascii": ascii_form})


def is_valid(validator: Any, value: str) -> bool:
    """Whether ``validator`` accepts ``value``."""
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def _refuse_other_than_ascii(value: str, validator: Any, messages: tuple[tuple[type[StdnumError], Any], ...],
                             code: str) -> None:
    """Refuse a standard number written in other characters than ASCII, which python-stdnum takes for digits and
    the record would store so: full-width ones are told their ASCII form; others are no digits of a standard
    number."""
    if value.isascii():
        return
    ascii_form = half_width_form(value)
    if ascii_form is None:
        raise ValidationError(messages[-1][1], code=code, params={"value": value})
    try:
        validator(ascii_form)
    except ValidationError as wrong:
        # What else is wrong with it (a check digit, a length), said of the number as it was typed.
        raise ValidationError(wrong.message, code=code, params={**(wrong.params or {}), "value": value}) from None
    raise full_width_error(value, ascii_form, code)


def validate_isbn(value: str) -> None:
    _refuse_other_than_ascii(value, validate_isbn, _ISBN_MESSAGES, "invalid_isbn")
    number = strip_isbn_prefix(value)
    try:
        stdnum_isbn.validate(number)
    except StdnumError as exc:
        raise _standard_number_error(exc, _ISBN_MESSAGES, "invalid_isbn", value) from exc


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
    _refuse_other_than_ascii(value, validate_issn, _ISSN_MESSAGES, "invalid_issn")
    try:
        stdnum_issn.validate(re.sub(r"^\s*ISSN:?\s*", "", value, flags=re.IGNORECASE))
    except StdnumError as exc:
        raise _standard_number_error(exc, _ISSN_MESSAGES, "invalid_issn", value) from exc


@deconstructible(path="collection.validators.HttpURLValidator")
class HttpURLValidator(URLValidator):
    """A web address: http or https only (no ``javascript:``, ``data:``, ``ftp:`` or ``file:``).

    A URL of another scheme, or none, is told so, rather than only that it is not valid.
    """

    scheme_message = _("Enter a URL that starts with http:// or https://.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schemes", ["http", "https"])
        super().__init__(**kwargs)

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and value.split("://")[0].lower() not in self.schemes:
            raise ValidationError(self.scheme_message, code="invalid_scheme", params={"value": value})
        super().__call__(value)


validate_http_url = HttpURLValidator()


def validate_language_tag(value: str) -> None:
    if not langcodes.tag_is_valid(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid BCP 47 language tag (for example ja, ru, en, ja-Latn)."),
            code="invalid_language",
            params={"value": value},
        )


# An agent's ids in other authority files, as the files write them: the public page links each to its record
# there, so a pasted address or a typo would publish a broken link.
_DIGITS_ID = re.compile(r"[0-9]+")  # VIAF and NDL Authorities
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")


def validate_viaf_id(value: str) -> None:
    if value and not _DIGITS_ID.fullmatch(value):
        raise ValidationError(
            _("“%(value)s” is not a VIAF id, which is digits only: write the number alone, not the address."),
            code="invalid_viaf", params={"value": value})


def validate_ndl_id(value: str) -> None:
    if value and not _DIGITS_ID.fullmatch(value):
        raise ValidationError(
            _("“%(value)s” is not an NDL Authorities id, which is digits only: write the number alone, not the "
              "address."),
            code="invalid_ndl", params={"value": value})


def validate_wikidata_id(value: str) -> None:
    if value and not _WIKIDATA_ID.fullmatch(value):
        raise ValidationError(
            _("“%(value)s” is not a Wikidata id, which is Q followed by digits: write the id alone, not the "
              "address."),
            code="invalid_wikidata", params={"value": value})


def validate_edtf(value: str) -> None:
    """A date as the catalogue stores it: EDTF the parser reads, written as the archivist means it."""
    from .dates import check_written_form, parse_edtf_bounds

    check_written_form((value or "").strip())
    parse_edtf_bounds(value)
