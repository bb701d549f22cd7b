"""The editorial workflow: which status changes exist and who may make them.

draft → review → published; review → draft (returned); published → withdrawn;
withdrawn → draft. Every path that changes a status (admin, bulk action,
import, API) asks :func:`check_status_change` first.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Record, Status

# (from, to) -> the permission the acting user needs.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.REVIEW): "collection.submit_record",
    (Status.REVIEW, Status.DRAFT): "collection.review_record",
    (Status.REVIEW, Status.PUBLISHED): "collection.publish_record",
    (Status.PUBLISHED, Status.WITHDRAWN): "collection.withdraw_record",
    (Status.WITHDRAWN, Status.DRAFT): "collection.withdraw_record",
}

# A new record may start in any status its creator could have brought it to.
CREATION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: ("collection.add_record",),
    Status.REVIEW: ("collection.add_record", "collection.submit_record"),
    Status.PUBLISHED: ("collection.add_record", "collection.publish_record"),
    Status.WITHDRAWN: ("collection.add_record", "collection.publish_record", "collection.withdraw_record"),
}


class TransitionNotAllowed(Exception):
    """A status change that the workflow or the user's role does not allow."""


def allowed_targets(status: str) -> list[str]:
    return [target for (source, target) in TRANSITIONS if source == status]


def _has_perms(user: Any, perms: tuple[str, ...]) -> bool:
    # No user: the command line, where the operator counts as a collection manager.
    return user is None or user.has_perms(perms)


def check_status_change(user: Any, record: Record | None, new_status: str) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``user`` may give ``record`` ``new_status``.

    ``record`` is ``None`` (or unsaved) for a record being created.
    """
    if new_status not in Status.values:
        raise TransitionNotAllowed(_("“%(status)s” is not a workflow status.") % {"status": new_status})
    if record is None or record._state.adding:
        if not _has_perms(user, CREATION_PERMISSIONS[new_status]):
            raise TransitionNotAllowed(
                _("You may not create a record with the status “%(status)s”.") % {"status": new_status}
            )
        return
    current = record.status
    if current == new_status:
        return
    permission = TRANSITIONS.get((current, new_status))
    if permission is None:
        raise TransitionNotAllowed(
            _("A record cannot go from “%(from)s” to “%(to)s”.") % {"from": current, "to": new_status}
        )
    if not _has_perms(user, (permission,)):
        raise TransitionNotAllowed(
            _("You may not change a record from “%(from)s” to “%(to)s”.") % {"from": current, "to": new_status}
        )
