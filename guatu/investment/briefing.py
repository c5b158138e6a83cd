"""The bulletin paragraph on key-project investment (DOMAIN §1), and the same figures structured."""

from __future__ import annotations

from decimal import Decimal

from guatu.investment.queries import InvestmentSummary, TagSummary, investment_summary
from guatu.lib.money import percent, percent_text, round_half_up, strip_zeros, wan_to_yi_text
from guatu.lib.periods import Period
from guatu.lib.progress import time_progress
from guatu.orgs.models import OrgUnit
from guatu.projects.models import AnnualPlan, Project


def _single_project_names(summary: InvestmentSummary, projects) -> dict[int, str]:
    """Lists with one project are named in the sentence: one query for all of them."""
    single = [row.tag.pk for row in summary.rows if row.project_count == 1 and row.tag.in_bulletin]
    if not single:
        return {}
    names = (
        AnnualPlan.objects.filter(year=summary.period.year, project__in=projects.counted().values("pk"))
        .filter(project__tags__in=single)
        .values_list("project__tags", "project__name")
    )
    return dict(names)


def _clause(row: TagSummary, single_name: str | None) -> str:
    if single_name:
        subject = f"{row.tag.bulletin_label}（{single_name}）"
    else:
        subject = f"{row.project_count}个{row.tag.bulletin_label}"
    return (
        f"{subject}完成投资{wan_to_yi_text(row.ytd_completed)}亿元，"
        f"为年度计划的{percent_text(row.completion_rate)}%"
    )


def briefing_for(unit: OrgUnit, period: Period, *, projects=None, scope: str = "") -> dict:
    """Figures and sentence for the projects of `unit`'s subtree (every project counted, no reader filter),
    or for `projects`, a selection of them (a leader's own) that `scope` names at the head of the sentence
    ("李建国牵头的项目："), so that it never reads as the whole unit's."""
    projects = Project.objects.in_unit(unit) if projects is None else projects
    summary = investment_summary(projects, period)
    names = _single_project_names(summary, projects)
    rows = [row for row in summary.rows if row.tag.in_bulletin and row.project_count]
    clauses = [_clause(row, names.get(row.tag.pk)) for row in rows]
    sentence = f"{scope}{period.label_zh()}，" + "；".join(clauses) + "。" if clauses else ""
    return {
        "period": str(period),
        "unit": {"id": unit.pk, "name": unit.name},
        "scope": scope,
        # 时序进度: months/12. Each list's deviation is against its planned progress (the phased plan to
        # date ÷ the annual plan), which equals the time progress when no plan of the list is phased.
        "time_progress_percent": strip_zeros(percent(time_progress(period.month))),
        "lists": [
            {
                "tag": row.tag.code,
                "label": row.tag.bulletin_label,
                "projects": row.project_count,
                "project_name": names.get(row.tag.pk),
                "ytd_completed_wan": format(row.ytd_completed, "f"),
                "ytd_completed_yi": wan_to_yi_text(row.ytd_completed),
                "annual_plan_wan": format(row.annual_plan, "f"),
                "annual_plan_yi": format(round_half_up(row.annual_plan / Decimal(10000), 2), "f"),
                "completion_rate_percent": percent_text(row.completion_rate),
                "time_progress_percent": percent_text(row.time_progress),
                "planned_progress_percent": percent_text(row.planned_progress),
                "deviation_points": None
                if row.deviation_points is None
                else strip_zeros(row.deviation_points),
            }
            for row in rows
        ],
        "sentence": sentence,
    }
