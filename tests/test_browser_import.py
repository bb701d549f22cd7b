"""The admin import in a real browser: upload, look at the preview, confirm (records, and an agents sheet)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from collection.models import Agent, AgentName, Record, Title

from .factories import AgentFactory
from .roles import staff_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = (
    "identifier,kind,status,title_en,title_ja\n"
    "test-1,memoir,draft,<script>alert('x')</script>,テスト手記\n"
    "test-2,document,draft,Test document,\n"
)


def upload_on_the_list(page, live_server, username: str, model: str, path, sheet: str) -> None:
    """Sign in as ``username`` and upload ``sheet`` with the Import button of ``model``'s changelist."""
    path.write_text(sheet, encoding="utf-8")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/collection/{model}/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.click("a.import_link")
    page.set_input_files("#id_file", str(path))
    page.click("#import-form input[type=submit]")


def test_preview_then_confirm_imports_exactly_what_was_shown(live_server, page, tmp_path):
    staff_in("Collection manager", "dana")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    upload_on_the_list(page, live_server, "dana", "record", tmp_path / "records.csv", SHEET)

    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(2)
    expect(page.locator("#import-preview tr.import-new")).to_have_count(2)
    expect(preview.first).to_contain_text("<script>alert('x')</script>")
    expect(preview.first).to_contain_text("テスト手記")
    assert not Record.objects.exists()

    page.click("#confirm-form input[type=submit]")
    expect(page.locator(".import-status")).to_contain_text("imported")
    assert set(Record.objects.values_list("identifier", flat=True)) == {"test-1", "test-2"}
    assert Title.objects.get(record__identifier="test-1", language="en").text == "<script>alert('x')</script>"
    assert dialogs == []

    # The changelist shows the imported title as text, never running it.
    page.goto(f"{live_server.url}/admin/collection/record/")
    expect(page.locator("#result_list")).to_contain_text("test-1")
    assert dialogs == []


AGENTS = (
    "identifier,kind,name_ja,name_en,name_parts\n"
    "agent-test-1,person,山田太郎,<script>alert('x')</script>,\n"
    "agent-test-2,,,Anna Testova,\"en:Testova, Anna\"\n"
)


def test_an_agents_sheet_is_previewed_then_confirmed_on_the_agents_list(live_server, page, tmp_path):
    staff_in("Contributor", "alice")  # a contributor may import agents, as the command allows
    AgentFactory(identifier="agent-test-2", name="Anna Testowa")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    upload_on_the_list(page, live_server, "alice", "agent", tmp_path / "agents.csv", AGENTS)

    rows = page.locator("#import-preview tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#import-preview tr.import-new")).to_contain_text("<script>alert('x')</script>")
    expect(page.locator("#import-preview tr.import-new")).to_contain_text("山田太郎")
    updated = page.locator("#import-preview tr.import-updated")
    expect(updated.locator("del")).to_have_text(["Anna Testowa", "—"])
    expect(updated.locator("ins")).to_have_text(["Anna Testova", "en:Testova, Anna"])
    assert not Agent.objects.filter(identifier="agent-test-1").exists()
    assert AgentName.objects.get(agent__identifier="agent-test-2").text == "Anna Testowa"

    page.click("#confirm-form input[type=submit]")
    expect(page.locator(".import-status")).to_contain_text("imported")
    assert AgentName.objects.get(agent__identifier="agent-test-1", language="en").text == "<script>alert('x')</script>"
    renamed = AgentName.objects.get(agent__identifier="agent-test-2")
    assert (renamed.text, renamed.family, renamed.given) == ("Anna Testova", "Testova", "Anna")
    assert {entry.history_user.username for entry in Agent.history.filter(identifier__startswith="agent-test")
            if entry.history_user} == {"alice"}
    assert dialogs == []


def _layout(page, name: str) -> tuple[bool, float]:
    """Whether a field stands beside its label (rather than under it), and where its help starts against it."""
    label = page.locator(f"label[for=id_{name}]").bounding_box()
    field = page.locator(f"#id_{name}").bounding_box()
    help_box = page.locator(f"#id_{name}_helptext").bounding_box()
    return field["x"] > label["x"] + label["width"] - 1, help_box["x"] - field["x"]


def test_the_import_form_is_laid_out_as_the_admins_own_forms(live_server, page, django_user_model):
    django_user_model.objects.create_superuser("dana", password="pw")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/auth/user/add/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    beside, _help_offset = _layout(page, "username")  # Django's own form, as this version of Django lays it out
    page.goto(f"{live_server.url}/admin/collection/record/import/")
    sheet_beside, sheet_help_offset = _layout(page, "sheet")
    assert sheet_beside == beside
    assert abs(sheet_help_offset) <= 12  # the help starts where its field does
    assert page.locator("#id_sheet").get_attribute("aria-describedby") == "id_sheet_helptext"
