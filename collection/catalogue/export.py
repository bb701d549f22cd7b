"""Records as catalogue rows: the cells export writes and the writer compares against.

Vocabulary and agent cells hold identifiers; multi-valued cells are sorted where
their order carries no meaning (places, subjects, languages) and kept in order
where it does (agents in a role), so the same record always gives the same row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import Prefetch, QuerySet

from ..models import Record, RecordAgent
from .format import AGENT_ROLE_COLUMNS, PLAIN_FIELDS, join_values, label_tags, languages, record_columns

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
    for tag in tags:
        match = next((t for t in titles if t.preferred and t.language.lower() == tag.lower()), None)
        cells[f"title_{tag}"] = match.text if match else ""
        if match and match.our_translation:
            ours.append(f"title_{tag}")
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
    cells["our_translations"] = tuple(sorted(ours))
    cells["languages"] = tuple(sorted(language.tag for language in record.languages.all()))
    cells["places"] = tuple(sorted(place.identifier for place in record.places.all()))
    cells["subjects"] = tuple(sorted(subject.identifier for subject in record.subjects.all()))
    links = sorted(record.agent_links.all(), key=lambda link: (link.position, link.pk))
    for column, role in AGENT_ROLE_COLUMNS.items():
        cells[column] = tuple(link.agent.identifier for link in links if link.role == role)
    return cells


def as_text(value: Cell) -> str:
    return join_values(value) if isinstance(value, tuple) else value


def export_rows(queryset: QuerySet[Record], configured: Sequence[str] | None = None) -> Iterator[dict[str, str]]:
    """One dict of cell texts per record, in identifier order, streaming in chunks."""
    columns = record_columns(configured)
    for record in export_queryset(queryset).iterator(chunk_size=500):
        cells = record_cells(record, configured)
        yield {column: as_text(cells.get(column, "")) for column in columns}
