"""Adding up money exactly in SQL: each amount as whole cents, rounded half-up, summed as integers.

SQLite holds a decimal column in floating point, so a plain SUM of 万元 amounts can be off in the last place; every
stored amount is whole cents, so rounding each one to cents in SQL gives back the exact figure, and integers add
up exactly on every database. `InCents(F("amount"))` is that expression, `from_cents` the way back to 万元.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import BigIntegerField, Func


class InCents(Func):
    """An amount in 万元 as whole cents, rounded half-up (ties away from zero, as ROUND does on both databases):
    `CAST(ROUND(amount * 100) AS INTEGER)` on SQLite, `ROUND(amount * 100)::bigint` on PostgreSQL. Written
    directly rather than composed from Django's Cast and Round, which on SQLite nest three more casts that cost
    about a fifth of a large roll-up's time."""

    template = "CAST(ROUND(%(expressions)s * 100) AS INTEGER)"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(ROUND(%(expressions)s * 100))::bigint", **extra)


def from_cents(cents) -> Decimal:
    """Whole cents back to 万元 with two places: 35050 → Decimal('350.50')."""
    return Decimal(cents).scaleb(-2)
