"""Row counts and checksums of every table, the same on SQLite and PostgreSQL for the same data.

A table's checksum is SHA-256 over its rows in primary-key order, one line per row: the row's values, read
through the model's fields (so each database's storage is turned into the same Python values), in the canonical
form of `canonical_row`. Rows are streamed in chunks (server-side cursors on PostgreSQL), never a whole table in
memory. The backup's manifest holds these sums; the restore recomputes them and compares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.models import F, Model
from django.db.models.functions import Collate

from guatu.lib import data_version

CHUNK = 2000
# Tables Django's `migrate` fills by itself: a freshly migrated database has rows in them and is still empty.
# What `migrate` writes into an empty database: its record, the content types and permissions, and the data
# version (guatu.lib.data_version: every migration's writes change it).
MIGRATE_FILLS = frozenset({"django_migrations", "django_content_type", "auth_permission", *data_version.TABLES})
_TEXT_KEYS = frozenset({"CharField", "TextField", "SlugField", "EmailField"})


def canonical_value(value: Any) -> Any:
    """One value as it enters the row's line. Decimals lose trailing zeros (12.50 and 12.5 are one amount),
    datetimes are UTC ISO 8601, JSON documents keep their structure (keys sorted when the line is written),
    binary is hex, and anything else (UUIDs, IP addresses) is its text; None stays None (null)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo is UTC:
            return value.isoformat()
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, bool | int | float | str | dict | list):
        return value
    return str(value)


_AS_IS = frozenset({type(None), bool, int, float, str, dict, list})
# sort_keys: JSON documents (dicts) the same whatever order their keys were stored in.
_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def canonical_row(values) -> bytes:
    """A row as one line: a JSON array of its canonical values, keys sorted, no spaces, UTF-8."""
    line = _LINE.encode([value if type(value) in _AS_IS else canonical_value(value) for value in values])
    return line.encode() + b"\n"


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str
    columns: tuple[str, ...]

    def as_json(self) -> dict:
        return {"rows": self.rows, "sha256": self.sha256, "columns": list(self.columns)}


def table_models() -> list[type[Model]]:
    """One model per table of every installed app (auto-created many-to-many tables included), by table name."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found.setdefault(model._meta.db_table, model)
    return [found[table] for table in sorted(found)]


def columns_of(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def _key_order(model: type[Model], vendor: str):
    """The primary key, compared byte by byte on PostgreSQL where it is text: the database's collation (which a
    restore into another cluster may change) must not change the order the checksum is taken in."""
    key = model._meta.pk
    stored = key.target_field if key.is_relation else key
    if vendor == "postgresql" and stored.get_internal_type() in _TEXT_KEYS:
        return Collate(F(key.attname), "C")
    return key.attname


def checksum(queryset, columns: tuple[str, ...]) -> TableSum:
    """Count and SHA-256 of a queryset's rows in primary-key order."""
    vendor = connections[queryset.db].vendor
    rows = queryset.order_by(_key_order(queryset.model, vendor)).values_list(*columns)
    digest, count = hashlib.sha256(), 0
    for values in rows.iterator(chunk_size=CHUNK):
        digest.update(canonical_row(values))
        count += 1
    return TableSum(rows=count, sha256=digest.hexdigest(), columns=columns)


def table_sums(using: str = "default") -> dict[str, TableSum]:
    """Every table's count and checksum. Run it inside one transaction (or on a copy nobody writes to) to have
    them all describe the same instant."""
    return {
        model._meta.db_table: checksum(model._base_manager.using(using).all(), columns_of(model))
        for model in table_models()
    }


def tables_with_rows(using: str = "default") -> list[str]:
    """Tables of the database (whatever their app) holding at least one row, apart from what `migrate` fills."""
    connection = connections[using]
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in MIGRATE_FILLS:
                continue
            # The database's own table name, quoted by the backend: no input reaches it (hence the nosec).
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # nosec B608
            if cursor.fetchone() is not None:
                found.append(table)
    return found
