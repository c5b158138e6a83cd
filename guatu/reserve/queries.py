"""Reads of the reserve pipeline, each a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext as _

from guatu.lib.cents import InCents, from_cents
from guatu.projects.models import Category, Milestone, Tier
from guatu.reserve import rules as tier_rules
from guatu.reserve.models import FundingApplication

DIMENSIONS = {"year": "start_year", "chain": "chain", "category": "category"}


@dataclass
class DepthRow:
    """One (tier, group) cell of the reserve: how many projects, how much investment, and how much of it is
    ready (its projects meet the next tier's gate; None in the top tier, which has no next)."""

    tier: str
    tier_label: str
    key: object
    label: str
    count: int = 0
    investment: Decimal = Decimal("0")
    ready_count: int | None = 0
    ready_investment: Decimal | None = Decimal("0")


@dataclass
class Depth:
    rows: list[DepthRow] = field(default_factory=list)
    totals: list[DepthRow] = field(default_factory=list)  # one per tier


def reserve_depth(projects, *, by: str | None, rules: tier_rules.Rules) -> Depth:
    """The reserve's depth (项目储备深度) of `projects` (already narrowed by the gateway and the filters) per tier
    and start year, chain or category (`by` None: the tiers' totals alone, no rows): count, total investment
    (万元), and the ready part. One query (two by chain: the chains' names) whatever the number of projects:
    the database adds the projects up per tier, group and readiness (a project is ready when it meets the next
    tier's gate: _ready), the investment as whole cents added as integers (SQLite sums decimals in floating
    point), so the sums are exact."""
    group = ["tier", DIMENSIONS[by]] if by else ["tier"]
    ready = Case(When(_ready(rules), then=Value(True)), default=Value(False), output_field=BooleanField())
    groups = list(
        projects.counted()
        .order_by()
        .annotate(ready=ready)
        .values(*group, "ready")
        .annotate(count=Count("pk"), investment=Sum(InCents(F("total_investment"))))
        .values_list(*group, "ready", "count", "investment")
    )
    names = {}
    if by == "chain":
        from guatu.projects.models import IndustryChain

        names = dict(
            IndustryChain.objects.filter(pk__in={g[1] for g in groups if g[1]}).values_list("pk", "name")
        )
    cells: dict[tuple[str, object], DepthRow] = {}
    totals = {tier: _row(tier, None, _("All")) for tier in tier_rules.TIER_ORDER}
    for tier, *key, is_ready, count, cents in groups:
        targets = [totals[tier]]
        if by:
            if (tier, key[0]) not in cells:
                cells[(tier, key[0])] = _row(tier, key[0], _group_label(by, key[0], names))
            targets.append(cells[(tier, key[0])])
        for target in targets:
            target.count += count
            target.investment += from_cents(cents)
            if is_ready and target.ready_count is not None:
                target.ready_count += count
                target.ready_investment += from_cents(cents)
    order = {tier: i for i, tier in enumerate(tier_rules.TIER_ORDER)}
    sorted_rows = sorted(cells.values(), key=lambda r: (order[r.tier], _sort_key(by, r)))
    return Depth(rows=sorted_rows, totals=[totals[tier] for tier in tier_rules.TIER_ORDER])


def _ready(rules: tier_rules.Rules) -> Q:
    """Projects that meet the next tier's gate, in SQL: for a tier below the top, milestones done (with an
    actual date) of every kind the gate asks for (guatu.reserve.rules.missing_gates finds none missing)."""
    ready = []
    for position, tier in enumerate(tier_rules.TIER_ORDER[:-1]):
        gate = rules.gate_kinds_up_to(tier, tier_rules.TIER_ORDER[position + 1])
        if not gate:
            ready.append(Q(tier=tier))
            continue
        kinds_done = (
            Milestone.objects.filter(project=OuterRef("pk"), kind__in=gate, actual_date__isnull=False)
            .order_by()
            .values("project")
            .annotate(n=Count("kind", distinct=True))
            .values("n")
        )
        # the tier first: the milestones are read only for its projects
        ready.append(Q(tier=tier) & Q(GreaterThanOrEqual(Subquery(kinds_done), len(gate))))
    return reduce(operator.or_, ready)




def _row(tier: str, key, label: str) -> DepthRow:
    top = tier == tier_rules.TIER_ORDER[-1]
    return DepthRow(
        tier=tier,
        tier_label=str(Tier(tier).label),
        key=key,
        label=label,
        ready_count=None if top else 0,
        ready_investment=None if top else Decimal("0"),
    )


def _group_label(by: str, key, names: dict) -> str:
    if key is None or key == "":
        return _("No chain") if by == "chain" else "—"
    if by == "chain":
        return names.get(key, "—")
    if by == "category":
        return str(Category(key).label)
    return str(key)


def _sort_key(by: str, row: DepthRow):
    if by == "category":
        return (Category.values.index(row.key),)
    if by == "chain":
        return (row.key is None, row.label)
    return (row.key,)


def applications_for_list(applications):
    """Applications with their project and its location (one query)."""
    return applications.select_related("project", "project__location_unit").order_by("-year", "project__name", "id")


def project_applications(project) -> list[FundingApplication]:
    """A project's applications, newest year first (one query)."""
    return list(FundingApplication.objects.filter(project=project).order_by("-year", "id"))


def application_totals(applications) -> dict:
    """Count and sums of the listed applications (one query)."""
    from django.db.models import Count, Sum

    totals = applications.order_by().aggregate(
        count=Count("pk"), requested=Sum("amount_requested"), approved=Sum("amount_approved")
    )
    return {
        "count": totals["count"],
        "requested": totals["requested"] or Decimal("0"),
        "approved": totals["approved"] or Decimal("0"),
    }
