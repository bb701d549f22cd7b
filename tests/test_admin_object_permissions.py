"""Staff without a permission cannot tell from the admin which entries exist.

Django's change view asks for the permission before it looks the entry up: an
existing and a missing id answer alike (403). The preview, history and revert
pages do the same; staff who may view an entry still get 404 for a missing id.
"""

import pytest
from django.urls import reverse

from collection.models import Status

from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654
FACTORIES = {"record": RecordFactory, "agent": AgentFactory, "place": PlaceFactory, "subject": SubjectFactory}


@pytest.fixture
def no_role(db):
    """Staff, signed in to the admin, in no editorial role: no permission on the collection."""
    return UserFactory(username="nobody", is_staff=True)


def make(model: str):
    if model == "record":
        return RecordFactory(status=Status.DRAFT, title="Test hidden draft")
    return FACTORIES[model]()


def pages(model: str, pk) -> list[tuple[str, str]]:
    """(method, url) of each page of one entry that looks it up."""
    found = [
        ("get", reverse(f"admin:collection_{model}_change", args=[pk])),
        ("get", reverse(f"admin:collection_{model}_history", args=[pk])),
        ("post", reverse(f"admin:collection_{model}_revert", args=[pk])),
    ]
    if model == "record":
        found.append(("get", reverse("admin:collection_record_preview", args=[pk])))
    return found


def answer(client, method: str, url: str) -> int:
    if method == "post":
        return client.post(url, {"moment": "2000-01-01T00:00:00+00:00"}).status_code
    return client.get(url).status_code


@pytest.mark.parametrize("model", ["record", "agent", "place", "subject"])
def test_without_permission_an_existing_and_a_missing_entry_answer_alike(model, no_role, login):
    client = login(no_role)
    entry = make(model)
    for (method, existing), (_method, missing) in zip(pages(model, entry.pk), pages(model, MISSING), strict=True):
        assert answer(client, method, existing) == 403, existing
        assert answer(client, method, missing) == 403, missing


@pytest.mark.parametrize(("model", "member"), [("record", "bob"), ("agent", "dana"), ("place", "dana"),
                                               ("subject", "dana")])
def test_with_permission_a_missing_entry_is_not_found(model, member, login, request):
    client = login(request.getfixturevalue(member))
    entry = make(model)
    history = reverse(f"admin:collection_{model}_history", args=[entry.pk])
    assert client.get(history).status_code == 200
    assert client.get(reverse(f"admin:collection_{model}_history", args=[MISSING])).status_code == 404
    assert client.post(reverse(f"admin:collection_{model}_revert", args=[MISSING]),
                       {"moment": "2000-01-01T00:00:00+00:00"}).status_code == 404
    if model == "record":
        assert client.get(reverse("admin:collection_record_preview", args=[entry.pk])).status_code == 200
        assert client.get(reverse("admin:collection_record_preview", args=[MISSING])).status_code == 404
        assert client.get(reverse("admin:collection_record_preview", args=["not-an-id"])).status_code == 404


def test_a_viewer_may_see_a_history_but_not_revert_whether_or_not_the_record_exists(login):
    """The revert page asks for the change permission before the lookup too."""
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_record"))
    client = login(viewer)
    record = make("record")
    assert client.get(reverse("admin:collection_record_history", args=[record.pk])).status_code == 200
    for pk in (record.pk, MISSING):
        response = client.post(reverse("admin:collection_record_revert", args=[pk]),
                               {"moment": "2000-01-01T00:00:00+00:00"})
        assert response.status_code == 403, pk
