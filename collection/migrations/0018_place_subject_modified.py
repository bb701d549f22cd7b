"""Places and subjects keep the time of their last change, as agents do: a record's OAI datestamp follows a renamed
place or subject, whose names its Dublin Core gives. Entries already stored count as changed now."""

import django.utils.timezone
from django.db import migrations, models


def _modified(**options):
    return models.DateTimeField(verbose_name="modified", **options)


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0017_first_published_from_history"),
    ]

    operations = [
        *(migrations.AddField(model_name=model, name="modified",
                              field=_modified(auto_now=True, default=django.utils.timezone.now),
                              preserve_default=False)
          for model in ("place", "subject")),
        *(migrations.AddField(model_name=model, name="modified",
                              field=_modified(blank=True, editable=False, default=django.utils.timezone.now),
                              preserve_default=False)
          for model in ("historicalplace", "historicalsubject")),
    ]
