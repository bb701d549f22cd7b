"""Load the seeded collection (vocabulary sheets, then records) through the catalogue writer."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from ...catalogue.export_lines import refresh_export_lines
from ...catalogue.seed import SeedError, load_seed


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Load the catalogue sheets in a fixtures directory; loading them again changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=None,
                            help=_("The directory with places.csv, subjects.csv, agents.csv and records.csv "
                                   "(default: fixtures/ in the project's BASE_DIR, else in the current directory)."))

    def handle(self, *args, **options) -> None:
        directory = Path(options["dir"] or Path(getattr(settings, "BASE_DIR", Path.cwd())) / "fixtures")
        if not directory.is_dir():
            raise CommandError(_("There is no directory %(dir)s.") % {"dir": directory})
        try:
            with transaction.atomic():
                results = load_seed(directory)
        except SeedError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        refresh_export_lines()
        if options["verbosity"]:
            for result in results.values():
                for line in result.summary_lines():
                    self.stdout.write(line)
