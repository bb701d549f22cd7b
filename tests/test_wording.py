"""Wording a Japanese or Russian reader of the public pages would stumble on, as the shipped catalogues have it."""

import re

import pytest
from django.utils import translation

from collection.citations import formatted_citation
from collection.models import AgentName, AgentRole, LabelForm, LevelOfDescription, ResourceType

from .factories import AgentFactory, add_title, link_agent, titled

pytestmark = pytest.mark.django_db


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def form_of(html, tag):
    """The form a title or name in ``tag`` is said to be in, after its language's name."""
    match = re.search(rf'title="{re.escape(tag)}">[^<]*</span> · ([^<·)）]+?)(?: ·|\)|）|</dt>)', html)
    assert match, tag
    return match.group(1)


# --- romanized Japanese is ローマ字, a Russian text in Latin letters is not ----------------------------------


@pytest.fixture
def romanized_record():
    record = titled("テスト抑留記", "ja", identifier="doc-romanized")
    add_title(record, "Tesuto yokuryūki", "ja-Latn", form=LabelForm.ROMANIZATION)
    add_title(record, "Тестовые воспоминания", "ru", form=LabelForm.TRANSLATION)
    add_title(record, "Testovye vospominaniia", "ru-Latn", form=LabelForm.ROMANIZATION)
    return record


@pytest.mark.parametrize(("language", "japanese", "russian"), [
    ("ja", "ローマ字表記", "ラテン文字表記"),
    ("ru", "ромадзи", "транслитерация латиницей"),
    ("en", "romanization", "romanization"),
])
def test_a_romanization_is_named_by_the_language_it_romanizes(client, romanized_record, language, japanese,
                                                              russian):
    titles = re.search(r'<dl class="titles">.*?</dl>', page_of(client, f"/{language}/records/doc-romanized/"),
                       re.S).group(0)
    assert form_of(titles, "ja-Latn") == japanese
    assert form_of(titles, "ru-Latn") == russian


@pytest.mark.parametrize(("language", "japanese", "russian"), [
    ("ja", "ローマ字表記", "ラテン文字表記"),
    ("ru", "ромадзи", "транслитерация латиницей"),
])
def test_a_romanized_name_is_named_by_its_language_too(client, language, japanese, russian):
    agent = AgentFactory(name="テスト太郎", name__language="ja", identifier="test-romanized-names")
    AgentName.objects.create(agent=agent, language="ja-Latn", text="Tesuto Tarō", form=LabelForm.ROMANIZATION)
    AgentName.objects.create(agent=agent, language="ru", text="Тесуто Таро", form=LabelForm.TRANSCRIPTION)
    AgentName.objects.create(agent=agent, language="ru-Latn", text="Tesuto Taro", form=LabelForm.ROMANIZATION)
    link_agent(titled("テスト手記"), agent)  # an agent of no published record has no page
    names = page_of(client, f"/{language}/agents/test-romanized-names/")
    assert form_of(names, "ja-Latn") == japanese
    assert form_of(names, "ru-Latn") == russian


# --- a person a record is about is not its topic ------------------------------------------------------------


@pytest.fixture
def record_about_people():
    record = titled("Тестовое личное дело", "ru", identifier="doc-about-people")
    link_agent(record, AgentFactory(name="Тестов Иван", name__language="ru", identifier="test-about-one"),
               role=AgentRole.SUBJECT)
    return record


@pytest.mark.parametrize(("language", "one", "several"), [
    ("ru", "Персоналия", "Персоналии"),
    ("ja", "被記述者", "被記述者"),
    ("en", "Subject", "Subjects"),
])
def test_the_people_a_record_is_about_are_named_as_a_cataloguer_would(client, record_about_people, language, one,
                                                                        several):
    url = f"/{language}/records/doc-about-people/"
    assert f"<dt>{one}</dt>" in page_of(client, url)
    link_agent(record_about_people, AgentFactory(name="Тестова Анна", name__language="ru"), role=AgentRole.SUBJECT)
    page = page_of(client, url)
    assert f"<dt>{several}</dt>" in page
    for topic in ("Тема", "Темы", "主題"):
        assert f"<dt>{topic}</dt>" not in page


@pytest.mark.parametrize(("language", "role"), [("ru", "персоналия"), ("ja", "被記述者")])
def test_lists_and_the_admin_say_the_same_of_the_people_a_record_is_about(client, record_about_people, language,
                                                                          role):
    for url in (f"/{language}/records/", f"/{language}/agents/test-about-one/"):
        aside = rf"（{role}）" if language == "ja" else rf" \({role}\)"  # Japanese sets an aside in full-width
        assert re.search(rf"Тестов Иван(</span>)?{aside}", page_of(client, url)), url
    with translation.override(language):
        assert str(AgentRole.SUBJECT.label) == role
        assert dict(AgentRole.choices)["subject"] == role


# --- citations word dates and numbers as the page and the language do ---------------------------------------

STYLES = ["chicago-author-date", "apa"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("language", "in_words", "cited"), [
    ("ja", "1950年頃", "1950年頃"),
    ("ru", "ок. 1950", "ок. 1950"),
    ("en", "circa 1950", "ca. 1950"),
])
def test_an_approximate_date_is_cited_as_the_page_words_it(client, style, language, in_words, cited):
    record = titled("Test approximate", resource_type=ResourceType.BOOK, date_edtf="1950~",
                    identifier="doc-approximate")
    html = page_of(client, f"/{language}/records/doc-approximate/")
    assert f"<dt>{DATE[language]}</dt><dd>{in_words}" in html
    citation = formatted_citation(record, style, language)
    assert cited in citation, citation
    assert "およそ" not in citation and "頃 1950" not in citation


DATE = {"ja": "日付", "ru": "Дата", "en": "Date"}


@pytest.mark.parametrize(("edtf", "in_words"), [
    ("1945-08~", "ок. августа 1945 г."), ("1946-21~", "ок. весны 1946"), ("195X~", "ок. 1950-х"),
    ("1945-08%", "ок. августа 1945 г. (?)"), ("1945-08", "август 1945 г."),
])
def test_what_follows_circa_is_declined_on_a_russian_page(client, edtf, in_words):
    titled("Test approximate", resource_type=ResourceType.BOOK, date_edtf=edtf, identifier="doc-approximate")
    assert f"<dt>Дата</dt><dd>{in_words}" in page_of(client, "/ru/records/doc-approximate/")


@pytest.fixture
def volume_in_a_series():
    series = titled("Тестовая серия", "ru", resource_type=ResourceType.BOOK, level=LevelOfDescription.SERIES)
    return titled("Тестовый том", "ru", resource_type=ResourceType.BOOK, parent=series,
                  level=LevelOfDescription.VOLUME, sequence=2, date_edtf="2005")


@pytest.mark.parametrize(("style", "japanese", "russian"), [
    ("chicago-author-date", ". 第2巻.", ". Т. 2."),
    ("apa", "(第2巻)", "(Т. 2)"),
])
def test_a_volume_number_comes_before_its_counter_in_japanese(volume_in_a_series, style, japanese, russian):
    assert japanese in formatted_citation(volume_in_a_series, style, "ja")
    assert "巻 2" not in formatted_citation(volume_in_a_series, style, "ja")
    assert russian in formatted_citation(volume_in_a_series, style, "ru")
    assert "Vol. 2" in formatted_citation(volume_in_a_series, style, "en")


@pytest.fixture
def chapter():
    return titled("Тестовая глава", "ru", resource_type=ResourceType.BOOK_SECTION, date_edtf="1950",
                  container_title="Тестовый сборник", volume="2", issue="5", pages="3", edition="3")


@pytest.mark.parametrize(("style", "language", "expected"), [
    ("apa", "ja", "(第3版, 第2巻, 第5号, 3頁)"),
    ("apa", "ru", "(3-е изд., Т. 2, № 5, с. 3)"),
    ("apa", "en", "(3rd ed., Vol. 2, Issue 5, p. 3)"),
    # Chicago gives no pages for a chapter in English; Japanese and Russian citations give them, as APA does.
    ("chicago-author-date", "ja", ", 第3版, 第2巻, 3頁. 第5号."),
    ("chicago-author-date", "ru", ", 3-е изд., т. 2, с. 3. № 5."),
    ("chicago-author-date", "en", ", 3rd ed., vol. 2. no. 5."),
])
def test_an_edition_volume_and_issue_are_numbered_as_the_language_writes_them(chapter, style, language,
                                                                             expected):
    citation = formatted_citation(chapter, style, language)
    assert expected in citation, citation


@pytest.mark.parametrize("resource_type", [ResourceType.ARCHIVAL_FILE, ResourceType.MANUSCRIPT])
@pytest.mark.parametrize(("style", "language", "expected"), [
    ("chicago-author-date", "ja", ". 未刊行原稿."),
    ("apa", "ja", "[未刊行原稿]"),
    ("chicago-author-date", "ru", ". Неопубликованная рукопись."),
    ("apa", "ru", "[Неопубликованная рукопись]"),
    ("chicago-author-date", "en", ". Unpublished manuscript."),
])
def test_an_unpublished_document_is_not_called_a_hand_copy_or_in_english(resource_type, style, language,
                                                                        expected):
    record = titled("Тестовое дело", "ru", resource_type=resource_type, date_edtf="1950")
    citation = formatted_citation(record, style, language)
    assert expected in citation, citation
    assert "写本" not in citation and (language == "en" or "anuscript" not in citation)


@pytest.mark.parametrize(("style", "alone", "with_day"), [
    ("apa", "(1950, март)", "(1950, 4 марта)"),
    ("chicago-author-date", "». Март.", "». 4 марта."),
])
def test_a_month_is_in_the_genitive_only_after_its_day(style, alone, with_day):
    def cited(date):
        record = titled("Тестовая заметка", "ru", resource_type=ResourceType.MAGAZINE_ARTICLE, date_edtf=date,
                        container_title="Тестовый журнал")
        return formatted_citation(record, style, "ru")

    assert alone in cited("1950-03") and "марта" not in cited("1950-03")
    assert with_day in cited("1950-03-04")
    assert "(1950, March)" in formatted_citation(
        titled("Test note", resource_type=ResourceType.MAGAZINE_ARTICLE, date_edtf="1950-03"), "apa", "en")


# One of a set, all of a set, an open end and an uncertain year are cited as the page words them: not as a
# range, a bare year or an approximate year.
UNCERTAIN_DATES = [
    ("[1945,1950]", {"en": "1945 or 1950", "ja": "1945年または1950年", "ru": "1945 или 1950"}),
    ("{1945,1950}", {"en": "1945 and 1950", "ja": "1945年と1950年", "ru": "1945 и 1950"}),
    ("1984/..", {"en": "1984 onward", "ja": "1984年以降", "ru": "1984 и позднее"}),
    ("../1950", {"en": "until 1950", "ja": "1950年まで", "ru": "1950 и ранее"}),
    ("1945?", {"en": "1945?", "ja": "1945年？", "ru": "1945 (?)"}),
    ("1945-08?", {"en": "August 1945?", "ja": "1945年8月？", "ru": "август 1945 г. (?)"}),
    ("1946?/1956", {"en": "1946?–1956", "ja": "1946年？～1956年", "ru": "1946 (?)–1956"}),
]
# Both approximate and uncertain: the page's circa, as approximate dates are cited ("ca." in English).
BOTH = ("1945%", {"en": ("circa 1945?", "ca. 1945?"), "ja": ("1945年頃？", "1945年頃？"),
                  "ru": ("ок. 1945 (?)", "ок. 1945?")})


def cited_as(words, language):
    """An uncertain date as cited: Russian's "(?)" of the page would nest in APA's parentheses ("(1945 (?))")."""
    return words.replace(" (?)", "?") if language == "ru" else words


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("language", ["ja", "ru", "en"])
@pytest.mark.parametrize(("edtf", "page_and_cited"), [
    *((edtf, {language: (words, cited_as(words, language)) for language, words in wording.items()})
      for edtf, wording in UNCERTAIN_DATES),
    BOTH,
])
def test_an_uncertain_date_is_cited_as_the_page_words_it(client, style, language, edtf, page_and_cited):
    in_words, cited = page_and_cited[language]
    record = titled("Test uncertain", resource_type=ResourceType.MAGAZINE_ARTICLE, date_edtf=edtf,
                    identifier="doc-uncertain", container_title="Test Monthly")
    assert f"<dt>{DATE[language]}</dt><dd>{in_words}" in page_of(client, f"/{language}/records/doc-uncertain/")
    citation = formatted_citation(record, style, language)
    assert cited in citation and "(?))" not in citation, citation
    # Once: a date-part shown beside the year (a magazine's month and day) does not repeat it.
    assert citation.count(cited) == 1, citation
    assert not re.search(r"1945[–～-]1950|1945\?\.|？\.", citation), citation
    if "%" not in edtf:
        assert not re.search(r"ca\.|頃|ок\.", citation), citation


@pytest.mark.parametrize("language", ["ja", "ru", "en"])
def test_a_certain_or_approximate_date_is_cited_as_before(language):
    cited = {"en": ("1950", "1946–1956", "ca. 1950"), "ja": ("1950年", "1946年–1956年", "1950年頃"),
             "ru": ("1950", "1946–1956", "ок. 1950")}[language]
    for edtf, expected in zip(("1950", "1946/1956", "1950~"), cited, strict=True):
        record = titled("Test certain", resource_type=ResourceType.BOOK, date_edtf=edtf)
        citation = formatted_citation(record, "apa", language)
        assert f"({expected})" in citation, citation
