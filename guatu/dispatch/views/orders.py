"""Supervision order pages (督办): the list, the bulletin of overdue orders, issuing, responding, closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.dispatch import queries, services
from guatu.dispatch.forms import (
    OrderFilterForm,
    OrderIssueForm,
    OrderResponseForm,
)
from guatu.dispatch.models import (
    SupervisionStatus,
)
from guatu.dispatch.views.common import (
    PAGE_SIZE,
    units_for,
)
from guatu.web.forms import add_service_errors, top_errors


def filtered_orders(user, form: OrderFilterForm, today):
    """The orders the user sees, narrowed by the list's filters, waiting ones first (the list and its export)."""
    filters = form.filters()
    orders = queries.orders_for_list(gateway.visible_orders(user))
    if filters.get("status"):
        orders = orders.filter(status=filters["status"])
    if filters.get("overdue"):
        orders = orders.overdue(today)
    return queries.orders_waiting_first(orders)


@login_required
def order_list(request):
    user = request.user
    today = clock.today()
    form = OrderFilterForm(request.GET or None, statuses=SupervisionStatus.choices)
    in_order = filtered_orders(user, form, today)
    page = Paginator(in_order, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dispatch/order_list.html",
        {
            "form": form,
            "page": page,
            "orders": queries.mark_overdue(page, today),
            "query": query.urlencode(),
            "can_issue": gateway.is_reviewer(user),
        },
    )


@login_required
def order_bulletin(request):
    """督查通报: the supervision orders past their deadline without a written response, by unit."""
    today = clock.today()
    orders = queries.mark_overdue(queries.overdue_orders(gateway.visible_orders(request.user), today), today)
    units = queries.overdue_by_unit(orders)
    return render(request, "dispatch/order_bulletin.html", {"orders": orders, "units": units, "today": today})


@login_required
def order_issue(request):
    """督办: reviewers issue an order on a project, or on a problem (?problem=)."""
    user = request.user
    if not gateway.is_reviewer(user):
        raise PermissionDenied
    params = request.GET  # the form posts back to its own address, query string included
    problem = gateway.get_visible_problem(user, params["problem"]) if params.get("problem") else None
    project = problem.project if problem else None
    if problem is not None and project is None:
        raise Http404("a supervision order concerns a project")
    if project is None and params.get("project"):
        project = gateway.get_visible_project(user, params["project"])
    if project is not None and not gateway.can_review(user, project):
        raise PermissionDenied
    projects = None if project else gateway.visible_projects(user).counted().order_by("name")
    units = units_for(user)
    if request.method == "POST":
        form = OrderIssueForm(request.POST, projects=projects, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.supervision_issue(
                    project=project or data["project"],
                    problem=problem,
                    addressee=data["addressee"],
                    requirement=data["requirement"],
                    deadline=data["deadline"],
                    by=user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Supervision order %(number)s issued; the unit has been notified.")
                    % {"number": order.number},
                )
                return redirect("dispatch:order", pk=order.pk)
    else:
        addressee = (problem.assigned_unit_id if problem else None) or (
            project.lead_unit_id if project else None
        )
        form = OrderIssueForm(projects=projects, units=units, initial={"addressee": addressee})
    return render(
        request,
        "dispatch/order_issue.html",
        {"form": form, "form_errors": top_errors(form), "problem": problem, "project": project},
    )


@login_required
def order_detail(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    return _render_order(request, order)


def _render_order(request, order, *, response_form=None, close_errors=()):
    user = request.user
    today = clock.today()
    can_respond = order.status == SupervisionStatus.ISSUED and gateway.can_respond_to_order(user, order)
    return render(
        request,
        "dispatch/order_detail.html",
        {
            "order": order,
            "overdue": order.status == SupervisionStatus.ISSUED and order.deadline < today,
            "can_respond": can_respond,
            "can_close": order.status == SupervisionStatus.RESPONDED
            and gateway.can_review(user, order.project),
            "response_form": response_form or (OrderResponseForm() if can_respond else None),
            "action_errors": [*top_errors(response_form), *close_errors],
            "history": history_rows(history_of(order), hide={"project", "problem"}),
        },
    )


@login_required
@require_POST
def order_respond(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    if not (order.status == SupervisionStatus.ISSUED and gateway.can_respond_to_order(request.user, order)):
        raise PermissionDenied
    form = OrderResponseForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_respond(order=order, response=form.cleaned_data["response"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Written response submitted."))
            return redirect("dispatch:order", pk=order.pk)
    return _render_order(request, gateway.get_visible_order(request.user, pk), response_form=form)


@login_required
@require_POST
def order_close(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    if not gateway.can_review(request.user, order.project):
        raise PermissionDenied
    try:
        services.supervision_close(order=order, by=request.user)
    except ValidationError as error:
        return _render_order(
            request, gateway.get_visible_order(request.user, pk), close_errors=error.messages
        )
    messages.success(request, _("Supervision order closed."))
    return redirect("dispatch:order", pk=order.pk)
