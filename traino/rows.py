"""Reads and writes of the API's busiest path, written out in SQL rather than compiled by
the ORM on every request.

Compiling a query (or building a RawQuerySet's column map) costs several times the round
trip to a nearby database. Token authentication and booking a slot, which every booking
request runs, use ``Select`` and ``insert``; everything else uses the ORM. Both keep the
ORM's semantics where it matters: values are read through the same converters (SQLite's
timestamps come back aware, JSON decoded) and written through each field's ``pre_save``
and database preparation. Names in the SQL come from the models' meta; every value is a
bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import BaseExpression


@dataclass(frozen=True)
class Part:
    """The fields ``names`` of ``model``, read through the table alias ``alias``."""

    model: type[Model]
    alias: str
    names: tuple[str, ...]

    @cached_property
    def fields(self):
        """In the model's field order: Model.from_db takes the values of a partial row so."""
        wanted = {self.model._meta.get_field(name) for name in self.names}
        return [field for field in self.model._meta.concrete_fields if field in wanted]


class Select:
    """``SELECT <the parts' columns> <rest>``: each row read back as one instance per part,
    its fields converted as an ORM read converts them and the fields not listed deferred
    (as with ``only()``). ``rest`` holds FROM, the joins and WHERE, with %s parameters."""

    def __init__(self, *parts: Part, rest: str):
        self.parts = parts
        quote = connection.ops.quote_name
        columns = ", ".join(
            f"{part.alias}.{quote(field.column)}" for part in parts for field in part.fields
        )
        self.sql = f"SELECT {columns} {rest}"
        self._converters = {}

    def _plan(self):
        """Per part: its attnames, then (column, converters) per field, for this backend."""
        plan = self._converters.get(connection.vendor)
        if plan is None:
            plan = []
            for part in self.parts:
                fields = []
                for field in part.fields:
                    column = field.get_col(part.model._meta.db_table)
                    converters = [
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    ]
                    fields.append((column, converters))
                plan.append((part.model, [field.attname for field in part.fields], fields))
            self._converters[connection.vendor] = plan
        return plan

    def rows(self, params) -> list[tuple[Model, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        plan = self._plan()
        result = []
        for row in fetched:
            values = iter(row)
            instances = []
            for model, attnames, fields in plan:
                converted = []
                for column, converters in fields:
                    value = next(values)
                    for convert in converters:
                        value = convert(value, column, connection)
                    converted.append(value)
                instances.append(model.from_db(connection.alias, attnames, converted))
            result.append(tuple(instances))
        return result

    def first(self, params) -> tuple[Model, ...] | None:
        found = self.rows(params)
        return found[0] if found else None


def all_fields(model: type[Model]) -> tuple[str, ...]:
    """Every concrete field's name (a whole row: nothing deferred)."""
    return tuple(field.name for field in model._meta.concrete_fields)


_INSERTS: dict[tuple[type[Model], str], tuple[str, tuple]] = {}


def _insert_sql(model: type[Model]) -> tuple[str, tuple]:
    key = (model, connection.vendor)
    if key not in _INSERTS:
        meta = model._meta
        fields = tuple(f for f in meta.concrete_fields if not f.primary_key and not f.generated)
        quote = connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
            f" RETURNING {quote(meta.pk.column)}",
            fields,
        )
    return _INSERTS[key]


def insert(instance: Model) -> Model:
    """Save the new ``instance`` with one INSERT ... RETURNING, as ``Model.save()`` would
    store it (each field's pre_save, so auto_now_add works, and its database preparation),
    and set its primary key. Sends no pre_save/post_save signals: for models nobody
    listens to. A value that is an expression (a db_default left to the database) is
    refused: save those through the ORM."""
    sql, fields = _insert_sql(type(instance))
    values = []
    for field in fields:
        value = field.pre_save(instance, add=True)
        if isinstance(value, BaseExpression):
            raise TypeError(f"{field.name} is an expression: save {instance!r} with the ORM.")
        values.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
