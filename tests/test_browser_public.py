import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_list_in_a_real_browser(live_server, page):
    RecordFactory(title="日本人捕虜の記録", status=Status.PUBLISHED)
    RecordFactory(title="Draft only", status=Status.DRAFT)
    page.goto(live_server.url + reverse("collection:record-list"))
    assert page.get_by_role("link", name="日本人捕虜の記録").is_visible()
    assert page.get_by_text("Draft only").count() == 0
    page.keyboard.press("Tab")  # the skip link is the first stop and becomes visible on focus
    assert page.evaluate("document.activeElement.className") == "skip"
