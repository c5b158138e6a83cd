"""The phased plans' roll-up (AnnualPlan.phased_01..phased_12), kept equal to their months (PlanMonth).

A plan's column for month m holds its months 1..m added up, and every column is NULL when the plan is not
phased. The columns are recomputed from the months by the database, never patched: in the transaction that
sets a plan's months (guatu.projects.services.annual_plan_set), and for everything after a bulk load that writes
months without the services (`guatu synth`, the tests' bulk fixtures) or by `guatu rollups --rebuild`.
`differences` is the check, an independent recomputation in Python (`guatu rollups --verify` and the tests).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, Exists, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round

from guatu.projects.models import MONEY, AnnualPlan, PlanMonth, phased_field

MONTHS = range(1, 13)
_MONEY_FIELD = DecimalField(**MONEY)


def refresh_phasing(plans=None) -> int:
    """Recompute the phased columns of `plans` (an AnnualPlan queryset; every plan when None) from their months.
    One UPDATE; returns the number of plans written."""
    plans = AnnualPlan.objects.all() if plans is None else plans
    has_months = Exists(PlanMonth.objects.filter(plan=OuterRef("pk")))

    def through(month: int):
        months = PlanMonth.objects.filter(plan=OuterRef("pk"), month__lte=month).order_by().values("plan")
        total = Subquery(months.annotate(total=Sum("amount")).values("total"), output_field=_MONEY_FIELD)
        # Rounded to the cent: on SQLite a sum of decimals is floating point; the months are whole cents.
        return Round(Coalesce(total, Value(Decimal(0)), output_field=_MONEY_FIELD), 2, output_field=_MONEY_FIELD)

    with transaction.atomic():
        return plans.order_by().update(
            **{
                phased_field(m): Case(When(has_months, then=through(m)), default=None, output_field=_MONEY_FIELD)
                for m in MONTHS
            }
        )


def expected(months: dict[int, Decimal]) -> dict[str, Decimal | None]:
    """The phased columns of a plan with `months` (month → amount; empty: not phased)."""
    if not months:
        return {phased_field(m): None for m in MONTHS}
    return {phased_field(m): sum((v for k, v in months.items() if k <= m), Decimal(0)) for m in MONTHS}


def differences() -> list[str]:
    """Every plan whose phased columns differ from its months added up in Python, one line each."""
    months: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for plan_id, month, amount in PlanMonth.objects.order_by().values_list("plan_id", "month", "amount"):
        months[plan_id][month] = amount
    fields = [phased_field(m) for m in MONTHS]
    found = []
    for plan_id, project_id, year, *stored in AnnualPlan.objects.order_by("pk").values_list(
        "pk", "project_id", "year", *fields
    ):
        want = expected(months.get(plan_id, {}))
        wrong = [f"{name} {have} ≠ {want[name]}" for name, have in zip(fields, stored, strict=True) if have != want[name]]
        if wrong:
            found.append(f"plan {plan_id} (project {project_id}, {year}): " + ", ".join(wrong))
    return found
