"""Serving scans. Nothing is served from a public media URL: every file goes through here.

The image is looked up in ``RecordImage.objects.visible_to(user)``, which for the
public starts from ``Record.objects.published()``; anything else is a 404, so a
guessed id tells nothing. Masters are for staff only.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from .conf import app_settings
from .models.images import DERIVATIVE_KINDS, RecordImage

KINDS = (*DERIVATIVE_KINDS, "master")


@require_safe
def image_file(request: HttpRequest, pk: int, kind: str) -> FileResponse | HttpResponseNotModified:
    if kind not in KINDS:
        raise Http404
    image = RecordImage.objects.visible_to(request.user).select_related("record").filter(pk=pk).first()
    if image is None or (kind == "master" and not _may_have_master(request)):
        raise Http404
    stored = image.file_for(kind)
    if not stored:
        raise Http404
    public = image.is_public
    # Derivatives and masters never change under a name: a new file gets a new random name.
    etag = quote_etag(stored.name)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        try:
            handle = stored.storage.open(stored.name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=image.content_type(kind))
        if kind == "master":
            response["Content-Disposition"] = f'attachment; filename="image-{image.pk}.{image.format.lower()}"'
    response["ETag"] = etag
    if public:
        patch_cache_control(response, public=True, max_age=app_settings.IMAGE_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex" if not public else "all"
    return response


def _may_have_master(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("collection.view_recordimage")
