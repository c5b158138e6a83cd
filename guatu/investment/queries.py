"""The investment summary: per level tag, what the approved reports add up to against the annual plans.

Five queries whatever the number of projects; cancelled projects never count; only approved reports count.
A project is on a tag's list for a year when it carries the tag and has a plan that year. The year to date
of each project comes from guatu.projects.queries.progress_by_project and its arithmetic from
guatu.lib.progress, as for the lights and the project list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from guatu.lib.periods import Period
from guatu.lib.progress import Progress, combined
from guatu.projects.models import LevelTag, Project, ProjectQuerySet
from guatu.projects.queries import progress_by_project


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
    scope = projects.counted().values("pk")
    tags = list(LevelTag.objects.order_by("sort_order", "id"))
    progress = {pid: p for pid, p in progress_by_project(scope, period).items() if p.annual_plan is not None}
    listed: dict[int, list[Progress]] = defaultdict(list)
    for pid, tag_id in Project.tags.through.objects.filter(project__in=scope).values_list(
        "project_id", "leveltag_id"
    ):
        if pid in progress:
            listed[tag_id].append(progress[pid])
    rows = [
        TagSummary(
            tag=tag,
            project_count=len(listed[tag.pk]),
            progress=combined(period.month, listed[tag.pk]),
        )
        for tag in tags
    ]
    return InvestmentSummary(period=period, rows=rows)
