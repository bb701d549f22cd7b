"""A status change the workflow makes in several steps says which step comes first, in an import as in code."""

import pytest
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record, Status
from collection.workflow import TransitionNotAllowed, check_status_change

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def test_an_import_row_from_draft_to_published_is_told_to_submit_it_for_review_first():
    record = RecordFactory(identifier="doc-steps", status=Status.DRAFT)
    result = write_rows([(2, {"identifier": "doc-steps", "status": "published"})])
    assert [str(error) for error in result.errors] == [
        "row 2, column status: A record cannot go from “draft” to “published” in one step: it goes to “in review” "
        "first (draft → review → published)."]
    assert Record.objects.get(pk=record.pk).status == Status.DRAFT


# Every pair the workflow has no single step for: the first step, and the way.
STEPS = {
    (Status.DRAFT, Status.PUBLISHED): ("in review", "draft → review → published"),
    (Status.DRAFT, Status.WITHDRAWN): ("in review", "draft → review → published → withdrawn"),
    (Status.REVIEW, Status.WITHDRAWN): ("published", "review → published → withdrawn"),
    (Status.PUBLISHED, Status.DRAFT): ("withdrawn", "published → withdrawn → draft"),
    (Status.PUBLISHED, Status.REVIEW): ("withdrawn", "published → withdrawn → draft → review"),
    (Status.WITHDRAWN, Status.REVIEW): ("draft", "withdrawn → draft → review"),
    (Status.WITHDRAWN, Status.PUBLISHED): ("draft", "withdrawn → draft → review → published"),
}


@pytest.mark.parametrize(("current", "wanted"), list(STEPS))
def test_each_change_in_several_steps_names_its_first_step(current, wanted):
    record = RecordFactory(identifier="doc-steps", status=current)
    first, way = STEPS[current, wanted]
    with pytest.raises(TransitionNotAllowed) as refusal:
        check_status_change(None, record, wanted)
    assert str(refusal.value) == (
        f"A record cannot go from “{Status(current).label}” to “{Status(wanted).label}” in one step: it goes to "
        f"“{first}” first ({way}).")


def test_the_step_is_named_in_the_users_language():
    record = RecordFactory(identifier="doc-steps", status=Status.DRAFT)
    with translation.override("ja"), pytest.raises(TransitionNotAllowed) as refusal:
        check_status_change(None, record, Status.PUBLISHED)
    assert "draft → review → published" in str(refusal.value)
    assert "cannot go" not in str(refusal.value)  # translated
