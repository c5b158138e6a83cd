"""Each person's work: a leader's page (their projects' lights, the problems waiting on them) or a unit's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guatu import clock
from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.dispatch import queries
from guatu.lights.models import LightColor


@login_required
def my_work(request):
    """A leader's page (their projects' lights, the problems waiting on them) or a unit's page (its assigned
    problems by deadline and the supervision orders addressed to it)."""
    user = request.user
    today = clock.today()
    visible = gateway.visible_problems(user)
    context = {"today": today, "is_leader": user.role == Role.LEADER}
    if user.role == Role.LEADER:
        lights, latest = queries.latest_lights(gateway.visible_projects(user).counted())
        waiting = (
            list(
                queries.problems_waiting_on_leader(user.leader)
                .filter(pk__in=visible.values("pk"))
                .select_related("meeting")
                .prefetch_related("escalations")
            )
            if user.leader_id
            else []
        )
        context.update(
            {
                "leader": user.leader,
                "lights": lights,
                "light_counts": [
                    {
                        "light": color,
                        "label": color.label,
                        "count": sum(1 for light in lights if light.light == color),
                    }
                    for color in (LightColor.RED, LightColor.YELLOW, LightColor.GREEN)
                ],
                "period": f"{latest[0]:04d}-{latest[1]:02d}" if latest else None,
                "problems": waiting,
            }
        )
    elif user.org_unit_id is None:
        context.update({"unit": None, "problems": [], "orders": []})
    else:
        problems = list(
            queries.problems_of_unit(user.org_unit)
            .filter(pk__in=visible.values("pk"))
            .select_related("meeting")
            .prefetch_related("escalations")
        )
        orders = queries.mark_overdue(
            queries.orders_to_unit(gateway.visible_orders(user), user.org_unit), today
        )
        context.update({"unit": user.org_unit, "problems": problems, "orders": orders})
    for problem in context["problems"]:
        problem.overdue = problem.deadline is not None and problem.deadline < today
        problem.last_escalation = max(problem.escalations.all(), key=lambda e: e.at, default=None)
    return render(request, "dispatch/my_work.html", context)
