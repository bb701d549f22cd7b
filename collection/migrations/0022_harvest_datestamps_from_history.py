"""Date each reservation for harvesters from its record and the record's history, as OAI-PMH dated it at each
request before the date was kept.

A published record: its last change (``modified``), or its published parent's, if later. A record once published
and no longer: when it left, the first change of its history after its last publication (for a record without
one, its last change); a deleted one, its deletion (``deleted_at``, else the history's last row). Its kind: a
published record's own, otherwise the one it had when last published. A record never published gets none and
stays unknown to harvesters.

One ``UPDATE`` for the whole table, the database reading each record's history itself, on SQLite as on
PostgreSQL; the statuses are written out, so that the rule stays this one whatever the app's code or the site's
settings become. Undoing it has nothing to do: the columns go with the migration before.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

PUBLISHED = "published"


def date_reservations_from_history(apps, schema_editor):
    alias = schema_editor.connection.alias
    records = apps.get_model("collection", "Record").objects.using(alias)
    history = apps.get_model("collection", "HistoricalRecord").objects.using(alias)
    reserved = apps.get_model("collection", "ReservedIdentifier").objects.using(alias)

    record = records.filter(pk=OuterRef("record_id"))
    public = Exists(record.filter(status=PUBLISHED))
    known = public | Exists(history.filter(identifier=OuterRef("identifier"), status=PUBLISHED))

    # A published record's last change: its own, or its published parent's if later.
    parent_public = Exists(records.filter(pk=OuterRef("parent_id"), status=PUBLISHED))
    parent_changed = models.Case(models.When(parent_public, then=models.F("parent__modified")))
    last_change = Greatest("modified", Coalesce(parent_changed, "modified"), output_field=models.DateTimeField())
    public_change = Subquery(record.annotate(at=last_change).values("at")[:1])

    # When a record no longer published left publication.
    last_published = history.filter(id=OuterRef("id"), status=PUBLISHED).order_by("-history_id").values(
        "history_id")[:1]
    left_at = history.filter(id=OuterRef("record_id"), history_id__gt=Subquery(last_published)).order_by(
        "history_id").values("history_date")[:1]
    last_row = history.filter(identifier=OuterRef("identifier")).order_by("-history_id").values("history_date")[:1]
    left = models.Case(
        models.When(record__isnull=True, then=Coalesce("deleted_at", Subquery(last_row))),
        default=Coalesce(Subquery(left_at), Subquery(record.values("modified")[:1])),
        output_field=models.DateTimeField(),
    )
    kind_when_public = history.filter(identifier=OuterRef("identifier"), status=PUBLISHED).order_by(
        "-history_id").values("kind")[:1]

    reserved.filter(known).update(
        datestamp=models.Case(models.When(public, then=public_change), default=left,
                              output_field=models.DateTimeField()),
        kind=models.Case(models.When(public, then=Subquery(record.values("kind")[:1])),
                         default=Coalesce(Subquery(kind_when_public), models.Value("")),
                         output_field=models.CharField()),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0021_harvest_datestamps"),
    ]

    operations = [
        migrations.RunPython(date_reservations_from_history, migrations.RunPython.noop, elidable=True),
    ]
