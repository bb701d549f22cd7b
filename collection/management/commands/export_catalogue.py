"""Export records as a catalogue spreadsheet that imports back unchanged."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...catalogue.csv_io import write_csv
from ...catalogue.export import export_rows
from ...catalogue.files import write_xlsx
from ...catalogue.format import record_columns
from ...models import Record, RecordKind, Status


class Command(BaseCommand):
    help = gettext_lazy("Export records as a catalogue spreadsheet (CSV UTF-8 with BOM, or XLSX; sorted by "
                        "identifier).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Where to write; “-” for standard output."))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="",
                            help=_("Default: from the file name's extension, else csv."))
        parser.add_argument("--kind", action="append", choices=RecordKind.values, help=_("Only this kind."))
        parser.add_argument("--status", action="append", choices=Status.values, help=_("Only this status."))

    def handle(self, *args, **options) -> None:
        records = Record.objects.all()
        if options["kind"]:
            records = records.of_kind(*options["kind"])
        if options["status"]:
            records = records.filter(status__in=options["status"])
        file_format = options["format"] or ("xlsx" if options["file"].lower().endswith(".xlsx") else "csv")
        if file_format == "xlsx":
            columns = record_columns()
            buffer = io.BytesIO()
            count = write_xlsx(([*columns], *([row[c] for c in columns] for row in export_rows(records))), buffer)
            rows, data = range(count), buffer.getvalue()
        else:
            rows = list(export_rows(records))
            data = write_csv(rows, record_columns())
        if options["file"] == "-":
            if hasattr(self.stdout, "buffer"):
                self.stdout.buffer.write(data)  # the exact bytes, BOM and CRLF included
            else:
                self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            Path(options["file"]).write_bytes(data)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(_("%(count)s records written to %(file)s") % {
            "count": len(rows), "file": options["file"]})
