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
