from .authorities import AgentAdmin, LanguageAdmin, PlaceAdmin, SubjectAdmin
from .records import RecordAdmin, ReservedIdentifierAdmin

__all__ = ["AgentAdmin", "LanguageAdmin", "PlaceAdmin", "RecordAdmin", "ReservedIdentifierAdmin", "SubjectAdmin"]
