"""Text normalization shared by storage, import and search."""

from __future__ import annotations

import unicodedata


def nfc(value: str | None) -> str | None:
    """Return ``value`` in Unicode Normalization Form C (how all text is stored)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value)


def clean_text(value: str | None) -> str:
    """NFC-normalize and strip surrounding white space; ``None`` becomes ``""``."""
    return (nfc(value) or "").strip()


def base_language(tag: str) -> str:
    """``ja-Latn`` -> ``ja``; ``zh-Hant-TW`` -> ``zh``."""
    return tag.split("-", 1)[0].lower()


def script_subtag(tag: str) -> str:
    """The script subtag of a BCP 47 tag (``ja-Latn`` -> ``Latn``), or ``""``."""
    for part in tag.split("-")[1:]:
        if len(part) == 4 and part.isalpha():
            return part.title()
    return ""


def language_name(tag: str, language: str | None = None) -> str:
    """A language by name in ``language`` (default: the active language): ``ru`` -> "Russian", "ロシア語".

    By langcodes' names where it has them (its optional ``language_data`` tables), else
    Django's own list of languages, else the tag itself.
    """
    from django.utils.translation import get_language, get_language_info, override

    if not tag:
        return ""
    in_language = language or get_language() or "en"
    try:
        import langcodes

        parsed = langcodes.Language.get(tag)
        if parsed.has_name_data():
            return parsed.display_name(in_language)
    except (ImportError, ValueError, LookupError):
        pass
    try:
        with override(in_language):
            return str(get_language_info(tag)["name_translated"])
    except KeyError:
        return tag
