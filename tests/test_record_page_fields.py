"""What a record's citation says, its page shows too: every catalogued field a reader may cite."""

import re

import pytest

from collection.models import LabelForm, LevelOfDescription
from tests.factories import add_title, titled

pytestmark = pytest.mark.django_db


def metadata(client, record, language="en"):
    """The record page's metadata as (term, definition) text pairs."""
    html = client.get(f"/{language}/records/{record.identifier}/").content.decode()
    block = re.search(r'<dl class="metadata">(.*?)</dl>', html, re.S).group(1)
    pairs, term = [], None
    for tag, text in re.findall(r"<(dt|dd)[^>]*>(.*?)</\1>", block, re.S):
        text = re.sub(r"<[^>]+>", "", text).strip()
        if tag == "dt":
            term = text
        else:
            pairs.append((term, text))
    return pairs


def test_a_volume_shows_its_series_and_number_as_its_citation_does(client):
    series = titled("Test series", level=LevelOfDescription.SERIES)
    volume = titled("Test volume two", parent=series, level=LevelOfDescription.VOLUME, sequence=2)
    shown = metadata(client, volume)
    assert ("Part of", "Test series, vol. 2") in shown
    assert ("Level of description", "volume") in shown
    assert "Vol. 2" in client.get(f"/en/records/{volume.identifier}/").context["citations"][0][1]
    assert ("Level of description", "series") in metadata(client, series)
    # An issue of a serial is numbered as one.
    issue = titled("Test issue", parent=series, level=LevelOfDescription.FILE, sequence=7)
    assert ("Part of", "Test series, no. 7") in metadata(client, issue)
    assert ("Входит в", "Test series, т. 2") in metadata(client, volume, "ru")
    # Japanese numbers a volume and an issue as a phrase around the number.
    assert ("上位階層", "Test series、第2巻") in metadata(client, volume, "ja")
    assert ("上位階層", "Test series、第7号") in metadata(client, issue, "ja")


def test_a_container_is_cited_with_volume_issue_and_pages_in_the_pages_language(client):
    record = titled("Test article", container_title="Test Bulletin", volume="19", issue="1", pages="131-148")
    assert ("In", "Test Bulletin, vol. 19, no. 1, pp. 131-148") in metadata(client, record)
    assert ("掲載元", "Test Bulletin, 第19巻, 第1号, 131-148頁") in metadata(client, record, "ja")
    assert ("Опубликовано в", "Test Bulletin, т. 19, № 1, с. 131-148") in metadata(client, record, "ru")


def test_edition_volume_issue_and_pages_show_without_a_container_title(client):
    record = titled("Test book", edition="2nd ed.", volume="3", pages="12-40")
    shown = metadata(client, record)
    assert ("Edition", "2nd ed.") in shown
    assert ("Volume", "3") in shown
    assert ("Pages", "12-40") in shown
    html = client.get(f"/ja/records/{record.identifier}/").content.decode()
    assert '<dd lang="">2nd ed.</dd>' in html  # the catalogue's wording, in no known language
    assert "掲載ページ" in html



@pytest.mark.parametrize(("place", "language", "marked"), [
    ("Владивосток", "en", ' lang="ru"'), ("Владивосток", "ja", ' lang="ru"'),
    ("Владивосток", "ru", ""),  # the page's own language: <html lang> says it
    ("東京", "en", ' lang="ja"'), ("東京", "ja", ""),
    ("Seattle", "ru", ' lang=""'),  # Latin letters say nothing of the language
])
def test_a_place_of_publication_is_read_in_the_language_its_letters_say(client, place, language, marked):
    record = titled("Test book", publication_place=place)
    html = client.get(f"/{language}/records/{record.identifier}/").content.decode()
    assert f"<dd{marked}>{place}</dd>" in html


def test_the_catalogue_s_other_wordings_are_read_in_the_language_their_letters_say(client):
    record = titled("Test book", container_title="Тестовый вестник", edition="2-е изд.", extent="120 с.",
                    description_source="テスト目録")
    html = client.get(f"/en/records/{record.identifier}/").content.decode()
    assert '<span lang="ru">Тестовый вестник</span>' in html
    assert '<dd lang="ru">2-е изд.</dd>' in html
    assert '<dd lang="ru">120 с.</dd>' in html
    assert '<span lang="ja">テスト目録</span>' in html
    # In the page's own language, <html lang> says it.
    assert '<dd>120 с.</dd>' in client.get(f"/ru/records/{record.identifier}/").content.decode()


def test_title_terms_start_with_a_capital_and_name_our_translation_once(client):
    record = titled("Тестовое заглавие", "ru", description_source="Test bibliography, p. 3")
    add_title(record, "Test title", "en", form=LabelForm.TRANSLATION, our_translation=True)
    html = client.get(f"/ru/records/{record.identifier}/").content.decode()
    terms = [re.sub(r"<[^>]+>", "", term) for term in re.findall(r"<dt>(.*?)</dt>", html.split('class="titles"')[1]
                                                                 .split("</dl>")[0])]
    # Russian writes language names in lower case, but a term opens with a capital; "translation · our
    # translation" said the same twice.
    assert terms == ["Русский · оригинал", "Английский · наш перевод"]
    assert ">English</span> · our translation</dt>" in client.get(f"/en/records/{record.identifier}/").content.decode()
    # The source is catalogued as written, in no language the page knows.
    assert '<span lang="">Test bibliography, p. 3</span>' in html



@pytest.mark.parametrize("language", ["ja", "ru", "en"])
def test_the_kind_and_the_resource_type_are_told_apart(client, language):
    # 種別 beside 資料種別 read as the same thing said twice.
    record = titled("Test book", resource_type="book")
    shown = dict(metadata(client, record, language))
    kind = next(term for term, value in shown.items() if value in ("document", "文書", "документ"))
    resource_type = next(term for term, value in shown.items() if value in ("book", "図書", "книга"))
    assert kind not in resource_type and resource_type not in kind
    if language == "ja":
        assert (kind, resource_type) == ("区分", "資料種別")
