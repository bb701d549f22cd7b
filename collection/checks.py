"""System checks for the app's settings, with stable ids."""

from __future__ import annotations

from typing import Any

import langcodes
from django.core.checks import Error, Warning, register

from .conf import app_settings


@register()
def check_languages(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    languages = app_settings.LANGUAGES
    errors: list[Error] = []
    if not isinstance(languages, (list, tuple)) or not languages:
        return [
            Error(
                "COLLECTION_LANGUAGES must be a non-empty list of BCP 47 language tags.",
                id="collection.E001",
            )
        ]
    for tag in languages:
        if not isinstance(tag, str) or not langcodes.tag_is_valid(tag):
            errors.append(
                Error(f"COLLECTION_LANGUAGES contains {tag!r}, which is not a valid BCP 47 tag.",
                      id="collection.E002")
            )
    if len(set(languages)) != len(languages):
        errors.append(Error("COLLECTION_LANGUAGES lists a language twice.", id="collection.E003"))
    return errors


@register()
def check_image_storage(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from django.conf import settings

    alias = app_settings.IMAGE_STORAGE
    if alias in getattr(settings, "STORAGES", {}):
        return []
    return [
        Warning(
            f"STORAGES has no {alias!r} entry (COLLECTION_IMAGE_STORAGE), so scans are kept in the default storage.",
            hint="Add a storage for scans whose files are not served publicly; the app serves them itself.",
            id="collection.W010",
        )
    ]


@register()
def check_oai(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Identify must name an administrator, and an OAI identifier's middle part must be a domain name."""
    from django.urls import NoReverseMatch, reverse

    from .oai import REPOSITORY_IDENTIFIER, admin_emails

    try:
        reverse("collection_oai:oai")
    except NoReverseMatch:
        return []  # the site does not offer OAI-PMH
    warnings: list[Warning] = []
    if not admin_emails():
        warnings.append(Warning(
            "The OAI-PMH interface has no administrator's address, which its Identify response must give.",
            hint="Set COLLECTION_OAI_ADMIN_EMAILS, or ADMINS.", id="collection.W020",
        ))
    configured = app_settings.OAI_REPOSITORY_IDENTIFIER
    if configured and not REPOSITORY_IDENTIFIER.fullmatch(str(configured)):
        warnings.append(Warning(
            f"COLLECTION_OAI_REPOSITORY_IDENTIFIER is {configured!r}, which is not a domain name: harvesters may "
            "refuse its OAI identifiers.", id="collection.W021",
        ))
    return warnings
