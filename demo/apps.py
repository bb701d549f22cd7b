from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo site"


class TasksDatabaseConfig(TasksAppConfig):
    """The database task backend, under a name the admin's readers can read in their language."""

    verbose_name = _("Background tasks")
