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
