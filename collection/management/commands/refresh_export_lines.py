"""Write the ready export row of every record that lacks one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...catalogue.export_lines import refresh_export_lines


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Write the ready CSV export row of every record that lacks one: after an upgrade, a change of "
                 "COLLECTION_LANGUAGES or changes made in SQL (imports and edits queue a task that writes them). "
                 "Exports are exact without them, only slower.")

    def handle(self, *args: Any, **options: Any) -> None:
        written = refresh_export_lines()
        self.stdout.write(_("%(count)s export rows written.") % {"count": written})
