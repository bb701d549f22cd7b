"""The app's settings, read lazily so that ``override_settings`` works in tests.

Every setting is named ``COLLECTION_<NAME>`` in the host's settings; the defaults are:

``LANGUAGES``
    BCP 47 tags of the languages the collection is catalogued in, in display order.
    They drive spreadsheet columns, admin forms and display fallback, never the
    database schema: changing them needs no migration. Default ``["ja", "ru", "en"]``.
``IDENTIFIER_PREFIXES``
    Prefix of generated identifiers per record kind, used when an archivist leaves
    the identifier blank. Default ``{"memoir": "mem", "document": "doc", "association": "assoc"}``.
``ROMANIZATION_SCHEMES``
    Romanization scheme per language: ``hepburn`` for Japanese (from the kana
    reading), an ``iuliia`` schema name for Russian. Default
    ``{"ja": "hepburn", "ru": "ala_lc"}``.
``SEARCH_SYNONYMS``
    Groups of words that name one thing in the collection's languages: a search for one also finds the others.
    Each is one word as the search reads it (a Japanese one, a word the dictionary does not cut: ソ連, ラーゲリ).
    Default ``[["СССР", "USSR", "ソ連"], ["Nihon", "Nippon"]]``.
``DERIVE_READINGS``
    Derive kana readings of Japanese text with fugashi/UniDic when the optional
    ``romanization`` extra is installed. Default ``True``.
``IMAGE_STORAGE``
    Alias in the host's ``STORAGES`` that holds scans (masters and derivatives).
    It must not be served publicly: files are only served through the app's
    view, which checks visibility. Any storage backend works (file system,
    S3-compatible). If the alias is missing, the ``default`` storage is used and
    system check ``collection.W010`` warns. Default ``"collection_images"``.
``MAX_UPLOAD_BYTES``
    Largest scan file accepted, in bytes. Default ``268435456`` (256 MiB).
``MAX_IMAGE_PIXELS``
    Largest image accepted, in pixels (width × height) per page; larger files are
    refused as possible decompression bombs. Pillow's own warning is treated as an
    error too, so a limit above Pillow's ``Image.MAX_IMAGE_PIXELS`` (about 89.5
    million) also needs that raised. Default ``89478485``.
``IMAGE_THUMBNAIL_SIZE``
    Longest side of thumbnails, in pixels. Default ``320``.
``IMAGE_WEB_SIZE``
    Longest side of the web-size image shown on record pages. Default ``1600``.
``IMAGE_JPEG_QUALITY``
    JPEG quality of derivatives (1–95). Default ``85``.
``FOUR_EYES``
    A reviewer may not publish a record they submitted for review themselves,
    or changed since it was submitted (only a user with the
    ``publish_own_record`` permission, a collection manager, may). Set
    ``False`` for a one-person archive. Default ``True``.
``IMPORT_MAX_BYTES``
    Largest catalogue spreadsheet (CSV or XLSX) accepted for import, in bytes,
    refused before it is parsed. Default ``50_000_000``.
``IMPORT_MAX_FILES``
    Files one admin import request may carry. Default ``1``.
``IMPORT_MAX_ROWS``
    Rows one spreadsheet may hold. Default ``200_000``.
``IMPORT_MAX_COLUMNS``
    Columns one sheet may hold. Default ``300``.
``IMPORT_MAX_CELL_CHARS``
    Longest cell the CSV reader accepts, in characters. Default ``100_000``.
``IMPORT_MAX_UNCOMPRESSED_BYTES``
    What the parts of an XLSX workbook may add up to once unzipped, from the sizes
    the zip declares (checked before any XML is parsed). Default ``500_000_000``.
``IMPORT_MAX_COMPRESSION_RATIO``
    Largest expansion of one XLSX part over 1 MB: more is refused as a zip bomb.
    Default ``200``.
``IMPORT_MAX_XLSX_MEMBERS``
    Parts an XLSX archive may hold. Default ``1000``.
``IMPORT_PREVIEW_ROWS_PER_PAGE``
    Rows per page of the admin import preview. Default ``100``.
``IMPORT_INLINE_MAX_ROWS``
    Largest file, in rows, that the admin previews within the request; larger
    files are previewed and imported by a background task with a status page.
    Default ``2000``.
``FEED_ENTRIES``
    Entries of the Atom feed of newly published records (``/<lang>/records.atom``), the
    most recently published first. Default ``50``.
``SITE_NAME``
    The public site's name, in its header, the home page's heading and every
    page's title: a text, or a mapping of language code to text (the page's
    language, then its base language, then ``en``). Default ``None``: "Collection",
    translated.
``OAI_REPOSITORY_IDENTIFIER``
    The repository identifier of the OAI-PMH interface (``collection.oai``), the middle part of every OAI
    identifier (``oai:archive.example.org:mem-000001``): a domain name the archive controls, which must never
    change once harvesters know it. Default ``None``: the host name each request was sent to, which is
    only right for a site with one host name.
``OAI_ADMIN_EMAILS``
    The addresses OAI-PMH's Identify gives for the repository's administrators: an address or a list.
    Default ``None``: those of Django's ``ADMINS``.
``OAI_PAGE_SIZE``
    Records or headers in one page of an OAI-PMH list; a resumption token leads to the next. Default ``100``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    "LANGUAGES": ["ja", "ru", "en"],
    "IDENTIFIER_PREFIXES": {"memoir": "mem", "document": "doc", "association": "assoc"},
    "ROMANIZATION_SCHEMES": {"ja": "hepburn", "ru": "ala_lc"},
    "SEARCH_SYNONYMS": [["СССР", "USSR", "ソ連"], ["Nihon", "Nippon"]],
    "DERIVE_READINGS": True,
    "IMAGE_STORAGE": "collection_images",
    "MAX_UPLOAD_BYTES": 256 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 89_478_485,
    "IMAGE_THUMBNAIL_SIZE": 320,
    "IMAGE_WEB_SIZE": 1600,
    "IMAGE_JPEG_QUALITY": 85,
    "FOUR_EYES": True,
    "IMPORT_MAX_BYTES": 50_000_000,
    "IMPORT_MAX_FILES": 1,
    "IMPORT_MAX_ROWS": 200_000,
    "IMPORT_MAX_COLUMNS": 300,
    "IMPORT_MAX_CELL_CHARS": 100_000,
    "IMPORT_MAX_UNCOMPRESSED_BYTES": 500_000_000,
    "IMPORT_MAX_COMPRESSION_RATIO": 200,
    "IMPORT_MAX_XLSX_MEMBERS": 1000,
    "IMPORT_PREVIEW_ROWS_PER_PAGE": 100,
    "IMPORT_INLINE_MAX_ROWS": 2000,
    "FEED_ENTRIES": 50,
    "SITE_NAME": None,
    "OAI_REPOSITORY_IDENTIFIER": None,
    "OAI_ADMIN_EMAILS": None,
    "OAI_PAGE_SIZE": 100,
}

PREFIX = "COLLECTION_"


class Settings:
    """Attribute access to the app's settings with their defaults."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown collection setting: {name}")
        value = getattr(django_settings, PREFIX + name, DEFAULTS[name])
        self.__dict__[name] = value
        return value

    def reload(self) -> None:
        self.__dict__.clear()


app_settings = Settings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX):
        app_settings.reload()


setting_changed.connect(_reload)
