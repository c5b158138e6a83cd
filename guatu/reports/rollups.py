"""The approved-totals roll-up (guatu.reports.models.ApprovedTotal), kept exact.

A roll-up row is never adjusted by a difference: it is recomputed from the project's approved reports of the
year, under a lock on the project, in the transaction that changed them. So it cannot drift, whatever order
concurrent approvals commit in: a second writer waits for the lock, then reads the first one's committed report.

Who calls what:
- `refresh` — the report services, after a step that makes a figure count or stop counting (approve, unlock,
  an opening figure taken in);
- `rebuild_rollups` — bulk loads that write reports without the services (the demo, `guatu synth`, a restore),
  and `guatu rollups --rebuild`;
- `differences` — `guatu rollups --verify` and the tests: every row against a recomputation from the reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.db.models.functions import Round

from guatu.projects.models import Project
from guatu.reports.models import MONTHS, TOTAL, ApprovedTotal, MonthlyReport, ytd_field

TOTAL_FIELD = DecimalField(**TOTAL)

# Projects recomputed per statement by a rebuild of named projects: bounds the statement's size.
BATCH = 2000


def refresh(project_id: int, year: int) -> None:
    """Recompute one project's year from its approved reports. Takes the project's row lock (the caller's
    transaction holds it to the end), so concurrent writers of the same project recompute one after the other."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project_id).values_list("pk", flat=True).first()
        ApprovedTotal.objects.filter(project_id=project_id, year=year).delete()
        _insert_from(MonthlyReport.objects.filter(project_id=project_id, year=year))


def rebuild_rollups(project_ids: Iterable[int] | None = None) -> int:
    """Recompute the roll-up of the given projects (every project when None) from their reports, all years.
    Returns the number of roll-up rows written."""
    with transaction.atomic():
        if project_ids is None:
            ApprovedTotal.objects.all().delete()
            return _insert_from(MonthlyReport.objects.all())
        ids = sorted(project_ids)
        written = 0
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            ApprovedTotal.objects.filter(project_id__in=batch).delete()
            written += _insert_from(MonthlyReport.objects.filter(project_id__in=batch))
        return written


def _insert_from(reports) -> int:
    """INSERT … SELECT: the roll-up rows of the approved reports among `reports`, added up by the database
    (a province's million and a half reports in seconds). Each month's figure is rounded to the cent, which on
    SQLite, whose sums are floating point, restores the exact sum of whole cents."""
    select = (
        reports.approved()
        .order_by()
        .values("project", "year")
        .annotate(
            **{
                ytd_field(m): Round(
                    Sum(Case(When(month__lte=m, then=F("amount")))), 2, output_field=TOTAL_FIELD
                )
                for m in MONTHS
            }
        )
    )
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ["project_id", "year", *(ytd_field(m) for m in MONTHS)])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(ApprovedTotal._meta.db_table)} ({columns}) {sql}", params)  # nosec B608
        return cursor.rowcount


def recomputed(project_ids: Iterable[int] | None = None) -> dict[tuple[int, int], list[Decimal | None]]:
    """(project id, year) → the twelve year-to-date figures, from the reports themselves."""
    reports = (
        MonthlyReport.objects.all()
        if project_ids is None
        else MonthlyReport.objects.filter(project_id__in=project_ids)
    )
    return _cumulative(_amounts(reports))


def stored(project_ids: Iterable[int] | None = None) -> dict[tuple[int, int], list[Decimal | None]]:
    """(project id, year) → the twelve year-to-date figures, as the roll-up holds them."""
    rows = (
        ApprovedTotal.objects.all()
        if project_ids is None
        else ApprovedTotal.objects.filter(project_id__in=project_ids)
    )
    fields = [ytd_field(m) for m in MONTHS]
    return {
        (pid, year): list(figures)
        for pid, year, *figures in rows.order_by().values_list("project_id", "year", *fields)
    }


def differences(project_ids: Iterable[int] | None = None) -> list[str]:
    """Every (project, year) whose roll-up differs from a recomputation, described; empty when exact."""
    want, have = recomputed(project_ids), stored(project_ids)
    found = []
    for key in sorted(want.keys() | have.keys()):
        if want.get(key) != have.get(key):
            found.append(
                f"project {key[0]} year {key[1]}: roll-up {have.get(key)} != reports {want.get(key)}"
            )
    return found


def _amounts(reports) -> Iterator[tuple[int, int, int, Decimal]]:
    """(project id, year, month, amount) of the approved reports among `reports`."""
    return (
        reports.approved()
        .order_by()
        .values_list("project_id", "year", "month", "amount")
        .iterator(chunk_size=10000)
    )


def _cumulative(
    amounts: Iterable[tuple[int, int, int, Decimal]],
) -> dict[tuple[int, int], list[Decimal | None]]:
    """Twelve running totals per (project, year); None until the first approved month (exact Decimal sums)."""
    by_month: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for pid, year, month, amount in amounts:
        by_month[(pid, year)][month] = amount
    totals = {}
    for key, months in by_month.items():
        running: Decimal | None = None
        figures = []
        for month in MONTHS:
            if month in months:
                running = (running or Decimal(0)) + months[month]
            figures.append(running)
        totals[key] = figures
    return totals
