"""Each record's row of a CSV catalogue export, written ready, so that an export only copies it.

Derived data, never edited: :func:`collection.catalogue.export_lines.refresh_export_lines`
writes it, and database triggers (made by migration ``0012_export_lines`` on PostgreSQL,
after every migrate on SQLite) delete a record's row in the same transaction as any
change to what the row shows: the record, its
titles, descriptions, languages, places, subjects and agents, and an identifier or
language tag it names. An export uses the ready row of a record when there is one for
its columns and computes the rest, so it is exact whether or not the rows are ready.
"""

from __future__ import annotations

from django.db import models

from .records import Record


class ExportLine(models.Model):
    # No foreign key in the database: its check at commit would lock the record (FOR KEY SHARE) while the
    # rows are written under their table lock, and a save that locked the record first would deadlock with
    # it. Nor a cascade in Python: the triggers delete a record's row with the record.
    record = models.OneToOneField(Record, on_delete=models.DO_NOTHING, primary_key=True,
                                  related_name="export_line", db_constraint=False)
    # Which columns the line has, and how it was written: see export_lines.layout_of().
    layout = models.CharField(max_length=16)
    # The CSV line, formula-safe, with its CRLF, as the export writes it.
    line = models.TextField()

    class Meta:
        verbose_name = "ready export row"
        verbose_name_plural = "ready export rows"
        default_permissions = ()  # derived by the database and the import's task: nobody edits it

    def __str__(self) -> str:
        return f"export row of record {self.record_id}"
