"""Writing thousands of rows the caller has built whole, in a few statements: a workbook's reports and the audit
trail they leave (guatu.reports.services.report_save_many, guatu.audit).

Django's bulk_create and bulk_update are general: bulk_create checks every related object of every instance and
builds each value's SQL through the compiler (about 100 µs a row of ten fields, most of a 2,000-row import);
bulk_update writes a CASE per field and row. These two do only what a row the caller built needs: each value is
converted as Django converts it for the column (`pre_save`, then `get_db_prep_save`: JSON, dates, decimals per
backend) and sent as a parameter. tests/test_bulk.py holds their rows equal to bulk_create's on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, router
from django.db.models import Field, Model

BATCH = 1000  # rows a statement at most (PostgreSQL takes 65,535 parameters a statement; SQLite fewer, its own)


def insert(objs: Sequence[Model], fields: Sequence[str] | None = None) -> None:
    """INSERT `objs` (instances of one model, not saved yet), every concrete column but the primary key (or those
    of `fields`), in batches of multi-row VALUES, and set each one's primary key from the database (RETURNING, in
    the order of the rows, as bulk_create reads it)."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    if not connections[router.db_for_write(model)].features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)  # an SQLite older than 3.35: no RETURNING
        return
    if fields is None:
        columns = [field for field in meta.concrete_fields if not field.primary_key]
    else:
        columns = [meta.get_field(name) for name in fields]
    rows = [[field.pre_save(obj, True) for field in columns] for obj in objs]
    alias, pks = _insert(model, columns, rows, returning=True)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def insert_values(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """INSERT rows of `model` given as values of `fields` (in that order), without making an instance of each:
    for rows nobody reads back (the audit chain's pending marks and seals)."""
    _insert(model, [model._meta.get_field(name) for name in fields], list(rows), returning=False)


def _insert(model: type[Model], columns: list[Field], rows: list[Sequence], *, returning: bool) -> tuple[str, list]:
    """The rows' values converted per column as Django converts them, inserted; the database alias and, when
    `returning`, the new primary keys in the order of the rows."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    table, names = quote(meta.db_table), ", ".join(quote(field.column) for field in columns)
    head = f"INSERT INTO {table} ({names}) VALUES "  # nosec B608: names from the model, values as parameters
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(columns, rows)))
    converters = [_converter(field, connection) for field in columns]
    pks: list = []
    with _cursor(connection) as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [convert(value) for row in batch for convert, value in zip(converters, row, strict=True)]
            cursor.execute(head + ", ".join([placeholders] * len(batch)) + tail, params)  # nosec B608: names from the model
            if returning:
                pks.extend(pk for (pk,) in cursor.fetchall())
    return alias, pks


# The Python types whose values each kind of column's conversion (get_db_prep_save) returns unchanged, on every
# backend: text as text, whole numbers as numbers. A foreign key converts as the column it points to.
_UNCHANGED = {
    **dict.fromkeys(("CharField", "TextField", "SlugField", "EmailField", "URLField"), (str,)),
    **dict.fromkeys(
        (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        ),
        (int,),
    ),
    "BooleanField": (bool,),
}


def _converter(field: Field, connection):
    """The column's conversion of a value to a parameter: get_db_prep_save, as bulk_create does it, skipped for
    None and for the values it returns unchanged (_UNCHANGED: `type(value) is int` keeps True out of a number
    column's shortcut), and done once for a moment that many rows share (a batch's events and reports carry the
    same `now`)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    unchanged = _UNCHANGED.get(kind, ())

    def convert(value):
        if value is None or type(value) in unchanged:
            return value
        return field.get_db_prep_save(value, connection)

    if kind != "DateTimeField":
        return convert
    seen: dict = {}

    def convert_moment(value):
        if value not in seen:
            seen[value] = convert(value)
        return seen[value]

    return convert_moment


def update(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """UPDATE the columns of `fields` of each of `objs` (saved instances of one model) by primary key, in one
    executemany."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # nosec B608: names from the model, values as parameters
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(meta.pk.column),
    )
    converters = [_converter(field, connection) for field in columns]
    params = [
        [convert(getattr(obj, field.attname)) for field, convert in zip(columns, converters, strict=True)] + [obj.pk]
        for obj in objs
    ]
    with _cursor(connection) as cursor:
        cursor.executemany(sql, params)


@contextmanager
def _cursor(connection) -> Iterator:
    """A cursor for these statements. On PostgreSQL one that sends the parameters apart from the statement:
    Django's own (its `server_side_binding` option off, the default) writes each parameter into the statement's
    text as a literal, in Python, which was most of the time of a 2,000-row statement (a 2,000-row UPDATE 270 ms);
    an executemany then goes as one pipeline. Wrapped as Django wraps its cursors, so that errors, query logging
    and execute_wrapper (the tests' pinned query counts) see these statements as any other."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("server_side_binding"):
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg  # PostgreSQL only

    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
    with connection._prepare_cursor(raw) as cursor:
        yield cursor
