"""The battle map's pages: the desk page (with a print layout) and the wall screen.

Both embed the endpoint's own payload (api.payload) as json_script, so the page's figures are the API's;
the wall screen fetches the endpoint again every few minutes to refresh itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guatu.access import gateway
from guatu.battlemap import geo
from guatu.battlemap.api import payload
from guatu.lib.dbrouter import replica_reads
from guatu.lib.periods import Period, PeriodError
from guatu.lights.services import default_period

WALL_CYCLE_SECONDS = 20  # each wall panel stays this long
WALL_REFRESH_SECONDS = 300  # the wall fetches fresh figures this often
COUNTY_MAP_JS = "battlemap/countymap.js"


def _vendored(path: str) -> str:
    """The static URL of a vendored file, or "" while it is not there (no request that would 404)."""
    return static(path) if path and finders.find(path) else ""


def _context(request) -> dict:
    user = request.user
    units = list(gateway.visible_units(user).in_tree_order())
    unit_text = request.GET.get("unit", "").strip()
    if unit_text:
        unit = next((u for u in units if str(u.pk) == unit_text), None)
        if unit is None:
            raise Http404("unit not found")
    else:
        unit = gateway.default_unit(user)
    if unit is None:
        raise Http404("no unit to show")
    period_text = request.GET.get("period", "").strip()[:20]
    period_error = ""
    period = None
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            period_error = _(
                "The month must be written as YYYY-MM, for example 2022-03 (you entered %(value)s)."
            ) % {"value": period_text}
    period = period or default_period(unit)
    top = min((u.depth for u in units), default=0)
    return {
        "unit": unit,
        "period": period,
        "period_error": period_error,
        "unit_options": [(u, "\u3000" * (u.depth - top)) for u in units],
        "data": payload(user, unit, period),
        # The county boundaries of the unit's province (docs/maps.md); "" where none are vendored.
        "county_features_url": _vendored(geo.static_path(unit.division_code) or ""),
        "county_map_js": _vendored(COUNTY_MAP_JS),
        "cycle_seconds": WALL_CYCLE_SECONDS,
        "refresh_seconds": WALL_REFRESH_SECONDS,
        "labels": _chart_labels(),
    }


def _chart_labels() -> dict:
    return {
        "completion_rate": _("Completion rate"),
        "time_progress": _("Time progress"),
        "planned_progress": _("Planned progress"),
        "completed": _("Completed"),
        "planned": _("Planned"),
        "red": _("Red"),
        "yellow": _("Yellow"),
        "green": _("Green"),
        "overdue": _("Overdue"),
        "month_suffix": pgettext("after the number of a month on a chart axis", " mo"),
        "updated": _("Updated"),
        "ready": _("Ready for the next tier"),
        "not_ready": _("Not ready yet"),
        "top_tier": _("Top tier"),
        "ten_k_yuan": _("10k yuan"),
    }


@login_required
@replica_reads
def page(request):
    """The battle map of a unit and month (?unit=&period=); ?wall=1 is the wall screen."""
    context = _context(request)
    if request.GET.get("wall"):
        return render(request, "battlemap/wall.html", context)
    return render(request, "battlemap/page.html", context)


@login_required
@replica_reads
def wall(request):
    """Full screen for the office's 1920×1080 wall: panels in turn, figures refreshed every few minutes."""
    return render(request, "battlemap/wall.html", _context(request))
