from .agents import Agent, AgentKind, AgentName
from .exports import ExportLine
from .identifiers import IdentifiedModel
from .images import RecordImage, RecordImageCaption, Visibility, add_images, check_fixity, image_storage
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
    identifier_case_message,
    validate_titles,
)
from .search import CatalogueChange, CatalogueVersion, RecordPlaceIndex, RecordSearch, RecordTitleOrder
from .subjects import Language, Subject, SubjectLabel
from .workflow import StatusChange

__all__ = [
    "Agent", "AgentKind", "AgentName", "AgentRole", "Description", "IdentifiedModel", "Label", "LabelForm",
    "Language", "LevelOfDescription", "Place", "PlaceKind", "PlaceName", "Record", "RecordAgent", "RecordKind",
    "ReservedIdentifier", "ResourceType", "Status", "StatusChange", "Subject", "SubjectLabel", "Title", "pick_label",
    "RecordSearch", "RecordTitleOrder", "RecordPlaceIndex", "CatalogueVersion", "CatalogueChange",
    "identifier_case_message", "validate_titles",
    "RecordImage", "RecordImageCaption", "Visibility", "add_images", "check_fixity", "image_storage",
    "ImportJob", "ImportJobStatus", "ExportLine",
]
