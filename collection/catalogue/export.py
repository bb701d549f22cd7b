"""Records as catalogue rows: the cells export writes and the writer compares against.

Vocabulary and agent cells hold identifiers; multi-valued cells are sorted where
their order carries no meaning (places, subjects, languages) and kept in order
where it does (agents in a role), so the same record always gives the same row.

:func:`record_cells` reads one record held as a model instance (the writer compares
the rows of a file with it). Export streams whole catalogues, so it reads the same
cells with one query instead (:mod:`.export_query`) and never builds a model
instance: :func:`export_file` writes CSV or XLSX, :func:`export_csv_chunks` gives the
CSV in pieces for a streaming response. The tests hold the two readings to the same
bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from itertools import chain
from typing import IO

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Prefetch, QuerySet

from ..models import Record, RecordAgent, Title
from .bulk import planned_with
from .csv_io import csv_chunks, read_line, write_csv_rows
from .export_lines import layout_of
from .export_query import export_sql
from .files import CSV, XLSX
from .format import (
    AGENT_ROLE_COLUMNS,
    PLAIN_FIELDS,
    has_column,
    join_values,
    label_tags,
    languages,
    record_columns,
)

Cell = str | tuple[str, ...]


def export_queryset(queryset: QuerySet[Record]) -> QuerySet[Record]:
    """The queryset with everything a row shows, fetched in a fixed number of queries."""
    if not queryset.query.is_sliced:
        queryset = queryset.order_by("identifier")
    return queryset.select_related("parent", "described_agent", "repository").prefetch_related(
        "titles",
        "descriptions",
        "languages",
        Prefetch("places", queryset=Record.places.rel.model.objects.only("pk", "identifier")),
        Prefetch("subjects", queryset=Record.subjects.rel.model.objects.only("pk", "identifier")),
        Prefetch("agent_links", queryset=RecordAgent.objects.select_related("agent").only(
            "pk", "record_id", "role", "position", "agent__identifier")),
    )


def variant_cell(language: str, text: str) -> str:
    return f"{language}:{text}"


def record_cells(record: Record, configured: Sequence[str] | None = None) -> dict[str, Cell]:
    """The record's cells as values: text, or a tuple of texts for a multi-valued column."""
    configured = list(configured if configured is not None else languages())
    tags = label_tags(configured)
    cells: dict[str, Cell] = {
        "identifier": record.identifier,
        "kind": record.kind,
        "status": record.status,
        "parent": record.parent.identifier if record.parent_id else "",
        "sequence": "" if record.sequence is None else str(record.sequence),
        "date": record.date_edtf,
        "accessed": record.accessed.isoformat() if record.accessed else "",
        "described_agent": record.described_agent.identifier if record.described_agent_id else "",
        "repository": record.repository.identifier if record.repository_id else "",
    }
    for name in PLAIN_FIELDS:
        cells[name] = getattr(record, name) or ""
    titles = sorted(record.titles.all(), key=lambda title: title.pk)
    ours: list[str] = []
    machine: list[str] = []
    for tag in tags:
        match = next((t for t in titles if t.preferred and t.language.lower() == tag.lower()), None)
        cells[f"title_{tag}"] = match.text if match else ""
        if match and match.our_translation:
            ours.append(f"title_{tag}")
        if match and match.is_machine_made:
            machine.append(f"title_{tag}")
    # The preferred titles in tags without a column: the first of each tag, as for a column.
    others: dict[str, Title] = {}
    for title in titles:
        if title.preferred and not has_column(title.language, tags):
            others.setdefault(title.language.lower(), title)
    cells["other_titles"] = tuple(sorted(variant_cell(t.language, t.text) for t in others.values()))
    ours.extend(f"title_{t.language}" for t in others.values() if t.our_translation)
    machine.extend(f"title_{t.language}" for t in others.values() if t.is_machine_made)
    # Machine-made forms of variants follow their source and are not the archivist's to list.
    cells["variant_titles"] = tuple(sorted(
        variant_cell(t.language, t.text) for t in titles if not t.preferred and not t.machine_made
    ))
    descriptions = {d.language.lower(): d for d in record.descriptions.all()}
    for tag in configured:
        description = descriptions.get(tag.lower())
        cells[f"description_{tag}"] = description.text if description else ""
        if description and description.our_translation:
            ours.append(f"description_{tag}")
    other_descriptions = [d for d in descriptions.values() if not has_column(d.language, configured)]
    cells["other_descriptions"] = tuple(sorted(variant_cell(d.language, d.text) for d in other_descriptions))
    ours.extend(f"description_{d.language}" for d in other_descriptions if d.our_translation)
    cells["our_translations"] = tuple(sorted(ours))
    cells["machine_made"] = tuple(sorted(machine))
    cells["languages"] = tuple(sorted(language.tag for language in record.languages.all()))
    cells["places"] = tuple(sorted(place.identifier for place in record.places.all()))
    cells["subjects"] = tuple(sorted(subject.identifier for subject in record.subjects.all()))
    links = sorted(record.agent_links.all(), key=lambda link: (link.position, link.pk))
    for column, role in AGENT_ROLE_COLUMNS.items():
        cells[column] = tuple(link.agent.identifier for link in links if link.role == role)
    return cells


def as_text(value: Cell) -> str:
    return join_values(value) if isinstance(value, tuple) else value


def catalogue_rows(queryset: QuerySet[Record], configured: Sequence[str] | None = None, *,
                   chunk_size: int = 2000, ready_lines: bool = False) -> Iterator[tuple[str | None, ...]]:
    """Each record's cell texts in the order of :func:`record_columns`, sorted by identifier.

    One query, read through a server-side cursor on PostgreSQL (unless the database
    settings disable them, as behind a transaction-pooling proxy) and in chunks on
    SQLite, so memory stays flat whatever the number of records. ``queryset`` may be
    filtered, ordered or sliced; only which records it holds counts.

    With ``ready_lines``, each row is ``(line, cells)``: the record's CSV line if it is
    ready (:mod:`.export_lines`), else ``None`` and its cells as a JSON array.
    """
    connection = connections[queryset.db]
    if not queryset.query.is_sliced:
        queryset = queryset.order_by()
    try:
        selection, params = queryset.values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can hold nothing (.none(), pk__in=[]) is not run at all
        return
    configured = configured if configured is not None else languages()
    sql = export_sql(connection, selection, configured, layout_of(configured) if ready_lines else None)
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        # Its dozen joins pass ``jit_above_cost`` on a whole catalogue, and PostgreSQL would compile hundreds of
        # functions before the first row: about 150 ms of a 330 ms export of 40,000 ready rows.
        with planned_with(queryset.db, jit="off"):
            cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def export_csv_chunks(queryset: QuerySet[Record], configured: Sequence[str] | None = None) -> Iterator[bytes]:
    """The records as a CSV catalogue sheet (UTF-8 with a BOM, CRLF, formula-safe), in pieces as they stream."""
    return csv_chunks(catalogue_rows(queryset, configured, ready_lines=True), record_columns(configured),
                      ready_lines=True)


def export_file(queryset: QuerySet[Record], out: IO[bytes], file_format: str = CSV,
                configured: Sequence[str] | None = None) -> int:
    """Write the records to ``out`` as a catalogue sheet in ``file_format`` (csv or xlsx); return how many.

    The one export behind the ``export_catalogue`` command and the admin's export.
    """
    if file_format not in (CSV, XLSX):
        raise ValueError(f"unknown export format {file_format!r}")
    columns = record_columns(configured)
    # Closed here even when the writer refuses a cell: the server-side cursor it holds must not be closed
    # later, by whatever transaction then runs on the connection.
    with closing(catalogue_rows(queryset, configured, ready_lines=True)) as rows:
        if file_format == XLSX:
            from .xlsx_writer import write_xlsx_rows

            return write_xlsx_rows(chain([columns], cells_of(rows)), out)
        return write_csv_rows(rows, columns, out, ready_lines=True)


def cells_of(rows: Iterable[Sequence[str | None]]) -> Iterator[Sequence[str]]:
    """The cells of rows read with ``ready_lines``: a ready line read back, or the JSON array after ``None``."""
    for line, cells in rows:
        yield json.loads(cells) if line is None else read_line(line)
