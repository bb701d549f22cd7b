"""Read query results as numpy columns, fast enough for millions of rows.

On PostgreSQL each column comes back as one value: the query's rows are
aggregated into an array per column and sent in the array's binary form
(``array_send(array_agg(…))``), which numpy reads in place. Fetching millions of
rows one by one (or through ``COPY``, one message per row) costs seconds of
Python; this costs a fraction of a second. Elsewhere rows are fetched as usual.

Every column must be non-null and of a fixed-width type (see :class:`Column`,
which casts it): a NULL or an unexpected width is refused, never misread.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, DateField, ExpressionWrapper, IntegerField, Q, QuerySet
from django.db.models.functions import Cast

# The element's big-endian numpy type in PostgreSQL's binary array form, and the field to cast to.
_TYPES = {
    "int8": (">i8", BigIntegerField),
    "int4": (">i4", IntegerField),
    "bool": ("?", BooleanField),
    "date": (">i4", DateField),  # days since 2000-01-01
}
_NUMPY = {"int8": np.int64, "int4": np.int32, "bool": np.bool_, "date": np.int32}
# date.toordinal() of day 0 of PostgreSQL's binary dates, 2000-01-01.
PG_EPOCH_ORDINAL = 730120


@dataclass(frozen=True)
class Column:
    """One selected value: an ORM expression (or field name, or Q) that is never NULL, and its type.

    Dates come back as ``date.toordinal()`` numbers.
    """

    expression: Any
    type: str

    def cast(self) -> Cast:
        expression = self.expression
        if isinstance(expression, Q):
            expression = ExpressionWrapper(expression, output_field=BooleanField())
        return Cast(expression, _TYPES[self.type][1]())


def fetch(queryset: QuerySet, columns: list[Column]) -> list[np.ndarray]:
    """The rows of ``queryset`` with these columns, as one numpy array per column (one query)."""
    names = [f"_c{i}" for i in range(len(columns))]
    rows = queryset.order_by().annotate(**{n: c.cast() for n, c in zip(names, columns, strict=True)}).values_list(
        *names)
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return _aggregated(rows, columns, names, connection)
    data = list(rows)
    result = []
    for i, column in enumerate(columns):
        values = [row[i] for row in data]
        if column.type == "date":
            values = [value.toordinal() for value in values]
        result.append(np.array(values, dtype=_NUMPY[column.type]))
    return result


def _aggregated(rows: QuerySet, columns: list[Column], names: list[str], connection: Any) -> list[np.ndarray]:
    sql, params = rows.query.sql_with_params()
    # Aggregates of one query see the rows in the same order, so the arrays stay aligned.
    arrays = ", ".join(f"array_send(array_agg(rows.{connection.ops.quote_name(n)}))" for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {arrays} FROM ({sql}) AS rows", params)
        values = cursor.fetchone()
    return [binary_array(value, column) for value, column in zip(values, columns, strict=True)]


def binary_array(data: bytes | None, column: Column) -> np.ndarray:
    """Read PostgreSQL's binary array form: a header, then (length, value) per element."""
    kind = _NUMPY[column.type]
    if data is None:  # array_agg of no rows
        return np.zeros(0, dtype=kind)
    data = bytes(data)
    dimensions, _flags, _element_type = struct.unpack(">iii", data[:12])
    if dimensions == 0:
        return np.zeros(0, dtype=kind)
    if dimensions != 1:
        raise ValueError("expected a one-dimensional array")
    (count,) = struct.unpack(">i", data[12:16])
    element = _TYPES[column.type][0]
    table = np.frombuffer(data, dtype=np.dtype([("length", ">i4"), ("value", element)]), count=count, offset=20)
    if (table["length"] != np.dtype(element).itemsize).any():
        raise ValueError(f"a NULL or a value not of type {column.type} in a fetched column")
    values = table["value"].astype(kind)
    if column.type == "date":
        values += PG_EPOCH_ORDINAL
    return values
