"""Serving scans. Nothing is served from a public media URL: every file goes through here.

The image is looked up in ``RecordImage.objects.visible_to(user)``, which for the
public starts from ``Record.objects.published()``; anything else is a 404, so a
guessed id tells nothing. Masters are for staff only.

An image's URL stays the same when its master is replaced, when it is made
private and when its record is withdrawn, so public responses may be stored but
must be revalidated before every use (``Cache-Control: public, no-cache`` with an
``ETag``): an unchanged file costs a 304 without a body, a replaced one is sent
anew, and one that is no longer public is a 404 at once. The ETag is a digest of
the file's checksum, page, kind and stored name, so it tells nothing of the storage
path. Responses that are not public are never stored (``private, no-store``) and
never answered with a 304.
"""

from __future__ import annotations

import hashlib

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag
from django.views.decorators.http import require_safe

from .admin.base import may_view_records
from .models.images import DERIVATIVE_KINDS, RecordImage

KINDS = (*DERIVATIVE_KINDS, "master")


def image_etag(image: RecordImage, kind: str) -> str:
    """A strong ETag for one file of ``image`` that changes with the file and reveals no storage path."""
    stored = image.file_for(kind)
    digest = hashlib.sha256(f"{image.sha256}\0{image.page}\0{kind}\0{stored.name}".encode()).hexdigest()
    return quote_etag(f"{kind}-{digest[:40]}")


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


@require_safe
def image_file(request: HttpRequest, pk: int, kind: str) -> FileResponse | HttpResponseNotModified:
    if kind not in KINDS:
        raise Http404
    # Public exactly when RecordImage.objects.public() (published records' public images) holds it.
    image = RecordImage.objects.public().filter(pk=pk).first()
    is_public = image is not None
    if image is None:
        image = RecordImage.objects.visible_to(request.user).filter(pk=pk).first()
    if image is None or (kind == "master" and not _may_have_master(request)):
        raise Http404
    stored = image.file_for(kind)
    if not stored:
        raise Http404
    # A master is for staff only, whatever the image's visibility: no shared cache may keep one.
    public = is_public and kind != "master"
    etag = image_etag(image, kind)
    if public and _matches(request, etag):
        response = HttpResponseNotModified()
    else:
        try:
            handle = stored.storage.open(stored.name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        # Named for the image, not the stored file: the storage name is the file's only secret. Staff
        # download a master under the name it was uploaded with, after its record's identifier for those
        # who may view records (the record read for that alone), as the admin names the image.
        if kind == "master":
            response = FileResponse(handle, content_type=image.content_type(kind), as_attachment=True,
                                    filename=image.master_download_name(
                                        with_record=may_view_records(admin.site, request)))
        else:
            response = FileResponse(handle, content_type=image.content_type(kind),
                                    filename=f"image-{image.pk}-{kind}.jpg")
    if public:
        response["ETag"] = etag
        # Stored, but checked with the server before every use: a replaced or redacted file is never shown
        # from a cache.
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex" if not public else "all"
    # A master is the uploaded bytes as they came, which may be another kind of file as well (an image with HTML
    # in a comment): whatever the site's settings, a browser takes it as the type it is served as.
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _may_have_master(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("collection.view_recordimage")
