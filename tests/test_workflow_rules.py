import pytest
from django.contrib.auth.models import Permission

from collection.models import Record, Status
from collection.workflow import TransitionNotAllowed, allowed_targets, check_status_change

from .factories import RecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def user_with(*codenames):
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)


def test_only_the_defined_transitions_exist():
    assert allowed_targets(Status.DRAFT) == [Status.REVIEW]
    assert set(allowed_targets(Status.REVIEW)) == {Status.DRAFT, Status.PUBLISHED}
    assert allowed_targets(Status.PUBLISHED) == [Status.WITHDRAWN]
    assert allowed_targets(Status.WITHDRAWN) == [Status.DRAFT]


def test_draft_cannot_jump_to_published_even_for_the_command_line():
    record = RecordFactory(status=Status.DRAFT)
    with pytest.raises(TransitionNotAllowed):
        check_status_change(None, record, Status.PUBLISHED)


def test_permission_needed_for_each_transition():
    record = RecordFactory(status=Status.REVIEW)
    contributor = user_with("add_record", "change_record", "submit_record")
    with pytest.raises(TransitionNotAllowed):
        check_status_change(contributor, record, Status.PUBLISHED)
    check_status_change(user_with("publish_record"), record, Status.PUBLISHED)


def test_creating_published_needs_publish_permission():
    with pytest.raises(TransitionNotAllowed):
        check_status_change(user_with("add_record"), None, Status.PUBLISHED)
    check_status_change(user_with("add_record"), Record(kind="memoir"), Status.DRAFT)
    check_status_change(None, None, Status.PUBLISHED)
