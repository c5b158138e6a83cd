"""Benchmarking unit against unit within the county (乡镇对标): each unit against the others of its group
and the group's average, per indicator category, with its strengths and weaknesses."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.assessment.models import ResultSnapshot, SnapshotStatus
from guatu.assessment.queries import unit_benchmarks
from guatu.assessment.views.common import card_url, period_or_404, snapshot_of, units_named


def _latest(user) -> ResultSnapshot | None:
    """The latest current result the user may compare in: published, or any for the office."""
    snaps = ResultSnapshot.objects.current().filter(scheme__in=gateway.visible_schemes(user))
    if not gateway.can_manage_assessment(user):
        snaps = snaps.filter(status=SnapshotStatus.PUBLISHED)
    return snaps.order_by("-year", "-month", "scheme__kind").only("scheme_id", "year", "month").first()


@login_required
def unit_benchmarks_latest(request):
    snap = _latest(request.user)
    if snap is None:
        return render(request, "assessment/unit_benchmarks.html", {"rows": [], "tab": "benchmarks"})
    return redirect("assessment:unit_benchmarks", pk=snap.scheme_id, period=snap.period)


@login_required
def unit_benchmarks_page(request, pk: int, period: str):
    """The office sees every unit; a unit assessed in the result sees itself against its group."""
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    snap = snapshot_of(scheme, period)
    is_office = gateway.can_manage_assessment(user, scheme)
    if snap is None or not (is_office or snap.status == SnapshotStatus.PUBLISHED):
        raise Http404("no results")
    rows = unit_benchmarks(snap, _units_compared(user, snap, is_office))
    if not rows:
        raise Http404("no unit of this user is assessed here")
    by_name = units_named(scheme, [r.unit for r in rows])
    cards = {name: card_url(snap, unit.pk) for name, unit in by_name.items()}
    return render(
        request,
        "assessment/unit_benchmarks.html",
        {
            "scheme": scheme,
            "period": period,
            "snapshot": snap,
            "rows": rows,
            "entries": [(row, cards.get(row.unit)) for row in rows],  # each with its card's address
            "tab": "benchmarks",
        },
    )


def _units_compared(user, snap: ResultSnapshot, is_office: bool) -> set[str] | None:
    """The office, and the county's leaders and viewers who have no assessed unit of their own, compare every
    unit (as they read every published card); an assessed unit sees itself against its group; anyone else
    nothing. None: every unit."""
    assessed = {u["unit"] for g in snap.results["groups"] for u in g["units"]}
    own = user.org_unit.name if user.org_unit_id else None
    if is_office:
        return None
    if own in assessed:
        return {own}
    if user.role in (Role.LEADER, Role.VIEWER):
        return None
    return set()
