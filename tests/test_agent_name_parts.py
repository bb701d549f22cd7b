"""An agent's family and given names split its name as written: citations print the parts, so a part the name
does not hold (a typo typed once) is refused beside it in the admin, as a sheet's name_parts are."""

import pytest
from django.urls import reverse

from collection.models import Agent, AgentName

from .factories import AgentFactory
from .test_authority_concurrency import change_url, opened

pytestmark = pytest.mark.django_db


def added(admin_client, family, given, language="en"):
    data = {"identifier": "agent-test", "kind": "person", "date_edtf": "", "date_display": "", "viaf": "",
            "ndl": "", "wikidata": "", "isil": "", "notes": "",
            "names-TOTAL_FORMS": "1", "names-INITIAL_FORMS": "0",
            "names-0-language": "en", "names-0-text": "Ivan Testov", "names-0-family": family,
            "names-0-given": given, "names-0-form": "original", "names-0-preferred": "on", "names-0-source": ""}
    return admin_client.post(reverse("admin:collection_agent_add"), data, headers={"accept-language": language})


def row_errors(response):
    [inline] = response.context["inline_admin_formsets"]
    return inline.formset.forms[0].errors


@pytest.mark.parametrize(("family", "given", "field"), [("Testova", "Ivan", "family"), ("Testov", "Ivn", "given")])
def test_a_part_the_name_does_not_hold_is_refused_beside_it(admin_client, family, given, field):
    response = added(admin_client, family, given)
    assert response.status_code == 200
    errors = row_errors(response)
    assert list(errors) == [field]
    assert f"“{family if field == 'family' else given}”" in errors[field][0] and "“Ivan Testov”" in errors[field][0]
    assert not Agent.objects.exists()


def test_the_message_is_in_the_admins_language(admin_client):
    [message] = row_errors(added(admin_client, "Testova", "Ivan", language="ru"))["family"]
    assert "«Testova»" in message and "«Ivan Testov»" in message


def test_parts_the_name_holds_are_kept(admin_client):
    assert added(admin_client, "Testov", "Ivan").status_code == 302
    name = AgentName.objects.get(agent__identifier="agent-test", language="en")
    assert (name.family, name.given) == ("Testov", "Ivan")


def test_an_agent_whose_stored_parts_predate_the_check_is_saved_with_other_changes(admin_client):
    agent = AgentFactory(name="Ivan Testov")
    AgentName.objects.filter(agent=agent).update(family="Testova")
    data = {**opened(admin_client, agent), "notes": "Test note"}
    assert admin_client.post(change_url(agent), data).status_code == 302
    assert Agent.objects.get(pk=agent.pk).notes == "Test note"
