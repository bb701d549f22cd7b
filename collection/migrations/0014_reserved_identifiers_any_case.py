"""Record identifiers are one whatever their letter case: mem-1 and MEM-1 can no longer name two records."""

import django.db.models.functions.text
from django.db import migrations, models


def refuse_identifiers_differing_in_case(apps, schema_editor):
    """Name the identifiers the constraint would refuse, rather than fail on the first with a database error."""
    reserved = apps.get_model("collection", "ReservedIdentifier")
    seen: dict[str, list[str]] = {}
    for identifier in reserved.objects.using(schema_editor.connection.alias).values_list("identifier", flat=True):
        seen.setdefault(identifier.lower(), []).append(identifier)
    clashes = sorted(", ".join(sorted(group)) for group in seen.values() if len(group) > 1)
    if clashes:
        raise RuntimeError(
            "Record identifiers are now the same whatever their letter case, and these were given to different "
            "records: " + "; ".join(clashes) + ". Their URLs cannot tell them apart: resolve them by hand, then "
            "migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0013_import_job_vocabulary"),
    ]

    operations = [
        migrations.RunPython(refuse_identifiers_differing_in_case, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="reservedidentifier",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("identifier"), name="collection_reserved_identifier_any_case",
            ),
        ),
    ]
