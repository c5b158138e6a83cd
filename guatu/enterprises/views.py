"""Enterprise pages: the list (with its Excel export), a firm's page with its figures and requests, adding and
changing a firm, entering a year's figures, raising a request, and the requests' figures per unit and chain."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.dispatch.models import OPEN_STATUSES
from guatu.enterprises import exports, queries, services
from guatu.enterprises.forms import EnterpriseFilterForm, EnterpriseForm, FigureForm, RequestForm
from guatu.web.forms import add_service_errors, top_errors
from guatu.web.xlsx_export import xlsx_response

PAGE_SIZE = 50


def _units(user) -> list:
    return list(gateway.visible_units(user).order_by("path"))


def _filtered(request):
    user = request.user
    form = EnterpriseFilterForm(
        request.GET or None,
        units=_units(user),
        chains=gateway.visible_chains(user).order_by("sort_order", "pk"),
    )
    return form, queries.enterprises_for_list(gateway.visible_enterprises(user), form.filters())


@login_required
def enterprise_list(request):
    """The firms the user may see, filtered, 50 a page. A fixed number of queries at any length."""
    form, enterprises = _filtered(request)
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/list.html",
        {
            "form": form,
            "page": page,
            "enterprises": list(page),
            "query": query.urlencode(),
            "can_add": gateway.can_manage_enterprise(request.user),
        },
    )


@login_required
def enterprise_export(request):
    form, enterprises = _filtered(request)
    today = clock.today()
    unit = form.filters().get("unit") or gateway.default_unit(request.user)
    content = exports.enterprises_workbook(
        enterprises, unit_name=unit.display_name if unit else "", today=today
    )
    return xlsx_response(content, f"{exports.enterprises_title()}-{today}.xlsx")


def _form_choices(user, enterprise=None) -> dict:
    chains = gateway.visible_chains(user)
    if enterprise is not None:
        chains = chains.filter(jurisdiction=enterprise.jurisdiction_id)
    return {
        "units": list(gateway.enterprise_units(user).order_by("path")),
        "chains": chains.order_by("sort_order", "pk"),
    }


@login_required
def enterprise_new(request):
    user = request.user
    if not gateway.can_manage_enterprise(user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, **_form_choices(user))
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(data=form.to_input(), by=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Enterprise added."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "form_errors": top_errors(form)})


def _managed(request, pk):
    enterprise = gateway.get_visible_enterprise(request.user, pk)
    if not gateway.can_manage_enterprise(request.user, enterprise):
        raise PermissionDenied
    return enterprise


@login_required
def enterprise_edit(request, pk):
    user = request.user
    enterprise = _managed(request, pk)
    form = EnterpriseForm(
        request.POST or None,
        initial=EnterpriseForm.initial_for(enterprise),
        **_form_choices(user, enterprise),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                enterprise=enterprise,
                data=form.to_input(),
                expected_version=form.cleaned_data["version"],
                by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Enterprise saved."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "form_errors": top_errors(form), "enterprise": enterprise},
    )


@login_required
def enterprise_detail(request, pk):
    enterprise = gateway.get_visible_enterprise(request.user, pk)
    return _render_detail(request, enterprise)


def _render_detail(request, enterprise, *, figure_form=None):
    user = request.user
    today = clock.today()
    can_manage = gateway.can_manage_enterprise(user, enterprise)
    figures = list(enterprise.figures.order_by("-year"))
    visible = gateway.visible_problems(user).values("pk")
    requests = list(queries.enterprise_requests(enterprise).filter(pk__in=visible))
    for item in requests:
        item.overdue = item.status in OPEN_STATUSES and item.deadline is not None and item.deadline < today
    if can_manage and figure_form is None:
        latest = figures[0].year + 1 if figures else today.year - 1
        figure_form = FigureForm(initial={"year": latest})
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "figures": figures,
            "requests": requests,
            "can_manage": can_manage,
            "can_raise": gateway.may_raise_request(user, enterprise),
            "figure_form": figure_form if can_manage else None,
            "figure_errors": top_errors(figure_form) if figure_form is not None else [],
            "history": history_rows(queries.enterprise_history(enterprise), hide={"enterprise"}),
        },
    )


@login_required
@require_POST
def enterprise_figures(request, pk):
    """Enter or change one year's output and tax (the version is that of the year's row, when it exists)."""
    enterprise = _managed(request, pk)
    form = FigureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enterprise_figures_set(
                enterprise=enterprise,
                year=data["year"],
                output=data["output"],
                tax=data["tax"],
                expected_version=data["version"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Figures of %(year)s saved.") % {"year": data["year"]})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return _render_detail(request, enterprise, figure_form=form)


@login_required
def request_raise(request, pk):
    """Raise a request (诉求) on the firm's behalf; it then follows the three-tier dispatch."""
    user = request.user
    enterprise = gateway.get_visible_enterprise(user, pk)
    if not gateway.may_raise_request(user, enterprise):
        raise PermissionDenied
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.request_raise(
                enterprise=enterprise,
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Request raised. A reviewer will assign it to a unit."))
            return redirect("dispatch:problem", pk=problem.pk)
    return render(
        request,
        "enterprises/request_raise.html",
        {"form": form, "form_errors": top_errors(form), "enterprise": enterprise},
    )


@login_required
def request_figures(request):
    """The requests the user may see, per assigned unit and per chain: how many, solved on time, satisfaction."""
    user = request.user
    requests = gateway.visible_problems(user)
    by_unit, by_chain = queries.request_figure_rows(requests)
    return render(
        request,
        "enterprises/figures.html",
        {"by_unit": by_unit, "by_chain": by_chain, "total": queries.request_figures(requests)},
    )
