"""Benchmarking against peer counties: strengths and weaknesses."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.assessment.forms import (
    PeriodForm,
)
from guatu.assessment.models import (
    STRENGTH_CATEGORIES,
    WEAKNESS_CATEGORIES,
)
from guatu.assessment.queries import benchmarks, latest_peer_period
from guatu.assessment.views.common import (
    num,
)
from guatu.lib.periods import Period
from guatu.web.forms import show_month


@login_required
def benchmark_page(request):
    """Where the reader's county stands among the peers it compares itself with (its own peer values)."""
    form = PeriodForm(request.GET or None)
    county = gateway.reference_county(request.user)
    period = form.cleaned_data["period"] if form.is_valid() else None
    if period is None:
        period = latest_peer_period(county) or Period.of(clock.today())
    show_month(form, period)
    rows = benchmarks(county, period)
    sections = []
    for key, title, categories in (
        ("lengthen", _("Lengthen the strengths (锻长板)"), STRENGTH_CATEGORIES),
        ("fix", _("Fix the weaknesses (补弱项)"), WEAKNESS_CATEGORIES),
        ("other", _("Other indicators"), None),
    ):
        chosen = [
            b
            for b in rows
            if (
                b.indicator.category in categories
                if categories
                else b.indicator.category not in STRENGTH_CATEGORIES + WEAKNESS_CATEGORIES
            )
        ]
        if not chosen and key == "other":
            continue
        by_category: dict[str, list] = {}
        for b in chosen:
            by_category.setdefault(b.indicator.get_category_display(), []).append(
                {
                    "b": b,
                    "value": num(b.value),
                    "target": num(b.target),
                    "average": num(b.peer_average),
                    "best": num(b.best_value),
                    "to_next": num(b.to_next_rank),
                }
            )
        sections.append(
            {
                "key": key,
                "title": title,
                "categories": by_category,
                "ahead": sum(1 for b in chosen if b.strength),
                "behind": sum(1 for b in chosen if b.strength is False),
            }
        )
    counts = Counter(b.strength for b in rows)
    return render(
        request,
        "assessment/benchmarks.html",
        {
            "form": form,
            "period": period,
            "sections": sections,
            "ahead": counts[True],
            "behind": counts[False],
            "tab": "benchmarks",
        },
    )
