"""The app's migrations never depend on the host's language settings."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("collection_languages", "languages"),
    [
        (["ja", "ru", "en"], [("ja", "Japanese"), ("ru", "Russian"), ("en", "English")]),
        (["en", "de", "ko", "zh-Hant"], [("en", "English"), ("de", "German")]),
    ],
)
def test_no_new_migrations_when_languages_change(settings, collection_languages, languages):
    settings.COLLECTION_LANGUAGES = collection_languages
    settings.LANGUAGES = languages
    call_command("makemigrations", "collection", "--check", "--dry-run", verbosity=0)


def upgraded(before, fill):
    """The app's models as the latest migration leaves them, after ``fill(apps)`` stored rows with the models as
    they were at ``before`` (a migration name)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from collection.search import install_catalogue_triggers

    target = [("collection", before)]
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    fill(executor.loader.project_state(target).apps)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    install_catalogue_triggers()  # as migrate's post_migrate does: a table may have been dropped and made again
    return executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps


@pytest.mark.django_db(transaction=True)
def test_records_start_in_every_title_order_where_their_original_title_puts_them(settings):
    settings.COLLECTION_LANGUAGES = ["ja", "en"]
    stored = {}

    def fill(old):
        record = old.get_model("collection", "Record").objects.create(identifier="mem-test-old", kind="memoir")
        old.get_model("collection", "RecordSearch").objects.update_or_create(
            record_id=record.pk, defaults={"title_key": "test original"})
        stored["record"] = record.pk

    new = upgraded("0009_tombstone_titles", fill)
    orders = new.get_model("collection", "RecordTitleOrder").objects.filter(record_id=stored["record"])
    assert sorted(orders.values_list("language", "title_key")) == [("en", "test original"), ("ja", "test original")]


@pytest.mark.django_db(transaction=True)
def test_reasons_kept_when_their_column_widens():
    stored = {}

    def fill(old):
        record = old.get_model("collection", "Record").objects.create(identifier="mem-test-reason", kind="memoir")
        old.get_model("collection", "HistoricalRecord").objects.create(
            id=record.pk, identifier=record.identifier, kind="memoir", status="draft", version=1,
            created=record.created, modified=record.modified, history_type="+", history_date=record.modified,
            history_change_reason="[import] {\"file\": \"a.csv\"}")
        stored["record"] = record.pk

    new = upgraded("0010_record_title_order", fill)
    rows = new.get_model("collection", "HistoricalRecord").objects.filter(id=stored["record"])
    assert list(rows.values_list("history_change_reason", flat=True)) == ['[import] {"file": "a.csv"}']
    rows.update(history_change_reason="x" * 500)  # wider than the old varchar(100)
    assert len(rows.get().history_change_reason) == 500


@pytest.mark.django_db(transaction=True)
def test_records_published_before_are_dated_by_their_first_publication_in_their_history():
    import datetime

    start = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)
    stored = {}

    def fill(old):
        records, history = old.get_model("collection", "Record"), old.get_model("collection", "HistoricalRecord")

        def record_with_history(identifier, statuses):
            record = records.objects.create(identifier=identifier, kind="memoir", status=statuses[-1])
            for day, status in enumerate(statuses):
                history.objects.create(id=record.pk, identifier=identifier, kind="memoir", status=status, version=1,
                                       created=record.created, modified=record.modified, history_type="~",
                                       history_date=start + datetime.timedelta(days=day))
            return record.pk

        # Published on the third day, withdrawn, then published again: its first publication is the third day's.
        stored["republished"] = record_with_history(
            "mem-test-republished", ["draft", "review", "published", "withdrawn", "draft", "review", "published"])
        stored["withdrawn"] = record_with_history("mem-test-withdrawn", ["draft", "review", "published", "withdrawn"])
        stored["never"] = record_with_history("mem-test-never", ["draft", "review", "draft"])

    new = upgraded("0015_translated_field_labels", fill)
    dates = dict(new.get_model("collection", "Record").objects.values_list("pk", "first_published"))
    assert dates == {stored["republished"]: start + datetime.timedelta(days=2),
                     stored["withdrawn"]: start + datetime.timedelta(days=2), stored["never"]: None}


@pytest.mark.django_db(transaction=True)
def test_a_change_of_labels_leaves_the_state_and_the_schema_as_one_alter_field_per_field_would():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import AlterField

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    labels = loader.get_migration("collection", "0015_translated_field_labels").operations[0]
    before = loader.project_state([("collection", "0014_reserved_identifiers_any_case")])
    assert before.apps  # rendered, as the executor renders it: a change must reach the rendered models too
    together, one_by_one = before.clone(), before.clone()
    # The registry of relations made, as other operations make it.
    assert together.relations and one_by_one.relations
    labels.state_forwards("collection", together)
    for model_name, name, field in labels.changes:
        AlterField(model_name=model_name, name=name, field=field).state_forwards("collection", one_by_one)
    assert together.models == one_by_one.models
    assert together.relations == one_by_one.relations
    record = together.apps.get_model("collection", "Record")
    assert record._meta.get_field("isbn13").verbose_name == "ISBN-13"
    uploaded_by = together.apps.get_model("collection", "RecordImage")._meta.get_field("uploaded_by")
    assert uploaded_by.verbose_name == "uploaded by"
    with connection.schema_editor(collect_sql=True) as editor:
        labels.database_forwards("collection", editor, before, together)
    assert editor.collected_sql == []  # labels are not in the schema


@pytest.mark.django_db(transaction=True)
def test_places_and_subjects_stored_before_are_dated_by_their_history_not_by_the_upgrade():
    import datetime

    created, renamed = (datetime.datetime(2024, 5, day, 9, 30, tzinfo=datetime.UTC) for day in (1, 9))
    stored = {}

    def fill(old):
        place = old.get_model("collection", "Place").objects.create(identifier="place-test", kind="camp")
        old.get_model("collection", "HistoricalPlace").objects.create(
            id=place.pk, identifier="place-test", kind="camp", version=1, history_type="+", history_date=created)
        # Renamed later: the change is in its names' history only.
        old.get_model("collection", "HistoricalPlaceName").objects.create(
            id=1, place_id=place.pk, language="en", text="Test camp", form="original", history_type="~",
            history_date=renamed)
        stored["place"] = place.pk
        stored["subject"] = old.get_model("collection", "Subject").objects.create(identifier="subject-test").pk

    new = upgraded("0017_first_published_from_history", fill)
    assert new.get_model("collection", "Place").objects.get(pk=stored["place"]).modified == renamed
    assert new.get_model("collection", "HistoricalPlace").objects.get().modified == created
    # No history at all: older than any record.
    assert new.get_model("collection", "Subject").objects.get(pk=stored["subject"]).modified == datetime.datetime(
        1970, 1, 1, tzinfo=datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_texts_stored_with_crlf_keep_their_line_breaks_as_newlines():
    stored = {}

    def stored_as_given(model, pk, field, text):
        """Past the field's normalization, as a text was stored before it."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET {field} = %s WHERE {model._meta.pk.column} = %s",
                           [text, pk])

    def fill(old):
        record = old.get_model("collection", "Record").objects.create(identifier="mem-crlf", kind="memoir")
        stored_as_given(record, record.pk, "staff_notes", "one\r\ntwo")
        description = old.get_model("collection", "Description").objects.create(
            record=record, language="ja", text="-")
        stored_as_given(description, description.pk, "text", "一行目\r\n二行目\r三行目")
        history = old.get_model("collection", "HistoricalDescription").objects.create(
            id=description.pk, record_id=record.pk, language="ja", text="-",
            our_translation=False, history_date=record.modified, history_type="+")
        stored_as_given(history, history.pk, "text", "一行目\r\n二行目")
        old.get_model("collection", "ExportLine").objects.create(
            record_id=record.pk, layout="x", line='mem-crlf,"一行目\r\n二行目"\r\n')
        other = old.get_model("collection", "Record").objects.create(identifier="mem-lf", kind="memoir")
        old.get_model("collection", "ExportLine").objects.create(record_id=other.pk, layout="x", line="mem-lf\r\n")
        stored.update(record=record.pk, other=other.pk)

    new = upgraded("0019_date_help_text", fill)

    assert new.get_model("collection", "Record").objects.get(pk=stored["record"]).staff_notes == "one\ntwo"
    assert new.get_model("collection", "Description").objects.get().text == "一行目\n二行目\n三行目"
    assert new.get_model("collection", "HistoricalDescription").objects.get().text == "一行目\n二行目"
    assert list(new.get_model("collection", "ExportLine").objects.values_list("record_id", flat=True)) == [
        stored["other"]]
