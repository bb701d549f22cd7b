"""Export records, or one vocabulary sheet, as a catalogue spreadsheet that imports back unchanged."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...catalogue.export import export_file
from ...catalogue.vocabulary_files import VOCABULARY_SHEETS, export_vocabulary_file
from ...catalogue.xlsx_writer import CellRefused
from ...models import Record, RecordKind, Status


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Export records, or with --vocabulary a places, subjects or agents sheet, as a catalogue "
                 "spreadsheet (CSV UTF-8 with BOM, or XLSX; sorted by identifier).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Where to write; “-” for standard output."))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="",
                            help=_("Default: from the file name's extension, else csv."))
        parser.add_argument("--kind", action="append", choices=RecordKind.values, help=_("Only this kind."))
        parser.add_argument("--status", action="append", choices=Status.values, help=_("Only this status."))
        parser.add_argument("--vocabulary", choices=VOCABULARY_SHEETS, default="",
                            help=_("Export this vocabulary sheet instead of the records."))

    def handle(self, *args, **options) -> None:
        file_format = options["format"] or ("xlsx" if options["file"].lower().endswith(".xlsx") else "csv")
        vocabulary = options["vocabulary"]
        if vocabulary:
            if options["kind"] or options["status"]:
                raise CommandError(_("--kind and --status choose records; a vocabulary sheet is exported whole."))
            write: Callable[[IO[bytes]], int] = functools.partial(
                export_vocabulary_file, vocabulary, file_format=file_format)
        else:
            records = Record.objects.all()
            if options["kind"]:
                records = records.of_kind(*options["kind"])
            if options["status"]:
                records = records.filter(status__in=options["status"])
            write = functools.partial(export_file, records, file_format=file_format)
        if options["file"] == "-":
            self._to_stdout(write, file_format)
            return
        target = Path(options["file"])
        # Written beside the target and moved over it when complete: an export that fails half-way
        # leaves no truncated catalogue behind.
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            with open(partial, "xb") as out:
                count = write(out)
            os.replace(partial, target)
        except (OSError, CellRefused) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            partial.unlink(missing_ok=True)
        if vocabulary:
            self.stderr.write(ngettext("%(count)s entry of the %(sheet)s sheet written to %(file)s",
                                       "%(count)s entries of the %(sheet)s sheet written to %(file)s", count) % {
                "count": count, "sheet": vocabulary, "file": options["file"]})
        else:
            self.stderr.write(_("%(count)s records written to %(file)s") % {"count": count, "file": options["file"]})

    def _to_stdout(self, write: Callable[[IO[bytes]], int], file_format: str) -> None:
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            try:
                write(binary)  # the exact bytes, BOM and CRLF included
                binary.flush()
            except BrokenPipeError:
                # The reader stopped early (`| head`): stop quietly, as other command-line tools do, with
                # the interpreter's flush at exit sent nowhere instead of failing a second time.
                os.dup2(os.open(os.devnull, os.O_WRONLY), binary.fileno())
                raise SystemExit(1) from None
            return
        if file_format != "csv":
            raise CommandError(_("XLSX cannot be written to a text output; name a file."))
        write(_TextOut(self.stdout))


class _TextOut:
    """A binary-file face on a text stream (a test's StringIO) for UTF-8 CSV."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"), ending="")
        return len(data)
