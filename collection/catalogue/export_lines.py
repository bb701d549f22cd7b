"""Each record's CSV export row, written ready: what lets an export stream a catalogue at the speed of one table.

Assembling a row reads six related tables per record, which bounds an export to a
few tens of thousands of rows a second. So each record's row is also kept written
(:class:`~collection.models.ExportLine`), and an export copies it where it is there
and current, and computes the rest (:func:`collection.catalogue.export.catalogue_rows`).

* **Exact.** Database triggers delete a record's row in the same transaction as any
  change to what it shows, whatever code or SQL makes the change: the record itself,
  its titles, descriptions, languages, places, subjects and agents, the identifier of
  the parent, agent, place or subject it names, or a language's tag. A row is written
  only under a lock that no such change can slip past (:func:`refresh_export_lines`).
* **Of one layout.** A row is kept with the key of the columns it was written for
  (``COLLECTION_LANGUAGES``) and of how it was written (:data:`WRITING`); an export
  uses rows of its own layout only, so changing either needs no migration.
* **Filled afterwards.** The task an import queues, the task any other change to
  what a row shows queues when it commits (:func:`queue_refresh`), and ``manage.py
  refresh_export_lines`` write every missing row; until then the export assembles
  that record.

The trigger functions name the columns of :data:`SOURCE_TABLES` and :data:`NAMED_TABLES`:
a migration that renames one must make them again with :func:`triggers_sql`.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, models, transaction

from ..db_triggers import all_present
from ..models import ExportLine, Record
from .bulk import insert_values
from .csv_io import csv_lines
from .format import record_columns

# Bumped whenever a row would be written differently (cells, quoting, escaping), so that rows written
# before are no longer used.
WRITING = "1"

# The tables a record's row is made from, and the column naming the record.
SOURCE_TABLES = (
    ("collection_record", "id"),
    ("collection_title", "record_id"),
    ("collection_description", "record_id"),
    ("collection_record_languages", "record_id"),
    ("collection_record_places", "record_id"),
    ("collection_record_subjects", "record_id"),
    ("collection_recordagent", "record_id"),
)
# Entries a row names by identifier (or tag), and the records naming those of ``{ids}`` (each select
# can use an index).
NAMED_TABLES = (
    ("collection_record", "identifier", "SELECT id FROM collection_record WHERE parent_id IN ({ids})"),
    ("collection_agent", "identifier",
     "SELECT record_id FROM collection_recordagent WHERE agent_id IN ({ids}) "
     "UNION SELECT id FROM collection_record WHERE described_agent_id IN ({ids}) "
     "UNION SELECT id FROM collection_record WHERE repository_id IN ({ids})"),
    ("collection_place", "identifier",
     "SELECT record_id FROM collection_record_places WHERE place_id IN ({ids})"),
    ("collection_subject", "identifier",
     "SELECT record_id FROM collection_record_subjects WHERE subject_id IN ({ids})"),
    ("collection_language", "tag",
     "SELECT record_id FROM collection_record_languages WHERE language_id IN ({ids})"),
)
LINES = "collection_exportline"


def shown_in_rows(model: type[models.Model]) -> bool:
    """Whether saving or deleting a ``model`` row can change what a record's ready row shows."""
    return model._meta.db_table in _SHOWN_TABLES


_SHOWN_TABLES = frozenset(table for table, _column in SOURCE_TABLES) | frozenset(
    table for table, _column, _naming in NAMED_TABLES)


def queue_refresh(using: str = "default") -> None:
    """Queue the task that writes the missing ready rows, once the current transaction commits.

    Once per transaction (an entry saved with its inlines queues one task, not one per
    row saved), or once for all the transactions within :func:`one_refresh`; a script
    saving outside any transaction queues one per save, unless it runs within
    :func:`one_refresh`. Only the default database's rows are written by the task
    (:func:`refresh_export_lines` writes through it). A task that cannot be queued is
    logged and the change stands: the rows only make exports faster.
    """
    if using != DEFAULT_DB_ALIAS:
        return
    if getattr(_batched, "depth", 0):
        _batched.using.add(using)
        return
    # Django keeps the callbacks still to run at commit here; one dropped by a rolled-back savepoint is gone
    # from it, so a later change in the transaction queues the task again.
    if any(callback is _enqueue_refresh for _savepoints, callback, _robust in connections[using].run_on_commit):
        return
    transaction.on_commit(_enqueue_refresh, using=using, robust=True)


@contextlib.contextmanager
def one_refresh() -> Iterator[None]:
    """Changes made within, in as many transactions as they take, queue one task, when the block ends."""
    _batched.depth = getattr(_batched, "depth", 0) + 1
    if _batched.depth == 1:
        _batched.using = set()
    try:
        yield
    finally:
        _batched.depth -= 1
        if not _batched.depth:
            for using in _batched.using:
                queue_refresh(using)


_batched = threading.local()


def _enqueue_refresh() -> None:
    from ..tasks import write_export_lines

    write_export_lines.enqueue()


def layout_of(configured: Sequence[str] | None = None) -> str:
    """The key of the rows an export with these cataloguing languages writes."""
    columns = "\x1f".join(record_columns(configured))
    return hashlib.sha256(f"{WRITING}\x1e{columns}".encode()).hexdigest()[:16]


def refresh_export_lines(configured: Sequence[str] | None = None, *, batch_size: int = 2000) -> int:
    """Write the ready row of every record that has none of the current layout; return how many were written.

    Each batch is written under a lock taken before anything is read. On PostgreSQL
    the lines table is locked against the triggers' deletions, so a change either
    committed before the batch read the records (and is in the rows written) or
    waits until the batch commits (and then deletes the rows it makes stale). The
    lock is waited for briefly, since every writer would queue behind the request:
    while a long transaction (an import) keeps it, the batch is retried a few times
    and then left for the next refresh, the export assembling those records
    meanwhile. On SQLite the batch holds the database's write lock from its first
    statement.
    """
    from .export import catalogue_rows

    install_export_line_triggers()  # no row without them (a migrate that failed on SQLite leaves them away)
    layout = layout_of(configured)
    ExportLine.objects.exclude(layout=layout).delete()
    fields = [ExportLine._meta.get_field(name) for name in ("record", "layout", "line")]
    written, after, waits = 0, 0, iter(LOCK_RETRIES)
    while True:
        try:
            with transaction.atomic():
                _lock_lines()
                ids = list(Record.objects.filter(pk__gt=after, export_line__isnull=True).order_by("pk")
                           .values_list("pk", flat=True)[:batch_size])
                if not ids:
                    return written
                records = Record.objects.filter(pk__in=ids)
                keys = dict(records.values_list("identifier", "pk"))
                rows = list(catalogue_rows(records, configured))
                insert_values(ExportLine, fields, [(keys[cells[0]], layout, line)
                                                   for cells, line in zip(rows, csv_lines(rows), strict=True)])
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            wait = next(waits, None)
            if wait is None:  # the catalogue stays busy: the rest is left to the next refresh
                return written
            time.sleep(wait)
            continue
        written += len(ids)
        after, waits = ids[-1], iter(LOCK_RETRIES)


# Seconds to wait before each new try at the lock; then the rest is left to the next refresh.
LOCK_RETRIES = (0.5, 1, 2, 4, 8)
LOCK_NOT_AVAILABLE = "55P03"


def _lock_lines() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            cursor.execute(f"LOCK TABLE {LINES} IN SHARE ROW EXCLUSIVE MODE")
        else:
            # Any write takes SQLite's write lock, held to the end of the transaction.
            cursor.execute(f"DELETE FROM {LINES} WHERE 0")


def triggers_sql(vendor: str) -> list[str]:
    """SQL (re)creating the triggers that delete the rows a change makes stale."""
    drop = f"DELETE FROM {LINES} WHERE record_id IN"
    statements: list[str] = []
    if vendor == "postgresql":
        for kind, column in (("record", "id"), ("link", "record_id")):
            statements.append(
                f"CREATE OR REPLACE FUNCTION collection_export_drop_{kind}() RETURNS trigger AS $$ BEGIN "
                # Each branch names only the transition tables its event has.
                f"IF TG_OP = 'INSERT' THEN {drop} (SELECT {column} FROM new_rows); "
                f"ELSIF TG_OP = 'DELETE' THEN {drop} (SELECT {column} FROM old_rows); "
                f"ELSE {drop} (SELECT {column} FROM new_rows UNION ALL SELECT {column} FROM old_rows); END IF; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
        statements.append(
            "CREATE OR REPLACE FUNCTION collection_export_drop_all() RETURNS trigger AS $$ BEGIN "
            f"DELETE FROM {LINES}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table, column in SOURCE_TABLES:
            kind = "record" if column == "id" else "link"
            for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                                       ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
                name = f"{table}_export_{event.lower()}"
                statements += [
                    f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION collection_export_drop_{kind}()",
                ]
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_export_truncate ON {table}",
                f"CREATE TRIGGER {table}_export_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION collection_export_drop_all()",
            ]
        for table, column, naming in NAMED_TABLES:
            # The column is compared in the function, not named by the trigger (UPDATE OF, WHEN), which
            # would keep a migration from altering it; and only renamed rows lead to any other table.
            statements += [
                f"CREATE OR REPLACE FUNCTION {table}_export_rename() RETURNS trigger AS $$ "
                "DECLARE renamed bigint[]; BEGIN "
                "SELECT array_agg(n.id) INTO renamed FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id "
                f"WHERE o.{column} IS DISTINCT FROM n.{column}; "
                f"IF renamed IS NOT NULL THEN {drop} ({naming.format(ids='SELECT unnest(renamed)')}); END IF; "
                "RETURN NULL; END $$ LANGUAGE plpgsql",
                f"DROP TRIGGER IF EXISTS {table}_export_rename ON {table}",
                f"CREATE TRIGGER {table}_export_rename AFTER UPDATE ON {table} "
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_export_rename()",
            ]
        return statements
    if vendor == "sqlite":
        for table, column in SOURCE_TABLES:
            for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
                name = f"{table}_export_{event.lower()}"
                ids = ", ".join(f"{row}.{column}" for row in rows)
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}",
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {drop} ({ids}); END",
                ]
        for table, column, naming in NAMED_TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_export_rename",
                f"CREATE TRIGGER {table}_export_rename AFTER UPDATE OF {column} ON {table} "
                f"WHEN OLD.{column} IS NOT NEW.{column} BEGIN {drop} ({naming.format(ids='NEW.id')}); END",
            ]
        return statements
    return []


def trigger_names(vendor: str) -> list[str]:
    events = ("insert", "delete", "update", "truncate") if vendor == "postgresql" else ("insert", "delete", "update")
    return ([f"{table}_export_{event}" for table, _column in SOURCE_TABLES for event in events]
            + [f"{table}_export_rename" for table, _column, _naming in NAMED_TABLES])


def install_export_line_triggers(using: str = "default") -> bool:
    """(Re)create the triggers if any is missing; whether it had to.

    On SQLite they exist only outside migrations (see ``collection.search._before_migrate``).
    Whatever changed while any was missing went unseen, so then every ready row goes too.
    """
    connection = connections[using]
    if LINES not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        if all_present(cursor, connection.vendor, trigger_names(connection.vendor)):
            return False
        for statement in triggers_sql(connection.vendor):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {LINES}")
    return True
