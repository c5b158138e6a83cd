"""Investment-attraction pages: the leads list (filters, pagination, Excel), a lead's page with its steps,
follow-up log, funds in place and late-start light, the new/edit form, and contract performance per unit and
chain. Every lead is fetched through the gateway (404 when not visible)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guatu import clock
from guatu.access import gateway
from guatu.attraction import exports, queries, services
from guatu.attraction.forms import (
    ConvertForm,
    DropForm,
    FilterForm,
    FollowUpForm,
    FundsForm,
    LeadForm,
    PerformanceForm,
    StepForm,
    step_auto_id,
)
from guatu.attraction.models import Lead
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.lib.lights import Light
from guatu.lib.periods import Period, PeriodError
from guatu.lights.services import default_period
from guatu.web.forms import add_service_errors, top_errors
from guatu.web.xlsx_export import xlsx_response

PAGE_SIZE = 50
STEP_BUTTONS = {
    "lead.negotiate": gettext_lazy("Start negotiating"),
    "lead.sign": gettext_lazy("Sign"),
    "lead.register": gettext_lazy("Registered"),
    "lead.start": gettext_lazy("Started"),
    "lead.produce": gettext_lazy("In production"),
    "lead.drop": gettext_lazy("Drop"),
}


def _filter_form(request) -> FilterForm:
    user = request.user
    return FilterForm(
        request.GET or None,
        units=gateway.visible_units(user).order_by("path"),
        chains=gateway.visible_chains(user).order_by("sort_order", "id"),
    )


def filtered_leads(user, form: FilterForm):
    return queries.lead_list(gateway.visible_leads(user), **form.filters())


@login_required
def lead_list(request):
    """The leads the user may see, filtered; a fixed number of queries at any length."""
    user = request.user
    form = _filter_form(request)
    page = Paginator(filtered_leads(user, form), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    lights = queries.late_start_lights(rows)
    for lead in rows:
        lead.light = lights.get(lead.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "attraction/lead_list.html",
        {"form": form, "page": page, "leads": rows, "query": query.urlencode(), "can_create": gateway.may_create_leads(user)},
    )


@login_required
def lead_export(request):
    user = request.user
    form = _filter_form(request)
    leads = list(filtered_leads(user, form))
    lights = queries.late_start_lights(leads)
    unit = gateway.default_unit(user)
    today = clock.today()
    content = exports.leads_workbook(leads, lights, unit_name=unit.display_name if unit else "", today=today)
    return xlsx_response(content, f"{exports.leads_title()}-{today}.xlsx")


def _lead_form(request, data=None, **kwargs) -> LeadForm:
    return LeadForm(
        data,
        units=gateway.lead_units(request.user).order_by("path"),
        chains=gateway.library_chains(request.user).order_by("sort_order", "id"),
        **kwargs,
    )


def _lead_input(data) -> services.LeadInput:
    return services.LeadInput(**{name: data[name] for name in services.INPUT_FIELDS})


@login_required
def lead_create(request):
    if not gateway.may_create_leads(request.user):
        raise PermissionDenied
    form = _lead_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(data=_lead_input(form.cleaned_data), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Investment lead created."))
            return redirect("attraction:detail", pk=lead.pk)
    return render(request, "attraction/lead_form.html", {"form": form, "form_errors": top_errors(form)})


@login_required
def lead_edit(request, pk):
    lead = gateway.get_visible_lead(request.user, pk)
    if not gateway.can_manage_lead(request.user, lead):
        raise PermissionDenied
    initial = {name: getattr(lead, name) for name in services.INPUT_FIELDS} | {"version": lead.version}
    form = _lead_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(
                lead=lead, data=_lead_input(form.cleaned_data), expected_version=form.cleaned_data["version"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Investment lead saved."))
            return redirect("attraction:detail", pk=lead.pk)
    return render(request, "attraction/lead_form.html", {"form": form, "lead": lead, "form_errors": top_errors(form)})


@login_required
def lead_detail(request, pk):
    lead = gateway.get_visible_lead(request.user, pk)
    return _render_detail(request, lead)


def _step_form(action: str, data=None, **kwargs):
    form_class = DropForm if action == "lead.drop" else StepForm
    return form_class(data, action=action, date_field=services.STEP_DATE.get(action, ""), **kwargs)


# The other forms of the lead page, each with its own ids (no field id is repeated on the page).
def _follow_form(data=None, **kwargs) -> FollowUpForm:
    return FollowUpForm(data, auto_id=step_auto_id("follow"), **kwargs)


def _funds_form(data=None, **kwargs) -> FundsForm:
    return FundsForm(data, auto_id=step_auto_id("funds"), **kwargs)


def _convert_form(data=None, **kwargs) -> ConvertForm:
    return ConvertForm(data, auto_id=step_auto_id("convert"), **kwargs)


def _funds_initial(request, funds) -> dict:
    """The funds form, filled with a month already entered when the page is opened to change it (?funds=YYYY-MM):
    its figures and the version they were read at, so that saving replaces them."""
    try:
        period = Period.parse(request.GET.get("funds", "")[:7])
    except PeriodError:
        return {}
    row = next((row for row in funds if (row.year, row.month) == (period.year, period.month)), None)
    if row is None:
        return {}
    return {"period": str(period), "domestic": row.domestic, "foreign": row.foreign, "version": row.version}


def _render_detail(request, lead: Lead, *, failed: str = "", failed_form=None, status: int = 200):
    user = request.user
    can_manage = gateway.can_manage_lead(user, lead)
    can_follow = gateway.can_follow_lead(user, lead)
    light = queries.late_start_lights([lead]).get(lead.pk)
    steps = services.next_steps(lead) if can_manage else []
    version = {"version": lead.version}
    funds = queries.funds_by_month(lead)
    context = {
        "lead": lead,
        "light": light,
        "light_code": light.code if light else "",
        "is_red": light == Light.RED,
        "steps": [
            (action, STEP_BUTTONS[action], failed_form if failed == action else _step_form(action, initial=version))
            for action in steps
        ],
        "date_field": services.STEP_DATE,
        "follow_ups": list(lead.follow_ups.select_related("by")),
        "funds": funds,
        "can_manage": can_manage,
        "can_follow": can_follow,
        "follow_form": failed_form if failed == "follow" else _follow_form(initial={"date": clock.today()}),
        "funds_form": failed_form if failed == "funds" else _funds_form(initial=_funds_initial(request, funds)),
        "can_convert": can_manage and lead.project_id is None and lead.status in services.STARTED_OR_LATER,
        "convert_form": failed_form if failed == "convert" else _convert_form(initial=version),
        "action_errors": top_errors(failed_form),
        "history": history_rows(history_of(lead)),
    }
    return render(request, "attraction/lead_detail.html", context, status=status)


def _managed(request, pk) -> Lead:
    lead = gateway.get_visible_lead(request.user, pk)
    if not gateway.can_manage_lead(request.user, lead):
        raise PermissionDenied
    return lead


def _at_step_date(error: ValidationError, action: str) -> ValidationError:
    """The service names the step's date by its column (signed_on, started_on …); the form asks for it as `on`."""
    column = services.STEP_DATE.get(action)
    if column is None or not hasattr(error, "error_dict"):
        return error
    return ValidationError({("on" if name == column else name): errors for name, errors in error.error_dict.items()})


@login_required
@require_POST
def lead_step(request, pk, action):
    lead = _managed(request, pk)
    if action not in services.WORKFLOW.steps:
        raise PermissionDenied
    form = _step_form(action, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "lead.drop":
                services.lead_drop(lead=lead, reason=data["reason"], by=request.user, expected_version=data["version"])
            else:
                services.lead_advance(
                    lead=lead,
                    action=action,
                    by=request.user,
                    expected_version=data["version"],
                    on=data.get("on"),
                    contract_amount=data.get("contract_amount"),
                    promised_start=data.get("promised_start"),
                )
        except ValidationError as error:
            add_service_errors(form, _at_step_date(error, action))
        else:
            messages.success(request, _("Saved."))
            return redirect("attraction:detail", pk=lead.pk)
    return _render_detail(request, lead, failed=action, failed_form=form, status=400)


@login_required
@require_POST
def lead_follow_up(request, pk):
    lead = gateway.get_visible_lead(request.user, pk)
    if not gateway.can_follow_lead(request.user, lead):
        raise PermissionDenied
    form = _follow_form(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(lead=lead, on=form.cleaned_data["date"], text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("attraction:detail", pk=lead.pk)
    return _render_detail(request, lead, failed="follow", failed_form=form, status=400)


@login_required
@require_POST
def lead_funds(request, pk):
    lead = gateway.get_visible_lead(request.user, pk)
    if not gateway.can_follow_lead(request.user, lead):
        raise PermissionDenied
    form = _funds_form(request.POST)
    if form.is_valid() and form.cleaned_data["period"] is None:
        form.add_error("period", _("Choose a month."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.funds_set(
                lead=lead,
                period=data["period"],
                domestic=data["domestic"],
                foreign=data["foreign"],
                expected_version=data["version"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Funds in place saved."))
            return redirect("attraction:detail", pk=lead.pk)
    return _render_detail(request, lead, failed="funds", failed_form=form, status=400)


@login_required
@require_POST
def lead_convert(request, pk):
    lead = _managed(request, pk)
    form = _convert_form(request.POST)
    if form.is_valid():
        try:
            lead = services.lead_convert(
                lead=lead, by=request.user, expected_version=form.cleaned_data["version"], end_year=form.cleaned_data["end_year"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The lead is now a project of the library."))
            return redirect("projects:detail", pk=lead.project_id)
    return _render_detail(request, lead, failed="convert", failed_form=form, status=400)


@login_required
def performance(request):
    """Contract performance (履约率), signed projects and funds in place per responsible unit and per chain."""
    user = request.user
    form = PerformanceForm(request.GET or None)
    period = (form.cleaned_data.get("period") if form.is_valid() else None) or default_period(gateway.default_unit(user))
    leads = gateway.visible_leads(user)
    unit_ids = leads.order_by().values_list("responsible_unit_id", flat=True).distinct()
    units = list(gateway.visible_units(user).filter(pk__in=unit_ids).order_by("path"))
    chain_ids = leads.order_by().exclude(chain=None).values_list("chain_id", flat=True).distinct()
    chains = list(gateway.visible_chains(user).filter(pk__in=chain_ids).order_by("sort_order", "id"))
    unit_figures = queries.unit_lead_figures(units, period, leads=leads)
    chain_figures = queries.chain_lead_figures([c.pk for c in chains], period, leads=leads)
    return render(
        request,
        "attraction/performance.html",
        {
            "form": form,
            "period": period,
            "unit_rows": [(unit, unit_figures[unit.pk]) for unit in units],
            "chain_rows": [(chain, chain_figures[chain.pk]) for chain in chains],
        },
    )
