"""Excel exports of the value review queue (its filters) and a scheme's results (what the reader may see)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from guatu.access import gateway
from guatu.assessment import exports
from guatu.assessment.forms import QueueFilterForm
from guatu.assessment.views.common import period_or_404, require_office
from guatu.assessment.views.results import _version_of
from guatu.assessment.views.values import queue_values
from guatu.web.xlsx_export import xlsx_response


@login_required
def values_export(request):
    user = request.user
    require_office(user)
    form = QueueFilterForm(request.GET or None)
    _status, period, values = queue_values(user, form)
    unit = gateway.default_unit(user)
    content = exports.values_workbook(values, unit_name=unit.display_name if unit else "", period=period)
    return xlsx_response(content, f"{exports.values_title()}-{period or 'all'}.xlsx")


@login_required
def results_export(request, pk: int, period: str, revision: int | None = None):
    user = request.user
    scheme = gateway.get_visible_scheme(user, pk)
    period = period_or_404(period)
    snap = _version_of(scheme, period, revision)
    groups = exports.visible_groups(user, scheme, snap) if snap is not None else []
    if not groups:
        raise Http404("no results for this user")
    content = exports.results_workbook(groups, scheme=scheme, period=period)
    return xlsx_response(content, f"{exports.results_title(scheme)}-{period}.xlsx")
