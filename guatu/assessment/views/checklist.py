"""The responsibility checklist (责任清单) of a year."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guatu import clock
from guatu.access import gateway
from guatu.assessment.queries import benchmarks, checklist, latest_checklist_year, latest_peer_period
from guatu.assessment.views.common import (
    num,
    year_param,
)


@login_required
def checklist_page(request):
    """The reader's county's checklist, with where the county stands among its peers in the year's latest month."""
    county = gateway.reference_county(request.user)
    year = year_param(request, latest_checklist_year(county) or clock.today().year)
    rows = list(checklist(county, year))
    peer_period = latest_peer_period(county, year)
    standing = {b.indicator.pk: b for b in benchmarks(county, peer_period)} if peer_period else {}
    for row in rows:
        row.benchmark = standing.get(row.indicator_id)
        row.target_text = num(row.target)
        row.current_text = num(row.benchmark.value) if row.benchmark else "—"
    total_weight = sum((r.prefecture_weight for r in rows), Decimal(0))
    expected = sum((r.expected_points or Decimal(0) for r in rows), Decimal(0))
    return render(
        request,
        "assessment/checklist.html",
        {
            "year": year,
            "rows": rows,
            "peer_period": peer_period,
            "total_weight": total_weight,
            "expected": expected,
            "tab": "checklist",
        },
    )
