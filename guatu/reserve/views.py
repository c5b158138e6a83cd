"""Reserve pipeline pages: a project's tier change, the tiers' rules, the reserve's depth, funding applications.

Every object comes through the gateway (404 when not visible); writes are for the reviewers and city
administrators of the project's jurisdiction (403 for the rest); each form carries the version it was read at."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guatu import clock
from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of
from guatu.projects.models import Category, Milestone, Tier
from guatu.reserve import exports, queries, services
from guatu.reserve import rules as tier_rules
from guatu.reserve.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ApplicationStepForm,
    DepthFilterForm,
    EntryRuleForm,
    GateForm,
    TierForm,
)
from guatu.reserve.models import EntryRule, FundingStatus, PromotionGate
from guatu.web.forms import add_service_errors, top_errors
from guatu.web.xlsx_export import xlsx_response

PAGE_SIZE = 50


def _saved(request, form, call, success: str):
    """The service's result for a valid form, or None with its errors on the form."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return result


def _form_page(request, template: str, form, **context):
    context.update(form=form, form_errors=top_errors(form))
    return render(request, template, context, status=400 if form.is_bound else 200)


# --- a project's tier ----------------------------------------------------------------------------------------


@login_required
def project_tier(request, pk):
    project = gateway.get_maintainable_project(request.user, pk)
    form = TierForm(request.POST or None, initial={"version": project.version, "tier": project.tier})
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.project_change_tier(
                project=project,
                tier=data["tier"],
                reason=data["reason"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Project moved to another tier."),
        )
        if saved is not None:
            return redirect(reverse("projects:detail", args=[saved.pk]) + "#history")
    rules = tier_rules.rules_of(gateway.jurisdiction(project.location_unit))
    done = set(
        Milestone.objects.filter(project=project, actual_date__isnull=False).values_list("kind", flat=True)
    )
    gates = [
        {"tier": Tier(tier).label, "kinds": [(tier_rules.kinds_text([k]), k in done) for k in rules.gates[tier]]}
        for tier in tier_rules.TIER_ORDER[1:]
    ]
    return _form_page(request, "reserve/project_tier.html", form, project=project, gates=gates)


# --- the tiers' rules of the jurisdiction ----------------------------------------------------------------------


def _rules_unit(user):
    unit = gateway.reserve_rules_unit(user)
    if unit is None:
        raise PermissionDenied("may not keep the reserve rules")
    return unit


@login_required
def rules(request):
    unit = _rules_unit(request.user)
    current = tier_rules.rules_of(unit)
    entry_rows = [
        {
            "tier": tier,
            "tier_label": Tier(tier).label,
            "category": category,
            "category_label": label,
            "entry": current.entry[(tier, category)],
            "kinds": tier_rules.kinds_text(current.entry[(tier, category)].required_kinds),
        }
        for tier in tier_rules.TIER_ORDER
        for category, label in Category.choices
    ]
    gate_rows = [
        {"tier": tier, "tier_label": Tier(tier).label, "kinds": tier_rules.kinds_text(current.gates[tier]),
         "version": current.gate_versions[tier]}
        for tier in tier_rules.TIER_ORDER[1:]
    ]
    events = (
        AuditEvent.objects.filter(action__in=["reserve.entry_rule", "reserve.gate"])
        .filter(
            object_type__in=["entryrule", "promotiongate"],
            object_id__in=[
                *EntryRule.objects.filter(jurisdiction=unit).values_list("pk", flat=True),
                *PromotionGate.objects.filter(jurisdiction=unit).values_list("pk", flat=True),
            ],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    return render(
        request,
        "reserve/rules.html",
        {"unit": unit, "entry_rows": entry_rows, "gate_rows": gate_rows, "history": history_rows(events)},
    )


@login_required
def rule_edit(request, tier, category):
    unit = _rules_unit(request.user)
    if tier not in Tier.values or category not in Category.values:
        raise Http404("no such rule")
    entry = tier_rules.rules_of(unit).entry[(tier, category)]
    form = EntryRuleForm(
        request.POST or None,
        initial={
            "min_investment": entry.min_investment,
            "required_kinds": list(entry.required_kinds),
            "version": entry.version,
        },
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.entry_rule_set(
                jurisdiction=unit,
                tier=tier,
                category=category,
                min_investment=data["min_investment"],
                required_kinds=data["required_kinds"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Entry criteria saved."),
        )
        if saved is not None:
            return redirect("reserve:rules")
    title = f"{Tier(tier).label} · {Category(category).label}"
    return _form_page(request, "reserve/rule_form.html", form, unit=unit, title=title)


@login_required
def gate_edit(request, tier):
    unit = _rules_unit(request.user)
    if tier not in tier_rules.TIER_ORDER[1:]:
        raise Http404("no such gate")
    current = tier_rules.rules_of(unit)
    form = GateForm(
        request.POST or None,
        initial={"gate_kinds": list(current.gates[tier]), "version": current.gate_versions[tier]},
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.promotion_gate_set(
                jurisdiction=unit,
                tier=tier,
                gate_kinds=data["gate_kinds"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Promotion gate saved."),
        )
        if saved is not None:
            return redirect("reserve:rules")
    title = _("Promotion gate: %(tier)s") % {"tier": Tier(tier).label}
    return _form_page(request, "reserve/rule_form.html", form, unit=unit, title=title)


# --- the reserve's depth ------------------------------------------------------------------------------------------


def _depth(user, params):
    chains = gateway.library_chains(user) if gateway.can_maintain_library(user) else None
    if chains is None:
        chains = _chains_of(gateway.visible_projects(user))
    form = DepthFilterForm(params or None, chains=chains)
    filters = form.filters()
    projects = gateway.visible_projects(user)
    if filters.get("category"):
        projects = projects.filter(category=filters["category"])
    if filters.get("start_year"):
        projects = projects.filter(start_year=filters["start_year"])
    if filters.get("chain"):
        projects = projects.filter(chain_id=filters["chain"])
    unit = gateway.default_unit(user)
    rules = tier_rules.rules_of(gateway.jurisdiction(unit)) if unit else tier_rules.default_rules()
    return form, filters, unit, queries.reserve_depth(projects, by=filters["by"], rules=rules)


def _chains_of(projects):
    from guatu.projects.models import IndustryChain

    return IndustryChain.objects.filter(pk__in=projects.filter(chain__isnull=False).values("chain_id"))


@login_required
def depth(request):
    form, filters, unit, result = _depth(request.user, request.GET)
    group_label = dict(form.fields["by"].choices)[filters["by"]]
    if request.GET.get("export") == "xlsx":
        today = clock.today()
        content = exports.depth_workbook(
            result, group_label=str(group_label), unit_name=unit.display_name if unit else "", today=today
        )
        return xlsx_response(content, f"{exports.depth_title()}-{today}.xlsx")
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "reserve/depth.html",
        {
            "form": form,
            "depth": result,
            "group_label": group_label,
            "query": query.urlencode(),
            "can_keep_rules": gateway.reserve_rules_unit(request.user) is not None,
        },
    )


# --- funding applications ------------------------------------------------------------------------------------------


def filtered_applications(user, form: ApplicationFilterForm):
    filters = form.filters()
    applications = gateway.visible_applications(user)
    for name, lookup in (("kind", "kind"), ("status", "status"), ("year", "year"), ("tier", "project__tier")):
        if filters.get(name):
            applications = applications.filter(**{lookup: filters[name]})
    return queries.applications_for_list(applications)


@login_required
def application_list(request):
    form = ApplicationFilterForm(request.GET or None)
    applications = filtered_applications(request.user, form)
    if request.GET.get("export") == "xlsx":
        today = clock.today()
        unit = gateway.default_unit(request.user)
        content = exports.applications_workbook(
            applications, unit_name=unit.display_name if unit else "", today=today
        )
        return xlsx_response(content, f"{exports.applications_title()}-{today}.xlsx")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "reserve/application_list.html",
        {
            "form": form,
            "page": page,
            "totals": queries.application_totals(applications),
            "query": query.urlencode(),
        },
    )


def _fundable_project(user, pk):
    project = gateway.get_visible_project(user, pk)
    if not gateway.can_manage_funding(user, project):
        raise PermissionDenied("may not keep this project's funding applications")
    return project


@login_required
def application_new(request, project_pk):
    project = _fundable_project(request.user, project_pk)
    form = ApplicationForm(request.POST or None, initial={"year": clock.today().year})
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.funding_application_create(
                project=project,
                kind=data["kind"],
                year=data["year"],
                amount_requested=data["amount_requested"],
                note=data["note"],
                by=request.user,
            ),
            _("Funding application created."),
        )
        if saved is not None:
            return redirect("reserve:application", pk=saved.pk)
    return _form_page(request, "reserve/application_form.html", form, project=project, application=None)


def _manageable_application(user, pk):
    application = gateway.get_visible_application(user, pk)
    if not gateway.can_manage_funding(user, application.project):
        raise PermissionDenied("may not keep this funding application")
    return application


@login_required
def application_edit(request, pk):
    application = _manageable_application(request.user, pk)
    form = ApplicationForm(
        request.POST or None,
        initial={
            "kind": application.kind,
            "year": application.year,
            "amount_requested": application.amount_requested,
            "note": application.note,
            "version": application.version,
        },
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: services.funding_application_update(
                application=application,
                kind=data["kind"],
                year=data["year"],
                amount_requested=data["amount_requested"],
                note=data["note"],
                expected_version=data["version"],
                by=request.user,
            ),
            _("Funding application saved."),
        )
        if saved is not None:
            return redirect("reserve:application", pk=saved.pk)
    return _form_page(
        request, "reserve/application_form.html", form, project=application.project, application=application
    )


# Each step: the status it starts from, its title and what the service is called with.
STEPS = {
    "submit": (FundingStatus.PREPARING, gettext_noop("Mark as applied")),
    "approve": (FundingStatus.SUBMITTED, gettext_noop("Record the approval")),
    "reject": (FundingStatus.SUBMITTED, gettext_noop("Record as not approved")),
    "arrive": (FundingStatus.APPROVED, gettext_noop("Record funds arrived")),
}


def _call_step(step, application, data, by):
    common = {"application": application, "expected_version": data["version"], "by": by}
    if step == "submit":
        return services.funding_application_submit(submitted_on=data["on"], **common)
    if step == "approve":
        return services.funding_application_approve(
            amount_approved=data["amount_approved"], decided_on=data["on"], **common
        )
    if step == "reject":
        return services.funding_application_reject(decided_on=data["on"], reason=data["reason"], **common)
    return services.funding_application_funds_arrived(arrived_on=data["on"], **common)


@login_required
def application_step(request, pk, step):
    if step not in STEPS:
        raise Http404("no such step")
    application = _manageable_application(request.user, pk)
    form = ApplicationStepForm(
        request.POST or None, step=step, initial={"version": application.version, "on": clock.today()}
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda data: _call_step(step, application, data, request.user),
            _("Funding application updated."),
        )
        if saved is not None:
            return redirect("reserve:application", pk=saved.pk)
    return _form_page(
        request, "reserve/application_step.html", form, application=application, step=step, title=_(STEPS[step][1])
    )


@login_required
def application_detail(request, pk):
    application = gateway.get_visible_application(request.user, pk)
    can_manage = gateway.can_manage_funding(request.user, application.project)
    steps = [(name, _(title)) for name, (source, title) in STEPS.items() if application.status == source]
    return render(
        request,
        "reserve/application_detail.html",
        {
            "application": application,
            "can_manage": can_manage,
            "steps": steps if can_manage else [],
            "history": history_rows(history_of(application), hide={"project"}),
        },
    )
