"""Scans of a record's material: masters kept unchanged, derivatives made once.

Files live in the storage named by ``COLLECTION_IMAGE_STORAGE`` (never served
publicly) under random names, and reach the public only through the app's image
view, which serves an image if it is public and its record is published.
A replaced master stays in storage and in the image's history.
"""

from __future__ import annotations

import logging
import secrets
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage, storages
from django.core.files.storage.handler import InvalidStorageError
from django.core.signals import request_finished, setting_changed
from django.db import DatabaseError, models, router, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from ..fields import NFCCharField
from ..images import CONTENT_TYPES, InspectedUpload, file_digest, make_derivatives, named_for_format
from ..text import base_language
from ..validators import validate_language_tag
from .history import change_history
from .records import Record

DERIVATIVE_KINDS = ("thumb", "web", "full")
FILE_FIELDS = ("master", *DERIVATIVE_KINDS)

logger = logging.getLogger(__name__)


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

    thumb = models.FileField(_("thumbnail"), storage=image_storage, max_length=255, blank=True, editable=False)
    thumb_width = models.PositiveIntegerField(_("thumbnail width"), null=True, blank=True, editable=False)
    thumb_height = models.PositiveIntegerField(_("thumbnail height"), null=True, blank=True, editable=False)
    web = models.FileField(_("web image"), storage=image_storage, max_length=255, blank=True, editable=False)
    web_width = models.PositiveIntegerField(_("web image width"), null=True, blank=True, editable=False)
    web_height = models.PositiveIntegerField(_("web image height"), null=True, blank=True, editable=False)
    full = models.FileField(_("full-size image"), storage=image_storage, max_length=255, blank=True,
                            editable=False)
    full_width = models.PositiveIntegerField(_("full-size image width"), null=True, blank=True, editable=False)
    full_height = models.PositiveIntegerField(_("full-size image height"), null=True, blank=True, editable=False)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = RecordImageQuerySet.as_manager()
    history = change_history()

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["record_id", "position", "pk"]
        indexes = [models.Index(fields=["record", "visibility", "position"])]

    def __str__(self) -> str:
        # Never the storage's name: it is random, the file's only secret, and tells an archivist nothing.
        # A page after the first of a multi-page file, worded as the image's details and history word it.
        page = gettext(", page %(page)s") % {"page": self.page + 1} if self.page else ""
        return f"{self.master_download_name(with_record=False)}{page}"

    def master_download_name(self, *, with_record: bool = True) -> str:
        """The file name a downloaded master gets: the name it was uploaded under, after its record's identifier
        ``with_record`` (not for staff who may not view records, whom the identifier would tell the record).

        Control characters (which a header cannot carry) become ``_``; an image uploaded
        without a name is named for its key; the name ends in an extension of the file's format.
        """
        name = "".join("_" if unicodedata.category(char) == "Cc" else char for char in self.original_name).strip()
        name = named_for_format(name or f"image-{self.pk}", self.format)
        return f"{self.record.identifier}-{name}" if with_record else name

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
            _track_stored(name)
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
        the historical row still names it and its SHA-256. ``by`` becomes the uploader
        of the new master (the history keeps who uploaded the old one).
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
            self.uploaded_by = by
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
    history = change_history()

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
    _track_stored(name)
    upload.file.seek(0)
    return name


# Files stored inside a transaction that has not ended yet. Storage is not transactional: when the
# transaction (or the savepoint) that stored a file rolls back, e.g. the admin's when a later file of
# the same request fails, nothing in the database names the file any more, and it is removed.


class _Committed:
    """An ``on_commit`` callback that only notes that it ran.

    Django drops the callbacks of a rolled-back transaction or savepoint from
    ``connection.run_on_commit`` without running them, so one that has neither run
    nor is still waiting belongs to work that was rolled back.
    """

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True


@dataclass
class _PendingFiles:
    alias: str
    callback: _Committed
    names: list[str] = field(default_factory=list)


_pending = threading.local()


def _pending_list() -> list[_PendingFiles]:
    if not hasattr(_pending, "entries"):
        _pending.entries = []
    return _pending.entries


def _track_stored(name: str) -> None:
    """Remember ``name`` until its transaction commits; if that rolls back, the file is removed."""
    alias = router.db_for_write(RecordImage)
    connection = transaction.get_connection(alias)
    if not connection.in_atomic_block:
        return  # autocommit: the caller's own error handling is all there is
    entries = _pending_list()
    # One callback per savepoint level: a callback is dropped exactly when its savepoint rolls back.
    current = set(connection.savepoint_ids)
    for entry in entries:
        if entry.alias == alias and not entry.callback.ran and any(
            func is entry.callback and sids == current for sids, func, _robust in connection.run_on_commit
        ):
            entry.names.append(name)
            return
    callback = _Committed()
    transaction.on_commit(callback, using=alias)
    entries.append(_PendingFiles(alias, callback, [name]))


def discard_rolled_back_files(**kwargs: Any) -> list[str]:
    """Remove files stored by transactions (or savepoints) that rolled back; return their names.

    Runs at the end of every request; call it after a rolled-back transaction
    elsewhere (a command, a task). A file that any image row or history row names
    is never removed.
    """
    entries = _pending_list()
    removed: list[str] = []
    keep: list[_PendingFiles] = []
    for entry in entries:
        if entry.callback.ran:
            continue
        connection = transaction.get_connection(entry.alias)
        if any(func is entry.callback for _sids, func, _robust in connection.run_on_commit):
            keep.append(entry)  # its transaction is still open
            continue
        removed += _remove_unreferenced(entry.names, entry.alias)
    entries[:] = keep
    return removed


def _remove_unreferenced(names: list[str], alias: str) -> list[str]:
    condition = Q()
    for kind in FILE_FIELDS:
        condition |= Q(**{f"{kind}__in": names})
    try:
        referenced: set[str] = set()
        for manager in (RecordImage._base_manager, RecordImage.history.model._base_manager):
            for row in manager.using(alias).filter(condition).values_list(*FILE_FIELDS):
                referenced.update(row)
    except DatabaseError:  # pragma: no cover - cannot tell whether a row names them: keep them
        logger.warning("Could not check whether scans stored by a rolled-back transaction are in use: %s", names)
        return []
    removed = []
    for name in names:
        if name in referenced:
            continue
        try:
            image_storage().delete(name)
        except OSError:  # pragma: no cover - storage trouble: the fixity check does not list orphans anyway
            logger.warning("Could not remove %s, stored by a rolled-back transaction", name)
            continue
        removed.append(name)
    return removed


request_finished.connect(discard_rolled_back_files, dispatch_uid="collection_discard_rolled_back_scans")


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
    position: int | None = None,
) -> list[RecordImage]:
    """Store an accepted file once and add one image per page, at the end of the record's images.

    With ``position`` (1 for first), the pages are inserted there instead and the
    images from that position on move down; a position past the end appends.
    """
    discard_rolled_back_files()
    stored = _store_master(upload)
    created: list[RecordImage] = []
    try:
        last = record.images.aggregate(last=Max("position"))["last"] or 0
        if position is not None and 0 < position <= last:
            for moved in record.images.filter(position__gte=position):
                _move(moved, moved.position + len(upload.pages), by)
            last = position - 1
        for offset, page in enumerate(upload.pages, start=1):
            image = RecordImage(record=record, position=last + offset, visibility=visibility, uploaded_by=by)
            image._fill_from(upload, stored, page)
            image.ensure_derivatives()
            if by is not None:
                image._history_user = by
            image.save()
            set_captions(image, captions or {}, by=by)
            created.append(image)
    except BaseException:
        _discard(stored)
        for image in created:
            for kind in DERIVATIVE_KINDS:
                if getattr(image, kind):
                    _discard(getattr(image, kind).name)
        raise
    return created


def set_captions(image: RecordImage, captions: dict[str, str], *, by: Any = None) -> None:
    """Set the image's caption per language; a blank text removes that language's caption.

    ``by`` is the author of the changes in the history (in a request, the request's user
    is, without it).
    """
    for language, text in captions.items():
        text = (text or "").strip()
        caption = RecordImageCaption.objects.filter(image=image, language=language).first()
        if caption is not None and not text:
            if by is not None:
                caption._history_user = by
            caption.delete()
        elif text and (caption is None or caption.text != text):
            caption = caption or RecordImageCaption(image=image, language=language)
            caption.text = text
            if by is not None:
                caption._history_user = by
            caption.save()


@transaction.atomic
def delete_image(image: RecordImage, *, by: Any = None) -> None:
    """Remove an image outside its record's form, as a change of its record by ``by``.

    A record's change form opened before the removal still shows the image, and
    would put it back in its order numbers: its save is refused as stale, naming
    who removed the image and when, as after any other change to the record's
    scans. The master stays in storage and history.
    """
    from .. import reasons

    record = Record._base_manager.get(pk=image.record_id)
    if by is not None:
        image._history_user = by
        record._history_user = by
    image.delete()
    renumber(record, by=by)
    record._change_reason = reasons.scan_deleted(image.original_name or "")
    record.save(update_fields=["version", "modified"])


def renumber(record: Record, *, by: Any = None, moved: Mapping[int, int] | None = None) -> None:
    """Number the record's images 1, 2, 3… in their current order, so a new one goes last; each move is in
    the image's history (a revert puts the order back).

    ``moved`` names the images just given a number (by pk: -1 moved up, 1 moved down): each takes its number
    from the image that had it, going before it or after it.
    """
    moved = moved or {}
    images = sorted(record.images.order_by("position", "pk"),  # read afresh, not from a prefetched list
                    key=lambda image: (image.position, moved.get(image.pk, 0), image.pk))
    for number, image in enumerate(images, start=1):
        _move(image, number, by)


def _move(image: RecordImage, position: int, by: Any) -> None:
    if image.position == position:
        return
    image.position = position
    if by is not None:
        image._history_user = by
    image.save(update_fields=["position"])


@dataclass(frozen=True)
class FixityProblem:
    name: str
    problem: str  # "missing", "unreadable" or "changed"
    expected: str
    found: str = ""
    reason: str = ""  # why an unreadable master could not be read, as the system says
    images: tuple[int, ...] = ()  # the images whose master it is now
    # For a master no image uses any more: "replaced" (its image has another master now) or "deleted".
    former: str = ""
    former_images: tuple[int, ...] = ()
    # The name the admin shows and downloads the master under (never the storage's random one).
    uploaded_as: str = ""


def check_fixity(names: Iterable[tuple[str, str, int]] | None = None) -> Iterator[tuple[str, FixityProblem | None]]:
    """Recompute the SHA-256 of every stored master and compare it with the one recorded at upload.

    Yields ``(name, None)`` for a master that is intact and ``(name, problem)``
    for one that is missing, cannot be read or changed. Masters replaced since are checked too:
    the archive keeps them.
    """
    storage = image_storage()
    using: dict[str, list[int]] = {}
    for pk, master in RecordImage.objects.values_list("pk", "master"):
        using.setdefault(master, []).append(pk)
    for name, expected, _size in names if names is not None else RecordImage.objects.masters():
        images = tuple(using.get(name, ()))
        found = reason = ""
        try:
            with storage.open(name, "rb") as handle:
                found, _measured = file_digest(handle)
        except FileNotFoundError:
            problem = "missing"
        except OSError as exc:
            # There, but not to be read (permissions, a disk error): not to be reported as lost.
            problem, reason = "unreadable", exc.strerror or str(exc)
        else:
            problem = "changed" if found != expected else ""
        if not problem:
            yield name, None
            continue
        yield name, FixityProblem(name, problem, expected, found, reason=reason, images=images,
                                  uploaded_as=_uploaded_as(name), **_former_use(name, images))


def _uploaded_as(name: str) -> str:
    """The master's name as the admin gives it, from the last version of an image that had it (the image may be
    gone, or have another master now): its record's identifier, while the record exists, and its uploaded name."""
    row = RecordImage.history.filter(master=name).order_by("-history_date", "-history_id").first()
    if row is None:
        return ""
    image = RecordImage(pk=row.id, original_name=row.original_name, format=row.format, record_id=row.record_id)
    record = Record.objects.filter(pk=row.record_id).first()
    if record is None:
        return image.master_download_name(with_record=False)
    image.record = record
    return image.master_download_name()


def _former_use(name: str, images: tuple[int, ...]) -> dict[str, Any]:
    """For a master no image uses now: whether its images were deleted or got another master."""
    if images:
        return {}
    former = tuple(sorted(set(RecordImage.history.filter(master=name).values_list("id", flat=True))))
    if not former:
        return {}
    still_there = RecordImage.objects.filter(pk__in=former).exists()
    return {"former": "replaced" if still_there else "deleted", "former_images": former}
