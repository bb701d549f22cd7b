import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def test_list_shows_only_published(client):
    RecordFactory(title="Published record", status=Status.PUBLISHED)
    for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        RecordFactory(title=f"Hidden {status}", status=status)
    content = client.get(reverse("collection:record-list")).content.decode()
    assert "Published record" in content
    assert "Hidden" not in content


def test_unpublished_record_page_is_not_found(client):
    draft = RecordFactory(status=Status.DRAFT)
    assert client.get(reverse("collection:record-detail", args=[draft.identifier])).status_code == 404


def test_list_query_count_does_not_grow_with_records(client, django_assert_max_num_queries):
    for _ in range(3):
        RecordFactory()
    with django_assert_max_num_queries(6):
        client.get(reverse("collection:record-list"))
    for _ in range(20):
        RecordFactory()
    with django_assert_max_num_queries(6):
        client.get(reverse("collection:record-list"))
