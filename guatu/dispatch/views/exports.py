"""Excel exports of the problem list and the supervision orders: the page's filters, every matching row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from guatu import clock
from guatu.access import gateway
from guatu.dispatch import exports, queries
from guatu.dispatch.forms import OrderFilterForm, ProblemFilterForm
from guatu.dispatch.models import SupervisionStatus
from guatu.dispatch.views.orders import filtered_orders
from guatu.dispatch.views.problems import filtered_problems
from guatu.web.xlsx_export import xlsx_response


@login_required
def problem_export(request):
    user = request.user
    today = clock.today()
    form = ProblemFilterForm(request.GET or None, user=user)
    unit = form.filters().get("unit") or gateway.default_unit(user)
    content = exports.problems_workbook(
        filtered_problems(user, form, today), unit_name=unit.display_name if unit else "", today=today
    )
    return xlsx_response(content, f"{exports.problems_title()}-{today}.xlsx")


@login_required
def order_export(request):
    user = request.user
    today = clock.today()
    form = OrderFilterForm(request.GET or None, statuses=SupervisionStatus.choices)
    orders = queries.mark_overdue(filtered_orders(user, form, today), today)
    unit = gateway.default_unit(user)
    content = exports.orders_workbook(orders, unit_name=unit.display_name if unit else "", today=today)
    return xlsx_response(content, f"{exports.orders_title()}-{today}.xlsx")
