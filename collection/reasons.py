"""Change reasons of the history, stored without a language and read in the reader's.

A history row outlives the session of whoever made it: a reason the app writes
itself ("import of x.csv", "Status: draft → review") is stored as a code with its
facts, ``[import] {"file": "x.csv"}``, and put into words when someone reads the
history, in their language and time zone. What a person typed (a workflow comment,
a deletion reason) is stored and shown as typed; so is a reason stored before codes
were, or one whose code this version does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

_STORED = re.compile(r"\[(?P<code>[a-z-]+)\] (?P<facts>\{.*\})\Z", re.DOTALL)


def _stored(code: str, **facts: str) -> str:
    return f"[{code}] {json.dumps(facts, ensure_ascii=False, sort_keys=True)}"


def typed(text: str) -> str:
    """What a person typed as a reason, stored so that it is shown as typed.

    Text that reads as a stored code (``[import] {"file": "x.csv"}``) is kept under a
    code of its own: else the history would show, in the app's words, an import or a
    status change that never happened in place of what was typed.
    """
    return _stored("typed", text=text) if _STORED.match(text or "") else text


def catalogue_import() -> str:
    """An import with no file named (the writer called from code)."""
    return _stored("import")


def import_of(file_name: str) -> str:
    """An import of ``file_name`` in the admin."""
    return _stored("import", file=file_name)


def command_line(file_name: str, user: str = "") -> str:
    """An import of ``file_name`` by ``import_catalogue``, as ``user`` if one was named."""
    return _stored("command-line", file=file_name, user=user)


def seed(file_name: str) -> str:
    """The seeded collection's file ``file_name`` loaded."""
    return _stored("seed", file=file_name)


def scan_deleted(file_name: str) -> str:
    """A scan removed from its record outside the record's form."""
    return _stored("scan-deleted", file=file_name)


def status_change(old: str, new: str) -> str:
    """A workflow transition with no comment."""
    return _stored("status", old=old, new=new)


def machine_made_forms() -> str:
    """Readings and romanizations the app derived on its own, after an import (no one's edit)."""
    return _stored("machine-made")


def reverted_to(moment: datetime) -> str:
    """A revert to the version that was current at ``moment``."""
    return _stored("revert", moment=moment.astimezone(UTC).isoformat())


def _status(code: str) -> str:
    from .models import Status

    return str(Status(code).label) if code in Status.values else code


def _moment(value: str) -> str:
    return date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")


_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "typed": lambda facts: str(facts["text"]),
    "import": lambda facts: (_("import of %(file)s") % facts if facts.get("file") else _("catalogue import")),
    "command-line": lambda facts: (
        (_("command line (%(user)s): %(file)s") if facts.get("user") else _("command line: %(file)s")) % facts),
    "seed": lambda facts: _("seed: %(file)s") % facts,
    "scan-deleted": lambda facts: _("scan %(file)s removed") % facts,
    "status": lambda facts: _("Status: %(from)s → %(to)s") % {
        "from": _status(facts["old"]), "to": _status(facts["new"])},
    "machine-made": lambda facts: _("readings and romanizations made by the app"),
    "revert": lambda facts: _("Reverted to the version of %(when)s") % {"when": _moment(facts["moment"])},
}


def is_status_change(stored: str | None) -> bool:
    """Whether a stored reason is the workflow's own account of a status change (:func:`status_change`)."""
    match = _STORED.match(stored or "")
    return match is not None and match["code"] == "status"


def describe(stored: str | None) -> str:
    """A stored reason in the active language: a code's words, or the text as it was stored."""
    if not stored:
        return ""
    match = _STORED.match(stored)
    if match is None or match["code"] not in _WORDS:
        return stored
    try:
        facts = json.loads(match["facts"])
        return _WORDS[match["code"]](facts) if isinstance(facts, dict) else stored
    except (ValueError, KeyError, TypeError):
        return stored
