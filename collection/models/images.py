"""Scans of a record's material: masters kept unchanged, derivatives made once.

Files live in the storage named by ``COLLECTION_IMAGE_STORAGE`` (never served
publicly) under random names, and reach the public only through the app's image
view, which serves an image if it is public and its record is published.
A replaced master stays in storage and in the image's history.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage, storages
from django.core.files.storage.handler import InvalidStorageError
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..conf import app_settings
from ..fields import NFCCharField
from ..images import CONTENT_TYPES, InspectedUpload, file_digest, make_derivatives
from ..text import base_language
from ..validators import validate_language_tag
from .records import Record

DERIVATIVE_KINDS = ("thumb", "web", "full")


class _ScanStorage(LazyObject):
    """``STORAGES[COLLECTION_IMAGE_STORAGE]`` (else the default storage), looked up when first used.

    File fields keep the storage object they were given at import time; this
    proxy lets a settings change (a deployment's, or a test's) take effect.
    """

    def _setup(self) -> None:
        try:
            self._wrapped = storages[app_settings.IMAGE_STORAGE]
        except InvalidStorageError:
            self._wrapped = default_storage


_scan_storage = _ScanStorage()


def _reset_storage(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STORAGES", "COLLECTION_IMAGE_STORAGE"):
        _scan_storage._wrapped = empty


setting_changed.connect(_reset_storage)


def image_storage() -> Storage:
    """The storage holding scans (see ``COLLECTION_IMAGE_STORAGE``)."""
    return _scan_storage  # type: ignore[return-value]


def _random_name() -> str:
    # 128 random bits: a path that cannot be guessed even where a storage is exposed by mistake.
    token = secrets.token_hex(16)
    return f"collection/scans/{token[:2]}/{token}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    PRIVATE = "private", _("private (staff only)")


class RecordImageQuerySet(models.QuerySet):
    def public(self) -> RecordImageQuerySet:
        """Images the public may see: public images of published records."""
        return self.filter(visibility=Visibility.PUBLIC, record__in=Record.objects.published())

    def visible_to(self, user: Any) -> RecordImageQuerySet:
        """Every image for staff who may view images, else only :meth:`public` ones."""
        if user is not None and user.is_active and user.is_staff and user.has_perm("collection.view_recordimage"):
            return self.all()
        return self.public()

    def with_captions(self) -> RecordImageQuerySet:
        return self.prefetch_related("captions")

    def masters(self) -> Iterator[tuple[str, str, int]]:
        """Each distinct stored master (name, SHA-256, size), current or kept in history."""
        seen: set[tuple[str, str]] = set()
        rows = list(self.values_list("master", "sha256", "size"))
        rows += list(RecordImage.history.values_list("master", "sha256", "size"))
        for name, sha256, size in rows:
            if name and (name, sha256) not in seen:
                seen.add((name, sha256))
                yield name, sha256, size


class RecordImage(models.Model):
    """One page or photograph of a record's material."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="images", verbose_name=_("record"))
    position = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC,
        help_text=_("A private image is never shown to the public, even on a published record."),
    )

    master = models.FileField(_("master file"), storage=image_storage, max_length=255, editable=False)
    original_name = models.CharField(_("uploaded file name"), max_length=255, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.BigIntegerField(_("size in bytes"), editable=False)
    format = models.CharField(_("format"), max_length=10, editable=False)
    page = models.PositiveIntegerField(
        _("page in file"), default=0, editable=False, help_text=_("0 for the first page of a multi-page TIFF."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)

    thumb = models.FileField(storage=image_storage, max_length=255, blank=True, editable=False)
    thumb_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    thumb_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    web = models.FileField(storage=image_storage, max_length=255, blank=True, editable=False)
    web_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    web_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    full = models.FileField(storage=image_storage, max_length=255, blank=True, editable=False)
    full_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    full_height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = RecordImageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["record_id", "position", "pk"]
        indexes = [models.Index(fields=["record", "visibility", "position"])]

    def __str__(self) -> str:
        page = f" p. {self.page + 1}" if self.page else ""
        return f"{self.original_name or self.master.name}{page}"

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.record.is_public

    def pick_caption(self, language: str | None = None) -> RecordImageCaption | None:
        """The caption in ``language``, else in the first configured language that has one, else any."""
        captions = [c for c in self.captions.all() if c.text]
        if not captions:
            return None
        wanted = [language] if language else []
        wanted += list(app_settings.LANGUAGES)
        for tag in wanted:
            for caption in captions:
                if caption.language.lower() == tag.lower():
                    return caption
            for caption in captions:
                if base_language(caption.language) == base_language(tag):
                    return caption
        return captions[0]

    def caption(self, language: str | None = None) -> str:
        picked = self.pick_caption(language)
        return picked.text if picked else ""

    def url(self, kind: str = "web") -> str:
        return reverse("collection:image-file", kwargs={"pk": self.pk, "kind": kind})

    def content_type(self, kind: str) -> str:
        return CONTENT_TYPES[self.format] if kind == "master" else "image/jpeg"

    def file_for(self, kind: str) -> models.fields.files.FieldFile:
        if kind not in (*DERIVATIVE_KINDS, "master"):
            raise ValueError(kind)
        return getattr(self, kind)

    def ensure_derivatives(self) -> bool:
        """Make the missing derivatives from the master; existing ones are never remade.

        Returns whether anything was made. Derivatives are made once, at upload or
        replacement, so that pages are served as stored files and never re-encoded
        per request.
        """
        if all(getattr(self, kind) for kind in DERIVATIVE_KINDS):
            return False
        storage = image_storage()
        with self.master.open("rb") as master:
            made = make_derivatives(master, self.page)
        base = _random_name()
        for kind in DERIVATIVE_KINDS:
            if getattr(self, kind):
                continue
            derivative = made[kind]
            name = storage.save(f"{base}-{kind}.jpg", derivative.content)
            setattr(self, kind, name)
            setattr(self, f"{kind}_width", derivative.width)
            setattr(self, f"{kind}_height", derivative.height)
        return True

    def _clear_derivatives(self) -> None:
        for kind in DERIVATIVE_KINDS:
            setattr(self, kind, "")
            setattr(self, f"{kind}_width", None)
            setattr(self, f"{kind}_height", None)

    @transaction.atomic
    def replace_master(self, upload: InspectedUpload, *, by: Any = None) -> None:
        """Put a new master in place of this one, keeping the old file and its checksum in the history.

        The old file is not deleted: an archive keeps what it once published, and
        the historical row still names it and its SHA-256.
        """
        if len(upload.pages) != 1:
            raise ValidationError(
                gettext("“%(name)s” has %(count)s pages; a replacement must be a single page. "
                        "Upload it as new images instead.") % {"name": upload.name, "count": len(upload.pages)},
                code="multi_page_replacement",
            )
        stored = _store_master(upload)
        try:
            self._fill_from(upload, stored, upload.pages[0])
            self._clear_derivatives()
            self.ensure_derivatives()
            if by is not None:
                self._history_user = by
            self.save()
        except BaseException:
            _discard(stored)
            raise

    def _fill_from(self, upload: InspectedUpload, stored: str, page: Any) -> None:
        self.master = stored
        self.original_name = upload.name[:255]
        self.sha256 = upload.sha256
        self.size = upload.size
        self.format = upload.format
        self.page = page.index
        self.width = page.width
        self.height = page.height


class RecordImageCaption(models.Model):
    """A caption of an image in one language, keyed by BCP 47 tag like every label."""

    image = models.ForeignKey(RecordImage, on_delete=models.CASCADE, related_name="captions",
                              verbose_name=_("image"))
    language = models.CharField(_("language"), max_length=35, validators=[validate_language_tag])
    text = NFCCharField(_("caption"), max_length=1000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("caption")
        verbose_name_plural = _("captions")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["image", "language"], name="collection_one_caption_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.text[:60]}"


def _store_master(upload: InspectedUpload) -> str:
    upload.file.seek(0)
    name = image_storage().save(f"{_random_name()}.{upload.extension}", upload.file)
    upload.file.seek(0)
    return name


def _discard(name: str) -> None:
    # Only for a master stored moments ago whose database row then failed: nothing refers to it.
    image_storage().delete(name)


@transaction.atomic
def add_images(
    record: Record,
    upload: InspectedUpload,
    *,
    visibility: str = Visibility.PUBLIC,
    captions: dict[str, str] | None = None,
    by: Any = None,
) -> list[RecordImage]:
    """Store an accepted file once and add one image per page at the end of the record's images."""
    stored = _store_master(upload)
    created: list[RecordImage] = []
    try:
        last = record.images.aggregate(last=Max("position"))["last"] or 0
        for offset, page in enumerate(upload.pages, start=1):
            image = RecordImage(record=record, position=last + offset, visibility=visibility, uploaded_by=by)
            image._fill_from(upload, stored, page)
            image.ensure_derivatives()
            if by is not None:
                image._history_user = by
            image.save()
            set_captions(image, captions or {})
            created.append(image)
    except BaseException:
        _discard(stored)
        for image in created:
            for kind in DERIVATIVE_KINDS:
                if getattr(image, kind):
                    _discard(getattr(image, kind).name)
        raise
    return created


def set_captions(image: RecordImage, captions: dict[str, str]) -> None:
    """Set the image's caption per language; a blank text removes that language's caption."""
    for language, text in captions.items():
        text = (text or "").strip()
        if text:
            RecordImageCaption.objects.update_or_create(image=image, language=language, defaults={"text": text})
        else:
            RecordImageCaption.objects.filter(image=image, language=language).delete()


def renumber(record: Record) -> None:
    """Number the record's images 1, 2, 3… in their current order, so a new one goes last."""
    for number, image in enumerate(record.images.order_by("position", "pk"), start=1):
        if image.position != number:
            RecordImage.objects.filter(pk=image.pk).update(position=number)


@dataclass(frozen=True)
class FixityProblem:
    name: str
    problem: str  # "missing" or "changed"
    expected: str
    found: str = ""
    images: tuple[int, ...] = ()


def check_fixity(names: Iterable[tuple[str, str, int]] | None = None) -> Iterator[tuple[str, FixityProblem | None]]:
    """Recompute the SHA-256 of every stored master and compare it with the one recorded at upload.

    Yields ``(name, None)`` for a master that is intact and ``(name, problem)``
    for one that is missing or changed. Masters replaced since are checked too:
    the archive keeps them.
    """
    storage = image_storage()
    using: dict[str, list[int]] = {}
    for pk, master in RecordImage.objects.values_list("pk", "master"):
        using.setdefault(master, []).append(pk)
    for name, expected, _size in names if names is not None else RecordImage.objects.masters():
        images = tuple(using.get(name, ()))
        try:
            with storage.open(name, "rb") as handle:
                found, _measured = file_digest(handle)
        except (FileNotFoundError, OSError):
            yield name, FixityProblem(name, "missing", expected, images=images)
            continue
        if found != expected:
            yield name, FixityProblem(name, "changed", expected, found, images=images)
        else:
            yield name, None
