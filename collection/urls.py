"""Public pages (include under ``i18n_patterns``), the JSON API (``api_urlpatterns``) and the OAI-PMH interface
(``oai_urlpatterns``), both outside ``i18n_patterns``."""

from django.urls import include, path

from . import views
from .feeds import RecordFeed
from .views.caching import revalidated_when_missing, vary_on_language_cookie

app_name = "collection"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("records/", revalidated_when_missing(views.RecordListView.as_view()), name="record-list"),
    path("records.atom", revalidated_when_missing(RecordFeed()), name="record-feed"),
    path("records/<str:identifier>/", revalidated_when_missing(views.RecordDetailView.as_view()),
         name="record-detail"),
    path("records/<str:identifier>/cite.<str:fmt>", revalidated_when_missing(views.record_citation),
         name="record-citation"),
    path("agents/<str:identifier>/", revalidated_when_missing(views.AgentDetailView.as_view()), name="agent-detail"),
    path("places/<str:identifier>/", revalidated_when_missing(views.PlaceDetailView.as_view()), name="place-detail"),
    path("subjects/<str:identifier>/", revalidated_when_missing(views.SubjectDetailView.as_view()),
         name="subject-detail"),
    path("", include("collection.media_urls")),
]


def _api(view):
    """An API view: its answers are in the language the reader's cookie or browser asks for."""
    return vary_on_language_cookie(revalidated_when_missing(view))


api_urlpatterns = (
    [
        path("records/", _api(views.record_api_list), name="record-list"),
        path("records/<str:identifier>/", _api(views.record_api_detail), name="record-detail"),
        path("agents/<str:identifier>/", _api(views.agent_api_detail), name="agent-detail"),
        path("places/<str:identifier>/", _api(views.place_api_detail), name="place-detail"),
        path("subjects/<str:identifier>/", _api(views.subject_api_detail), name="subject-detail"),
    ],
    "collection_api",
)


# OAI-PMH answers in the protocol's English whatever the reader's language: include it outside i18n_patterns.
oai_urlpatterns = ([path("", views.oai_pmh, name="oai")], "collection_oai")
