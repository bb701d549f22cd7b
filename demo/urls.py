from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from collection.sitemaps import sitemaps
from collection.urls import api_urlpatterns, oai_urlpatterns

# "/" and any unprefixed page redirect to /ja/, /ru/ or /en/ by Accept-Language (LocaleMiddleware).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_urlpatterns)),
    path("oai/", include(oai_urlpatterns)),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps}, name="sitemap-index"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps},
         name="django.contrib.sitemaps.views.sitemap"),
]
urlpatterns += i18n_patterns(path("", include("collection.urls")), prefix_default_language=True)
if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
