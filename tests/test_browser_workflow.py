"""A contributor submits and a reviewer publishes in a real browser; the record then shows on the public list."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from collection.models import Record, Status

from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username.capitalize())


def test_submit_then_publish_then_public(page, live_server, alice, bob):
    record = RecordFactory(status=Status.DRAFT, title="Browser workflow test title")
    change = live_server.url + reverse("admin:collection_record_change", args=[record.pk])
    public_list = live_server.url + reverse("collection:record-list")

    page.goto(public_list)
    expect(page.locator("main")).not_to_contain_text("Browser workflow test title")

    sign_in(page, live_server, "alice")
    page.goto(change)
    page.fill("textarea[name=transition_comment]", "Ready for review.")
    page.click("button[name=_transition][value=submit]")
    expect(page.locator(".messagelist")).to_contain_text("submitted for review")
    assert Record.objects.get(pk=record.pk).status == Status.REVIEW

    sign_in(page, live_server, "bob")
    page.goto(live_server.url + reverse("admin:index"))
    page.click("#review-queue a")
    expect(page).to_have_url(re.compile(r"queue=mine"))
    page.click(f"text={record.identifier}")
    expect(page.locator(".workflow-status")).to_have_text("in review")
    page.click("button[name=_transition][value=publish]")
    expect(page.locator(".messagelist")).to_contain_text("published")

    page.context.clear_cookies()
    page.goto(public_list)
    expect(page.locator("main")).to_contain_text("Browser workflow test title")
