"""The search box of the agents', places' and subjects' lists, and the autocomplete that chooses them on a
record's form, find an entry by any name as the public search reads it: in any letter case on every database,
ё as е, a katakana name typed in hiragana, a Russian name in Latin letters."""

import pytest
from django.urls import reverse

from collection.models import AgentName, PlaceName, SubjectLabel

from .factories import AgentFactory, PlaceFactory, SubjectFactory
from .test_admin import record_form_autocomplete

pytestmark = pytest.mark.django_db


def listed(client, model, term):
    page = client.get(reverse(f"admin:collection_{model}_changelist"), {"q": term})
    assert page.status_code == 200
    return [entry.identifier for entry in page.context["cl"].result_list]


@pytest.fixture
def entries():
    place = PlaceFactory(identifier="place-test", name="Тестовая область", name__language="ru")
    PlaceName.objects.create(place=place, language="ja", text="テスト州")
    PlaceFactory(identifier="place-other", name="Other Test Place")
    agent = AgentFactory(identifier="agent-test", name="Тестов, Пётр", name__language="ru")
    AgentName.objects.create(agent=agent, language="ja", text="テストフ・ピョートル")
    AgentFactory(identifier="agent-other", name="Other Test Agent")
    subject = SubjectFactory(identifier="subject-test", label="лагерные тесты", label__language="ru")
    SubjectLabel.objects.create(subject=subject, language="ja", text="テスト収容所")
    SubjectFactory(identifier="subject-other", label="Other Test Subject")


@pytest.mark.parametrize("term", ["тестовая", "ТЕСТОВАЯ ОБЛАСТЬ", "testovaya", "てすと州"])
def test_the_places_list_finds_a_place_by_any_spelling_of_its_name(admin_client, entries, term):
    assert listed(admin_client, "place", term) == ["place-test"]


@pytest.mark.parametrize("term", ["петр", "ПЁТР", "тестов", "Testov", "ぴょーとる"])
def test_the_agents_list_finds_an_agent_by_any_spelling_of_its_name(admin_client, entries, term):
    assert listed(admin_client, "agent", term) == ["agent-test"]


@pytest.mark.parametrize("term", ["Лагерные", "lagernye", "てすと"])
def test_the_subjects_list_finds_a_subject_by_any_spelling_of_its_label(admin_client, entries, term):
    assert listed(admin_client, "subject", term) == ["subject-test"]


def test_the_lists_still_find_an_entry_by_its_identifier(admin_client, entries):
    assert listed(admin_client, "place", "place-other") == ["place-other"]


def test_the_record_forms_choices_find_entries_in_any_letter_case(admin_client, entries):
    assert record_form_autocomplete(admin_client, "places", "тестовая") == ["テスト州 (place-test)"]
    assert record_form_autocomplete(admin_client, "subjects", "ЛАГЕРНЫЕ") == ["テスト収容所 (subject-test)"]
