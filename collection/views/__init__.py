"""Public pages and the JSON API. Every query here starts from ``Record.objects.published()``."""

from .api import agent_api_detail, place_api_detail, record_api_detail, record_api_list, subject_api_detail
from .authorities import AgentDetailView, PlaceDetailView, SubjectDetailView
from .browse import RecordListView, browse_context
from .home import HomeView
from .oai import oai_pmh
from .record import RecordDetailView, record_citation

__all__ = [
    "AgentDetailView", "HomeView", "PlaceDetailView", "RecordDetailView", "RecordListView", "SubjectDetailView",
    "agent_api_detail", "browse_context", "oai_pmh", "place_api_detail", "record_api_detail", "record_api_list",
    "record_citation", "subject_api_detail",
]
