"""Benchmark of catalogue import and export, with the floors it is measured against.

Run from the project root:

    .venv/bin/python benchmarks/import_export.py                      # SQLite (a temporary file)
    .venv/bin/python benchmarks/import_export.py --database postgres://postgres@127.0.0.1:5432/collection_bench

It builds a fresh database, fills it with SYNTHETIC vocabulary and rows made
here (marked "synthetic" in every title; nothing is written to the project's
fixtures), and measures in the same run:

* the floor: raw ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) of the same rows into one flat table;
* the data model's floor: the rows the CSV import of new rows stored (records, titles, links, history,
  search keys...), written again raw into a copy of the database as it was before that import, many rows per
  statement on SQLite and ``COPY`` on PostgreSQL: what storing them costs whatever code writes them;
* CSV import of N new rows (titles in Japanese, Russian and English, agents, places, subjects), its ratio to
  the floor, and the queries it ran;
* re-import of the same N rows unchanged (and that it wrote nothing): first as right after the import,
  then once the import's task has written the records' ready export rows, which the import compares the
  rows with;
* the preview (dry run) of N new rows, as a ratio to importing the same rows into the catalogue the preview saw
  (which the exports below then hold too), and to the first import, which wrote into an empty one;
* XLSX import of N new rows, and its re-import unchanged (with ready rows);
* CSV and XLSX export rows/s (all the records imported above, one query each), against the floor of
  reading the record table's own columns alone: first assembled from the records' tables, then read from the
  ready export rows, after timing their writing (which the import's background task does);
  and the tracemalloc peak of exporting N/10, N/2 and N records
  (``--only-export`` loads the same records untimed and measures the export alone);
* memory growth of an N-row import (tracemalloc peak, in a separate untimed run; ``--only-memory`` measures it
  alone, after one batch loaded untimed);
* reading and writing the CSV and XLSX files alone, to tell the file layer's share from the writer's and
  the export queries'.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAT_COLUMNS = ("identifier", "kind", "status", "title_ja", "title_ru", "title_en", "date", "languages", "places",
                "subjects", "authors", "publishers", "extent")

KANJI = "抑留記録手記収容所帰還回想文書資料編集会報告"
CYRILLIC = "абвгдежзиклмнопрстуфхцчшщэюя"


def synthetic_rows(count: int, *, prefix: str, agents: int, places: int, subjects: int) -> list[dict[str, str]]:
    """Rows of made-up test data; every title says it is synthetic."""
    rows = []
    for n in range(count):
        kanji = "".join(KANJI[(n * 7 + i * 3) % len(KANJI)] for i in range(6))
        cyr = "".join(CYRILLIC[(n * 5 + i * 11) % len(CYRILLIC)] for i in range(8))
        rows.append({
            "identifier": f"{prefix}-{n:06d}",
            "kind": "memoir" if n % 3 else "document",
            "status": "draft",
            "title_ja": f"合成データ{kanji}第{n}号",
            "title_ru": f"Синтетическая запись {cyr} {n}",
            "title_en": f"Synthetic benchmark row {n}",
            "date": f"{1946 + n % 40}",
            "languages": "ja" if n % 2 else "ja|ru",
            "places": f"bench-place-{n % places:04d}|bench-place-{(n * 7 + 1) % places:04d}",
            "subjects": f"bench-subject-{n % subjects:04d}",
            "authors": f"bench-agent-{n % agents:05d}",
            "publishers": f"bench-org-{n % 20:03d}",
            "extent": f"{100 + n % 400} p.",
        })
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    from collection.catalogue.csv_io import write_csv

    return write_csv(rows, list(FLAT_COLUMNS))


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from collection.catalogue.xlsx_writer import write_xlsx_rows

    out = io.BytesIO()
    write_xlsx_rows(([*FLAT_COLUMNS], *([row[c] for c in FLAT_COLUMNS] for row in rows)), out)
    return out.getvalue()


class QueryCounter:
    """Counts the queries Django runs, and those that write; not the statements that only set how a query is
    planned (an export's JIT setting on PostgreSQL), which read and write nothing."""

    def __init__(self) -> None:
        self.total = 0
        self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        if "set_config('jit'" in sql:
            return execute(sql, params, many, context)
        self.total += 1
        head = sql.lstrip()[:6].upper()
        if head in ("INSERT", "UPDATE", "DELETE") or (head.startswith("COPY") and "FROM STDIN" in sql.upper()):
            self.writes += 1
        return execute(sql, params, many, context)


def timed(function, *args, **kwargs):
    from django.db import connection

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        value = function(*args, **kwargs)
    return time.perf_counter() - start, value, counter


def floor_sqlite(rows: list[dict[str, str]], path: str) -> float:
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE flat ({', '.join(c.replace('-', '_') + ' TEXT' for c in FLAT_COLUMNS)})")
    values = [tuple(row[c] for c in FLAT_COLUMNS) for row in rows]
    start = time.perf_counter()
    db.executemany(f"INSERT INTO flat VALUES ({', '.join('?' * len(FLAT_COLUMNS))})", values)
    db.commit()
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def floor_postgres(rows: list[dict[str, str]]) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_flat")
        cursor.execute(f"CREATE TABLE bench_flat ({', '.join(c + ' text' for c in FLAT_COLUMNS)})")
    raw = connection.connection
    start = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY bench_flat ({', '.join(FLAT_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in FLAT_COLUMNS))
    raw.commit() if not raw.autocommit else None
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_flat")
    return elapsed


class ModelFloor:
    """The cost of storing, raw, exactly the rows an import stores: a floor for any writer of this data model.

    :meth:`before` copies the database (the vocabulary only) and notes every table's
    primary keys; :meth:`measure`, after the import, writes the rows the import added
    into that copy, with the same schema, indexes, triggers and foreign keys (checked at
    commit, as Django declares them), and times it.
    """

    def __init__(self, workdir: str, url: str) -> None:
        from django.apps import apps
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.tables = {model._meta.db_table: model._meta.pk.column
                       for model in apps.get_models(include_auto_created=True)}
        self.copy_path = f"{workdir}/model-floor.sqlite3"
        self.url = url
        self.copy_url = url + "_floor"
        self.keys: dict[str, set] = {}
        self.table_seconds: dict[str, float] = {}

    def _keys(self, table: str, pk: str) -> set:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.connection.ops.quote_name(pk)} FROM {self.connection.ops.quote_name(table)}")
            return {key for (key,) in cursor.fetchall()}

    def before(self) -> None:
        self.keys = {table: self._keys(table, pk) for table, pk in self.tables.items()}
        if self.postgres:
            import psycopg

            base, _sep, name = self.url.rpartition("/")
            self.connection.close()  # a database is copied only while nobody is connected to it
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}_floor"')
                admin.execute(f'CREATE DATABASE "{name}_floor" TEMPLATE "{name}"')
        else:
            self.connection.ensure_connection()
            with sqlite3.connect(self.copy_path) as copy:
                self.connection.connection.backup(copy)

    def added_rows(self) -> dict[str, list[tuple]]:
        quote = self.connection.ops.quote_name
        added = {}
        with self.connection.cursor() as cursor:
            for table, pk in self.tables.items():
                cursor.execute(f"SELECT * FROM {quote(table)}")
                names = [column[0] for column in cursor.description]
                position = names.index(pk)
                rows = [row for row in cursor.fetchall() if row[position] not in self.keys[table]]
                if rows:
                    added[table] = rows
        return added

    def measure(self) -> tuple[float, int, int]:
        """Seconds to store the rows the import added, raw; and how many rows, in how many tables."""
        added = self.added_rows()
        rows = sum(len(r) for r in added.values())
        seconds = self._copy(added) if self.postgres else self._insert(added)
        return seconds, rows, len(added)

    def _insert(self, added: dict[str, list[tuple]]) -> float:
        db = sqlite3.connect(self.copy_path, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        start = time.perf_counter()
        db.execute("BEGIN")
        for table, rows in added.items():
            width = len(rows[0])
            size = max(1, min(1000, limit // width))
            group = "(" + ", ".join("?" * width) + ")"
            began = time.perf_counter()
            for first in range(0, len(rows), size):
                chunk = rows[first:first + size]
                db.execute(f'INSERT INTO "{table}" VALUES ' + ", ".join([group] * len(chunk)),
                           [value for row in chunk for value in row])
            self.table_seconds[table] = time.perf_counter() - began
        db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
        return elapsed

    def _copy(self, added: dict[str, list[tuple]]) -> float:
        import psycopg
        from psycopg.types.json import Jsonb

        def plain(row: tuple) -> tuple:
            return tuple(Jsonb(v) if isinstance(v, (dict, list)) else v for v in row)

        added = {table: [plain(row) for row in rows] for table, rows in added.items()}
        with psycopg.connect(self.copy_url) as db:
            start = time.perf_counter()
            with db.cursor() as cursor:
                for table, rows in added.items():
                    began = time.perf_counter()
                    with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                    self.table_seconds[table] = time.perf_counter() - began
            db.commit()
            elapsed = time.perf_counter() - start
        base, _sep, name = self.copy_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}"')
        return elapsed


def make_vocabulary(agents: int, places: int, subjects: int) -> None:
    from collection.models import Agent, AgentKind, AgentName, Place, PlaceKind, PlaceName, Subject, SubjectLabel

    Agent.objects.bulk_create([Agent(identifier=f"bench-agent-{n:05d}", kind=AgentKind.PERSON) for n in range(agents)]
                              + [Agent(identifier=f"bench-org-{n:03d}", kind=AgentKind.ORGANISATION)
                                 for n in range(20)])
    AgentName.objects.bulk_create([AgentName(agent=agent, language="en", text=f"Synthetic agent {agent.identifier}")
                                   for agent in Agent.objects.all()])
    for n in range(places):
        place = Place(identifier=f"bench-place-{n:04d}", kind=PlaceKind.CAMP)
        place.save()
        PlaceName.objects.create(place=place, language="en", text=f"Synthetic place {n}")
    Subject.objects.bulk_create([Subject(identifier=f"bench-subject-{n:04d}") for n in range(subjects)])
    SubjectLabel.objects.bulk_create([SubjectLabel(subject=s, language="en", text=f"Synthetic subject {s.identifier}")
                                      for s in Subject.objects.all()])


def import_bytes(data: bytes, name: str, *, dry_run: bool = False):
    from collection.catalogue.files import read_table
    from collection.catalogue.writer import write_rows
    from collection.importing.deferral import deferred_derivation

    table = read_table(data, name=name)
    with deferred_derivation():  # as the command and the admin import: readings come after, from a task
        result = write_rows(table.records(), source="benchmark", dry_run=dry_run)
    if result.errors:
        raise SystemExit("import failed: " + "; ".join(str(e) for e in result.errors[:5]))
    return result


def write_xlsx_rows(count: int, vocab: dict[str, int]) -> None:
    """Write ``count`` synthetic rows as XLSX, made one chunk at a time so that only the writer's memory counts."""
    from collection.catalogue import xlsx_writer

    def generate():
        yield list(FLAT_COLUMNS)
        for start in range(0, count, 1000):
            for row in synthetic_rows(min(1000, count - start), prefix=f"synth-m{start}", **vocab):
                yield [row[c] for c in FLAT_COLUMNS]

    with tempfile.TemporaryFile() as out:  # a file, so that the output's own size is not counted
        xlsx_writer.write_xlsx_rows(generate(), out)


def export_to_file(file_format: str, queryset=None) -> tuple[int, int]:
    """Export records (all by default) as the command and the admin do, to a file; return (records, bytes)."""
    from collection.catalogue.export import export_file
    from collection.models import Record

    with tempfile.TemporaryFile() as out:  # a file, so that the output's own size is not held in memory
        count = export_file(Record.objects.all() if queryset is None else queryset, out, file_format)
        return count, out.tell()


def export_floor() -> int:
    """The floor of an export: the record table's own columns in identifier order, one query, same cursor."""
    from django.db import connection

    from collection.catalogue.format import PLAIN_FIELDS
    from collection.models import Record

    columns = ", ".join(["identifier", "kind", "status", "date_edtf", *PLAIN_FIELDS])
    count = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {Record._meta.db_table} ORDER BY identifier")
        while rows := cursor.fetchmany(2000):
            count += len(rows)
    return count


def export_memory(file_format: str, count: int) -> int:
    """tracemalloc peak of exporting the first ``count`` records."""
    from collection.models import Record

    queryset = Record.objects.order_by("identifier")[:count]
    tracemalloc.start()
    export_to_file(file_format, queryset)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def report(label: str, seconds: float, rows: int, extra: str = "") -> None:
    print(f"{label:<44} {seconds:8.3f} s {rows / seconds:12,.0f} rows/s  {extra}")


def export_part(n: int) -> None:
    """Export rows/s (CSV, XLSX), against the floor of reading the records alone, and memory of an export."""
    from django.db import connection

    from collection.models import Record

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does within a minute of a bulk import
    total = Record.objects.count()
    seconds, _count, queries = timed(export_floor)
    report(f"floor: the record table alone, {total:,} rows", seconds, total, f"{queries.total} query")
    floor = seconds
    from collection.catalogue.export_lines import refresh_export_lines
    from collection.models import ExportLine

    ExportLine.objects.all().delete()
    for label, file_format in (("CSV", "csv"), ("XLSX", "xlsx"), ("ready rows", None), ("CSV", "csv"),
                               ("XLSX", "xlsx")):
        if file_format is None:
            # What the task an import queues does after it, on the worker.
            seconds, written, _queries = timed(refresh_export_lines)
            report(f"writing the {written:,} ready export rows", seconds, written, "(the import's background task)")
            continue
        label += " with ready rows" if ExportLine.objects.exists() else " assembled"
        # On a shared machine the wall time moves with the neighbours' load; the CPU time of this process
        # does not (on SQLite it is the whole export; on PostgreSQL the server's share is not in it).
        cpu = time.process_time()
        seconds, (count, size), queries = timed(export_to_file, file_format)
        cpu = time.process_time() - cpu
        report(f"{label} export of {count:,} records", seconds, count,
               f"x{seconds / floor:.1f} of the floor; {queries.total} queries; {size:,} bytes; "
               f"{count / cpu:,.0f} rows per CPU second here")
    # Past the first chunks of rows fetched and written (a few thousand records) the peak stays where it is.
    counts = (max(1, n // 10), max(1, n // 2), n)
    for label, file_format in (("CSV", "csv"), ("XLSX", "xlsx")):
        peaks = " / ".join(f"{export_memory(file_format, count) / 1e6:.1f}" for count in counts)
        sizes = "/".join(format(count, ",") for count in counts)
        print(f"{label + ' export memory, ' + sizes + ' records':<44} {peaks} MB (tracemalloc peak; to a file)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="A database URL; default a temporary SQLite file.")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--floor-tables", action="store_true",
                        help="Also print each table's share of the import's own rows' floor.")
    parser.add_argument("--only-export", action="store_true",
                        help="Load the rows through the writer untimed and measure the export alone.")
    parser.add_argument("--only-memory", action="store_true",
                        help="Load one batch untimed and measure the memory growth of importing the next alone.")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="collection-bench-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # the databases made here are hundreds of MB
    url = args.database or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    # DEBUG keeps every query in memory: measure as in production.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    postgres = url.startswith("postgres")
    if postgres:
        import psycopg

        base, _sep, dbname = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            admin.execute(f'CREATE DATABASE "{dbname}"')

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")

    n = args.rows
    vocab = {"agents": 2000, "places": 200, "subjects": 100}
    make_vocabulary(**vocab)
    batch_a = synthetic_rows(n, prefix="synth-a", **vocab)
    batch_b = synthetic_rows(n, prefix="synth-b", **vocab)
    batch_c = synthetic_rows(n, prefix="synth-c", **vocab)
    batch_d = synthetic_rows(n, prefix="synth-d", **vocab)
    csv_a, csv_b, csv_d = as_csv(batch_a), as_csv(batch_b), as_csv(batch_d)
    xlsx_c = as_xlsx(batch_c)

    print(f"Database: {connection.vendor}; {n:,} synthetic rows of {len(FLAT_COLUMNS)} columns; "
          f"CPUs: {os.cpu_count()}")
    if args.only_export:
        # The records the full run holds when it exports: batches a and b from CSV and batch c from XLSX.
        import_bytes(csv_a, "a.csv")
        import_bytes(csv_b, "b.csv")
        import_bytes(xlsx_c, "c.xlsx")
        export_part(n)
        return
    if args.only_memory:
        import_bytes(csv_a, "a.csv")
        import_memory(csv_d, n)
        return
    floor = floor_postgres(batch_a) if postgres else floor_sqlite(batch_a, f"{workdir}/flat.sqlite3")
    floor_name = "COPY" if postgres else "executemany"
    report(f"floor: raw {floor_name} into one flat table", floor, n)

    from collection.catalogue.files import read_table

    seconds, _table, _queries = timed(read_table, csv_a, name="a.csv")
    report("reading the CSV file only", seconds, n)
    seconds, _table, _queries = timed(read_table, xlsx_c, name="c.xlsx")
    report("reading the XLSX file only", seconds, n)
    seconds, _data, _queries = timed(as_csv, batch_a)
    report("writing the CSV file only", seconds, n)
    seconds, _data, _queries = timed(as_xlsx, batch_a)
    report("writing the XLSX file only", seconds, n)

    model_floor = ModelFloor(workdir, url)
    model_floor.before()
    seconds, _result, queries = timed(import_bytes, csv_a, "a.csv")
    import_seconds = seconds
    stored_seconds, stored_rows, tables = model_floor.measure()
    report("floor: the import's own rows, raw", stored_seconds, n,
           f"x{stored_seconds / floor:.1f} of {floor_name}; {stored_rows:,} rows into {tables} tables")
    if args.floor_tables:
        for table, table_seconds in sorted(model_floor.table_seconds.items(), key=lambda item: -item[1]):
            print(f"    {table:<40} {table_seconds:8.3f} s")
    report("CSV import, new rows", seconds, n,
           f"x{seconds / floor:.1f} of {floor_name}; x{seconds / stored_seconds:.2f} of the import's own rows; "
           f"{queries.total} queries")

    seconds, result, queries = timed(import_bytes, csv_a, "a.csv")
    unchanged = sum(result.unchanged.values())
    report("CSV re-import, unchanged", seconds, n,
           f"{unchanged:,} unchanged; {queries.writes} writing queries of {queries.total}")
    from collection.catalogue.export_lines import refresh_export_lines

    refresh_export_lines()  # what the task the import queued does on the worker
    seconds, result, queries = timed(import_bytes, csv_a, "a.csv")
    unchanged = sum(result.unchanged.values())
    report("CSV re-import, unchanged, ready rows", seconds, n,
           f"{unchanged:,} unchanged; {queries.writes} writing queries of {queries.total}")

    preview_seconds, _result, queries = timed(import_bytes, csv_b, "b.csv", dry_run=True)
    # Then the same rows imported into the catalogue the preview saw: the first import wrote into an empty one.
    seconds, _result, _queries = timed(import_bytes, csv_b, "b.csv")
    report("CSV preview (dry run), new rows", preview_seconds, n,
           f"x{preview_seconds / seconds:.2f} of importing them into the same catalogue ({seconds:.3f} s); "
           f"x{preview_seconds / import_seconds:.2f} of the first import")

    seconds, _result, queries = timed(import_bytes, xlsx_c, "c.xlsx")
    report("XLSX import, new rows", seconds, n, f"{queries.total} queries")
    refresh_export_lines()
    seconds, result, queries = timed(import_bytes, xlsx_c, "c.xlsx")
    report("XLSX re-import, unchanged, ready rows", seconds, n,
           f"{sum(result.unchanged.values()):,} unchanged; {queries.writes} writing queries of {queries.total}")

    export_part(n)

    peaks = []
    for count in (n // 2, 2 * n):
        tracemalloc.start()
        write_xlsx_rows(count, vocab)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(f"{'XLSX writer memory, ' + format(n // 2, ',') + ' vs ' + format(2 * n, ',') + ' rows':<44} "
          f"{peaks[0] / 1e6:8.1f} MB vs {peaks[1] / 1e6:.1f} MB (tracemalloc peak; rows made lazily, output to a file)")

    import_memory(csv_d, n)


def import_memory(data: bytes, n: int) -> None:
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    import_bytes(data, "d.csv")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'memory growth of a ' + format(n, ',') + '-row CSV import':<44} {(peak - before) / 1e6:8.1f} MB "
          "(tracemalloc peak)")


if __name__ == "__main__":
    main()
