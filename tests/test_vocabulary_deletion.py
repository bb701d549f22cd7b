"""A place, subject or language that records name cannot be deleted, as an agent cannot: not in the admin, not in
code.

Deleting it would take it off the records silently (a published one included), with no trace in their
history and so no revert. An unused entry is deleted as before; an entry with narrower entries is refused
too, naming them.
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from collection.admin.records import RecordAdmin
from collection.history import timeline
from collection.models import (
    AgentRole,
    Language,
    Place,
    PlaceName,
    Record,
    RecordAgent,
    RecordPlaceIndex,
    Status,
    Subject,
    SubjectLabel,
)

from .factories import (
    AgentFactory,
    LanguageFactory,
    PlaceFactory,
    RecordFactory,
    SubjectFactory,
    UserFactory,
    link_agent,
    reindex,
)

pytestmark = pytest.mark.django_db

VOCABULARIES = {"place": (Place, PlaceFactory, "places"), "subject": (Subject, SubjectFactory, "subjects"),
                "language": (Language, LanguageFactory, "languages")}
NAMED = {"place": {"name": "Test entry"}, "subject": {"label": "Test entry"}, "language": {}}


def entry_named_by(vocabulary, status=Status.PUBLISHED, title="Test camp memoir"):
    model, factory, field = VOCABULARIES[vocabulary]
    entry = factory(**NAMED[vocabulary])
    record = RecordFactory(status=status, title=title)
    getattr(record, field).add(entry)
    reindex(record)
    return entry, record


def delete_url(entry):
    return reverse(f"admin:collection_{entry._meta.model_name}_delete", args=[entry.pk])


def changelist_url(model):
    return reverse(f"admin:collection_{model._meta.model_name}_changelist")


def record_history_count(record):
    return Record.history.filter(id=record.pk).count()


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
class TestInTheAdmin:
    def test_the_delete_page_says_the_entry_is_protected_and_names_the_records(self, vocabulary, dana, login):
        entry, record = entry_named_by(vocabulary)
        page = login(dana).get(delete_url(entry)).content.decode()
        assert "would require deleting the following protected related objects" in page
        link = reverse("admin:collection_record_change", args=[record.pk])
        assert f'Record: <a href="{link}">{record.identifier}: Test camp memoir</a>' in page
        for hidden in ("relationship", "_places object", "_subjects object", "_languages object",
                       "Record place ind"):
            assert hidden not in page, hidden
        assert 'type="submit"' not in page.split("protected related objects")[1].split("</ul>")[0]

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN])
    def test_posting_the_delete_page_changes_nothing(self, vocabulary, status, dana, login):
        entry, record = entry_named_by(vocabulary, status)
        history = record_history_count(record)
        response = login(dana).post(delete_url(entry), {"post": "yes"})
        assert response.status_code == 200  # the page again, with the records
        assert record.identifier in response.content.decode()
        model, _factory, field = VOCABULARIES[vocabulary]
        assert model.objects.filter(pk=entry.pk).exists()
        assert list(getattr(Record.objects.get(pk=record.pk), field).all()) == [entry]
        assert record_history_count(record) == history

    def test_delete_selected_is_refused_and_names_the_records(self, vocabulary, dana, login):
        entry, record = entry_named_by(vocabulary, Status.DRAFT, title="Draft naming it")
        model, factory, _field = VOCABULARIES[vocabulary]
        unused = factory()
        response = login(dana).post(changelist_url(model), {
            "action": "delete_selected", "_selected_action": [entry.pk, unused.pk], "post": "yes"})
        page = response.content.decode()
        assert f"{record.identifier}: Draft naming it" in page
        assert model.objects.filter(pk__in=[entry.pk, unused.pk]).count() == 2

    def test_an_entry_no_record_names_is_deleted(self, vocabulary, dana, login):
        model, factory, _field = VOCABULARIES[vocabulary]
        unused = factory()
        page = login(dana).get(delete_url(unused)).content.decode()
        assert "protected related objects" not in page
        login(dana).post(delete_url(unused), {"post": "yes"})
        assert not model.objects.filter(pk=unused.pk).exists()

    def test_delete_selected_deletes_unused_entries(self, vocabulary, dana, login):
        model, factory, _field = VOCABULARIES[vocabulary]
        unused = [factory(), factory()]
        login(dana).post(changelist_url(model), {
            "action": "delete_selected", "_selected_action": [x.pk for x in unused], "post": "yes"})
        assert not model.objects.filter(pk__in=[x.pk for x in unused]).exists()


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
class TestInCode:
    @pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN, Status.PUBLISHED])
    def test_the_model_refuses_and_names_the_records(self, vocabulary, status):
        entry, record = entry_named_by(vocabulary, status)
        with pytest.raises(ProtectedError) as refusal:
            entry.delete()
        assert refusal.value.protected_objects == {record}
        assert record.identifier in str(refusal.value.args[0])
        model, _factory, field = VOCABULARIES[vocabulary]
        assert model.objects.filter(pk=entry.pk).exists()
        assert getattr(Record.objects.get(pk=record.pk), field).count() == 1

    def test_a_queryset_refuses_and_deletes_none_of_its_entries(self, vocabulary):
        entry, record = entry_named_by(vocabulary)
        model, factory, _field = VOCABULARIES[vocabulary]
        unused = factory()
        with pytest.raises(ProtectedError) as refusal:
            model.objects.filter(pk__in=[entry.pk, unused.pk]).delete()
        assert refusal.value.protected_objects == {record}
        assert model.objects.filter(pk__in=[entry.pk, unused.pk]).count() == 2

    @pytest.mark.parametrize("queryset", [
        lambda model: model._base_manager.all(),  # as Django's own cascades collect entries
        lambda model: QuerySet(model),
    ], ids=["base manager", "plain queryset"])
    def test_a_deletion_going_round_the_manager_is_refused_too(self, vocabulary, queryset):
        entry, record = entry_named_by(vocabulary)
        model, factory, field = VOCABULARIES[vocabulary]
        unused = factory()
        history = record_history_count(record)
        # Refused as it is written, the deletion undoes the transaction it is in: here, a savepoint.
        with pytest.raises(ProtectedError) as refusal, transaction.atomic():
            queryset(model).filter(pk__in=[unused.pk, entry.pk]).delete()
        assert refusal.value.protected_objects == {record}
        assert record.identifier in str(refusal.value.args[0])
        assert model.objects.filter(pk__in=[entry.pk, unused.pk]).count() == 2
        assert list(getattr(Record.objects.get(pk=record.pk), field).all()) == [entry]
        assert record_history_count(record) == history
        queryset(model).filter(pk=unused.pk).delete()
        assert not model.objects.filter(pk=unused.pk).exists()

    @pytest.mark.parametrize("how", ["model", "queryset"])
    def test_a_deletion_through_the_model_asks_once_not_once_per_entry(self, vocabulary, how):
        model, factory, field = VOCABULARIES[vocabulary]
        unused = [factory(), factory()]
        links = connection.ops.quote_name(getattr(Record, field).through._meta.db_table)
        with CaptureQueriesContext(connection) as queries:
            if how == "model":
                unused[0].delete()
            else:
                model.objects.filter(pk__in=[x.pk for x in unused]).delete()
        asked = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and links in q["sql"]]
        assert len(asked) == 1, asked

    def test_records_naming_lists_each_record_once(self, vocabulary):
        model, factory, field = VOCABULARIES[vocabulary]
        first, record = entry_named_by(vocabulary)
        second = factory()
        getattr(record, field).add(second)
        other = RecordFactory(status=Status.DRAFT)
        getattr(other, field).add(second)
        assert set(model.objects.filter(pk__in=[first.pk, second.pk]).records_naming()) == {record, other}
        assert list(model.objects.filter(pk=factory().pk).records_naming()) == []

    def test_an_unused_entry_is_deleted_with_its_names(self, vocabulary):
        model, factory, _field = VOCABULARIES[vocabulary]
        unused = factory()
        unused.delete()
        assert not model.objects.filter(pk=unused.pk).exists()
        labels = {"place": PlaceName, "subject": SubjectLabel}.get(vocabulary)
        if labels is not None:
            assert not labels.objects.filter(**{vocabulary: unused.pk}).exists()


def test_a_languages_refused_deletion_counts_the_records_to_staff_who_may_not_view_records(dana, login):
    keeper = UserFactory(username="language-keeper", is_staff=True)
    keeper.user_permissions.add(*Permission.objects.filter(codename__in=["view_language", "delete_language"]))
    entry, record = entry_named_by("language", Status.DRAFT, title="Test secretword draft")
    page = login(keeper).get(delete_url(entry)).content.decode()
    assert "protected related objects" in page and "Records: 1" in page
    assert record.identifier not in page and "secretword" not in page
    login(keeper).post(delete_url(entry), {"post": "yes"})
    assert list(Record.objects.get(pk=record.pk).languages.all()) == [entry]


def test_a_region_of_a_records_place_is_not_named_by_the_record_but_keeps_its_place(dana, login):
    """The place index counts the record in the region too; the region is protected by the place inside it."""
    region = PlaceFactory(name="Test krai")
    camp = PlaceFactory(name="Test camp", parent=region)
    record = RecordFactory()
    record.places.add(camp)
    reindex(record)
    assert RecordPlaceIndex.objects.filter(record=record, place=region).exists()
    assert list(Place.objects.filter(pk=region.pk).records_naming()) == []
    page = login(dana).get(delete_url(region)).content.decode()
    link = reverse("admin:collection_place_change", args=[camp.pk])
    assert f'Place: <a href="{link}">Test camp</a>' in page
    login(dana).post(delete_url(region), {"post": "yes"})
    assert Place.objects.filter(pk=region.pk).exists()
    with pytest.raises(ProtectedError):
        region.delete()


def test_a_place_with_parts_is_refused_naming_them(dana, login):
    region = PlaceFactory(name="Test oblast")
    PlaceFactory(name="Test station", parent=region)
    page = login(dana).get(delete_url(region)).content.decode()
    assert "protected related objects" in page and "Test station" in page
    with pytest.raises(ProtectedError):
        region.delete()
    assert Place.objects.filter(pk=region.pk).exists()


def test_a_subject_with_narrower_subjects_is_refused_naming_them(dana, login):
    broad = SubjectFactory(label="Test labour")
    SubjectFactory(label="Test logging", broader=broad)
    page = login(dana).get(delete_url(broad)).content.decode()
    assert "protected related objects" in page and "Test logging" in page
    with pytest.raises(ProtectedError):
        broad.delete()
    assert Subject.objects.filter(pk=broad.pk).exists()


class TestAgentLinksNameTheirRecords:
    """An agent's deletion page lists its links to records as protected: each says which record it is of."""

    def test_the_agent_delete_page_names_each_record(self, dana, login):
        agent = AgentFactory(name="Test Meguro")
        first, second = RecordFactory(), RecordFactory(status=Status.DRAFT)
        link_agent(first, agent)
        link_agent(second, agent, AgentRole.TRANSLATOR)
        page = login(dana).get(delete_url(agent)).content.decode()
        assert "protected related objects" in page
        assert f"Agent of a record: Test Meguro, author of {first.identifier}" in page
        assert f"Agent of a record: Test Meguro, translator of {second.identifier}" in page
        with pytest.raises(ProtectedError):
            agent.delete()

    @pytest.mark.parametrize(("language", "expected"), [
        ("en", "Test Meguro, author of {}"),
        ("ja", "{} の著者：Test Meguro"),
        ("ru", "Test Meguro, автор (запись {})"),
    ])
    def test_a_link_is_named_with_its_record_in_each_language(self, language, expected):
        record = RecordFactory()
        link = link_agent(record, AgentFactory(name="Test Meguro"))
        with translation.override(language):
            assert str(RecordAgent.objects.get(pk=link.pk)) == expected.format(record.identifier)

    def test_the_records_own_history_names_the_link_without_the_record(self):
        record = RecordFactory(status=Status.DRAFT)
        link_agent(record, AgentFactory(name="Test Meguro"))
        parts = [entry.part for entry in timeline(record, RecordAdmin.history_parts(None))]
        assert "agent of a record “Test Meguro (author)”" in parts
