"""Reservations keep the datestamp harvesters know each record by, and the kind it was last public in, with an
index in the order harvests list them: OAI-PMH selects and pages by it instead of reading every record's history.
Records get an index of their last change, by which the records a rename dates anew are found."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0020_stored_line_breaks"),
    ]

    operations = [
        migrations.AddField(
            model_name="reservedidentifier",
            name="datestamp",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="datestamp"),
        ),
        migrations.AddField(
            model_name="reservedidentifier",
            name="kind",
            field=models.CharField(blank=True, default="", editable=False, max_length=20, verbose_name="kind"),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["modified"], name="collection_record_modified"),
        ),
        migrations.AddIndex(
            model_name="reservedidentifier",
            index=models.Index(fields=["datestamp", "identifier"], name="collection_reserved_datestamp"),
        ),
    ]
