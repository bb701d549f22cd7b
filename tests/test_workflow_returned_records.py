"""A contributor whose record a reviewer returned to draft finds it: the admin's index says how many of hers
were returned, and the record list has a filter for them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:collection_record_changelist")


@pytest.fixture
def returned(alice, bob, carol):
    """Alice's two submissions, one returned by Bob; Carol's submission, returned too; a draft never submitted."""
    hers = RecordFactory(status=Status.DRAFT, identifier="doc-hers-returned")
    hers.submit(alice)
    hers.return_to_draft(bob, comment="Add the archive reference.")
    waiting = RecordFactory(status=Status.DRAFT, identifier="doc-hers-waiting")
    waiting.submit(alice)
    carols = RecordFactory(status=Status.DRAFT, identifier="doc-carols-returned")
    carols.submit(carol)
    carols.return_to_draft(bob, comment="Check the date.")
    RecordFactory(status=Status.DRAFT, identifier="doc-never-submitted")
    return hers


def listed(client, query: str) -> set[str]:
    response = client.get(CHANGELIST + query)
    return {record.identifier for record in response.context["cl"].result_list}


@pytest.mark.parametrize(("language", "said"), [
    ("en", "1 of your records was returned to draft"),
    ("ja", "下書きに差戻された自分の資料が 1 件あります"),
    ("ru", "1 ваша запись возвращена в черновики"),
])
def test_the_index_tells_a_contributor_how_many_of_her_records_were_returned(
        returned, alice, login, language, said):
    page = login(alice).get(reverse("admin:index"), headers={"accept-language": language}).content.decode()
    assert said in page
    assert f'href="{CHANGELIST}?queue=returned"' in page


def test_the_filter_lists_the_records_returned_to_her_until_she_submits_them_again(returned, alice, login):
    client = login(alice)
    assert listed(client, "?queue=returned") == {"doc-hers-returned"}
    returned.submit(alice, comment="Reference added.")
    assert listed(client, "?queue=returned") == set()
    assert "returned to draft" not in client.get(reverse("admin:index")).content.decode()


def test_nothing_returned_says_nothing(alice, login):
    RecordFactory(status=Status.DRAFT).submit(alice)
    page = login(alice).get(reverse("admin:index")).content.decode()
    assert "returned to draft" not in page
