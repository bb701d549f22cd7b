"""The public pages say what the app's own catalogues say.

Django looks a message up in the catalogues of the installed apps in their order,
and a site may list the admin before this app: a message the admin translates too
("Home", "Search", "Clear all filters") was shown in the admin's words (Начало,
全てのフィルターを解除), not the app's. Such a message takes a context of its own.
"""

import re
from pathlib import Path

import pytest
from django.utils import translation

import collection
from collection.models import Language

pytestmark = pytest.mark.django_db

LOCALE = Path(collection.__file__).parent / "locale"


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def public_messages(language: str) -> list[tuple[str | None, str, str]]:
    """(context, message, translation) of each singular message a public template uses."""
    entries = []
    for block in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").split("\n\n"):
        lines = block.splitlines()
        if not any(line.startswith("#:") and "templates/collection/" in line for line in lines):
            continue
        fields = dict(re.findall(r'^(msgctxt|msgid|msgid_plural|msgstr) "(.*)"$', block, re.M))
        if "msgid_plural" in fields or not fields.get("msgstr"):
            continue
        entries.append((unquote(fields["msgctxt"]) if "msgctxt" in fields else None, unquote(fields["msgid"]),
                        unquote(fields["msgstr"])))
    return entries


@pytest.mark.parametrize("language", ["ja", "ru"])
def test_no_other_apps_catalogue_changes_a_public_message(language):
    messages = public_messages(language)
    assert len(messages) > 100
    with translation.override(language):
        shown = {(context, message): translation.pgettext(context, message) if context else translation.gettext(
            message) for context, message, _ours in messages}
    assert shown == {(context, message): ours for context, message, ours in messages}


def test_the_home_page_and_the_browse_page_use_the_apps_words(client):
    from tests.factories import titled

    titled("Test memoir", kind="memoir")
    assert "<title>Главная · " in client.get("/ru/").content.decode()
    assert "すべての絞り込みを解除" in client.get("/ja/records/", {"kind": "memoir"}).content.decode()


def test_japanese_pages_set_a_full_width_colon_after_a_label(client):
    from tests.factories import titled

    series = titled("Test series", identifier="doc-test-series")
    record = titled("Test volume", identifier="doc-test-volume", kind="memoir", parent=series, sequence=2,
                    description_source="Test source")
    page = client.get(f"/ja/records/{record.identifier}/").content.decode()
    for label in ("固定リンク", "ダウンロード", "記述の出典"):
        assert f"{label}：" in page and f"{label}: " not in page, label
    listing = client.get("/ja/records/", {"kind": "memoir", "decade": "bogus"}).content.decode()
    assert "上位階層：" in listing
    assert re.search(r"<li>[^<:：]+：[^<]+</li>", listing.split('class="errors"')[1]), listing
    # Russian and English keep theirs.
    assert "Постоянная ссылка: " in client.get(f"/ru/records/{record.identifier}/").content.decode()


def test_japanese_pages_set_an_aside_in_full_width_parentheses(client):
    from tests.factories import PlaceFactory, add_title, reindex, titled

    series = titled("Test series", identifier="doc-test-series")
    record = titled("Test volume", identifier="doc-test-volume", kind="memoir", parent=series, sequence=2,
                    date_edtf="1949~", date_display="昭和24年頃", url="https://example.org/test",
                    archived_url="https://web.archive.org/web/2020/https://example.org/test")
    add_title(record, "テスト", "ja")
    page = re.sub(r"<[^>]+>", "", client.get(f"/ja/records/{record.identifier}/").content.decode())
    assert "年頃（目録の表記：昭和24年頃）" in page  # no space before it, as Japanese writes it
    assert "https://example.org/test（アーカイブ版）" in page
    record.languages.add(*(Language.objects.get_or_create(tag=tag)[0] for tag in ("ja", "ru")))
    page = re.sub(r"<[^>]+>", "", client.get(f"/ja/records/{record.identifier}/").content.decode())
    assert "日本語、ロシア語" in page
    place = PlaceFactory(name="テスト市", name__language="ja")
    record.places.add(place)
    reindex(record)
    place_page = re.sub(r"<[^>]+>", "", client.get(f"/ja/places/{place.identifier}/").content.decode())
    assert re.search(r"テスト市\s*（日本語 · ", place_page), place_page
    listing = re.sub(r"<[^>]+>", "", client.get("/ja/records/", {"kind": "memoir"}).content.decode())
    assert "Test series（第2号）" in listing
    # Russian and English keep theirs.
    russian = re.sub(r"<[^>]+>", "", client.get(f"/ru/records/{record.identifier}/").content.decode())
    assert " (в описании: 昭和24年頃)" in russian
