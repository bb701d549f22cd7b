"""Bring every missing reading and romanization up to date at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...importing.progress import ProgressBar
from ...importing.romanizations import update_missing_forms


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Derive the kana readings and romanizations that titles and names lack (after an import).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--refresh", action="store_true",
                            help=_("Also redo machine-made forms whose source changed."))
        parser.add_argument("--progress", action="store_true", help=_("Draw a progress bar even when not on a "
                                                                      "terminal."))

    def handle(self, *args: Any, refresh: bool = False, progress: bool = False, **options: Any) -> None:
        bar = ProgressBar(self.stderr._out, _("Deriving"), force=progress)
        changed = update_missing_forms(refresh=refresh, progress=bar)
        bar.finish()
        self.stdout.write(_("%(count)s readings and romanizations derived or updated.") % {"count": changed})
