"""The responsibility checklist (责任清单) of a year."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render

from guatu import clock
from guatu.assessment.models import (
    ChecklistRow,
    PeerValue,
)
from guatu.assessment.queries import benchmarks, checklist
from guatu.assessment.views.common import (
    num,
    year_param,
)
from guatu.lib.periods import Period


@login_required
def checklist_page(request):
    latest = ChecklistRow.objects.approved().aggregate(year=Max("year"))["year"] or clock.today().year
    year = year_param(request, latest)
    rows = list(checklist(year))
    peer_month = PeerValue.objects.approved().filter(year=year).aggregate(month=Max("month"))["month"]
    standing = {b.indicator.pk: b for b in benchmarks(Period(year, peer_month))} if peer_month else {}
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
            "peer_period": Period(year, peer_month) if peer_month else None,
            "total_weight": total_weight,
            "expected": expected,
            "tab": "checklist",
        },
    )
