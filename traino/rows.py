"""Reads and writes of the API's hottest path without the ORM's query compiler.

Compiling a query costs several times its round trip to a nearby database. Token
authentication and booking a slot, which every booking request runs, use these helpers;
everything else uses the ORM.

Related model instances from columns a raw query selected beside its own model's row:

``Model.objects.raw("SELECT a.*, b.x AS b_x ...")`` builds ``a`` with the database's
converters applied to its own fields, but the joined columns come back as plain
annotations, unconverted (SQLite hands timestamps back naive or as text). The hot paths
that read a row and its related rows in one statement without the ORM's query compiler
(token authentication, booking a slot) rebuild the related instances here, through the
same converters the ORM would use. Columns not read are deferred, as with ``only()``.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import BaseExpression


@cache
def _converters(model: type[Model], name: str, vendor: str):
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    return (
        field.attname,
        column,
        [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ],
    )


def select_columns(model: type[Model], alias: str, prefix: str, names: tuple[str, ...]) -> str:
    """The SELECT list for ``names`` of ``model`` read through the table alias ``alias``,
    each column named ``prefix + name`` (what ``related_instance`` reads back)."""
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        columns.append(f"{alias}.{connection.ops.quote_name(field.column)} AS {prefix}{name}")
    return ", ".join(columns)


def related_instance(model: type[Model], row: Model, prefix: str, names: tuple[str, ...]):
    """A ``model`` instance from ``row``'s annotations ``prefix + name``, converted like an
    ORM read; its other fields are deferred."""
    attnames = []
    values = []
    for name in names:
        attname, column, converters = _converters(model, name, connection.vendor)
        value = getattr(row, prefix + name)
        for convert in converters:
            value = convert(value, column, connection)
        attnames.append(attname)
        values.append(value)
    return model.from_db(connection.alias, attnames, values)


@cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key and not f.generated)
    quote = connection.ops.quote_name
    # S608: every name comes from the model, every value is a bound parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def insert(instance: Model) -> Model:
    """Save the new ``instance`` with one INSERT ... RETURNING, as ``Model.save()`` would
    store it (each field's pre_save, so auto_now_add works, and its database preparation),
    and set its primary key. Sends no pre_save/post_save signals: for models nobody
    listens to. A value that is an expression (a db_default left to the database) is
    refused: save those through the ORM."""
    sql, fields = _insert_sql(type(instance), connection.vendor)
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
