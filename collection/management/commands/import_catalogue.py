"""Import a catalogue spreadsheet (CSV or XLSX) through the one validating writer.

With ``--vocabulary``, the file is a places, subjects or agents sheet, written by the vocabulary writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ... import reasons
from ...catalogue.files import FileRefused, Table, read_table
from ...catalogue.vocabulary_files import VOCABULARY_SHEETS, import_vocabulary, vocabulary_refusal
from ...catalogue.writer import WriteResult, write_rows
from ...importing.deferral import deferred_derivation
from ...importing.jobs import queue_derived_forms
from ...importing.progress import RowsProgress, Working


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Import records, or with --vocabulary a places, subjects or agents sheet, from a catalogue "
                 "spreadsheet; all rows or none.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("A catalogue sheet saved as CSV or XLSX."))
        parser.add_argument("--encoding", default="", help=_(
            "The CSV file's encoding when it is neither UTF-8 nor marked by a byte-order mark: cp932 (Japanese "
            "Windows, also called Shift_JIS), cp1251 (Russian Windows), utf-16-le…"))
        parser.add_argument("--sheet", default="", help=_("The XLSX sheet to read; default the first sheet."))
        parser.add_argument("--progress", action="store_true",
                            help=_("Show progress even when not on a terminal."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check the file and report; write nothing."))
        parser.add_argument("--user", help=_("Act as this user, with their permissions. Default: the operator, "
                                             "as a collection manager."))
        parser.add_argument("--vocabulary", choices=VOCABULARY_SHEETS, default="", help=_(
            "The file is this vocabulary sheet, not records. The user needs the permissions to add and change "
            "its entries."))

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        user = None
        if options["user"]:
            user = get_user_model()._default_manager.filter(
                **{get_user_model().USERNAME_FIELD: options["user"]}).first()
            if user is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": options["user"]})
            if options["vocabulary"]:
                refusal = vocabulary_refusal(user, options["vocabulary"], options["user"])
                if refusal:
                    raise CommandError(refusal)
            elif not user.has_perm("collection.import_records"):
                raise CommandError(_("%(name)s may not import catalogue spreadsheets.") % {"name": options["user"]})
        progress = Working(self.stderr._out, force=options["progress"])
        try:
            with progress.step(_("Reading %(file)s") % {"file": path.name}), path.open("rb") as handle:
                table = read_table(handle, name=path.name, encoding=options["encoding"] or None,
                                   sheet=options["sheet"] or None)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        except FileRefused as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        source = reasons.command_line(path.name, options["user"] if user is not None else "")
        if options["vocabulary"]:
            result = self._write_vocabulary(table, options, user=user, source=source)
        else:
            result = self._write_records(table, options, user=user, source=source)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)s problem(s) in %(file)s; nothing was written.") % {
                "count": len(result.errors), "file": path.name})
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        for line in result.summary_lines():
            self.stdout.write(line)

    def _rows_bar(self, table: Table, options: dict) -> RowsProgress:
        return RowsProgress(self.stderr._out, _("Checking and writing %(count)s rows") % {"count": f"{len(table):,}"},
                            len(table), force=options["progress"])

    def _write_records(self, table: Table, options: dict, *, user: Any, source: str) -> WriteResult:
        bar = self._rows_bar(table, options)
        try:
            with deferred_derivation():
                result = write_rows(table.records(), header=table.header, user=user, source=source,
                                    dry_run=options["dry_run"], progress=bar, encoding=table.encoding)
        finally:
            bar.finish()
        if not result.errors and not options["dry_run"]:
            queue_derived_forms(result)
        return result

    def _write_vocabulary(self, table: Table, options: dict, *, user: Any, source: str) -> WriteResult:
        # A vocabulary is small, so its readings and romanizations are derived as it is written, as the seed
        # loader's are, not left to the task that derives those of records.
        bar = self._rows_bar(table, options)
        try:
            return import_vocabulary(options["vocabulary"], table, user=user, source=source,
                                     dry_run=options["dry_run"], progress=bar)
        finally:
            bar.finish()
