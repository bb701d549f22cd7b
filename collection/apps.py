from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_migrate
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "collection"
    verbose_name = _("Collection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401
        )
        from .models import Record
        from .search import _after_migrate, _before_migrate, _record_created

        pre_migrate.connect(_before_migrate, sender=self)
        post_migrate.connect(_after_migrate, sender=self)
        post_save.connect(_record_created, sender=Record, dispatch_uid="collection_search_row")
