"""Versions for agents, places and subjects (no lost edits); the roles' permissions for models added after 0003.

``0003_roles`` gave the groups the permissions that existed then: images (0005)
and import jobs (0006) were in no group. The permissions are made here the way
0003 makes them, so a fresh database and an upgraded one end the same.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

SCAN_PARTS = ["recordimage", "recordimagecaption"]

# Contributors curate records with their scans; reviewers edit any record, so they may too.
CONTRIBUTOR = [(model, f"{verb}_{model}") for model in SCAN_PARTS for verb in ("view", "add", "change", "delete")]
REVIEWER = CONTRIBUTOR
ROLES = {"Contributor": CONTRIBUTOR, "Reviewer": REVIEWER}
MANAGER = "Collection manager"


def grant_permissions(apps, schema_editor):
    # Permissions are normally made after migrating; the groups need them now.
    app_config = apps.get_app_config("collection")
    previous, app_config.models_module = getattr(app_config, "models_module", None), True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for model, codename in pairs:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="collection", content_type__model=model,
                                       codename=codename)
            )
    # "Everything in the app", including what later migrations added.
    manager, _ = Group.objects.get_or_create(name=MANAGER)
    manager.permissions.add(*Permission.objects.filter(content_type__app_label="collection"))


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in ROLES.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="collection", codename__in=[codename for _model, codename in pairs]))


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0007_catalogue_changes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="agent",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalagent",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="place",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalplace",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="subject",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalsubject",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(grant_permissions, revoke_permissions),
    ]
