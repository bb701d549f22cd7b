"""Import a catalogue spreadsheet (CSV) through the one validating writer."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...catalogue.csv_io import CatalogueFileError, read_csv
from ...catalogue.writer import write_rows


class Command(BaseCommand):
    help = _("Import records from a catalogue spreadsheet; all rows or none.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("A catalogue sheet saved as CSV (UTF-8)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check the file and report; write nothing."))
        parser.add_argument("--user", help=_("Act as this user, with their permissions. Default: the operator, "
                                             "as a collection manager."))

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        user = None
        if options["user"]:
            user = get_user_model()._default_manager.filter(
                **{get_user_model().USERNAME_FIELD: options["user"]}).first()
            if user is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": options["user"]})
            if not user.has_perm("collection.import_records"):
                raise CommandError(_("%(name)s may not import catalogue spreadsheets.") % {"name": options["user"]})
        try:
            rows = read_csv(path.read_bytes())
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        except CatalogueFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        source = (_("command line: %(file)s") if user is None else _("command line (%(user)s): %(file)s")) % {
            "file": path.name, "user": options["user"]}
        result = write_rows(rows, user=user, source=source, dry_run=options["dry_run"])
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)s problem(s) in %(file)s; nothing was written.") % {
                "count": len(result.errors), "file": path.name})
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        for line in result.summary_lines():
            self.stdout.write(line)
