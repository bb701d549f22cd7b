"""Places and subjects keep the time of their last change, as agents do: an import previewed before one of them
changed is refused on confirmation (``catalogue_fingerprint``).

Entries already stored are dated by their history (their own or their names' latest change), not by the
migration, so that the time says when each last changed."""

import datetime

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

# For an entry without any history: older than any record, so that it moves no datestamp.
NO_HISTORY = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

ENTRIES = (("Place", "PlaceName", "place"), ("Subject", "SubjectLabel", "subject"))


def _last(history, key: str):
    return Coalesce(Subquery(history.objects.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(
        last=Max("history_date")).values("last")), Value(NO_HISTORY))


def date_by_history(apps, schema_editor):
    for entry, label, owner in ENTRIES:
        model = apps.get_model("collection", entry)
        entry_history = apps.get_model("collection", f"Historical{entry}")
        label_history = apps.get_model("collection", f"Historical{label}")
        model.objects.update(modified=Greatest(_last(entry_history, "id"), _last(label_history, f"{owner}_id")))
        # A version's time is when it was saved.
        entry_history.objects.update(modified=models.F("history_date"))


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
        migrations.RunPython(date_by_history, migrations.RunPython.noop),
    ]
