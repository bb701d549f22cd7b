"""Checking uploaded scans and making their derivatives, with Pillow.

A file is accepted only if Pillow decodes it completely as JPEG, PNG, TIFF or
WebP; the file name and the browser's content type are never trusted. Every page
of a multi-page TIFF is decoded, so a corrupt last page refuses the whole file.
Nothing here touches the database or storage: the model layer stores what
:func:`inspect_upload` accepted.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import warnings
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .conf import app_settings

# Pillow's format names. Pillow opens a camera's multi-picture JPEG as "MPO": its first picture is the photo.
ACCEPTED_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")
MULTI_PAGE_FORMATS = ("TIFF",)
# Pillow's (undecoded) format names of still formats that may also hold an animation: refused when they do,
# as GIF is. A multi-picture JPEG ("MPO") is not an animation: its first picture is the photo.
ANIMATED_FORMATS = ("PNG", "WEBP")
# The longest side a JPEG derivative can have (libjpeg's JPEG_MAX_DIMENSION): a larger page could be stored
# but never shown, so it is refused with the other limits.
MAX_SIDE_PIXELS = 65500
FORMAT_NAMES = {"MPO": "JPEG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp"}
# The extensions a file of each format is known by, the first being what the app gives one.
FORMAT_EXTENSIONS = {"JPEG": ("jpg", "jpeg", "jpe", "jfif"), "PNG": ("png",), "TIFF": ("tif", "tiff"),
                     "WEBP": ("webp",)}
EXTENSIONS = {fmt: extensions[0] for fmt, extensions in FORMAT_EXTENSIONS.items()}


def named_for_format(name: str, fmt: str) -> str:
    """``name`` with an extension of the format ``fmt`` the file is in: a PNG uploaded as ``page.jpg`` is
    downloaded as ``page.png``, which the program that opens it by its name can read."""
    stem, dot, extension = name.rpartition(".")
    own = FORMAT_EXTENSIONS.get(fmt, (fmt.lower(),))
    if dot and extension.lower() in own:
        return name
    known = {known for extensions in FORMAT_EXTENSIONS.values() for known in extensions}
    return f"{stem if dot and extension.lower() in known else name}.{own[0]}"

# Formats people try to upload, named so the refusal says what the file is.
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"8BPS", "Photoshop (PSD)"),
    (b"%!PS", "PostScript/EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"SIMPLE  =", "FITS"),
    (b"%PDF", "PDF"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
)

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PageInfo:
    """One decoded page of an accepted file."""

    index: int
    width: int
    height: int
    mode: str


@dataclass
class InspectedUpload:
    """An accepted file: its pages, checksum and size, ready to be stored unchanged."""

    file: IO[bytes]
    name: str
    format: str
    sha256: str
    size: int
    pages: list[PageInfo] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class Derivative:
    """A derivative image: JPEG bytes in sRGB, upright, with no metadata."""

    content: ContentFile
    width: int
    height: int


def file_digest(fileobj: IO[bytes]) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks from its start."""
    fileobj.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fileobj.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def _refuse(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(_("“%(name)s”: %(problem)s") % {"name": name, "problem": message}, code=code)


def _describe_unknown(head: bytes) -> str:
    stripped = head.lstrip()
    if stripped.startswith(b"<") and (b"<svg" in head.lower() or b"<?xml" in head.lower()):
        return "SVG/XML"
    for signature, label in _KNOWN_SIGNATURES:
        if head.startswith(signature):
            return label
    return ""


def _number(value: int) -> str:
    """A count as the reader's language groups its digits (65,500; 65 500)."""
    return number_format(value, force_grouping=True)


def _check_pixels(name: str, width: int, height: int, page: int) -> None:
    if max(width, height) > MAX_SIDE_PIXELS:
        raise _refuse(
            name,
            _("page %(page)s is %(width)s × %(height)s pixels; a side longer than %(limit)s pixels cannot be "
              "made into a JPEG derivative. Scale or split the image and upload it again.")
            % {"page": page + 1, "width": _number(width), "height": _number(height),
               "limit": _number(MAX_SIDE_PIXELS)},
            code="too_wide",
        )
    # Pillow's own limit counts too, even where its warning was not turned into an error
    # (warning filters are process-wide and another thread may have changed them).
    limit = min(app_settings.MAX_IMAGE_PIXELS, Image.MAX_IMAGE_PIXELS or app_settings.MAX_IMAGE_PIXELS)
    if width * height > limit:
        raise _refuse(
            name,
            _("page %(page)s is %(width)s × %(height)s pixels, more than the limit of %(limit)s pixels; "
              "it is refused as a possible decompression bomb.")
            % {"page": page + 1, "width": _number(width), "height": _number(height), "limit": _number(limit)},
            code="too_many_pixels",
        )


def _check_still(name: str, image: Image.Image) -> None:
    if image.format not in ANIMATED_FORMATS:
        return  # a TIFF's pages are counted as they are read
    frames = getattr(image, "n_frames", 1) or 1
    if frames > 1 or getattr(image, "is_animated", False):
        raise _refuse(
            name,
            _("it is an animated image (%(count)s frames); animated images are not accepted. "
              "Upload a still JPEG, PNG, TIFF or WebP.") % {"count": frames},
            code="animated",
        )


def _open(fileobj: IO[bytes], name: str) -> tuple[Image.Image, str]:
    """Open with Pillow limited to the accepted formats, naming a refused format when it can."""
    fileobj.seek(0)
    try:
        image = Image.open(fileobj, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as exc:
        fileobj.seek(0)
        kind = _describe_unknown(fileobj.read(64))
        accepted = _("upload JPEG, PNG, TIFF or WebP.")
        if kind:
            message = _("%(kind)s files are not accepted; %(accepted)s") % {"kind": kind, "accepted": accepted}
        else:
            message = _("this is not an image in an accepted format; %(accepted)s") % {"accepted": accepted}
        raise _refuse(name, message, code="format") from exc
    return image, FORMAT_NAMES.get(image.format, image.format)


def _declared_size(fileobj: IO[bytes]) -> tuple[int, int] | None:
    """The first page's size as the file's header declares it, read as ``Image.open`` reads it but without
    Pillow's pixel limit (nothing is decoded), to word a refusal; ``None`` if the header cannot be read."""
    fileobj.seek(0)
    prefix = fileobj.read(16)
    for fmt in ACCEPTED_FORMATS:
        factory, accept = Image.OPEN[fmt]
        if accept and not accept(prefix):
            continue
        fileobj.seek(0)
        try:
            return factory(fileobj, "").size
        except Exception:  # noqa: BLE001 - not this format: try the next one
            continue
    return None


def inspect_upload(fileobj: IO[bytes], name: str) -> InspectedUpload:
    """Decode every page of an uploaded file and return what is needed to store it.

    Raises ``ValidationError`` naming the file and the problem for a file that is
    too large, not JPEG/PNG/TIFF/WebP, animated, truncated or corrupt, has more
    pixels than ``COLLECTION_MAX_IMAGE_PIXELS`` or a side longer than a JPEG
    derivative can have (:data:`MAX_SIDE_PIXELS`). Reading stops at the first problem.
    """
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    limit = app_settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise _refuse(
            name,
            _("the file is %(size)s bytes, more than the limit of %(limit)s bytes.")
            % {"size": _number(size), "limit": _number(limit)},
            code="too_large",
        )
    if size == 0:
        raise _refuse(name, _("the file is empty."), code="empty")
    pages: list[PageInfo] = []
    with warnings.catch_warnings():
        # A bomb warning would otherwise let a huge image through to be decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image, fmt = _open(fileobj, name)
            _check_still(name, image)
            # Page by page to the end rather than counting first: counting reads every page's header, and a
            # damaged one would leave the pages before it unknown.
            for index in itertools.count():
                if index:
                    if fmt not in MULTI_PAGE_FORMATS:
                        break
                    try:
                        image.seek(index)
                    except EOFError:
                        break
                _check_pixels(name, image.width, image.height, index)
                image.load()
                pages.append(PageInfo(index=index, width=image.width, height=image.height, mode=image.mode))
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow refused the file as it opened it: its header still tells how large the page is.
            size = None if pages else _declared_size(fileobj)
            if size:
                _check_pixels(name, *size, page=0)
            raise _refuse(name, _("it has too many pixels and is refused as a possible decompression bomb."),
                          code="too_many_pixels") from exc
        except Exception as exc:  # noqa: BLE001 - Pillow reports bad data with many exception types
            # Pillow's own words are English whatever the archivist's language: the page is what they can act on.
            if pages:
                message = _("page %(page)s is truncated or damaged and cannot be read.") % {"page": len(pages) + 1}
            else:
                message = _("the file is truncated or damaged and cannot be read.")
            raise _refuse(name, message, code="corrupt") from exc
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # pragma: no cover - a host setting we refuse to live with
        raise _refuse(name, _("the server accepts truncated images; refusing to store scans."), code="config")
    sha256, measured = file_digest(fileobj)
    return InspectedUpload(file=fileobj, name=name, format=fmt, sha256=sha256, size=measured, pages=pages)


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(image: Image.Image) -> Image.Image:
    """Convert any accepted page to 8-bit sRGB (or 8-bit grey), honouring an embedded ICC profile.

    16-bit grey is scaled, not clipped; CMYK and RGB with a profile go through
    LittleCMS; transparency is flattened onto white, as paper would be.
    """
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        top = 65535 if image.mode.startswith("I;16") else max(image.getextrema()[1], 1)
        image = image.convert("I").point(lambda value: value * (255 / top)).convert("L")
        icc = None
    elif image.mode == "F":
        low, high = image.getextrema()
        span = (high - low) or 1
        image = image.point(lambda value: (value - low) * (255 / span)).convert("L")
        icc = None
    elif image.mode == "1":
        image = image.convert("L")
    if image.mode in ("P", "PA", "LA", "RGBA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
        icc = icc if image.mode == "RGB" else None
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(
                image, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken or mismatched profile: fall back to the plain conversion below
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _page(fileobj: IO[bytes], page: int) -> Image.Image:
    fileobj.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(fileobj, formats=ACCEPTED_FORMATS)
        if page:
            image.seek(page)
        _check_pixels(getattr(fileobj, "name", "") or "", image.width, image.height, page)
        image.load()
    return image


def _encode(image: Image.Image, *, small: bool = True) -> ContentFile:
    buffer = io.BytesIO()
    # Progressive, optimized encoding costs ~10× the time on a large scan; the viewer shows the
    # web size while the full one loads, so only the small derivatives get it.
    image.save(buffer, "JPEG", quality=app_settings.IMAGE_JPEG_QUALITY, optimize=small, progressive=small,
               exif=b"")
    return ContentFile(buffer.getvalue())


def make_derivatives(fileobj: IO[bytes], page: int = 0) -> dict[str, Derivative]:
    """Thumbnail, web-size and full-size JPEGs of one page, upright and stripped of metadata."""
    image = _page(fileobj, page)
    upright = ImageOps.exif_transpose(image)
    srgb = to_srgb(upright)
    # With no info, exif or profile left, no EXIF, GPS, XMP or comment reaches a derivative.
    srgb.info = {}
    result: dict[str, Derivative] = {"full": Derivative(_encode(srgb, small=False), srgb.width, srgb.height)}
    web_size, thumb_size = app_settings.IMAGE_WEB_SIZE, app_settings.IMAGE_THUMBNAIL_SIZE
    web = srgb.copy()
    web.thumbnail((web_size, web_size), Image.Resampling.LANCZOS)
    # Scaling the thumbnail from the web size is much faster than from the full scan.
    thumb = (web if thumb_size <= web_size else srgb).copy()
    thumb.thumbnail((thumb_size, thumb_size), Image.Resampling.LANCZOS)
    for name, picture in (("web", web), ("thumb", thumb)):
        result[name] = Derivative(_encode(picture), picture.width, picture.height)
    return result
