"""A list of places or subjects on a public page is punctuated as the page's language lists things: a Japanese
page with 「、」 (as its list of languages already was), a Russian or English one with a comma."""

import pytest

from collection.models import PlaceKind
from tests.factories import PlaceFactory, SubjectFactory, reindex, titled

pytestmark = pytest.mark.django_db

SEPARATORS = [("ja", "、"), ("ru", ", "), ("en", ", ")]


@pytest.fixture
def catalogued():
    region = PlaceFactory(identifier="test-region", kind=PlaceKind.REGION, name="テスト地方", name__language="ja")
    first = PlaceFactory(identifier="test-first", parent=region, name="テスト第一村", name__language="ja")
    second = PlaceFactory(identifier="test-second", parent=region, name="テスト第二村", name__language="ja")
    broad = SubjectFactory(identifier="test-broad", label="テスト広義", label__language="ja")
    narrow_a = SubjectFactory(identifier="test-narrow-a", broader=broad, label="テスト狭義一", label__language="ja")
    narrow_b = SubjectFactory(identifier="test-narrow-b", broader=broad, label="テスト狭義二", label__language="ja")
    record = titled("Test record", identifier="doc-test-separators")
    record.places.add(first, second)
    record.subjects.add(broad, narrow_a, narrow_b)
    reindex(record)


def joined(language, separator, *links):
    # The names are Japanese: marked so on a page in another language.
    lang = "" if language == "ja" else ' lang="ja"'
    return separator.join(f'<a href="{href}"{lang}>{text}</a>' for href, text in links)


@pytest.mark.parametrize(("language", "separator"), SEPARATORS)
def test_the_places_within_a_region(client, catalogued, language, separator):
    page = client.get(f"/{language}/places/test-region/").content.decode()
    assert joined(language, separator, (f"/{language}/places/test-first/", "テスト第一村"),
                  (f"/{language}/places/test-second/", "テスト第二村")) in page


@pytest.mark.parametrize(("language", "separator"), SEPARATORS)
def test_the_narrower_subjects(client, catalogued, language, separator):
    page = client.get(f"/{language}/subjects/test-broad/").content.decode()
    assert joined(language, separator, (f"/{language}/subjects/test-narrow-a/", "テスト狭義一"),
                  (f"/{language}/subjects/test-narrow-b/", "テスト狭義二")) in page


@pytest.mark.parametrize(("language", "separator"), SEPARATORS)
def test_a_records_places_and_subjects(client, catalogued, language, separator):
    page = client.get(f"/{language}/records/doc-test-separators/").content.decode()
    assert joined(language, separator, (f"/{language}/places/test-first/", "テスト第一村"),
                  (f"/{language}/places/test-second/", "テスト第二村")) in page
    assert joined(language, separator, (f"/{language}/subjects/test-narrow-a/", "テスト狭義一"),
                  (f"/{language}/subjects/test-narrow-b/", "テスト狭義二")) in page
