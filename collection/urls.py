from django.urls import include, path

from . import views

app_name = "collection"

urlpatterns = [
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/<str:identifier>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("agents/<str:identifier>/", views.AgentDetailView.as_view(), name="agent-detail"),
    path("places/<str:identifier>/", views.PlaceDetailView.as_view(), name="place-detail"),
    path("subjects/<str:identifier>/", views.SubjectDetailView.as_view(), name="subject-detail"),
    path("", include("collection.media_urls")),
]
