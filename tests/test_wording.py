"""Wording a Japanese or Russian reader of the public pages would stumble on, as the shipped catalogues have it."""

import re

import pytest
from django.utils import translation

from collection.models import AgentName, AgentRole, LabelForm

from .factories import AgentFactory, add_title, link_agent, titled

pytestmark = pytest.mark.django_db


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def form_of(html, tag):
    """The form a title or name in ``tag`` is said to be in, after its language's name."""
    match = re.search(rf'title="{re.escape(tag)}">[^<]*</span> · ([^<·)]+?)(?: ·|\)|</dt>)', html)
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
        assert re.search(rf"Тестов Иван(</span>)? \({role}\)", page_of(client, url)), url
    with translation.override(language):
        assert str(AgentRole.SUBJECT.label) == role
        assert dict(AgentRole.choices)["subject"] == role
