"""The investment summary: per level tag, what the approved reports add up to against the annual plans.

Four aggregate queries whatever the number of projects; cancelled projects never count; only approved
reports count. A project is on a tag's list for a year when it carries the tag and has a plan that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from guatu.lib.money import CENT, percent, ratio
from guatu.lib.periods import Period
from guatu.projects.models import AnnualPlan, LevelTag, PlanMonth, ProjectQuerySet
from guatu.reports.models import MonthlyReport

ZERO = Decimal("0")


@dataclass(frozen=True)
class TagSummary:
    tag: LevelTag
    project_count: int
    ytd_completed: Decimal  # 万元
    annual_plan: Decimal  # 万元
    planned_to_date: Decimal  # 万元: phased months to date, plus plan × months/12 for unphased plans
    time_progress: Decimal  # share of the year: the plan curve where phased, else months/12

    @property
    def completion_rate(self) -> Decimal | None:
        return ratio(self.ytd_completed, self.annual_plan)

    @property
    def deviation_points(self) -> Decimal | None:
        """Completion rate minus time progress, in percentage points (rounded half-up to 2 decimals)."""
        rate = self.completion_rate
        if rate is None:
            return None
        return percent(rate - self.time_progress)

    @property
    def projects_phrase(self) -> str:
        return str(self.project_count)


@dataclass(frozen=True)
class InvestmentSummary:
    period: Period
    rows: list[TagSummary]

    def row(self, code: str) -> TagSummary | None:
        return next((row for row in self.rows if row.tag.code == code), None)


def investment_summary(projects: ProjectQuerySet, period: Period) -> InvestmentSummary:
    """Summary for `projects` (already narrowed to what the reader may see and the unit asked for)."""
    scope = projects.counted().values("pk")
    tags = list(LevelTag.objects.order_by("sort_order", "id"))

    plans = {
        row["project__tags"]: row
        for row in AnnualPlan.objects.filter(year=period.year, project__in=scope, project__tags__isnull=False)
        .values("project__tags")
        .annotate(projects=Count("project", distinct=True), plan=Sum("amount"))
    }
    completed = {
        row["project__tags"]: row["total"]
        for row in MonthlyReport.objects.approved()
        .year_to_date(period.year, period.month)
        .filter(project__in=scope, project__plans__year=period.year, project__tags__isnull=False)
        .values("project__tags")
        .annotate(total=Sum("amount"))
    }
    phased = {
        row["plan__project__tags"]: row
        for row in PlanMonth.objects.filter(plan__year=period.year, plan__project__in=scope)
        .filter(plan__project__tags__isnull=False)
        .values("plan__project__tags")
        .annotate(to_date=Sum("amount", filter=Q(month__lte=period.month)), whole=Sum("amount"))
    }

    rows = []
    for tag in tags:
        plan_row = plans.get(tag.pk, {})
        # Sums come back from SQLite with float-like noise past the cent ("350.500000000000"): the inputs
        # are whole cents, so quantizing restores the exact figure.
        annual_plan = (plan_row.get("plan") or ZERO).quantize(CENT)
        phase = phased.get(tag.pk, {})
        phased_whole = (phase.get("whole") or ZERO).quantize(CENT)
        phased_to_date = (phase.get("to_date") or ZERO).quantize(CENT)
        planned_to_date = phased_to_date + (annual_plan - phased_whole) * period.time_progress
        time_progress = ratio(planned_to_date, annual_plan) if annual_plan else period.time_progress
        rows.append(
            TagSummary(
                tag=tag,
                project_count=plan_row.get("projects", 0),
                ytd_completed=(completed.get(tag.pk) or ZERO).quantize(CENT),
                annual_plan=annual_plan,
                planned_to_date=planned_to_date,
                time_progress=time_progress,
            )
        )
    return InvestmentSummary(period=period, rows=rows)
