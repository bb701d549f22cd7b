"""History of records and authorities with their titles, names and links: diffs by the right user, revert."""

import pytest
from django.urls import reverse
from django.utils import translation

from collection.admin.records import RecordAdmin
from collection.history import Part, revert, timeline
from collection.models import AgentName, Language, Record, Status, Title
from collection.reasons import describe
from collection.workflow import change_status

from .factories import AgentFactory, RecordFactory, link_agent
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def history_url(record):
    return reverse("admin:collection_record_history", args=[record.pk])


@pytest.fixture
def edited(alice, login):
    """A draft that alice edited in the admin: a date and the text of its title."""
    record = RecordFactory(status=Status.DRAFT, title="First test title")
    login(alice).post(change_url(record), change_form_data(
        record, date_display="test date", **{"titles-0-text": "Second test title"}))
    return Record.objects.get(pk=record.pk)


def test_field_diffs_of_record_and_title_by_the_right_user(edited, alice):
    entries = timeline(edited, RecordAdmin.history_parts(None))
    record_change = next(e for e in entries if e.part == "record" and e.kind == "changed")
    assert record_change.user == alice
    assert [(c.field, c.old, c.new) for c in record_change.changes] == [("date as written", "", "test date")]
    title_change = next(e for e in entries if e.part.startswith("title") and e.kind == "changed")
    assert title_change.user == alice
    assert [(c.field, c.old, c.new) for c in title_change.changes] == [
        ("text", "First test title", "Second test title")]


@pytest.mark.parametrize(("language", "part"), [
    ("en", "title “Second test title”"), ("ru", "заглавие «Second test title»"),
    ("ja", "タイトル「Second test title」")])
def test_a_part_is_named_in_the_quotation_marks_of_the_readers_language(edited, language, part):
    with translation.override(language):
        entries = timeline(edited, RecordAdmin.history_parts(None))
    assert part in {entry.part for entry in entries}


def test_history_page_shows_the_diff(edited, bob, login):
    page = login(bob).get(history_url(edited)).content.decode()
    assert "<del>First test title</del> → <ins>Second test title</ins>" in page
    assert "Alice" in page  # by name, as the workflow log and messages name her


def test_links_and_many_to_many_changes_are_in_the_history(bob):
    record = RecordFactory(status=Status.DRAFT)
    agent = AgentFactory(name="Test author")
    link_agent(record, agent)
    record.languages.add(Language.objects.create(tag="ja"))
    entries = timeline(record, RecordAdmin.history_parts(None))
    assert any(e.part.startswith("agent of a record") and e.kind == "added" for e in entries)
    assert any(c.field == "languages of the material" and "ja" in c.new for e in entries for c in e.changes)


def test_agent_history_includes_its_names(bob):
    agent = AgentFactory(name="Test name one")
    name = agent.names.get()
    name.text = "Test name two"
    name._history_user = bob
    name.save()
    entries = timeline(agent, [Part(AgentName, "agent")])
    change = next(e for e in entries if e.kind == "changed")
    assert (change.user, change.changes[0].old, change.changes[0].new) == (bob, "Test name one", "Test name two")


def test_revert_restores_fields_and_titles_and_is_itself_recorded(edited, bob, login):
    page = login(bob).get(history_url(edited))
    saves = page.context["saves"]
    assert [save.user for save in saves] == [edited.history.first().history_user, None]
    response = login(bob).post(reverse("admin:collection_record_revert", args=[edited.pk]), {
        "moment": saves[-1].when.isoformat(), "version": edited.version})
    assert response.status_code == 302
    record = Record.objects.get(pk=edited.pk)
    assert record.date_display == ""
    assert list(record.titles.values_list("text", flat=True)) == ["First test title"]
    assert record.status == Status.DRAFT
    latest = record.history.order_by("-history_id").first()
    assert latest.history_user == bob and describe(latest.history_change_reason).startswith("Reverted")


def test_revert_brings_back_a_deleted_title_and_drops_a_later_one(bob):
    record = RecordFactory(status=Status.DRAFT, title="Kept test title")
    moment = Title.history.order_by("-history_id").first().history_date
    record.titles.get().delete()
    Title.objects.create(record=record, language="ru", text="Later test title")
    from collection.history import revert

    revert(record, RecordAdmin.history_parts(None), moment, bob)
    assert list(record.titles.values_list("text", flat=True)) == ["Kept test title"]


def test_revert_from_an_outdated_page_is_refused(edited, alice, bob, login):
    first = Title.history.order_by("history_id").first()
    stale_version = edited.version
    login(alice).post(change_url(edited), change_form_data(edited, date_display="newer date"))
    response = login(bob).post(reverse("admin:collection_record_revert", args=[edited.pk]), {
        "moment": first.history_date.isoformat(), "version": stale_version}, follow=True)
    assert any("was changed by Alice" in str(m) for m in response.context["messages"])
    assert Record.objects.get(pk=edited.pk).date_display == "newer date"


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Nothing was reverted: {identifier} was changed by Alice at"),
    ("ja", "何も元に戻していません：{identifier} はあなたが変更履歴を開いた後に Alice によって変更され"),
    ("ru", "Ничего не возвращено: уже после того, как вы открыли историю изменений, в {identifier} были внесены "
           "изменения (кто: Alice;"),
])
def test_a_revert_from_an_outdated_page_says_nothing_was_reverted(edited, alice, bob, login, language, said):
    first = Title.history.order_by("history_id").first()
    stale_version = edited.version
    login(alice).post(change_url(edited), change_form_data(edited, date_display="newer date"))
    response = login(bob).post(reverse("admin:collection_record_revert", args=[edited.pk]), {
        "moment": first.history_date.isoformat(), "version": stale_version}, follow=True,
        headers={"accept-language": language})
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(said.format(identifier=edited.identifier))
    # Not the words of a refused edit: he made no changes to make anew, he chose a version.
    assert "make your changes anew" not in message and "改めて変更してください" not in message
    assert "внесите свои изменения ещё раз" not in message


def test_contributor_cannot_revert_a_published_record(alice, login):
    record = RecordFactory(status=Status.PUBLISHED)
    first = record.history.first()
    response = login(alice).post(reverse("admin:collection_record_revert", args=[record.pk]), {
        "moment": first.history_date.isoformat(), "version": record.version})
    assert response.status_code == 403


@pytest.mark.parametrize(("model", "factory"), [("agent", AgentFactory), ("place", None), ("subject", None)])
def test_authority_history_pages_show_their_names(dana, login, model, factory):
    from .factories import PlaceFactory, SubjectFactory

    factory = factory or {"place": PlaceFactory, "subject": SubjectFactory}[model]
    entry = factory()
    page = login(dana).get(reverse(f"admin:collection_{model}_history", args=[entry.pk]))
    assert page.status_code == 200
    texts = " ".join(c.new for save in page.context["saves"] for e in save.entries for c in e.changes)
    assert f"{model.capitalize()} {entry.pk}" in texts


def test_agent_name_revert_through_the_admin(dana, login):
    agent = AgentFactory(name="Test name one")
    name = agent.names.get()
    name.text = "Test name two"
    name.save()
    first = AgentName.history.order_by("history_id").first()
    response = login(dana).post(reverse("admin:collection_agent_revert", args=[agent.pk]),
                                {"moment": first.history_date.isoformat()})
    assert response.status_code == 302
    assert list(agent.names.values_list("text", flat=True)) == ["Test name one"]


def history_reasons(client, record, language):
    page = client.get(history_url(record), HTTP_ACCEPT_LANGUAGE=language)
    return [entry.reason for save in page.context["saves"] for entry in save.entries if entry.reason]


def test_reasons_the_app_writes_are_read_in_the_readers_language(bob, login):
    record = RecordFactory(status=Status.DRAFT)
    with translation.override("ja"):
        change_status(record, None, Status.REVIEW)
    revert_to = record.history.order_by("history_id").first().history_date
    record.date_display = "test date"
    record.save()
    with translation.override("ru"):
        revert(record, RecordAdmin.history_parts(None), revert_to, bob)
    client = login(bob)
    english = history_reasons(client, record, "en")
    assert "Status: draft → in review" in english
    assert any(reason.startswith("Reverted to the version of ") for reason in english)
    russian = history_reasons(client, record, "ru")
    assert "Статус: черновик → на проверке" in russian
    assert any(reason.startswith("Возврат к версии от ") for reason in russian)


def test_a_typed_reason_and_an_older_stored_one_are_shown_as_they_were_written(bob, login):
    record = RecordFactory(status=Status.DRAFT)
    change_status(record, None, Status.REVIEW, comment="[status] {\"old\": \"draft\"} checked by phone")
    record.history.filter(history_type="+").update(history_change_reason="импорт файла old.csv")
    reasons = history_reasons(login(bob), record, "en")
    assert reasons == ["[status] {\"old\": \"draft\"} checked by phone", "импорт файла old.csv"]


@pytest.mark.parametrize(("language", "joined"), [("en", "Test place A, Test place B"),
                                                  ("ja", "Test place A、Test place B"),
                                                  ("ru", "Test place A, Test place B")])
def test_several_places_are_listed_as_the_readers_language_lists_things(language, joined):
    from .factories import PlaceFactory

    record = RecordFactory(status=Status.DRAFT)
    later_in_the_alphabet = PlaceFactory(name="Test place B")  # made first: the places are listed by name
    record.places.add(PlaceFactory(name="Test place A"), later_in_the_alphabet)
    with translation.override(language):
        entries = timeline(Record.objects.get(pk=record.pk), RecordAdmin.history_parts(None))
    shown = [change.new for entry in entries for change in entry.changes if change.new.startswith("Test place")]
    assert joined in shown


@pytest.mark.parametrize("stored", ["[status] {\"old\": \"draft\"}", "[unknown] {}", "[import] [1]",
                                    "[revert] {\"moment\": \"yesterday\"}"])
def test_a_malformed_stored_reason_is_shown_as_stored(stored):
    assert describe(stored) == stored


def derived_titles(record):
    return sorted(record.titles.filter(machine_made=True).values_list("language", "text"))


def test_a_revert_derives_the_readings_and_romanizations_missing_at_that_moment(bob, login):
    """A record written without its forms (an import leaves them to a task) gets them when reverted to then."""
    record = RecordFactory(status=Status.DRAFT, title="東京", title__language="ja")
    moment = Title.history.order_by("-history_id").first().history_date
    record.date_display = "test date"
    record.save()
    response = login(bob).post(reverse("admin:collection_record_revert", args=[record.pk]), {
        "moment": moment.isoformat(), "version": record.version})
    assert response.status_code == 302
    assert derived_titles(record) == [("ja-Hrkt", "トウキョウ"), ("ja-Latn", "Tōkyō")]


def test_a_revert_to_an_earlier_title_keeps_its_reading_and_romanization(alice, bob, login):
    record = RecordFactory(status=Status.DRAFT, title="東京", title__language="ja")
    client = login(alice)
    client.post(change_url(record), change_form_data(record, date_display="first date"))
    first = derived_titles(record)
    assert first == [("ja-Hrkt", "トウキョウ"), ("ja-Latn", "Tōkyō")]
    moment = client.get(history_url(record)).context["saves"][0].when
    data = change_form_data(record, **{"titles-0-text": "大阪"})
    client.post(change_url(record), data)
    assert derived_titles(record) != first
    record.refresh_from_db()
    response = login(bob).post(reverse("admin:collection_record_revert", args=[record.pk]), {
        "moment": moment.isoformat(), "version": record.version}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"Reverted “{record.identifier}: 東京” to the version of that moment."]
    assert list(record.titles.filter(language="ja").values_list("text", flat=True)) == ["東京"]
    assert derived_titles(record) == first


def history_queries(client, record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(history_url(record)).status_code == 200
    return len(captured)


def edit_many_times(record, saves):
    """``saves`` saves, each changing the record's places, subjects, languages, parent and agents."""
    from .factories import PlaceFactory, SubjectFactory

    for n in range(saves):
        record.places.add(PlaceFactory(name=f"Test place {n}"))
        record.subjects.set([SubjectFactory(label=f"Test subject {n}")])
        record.languages.add(Language.objects.get_or_create(tag=f"x-test{n}")[0])
        record.parent = RecordFactory(title=f"Test parent {n}")
        link_agent(record, AgentFactory(name=f"Test agent {n}"), role="editor")
        record.date_display = f"test date {n}"
        record.save()


def test_a_records_history_page_costs_the_same_queries_however_many_saves(bob, login):
    small, large = RecordFactory(status=Status.DRAFT), RecordFactory(status=Status.DRAFT)
    edit_many_times(small, 2)
    edit_many_times(large, 12)
    client = login(bob)
    history_queries(client, small)  # the session and permissions are cached after the first page
    assert history_queries(client, large) == history_queries(client, small)



def save_statements(record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record.date_display = "test date"
    with CaptureQueriesContext(connection) as captured:
        record.save()
    return [query["sql"] for query in captured.captured_queries]


def test_a_save_copies_every_link_into_its_history_reading_each_kind_of_link_once():
    from .factories import PlaceFactory, SubjectFactory

    record = RecordFactory(status=Status.DRAFT)
    places = [PlaceFactory(name=f"Test place {n}") for n in range(6)]
    record.places.add(*places)
    record.subjects.add(*(SubjectFactory(label=f"Test subject {n}") for n in range(4)))
    record.languages.add(*(Language.objects.get_or_create(tag=f"x-test{n}")[0] for n in range(3)))
    statements = save_statements(record)
    history_written = next(n for n, sql in enumerate(statements)
                           if sql.startswith('INSERT INTO "collection_historicalrecord"'))
    after = statements[history_written + 1:]
    # The saved record is not read back once per kind of link, nor is each linked place or subject loaded.
    assert not [sql for sql in after if sql.startswith("SELECT") and 'FROM "collection_record" ' in sql]
    assert sorted(sql.split(" FROM ")[1].split()[0] for sql in after if sql.startswith("SELECT")) == [
        '"collection_record_languages"', '"collection_record_places"', '"collection_record_subjects"']
    latest = record.history.first()
    assert latest.history_type == "~"
    assert sorted(row.place_id for row in latest.places.all()) == sorted(place.pk for place in places)
    assert latest.subjects.count() == 4 and latest.languages.count() == 3


def test_forms_the_task_derives_after_an_import_say_so_in_the_history(bob, login):
    from collection.catalogue.writer import write_rows
    from collection.importing.deferral import deferred_derivation
    from collection.importing.romanizations import update_missing_forms

    from .catalogue_rows import memoir, numbered

    with deferred_derivation():
        assert write_rows(numbered(memoir(title_ru="Тестовые воспоминания"))).ok
    assert update_missing_forms(records=["mem-test-1"]) == 1
    record = Record.objects.get()
    page = login(bob).get(history_url(record), HTTP_ACCEPT_LANGUAGE="en")
    [derived] = [entry for save in page.context["saves"] for entry in save.entries
                 if any(change.new == "Testovye vospominanii͡a" for change in entry.changes)]
    assert derived.user is None and derived.reason == "readings and romanizations made by the app"
    assert "アプリが作成した読みとラテン文字表記" in history_reasons(login(bob), record, "ja")
    assert "чтения и транслитерации, созданные приложением" in history_reasons(login(bob), record, "ru")


def test_a_status_change_is_said_once_and_japanese_sets_its_labels_with_a_full_width_colon(bob, login):
    import re

    record = RecordFactory(status=Status.DRAFT)
    change_status(record, None, Status.REVIEW)
    record.date_display = "test date"
    record.save()
    page = login(bob).get(history_url(record), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert text.count("下書き → 審査中") == 1, text  # the reason says it; the field's change would say it again
    assert "状態：下書き → 審査中" in text
    assert "：test date" in text and ": test date" not in text
    english = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", login(bob).get(
        history_url(record), HTTP_ACCEPT_LANGUAGE="en").content.decode()))
    assert english.count("draft → in review") == 1 and ": test date" in english
