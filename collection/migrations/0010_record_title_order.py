"""Each cataloguing language's title order: pages sort by the title they show, not by the original.

Every record starts in each language's order where its original title put it; the
keys of the titles each language's pages show are made by the app's code of the day,
``manage.py rebuild_search_index`` (see the README on upgrading). The version
triggers take in the new table after migrating (``collection.search.COUNTED_TABLES``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def start_from_the_original_order(apps, schema_editor):
    alias = schema_editor.connection.alias
    languages = list(getattr(settings, "COLLECTION_LANGUAGES", ["ja", "ru", "en"]))
    order = apps.get_model("collection", "RecordTitleOrder")
    search = apps.get_model("collection", "RecordSearch")
    batch = []
    for record_id, title_key in search.objects.using(alias).values_list("record_id", "title_key").iterator(
            chunk_size=5000):
        batch.extend(order(record_id=record_id, language=language, title_key=title_key) for language in languages)
        if len(batch) >= 5000:
            order.objects.using(alias).bulk_create(batch)
            batch = []
    order.objects.using(alias).bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0009_tombstone_titles"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordTitleOrder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=35)),
                ("title_key", models.CharField(blank=True, default="", max_length=255)),
                ("record", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="collection.record")),
            ],
            options={
                "verbose_name": "title order",
                "verbose_name_plural": "title orders",
                "default_permissions": (),
                "indexes": [models.Index(fields=["language", "title_key", "record"],
                                         name="collection_title_order_idx")],
                "constraints": [models.UniqueConstraint(fields=("record", "language"),
                                                        name="collection_title_order_once")],
            },
        ),
        migrations.RunPython(start_from_the_original_order, migrations.RunPython.noop),
    ]
