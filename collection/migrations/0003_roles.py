"""Create the three editorial roles as groups, so a fresh install has them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VOCABULARIES = ["subject", "subjectlabel", "place", "placename", "language"]
RECORD_PARTS = ["title", "description", "recordagent"]

CONTRIBUTOR = [
    ("record", "view_record"), ("record", "add_record"), ("record", "change_record"), ("record", "submit_record"),
    *[(model, f"{verb}_{model}") for model in RECORD_PARTS for verb in ("view", "add", "change", "delete")],
    *[(model, f"{verb}_{model}") for model in ("agent", "agentname") for verb in ("view", "add", "change")],
    ("agentname", "delete_agentname"),
    *[(model, f"view_{model}") for model in VOCABULARIES],
    ("statuschange", "view_statuschange"),
]
REVIEWER = [
    *CONTRIBUTOR,
    ("record", "review_record"), ("record", "publish_record"), ("record", "withdraw_record"),
]
ROLES = {"Contributor": CONTRIBUTOR, "Reviewer": REVIEWER}
MANAGER = "Collection manager"


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrating; the groups need them now.
    app_config = apps.get_app_config("collection")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for model, codename in pairs:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="collection", content_type__model=model,
                                       codename=codename)
            )
    manager, _ = Group.objects.get_or_create(name=MANAGER)
    manager.permissions.add(*Permission.objects.filter(content_type__app_label="collection"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, MANAGER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0002_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
