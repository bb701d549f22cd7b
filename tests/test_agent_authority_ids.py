"""An agent's VIAF, NDL and Wikidata ids become links on its public page: a value that is no such id (a pasted
address, a typo) is refused beside its field in the admin and in its column of an agents sheet."""

import pytest
from django.urls import reverse

from collection.catalogue.vocabulary import write_vocabulary
from collection.models import Agent

from .catalogue_rows import numbered

pytestmark = pytest.mark.django_db


def added(admin_client, language="en", **ids):
    data = {"identifier": "agent-test", "kind": "person", "date_edtf": "", "date_display": "", "viaf": "",
            "ndl": "", "wikidata": "", "isil": "", "notes": "", **ids,
            "names-TOTAL_FORMS": "1", "names-INITIAL_FORMS": "0",
            "names-0-language": "en", "names-0-text": "Test Agent", "names-0-family": "", "names-0-given": "",
            "names-0-form": "original", "names-0-preferred": "on", "names-0-source": ""}
    return admin_client.post(reverse("admin:collection_agent_add"), data, headers={"accept-language": language})


@pytest.mark.parametrize(("field", "value"), [
    ("viaf", "abc"), ("viaf", "https://viaf.org/viaf/123456789/"), ("viaf", "123 456"),
    ("ndl", "x1"), ("ndl", "https://id.ndl.go.jp/auth/ndlna/00000001"),
    ("wikidata", "Z5"), ("wikidata", "4115189"), ("wikidata", "https://www.wikidata.org/wiki/Q4115189"),
])
def test_the_admin_refuses_a_value_that_is_no_such_id_beside_its_field(admin_client, field, value):
    response = added(admin_client, **{field: value})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field] and f"“{value}”" in errors[field][0]
    assert not Agent.objects.exists()


def test_the_message_is_in_the_admins_language(admin_client):
    [message] = added(admin_client, language="ja", wikidata="Z5").context["adminform"].form.errors["wikidata"]
    assert "「Z5」" in message


def test_ids_as_the_authority_files_write_them_are_kept(admin_client):
    assert added(admin_client, viaf="123456789", ndl="00000001", wikidata="Q4115189").status_code == 302
    agent = Agent.objects.get()
    assert (agent.viaf, agent.ndl, agent.wikidata) == ("123456789", "00000001", "Q4115189")


@pytest.mark.parametrize(("column", "value"), [("viaf", "abc"), ("ndl", "x1"), ("wikidata", "Z5")])
def test_an_agents_sheet_names_the_column_at_fault(column, value):
    result = write_vocabulary("agents", numbered({"identifier": "agent-test", "name_en": "Test Agent", column: value}))
    assert [(error.row, error.column) for error in result.errors] == [(2, column)]
    assert not Agent.objects.exists()
