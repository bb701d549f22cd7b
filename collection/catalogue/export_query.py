"""The record sheet of an export as one SQL query: each record's complete row, cell by cell.

Building model instances with prefetches costs about a third of a millisecond per
record, so the database assembles the rows itself and Python only formats them. The
query gives exactly what :func:`collection.catalogue.export.record_cells` gives, each
cell joined as :func:`collection.catalogue.export.as_text` joins it:

* a title column holds the first preferred title (by id) whose tag is the column's,
  compared case-insensitively; a description column the last description of its tag;
* ``variant_titles`` lists ``tag:text`` of the variants the archivist entered (not the
  machine-made forms); ``languages``, ``places`` and ``subjects`` tags and identifiers;
  all sorted as Python sorts text, by code point (``COLLATE "C"`` on PostgreSQL, SQLite's
  own binary order); an agent column lists the agents of its role by position, then link;
* each value of a multi-valued cell is escaped as :func:`format.escape_value` escapes it
  (``\\`` doubled, ``|`` as ``\\|``) before the values are joined with ``|``;
* ``other_titles`` lists ``tag:text`` of the chosen preferred title of each tag without a
  title column, ``other_descriptions`` of the chosen description of each tag without a
  description column, sorted as ``variant_titles`` is;
* ``our_translations`` names, sorted, the title and description columns whose text is
  the archive's own translation, and ``title_<tag>`` (``description_<tag>``) of such a
  text in ``other_titles`` (``other_descriptions``), the tag spelled as stored;
  ``machine_made`` names the same way the title columns (and ``other_titles`` texts) whose
  text is a reading or romanization the app made and no archivist checked.

With a layout (:mod:`.export_lines`), a record whose ready CSV line is there is read from
it, and only the others are assembled.

The two databases get the plan each runs fastest. SQLite, in-process, answers a
correlated subquery per cell in well under a microsecond. PostgreSQL pays much more per
subquery, so there each related table is aggregated once, for all the records at once,
and joined to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper

from ..models import Agent, Description, ExportLine, Language, Place, Record, RecordAgent, Subject, Title
from ..models.labels import machine_made_form_sql
from .format import AGENT_ROLE_COLUMNS, ESCAPE, PLAIN_FIELDS, SEPARATOR, label_tags, record_columns

# The many-to-many columns: the related model and the field of it the cell lists.
_LISTED = (("languages", Language, "tag"), ("places", Place, "identifier"), ("subjects", Subject, "identifier"))


def _literal(value: str) -> str:
    """A string as an SQL literal; ``%`` doubled because the query is run with parameters."""
    if "\x00" in value:
        raise ValueError("NUL in an SQL literal")
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def _escaped(expression: str) -> str:
    """``expression`` escaped as one value of a multi-valued cell (see :func:`format.escape_value`)."""
    return (f"replace(replace({expression}, {_literal(ESCAPE)}, {_literal(ESCAPE * 2)}), "
            f"{_literal(SEPARATOR)}, {_literal(ESCAPE + SEPARATOR)})")


class _Columns:
    """A model's columns as the query names them: ``t.text`` is ``t."text"`` for ``_Columns(Title, "t", ...)``.

    Each name is the column of the model field of that name, read from the model's
    ``_meta`` and quoted; without an alias it stands alone (``"text"``).
    """

    def __init__(self, model: Any, alias: str, quote: Callable[[str], str]) -> None:
        self._model, self._prefix, self._quote = model, f"{alias}." if alias else "", quote

    def __getattr__(self, field: str) -> str:
        return self._prefix + self._quote(self._model._meta.get_field(field).column)


class _Rows:
    """Builds the query; the subclasses say how related rows become cells."""

    def __init__(self, connection: BaseDatabaseWrapper, configured: Sequence[str]) -> None:
        self.connection = connection
        self.configured = list(configured)
        self.tags = label_tags(self.configured)
        self.columns = record_columns(self.configured)
        # Titles and descriptions are matched to columns by lower-cased tag, one slot per distinct tag.
        self.title_slots = {tag: index for index, tag in enumerate(dict.fromkeys(t.lower() for t in self.tags))}
        self.description_slots = {tag: index for index, tag in
                                  enumerate(dict.fromkeys(t.lower() for t in self.configured))}
        # The record each row is of, as the query names it.
        self.record = self.alias(Record, "r")

    def q(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def table(self, model: Any) -> str:
        return self.q(model._meta.db_table)

    def alias(self, model: Any, alias: str = "") -> _Columns:
        return _Columns(model, alias, self.q)

    def sort_key(self, expression: str) -> str:
        return expression

    def date_text(self, expression: str) -> str:
        return expression

    def through(self, name: str) -> tuple[str, str, str]:
        """The link table of a many-to-many column, its record column and its target column."""
        field = Record._meta.get_field(name)
        return (self.q(field.remote_field.through._meta.db_table), self.q(field.m2m_column_name()),
                self.q(field.m2m_reverse_name()))

    def related_cells(self) -> dict[str, str]:
        raise NotImplementedError

    def cells(self) -> list[str]:
        """Each column's expression, in the order of :func:`format.record_columns`."""
        r = self.record
        parent = self.alias(Record, "parent")
        described, holder = self.alias(Agent, "described"), self.alias(Agent, "holder")
        cells: dict[str, str] = {
            "identifier": r.identifier,
            "kind": r.kind,
            "status": r.status,
            "parent": f"coalesce({parent.identifier}, '')",
            "sequence": f"coalesce(CAST({r.sequence} AS TEXT), '')",
            "date": r.date_edtf,
            "accessed": f"coalesce({self.date_text(r.accessed)}, '')",
            "described_agent": f"coalesce({described.identifier}, '')",
            "repository": f"coalesce({holder.identifier}, '')",
        }
        for name in PLAIN_FIELDS:
            cells[name] = f"coalesce({getattr(r, name)}, '')"
        cells.update(self.related_cells())
        return [cells[column] for column in self.columns]

    def single_joins(self) -> str:
        """The joins of the cells naming one other entry: the parent, the described agent, the holder."""
        r = self.record
        parent = self.alias(Record, "parent")
        described, holder = self.alias(Agent, "described"), self.alias(Agent, "holder")
        record_table, agent_table = self.table(Record), self.table(Agent)
        return (f"\nLEFT JOIN {record_table} AS parent ON {parent.id} = {r.parent}"
                f"\nLEFT JOIN {agent_table} AS described ON {described.id} = {r.described_agent}"
                f"\nLEFT JOIN {agent_table} AS holder ON {holder.id} = {r.repository}")

    def sql(self, selection: str, layout: str | None) -> str:
        raise NotImplementedError

    def own_tags(self, titles: bool) -> str:
        """The lower-cased tags with a title (description) column of their own, as an SQL list."""
        return ", ".join(_literal(tag) for tag in (self.title_slots if titles else self.description_slots))

    def ours(self) -> list[tuple[str, str, bool]]:
        """``(column, lower-cased tag, is a title)`` of every column ``our_translations`` may name, sorted."""
        return sorted([(f"title_{tag}", tag.lower(), True) for tag in self.tags]
                      + [(f"description_{tag}", tag.lower(), False) for tag in self.configured])

    @staticmethod
    def machine_made(title: _Columns) -> str:
        """Whether a title is listed in ``machine_made``: the label's own rule
        (:attr:`~collection.models.labels.Label.is_machine_made`), in SQL."""
        return machine_made_form_sql(title.machine_made, title.form, _literal)


class _SQLiteRows(_Rows):
    """A correlated subquery per cell, each an index lookup on the record's id."""

    def __init__(self, connection: BaseDatabaseWrapper, configured: Sequence[str]) -> None:
        super().__init__(connection, configured)
        # SQLite 3.44 orders inside an aggregate. Before it, group_concat follows the order of a subquery
        # with ORDER BY that is its only source: SQLite keeps such an ORDER BY (it drops one only under a
        # join or an outer ORDER BY), and those versions will not change.
        self.ordered_aggregates = connection.Database.sqlite_version_info >= (3, 44)

    def concat(self, value: str, key: str, source: str, where: str) -> str:
        bar = _literal(SEPARATOR)
        if self.ordered_aggregates:
            inner = f"SELECT group_concat({_escaped(value)}, {bar} ORDER BY {key}) FROM {source} WHERE {where}"
        else:
            inner = (f"SELECT group_concat(v, {bar}) FROM (SELECT {_escaped(value)} AS v FROM {source} "
                     f"WHERE {where} ORDER BY {key})")
        return f"coalesce(({inner}), '')"

    def related_cells(self) -> dict[str, str]:
        r = self.record
        title, description = self.table(Title), self.table(Description)
        t, d = self.alias(Title, "t"), self.alias(Description, "d")
        cells: dict[str, str] = {}
        for tag in self.tags:
            cells[f"title_{tag}"] = (
                f"coalesce((SELECT {t.text} FROM {title} AS t WHERE {t.record} = {r.id} AND {t.preferred} "
                f"AND lower({t.language}) = {_literal(tag.lower())} ORDER BY {t.id} LIMIT 1), '')")
        variant = f"{t.language} || {_literal(':')} || {t.text}"
        o = self.alias(Title, "o")
        cells["other_titles"] = self.concat(
            variant, variant, f"{title} AS t",
            f"{t.record} = {r.id} AND {t.preferred} AND lower({t.language}) NOT IN ({self.own_tags(True)}) "
            f"AND NOT EXISTS (SELECT 1 FROM {title} AS o WHERE {o.record} = {t.record} AND {o.preferred} "
            f"AND lower({o.language}) = lower({t.language}) AND {o.id} < {t.id})")
        cells["variant_titles"] = self.concat(
            variant, variant, f"{title} AS t", f"{t.record} = {r.id} AND NOT {t.preferred} AND NOT {t.machine_made}")
        for tag in self.configured:
            cells[f"description_{tag}"] = (
                f"coalesce((SELECT {d.text} FROM {description} AS d WHERE {d.record} = {r.id} "
                f"AND lower({d.language}) = {_literal(tag.lower())} ORDER BY {d.id} DESC LIMIT 1), '')")
        described = f"{d.language} || {_literal(':')} || {d.text}"
        o = self.alias(Description, "o")
        cells["other_descriptions"] = self.concat(
            described, described, f"{description} AS d",
            f"{d.record} = {r.id} AND lower({d.language}) NOT IN ({self.own_tags(False)}) "
            f"AND NOT EXISTS (SELECT 1 FROM {description} AS o WHERE {o.record} = {d.record} "
            f"AND lower({o.language}) = lower({d.language}) AND {o.id} > {d.id})")
        cells["our_translations"] = self.listed(lambda label: label.our_translation,
                                                lambda label: label.our_translation)
        cells["machine_made"] = self.listed(self.machine_made)
        for name, model, attribute in _LISTED:
            link, record_column, target = self.through(name)
            item = self.alias(model, "item")
            cells[name] = self.concat(
                getattr(item, attribute), getattr(item, attribute),
                f"{link} AS link JOIN {self.table(model)} AS item ON {item.id} = link.{target}",
                f"link.{record_column} = {r.id}")
        link, person = self.alias(RecordAgent, "link"), self.alias(Agent, "person")
        for column, role in AGENT_ROLE_COLUMNS.items():
            cells[column] = self.concat(
                person.identifier, f"{link.position}, {link.id}",
                f"{self.table(RecordAgent)} AS link JOIN {self.table(Agent)} AS person ON {person.id} = {link.agent}",
                f"{link.record} = {r.id} AND {link.role} = {_literal(role)}")
        return cells

    def listed(self, title_flag: Callable[[_Columns], str],
               description_flag: Callable[[_Columns], str] | None = None) -> str:
        """One subquery naming the record's chosen titles (and descriptions) of which ``title_flag``
        (``description_flag``) holds, given their columns: ``our_translations`` and ``machine_made``, which
        most records name none in."""
        r = self.record
        title, description = self.table(Title), self.table(Description)
        t, d = self.alias(Title, "t"), self.alias(Description, "d")
        other_title, other_description = self.alias(Title, "o"), self.alias(Description, "o")
        # A list of literal rows (SQLite names no columns of a VALUES list).
        names = " UNION ALL ".join(
            f"SELECT {_literal(tag)} AS tag, {int(is_title)} AS is_title, {_literal(name)} AS name"
            for name, tag, is_title in self.ours() if is_title or description_flag is not None)
        # The chosen title of a tag is the first by id, the chosen description the last: a flag counts only
        # when no other text of its tag comes before (after) it. A tag without a column of its own is named as
        # the label spells it (title_mn), as other_titles and other_descriptions spell it.
        chosen = (
            f"SELECT lower({t.language}) AS tag, 1 AS is_title, {t.language} AS spelled FROM {title} AS t "
            f"WHERE {t.record} = {r.id} "
            f"AND {t.preferred} AND {title_flag(t)} AND NOT EXISTS (SELECT 1 FROM {title} AS o "
            f"WHERE {other_title.record} = {t.record} AND {other_title.preferred} "
            f"AND lower({other_title.language}) = lower({t.language}) AND {other_title.id} < {t.id})")
        if description_flag is not None:
            chosen += (
                f" UNION ALL SELECT lower({d.language}), 0, {d.language} FROM {description} AS d "
                f"WHERE {d.record} = {r.id} "
                f"AND {description_flag(d)} AND NOT EXISTS (SELECT 1 FROM {description} AS o "
                f"WHERE {other_description.record} = {d.record} "
                f"AND lower({other_description.language}) = lower({d.language}) "
                f"AND {other_description.id} > {d.id})")
        name = (f"coalesce(names.name, CASE chosen.is_title WHEN 1 THEN {_literal('title_')} "
                f"ELSE {_literal('description_')} END || chosen.spelled)")
        return self.concat(
            name, name,
            f"({chosen}) AS chosen LEFT JOIN ({names}) AS names "
            f"ON names.tag = chosen.tag AND names.is_title = chosen.is_title", "1")

    def sql(self, selection: str, layout: str | None) -> str:
        r = self.record
        cells = self.cells()
        ready = ""
        if layout is not None:
            # A record's ready line, or its cells as one JSON array: two columns, where sixty would cost
            # more to read than the line itself. SQLite evaluates a CASE lazily, so a ready record's
            # subqueries never run. The array is written out, since a function takes at most 127 arguments.
            line = self.alias(ExportLine, "ready")
            array = "'[' || " + " || ',' || ".join(f"json_quote({cell})" for cell in cells) + " || ']'"
            cells = [line.line, f"CASE WHEN {line.line} IS NULL THEN {array} END"]
            ready = (f"\nLEFT JOIN {self.table(ExportLine)} AS ready ON {line.record} = {r.id} "
                     f"AND {line.layout} = {_literal(layout)}")
        # Walking the identifier index keeps the rows in export order without a sort.
        return ("SELECT " + ",\n  ".join(cells) + f"\nFROM {self.table(Record)} AS r" + self.single_joins() + ready
                + f"\nWHERE {r.id} IN ({selection})\nORDER BY {r.identifier}")


class _PostgresRows(_Rows):
    """Each related table aggregated once for all the selected records, then joined to them."""

    def sort_key(self, expression: str) -> str:
        # Python sorts text by code point, as the "C" collation sorts UTF-8.
        return f'({expression}) COLLATE "C"'

    def date_text(self, expression: str) -> str:
        return f"to_char({expression}, 'YYYY-MM-DD')"

    def related_cells(self) -> dict[str, str]:
        cells = {f"title_{tag}": f"coalesce(titles.t{self.title_slots[tag.lower()]}, '')" for tag in self.tags}
        cells["other_titles"] = "coalesce(other_titles.v, '')"
        cells["variant_titles"] = "coalesce(variants.v, '')"
        cells.update({f"description_{tag}": f"coalesce(descriptions.d{self.description_slots[tag.lower()]}, '')"
                      for tag in self.configured})
        cells["other_descriptions"] = "coalesce(other_descriptions.v, '')"
        cells["our_translations"] = self.listed("o", descriptions=True)
        cells["machine_made"] = self.listed("m", descriptions=False)
        cells.update({name: f"coalesce({name}_cells.v, '')" for name, _model, _attribute in _LISTED})
        cells.update({column: f"coalesce(agents.a{index}, '')" for index, column in enumerate(AGENT_ROLE_COLUMNS)})
        return cells

    def listed(self, flag: str, *, descriptions: bool) -> str:
        """The names, sorted, of the chosen titles (and descriptions) whose flag the aggregates below give as
        ``flag`` (``o`` ours, ``m`` machine-made): a column's own name, or ``title_<tag>`` of a tag without one."""
        flags = ", ".join(
            f"CASE WHEN {'titles' if is_title else 'descriptions'}.{flag}"
            f"{(self.title_slots if is_title else self.description_slots)[tag]} "
            f"THEN {_literal(name)} END" for name, tag, is_title in self.ours() if is_title or descriptions)
        others = [f"coalesce(other_titles.{flag}, ARRAY[]::text[])"]
        if descriptions:
            others.append(f"coalesce(other_descriptions.{flag}, ARRAY[]::text[])")
        # The columns' own names and those of the tags without a column (title_mn), sorted together.
        names = (f"ARRAY[{flags}]::text[] || " if flags else "") + " || ".join(others)
        return (f"array_to_string(ARRAY(SELECT n FROM unnest({names}) AS n "
                f"WHERE n IS NOT NULL ORDER BY {self.sort_key('n')}), {_literal(SEPARATOR)})")

    def concat(self, value: str, key: str) -> str:
        return f"string_agg({_escaped(value)}, {_literal(SEPARATOR)} ORDER BY {key})"

    def sql(self, selection: str, layout: str | None) -> str:
        r = self.record
        title, description = self.table(Title), self.table(Description)
        # Unqualified: each aggregate reads one table, and the rows of a subquery keep its column names.
        t, d = self.alias(Title), self.alias(Description)
        # Each record once, as SQLite's IN gives it, even when a filter joins (titles__language=…).
        each_once = f"SELECT id FROM {self.table(Record)} WHERE id IN ({selection})"
        if layout is None:
            ctes = [f"selected (id) AS MATERIALIZED ({each_once})"]
        else:
            # The records with a ready row are read from it; only the others ("selected") are assembled.
            line = self.alias(ExportLine, "ready")
            ctes = [f"chosen (id) AS MATERIALIZED ({each_once})",
                    f"selected (id) AS MATERIALIZED (SELECT id FROM chosen WHERE NOT EXISTS (SELECT 1 FROM "
                    f"{self.table(ExportLine)} AS ready WHERE {line.record} = chosen.id "
                    f"AND {line.layout} = {_literal(layout)}))"]

        def pivot(slots: dict[str, int], letter: str, label: _Columns, machine: str = "") -> str:
            return ", ".join(f"max({label.text}) FILTER (WHERE tag = {_literal(tag)}) AS {letter}{index}, "
                             f"bool_or({label.our_translation}) FILTER (WHERE tag = {_literal(tag)}) AS o{index}"
                             + (f", bool_or({machine}) FILTER (WHERE tag = {_literal(tag)}) AS m{index}"
                                if machine else "")
                             for tag, index in slots.items())

        machine = self.machine_made(t)

        wanted = ", ".join(_literal(tag) for tag in self.title_slots)
        # DISTINCT ON keeps the first row of each record and tag in the ORDER BY: the title record_cells picks.
        ctes.append(
            f"titles AS (SELECT {t.record} AS record_id, {pivot(self.title_slots, 't', t, machine)} FROM ("
            f"SELECT DISTINCT ON ({t.record}, lower({t.language})) {t.record}, lower({t.language}) AS tag, "
            f"{t.text}, {t.our_translation}, {t.machine_made}, {t.form} FROM {title} "
            f"WHERE {t.preferred} AND lower({t.language}) IN ({wanted}) "
            f"AND {t.record} IN (SELECT id FROM selected) "
            f"ORDER BY {t.record}, lower({t.language}), {t.id}) AS first GROUP BY {t.record})")
        variant = f"{t.language} || {_literal(':')} || {t.text}"
        # The first preferred title of each tag without a column, and the names of those that are ours.
        ctes.append(
            f"other_titles AS (SELECT {t.record} AS record_id, {self.concat(variant, self.sort_key(variant))} AS v, "
            f"array_agg({_literal('title_')} || {t.language}) FILTER (WHERE {t.our_translation}) AS o, "
            f"array_agg({_literal('title_')} || {t.language}) FILTER (WHERE {machine}) AS m FROM ("
            f"SELECT DISTINCT ON ({t.record}, lower({t.language})) {t.record}, {t.language}, {t.text}, "
            f"{t.our_translation}, {t.machine_made}, {t.form} FROM {title} "
            f"WHERE {t.preferred} AND lower({t.language}) NOT IN ({wanted}) "
            f"AND {t.record} IN (SELECT id FROM selected) "
            f"ORDER BY {t.record}, lower({t.language}), {t.id}) AS first GROUP BY {t.record})")
        ctes.append(f"variants AS (SELECT {t.record} AS record_id, {self.concat(variant, self.sort_key(variant))} "
                    f"AS v FROM {title} WHERE NOT {t.preferred} AND NOT {t.machine_made} "
                    f"AND {t.record} IN (SELECT id FROM selected) GROUP BY {t.record})")
        ctes.append(
            f"descriptions AS (SELECT {d.record} AS record_id, {pivot(self.description_slots, 'd', d)} FROM ("
            f"SELECT DISTINCT ON ({d.record}, lower({d.language})) {d.record}, lower({d.language}) AS tag, "
            f"{d.text}, {d.our_translation} FROM {description} WHERE {d.record} IN (SELECT id FROM selected) "
            f"ORDER BY {d.record}, lower({d.language}), {d.id} DESC) AS last GROUP BY {d.record})")
        described = f"{d.language} || {_literal(':')} || {d.text}"
        ctes.append(
            f"other_descriptions AS (SELECT {d.record} AS record_id, "
            f"{self.concat(described, self.sort_key(described))} AS v, "
            f"array_agg({_literal('description_')} || {d.language}) FILTER (WHERE {d.our_translation}) AS o FROM ("
            f"SELECT DISTINCT ON ({d.record}, lower({d.language})) {d.record}, {d.language}, {d.text}, "
            f"{d.our_translation} FROM {description} WHERE lower({d.language}) NOT IN ({self.own_tags(False)}) "
            f"AND {d.record} IN (SELECT id FROM selected) "
            f"ORDER BY {d.record}, lower({d.language}), {d.id} DESC) AS last GROUP BY {d.record})")
        for name, model, attribute in _LISTED:
            link, record_column, target = self.through(name)
            item = self.alias(model, "item")
            listed = getattr(item, attribute)
            ctes.append(
                f"{name}_cells AS (SELECT link.{record_column} AS record_id, "
                f"{self.concat(listed, self.sort_key(listed))} AS v FROM {link} AS link "
                f"JOIN {self.table(model)} AS item ON {item.id} = link.{target} "
                f"WHERE link.{record_column} IN (SELECT id FROM selected) GROUP BY link.{record_column})")
        link, person = self.alias(RecordAgent, "link"), self.alias(Agent, "person")
        roles = ", ".join(f"{self.concat(person.identifier, f'{link.position}, {link.id}')} "
                          f"FILTER (WHERE {link.role} = {_literal(role)}) AS a{index}"
                          for index, role in enumerate(AGENT_ROLE_COLUMNS.values()))
        ctes.append(
            f"agents AS (SELECT {link.record} AS record_id, {roles} FROM {self.table(RecordAgent)} AS link "
            f"JOIN {self.table(Agent)} AS person ON {person.id} = {link.agent} "
            f"WHERE {link.record} IN (SELECT id FROM selected) GROUP BY {link.record})")
        # Each aggregate holds selected records only, so a FULL JOIN gives what a LEFT JOIN would; but a
        # FULL JOIN is always a hash or merge join, never a nested loop rescanning an aggregate per
        # record, the plan PostgreSQL may pick for a cursor or before the tables are analysed.
        joins = "\n".join(f"FULL JOIN {name} ON {name}.record_id = {r.id}" for name in (
            "titles", "other_titles", "variants", "descriptions", "other_descriptions",
            *(f"{name}_cells" for name, _m, _a in _LISTED), "agents"))
        head = "WITH " + ",\n".join(ctes) + "\n"
        assembled = (f"FROM selected JOIN {self.table(Record)} AS r ON {r.id} = selected.id\n{joins}"
                     + self.single_joins())
        cells = self.cells()
        if layout is None:
            return head + "SELECT " + ",\n  ".join(cells) + f"\n{assembled}\nORDER BY {self.sort_key(r.identifier)}"
        # The ready rows are read with their identifier alone, the others assembled into one JSON array
        # (an ARRAY takes any number of cells; a function at most 100); both sorted together.
        return (head + f"SELECT line, cells FROM (SELECT {line.line} AS line, NULL AS cells, {r.identifier} AS sort"
                + f"\nFROM chosen JOIN {self.table(ExportLine)} AS ready ON {line.record} = chosen.id "
                + f"AND {line.layout} = {_literal(layout)} JOIN {self.table(Record)} AS r ON {r.id} = chosen.id"
                + "\nUNION ALL SELECT NULL, to_json(ARRAY[" + ",\n  ".join(cells) + f"])::text, {r.identifier}"
                + f"\n{assembled}) AS rows\nORDER BY {self.sort_key('sort')}")


def export_sql(connection: BaseDatabaseWrapper, selection: str, configured: Sequence[str],
               layout: str | None = None) -> str:
    """The query for the rows of the records that ``selection`` (SQL giving their ids) picks.

    The SQL keeps the selection's ``%s`` placeholders; each row holds the cells of
    :func:`format.record_columns`, in that order. With a ``layout``, each row is
    ``(line, cells)``: the record's ready CSV line of that layout if it has one, else
    NULL and its cells as a JSON array.
    """
    builders: dict[str, type[_Rows]] = {"postgresql": _PostgresRows, "sqlite": _SQLiteRows}
    if connection.vendor not in builders:
        raise NotSupportedError(f"The catalogue export runs on SQLite and PostgreSQL, not {connection.vendor}.")
    builder = builders[connection.vendor](connection, configured)
    return builder.sql(selection, layout)
