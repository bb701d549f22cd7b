"""Records keep the date of their first publication, with an index of the published ones in that order: the feed
of new records reads its newest entries off it instead of searching every record's history."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0015_translated_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="first_published",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="first published"),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["status", "-first_published", "-id"], name="collection_record_first_pub"),
        ),
    ]
