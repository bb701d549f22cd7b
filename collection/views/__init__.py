"""Public pages and the JSON API. Every query here starts from ``Record.objects.published()``."""

from .api import record_api_detail, record_api_list
from .authorities import AgentDetailView, PlaceDetailView, SubjectDetailView
from .browse import RecordListView, browse_context
from .home import HomeView
from .record import RecordDetailView, record_citation

__all__ = [
    "AgentDetailView", "HomeView", "PlaceDetailView", "RecordDetailView", "RecordListView", "SubjectDetailView",
    "browse_context", "record_api_detail", "record_api_list", "record_citation",
]
