"""The admin's forms with rows of labels, agents and scans fit a laptop's screen, in each language of the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from collection.images import inspect_upload
from collection.models import AgentName, PlaceName, add_images

from . import imaging
from .factories import PlaceFactory, SubjectFactory, add_title, link_agent, person, titled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280

# How many lines each column heading of the inline tables takes, and how wide each of their fields is.
MEASURE = """() => {
  // Lines of the heading's words (its help icon may take a line of its own).
  const lines = (cell) => {
    const tops = new Set();
    for (const node of cell.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
    }
    return tops.size;
  };
  const visible = (el) => el.offsetParent !== null && !el.closest('.empty-form');
  return {
    headings: [...document.querySelectorAll('.inline-group.js-inline-admin-formset table thead th')]
      .filter(th => th.innerText.trim() && visible(th))
      .map(th => [th.innerText.trim(), lines(th)]),
    // An autocomplete's select is hidden behind the box that shows its choice.
    fields: [...document.querySelectorAll('.inline-group table td :is(input, select, .select2-container)')]
      .filter(el => visible(el) && !['checkbox', 'hidden'].includes(el.type)
              && !el.classList.contains('select2-hidden-accessible'))
      .map(el => [el.name || el.closest('td').className, el.type || 'autocomplete',
                  Math.round(el.getBoundingClientRect().width)]),
  };
}"""


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_forms_with_inline_rows_fit_a_laptop_screen_in_every_language(live_server, page, admin_user):
    record = titled("Test record of a width check")
    add_title(record, "テスト資料の幅の確認", "ja")
    agent = person("Testfamily", "Testgiven")
    AgentName.objects.create(agent=agent, language="ru", text="Тестовая Фамилия", family="Тестовая",
                             given="Фамилия")
    link_agent(record, agent)
    place = PlaceFactory(name="Test place of a width check")
    PlaceName.objects.filter(place=place).update(valid_from=1945, valid_to=1956, source="Test source")
    record.places.add(place)
    record.subjects.add(subject := SubjectFactory(label="Test subject of a width check"))
    add_images(record, inspect_upload(imaging.upload(imaging.jpeg(), "scan.jpg"), "scan.jpg"))
    pages = [
        reverse(f"admin:collection_{model}_{view}", args=args)
        for model, entry in (("record", record), ("agent", agent), ("place", place), ("subject", subject))
        for view, args in (("add", []), ("change", [entry.pk]))
    ]

    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, admin_user.username)
    problems = []
    for language in ("en", "ja", "ru"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for path in pages:
            page.goto(live_server.url + path)
            where = f"{path} in {language}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                problems.append((where, "page width", width))
            measured = page.evaluate(MEASURE)
            assert measured["headings"], where
            # A heading may wrap once; Japanese ones went one character to a line.
            problems += [(where, "heading lines", *h) for h in measured["headings"] if h[1] > 2]
            # A text field keeps room for a few words; a number or a choice, for what it shows.
            problems += [(where, "field width", *f) for f in measured["fields"]
                         if f[2] < (64 if f[1] in ("text", "autocomplete") else 40)]
    assert problems == [], "\n".join(map(str, problems))
