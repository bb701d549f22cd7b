"""Public pages say the language of every title and name, name languages in words, and group what belongs together."""

import re

import pytest

from collection.models import AgentKind, AgentName, AgentRole, LabelForm, Language, PlaceKind, PlaceName

from .factories import AgentFactory, PlaceFactory, SubjectFactory, add_title, link_agent, reindex, titled
from .test_public_pages_edges import write_mo

pytestmark = pytest.mark.django_db

RUSSIAN_TITLE = "О приеме военнопленных"


@pytest.fixture
def russian_record():
    record = titled(RUSSIAN_TITLE, "ru", identifier="doc-ru")
    add_title(record, "O prieme voennoplennykh", "ru-Latn", form=LabelForm.ROMANIZATION, machine_made=True)
    record.languages.add(Language.objects.get_or_create(tag="ru")[0], Language.objects.get_or_create(tag="x-test")[0])
    author = AgentFactory(name="Иванов Иван", name__language="ru", identifier="test-ivanov")
    link_agent(record, author)
    for number in (1, 2):
        link_agent(record, AgentFactory(name=f"Издательство {number}", name__language="ru",
                                        kind=AgentKind.ORGANISATION, identifier=f"test-press-{number}"),
                   role=AgentRole.PUBLISHER)
    union = PlaceFactory(name="Soviet Union", kind=PlaceKind.COUNTRY, identifier="test-ussr")
    PlaceName.objects.create(place=union, language="en", text="USSR", preferred=False)
    record.places.add(union)
    record.subjects.add(SubjectFactory(label="Военнопленные", label__language="ru", identifier="test-pows"))
    reindex(record)
    return record


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def element(html, pattern):
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(0)


# --- 1. every title and name in another script says its language ---------------------------------


def test_record_heading_and_names_carry_their_language(client, russian_record):
    page = html_of(client, "/ja/records/doc-ru/")
    assert '<html lang="ja">' in page
    assert f'<h1 lang="ru">{RUSSIAN_TITLE}</h1>' in page
    assert re.search(r'<a href="/ja/agents/test-ivanov/" lang="ru">Иванов Иван</a>', page)
    assert re.search(r'<a href="/ja/places/test-ussr/" lang="en">Soviet Union</a>', page)
    assert re.search(r'<a href="/ja/subjects/test-pows/" lang="ru">Военнопленные</a>', page)
    # In its own language the page says nothing more than <html lang> does.
    assert f"<h1>{RUSSIAN_TITLE}</h1>" in html_of(client, "/ru/records/doc-ru/")


def test_result_list_titles_agents_and_facet_values_carry_their_language(client, russian_record):
    page = html_of(client, "/ja/records/")
    assert re.search(rf'<a href="/ja/records/doc-ru/" lang="ru">{RUSSIAN_TITLE}</a>', page)
    assert '<span lang="ru">Иванов Иван</span>' in page
    for label, tag in (("Иванов Иван", "ru"), ("Soviet Union", "en"), ("Военнопленные", "ru")):
        assert f'<span class="label" lang="{tag}">{label}</span>' in page, label
    # Values in the page's own language (kinds, decades, languages by name) need none.
    assert '<span class="label">' in page
    english = html_of(client, "/en/records/")
    assert '<span class="label">Soviet Union</span>' in english
    assert '<span class="label" lang="ru">Военнопленные</span>' in english


def test_authority_pages_heading_and_names_carry_their_language(client, russian_record):
    page = html_of(client, "/ja/places/test-ussr/")
    assert '<header class="entry-heading" lang="en"><h1>Soviet Union</h1></header>' in page
    assert '<span class="name" lang="en">USSR</span>' in page
    person = html_of(client, "/ja/agents/test-ivanov/")
    assert '<header class="entry-heading" lang="ru"><h1>Иванов Иван</h1></header>' in person
    # The record listed there: its title in its language too.
    assert f'lang="ru">{RUSSIAN_TITLE}</a>' in person


# --- 2. the languages of the material ------------------------------------------------------------


def test_record_page_names_the_languages_of_the_material(client, russian_record):
    english = element(html_of(client, "/en/records/doc-ru/"), r'<dd class="languages">.*?</dd>')
    assert 'title="ru">Russian</a>' in english
    assert 'title="x-test">x-test</a>' in english  # no name known: the tag
    assert 'href="/en/records/?language=ru"' in english
    japanese = html_of(client, "/ja/records/doc-ru/")
    assert "<dt>資料の言語</dt>" in japanese
    assert 'title="ru">ロシア語</a>' in element(japanese, r'<dd class="languages">.*?</dd>')


# --- 3. languages by name, variants marked, roles grouped, "Names" for persons ------------------


def test_title_forms_name_their_language_not_its_tag(client, russian_record):
    titles = element(html_of(client, "/ja/records/doc-ru/"), r'<dl class="titles">.*?</dl>')
    assert "ru-Latn ·" not in titles and "ru ·" not in titles
    assert '<span class="title-language" title="ru-Latn">ロシア語</span> · ラテン文字表記 · 自動生成' in titles
    assert '<span class="title-language" title="ru">ロシア語</span> · 原表記' in titles
    assert '<dd lang="ru-Latn">O prieme voennoplennykh</dd>' in titles


def test_authority_names_name_their_language_and_mark_variants(client, russian_record):
    names = element(html_of(client, "/ja/places/test-ussr/"), r'<ul class="names">.*?</ul>')
    assert "(en ·" not in names
    items = re.findall(r"<li>.*?</li>", names)
    soviet = next(item for item in items if "Soviet Union" in item)
    ussr = next(item for item in items if "USSR" in item)
    assert '<span class="name-language" title="en">英語</span> · 原表記)' in soviet and "異形" not in soviet
    assert '<span class="variant">異形</span>' in ussr


def test_agents_in_one_role_share_one_heading(client, russian_record):
    page = html_of(client, "/ru/records/doc-ru/")
    assert page.count("<dt>Издатели</dt>") == 1  # the plural over two, the singular over one
    group = element(page, r"<dt>Издатели</dt>(<dd>.*?</dd>)+")
    assert "Издательство 1" in group and "Издательство 2" in group
    assert page.count("<dt>Автор</dt>") == 1
    english = html_of(client, "/en/records/doc-ru/")
    assert "<dt>Publishers</dt>" in english and "<dt>Author</dt>" in english


NAMES = {
    "ru": {("names of a person", "Names"): "Имена",
           ("names of an organisation, a place or a subject", "Names"): "Названия"},
    "ja": {("names of a person", "Names"): "名前",
           ("names of an organisation, a place or a subject", "Names"): "名称"},
}


@pytest.fixture
def names_translated(settings, tmp_path):
    for language, messages in NAMES.items():
        write_mo(tmp_path / "locale" / language / "LC_MESSAGES" / "django.mo", language, messages)
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]


def test_a_persons_names_are_not_called_titles(client, russian_record, names_translated):
    AgentName.objects.create(agent=russian_record.agent_links.get(role="author").agent, language="ru-Latn",
                             text="Ivanov Ivan", form=LabelForm.ROMANIZATION)
    assert "<h2>Имена</h2>" in html_of(client, "/ru/agents/test-ivanov/")
    assert "<h2>Названия</h2>" in html_of(client, "/ru/agents/test-press-1/")  # an organisation
    assert "<h2>Названия</h2>" in html_of(client, "/ru/places/test-ussr/")
    assert "<h2>Названия</h2>" in html_of(client, "/ru/subjects/test-pows/")


def test_a_language_is_named_in_the_language_asked_for_else_by_its_tag():
    from collection.text import language_name

    assert language_name("ru", "en") == "Russian"
    assert language_name("ru", "ja") == "ロシア語"
    assert language_name("ja", "ru").lower() == "японский"
    assert language_name("qqq-not-a-tag!", "en") == "qqq-not-a-tag!"
    assert language_name("", "en") == ""


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Finds the records holding every word"), ("ja", "すべての語を含む資料"), ("ru", "все слова запроса")])
@pytest.mark.parametrize("url", ["/{language}/", "/{language}/records/"])
def test_the_search_box_says_how_search_works_in_the_page_language(client, language, words, url):
    html = html_of(client, url.format(language=language))
    box = re.search(r'<input id="q"[^>]*>', html).group()
    assert 'aria-describedby="search-hint"' in box
    hint = re.search(r'<p id="search-hint"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert words in hint
    assert '<span lang="ja">抑留</span>' in hint and '<span lang="ru">Приморье</span>' in hint
