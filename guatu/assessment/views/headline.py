"""The ten headline indicators of a quarter."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guatu import clock
from guatu.access import gateway
from guatu.assessment.forms import (
    HeadlineForm,
)
from guatu.assessment.queries import headline_panel, latest_headline_quarter
from guatu.assessment.views.common import (
    num,
)


@login_required
def headline_page(request):
    """The reader's county's headline indicators, in its latest reported quarter unless one is chosen."""
    county = gateway.reference_county(request.user)
    year, quarter = latest_headline_quarter(county) or (clock.today().year, 1)
    default = {"year": year, "quarter": quarter}
    form = HeadlineForm(request.GET or None, initial=default)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else default
    panel = headline_panel(county, chosen["year"], chosen["quarter"])
    for ind, value in panel:
        ind.target_text = num(ind.target)
        if value is not None:
            value.texts = {
                name: num(getattr(value, name))
                for name in ("quarter_target", "actual", "growth", "prefecture_average")
            }
    met = sum(1 for _ind, value in panel if value is not None and value.met)
    reported = sum(1 for _ind, value in panel if value is not None)
    return render(
        request,
        "assessment/headline.html",
        {
            "form": form,
            "year": chosen["year"],
            "quarter": chosen["quarter"],
            "panel": panel,
            "met": met,
            "reported": reported,
            "tab": "headline",
        },
    )
