"""Answers about what is not public must be asked again each time.

A 404 or 410 is cacheable by heuristic when it says nothing of caching (RFC 9111,
section 4.2.2), and browsers do keep one: a reader who saw a record withdrawn would
go on seeing the notice after the record is published again, and one who met a draft's
address would not see it once published.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_path


def revalidated_when_missing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view``, with its 404 and 410 answers (the host's own 404 page included) marked ``no-cache``."""

    @functools.wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exception:
            # The site's own 404 page, as Django would have answered, so that it can carry the header.
            response = get_resolver(get_urlconf()).resolve_error_handler(404)(request, exception)
        if response.status_code in (404, 410):
            patch_cache_control(response, no_cache=True)
        return response

    return answer


def vary_on_language_cookie(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view``, its answers marked ``Vary: Cookie`` where their language is not in the address.

    There ``LocaleMiddleware`` picks the language from the language cookie before
    ``Accept-Language``, and says ``Vary: Accept-Language`` only: a cache would give a
    reader who chose Russian on the site the English answer it kept for another.
    """

    @functools.wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return answer
