"""The investment summary: per level tag, what the approved reports add up to against the annual plans.

Two queries whatever the number of projects; cancelled projects never count; only approved reports count.
A project is on a tag's list for a year when it carries the tag and has a plan that year. Each list is its
projects' guatu.projects.queries.progress_by_project taken together (guatu.lib.progress.combined), as for
the lights and the project list; a province has some 30,000 of them, so the database adds them up per tag
(tag_totals) and a test holds that to the per-project figures, project for project.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Round

from guatu.lib.periods import Period
from guatu.lib.progress import Progress, combined
from guatu.projects.models import LevelTag, PlanMonth, Project, ProjectQuerySet
from guatu.projects.queries import ytd_completed_by_project


@dataclass(frozen=True)
class TagSummary:
    tag: LevelTag
    project_count: int
    progress: Progress  # the list's projects taken together

    @property
    def ytd_completed(self) -> Decimal:  # 万元
        return self.progress.ytd_completed

    @property
    def annual_plan(self) -> Decimal:  # 万元
        return self.progress.annual_plan or Decimal(0)

    @property
    def time_progress(self) -> Decimal:
        """时序进度: months elapsed ÷ 12, whatever the plans."""
        return self.progress.time_progress

    @property
    def planned_progress(self) -> Decimal:
        """计划进度: planned to date ÷ annual plan (the time progress when no plan is phased)."""
        return self.progress.planned_progress

    @property
    def completion_rate(self) -> Decimal | None:
        return self.progress.completion_rate

    @property
    def deviation_points(self) -> Decimal | None:
        """Completion rate minus planned progress, in percentage points (rounded half-up to 2 decimals)."""
        return self.progress.deviation_points


@dataclass(frozen=True)
class InvestmentSummary:
    period: Period
    rows: list[TagSummary]

    def row(self, code: str) -> TagSummary | None:
        return next((row for row in self.rows if row.tag.code == code), None)


def investment_summary(projects: ProjectQuerySet, period: Period) -> InvestmentSummary:
    """Summary for `projects` (already narrowed to what the reader may see and the unit asked for)."""
    totals = tag_totals(projects.counted().values("pk"), period)
    rows = []
    for tag in LevelTag.objects.order_by("sort_order", "id"):
        count, progress = totals.get(tag.pk, (0, combined(period.month, [])))
        rows.append(TagSummary(tag=tag, project_count=count, progress=progress))
    return InvestmentSummary(period=period, rows=rows)


def tag_totals(scope, period: Period) -> dict[int, tuple[int, Progress]]:
    """Per level tag id: how many projects of `scope` (project pks) carry it and have a plan for the year,
    and their progress taken together. One query. The same figures as combining each project's
    progress_by_project, in SQL: each project's sums are rounded to whole cents (SQLite sums decimals in
    floating point; the inputs are whole cents, so this restores the exact figure) and the cents are added
    as integers, exactly on every database."""
    ytd = (
        ytd_completed_by_project(period)
        .filter(project=OuterRef("project_id"))
        .order_by()
        .annotate(cents=_in_cents(F("total")))
        .values("cents")
    )
    phased_months = PlanMonth.objects.filter(plan=OuterRef("project__plans__pk")).order_by()
    months = phased_months.values("plan").annotate(
        to_date=_in_cents(Sum("amount", filter=Q(month__lte=period.month))), whole=_in_cents(Sum("amount"))
    )
    rows = (
        Project.tags.through.objects.filter(project__in=scope, project__plans__year=period.year)
        .order_by()
        .values("leveltag_id")
        .annotate(
            count=Count("project_id"),
            plan=Sum(_in_cents(F("project__plans__amount"))),
            ytd=Sum(Coalesce(Subquery(ytd), 0)),
            to_date=Sum(Coalesce(Subquery(months.values("to_date")), 0)),
            whole=Sum(Coalesce(Subquery(months.values("whole")), 0)),
            phased=Count("project_id", filter=Exists(phased_months)),
        )
        .values_list("leveltag_id", "count", "plan", "ytd", "to_date", "whole", "phased")
    )
    return {
        tag_id: (
            count,
            Progress(
                month=period.month,
                ytd_completed=_from_cents(ytd),
                annual_plan=_from_cents(plan),
                phased_to_date=_from_cents(to_date),
                phased_whole=_from_cents(whole),
                phased=phased > 0,
            ),
        )
        for tag_id, count, plan, ytd, to_date, whole, phased in rows
    }


def _in_cents(amount):
    """An amount (or a sum of amounts) as whole cents, rounded half-up in SQL."""
    return Cast(Round(amount * 100), BigIntegerField())


def _from_cents(cents) -> Decimal:
    """Whole cents back to 万元 with two places: 35050 → Decimal('350.50')."""
    return Decimal(cents).scaleb(-2)
