"""The app's migrations never depend on the host's language settings."""

import datetime

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

    target = [("collection", before)]
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    fill(executor.loader.project_state(target).apps)
    return upgraded_to_the_latest()


def upgraded_to_the_latest():
    """Run every migration not run yet; the app's models as the latest leaves them."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from collection.search import install_catalogue_triggers

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    install_catalogue_triggers()  # as migrate's post_migrate does: a table may have been dropped and made again
    return executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps


# Rows as older versions of the app stored them, each with the models as a migration left them: ``(migration,
# fill)`` in the order of the migrations, each ``fill(apps, stored)`` storing its rows' keys in ``stored``.


def fill_a_record_before_title_orders(old, stored):
    record = old.get_model("collection", "Record").objects.create(identifier="mem-test-old", kind="memoir")
    old.get_model("collection", "RecordSearch").objects.update_or_create(
        record_id=record.pk, defaults={"title_key": "test original"})
    stored["title_order_record"] = record.pk


def fill_a_reason_in_the_narrow_column(old, stored):
    record = old.get_model("collection", "Record").objects.create(identifier="mem-test-reason", kind="memoir")
    old.get_model("collection", "HistoricalRecord").objects.create(
        id=record.pk, identifier=record.identifier, kind="memoir", status="draft", version=1,
        created=record.created, modified=record.modified, history_type="+", history_date=record.modified,
        history_change_reason="[import] {\"file\": \"a.csv\"}")
    stored["reason_record"] = record.pk


FIRST_DAY = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)


def fill_records_published_before_first_publication_was_kept(old, stored):
    records, history = old.get_model("collection", "Record"), old.get_model("collection", "HistoricalRecord")

    def record_with_history(identifier, statuses):
        record = records.objects.create(identifier=identifier, kind="memoir", status=statuses[-1])
        for day, status in enumerate(statuses):
            history.objects.create(id=record.pk, identifier=identifier, kind="memoir", status=status, version=1,
                                   created=record.created, modified=record.modified, history_type="~",
                                   history_date=FIRST_DAY + datetime.timedelta(days=day))
        return record.pk

    # Published on the third day, withdrawn, then published again: its first publication is the third day's.
    stored["republished"] = record_with_history(
        "mem-test-republished", ["draft", "review", "published", "withdrawn", "draft", "review", "published"])
    stored["withdrawn"] = record_with_history("mem-test-withdrawn", ["draft", "review", "published", "withdrawn"])
    stored["never"] = record_with_history("mem-test-never", ["draft", "review", "draft"])


PLACE_CREATED, PLACE_RENAMED = (datetime.datetime(2024, 5, day, 9, 30, tzinfo=datetime.UTC) for day in (1, 9))


def fill_a_place_and_a_subject_before_they_were_dated(old, stored):
    place = old.get_model("collection", "Place").objects.create(identifier="place-test", kind="camp")
    old.get_model("collection", "HistoricalPlace").objects.create(
        id=place.pk, identifier="place-test", kind="camp", version=1, history_type="+", history_date=PLACE_CREATED)
    # Renamed later: the change is in its names' history only.
    old.get_model("collection", "HistoricalPlaceName").objects.create(
        id=1, place_id=place.pk, language="en", text="Test camp", form="original", history_type="~",
        history_date=PLACE_RENAMED)
    stored["place"] = place.pk
    stored["subject"] = old.get_model("collection", "Subject").objects.create(identifier="subject-test").pk


def fill_texts_with_crlf(old, stored):
    from django.db import connection

    def stored_as_given(model, pk, field, text):
        """Past the field's normalization, as a text was stored before it."""
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET {field} = %s WHERE {model._meta.pk.column} = %s",
                           [text, pk])

    record = old.get_model("collection", "Record").objects.create(identifier="mem-crlf", kind="memoir")
    stored_as_given(record, record.pk, "staff_notes", "one\r\ntwo")
    description = old.get_model("collection", "Description").objects.create(record=record, language="ja", text="-")
    stored_as_given(description, description.pk, "text", "一行目\r\n二行目\r三行目")
    history = old.get_model("collection", "HistoricalDescription").objects.create(
        id=description.pk, record_id=record.pk, language="ja", text="-",
        our_translation=False, history_date=record.modified, history_type="+")
    stored_as_given(history, history.pk, "text", "一行目\r\n二行目")
    old.get_model("collection", "ExportLine").objects.create(
        record_id=record.pk, layout="x", line='mem-crlf,"一行目\r\n二行目"\r\n')
    other = old.get_model("collection", "Record").objects.create(identifier="mem-lf", kind="memoir")
    old.get_model("collection", "ExportLine").objects.create(record_id=other.pk, layout="x", line="mem-lf\r\n")
    stored.update(crlf_record=record.pk, lf_record=other.pk)


STORED_BEFORE = [
    ("0009_tombstone_titles", fill_a_record_before_title_orders),
    ("0010_record_title_order", fill_a_reason_in_the_narrow_column),
    ("0015_translated_field_labels", fill_records_published_before_first_publication_was_kept),
    ("0017_first_published_from_history", fill_a_place_and_a_subject_before_they_were_dated),
    ("0019_date_help_text", fill_texts_with_crlf),
]


@pytest.fixture(scope="class")
def upgraded_rows(django_db_setup, django_db_blocker):
    """The app's models as the latest migration leaves them, and the keys of the rows each of ``STORED_BEFORE``
    stored with the models as its migration left them, every later migration run over them since. The
    migrations are undone once and run again once for all of them, as each pass takes seconds; the rows are
    committed, as migrations need, and flushed when the class is done."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test.utils import override_settings

    from collection.models import CatalogueChange, CatalogueVersion

    stored = {}
    with django_db_blocker.unblock():
        # The database as the tests after these find it, made again when they are done: the roles and the
        # catalogue's version its migrations made, which a flush alone would leave out.
        fresh = connection.creation.serialize_db_to_string()
        try:
            # The record stored before title orders is put in the orders of these languages.
            with override_settings(COLLECTION_LANGUAGES=["ja", "en"]):
                for migration, fill in STORED_BEFORE:
                    target = [("collection", migration)]
                    executor = MigrationExecutor(connection)
                    executor.migrate(target)
                    fill(executor.loader.project_state(target).apps, stored)
                new = upgraded_to_the_latest()
            yield new, stored
        finally:
            upgraded_to_the_latest()
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)
            # What the catalogue's triggers logged of the flush itself.
            CatalogueChange.objects.all().delete()
            CatalogueVersion.objects.all().delete()
            connection.creation.deserialize_db_from_string(fresh)


@pytest.mark.django_db
class TestRowsStoredBeforeAnUpgrade:
    def test_records_start_in_every_title_order_where_their_original_title_puts_them(self, upgraded_rows):
        new, stored = upgraded_rows
        orders = new.get_model("collection", "RecordTitleOrder").objects.filter(
            record_id=stored["title_order_record"])
        assert sorted(orders.values_list("language", "title_key")) == [
            ("en", "test original"), ("ja", "test original")]

    def test_reasons_kept_when_their_column_widens(self, upgraded_rows):
        new, stored = upgraded_rows
        rows = new.get_model("collection", "HistoricalRecord").objects.filter(id=stored["reason_record"])
        assert list(rows.values_list("history_change_reason", flat=True)) == ['[import] {"file": "a.csv"}']
        rows.update(history_change_reason="x" * 500)  # wider than the old varchar(100)
        assert len(rows.get().history_change_reason) == 500

    def test_records_published_before_are_dated_by_their_first_publication_in_their_history(self, upgraded_rows):
        new, stored = upgraded_rows
        records = new.get_model("collection", "Record").objects.filter(
            pk__in=[stored["republished"], stored["withdrawn"], stored["never"]])
        assert dict(records.values_list("pk", "first_published")) == {
            stored["republished"]: FIRST_DAY + datetime.timedelta(days=2),
            stored["withdrawn"]: FIRST_DAY + datetime.timedelta(days=2), stored["never"]: None}

    def test_places_and_subjects_stored_before_are_dated_by_their_history_not_by_the_upgrade(self, upgraded_rows):
        new, stored = upgraded_rows
        assert new.get_model("collection", "Place").objects.get(pk=stored["place"]).modified == PLACE_RENAMED
        assert new.get_model("collection", "HistoricalPlace").objects.get(id=stored["place"]).modified == (
            PLACE_CREATED)
        # No history at all: older than any record.
        assert new.get_model("collection", "Subject").objects.get(pk=stored["subject"]).modified == (
            datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC))

    def test_texts_stored_with_crlf_keep_their_line_breaks_as_newlines(self, upgraded_rows):
        new, stored = upgraded_rows
        record = stored["crlf_record"]
        assert new.get_model("collection", "Record").objects.get(pk=record).staff_notes == "one\ntwo"
        assert new.get_model("collection", "Description").objects.get(record_id=record).text == (
            "一行目\n二行目\n三行目")
        assert new.get_model("collection", "HistoricalDescription").objects.get(record_id=record).text == (
            "一行目\n二行目")
        lines = new.get_model("collection", "ExportLine").objects.filter(
            record_id__in=[record, stored["lf_record"]])
        assert list(lines.values_list("record_id", flat=True)) == [stored["lf_record"]]


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


def datestamps_as_harvests_computed_them():
    """Each reservation harvesters knew of, with its datestamp and kind, as OAI-PMH computed them from the records
    and their histories at every request before they were kept (``known_to_the_public`` and ``left_publication``
    as they were then)."""
    from django.db import models
    from django.db.models import Exists, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from collection.models import Record, ReservedIdentifier, Status
    from collection.models.records import last_change

    record_history = Record.history.model
    last_published = record_history.objects.filter(id=OuterRef("id"), status=Status.PUBLISHED).order_by(
        "-history_id").values("history_id")[:1]
    left_at = record_history.objects.filter(
        id=OuterRef("record_id"), history_id__gt=Subquery(last_published)).order_by("history_id").values(
            "history_date")[:1]
    last_row = record_history.objects.filter(identifier=OuterRef("identifier")).order_by("-history_id")
    left_publication = models.Case(
        models.When(record__isnull=True, then=Coalesce("deleted_at", Subquery(last_row.values("history_date")[:1]))),
        default=Coalesce(Subquery(left_at), models.F("record__modified")),
        output_field=models.DateTimeField(),
    )
    public = Exists(Record.objects.published().filter(pk=OuterRef("record_id")))
    datestamp = models.Case(models.When(public=True, then=last_change("record")), default=left_publication,
                            output_field=models.DateTimeField())
    kind_when_public = Record.history.model.objects.filter(
        identifier=OuterRef("identifier"), status=Status.PUBLISHED).order_by("-history_id").values("kind")[:1]
    kind = models.Case(models.When(public=True, then=models.F("record__kind")),
                       default=Subquery(kind_when_public), output_field=models.CharField())
    ever_published = Exists(record_history.objects.filter(identifier=OuterRef("identifier"), status=Status.PUBLISHED))
    known = ReservedIdentifier.objects.annotate(public=public, old_datestamp=datestamp, old_kind=kind).filter(
        Q(public=True) | ever_published)
    return {row[0]: row[1:] for row in known.values_list("identifier", "old_datestamp", "old_kind")}


def records_in_every_state(dana):
    """Records published, parts of published and unpublished records, withdrawn, in revision (with a kind the
    public never saw), published and withdrawn again, deleted, and never published; their identifiers."""
    from collection.models import LevelOfDescription, Record, RecordKind, Status

    from .factories import RecordFactory

    series = RecordFactory(identifier="doc-series", title="Test series")
    RecordFactory(identifier="doc-volume", parent=series, level=LevelOfDescription.VOLUME, title="Test volume")
    series.extent = "2 vols."
    series.save()  # after its volume: the volume is dated by it
    draft_series = RecordFactory(identifier="doc-draft-series", status=Status.DRAFT, title="Test draft series")
    RecordFactory(identifier="doc-draft-volume", parent=draft_series, title="Test draft volume")
    RecordFactory(identifier="doc-withdrawn", title="Test withdrawn").withdraw(dana, "Rights unclear.")
    revised = RecordFactory(identifier="doc-revised", title="Test revised")
    revised.withdraw(dana, "To be corrected.")
    revised.reopen(dana)
    revised = Record.objects.get(pk=revised.pk)
    revised.kind = RecordKind.MEMOIR
    revised.save()
    again = RecordFactory(identifier="doc-again", title="Test again")
    again.withdraw(dana, "To be corrected.")
    for step in ("reopen", "submit", "publish"):
        getattr(Record.objects.get(pk=again.pk), step)(dana)
    Record.objects.get(pk=again.pk).withdraw(dana, "Rights unclear again.")
    RecordFactory(identifier="doc-deleted", title="Test deleted").purge(dana, "Duplicate entry.")
    RecordFactory(identifier="doc-never", status=Status.DRAFT, title="Test never public")
    RecordFactory(identifier="doc-never-deleted", status=Status.REVIEW, title="Test never").purge(dana, "Mistake.")
    return ["doc-series", "doc-volume", "doc-draft-series", "doc-draft-volume", "doc-withdrawn", "doc-revised",
            "doc-again", "doc-deleted", "doc-never", "doc-never-deleted"]


def kept_datestamps():
    from collection.models import ReservedIdentifier

    return {row[0]: row[1:] for row in ReservedIdentifier.objects.filter(datestamp__isnull=False).values_list(
        "identifier", "datestamp", "kind")}


@pytest.mark.django_db
def test_the_datestamps_kept_as_records_change_are_those_harvests_computed(dana):
    made = records_in_every_state(dana)
    kept = kept_datestamps()
    assert kept == datestamps_as_harvests_computed_them()
    assert sorted(kept) == sorted(set(made) - {"doc-draft-series", "doc-never", "doc-never-deleted"})
    assert kept["doc-revised"][1] == "document"  # the kind it was public in


@pytest.mark.django_db(transaction=True)
def test_reservations_stored_before_are_dated_as_harvests_computed_them(dana):
    import datetime

    from collection.models import Record, ReservedIdentifier, Status

    from .factories import RecordFactory

    records_in_every_state(dana)
    # Rows as older versions of the app, or code beside it, left them: a withdrawal saved before the workflow kept
    # its log, dated by its history; a deletion the reservation was not told the date of; a status written with
    # ``update()``, without a history row.
    legacy = RecordFactory(identifier="doc-legacy", title="Test legacy")
    legacy.status = Status.WITHDRAWN
    legacy.save()
    legacy.history.filter(history_id=legacy.history.first().history_id).update(
        history_date=datetime.datetime(2020, 5, 1, 9, 30, tzinfo=datetime.UTC))
    RecordFactory(identifier="doc-quiet", title="Test quiet").purge(dana, "Duplicate entry.")
    ReservedIdentifier.objects.filter(identifier="doc-quiet").update(deleted_at=None)
    Record.objects.filter(pk=RecordFactory(identifier="doc-updated").pk).update(status=Status.WITHDRAWN)
    expected = datestamps_as_harvests_computed_them()

    upgraded("0020_stored_line_breaks", lambda old: None)

    assert kept_datestamps() == expected
    assert expected["doc-legacy"][0] == datetime.datetime(2020, 5, 1, 9, 30, tzinfo=datetime.UTC)
    assert {"doc-quiet", "doc-updated", "doc-volume"} <= set(expected)
