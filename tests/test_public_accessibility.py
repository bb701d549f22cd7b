"""Public pages say the language of every title and name, name languages in words, and group what belongs together."""

import re

import pytest

from collection.models import AgentKind, AgentName, AgentRole, LabelForm, Language, PlaceKind, PlaceName

from .accessibility import accessible_name, description, group_name, page_tree, spoken_text, structure_problems
from .factories import AgentFactory, PlaceFactory, SubjectFactory, add_title, link_agent, reindex, titled
from .test_public_pages_edges import write_mo

pytestmark = pytest.mark.django_db

RUSSIAN_TITLE = "О приеме тестовых военнопленных"


@pytest.fixture
def russian_record():
    record = titled(RUSSIAN_TITLE, "ru", identifier="doc-ru")
    add_title(record, "O prieme testovykh voennoplennykh", "ru-Latn", form=LabelForm.ROMANIZATION, machine_made=True)
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
    assert '<dd lang="ru-Latn">O prieme testovykh voennoplennykh</dd>' in titles


def test_authority_names_name_their_language_and_mark_variants(client, russian_record):
    names = element(html_of(client, "/ja/places/test-ussr/"), r'<ul class="names">.*?</ul>')
    assert "(en ·" not in names
    items = re.findall(r"<li>.*?</li>", names)
    soviet = next(item for item in items if "Soviet Union" in item)
    ussr = next(item for item in items if "USSR" in item)
    assert '<span class="name-language" title="en">英語</span> · 原表記）' in soviet and "異形" not in soviet
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


# --- 4. what a screen reader navigates by, on every kind of public page ---------------------------

SEEDED_PAGES = [
    ("/{language}/", 200),
    ("/{language}/records/", 200),
    ("/{language}/records/?place=place-soviet-union&kind=document&page_size=2&page=2", 200),
    ("/{language}/records/?year_from=19x0&sort=bogus", 400),
    ("/{language}/records/?q=%E6%8A%91%E7%95%99&kind=memoir", 200),  # no record matches
    ("/{language}/records/doc-gko-9898/", 200),
    ("/{language}/places/place-soviet-union/", 200),
    ("/{language}/subjects/subject-pow-labor/", 200),
    ("/{language}/agents/agent-gapk/", 200),
    ("/{language}/records/test-no-such-record/", 404),
    ("/{language}/records/doc-bondarenko-2002/", 410),
]


@pytest.mark.parametrize("language", ["ja", "ru", "en"])
def test_every_public_page_can_be_found_your_way_around_by_headings_landmarks_and_labels(
        client, seeded, bob, language):
    from collection.models import Record

    Record.objects.get(identifier="doc-bondarenko-2002").withdraw(bob, "Test reason.")
    for url, status in SEEDED_PAGES:
        url = url.format(language=language)
        assert structure_problems(page_tree(client, url, status), language) == [], url


# --- 5. facets, forms and their problems, as a screen reader reads them ---------------------------


@pytest.fixture
def counted(russian_record):
    """Facet values finding one, two and five records: each plural form of Russian."""
    for number in range(2):
        titled(f"Test memoir {number}", kind="memoir", date_edtf="1950")
    for number in range(5):
        titled(f"Test document {number}", date_edtf="1960")
    return russian_record


def facet_link(tree, facet, label):
    links = tree.xpath(f"//section[@data-facet='{facet}']//a[contains(@class, 'facet-value')]")
    return next(link for link in links if link.find_class("label")[0].text_content() == label)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {("place", "Soviet Union"): "Soviet Union, 1 record", ("decade", "1950s"): "1950s, 2 records"}),
    ("ja", {("place", "Soviet Union"): "Soviet Union、1件", ("decade", "1950年代"): "1950年代、2件"}),
    ("ru", {("place", "Soviet Union"): "Soviet Union, 1 запись", ("decade", "1950-е"): "1950-е, 2 записи",
            ("decade", "1960-е"): "1960-е, 5 записей"}),
])
def test_a_facet_value_is_read_as_its_name_and_how_many_records_it_finds(client, counted, language, expected):
    tree = page_tree(client, f"/{language}/records/")
    for (facet, label), name in expected.items():
        link = facet_link(tree, facet, label)
        assert accessible_name(link) == name
        assert link.get("aria-current") is None
    # The figure shown stays as it is; a chosen value says so.
    chosen = page_tree(client, f"/{language}/records/?decade=1950")
    link = facet_link(chosen, "decade", next(label for facet, label in expected if facet == "decade"))
    assert link.find_class("count")[0].text == "2"
    assert link.get("aria-current") == "true"
    assert accessible_name(link).startswith(expected[("decade", link.find_class("label")[0].text)] + " (")


@pytest.mark.parametrize(("language", "years", "from_label", "not_a_number", "backwards"), [
    ("en", "Years", "From", "Enter a whole number.", "“To year” (1990) is earlier than “From year” (2000)."),
    ("ja", "年の範囲", "開始年", "整数を入力してください。", None),
    ("ru", "Годы", "С", None, None),
])
def test_the_years_are_one_named_group_and_a_year_not_understood_is_said_at_its_field(
        client, russian_record, language, years, from_label, not_a_number, backwards):
    tree = page_tree(client, f"/{language}/records/?year_from=19x0&year_to=1990", 400)
    year_from, year_to = tree.get_element_by_id("year_from"), tree.get_element_by_id("year_to")
    assert group_name(year_from) == group_name(year_to) == years
    assert accessible_name(year_from) == from_label
    assert year_from.get("aria-invalid") == "true"
    summary = spoken_text(tree.find_class("errors")[0])
    assert description(year_from) and description(year_from) in summary  # the message the summary gives
    if not_a_number:
        assert description(year_from) == not_a_number
    assert year_to.get("aria-invalid") is None and year_to.get("aria-describedby") is None  # 1990 was applied
    tree = page_tree(client, f"/{language}/records/?year_from=2000&year_to=1990", 400)
    year_from, year_to = tree.get_element_by_id("year_from"), tree.get_element_by_id("year_to")
    assert year_to.get("aria-invalid") == "true" and description(year_to) in spoken_text(tree.find_class("errors")[0])
    if backwards:
        assert description(year_to) == backwards
    assert year_from.get("aria-invalid") is None


def test_a_problem_with_the_search_or_the_order_is_said_at_the_search_box_and_the_sort_menu(client, russian_record):
    words = " ".join(f"word{number}" for number in range(14))
    tree = page_tree(client, f"/en/records/?q={words}&sort=bogus")
    search = tree.get_element_by_id("q")
    assert description(search).startswith("Only the first 12 words were searched. Finds the records holding")
    assert search.get("aria-invalid") is None  # the search was made, with its first words
    assert description(tree.get_element_by_id("sort")) == "“bogus” is not one of the choices."
    # Without a problem, the search box is described by its hint alone and the menu by nothing.
    tree = page_tree(client, "/en/records/?q=word")
    assert tree.get_element_by_id("q").get("aria-describedby") == "search-hint"
    assert tree.get_element_by_id("sort").get("aria-describedby") is None


# --- 6. a search is read in the language of its letters -------------------------------------------


def marked_words(element):
    return [(span.get("lang"), span.text) for span in element.iter("span") if span.get("lang") is not None]


@pytest.mark.parametrize(("url", "marked"), [
    ("/en/records/?q=военнопленных", [("ru", "военнопленных")]),
    ("/ru/records/?q=%E6%8A%91%E7%95%99%E3%81%AE%E8%A8%98%E9%8C%B2", [("ja", "抑留の記録")]),
    ("/ja/records/?q=военнопленных", [("ru", "военнопленных")]),
    ("/ru/records/?q=военнопленных", []),  # the page's own language
    ("/ja/records/?q=yokuryu", []),  # English, or a romanization: the letters do not say
    ("/en/records/?q=%E6%8A%91%E7%95%99+POW", []),  # two scripts
])
def test_the_search_named_under_the_heading_is_marked_with_the_language_of_its_letters(
        client, russian_record, url, marked):
    state = page_tree(client, url).find_class("browse-state")[0]
    assert marked_words(state) == marked


def test_the_offer_to_search_without_the_filters_marks_the_search_too(client, russian_record):
    tree = page_tree(client, "/en/records/?q=%E6%8A%91%E7%95%99&kind=memoir")
    offer = tree.find_class("no-results")[0].find(".//a")
    assert spoken_text(offer) == "Search all records for “抑留”, without the filters"
    assert marked_words(offer) == [("ja", "抑留")]


@pytest.mark.parametrize(("text", "language"), [
    ("抑留", "ja"), ("シベリア抑留記 1945", "ja"), ("ひらがな・カタカナ", "ja"), ("Приморье", "ru"),
    ("«Военнопленные» 1945", "ru"), ("yokuryū", ""), ("抑留 POW", ""), ("1945", ""), ("", ""),
])
def test_the_language_a_texts_letters_say(text, language):
    from collection.text import script_language

    assert script_language(text) == language


@pytest.mark.parametrize(("language", "pause", "kind", "date", "names"), [
    ("en", ",", "document", "undated", "Иванов Иван; Издательство 1"),
    ("ja", "、", "文書", "日付なし", "Иванов Иван、Издательство 1"),
])
def test_a_result_is_heard_in_parts_not_run_together(client, russian_record, language, pause, kind, date, names):
    tree = page_tree(client, f"/{language}/records/")
    (result,) = tree.find_class("record")
    title, *rest = re.split(rf"\s*{pause}\s*", spoken_text(result))
    assert [title, *rest[:2]] == [RUSSIAN_TITLE, kind, date]
    assert pause.join(rest[2:]).startswith(names)


def test_a_records_descriptions_come_under_a_heading_of_their_own(client, russian_record):
    russian_record.descriptions.create(language="ru", text="Тестовое описание документа.")
    tree = page_tree(client, "/ja/records/doc-ru/")
    (heading,) = [h for h in tree.iter("h2") if h.get("id") == "description-heading"]
    (section,) = tree.find_class("description")
    assert accessible_name(section) == spoken_text(heading) != ""
    assert section.get("lang") == "ru" and "Тестовое описание" in spoken_text(section)
    assert structure_problems(tree, "ja") == []
    russian_record.descriptions.all().delete()
    no_descriptions = page_tree(client, "/ja/records/doc-ru/")
    assert not [h for h in no_descriptions.iter("h2") if h.get("id") == "description-heading"]
