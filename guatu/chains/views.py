"""The chain pages: the list of chains, a chain with everything on it, a chain chief's chains, and the forms
that keep a chain's targets, policies and follow-through. Every chain is fetched through the gateway."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guatu.access import gateway
from guatu.chains import exports, forms, services
from guatu.chains.queries import chain_figures, chain_lists
from guatu.lib.periods import Period, PeriodError
from guatu.lights.services import default_period
from guatu.web.forms import add_service_errors
from guatu.web.xlsx_export import xlsx_response


def _period(request) -> Period:
    text = request.GET.get("period", "")
    if text.strip():
        try:
            return Period.parse(text)
        except PeriodError:
            pass
    unit = gateway.default_unit(request.user)
    return default_period(unit)


def _chains(user):
    return list(gateway.visible_chains(user).select_related("chief", "lead_unit").order_by("sort_order", "id"))


@login_required
def chain_list(request):
    period = _period(request)
    chains = _chains(request.user)
    figures = chain_figures(chains, period)
    if request.GET.get("format") == "xlsx":
        content = exports.chains_workbook([figures[chain.pk] for chain in chains], period=period)
        return xlsx_response(content, f"{_('Industry chains')}-{period}.xlsx")
    return render(
        request,
        "chains/chain_list.html",
        {
            "rows": [figures[chain.pk] for chain in chains],
            "period": period,
            "can_manage": gateway.can_manage_chains(request.user),
        },
    )


@login_required
def chain_detail(request, pk: int):
    chain = gateway.get_visible_chain(request.user, pk)
    period = _period(request)
    figures = chain_figures([chain], period)[chain.pk]
    context = {
        "chain": chain,
        "period": period,
        "figures": figures,
        "chart": {
            "labels": [line.label for line in figures.lines],
            "rates": [str(line.rate) if line.rate is not None else None for line in figures.lines],
        },
        "lists": chain_lists(request.user, chain, period),
        "can_manage": gateway.can_manage_chains(request.user, chain),
        "can_raise": gateway.chains_for_problems(request.user).filter(pk=chain.pk).exists(),
    }
    return render(request, "chains/chain_detail.html", context)


@login_required
def chief(request, pk: int):
    leader = gateway.get_visible_chief(request.user, pk)
    period = _period(request)
    chains = [chain for chain in _chains(request.user) if chain.chief_id == leader.pk]
    figures = chain_figures(chains, period)
    return render(
        request,
        "chains/chief.html",
        {"leader": leader, "period": period, "rows": [figures[chain.pk] for chain in chains]},
    )


@login_required
def my_chains(request):
    """A leader lands on their own chief's page; everyone else on the list."""
    if request.user.leader_id:
        return redirect("chains:chief", request.user.leader_id)
    return redirect("chains:list")


PARTS = {
    "target": (forms.TargetForm, services.target_add, _("Add a yearly target")),
    "policy": (forms.PolicyForm, services.policy_add, _("Add a policy")),
    "progress": (forms.ProgressForm, services.progress_add, _("Add a follow-through entry")),
    "member": (forms.MemberForm, services.member_add, _("Add a work team member")),
}


@login_required
@require_http_methods(["GET", "POST"])
def part_add(request, pk: int, part: str):
    """Add a target, policy, follow-through entry or team member to a chain (404 for any other part)."""
    chain = gateway.get_manageable_chain(request.user, pk)
    if part not in PARTS:
        raise Http404("no such part")
    form_class, add, title = PARTS[part]
    form = form_class(request.POST or None, chain=chain)
    if request.method == "POST" and form.is_valid():
        try:
            add(chain=chain, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("chains:detail", chain.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "chains/part_form.html", {"chain": chain, "form": form, "title": title}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chain_edit(request, pk: int):
    chain = gateway.get_manageable_chain(request.user, pk)
    form = forms.ChainForm(request.POST or None, instance=chain, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.chain_update(chain=chain, by=request.user, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("chains:detail", chain.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "chains/part_form.html", {"chain": chain, "form": form, "title": _("Edit the chain")}, status=status
    )
