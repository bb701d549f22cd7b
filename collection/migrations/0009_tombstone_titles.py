"""A deleted record's notice keeps its titles as they were when it was last public, in every language.

Rows reserved before keep their one stored ``title``, which the notice falls back to.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0008_authority_versions_and_roles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reservedidentifier",
            name="title",
            field=models.TextField(blank=True, help_text="The title when the record was last public."),
        ),
        migrations.AddField(
            model_name="reservedidentifier",
            name="titles",
            field=models.JSONField(
                blank=True, default=list, help_text="The titles when the record was last public, in every language.",
            ),
        ),
    ]
