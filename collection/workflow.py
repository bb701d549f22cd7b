"""The editorial workflow: which status changes exist and who may make them.

draft → review → published; review → draft (returned); published → withdrawn;
withdrawn → draft. Every path that changes a status (admin, bulk action,
import, API) asks :func:`check_status_change` first, and the admin and the
model methods (``Record.submit`` etc.) go through :func:`change_status`, which
also logs the change.

Roles (the groups made by migration ``0003_roles``) are bundles of the
permissions named here: a Contributor may ``submit_record``; a Reviewer may
also ``review_record``, ``publish_record`` and ``withdraw_record``; a
Collection manager has every permission of the app, including
``publish_own_record``, which exempts from the four-eyes rule.

The four-eyes rule (``COLLECTION_FOUR_EYES``): a record is published by someone
who had no hand in the version under review, neither submitting it nor changing
it since it was submitted, so that every change that goes public has been seen
by someone other than its author. Only the last change is not enough: two
reviewers could otherwise take turns publishing what the other rewrote.
Changes before the submission count as the submitter's, who vouched for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import reasons
from .catalogue.export_lines import one_refresh
from .conf import app_settings
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

PUBLISH_OWN = "collection.publish_own_record"


@dataclass(frozen=True)
class Action:
    """A named transition as the admin offers it: a button or a bulk action.

    What it did is said in whole sentences, one per action, so that each language can make the
    verb agree with its subject (Russian «запись возвращена», «записи возвращены»): ``done`` of one
    record, ``saved_and_done`` of one whose edits were saved with it, ``done_many`` of several
    (``%(records)s``, a list of identifiers). ``only_from`` refuses it to a record in another
    status (``%(status)s``), saying which records it applies to.
    """

    name: str
    source: str
    target: str
    label: Any
    done: Any
    saved_and_done: Any
    done_many: Any
    only_from: Any
    needs_reason: bool = False


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action("submit", Status.DRAFT, Status.REVIEW, gettext_lazy("Submit for review"),
               gettext_lazy("The record %(record)s was submitted for review."),
               gettext_lazy("The record %(record)s was saved and submitted for review."),
               gettext_lazy("Submitted for review: %(records)s."),
               gettext_lazy("This record is “%(status)s”: only a draft can be submitted for review.")),
        Action("publish", Status.REVIEW, Status.PUBLISHED, gettext_lazy("Publish"),
               gettext_lazy("The record %(record)s was published."),
               gettext_lazy("The record %(record)s was saved and published."),
               gettext_lazy("Published: %(records)s."),
               gettext_lazy("This record is “%(status)s”: only a record in review can be published.")),
        Action("return", Status.REVIEW, Status.DRAFT, gettext_lazy("Return to draft"),
               gettext_lazy("The record %(record)s was returned to draft."),
               gettext_lazy("The record %(record)s was saved and returned to draft."),
               gettext_lazy("Returned to draft: %(records)s."),
               gettext_lazy("This record is “%(status)s”: only a record in review can be returned to draft."),
               needs_reason=True),
        Action("withdraw", Status.PUBLISHED, Status.WITHDRAWN, gettext_lazy("Withdraw"),
               gettext_lazy("The record %(record)s was withdrawn."),
               gettext_lazy("The record %(record)s was saved and withdrawn."),
               gettext_lazy("Withdrawn: %(records)s."),
               gettext_lazy("This record is “%(status)s”: only a published record can be withdrawn."),
               needs_reason=True),
        Action("reopen", Status.WITHDRAWN, Status.DRAFT, gettext_lazy("Reopen as draft"),
               gettext_lazy("The record %(record)s was reopened as draft."),
               gettext_lazy("The record %(record)s was saved and reopened as draft."),
               gettext_lazy("Reopened as draft: %(records)s."),
               gettext_lazy("This record is “%(status)s”: only a withdrawn record can be reopened as draft.")),
    ]
}


class TransitionNotAllowed(Exception):
    """A status change that the workflow or the user's role does not allow."""


class ReasonMissing(TransitionNotAllowed):
    """An allowed action that needs a reason was asked for without one."""


def allowed_targets(status: str) -> list[str]:
    return [target for (source, target) in TRANSITIONS if source == status]


def _has_perms(user: Any, perms: tuple[str, ...]) -> bool:
    # No user: the command line, where the operator counts as a collection manager.
    return user is None or user.has_perms(perms)


def _way(current: str, wanted: str) -> list[str] | None:
    """The statuses a record passes through from ``current`` to ``wanted``, both included, by the fewest steps
    the workflow has; ``None`` if it has none."""
    ways = [[current]]
    while ways:
        way = ways.pop(0)
        for source, target in TRANSITIONS:
            if source == way[-1] and target not in way:
                if target == wanted:
                    return [*way, target]
                ways.append([*way, target])
    return None


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _review_run_start(record: Any, column: str) -> QuerySet[Any]:
    """``column`` of the first historical row of ``record``'s latest unbroken run of rows in review.

    That row is the submission: who put the record under review this time, and when.
    ``record`` is an expression naming the record's primary key (an ``OuterRef``).
    """
    history = Record.history.model
    last_other = (
        history.objects.filter(id=OuterRef("id")).exclude(status=Status.REVIEW)
        .order_by("-history_id").values("history_id")[:1]
    )
    return (
        history.objects.filter(id=record, status=Status.REVIEW)
        .filter(history_id__gt=Coalesce(Subquery(last_other), Value(0)))
        .order_by("history_id").values(column)[:1]
    )


def with_submitter(queryset: QuerySet[Record]) -> QuerySet[Record]:
    """Annotate ``submitted_by_id``: who put each record under review this time.

    Read from the record's history rather than the workflow log, so a record put
    under review by an import or any other path has a submitter too: the user of
    the first historical row of the latest unbroken run of rows in review.
    """
    return queryset.annotate(submitted_by_id=Subquery(_review_run_start(OuterRef("pk"), "history_user_id")))


def changed_in_review_by(user: Any) -> Q:
    """A condition on records: ``user`` changed the record since it was last submitted for review.

    Read from the histories of the record and of its parts (titles, descriptions,
    agent links, scans and their captions), so a change by import or a revert counts
    as one in the admin does. The readings and romanizations the app derives itself
    do not count: they follow from titles someone else may check. A save that changes
    nothing leaves no history (the admin skips it), so opening and saving a record
    does not count either.
    """
    from .models import Description, RecordAgent, RecordImage, RecordImageCaption, Title

    since = _review_run_start(OuterRef("id"), "history_id")  # of the history row: its record
    record_rows = Record.history.model.objects.filter(
        id=OuterRef("pk"), status=Status.REVIEW, history_user=user, history_id__gt=Subquery(since))
    condition = Exists(record_rows)
    for part in (Title, Description, RecordAgent, RecordImage):
        rows = part.history.model.objects.filter(
            record_id=OuterRef("pk"), history_user=user,
            history_date__gte=Subquery(_review_run_start(OuterRef("record_id"), "history_date")))
        if part is Title:
            rows = rows.exclude(machine_made=True)
        condition |= Exists(rows)
    images = RecordImage.history.model.objects.filter(record_id=OuterRef(OuterRef("pk"))).values("id")
    captions = RecordImageCaption.history.model.objects.filter(
        image_id__in=images, history_user=user,
        history_date__gte=Subquery(_review_run_start(OuterRef(OuterRef("pk")), "history_date")))
    return condition | Exists(captions)


def review_hands(record: Record, user: Any) -> tuple[bool, bool]:
    """Whether ``user`` submitted ``record`` for its current review, and whether they changed it since: one query."""
    row = with_submitter(Record._base_manager.filter(pk=record.pk)).annotate(
        changed=changed_in_review_by(user)).values_list("submitted_by_id", "changed").first()
    if row is None:
        return False, False
    return row[0] == user.pk, bool(row[1])


def decides_on_reviews(user: Any) -> bool:
    """Whether ``user`` publishes or returns records under review: those who have a review queue."""
    return any(user.has_perm(TRANSITIONS[Status.REVIEW, decision]) for decision in (Status.PUBLISHED, Status.DRAFT))


def submits_for_review(user: Any) -> bool:
    """Whether ``user`` submits drafts for review: those whom a reviewer may return records to."""
    return user.has_perm(TRANSITIONS[Status.DRAFT, Status.REVIEW])


def awaiting_review_by(user: Any, queryset: QuerySet[Record] | None = None) -> QuerySet[Record]:
    """Records under review that ``user`` may decide on: under the four-eyes rule, none they submitted or
    changed since."""
    queryset = (queryset if queryset is not None else Record.objects.all()).filter(status=Status.REVIEW)
    if not decides_on_reviews(user):
        return queryset.none()
    if app_settings.FOUR_EYES and not user.has_perm(PUBLISH_OWN):
        queryset = with_submitter(queryset).filter(
            Q(submitted_by_id__isnull=True) | ~Q(submitted_by_id=user.pk)).exclude(changed_in_review_by(user))
    return queryset


def returned_to(user: Any, queryset: QuerySet[Record] | None = None) -> QuerySet[Record]:
    """Drafts that a reviewer returned to ``user``: their latest status change returned them from review, and
    ``user`` had submitted them.

    Read from the workflow log, which every path that changes a status writes (the admin, an
    import, the model methods), so a record submitted again or reopened leaves the list.
    """
    from .models.workflow import StatusChange

    queryset = queryset if queryset is not None else Record.objects.all()
    changes = StatusChange.objects.filter(record=OuterRef("pk")).order_by("-at", "-pk")
    return queryset.filter(status=Status.DRAFT).annotate(
        last_from=Subquery(changes.values("from_status")[:1]),
        last_to=Subquery(changes.values("to_status")[:1]),
        submitted_by_id=Subquery(changes.filter(to_status=Status.REVIEW).values("by")[:1]),
    ).filter(last_from=Status.REVIEW, last_to=Status.DRAFT, submitted_by_id=user.pk)


FOUR_EYES_SUBMITTED = gettext_lazy(
    "Four-eyes rule: you submitted this record for review yourself, so another reviewer must publish it "
    "(or a collection manager).")
FOUR_EYES_CHANGED = gettext_lazy(
    "Four-eyes rule: you changed this record after it was submitted for review, so another reviewer, one who has "
    "not changed it since, must publish it (or a collection manager).")
FOUR_EYES_CHANGING = gettext_lazy(
    "Four-eyes rule: you may not publish changes you make yourself. Save them with the record still in review; "
    "another reviewer, one who has not changed it since it was submitted, must publish it (or a collection manager).")


def check_status_change(user: Any, record: Record | None, new_status: str, *, changing: bool = False,
                        hands: tuple[bool, bool] | None = None) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``user`` may give ``record`` ``new_status``.

    ``record`` is ``None`` (or unsaved) for a record being created. ``user`` is
    ``None`` on the command line. Under the four-eyes rule (``COLLECTION_FOUR_EYES``)
    publishing a record one submitted oneself or changed since it was submitted,
    or creating it already published, needs ``publish_own_record`` too.
    ``changing`` says that the same step changes the record's content as well
    (an import row that edits and publishes): that is publishing one's own change.
    ``hands`` is :func:`review_hands` of ``record`` and ``user`` if already read (with many records at once);
    a change itself never passes it, and reads them under its lock.
    """
    if new_status not in Status.values:
        raise TransitionNotAllowed(_("“%(status)s” is not a workflow status.") % {"status": new_status})
    four_eyes = app_settings.FOUR_EYES and user is not None
    if record is None or record._state.adding:
        needed = CREATION_PERMISSIONS[new_status]
        if four_eyes and new_status in (Status.PUBLISHED, Status.WITHDRAWN):
            needed = (*needed, PUBLISH_OWN)
        if not _has_perms(user, needed):
            raise TransitionNotAllowed(
                _("You may not create a record with the status “%(status)s”.") % {"status": _status_label(new_status)}
            )
        return
    current = record.status
    if current == new_status:
        return
    names = {"from": _status_label(current), "to": _status_label(new_status)}
    permission = TRANSITIONS.get((current, new_status))
    if permission is None:
        way = _way(current, new_status)
        if way is None:
            raise TransitionNotAllowed(_("A record cannot go from “%(from)s” to “%(to)s”.") % names)
        # The statuses as an import's cells write them, so that a row can be corrected from the message.
        raise TransitionNotAllowed(
            _("A record cannot go from “%(from)s” to “%(to)s” in one step: it goes to “%(first)s” first "
              "(%(way)s).") % {**names, "first": _status_label(way[1]), "way": " → ".join(way)})
    if not _has_perms(user, (permission,)):
        raise TransitionNotAllowed(_("You may not change a record from “%(from)s” to “%(to)s”.") % names)
    if four_eyes and new_status == Status.PUBLISHED and not user.has_perm(PUBLISH_OWN):
        if changing:
            raise TransitionNotAllowed(str(FOUR_EYES_CHANGING))
        submitted, changed = hands if hands is not None else review_hands(record, user)
        if submitted:
            raise TransitionNotAllowed(str(FOUR_EYES_SUBMITTED))
        if changed:
            raise TransitionNotAllowed(str(FOUR_EYES_CHANGED))


def may_edit(user: Any, record: Record | None) -> bool:
    """Whether ``user`` may change ``record``'s catalogue data (not its status).

    Anyone who may change records edits drafts (new and returned ones alike);
    only reviewers (``review_record``) edit records under review, published or withdrawn.
    """
    if user is None:
        return True
    if not user.has_perm("collection.change_record"):
        return False
    if record is None or record.status == Status.DRAFT:
        return True
    return user.has_perm("collection.review_record")


# Why a record is only shown to someone who edits drafts, by its status, and who can make it editable again.
VIEW_ONLY_REASONS: dict[str, Any] = {
    Status.REVIEW: gettext_lazy(
        "Only a reviewer can change a record in review. If it needs your changes, a reviewer can return it to draft."),
    Status.PUBLISHED: gettext_lazy("Only a reviewer can change a published record."),
    Status.WITHDRAWN: gettext_lazy(
        "Only a reviewer can change a withdrawn record. If it needs your changes, a reviewer can reopen it as draft."),
}


def view_only_reason(user: Any, record: Record) -> str:
    """Why ``user``, who may change records, may not change ``record`` as it stands; ``""`` if they may.

    Shown on a record's page that a contributor may only view: without it the page is the
    form without its save buttons, and nothing says why nor what would let her change it.
    """
    if user is None or not user.has_perm("collection.change_record") or may_edit(user, record):
        return ""
    return str(VIEW_ONLY_REASONS.get(record.status, ""))


def check_edit(user: Any, record: Record) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``user`` may change ``record``'s data."""
    if not may_edit(user, record):
        raise TransitionNotAllowed(
            _("You may not edit a record that is “%(status)s”.") % {"status": _status_label(record.status)}
        )


def check_action(user: Any, record: Record, action: Action, comment: str = "", *,
                 hands: tuple[bool, bool] | None = None) -> None:
    """Raise :class:`TransitionNotAllowed` unless ``user`` may apply ``action`` to ``record`` now (``hands``: see
    :func:`check_status_change`)."""
    if record.status != action.source:
        # Mostly a bulk action on a selection that mixes statuses, which the list shows as they are: no page to
        # reload, just which records the action applies to. (A button is offered only in its own status, and a
        # change form older than a status change is refused as outdated before this.)
        raise TransitionNotAllowed(action.only_from % {"status": _status_label(record.status)})
    check_status_change(user, record, action.target, hands=hands)
    if action.needs_reason and not comment.strip():
        raise ReasonMissing(_("Give a reason."))


def foreseen_skips(user: Any, records: QuerySet[Record], action: Action) -> list[tuple[Record, str]]:
    """Each of ``records`` with why :func:`apply_to_many` would skip it if ``user`` applied ``action`` now, in
    the words it would use; ``""`` for one it would change.

    For the page that asks to confirm a bulk action, which says this before anything changes: the same check
    as the action's, the reason it may need left out (the page asks for it). Who submitted each record and
    whether ``user`` changed it since (the four-eyes rule) are read with the records, in one query whatever
    their number.
    """
    if user is not None and action.target == Status.PUBLISHED:
        records = with_submitter(records).annotate(changed_by_user=changed_in_review_by(user))
    foreseen = []
    for record in records:
        hands = ((record.submitted_by_id == user.pk, bool(record.changed_by_user))
                 if hasattr(record, "changed_by_user") else None)
        try:
            check_action(user, record, action, comment="-", hands=hands)
        except TransitionNotAllowed as refusal:
            foreseen.append((record, str(refusal)))
        else:
            foreseen.append((record, ""))
    return foreseen


def available_actions(user: Any, record: Record) -> list[Action]:
    """The actions ``user`` may apply to ``record`` as it stands (reasons are asked for later)."""
    return actions_and_withheld(user, record)[0]


def actions_and_withheld(user: Any, record: Record) -> tuple[list[Action], list[str]]:
    """The actions ``user`` may apply to ``record`` as it stands, and why each one withheld from them is.

    Withheld: an action of the record's status that the user's role grants but a rule refuses
    here (the four-eyes rule). A reviewer shown no “Publish” button is told why, on the page;
    what a role does not grant at all is not listed.
    """
    available, withheld = [], []
    for action in ACTIONS.values():
        try:
            check_action(user, record, action, comment="-")
        except TransitionNotAllowed as refusal:
            if (action.source == record.status and user is not None
                    and user.has_perm(TRANSITIONS[action.source, action.target])):
                withheld.append(str(refusal))
            continue
        available.append(action)
    return available, withheld


def stale_refusal(record: Record) -> str:
    """The refusal of a save from a page opened before ``record`` left the person's reach, and nothing more.

    The plain stale message asks them to open the record again and make their changes
    anew, which they may no longer do: the admin says beside it who can.
    """
    from .concurrency import last_change_words

    return _(
        "Your changes were not saved: %(identifier)s was changed by %(user)s at %(when)s after you opened it, "
        "and their changes were kept."
    ) % last_change_words(record)


def stale_action_message(record: Record, action: Action) -> str:
    """Tell the person who pressed ``action`` on an outdated page of ``record`` that it was not applied, and why.

    The plain stale message speaks of changes to make anew; a reviewer who only pressed
    “Publish” needs to know it did not happen, and what the record is now, to decide again.
    """
    from .concurrency import last_change_words

    # Not starting with the identifier: the admin capitalizes the first letter of every message.
    return _(
        "Nothing was saved and “%(action)s” was not applied: %(identifier)s was changed by %(user)s at %(when)s "
        "after you opened it, and is now “%(status)s”. Open it again to see the changes, then decide anew."
    ) % {**last_change_words(record), "action": action.label, "status": _status_label(record.status)}


@transaction.atomic
def change_status(record: Record, by: Any, new_status: str, comment: str = "", *, hide_title: bool = False) -> Any:
    """Move ``record`` to ``new_status`` if ``by`` may, and log it; returns the ``StatusChange``.

    The row is locked and re-read first, so two people pressing “publish” at once
    cannot both succeed, and a stale in-memory status cannot slip a transition past the rules.
    """
    from .models.workflow import StatusChange

    current = Record._base_manager.select_for_update().only("status", "version", "first_published").get(pk=record.pk)
    # The first publication too: a copy read before the record was first published must not date it anew.
    record.status, record.version, record.first_published = current.status, current.version, current.first_published
    old_status = record.status
    check_status_change(by, record, new_status)
    if old_status == new_status:
        raise TransitionNotAllowed(_("The record is already “%(status)s”.") % {"status": _status_label(new_status)})
    record.status = new_status
    record._history_user = by
    record._change_reason = reasons.typed(comment) if comment else reasons.status_change(old_status, new_status)
    # One moment for the change: the history row (which dates a withdrawal's public notice and OAI-PMH) and the
    # log entry the admin shows must agree exactly, as an import's do.
    moment = record._history_date = timezone.now()
    try:
        record.save(update_fields=["status", "version", "modified"])
    finally:
        del record._change_reason, record._history_date
    return StatusChange.objects.create(
        record=record, identifier=record.identifier, from_status=old_status, to_status=new_status, by=by,
        at=moment, comment=comment, hide_title=hide_title and new_status == Status.WITHDRAWN,
    )


def apply_action(record: Record, by: Any, action: Action, comment: str = "", *, hide_title: bool = False) -> Any:
    """Apply a named action (the admin's buttons and bulk actions)."""
    with transaction.atomic():
        current = Record._base_manager.select_for_update().only("status").get(pk=record.pk)
        record.status = current.status
        check_action(by, record, action, comment)
        return change_status(record, by, action.target, comment, hide_title=hide_title)


@dataclass
class BulkResult:
    done: list[Record] = field(default_factory=list)
    skipped: list[tuple[Record, str]] = field(default_factory=list)


def apply_to_many(
    records: Iterable[Record], by: Any, action: Action, comment: str = "", *, hide_title: bool = False,
) -> BulkResult:
    """Apply ``action`` to each record where allowed; the others are skipped, each with the reason."""
    result = BulkResult()
    with one_refresh():  # each record is its own transaction; their export rows are written again by one task
        for record in records:
            try:
                apply_action(record, by, action, comment, hide_title=hide_title)
            except TransitionNotAllowed as refusal:
                result.skipped.append((record, str(refusal)))
            else:
                result.done.append(record)
    return result
