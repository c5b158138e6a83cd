"""The chain pages: the list of chains, a chain with everything on it, a chain chief's chains, and the forms
that keep a chain's targets, policies and follow-through. Every chain is fetched through the gateway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.chains import exports, forms, services
from guatu.chains.models import ChainTarget, FollowThrough, Policy, TeamMember
from guatu.chains.queries import chain_figures, chain_history, chain_lists
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
        "history": history_rows(chain_history(chain)),
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


@dataclass(frozen=True)
class Part:
    """One kind of a chain's parts and the services that add, change and delete it."""

    model: type
    form: type
    add: Callable
    update: Callable
    remove: Callable
    keyword: str  # the part's keyword argument in the update and remove services
    add_title: str
    edit_title: str
    delete_title: str
    renamed: dict = field(default_factory=dict)  # form field → update argument, where they differ


PARTS = {
    "target": Part(
        ChainTarget, forms.TargetForm, services.target_add, services.target_update, services.target_remove,
        "target", _("Add a yearly target"), _("Edit the yearly target"), _("Delete the yearly target"),
        renamed={"target": "value"},
    ),
    "policy": Part(
        Policy, forms.PolicyForm, services.policy_add, services.policy_update, services.policy_remove,
        "policy", _("Add a policy"), _("Edit the policy"), _("Delete the policy"),
    ),
    "progress": Part(
        FollowThrough, forms.ProgressForm, services.progress_add, services.progress_update, services.progress_remove,
        "entry", _("Add a follow-through entry"), _("Edit the follow-through entry"),
        _("Delete the follow-through entry"),
    ),
    "member": Part(
        TeamMember, forms.MemberForm, services.member_add, services.member_update, services.member_remove,
        "member", _("Add a work team member"), _("Edit the work team member"), _("Delete the work team member"),
    ),
}


def _part(name: str) -> Part:
    if name not in PARTS:
        raise Http404("no such part")
    return PARTS[name]


def _form_page(request, chain, form, title: str, *, template="chains/part_form.html", extra=None):
    status = 422 if request.method == "POST" else 200
    context = {"chain": chain, "form": form, "title": title} | (extra or {})
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def part_add(request, pk: int, part: str):
    """Add a target, policy, follow-through entry or team member to a chain (404 for any other part)."""
    chain = gateway.get_manageable_chain(request.user, pk)
    kind = _part(part)
    form = kind.form(request.POST or None, chain=chain)
    if request.method == "POST" and form.is_valid():
        try:
            kind.add(chain=chain, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("chains:detail", chain.pk)
    return _form_page(request, chain, form, kind.add_title)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request, pk: int, part: str, item: int):
    """Change a part of a chain, checked against the version it was read at."""
    kind = _part(part)
    obj = gateway.get_manageable_chain_part(request.user, pk, kind.model, item)
    form = kind.form(request.POST or None, instance=obj, chain=obj.chain)
    if request.method == "POST" and form.is_valid():
        values = {kind.renamed.get(name, name): value for name, value in form.values().items()}
        try:
            kind.update(
                **{kind.keyword: obj},
                **values,
                expected_version=form.cleaned_data["expected_version"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("chains:detail", obj.chain.pk)
    return _form_page(request, obj.chain, form, kind.edit_title)


@login_required
@require_http_methods(["GET", "POST"])
def part_delete(request, pk: int, part: str, item: int):
    """Delete a part of a chain with a reason (audited), checked against the version it was read at."""
    kind = _part(part)
    obj = gateway.get_manageable_chain_part(request.user, pk, kind.model, item)
    form = forms.DeleteForm(request.POST or None, part=obj)
    if request.method == "POST" and form.is_valid():
        try:
            kind.remove(
                **{kind.keyword: obj},
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("chains:detail", obj.chain.pk)
    return _form_page(request, obj.chain, form, kind.delete_title, extra={"deleting": obj})


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
    return _form_page(request, chain, form, _("Edit the chain"))
