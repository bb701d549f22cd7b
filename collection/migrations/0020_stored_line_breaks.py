"""Texts keep their line breaks as ``\\n`` (``collection.text.stored_form``): those stored with CRLF, as a browser
sends a text box, or a lone CR are written so, in their history too, so that a text compares equal to itself
after a trip through a form or a spreadsheet program. The ready export rows holding such a text are dropped:
an export computes them again."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Replace

from collection.fields import NFCCharField, NFCTextField


def store_line_breaks_as_newlines(apps, schema_editor):
    for model in apps.get_app_config("collection").get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, NFCCharField | NFCTextField):
                continue
            as_newlines = Replace(Replace(F(field.attname), Value("\r\n"), Value("\n")), Value("\r"), Value("\n"))
            model._base_manager.filter(**{f"{field.attname}__contains": "\r"}).update(
                **{field.attname: as_newlines})
    export_line = apps.get_model("collection", "ExportLine")
    # Every line ends with its CRLF; one inside it is a text's.
    stale = [pk for pk, line in export_line.objects.filter(line__contains="\r").values_list("pk", "line")
             if "\r" in line[:-2]]
    for start in range(0, len(stale), 500):
        export_line.objects.filter(pk__in=stale[start:start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [("collection", "0019_date_help_text")]

    operations = [migrations.RunPython(store_line_breaks_as_newlines, migrations.RunPython.noop, elidable=True)]
