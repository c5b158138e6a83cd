from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.investment.briefing import briefing_for
from guatu.investment.queries import investment_summary
from guatu.lib.dbrouter import replica_reads
from guatu.lib.money import WAN_PER_YI, percent, round_half_up
from guatu.lib.periods import Period, PeriodError
from guatu.lights.services import default_period
from guatu.web.lookups import LookupField, LookupForm


class SummaryUnitForm(LookupForm):
    """The unit summed up, picked by name from the units the reader sees (guatu.web.lookups)."""

    unit = LookupField("units", label=gettext_lazy("Unit"))


def _money(value: Decimal) -> str:
    return format(round_half_up(value, 2), "f")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


@login_required
@replica_reads
def summary_page(request):
    user = request.user
    form = SummaryUnitForm(request.GET, user=user)
    unit = form.is_valid() and form.cleaned_data["unit"]
    if "unit" in form.errors and "unit_name" not in request.GET:
        raise Http404("unit not found")  # an id in a link that the reader may not see (or none at all)
    if not unit:
        unit = gateway.default_unit(user)
        form.fields["unit"].picked = unit  # the box names the unit shown
    context = {
        "form": form,
        "unit": unit,
        "period_error": "",
        "period_text": request.GET.get("period", ""),
    }
    if unit is None:
        return render(request, "investment/summary.html", context)

    projects = gateway.visible_projects_in(user, unit)
    period = None
    if context["period_text"].strip():
        try:
            period = Period.parse(context["period_text"])
        except PeriodError:
            context["period_error"] = gettext(
                "The month must be written as YYYY-MM, for example 2022-03 (you entered %(value)s)."
            ) % {"value": context["period_text"]}
    if period is None:
        period = default_period(unit)

    summary = investment_summary(projects, period)
    rows = [
        {
            "tag": row.tag,
            "projects": row.project_count,
            "ytd_completed": _money(row.ytd_completed),
            "ytd_completed_yi": _money(row.ytd_completed / WAN_PER_YI),
            "annual_plan": _money(row.annual_plan),
            "completion_rate": _text(percent(row.completion_rate)),
            "time_progress": _text(percent(row.time_progress)),
            "planned_progress": _text(percent(row.planned_progress)),
            "deviation": _text(row.deviation_points),
            "behind": row.deviation_points is not None and row.deviation_points < 0,
        }
        for row in summary.rows
    ]
    chart = {
        "tags": [row["tag"].name for row in rows],
        "completion_rate": [row["completion_rate"] for row in rows],
        "time_progress": [row["time_progress"] for row in rows],
        "planned_progress": [row["planned_progress"] for row in rows],
        "labels": {
            "completion_rate": gettext("Completion rate"),
            "time_progress": gettext("Time progress"),
            "planned_progress": gettext("Planned progress"),
        },
    }
    # A leader sees the projects they lead, not the whole unit: the heading and the sentence say so.
    leader = user.leader if user.role == Role.LEADER and user.leader_id else None
    if gateway.sees_whole_unit(user, unit):
        briefing = briefing_for(unit, period)
    elif leader is not None:
        briefing = briefing_for(unit, period, projects=projects, scope=f"{leader.name}牵头的项目：")
    else:
        briefing = None
    context.update(
        {
            "period": period,
            "period_text": str(period),
            "rows": rows,
            "chart": chart,
            "sentence": briefing["sentence"] if briefing else "",
            "leader": leader,
        }
    )
    return render(request, "investment/summary.html", context)
