"""Text normalization shared by storage, import and search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import pgettext

# Traditional and variant kanji as their common forms: names and pre-1946 documents write 髙橋, 收容所, 澤;
# a reader types 高橋, 収容所, 沢. 満洲 and 満州 are one place. Each reads as its common form does.
KANJI_FORMS = dict(zip(
    "髙﨑嵜邊邉澤濱濵齋齊國廣德眞櫻藏實惠榮將壽與莊關瀨龜兒圓學會團獨滿戰歸佛驛舊收繪縣區體聯勞號晝醫舍嶋瀧黑從發處犧冨槇戶洲𠮷",
    "高崎崎辺辺沢浜浜斎斉国広徳真桜蔵実恵栄将寿与荘関瀬亀児円学会団独満戦帰仏駅旧収絵県区体連労号昼医舎島滝黒従発処犠富槙戸州吉",
    strict=True))


# Characters XML 1.0 cannot carry at all, not even escaped: most C0 controls (Word's manual line break, U+000B,
# among them), lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# C0 control characters other than the tab and the line breaks: no text of the catalogue holds one, as neither
# an XLSX cell nor XML can carry them (the NUL is refused apart, in Django's own words).
CONTROL_CHARACTER = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML cannot carry, for an XML answer (OAI-PMH, Atom) that must stay
    well-formed whatever a stored text or a request holds."""
    return NOT_XML.sub("", value)


def listed(items: Iterable[str]) -> str:
    """``items`` one after another as the reader's language lists them (Japanese with 「、」, not a comma)."""
    return pgettext("between the entries of a list", ", ").join(items)


def nfc(value: str | None) -> str | None:
    """Return ``value`` in Unicode Normalization Form C (how all text is stored)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value)


def stored_form(value: str | None) -> str | None:
    """``value`` as text is stored: NFC, with its line breaks as ``\n``.

    Browsers send a text box's line breaks as CRLF and office software saves a cell's either way: stored as
    given, one text would differ from itself after a trip through a form or a spreadsheet program.
    """
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
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


KANA_SCRIPTS = ("Hrkt", "Kana", "Hira")

# The readings and romanizations of a label, by its base language: the app derives them from a label in that
# language, and a catalogue sheet gives each a column. A Japanese romanization is made from the reading, so the
# reading comes first.
READING_TAGS: dict[str, tuple[str, ...]] = {"ja": ("ja-Hrkt", "ja-Latn"), "ru": ("ru-Latn",)}


def is_kana(char: str) -> bool:
    code = ord(char)
    # Hiragana and katakana (with ー and ・), their phonetic extensions, halfwidth katakana.
    return 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF65 <= code <= 0xFF9F


def not_kana(text: str) -> list[str]:
    """The runs of letters in ``text`` that are not kana, in order: what a reading may not hold.

    Spaces, punctuation, symbols and digits go with kana (a number is read as written);
    any other letter, Latin, Cyrillic or a kanji, means the text is not a reading.
    """
    runs: list[str] = []
    current = ""
    for char in text:
        if unicodedata.category(char)[0] in "LM" and not is_kana(char):
            current += char
            continue
        if current:
            runs.append(current)
        current = ""
    return [*runs, current] if current else runs


# Kanji, with the iteration mark 々.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\U00020000-\U0003134f]")

# Cyrillic with its supplement, whose letters (Komi, Abkhaz, Aleut...) are not Russian's but are Cyrillic all the
# same: a title or a search in them is Cyrillic to every rule that asks (its lang, the title order, a name's guessed
# language), not Latin to one and Cyrillic to another.
CYRILLIC = re.compile(r"[\u0400-\u052f]")


def script_language(text: str) -> str:
    """The language a text's letters say, for its ``lang``: ``ja`` when they are all kana and kanji, ``ru`` when
    all Cyrillic, else ``""``.

    For text typed by a reader (a search), whose language is not given: a screen reader
    reads Japanese or Cyrillic letters aloud only in a voice for them. Latin letters say
    nothing (English, or any romanization), and neither does a mix of scripts.
    """
    letters = [char for char in text if unicodedata.category(char)[0] == "L"]
    if not letters:
        return ""
    if all(is_kana(char) or HAN.match(char) for char in letters):
        return "ja"
    if all(CYRILLIC.match(char) for char in letters):
        return "ru"
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
