"""URLs of scan files, included from ``collection.urls`` under the ``collection`` namespace."""

from django.urls import path

from . import media_views
from .views.caching import revalidated_when_missing

urlpatterns = [
    # A scan's 404 is asked again each time: its URL answers once its record is published or the scan made public.
    path("images/<int:pk>/<slug:kind>/", revalidated_when_missing(media_views.image_file), name="image-file"),
]
