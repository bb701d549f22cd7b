"""No lost edits on agents, places and subjects: of two people saving one entry from the same page, the second is
refused, as for records."""

import sqlite3
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.forms import CheckboxInput
from django.urls import reverse

from collection.concurrency import StaleRecord
from collection.models import Agent, AgentName, Place, PlaceName, Subject, SubjectLabel

from .factories import AgentFactory, PlaceFactory, SubjectFactory
from .roles import staff_in

pytestmark = pytest.mark.django_db


def change_url(entry) -> str:
    return reverse(f"admin:collection_{entry._meta.model_name}_change", args=[entry.pk])


def opened(client, entry) -> dict:
    """What the entry's change page, opened now, posts when saved untouched (its extra rows left blank)."""
    response = client.get(change_url(entry))
    assert response.status_code == 200
    # The browser posts the version only if the page holds it.
    version = type(entry).objects.get(pk=entry.pk).version
    assert f'type="hidden" name="loaded_version" value="{version}"' in response.content.decode()
    data: dict = {}

    def add(form) -> None:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            add(form)
    return data


@pytest.fixture
def erin(db):
    """A second collection manager: only managers edit places and subjects."""
    return staff_in("Collection manager", "erin")


def test_an_agent_saved_from_an_older_page_is_refused_and_nothing_is_reverted(alice, bob, login):
    agent = AgentFactory(name="Test agent name")
    alice_client, bob_client = login(alice), login(bob)
    by_alice, by_bob = opened(alice_client, agent), opened(bob_client, agent)
    by_alice.update({"names-0-text": "Alice's test name", "date_display": "alice's dates"})
    assert alice_client.post(change_url(agent), by_alice).status_code == 302
    by_bob["notes"] = "Bob's test note"
    response = bob_client.post(change_url(agent), by_bob)
    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed by Alice at" in page and "Your changes were not saved" in page
    agent = Agent.objects.get(pk=agent.pk)
    assert (agent.date_display, agent.notes) == ("alice's dates", "")
    assert list(AgentName.objects.filter(agent=agent).values_list("text", flat=True)) == ["Alice's test name"]


def test_a_change_of_names_alone_makes_an_older_agent_page_stale(alice, bob, login):
    agent = AgentFactory(name="Test agent name")
    alice_client, bob_client = login(alice), login(bob)
    by_alice, by_bob = opened(alice_client, agent), opened(bob_client, agent)
    by_alice["names-0-text"] = "Alice's test name"
    alice_client.post(change_url(agent), by_alice)
    by_bob["names-0-text"] = "Bob's test name"
    assert "was changed by Alice" in bob_client.post(change_url(agent), by_bob).content.decode()
    assert list(AgentName.objects.filter(agent=agent).values_list("text", flat=True)) == ["Alice's test name"]


def test_saving_an_agent_again_after_reopening_works(alice, login):
    agent = AgentFactory(name="Test agent name")
    client = login(alice)
    client.post(change_url(agent), {**opened(client, agent), "notes": "first"})
    assert client.post(change_url(agent), {**opened(client, agent), "notes": "second"}).status_code == 302
    assert Agent.objects.get(pk=agent.pk).notes == "second"


def test_an_agent_post_without_the_version_is_refused(alice, login):
    agent = AgentFactory(name="Test agent name")
    client = login(alice)
    data = {**opened(client, agent), "notes": "no version"}
    del data["loaded_version"]
    client.post(change_url(agent), data)
    assert Agent.objects.get(pk=agent.pk).notes == ""


def test_a_place_saved_from_an_older_page_is_refused(dana, erin, login):
    place = PlaceFactory(name="Test place name")
    dana_client, erin_client = login(dana), login(erin)
    by_dana, by_erin = opened(dana_client, place), opened(erin_client, place)
    by_dana["names-0-text"] = "Dana's test place"
    assert dana_client.post(change_url(place), by_dana).status_code == 302
    by_erin["gupvi_camp_number"] = "999"
    assert "was changed by Dana" in erin_client.post(change_url(place), by_erin).content.decode()
    assert Place.objects.get(pk=place.pk).gupvi_camp_number == ""
    assert list(PlaceName.objects.filter(place=place).values_list("text", flat=True)) == ["Dana's test place"]


def test_a_subject_saved_from_an_older_page_is_refused(dana, erin, login):
    subject = SubjectFactory(label="Test subject label")
    broader = SubjectFactory(label="Test broader subject")
    dana_client, erin_client = login(dana), login(erin)
    by_dana, by_erin = opened(dana_client, subject), opened(erin_client, subject)
    by_dana["labels-0-text"] = "Dana's test label"
    assert dana_client.post(change_url(subject), by_dana).status_code == 302
    by_erin["broader"] = broader.pk
    assert "was changed by Dana" in erin_client.post(change_url(subject), by_erin).content.decode()
    assert Subject.objects.get(pk=subject.pk).broader is None
    assert list(SubjectLabel.objects.filter(subject=subject).values_list("text", flat=True)) == ["Dana's test label"]


def test_a_read_only_authority_page_opens(alice, login):
    """A contributor may only view places: the page has no version to carry."""
    place = PlaceFactory(name="Test place name")
    response = login(alice).get(change_url(place))
    assert response.status_code == 200
    assert 'name="loaded_version"' not in response.content.decode()
    assert not Group.objects.get(name="Contributor").permissions.filter(codename="change_place").exists()


@pytest.mark.parametrize("factory", [AgentFactory, PlaceFactory, SubjectFactory])
def test_model_save_from_a_stale_copy_raises(factory, alice):
    entry = factory()
    model = type(entry)
    first, second = model.objects.get(pk=entry.pk), model.objects.get(pk=entry.pk)
    first._history_user = alice
    first.save()
    with pytest.raises(StaleRecord, match="changed by Alice"):
        second.save()
    assert model.objects.get(pk=entry.pk).version == 2


@pytest.fixture
def site_connection(tmp_path):
    """A connection with the site's database settings to a file database that a second process opens too."""
    default = connections["default"]
    if default.vendor != "sqlite":
        pytest.skip("SQLite's locking")
    path = tmp_path / "shared.sqlite3"
    # Outside django.db.connections, which a test may only use for its own test database.
    connection = type(default)({**default.settings_dict, "NAME": str(path)}, alias="shared_sqlite_file")
    yield connection, path
    connection.close()


def test_a_save_that_reads_first_waits_for_the_task_worker_instead_of_failing(site_connection):
    """The admin reads a version, then writes; meanwhile ``db_worker`` holds the write lock for a moment."""
    connection, path = site_connection
    worker = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=20)
    worker.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, version INTEGER)")
    worker.execute("INSERT INTO entry VALUES (1, 1)")
    worker.execute("BEGIN IMMEDIATE")
    worker.execute("UPDATE entry SET version = version")
    release = threading.Timer(0.3, lambda: worker.execute("COMMIT"))
    release.start()
    try:
        # What transaction.atomic() does on entering and leaving, on this connection.
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM entry WHERE id = 1")
            cursor.execute("UPDATE entry SET version = version + 1 WHERE id = 1")
        connection.commit()
        connection.set_autocommit(True)
    finally:
        release.join()
        worker.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM entry")
        assert cursor.fetchone() == (2,)


def test_a_vocabulary_sheet_refuses_an_entry_saved_by_someone_else_after_it_was_checked(monkeypatch):
    from collection.catalogue import vocabulary
    from collection.catalogue.vocabulary import write_vocabulary
    from tests.catalogue_rows import numbered

    place = PlaceFactory(identifier="place-test-city", name="Test City")
    assign = vocabulary._assign

    def saved_meanwhile(kind, entry, desired):
        # Another archivist saves the place between the sheet's checks and its write.
        if entry.pk:
            Place.objects.get(pk=entry.pk).save()
        assign(kind, entry, desired)

    monkeypatch.setattr(vocabulary, "_assign", saved_meanwhile)
    result = write_vocabulary("places", numbered(
        {"identifier": "place-test-new", "kind": "city", "name_en": "Test Town"},
        {"identifier": "place-test-city", "kind": "city", "name_en": "Test City renamed"},
    ))
    [error] = result.errors
    assert (error.row, error.column) == (3, "identifier") and "place-test-city" in error.message
    assert not Place.objects.filter(identifier="place-test-new").exists()
    assert PlaceName.objects.get(place=place).text == "Test City"
