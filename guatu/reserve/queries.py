"""Reads of the reserve pipeline, each a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

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


def reserve_depth(projects, *, by: str, rules: tier_rules.Rules) -> Depth:
    """The reserve's depth (项目储备深度) of `projects` (already narrowed by the gateway and the filters) per tier
    and start year, chain or category: count, total investment (万元), and the ready part. Three queries:
    the projects, their chains' names, the milestones done."""
    column = DIMENSIONS[by]
    rows = list(
        projects.counted().values_list("pk", "tier", "category", "total_investment", column if by != "chain" else "chain_id")
    )
    names = {}
    if by == "chain":
        from guatu.projects.models import IndustryChain

        names = dict(IndustryChain.objects.filter(pk__in={r[4] for r in rows if r[4]}).values_list("pk", "name"))
    done = defaultdict(set)
    for project_id, kind in (
        Milestone.objects.filter(project__in=projects.counted().values("pk"), actual_date__isnull=False)
        .values_list("project_id", "kind")
        .distinct()
    ):
        done[project_id].add(kind)
    cells: dict[tuple[str, object], DepthRow] = {}
    totals = {tier: _row(tier, None, _("All")) for tier in tier_rules.TIER_ORDER}
    for pk, tier, _category, investment, key in rows:
        label = _group_label(by, key, names)
        cell = cells.setdefault((tier, key), _row(tier, key, label))
        ready = _is_ready(rules, tier, done[pk])
        for target in (cell, totals[tier]):
            target.count += 1
            target.investment += investment
            if ready is None:
                target.ready_count = target.ready_investment = None
            elif ready:
                target.ready_count += 1
                target.ready_investment += investment
    order = {tier: i for i, tier in enumerate(tier_rules.TIER_ORDER)}
    sorted_rows = sorted(cells.values(), key=lambda r: (order[r.tier], _sort_key(by, r)))
    return Depth(rows=sorted_rows, totals=[totals[tier] for tier in tier_rules.TIER_ORDER])


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


def _is_ready(rules: tier_rules.Rules, tier: str, done_kinds: set[str]) -> bool | None:
    """Whether a project of `tier` meets the next tier's gate; None in the top tier."""
    position = tier_rules.TIER_ORDER.index(tier)
    if position == len(tier_rules.TIER_ORDER) - 1:
        return None
    target = tier_rules.TIER_ORDER[position + 1]
    return not tier_rules.missing_gates(rules, current=tier, target=target, done_kinds=done_kinds)


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
