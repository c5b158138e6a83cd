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

from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import Coalesce

from guatu.lib.cents import InCents, from_cents
from guatu.lib.periods import Period
from guatu.lib.progress import Progress, combined
from guatu.projects.models import LevelTag, Project, ProjectQuerySet, phased_field
from guatu.reports.models import ytd_field


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
    """Per level tag id: how many projects of `scope` (project pks) carry it and have a plan for the year, and
    their progress taken together at the period's month. tag_totals_by_month for that one month."""
    return tag_totals_by_month(scope, period.year, [period.month])[period.month]


def tag_totals_by_month(scope, year: int, months) -> dict[int, dict[int, tuple[int, Progress]]]:
    """tag_totals for several months of one year at once (the battle map's curves take all twelve): month →
    tag id → (projects, progress). One query whatever the months and the projects: the tag's projects with a
    plan for the year, their plans with the phased plan's roll-up (AnnualPlan.phased_01..12, the months added up
    through each month), and their approved years to date through each month, read from the roll-up
    (guatu.reports.models.ApprovedTotal) joined once per project.

    The same figures as combining each project's progress_by_project: every amount is taken as whole cents
    (rounded half-up in SQL: SQLite holds decimals in floating point, and the inputs are whole cents, so this
    restores the exact figure) and the cents are added as integers, exactly on every database."""
    months = sorted(set(months))
    done = FilteredRelation("project__approved_totals", condition=Q(project__approved_totals__year=year))
    whole = f"project__plans__{phased_field(12)}"  # NULL unless the plan is phased
    lists = (
        Project.tags.through.objects.filter(project__in=scope, project__plans__year=year)
        .order_by()
        .annotate(done=done)
        .values("leveltag_id")
        .annotate(
            count=Count("project_id"),
            plan=Sum(InCents(F("project__plans__amount"))),
            phased=Count(whole),
            whole=Sum(InCents(F(whole))),
            **{f"ytd{m}": Sum(Coalesce(InCents(F(f"done__{ytd_field(m)}")), 0)) for m in months},
            **{f"to{m}": Sum(InCents(F(f"project__plans__{phased_field(m)}"))) for m in months},
        )
    )
    totals: dict[int, dict[int, tuple[int, Progress]]] = {month: {} for month in months}
    for row in lists:
        for month in months:
            totals[month][row["leveltag_id"]] = (
                row["count"],
                Progress(
                    month=month,
                    ytd_completed=from_cents(row[f"ytd{month}"]),
                    annual_plan=from_cents(row["plan"]),
                    phased_to_date=from_cents(row[f"to{month}"] or 0),
                    phased_whole=from_cents(row["whole"] or 0),
                    phased=row["phased"] > 0,
                ),
            )
    return totals


