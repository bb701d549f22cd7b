"""Plain multi-row inserts for the catalogue writer: rows and their history, without Django's per-value compiler.

``QuerySet.bulk_create`` and simple-history's bulk helpers compile every value of
every row through the field API; for tens of thousands of rows that is most of an
import's time. Here each field's conversion is chosen once per model, values that
need none are passed through as they are, and history rows are written with the
same columns simple-history writes (``history_date``, ``history_type``,
``history_user_id``, ``history_change_reason``; ``history_id`` from the database).

Rows go to the database the fastest way each one takes: on SQLite many rows per
``INSERT`` statement, on PostgreSQL ``COPY``; both through Django's execute
wrappers and query log, so query counts see them. :class:`Layout` builds a table's
rows from tuples in an order of the caller's choosing; :func:`allocate_keys`
reserves keys beforehand, so that rows can point at rows not yet written
(:func:`insert_keyed` writes objects with such keys); :func:`update_keyed` writes
changed fields of stored rows the same ways; and :func:`history_from_rows` has the
database copy rows just written into their history tables, in one statement per table.

Text in NFC fields is normalized here too, as their ``pre_save`` would; auto-now
dates get the import's time. Only SQLite and PostgreSQL, the databases the app
supports, are handled where keys are allocated.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connection, connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.fields import AutoFieldMixin

from ..fields import NFCMixin
from ..text import nfc

_UNNEST_BATCH = 5000
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` becomes a database parameter; ``None`` where it already is one."""
    if isinstance(field, NFCMixin):
        return nfc
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.ForeignKey):
        return _converter(field.target_field)
    if isinstance(field, AutoFieldMixin):
        return None  # keys are integers already
    # Text, numbers and booleans go to the driver as they are, unless a field converts them its own way.
    plain = next((base for base in _PLAIN if isinstance(field, base)), None)
    if plain is not None and type(field).get_prep_value is plain.get_prep_value and (
            type(field).get_db_prep_value is plain.get_db_prep_value):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_name(model: type[models.Model]) -> str:
    """The model's table, quoted for raw SQL."""
    return _quote(model._meta.db_table)


def column_name(model: type[models.Model], name: str) -> str:
    """The column of the model's field ``name``, quoted for raw SQL."""
    return _quote(model._meta.get_field(name).column)


def _statement(model: type[models.Model], fields: Sequence[models.Field], rows: int, returning: bool) -> str:
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(_quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([placeholders] * rows)}")
    if returning:
        sql += f" RETURNING {_quote(model._meta.pk.column)}"
    return sql


def insert_values(model: type[models.Model], fields: Sequence[models.Field], rows: list[tuple],
                  *, returning: bool = False) -> list[Any]:
    """Insert database-ready ``rows`` of ``fields``; the new keys, in order, if ``returning``."""
    if not rows:
        return []
    keys: list[Any] = []
    if connection.vendor == "postgresql":
        if not returning:
            _copy(model, fields, rows)
            return keys
        return _insert_unnest(model, fields, rows, returning)
    if not returning and connection.vendor == "sqlite":
        _insert_sqlite(model, fields, rows)
        return keys
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(_statement(model, fields, 1, False), rows)
            return keys
        size = max(1, min(len(rows), connection.ops.bulk_batch_size(list(fields), rows)))
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            cursor.execute(_statement(model, fields, len(chunk), True), [v for row in chunk for v in row])
            keys.extend(row[0] for row in cursor.fetchall())
    return keys


def _run_raw(cursor: Any, sql: str, params: Any, many: bool, run: Callable[..., Any]) -> None:
    """Run ``run`` on the driver's own cursor, as Django would run ``sql``: through the execute wrappers
    (``connection.execute_wrapper``) and into the query log when queries are logged (tests, DEBUG)."""
    if isinstance(cursor, CursorDebugWrapper):
        with cursor.debug_sql(sql, params, many=many):
            cursor._execute_with_wrappers(sql, params, many, run)
    else:
        cursor._execute_with_wrappers(sql, params, many, run)


def _copy(model: type[models.Model], fields: Sequence[models.Field], rows: list[tuple]) -> None:
    """PostgreSQL: ``COPY ... FROM STDIN``, several times faster than any INSERT for many rows."""
    sql = f"COPY {_quote(model._meta.db_table)} ({', '.join(_quote(f.column) for f in fields)}) FROM STDIN"

    def run(sql: str, params: list[tuple], many: bool, context: dict[str, Any]) -> None:
        with context["cursor"].cursor.copy(sql) as copy:
            for row in params:
                copy.write_row(row)

    with connection.cursor() as cursor:
        _run_raw(cursor, sql, rows, True, run)


def _insert_sqlite(model: type[models.Model], fields: Sequence[models.Field], rows: list[tuple]) -> None:
    """SQLite: many rows per statement, with the driver's own ``?`` placeholders.

    SQLite runs a statement's triggers and checks far faster for one statement of many
    rows than for the same rows one statement each (``executemany``); and a statement
    written with ``?`` is passed as it is, where Django would rewrite every ``%s`` of it.
    """
    size = _rows_per_statement(len(fields))
    head = f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(_quote(f.column) for f in fields)}) VALUES "
    group = "(" + ", ".join(["?"] * len(fields)) + ")"

    def run(sql: str, params: list[Any], many: bool, context: dict[str, Any]) -> None:
        sqlite3.Cursor.execute(context["cursor"].cursor, sql, params)

    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            _run_raw(cursor, head + ", ".join([group] * len(chunk)), list(chain.from_iterable(chunk)), False, run)


def _rows_per_statement(columns: int) -> int:
    """Rows in one multi-row INSERT: as many as SQLite takes parameters for, up to 1,000."""
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(1000, limit // max(1, columns)))


def _insert_unnest(model: type[models.Model], fields: Sequence[models.Field], rows: list[tuple],
                   returning: bool) -> list[Any]:
    """PostgreSQL: one array per column and ``unnest``, so a statement's size does not grow with its rows."""
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    sql = (f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(_quote(f.column) for f in fields)}) "
           f"SELECT * FROM unnest({casts})")
    if returning:
        sql += f" RETURNING {_quote(model._meta.pk.column)}"
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UNNEST_BATCH):
            chunk = rows[start:start + _UNNEST_BATCH]
            cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
            if returning:
                keys.extend(row[0] for row in cursor.fetchall())
    return keys


def _prepared(fields: Sequence[models.Field], objs: Sequence[models.Model], now: Any) -> list[tuple]:
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now", False) or (getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None):
                setattr(obj, f.attname, now)
    steps = [(f.attname, _converter(f)) for f in fields]
    return [
        tuple(getattr(obj, name) if convert is None or getattr(obj, name) is None else convert(getattr(obj, name))
              for name, convert in steps)
        for obj in objs
    ]


def insert(model: type[models.Model], objs: list[models.Model], *, now: Any, keys: bool = True) -> None:
    """Insert new ``objs`` of ``model`` (no signals, as ``bulk_create``); their keys are set when ``keys``."""
    if not objs:
        return
    if keys and not connection.features.can_return_rows_from_bulk_insert:
        model._base_manager.bulk_create(objs, batch_size=500)
        return
    pks = _insert_objects(model, objs, _columns(model), now=now, returning=keys)
    for obj, pk in zip(objs, pks, strict=False):
        obj.pk = pk


def _insert_objects(model: type[models.Model], objs: list[models.Model], fields: Sequence[models.Field], *,
                    now: Any, returning: bool) -> list:
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    pks = insert_values(model, fields, _prepared(fields, objs, now), returning=returning)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return pks


def insert_keyed(model: type[models.Model], objs: list[models.Model], *, now: Any) -> None:
    """Insert new ``objs`` of ``model`` whose keys were reserved by :func:`allocate_keys` (no signals).

    A related object assigned before it had a key (a parent new in the same import) is
    read for its key now.
    """
    if objs:
        _insert_objects(model, objs, list(model._meta.concrete_fields), now=now, returning=False)


def update_keyed(model: type[models.Model], objs: list[models.Model], names: Sequence[str], *, now: Any) -> None:
    """Write the fields ``names`` of stored ``objs`` (no signals, as ``bulk_update``), many rows per statement.

    PostgreSQL updates from one array per column (``unnest``), SQLite 3.33 and later from a list
    of rows (``UPDATE ... FROM (VALUES ...)``); each statement as large as the database takes, where
    ``bulk_update`` writes a ``CASE`` of every value, a hundred rows a statement on SQLite. Older
    SQLite takes ``bulk_update``. Auto-now dates among the fields get the import's time.
    """
    if not objs:
        return
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):
        for name in names:
            if getattr(model._meta.get_field(name), "auto_now", False):
                for obj in objs:
                    setattr(obj, name, now)
        model._base_manager.bulk_update(objs, list(names), batch_size=500)
        return
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_update")
    key = model._meta.pk
    fields = [key, *(model._meta.get_field(name) for name in names)]
    rows = _prepared(fields, objs, now)
    table, key_column = _quote(model._meta.db_table), _quote(key.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(_quote(f.column) for f in fields)
            casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            sets = ", ".join(f"{_quote(f.column)} = v.{_quote(f.column)}" for f in fields[1:])
            sql = (f"UPDATE {table} SET {sets} FROM unnest({casts}) AS v({columns}) "
                   f"WHERE {table}.{key_column} = v.{key_column}")
            for start in range(0, len(rows), _UNNEST_BATCH):
                chunk = rows[start:start + _UNNEST_BATCH]
                cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
            return
        # SQLite names the columns of a VALUES list column1, column2...
        sets = ", ".join(f"{_quote(f.column)} = v.column{index}" for index, f in enumerate(fields[1:], start=2))
        group = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = _rows_per_statement(len(fields))
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([group] * len(chunk))}) AS v "
                           f"WHERE {table}.{key_column} = v.column1", list(chain.from_iterable(chunk)))


def delete_keyed(model: type[models.Model], keys: Sequence[Any], *, batch_size: int = 500) -> None:
    """Delete the rows of ``model`` with these keys, one statement per batch: no signals and no cascades, so
    the caller deletes what depends on them and writes their history."""
    pk = _quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), batch_size):
            where, params = keys_in(pk, keys[start:start + batch_size])
            cursor.execute(f"DELETE FROM {_quote(model._meta.db_table)} WHERE {where}", params)


def insert_history(model: type[models.Model], objs: list[models.Model], *, history_type: str, user: Any,
                   reason: str, date: Any) -> None:
    """Write one history row per saved object, as simple-history would."""
    if not objs:
        return
    history = model.history.model
    own = {f.attname: f for f in model._meta.concrete_fields}
    fields = _columns(history)
    fixed = {
        "history_date": connection.ops.adapt_datetimefield_value(date),
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
    }
    steps = []
    for f in fields:
        if f.attname in fixed:
            steps.append((None, fixed[f.attname]))
        elif f.attname in own:
            steps.append((f.attname, _converter(own[f.attname])))
        else:
            raise ValueError(f"history column {f.attname} of {model.__name__} has no source")
    rows = [
        tuple(
            convert if name is None else (
                getattr(obj, name) if convert is None or getattr(obj, name) is None else convert(getattr(obj, name)))
            for name, convert in steps
        )
        for obj in objs
    ]
    insert_values(history, fields, rows)


# Rows built by the caller, with keys it allocated ------------------------------------------------------


class Layout:
    """The insert columns of one table, filled from tuples in an order the caller chooses.

    ``sources`` name (by attname) the values the caller gives per row, already
    database-ready; ``fixed`` gives values shared by every row (adapted here, once).
    Every other column takes its field's default, except an auto-incremented key,
    which the database assigns. ``row(values)`` reorders a tuple of source values into
    the table's column order in one C-level call, so building a row costs next to
    nothing whatever the table's width.
    """

    def __init__(self, model: type[models.Model], sources: Sequence[str],
                 fixed: dict[str, Any] | None = None) -> None:
        fixed = fixed or {}
        self.model = model
        self.fields: list[models.Field] = []
        positions: list[int] = []
        constants: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.attname in sources:
                positions.append(sources.index(f.attname))
            else:
                if f.attname in fixed:
                    value = fixed[f.attname]
                elif f.primary_key and isinstance(f, AutoFieldMixin):
                    continue
                elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    raise ValueError(f"{model.__name__}.{f.attname} needs a value: the import's time")
                else:
                    value = f.get_default()
                positions.append(len(sources) + len(constants))
                constants.append(None if value is None else f.get_db_prep_save(value, connection))
            self.fields.append(f)
        unknown = set(sources) - {f.attname for f in self.fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.constants = tuple(constants)
        get = itemgetter(*positions)
        # The table's row from a tuple of source values, made the quickest way this layout allows.
        self.row: Callable[[tuple], tuple]
        if positions == list(range(len(sources))):
            self.row = _same  # the caller's order is the table's: nothing to do
        elif constants:
            fixed = self.constants
            self.row = lambda values: get(values + fixed)
        else:
            self.row = get

    def insert(self, rows: list[tuple]) -> None:
        insert_values(self.model, self.fields, rows)


def _same(values: tuple) -> tuple:
    return values


def date_adapter() -> Callable[[Any], Any]:
    """How a ``datetime.date`` becomes a parameter of this database (text on SQLite)."""
    adapt = connection.ops.adapt_datefield_value
    return lambda value: None if value is None else adapt(value)


def allocate_keys(counts: dict[type[models.Model], int]) -> dict[type[models.Model], list[int]]:
    """Reserve ``count`` new primary keys of each model's table, so rows and their children can be built
    before anything is inserted; one or two queries for all the tables.

    PostgreSQL draws them from the tables' sequences; SQLite moves the tables' AUTOINCREMENT
    counters on, inside the write transaction, which holds the database's write lock from then
    until the commit (a rollback gives the keys back). Other databases are not supported.
    """
    wanted = {model: count for model, count in counts.items() if count > 0}
    if not wanted:
        return {model: [] for model in counts}
    if connection.vendor == "postgresql":
        found = _allocate_postgresql(wanted)
    elif connection.vendor == "sqlite":
        found = _allocate_sqlite(wanted)
    else:
        raise NotSupportedError(f"Allocating keys on {connection.vendor} is not supported.")
    return {model: found.get(model, []) for model in counts}


def _allocate_postgresql(wanted: dict[type[models.Model], int]) -> dict[type[models.Model], list[int]]:
    models_ = list(wanted)
    parts, params = [], []
    for index, model in enumerate(models_):
        parts.append("SELECT %s, nextval(s.seq::regclass) FROM (SELECT pg_get_serial_sequence(%s, %s) AS seq) AS s, "
                     "generate_series(1, %s)")
        params.extend([index, _quote(model._meta.db_table), model._meta.pk.column, wanted[model]])
    keys: dict[int, list[int]] = {index: [] for index in range(len(models_))}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, key in cursor.fetchall():
            keys[index].append(key)
    return {model: sorted(keys[index]) for index, model in enumerate(models_)}


def _allocate_sqlite(wanted: dict[type[models.Model], int]) -> dict[type[models.Model], list[int]]:
    tables = {model._meta.db_table: model for model in wanted}
    names = list(tables)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        # A table never written to has no counter yet: start one at its largest key. Always run, so that the
        # number of queries does not depend on the database's past.
        cursor.execute("INSERT INTO sqlite_sequence (name, seq) " + " UNION ALL ".join(
            f"SELECT %s, (SELECT COALESCE(MAX({_quote(tables[name]._meta.pk.column)}), 0) FROM {_quote(name)}) "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)" for name in names),
            [value for name in names for value in (name, name)])
        cases = " ".join(["WHEN %s THEN %s"] * len(names))
        update = f"UPDATE sqlite_sequence SET seq = seq + CASE name {cases} END WHERE name IN ({marks})"
        params = [*(value for name in names for value in (name, wanted[tables[name]])), *names]
        if connection.features.can_return_columns_from_insert:  # SQLite 3.35+ has RETURNING
            cursor.execute(f"{update} RETURNING name, seq", params)
        else:
            cursor.execute(update, params)
            cursor.execute(f"SELECT name, seq FROM sqlite_sequence WHERE name IN ({marks})", names)
        last = dict(cursor.fetchall())
    return {model: list(range(last[name] - wanted[model] + 1, last[name] + 1)) for name, model in tables.items()}


# History of rows just inserted, made by the database from them -------------------------------------------


def keys_in(column: str, keys: Sequence[Any], db_type: str = "bigint") -> tuple[str, list[Any]]:
    """``column`` is one of ``keys``: SQL and parameters (one array of ``db_type`` on PostgreSQL, a list
    elsewhere)."""
    if connection.vendor == "postgresql":
        # One string the server splits: the driver takes longer to quote hundreds of array elements one by
        # one than the server takes to run the query. Only for keys that are not blank and hold no comma.
        if db_type == "bigint" or all(key and isinstance(key, str) and "," not in key for key in keys):
            return f"{column} = ANY(string_to_array(%s, ',')::{db_type}[])", [",".join(map(str, keys))]
        return f"{column} = ANY(%s::{db_type}[])", [list(keys)]
    return f"{column} IN ({', '.join(['%s'] * len(keys))})", list(keys)


@contextmanager
def planned_with(using: str = DEFAULT_DB_ALIAS, **settings: str) -> Iterator[None]:
    """PostgreSQL: queries planned in the block are planned with these settings (``jit="off"``), whatever the
    server's; elsewhere, and after the block, nothing changes.

    The settings are local to a transaction (one is opened if none is), so they cannot outlive the block, nor
    reach another client through a pooler: restored at its end, undone with the transaction if it fails. A
    server-side cursor is planned when it is declared, so one declared in the block may be read after it.
    """
    db = connections[using]
    if db.vendor != "postgresql":
        yield
        return
    names = sorted(settings)
    if not all(name.replace("_", "").isalnum() for name in names):
        raise ValueError(f"not a setting's name: {names}")
    with transaction.atomic(using=using, savepoint=False), db.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}'), set_config('{name}', %s, true)"
                                             for name in names), [settings[name] for name in names])
        previous = cursor.fetchone()[::2]
        yield
        cursor.execute("SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in names), previous)


def index_scans() -> AbstractContextManager[None]:
    """PostgreSQL: read through indexes while it lasts, whatever the planner's statistics say.

    A large import writes tens of thousands of rows in one transaction, which the
    statistics cannot know of until it commits (and a file imported again right after
    is read before they catch up): the planner would go on scanning whole tables it
    believes small to find a batch's few hundred rows, and each batch would cost more
    than the one before.
    """
    return planned_with(enable_seqscan="off")


def history_from_rows(model: type[models.Model], owner: str, keys: Sequence[Any], *, history_type: str, user: Any,
                      reason: str, date: Any) -> None:
    """One history row for each row of ``model`` whose ``owner`` field is one of ``keys``, as simple-history
    would write it: the row's own fields, then ``history_date``, ``history_change_reason``, ``history_type`` and
    ``history_user_id``. One ``INSERT ... SELECT`` statement: the rows are copied inside the database."""
    if not keys:
        return
    fixed = {
        "history_date": connection.ops.adapt_datetimefield_value(date),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    statement, names = _history_statement(model, owner, connection.vendor)
    where, keys_params = keys_in(f"s.{_quote(model._meta.get_field(owner).column)}", keys)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(where=where), [*(fixed[name] for name in names), *keys_params])


@functools.cache
def _history_statement(model: type[models.Model], owner: str, vendor: str) -> tuple[str, tuple[str, ...]]:
    """The ``INSERT ... SELECT`` of :func:`history_from_rows` on ``vendor``'s database, with ``{where}`` to
    fill, and the names of the history fields its parameters give, in order."""
    history = model.history.model
    own = {f.attname: f.column for f in model._meta.concrete_fields}
    fixed = ("history_date", "history_change_reason", "history_type", "history_user_id")
    columns, selected, names = [], [], []
    for f in history._meta.concrete_fields:
        if f.primary_key and isinstance(f, AutoFieldMixin):
            continue  # history_id: the database's
        columns.append(_quote(f.column))
        if f.attname in fixed:
            selected.append("%s")
            names.append(f.attname)
        elif f.attname in own:
            selected.append(f"s.{_quote(own[f.attname])}")
        else:
            raise ValueError(f"history column {f.attname} of {model.__name__} has no source")
    statement = (f"INSERT INTO {_quote(history._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
                 f"FROM {_quote(model._meta.db_table)} s WHERE {{where}} ORDER BY s.{_quote(model._meta.pk.column)}")
    return statement, tuple(names)


def m2m_history_from_rows(model: type[models.Model], name: str, keys: Sequence[Any], *, history_type: str,
                          date: Any) -> None:
    """The history of the many-to-many field ``name`` of the ``model`` objects with these keys, as
    simple-history keeps it: a copy of each through row pointing at the object's history row of ``date``."""
    if not keys:
        return
    statement, owner = _m2m_history_statement(model, name, connection.vendor)
    # The objects' history rows first, by their keys (an index lookup), then each one's through rows.
    where, keys_params = keys_in(f"h.{_quote(model._meta.pk.column)}", keys)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(where=where),
                       [*keys_params, history_type, connection.ops.adapt_datetimefield_value(date)])


@functools.cache
def _m2m_history_statement(model: type[models.Model], name: str, vendor: str) -> tuple[str, str]:
    through = getattr(model, name).through
    m2m_history = getattr(model.history.model, name).model
    own = {f.attname: f.column for f in through._meta.concrete_fields}
    columns, selected = [], []
    for f in m2m_history._meta.concrete_fields:
        if f.primary_key and isinstance(f, AutoFieldMixin):
            continue
        columns.append(_quote(f.column))
        if f.attname == "history_id":
            selected.append(f"h.{_quote(model.history.model._meta.pk.column)}")
        elif f.attname in own:
            selected.append(f"t.{_quote(own[f.attname])}")
        else:
            raise ValueError(f"history column {f.attname} of {through.__name__} has no source")
    owner = through._meta.get_field(model._meta.model_name).column
    statement = (
        f"INSERT INTO {_quote(m2m_history._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
        f"FROM {_quote(model.history.model._meta.db_table)} h JOIN {_quote(through._meta.db_table)} t "
        f"ON t.{_quote(owner)} = h.{_quote(model._meta.pk.column)} "
        "WHERE {where} AND h.history_type = %s AND h.history_date = %s "
        f"ORDER BY t.{_quote(through._meta.pk.column)}")
    return statement, owner
