"""The org tree pages of a city administrator (组织机构): units (add, change, move, close, reopen) and leaders
(add, change, end a post). Who may act and on which unit is the gateway's `manageable_*`; writes are
guatu.orgs.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.orgs import services
from guatu.orgs.forms import CloseForm, LeaderForm, MoveForm, UnitForm, VersionForm
from guatu.orgs.models import OrgUnit
from guatu.web.forms import add_service_errors


def _manager(request):
    if not gateway.can_manage_people(request.user):
        raise PermissionDenied(_("Only a city administrator manages the org tree and its people."))
    return request.user


@login_required
def tree(request):
    user = _manager(request)
    units = (
        gateway.manageable_units(user)
        .in_tree_order()
        .annotate(
            user_count=Count("users", filter=Q(users__is_active=True), distinct=True),
            leader_count=Count("leaders", filter=Q(leaders__is_active=True), distinct=True),
        )
    )
    units = list(units)
    top = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.indent = unit.depth - top
    leaders = gateway.manageable_leaders(user).select_related("org_unit").order_by("-is_active", "sort_order", "id")
    return render(request, "orgs/tree.html", {"units": units, "leaders": list(leaders)})


def _open_units(user):
    return gateway.manageable_units(user).open().in_tree_order()


@login_required
def unit_new(request):
    user = _manager(request)
    form = UnitForm(request.POST or None, by=user, parents=_open_units(user), initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.orgunit_create(
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                short_name=data["short_name"],
                aliases=data["aliases"],
                division_code=data["division_code"],
                sort_order=data["sort_order"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s added.") % {"unit": unit.name})
            return redirect("orgs:unit", pk=unit.pk)
    return render(request, "orgs/unit_new.html", {"form": form})


def _unit_page(request, unit: OrgUnit, *, form=None, move_form=None, close_form=None, status=200):
    user = request.user
    subtree = OrgUnit.objects.subtree(unit).values("pk")
    return render(
        request,
        "orgs/unit.html",
        {
            "unit": unit,
            "form": form or UnitForm(initial=UnitForm.initial_from(unit), by=user),
            "move_form": move_form
            or MoveForm(initial={"version": unit.version}, parents=_open_units(user).exclude(pk__in=subtree)),
            "close_form": close_form or CloseForm(initial={"version": unit.version}),
            "work": services.open_work(unit),
            "history": history_rows(history_of(unit))[::-1],
        },
        status=status,
    )


@login_required
def unit_edit(request, pk):
    user = _manager(request)
    unit = gateway.get_manageable_unit(user, pk)
    if request.method != "POST":
        return _unit_page(request, unit)
    form = UnitForm(request.POST, by=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.orgunit_update(
                unit=unit,
                expected_version=data["version"],
                name=data["name"],
                short_name=data["short_name"],
                aliases=data["aliases"],
                kind=data["kind"],
                division_code=data["division_code"],
                sort_order=data["sort_order"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s saved.") % {"unit": data["name"]})
            return redirect("orgs:unit", pk=unit.pk)
    return _unit_page(request, unit, form=form, status=400)


@login_required
@require_POST
def unit_move(request, pk):
    user = _manager(request)
    unit = gateway.get_manageable_unit(user, pk)
    form = MoveForm(request.POST, parents=_open_units(user))
    if form.is_valid():
        try:
            services.orgunit_move(
                unit=unit, parent=form.cleaned_data["parent"], expected_version=form.cleaned_data["version"], by=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s moved.") % {"unit": unit.name})
            return redirect("orgs:unit", pk=unit.pk)
    return _unit_page(request, unit, move_form=form, status=400)


@login_required
@require_POST
def unit_close(request, pk):
    user = _manager(request)
    unit = gateway.get_manageable_unit(user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.orgunit_close(
                unit=unit, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"], by=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s closed.") % {"unit": unit.name})
            return redirect("orgs:unit", pk=unit.pk)
    return _unit_page(request, unit, close_form=form, status=400)


@login_required
@require_POST
def unit_reopen(request, pk):
    user = _manager(request)
    unit = gateway.get_manageable_unit(user, pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The page's version is not a number: reload the page."))
        services.orgunit_reopen(unit=unit, expected_version=form.cleaned_data["version"], by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(unit)s reopened.") % {"unit": unit.name})
    return redirect("orgs:unit", pk=unit.pk)


# --- leaders


def _leader_units(user, leader=None):
    units = gateway.manageable_units(user)
    keep = Q(closed_at__isnull=True) | Q(pk=leader.org_unit_id) if leader else Q(closed_at__isnull=True)
    return units.filter(keep).in_tree_order()


@login_required
def leader_new(request):
    user = _manager(request)
    form = LeaderForm(request.POST or None, units=_leader_units(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leader = services.leader_create(
                name=data["name"],
                post=data["post"],
                org_unit=data["org_unit"],
                is_principal=data["is_principal"],
                sort_order=data["sort_order"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(leader)s added.") % {"leader": leader})
            return redirect("orgs:leader", pk=leader.pk)
    return render(request, "orgs/leader.html", {"form": form, "leader": None}, status=400 if form.errors else 200)


@login_required
def leader_edit(request, pk):
    user = _manager(request)
    leader = gateway.get_manageable_leader(user, pk)
    units = _leader_units(user, leader)
    if request.method == "POST":
        form = LeaderForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.leader_update(
                    leader=leader,
                    expected_version=data["version"],
                    name=data["name"],
                    post=data["post"],
                    org_unit=data["org_unit"],
                    is_principal=data["is_principal"],
                    sort_order=data["sort_order"],
                    by=user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(leader)s saved.") % {"leader": data["name"]})
                return redirect("orgs:leader", pk=leader.pk)
    else:
        form = LeaderForm(initial=LeaderForm.initial_from(leader), units=units)
    return render(
        request,
        "orgs/leader.html",
        {"form": form, "leader": leader, "history": history_rows(history_of(leader))[::-1]},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def leader_end(request, pk):
    user = _manager(request)
    leader = gateway.get_manageable_leader(user, pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The page's version is not a number: reload the page."))
        services.leader_end(leader=leader, expected_version=form.cleaned_data["version"], by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(leader)s no longer holds this post.") % {"leader": leader})
    return redirect("orgs:leader", pk=leader.pk)
