"""URLs of scan files, included from ``collection.urls`` under the ``collection`` namespace."""

from django.urls import path

from . import media_views

urlpatterns = [
    path("images/<int:pk>/<slug:kind>/", media_views.image_file, name="image-file"),
]
