"""Readings and romanizations of Japanese and Russian text.

Japanese romanization is modified Hepburn with macrons, derived from the kana
reading (so an archivist who corrects the reading corrects the romanization).
The kana reading itself is derived from kanji with fugashi and UniDic when the
optional ``romanization`` extra is installed. Russian is romanized with an
``iuliia`` schema (ALA-LC by default), with ё handled as the scheme prescribes.
Everything here is machine work that an archivist can correct.
"""

from __future__ import annotations

import functools
import re
import threading

from .conf import app_settings
from .text import CYRILLIC, KANJI_FORMS, base_language, nfc
from .text import HAN as _HAN

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}

_DIGRAPHS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "シェ": "she",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "チェ": "che", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ジェ": "je", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "ビャ": "bya", "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
    "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ティ": "ti", "ディ": "di", "トゥ": "tu",
    "ドゥ": "du", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ツァ": "tsa", "ツェ": "tse", "ツォ": "tso", "イェ": "ye",
}

_MONOGRAPHS = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲ"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョヮ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so",
     "ta", "chi", "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho",
     "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "i", "e", "o",
     "ga", "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "ji", "zu", "de", "do",
     "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po", "vu", "a", "i", "u", "e", "o",
     "ya", "yu", "yo", "wa"],
    strict=True,
))

_MACRONS = {"a": "ā", "i": "ī", "u": "ū", "e": "ē", "o": "ō"}
_ATTACHED = {"助動詞", "接尾辞"}
# The particles は, へ, を are read as pronounced (ワ, エ, オ), as library readings write them, so that the
# romanization derived from the reading says wa, e, o.
_PARTICLES = {"は": "ワ", "へ": "エ", "を": "オ", "ハ": "ワ", "ヘ": "エ", "ヲ": "オ"}
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")


def to_katakana(text: str) -> str:
    return text.translate(_HIRAGANA_TO_KATAKANA)


def has_kana_or_kanji(text: str) -> bool:
    return bool(_KANA.search(text) or _HAN.search(text))


# Japanese punctuation as romanized text writes it: ASCII, with the space a Latin text puts after it.
_PUNCTUATION = {"：": ": ", "；": "; ", "、": ", ", "，": ", ", "。": ". ", "！": "! ", "？": "? ",
                "「": "“", "」": "”", "『": "“", "』": "”", "（": " (", "）": ") ",
                "〜": "-", "～": "-"}


def kana_to_hepburn(reading: str) -> str:
    """Romanize a kana reading in modified Hepburn (ō, ū for long vowels; n' before vowels)."""
    text = to_katakana(nfc(reading) or "")
    syllables: list[str] = []
    index = 0
    geminate = False
    while index < len(text):
        pair, char = text[index:index + 2], text[index]
        if pair in _DIGRAPHS:
            romaji, index = _DIGRAPHS[pair], index + 2
        elif char in _MONOGRAPHS:
            romaji, index = _MONOGRAPHS[char], index + 1
        elif char == "ッ":
            geminate, index = True, index + 1
            continue
        elif char == "ン":
            syllables.append("n")
            index += 1
            continue
        elif char == "ー":
            if syllables and syllables[-1] and syllables[-1][-1] in _MACRONS:
                syllables[-1] = syllables[-1][:-1] + _MACRONS[syllables[-1][-1]]
            index += 1
            continue
        else:
            romaji, index = _PUNCTUATION.get(char, char), index + 1
            if char in "・　 ":
                romaji = " "
        if geminate and romaji[:1].isalpha() and romaji[0] not in "aiueo":
            romaji = ("t" if romaji.startswith("ch") else romaji[0]) + romaji
        geminate = False
        if syllables and syllables[-1] == "n" and romaji[:1] in ("a", "i", "u", "e", "o", "y"):
            syllables[-1] = "n'"
        syllables.append(romaji)
    romanized = "".join(syllables)
    # Long vowels within words: おう/おお -> ō, うう -> ū (the archivist corrects morpheme boundaries).
    romanized = re.sub(r"o[ou]", "ō", romanized)
    romanized = romanized.replace("uu", "ū")
    romanized = re.sub(r"\s+", " ", romanized).strip()
    # No space before closing punctuation the table spaced after a word ("de :" -> "de:"), nor after an opening
    # one a reading spaced ("（ ゴウセイ" -> "(gōsei").
    romanized = re.sub(r" ([:;,.!?)\u201d])", r"\1", romanized)
    return re.sub(r"([(\u201c]) ", r"\1", romanized)


# ALA-LC capitalizes a romanized title's first word and each word of a name (of a person, a body, a place), the
# particles inside a name excepted: "Yokuryūsha no tegami", "Satō Hanako", "Zenkoku Yokuryūsha Hoshō Kyōgikai".
_NAME_PARTICLES = {"no", "to", "ni", "e", "o", "wo", "wa", "ga", "de", "ya", "ka", "mo", "yori", "kara", "made"}
_FIRST_LETTER = re.compile(r"[^\W\d_]")


def capitalized_romanization(romanized: str, *, name: bool) -> str:
    """``romanized`` (as :func:`kana_to_hepburn` writes it, in lower case) capitalized as ALA-LC writes it: the
    first word of a title or subject, every word of a ``name`` but its particles. Latin text kept as written
    (``UTF-16``, ``No.7``) keeps its case."""
    words = romanized.split(" ")
    for position, word in enumerate(words):
        if position and (not name or word in _NAME_PARTICLES):
            continue
        letter = _FIRST_LETTER.search(word)
        if letter is not None:
            words[position] = word[:letter.start()] + letter.group().upper() + word[letter.end():]
    return " ".join(words)


# A MeCab tagger is not safe to share between threads (two parses at once mix their words): readings are derived
# in saves, in request threads and in the task worker, so every parse and the reading of its words hold this lock.
_TAGGER_LOCK = threading.Lock()


@functools.cache
def _tagger():  # pragma: no cover - depends on the optional extra
    try:
        import fugashi

        return fugashi.Tagger()
    except Exception:  # noqa: BLE001 - missing package or dictionary: no derived readings
        return None


def readings_available() -> bool:
    return bool(app_settings.DERIVE_READINGS) and _tagger() is not None


# Punctuation that opens or closes what it encloses, and stays on it in a reading: （ゴウセイ）, 「イコク」.
_OPENING = set("（「『“‘(［[〔【〈《")
_CLOSING = set("）」』”’)］]〕】〉》、。，．,.！!？?：:；;")


def _unspaced(surface: str) -> bool:
    """Text without kana or kanji (Latin, digits, signs): what a reading keeps as written."""
    return bool(surface) and not has_kana_or_kanji(surface)


# Where unidic-lite (UniDic 2.1.2) ranks first a reading that library practice does not use. ALA-LC reads 日本
# Nihon "unless the usage of standard authorities has established a particular reading" (Dai Nippon Teikoku);
# the dictionary reads it ニッポン everywhere, so the common reading is taken, except after the prefix 大.
_WELL_KNOWN_READINGS = {"日本": "ニホン"}
_ESTABLISHED_AFTER_PREFIX = {"大"}
# The dictionary reads the suffix 人 ニン everywhere. After what a person does (管理人, 受取人) it is ニン; after a
# place, a people or another noun (日本人, 民間人) it is ジン. A verbal noun or a native word before it marks the
# first; 被告人 is the legal term that reads ニン after a plain noun.
_PERSON_OF = "ジン"
_DOER_AFTER = {"被告"}


def _corrected_reading(word, previous) -> str | None:
    """The reading library practice gives a word where the dictionary's is not it, else ``None``."""
    surface, feature = word.surface, word.feature
    previous_surface = previous.surface if previous is not None else ""
    if surface in _WELL_KNOWN_READINGS and previous_surface not in _ESTABLISHED_AFTER_PREFIX:
        return _WELL_KNOWN_READINGS[surface]
    if surface == "人" and getattr(feature, "pos1", "") == "接尾辞" and previous is not None and (
            previous_surface not in _DOER_AFTER and getattr(previous.feature, "pos3", "") != "サ変可能"
            and getattr(previous.feature, "goshu", "") != "和"):
        return _PERSON_OF
    return None


_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]+")


def _tagged_words(text: str) -> list[tuple[str, str, str, bool]]:
    """(surface, reading, part of speech, spaced from the word before) of each word the tagger finds.

    A run of katakana written together is one loanword or foreign name, read as written, however the
    dictionary splits it into words it knows (カン|スク, ライチ|ハ); the nakaguro between two names is no
    katakana and keeps them apart.
    """
    with _TAGGER_LOCK:
        tagged = _tagger()(text)
        # A word's features are read from the tagger's buffers, which the next parse reuses: read them here.
        read = [(word.surface, _reading_of(word, previous), getattr(word.feature, "pos1", ""),
                 bool(word.white_space)) for previous, word in zip([None, *tagged], tagged, strict=False)]
    words: list[tuple[str, str, str, bool]] = []
    for surface, reading, pos, spaced in read:
        if (words and not spaced and _KATAKANA_WORD.fullmatch(surface)
                and _KATAKANA_WORD.fullmatch(words[-1][0])):
            run, run_pos, run_spaced = words[-1][0] + surface, words[-1][2], words[-1][3]
            words[-1] = (run, run, run_pos, run_spaced)
        else:
            words.append((surface, reading, pos, spaced))
    return words


def _reading_of(word, previous) -> str:
    surface, pos = word.surface, getattr(word.feature, "pos1", "")
    kana = getattr(word.feature, "kana", None)
    corrected = _corrected_reading(word, previous)
    if corrected:
        return corrected
    if pos == "助詞" and surface in _PARTICLES:
        return _PARTICLES[surface]
    return kana if kana and kana != "*" and has_kana_or_kanji(surface) else to_katakana(surface)


_COMMON_KANJI = str.maketrans(KANJI_FORMS)


def japanese_reading(text: str) -> str:
    """A katakana reading of Japanese text, or ``""`` when no dictionary is installed.

    Also ``""`` when the dictionary does not know a kanji, even in its common form (髙橋 reads as 高橋): a
    reading that keeps it is no reading, and an archivist enters one instead.
    """
    text = nfc(text) or ""
    if not text or not has_kana_or_kanji(text):
        return ""
    if not readings_available():
        return to_katakana(text) if not _HAN.search(text) else ""
    words: list[str] = []
    previous_surface = ""
    for surface, reading, pos, spaced in _tagged_words(text):
        # Library readings separate words; endings and suffixes stay on their word, brackets and quotes on
        # the word they enclose, and a run of Latin letters, digits and signs written together stays one word
        # (UTF-16, No.7), as the text wrote it.
        joined = not spaced and bool(words) and (
            pos in _ATTACHED or surface[:1] in _CLOSING or previous_surface[-1:] in _OPENING
            or (_unspaced(surface) and _unspaced(previous_surface)))
        if joined:
            words[-1] += reading
        else:
            words.append(reading)
        previous_surface = surface
    reading = " ".join(w for w in (w.strip() for w in words) if w)
    if _HAN.search(reading):
        # A variant kanji the dictionary does not know (髙橋, 﨑) reads as its common form does.
        common = text.translate(_COMMON_KANJI)
        return "" if common == text else japanese_reading(common)
    return reading


# Roman numerals typed with the Cyrillic letters that look like them: two or more, with at least one Х.
_CYRILLIC_ROMAN_NUMERAL = re.compile(r"(?=[ХXIVІ]*Х)[ХXIVІ]{2,}")
_AS_LATIN_NUMERAL = str.maketrans({"Х": "X", "І": "I"})


def romanize_russian(text: str, scheme: str | None = None) -> str:
    """Romanize Cyrillic with an iuliia schema; ё/Ё are mapped first, as ALA-LC prescribes."""
    import iuliia

    scheme = (scheme or app_settings.ROMANIZATION_SCHEMES.get("ru", "ala_lc")).lower()
    schema = getattr(iuliia, scheme.upper(), None)
    if schema is None or not hasattr(schema, "translate"):
        raise ValueError(f"Unknown romanization scheme for Russian: {scheme}")
    text = nfc(text) or ""
    if scheme in {"ala_lc", "ala_lc_alt", "bgn_pcgn", "bgn_pcgn_alt", "gost_779", "gost_779_alt"}:
        ye = "ë" if scheme.startswith(("ala_lc", "bgn_pcgn")) else "ё"
        text = text.replace("ё", ye).replace("Ё", ye.upper())
    words = re.split(r"(\s+)", text)
    out = []
    for word in words:
        if _CYRILLIC_ROMAN_NUMERAL.fullmatch(word):
            # A century written with Cyrillic Х for the Roman X ("ХХ века") is a numeral, not the letter Kh.
            out.append(word.translate(_AS_LATIN_NUMERAL))
            continue
        romanized = schema.translate(word)
        if word.isupper() and len(word) > 1:
            romanized = romanized.upper()
        out.append(romanized)
    return nfc("".join(out)) or ""


def romanize(text: str, language: str, reading: str = "") -> str:
    """Romanize ``text`` in ``language``; Japanese goes through its kana reading."""
    language = base_language(language)
    if language == "ja":
        reading = reading or japanese_reading(text)
        return kana_to_hepburn(reading) if reading else ""
    if language in {"ru", "uk", "be", "bg", "kk", "mn"} and CYRILLIC.search(text or ""):
        return romanize_russian(text)
    return ""
