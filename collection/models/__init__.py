from .agents import Agent, AgentKind, AgentName
from .identifiers import IdentifiedModel
from .imports import ImportJob, ImportJobStatus
from .labels import Label, LabelForm, pick_label
from .places import Place, PlaceKind, PlaceName
from .records import (
    AgentRole,
    Description,
    LevelOfDescription,
    Record,
    RecordAgent,
    RecordKind,
    ReservedIdentifier,
    ResourceType,
    Status,
    Title,
    validate_titles,
)
from .subjects import Language, Subject, SubjectLabel
from .workflow import StatusChange

__all__ = [
    "Agent", "AgentKind", "AgentName", "AgentRole", "Description", "IdentifiedModel", "Label", "LabelForm",
    "Language", "LevelOfDescription", "Place", "PlaceKind", "PlaceName", "Record", "RecordAgent", "RecordKind",
    "ReservedIdentifier", "ResourceType", "Status", "StatusChange", "Subject", "SubjectLabel", "Title", "pick_label",
    "validate_titles", "ImportJob", "ImportJobStatus",
]
