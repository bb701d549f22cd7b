"""Date each record's first publication from its history: the first history row in which it is published.

One ``UPDATE`` for the whole table, the database reading each record's history itself, on SQLite as on
PostgreSQL. A record never published keeps none. Undoing it has nothing to do: the column goes with the
migration before.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def date_first_publications_from_history(apps, schema_editor):
    alias = schema_editor.connection.alias
    record = apps.get_model("collection", "Record")
    history = apps.get_model("collection", "HistoricalRecord")
    published = history.objects.using(alias).filter(id=OuterRef("pk"), status="published")
    first = published.order_by("history_id").values("history_date")[:1]
    # Only the records ever published are written: the others keep their null without a row rewritten.
    record.objects.using(alias).filter(Exists(published), first_published__isnull=True).update(
        first_published=Subquery(first)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0016_record_first_published"),
    ]

    operations = [
        migrations.RunPython(date_first_publications_from_history, migrations.RunPython.noop, elidable=True),
    ]
