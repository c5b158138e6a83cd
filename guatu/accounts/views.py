"""User pages (用户管理) of a city administrator: the jurisdiction's users, add one, change role and unit,
disable and re-enable, give a temporary password. And every user's own password change (修改密码)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.accounts import services, signin
from guatu.accounts.forms import OwnPasswordForm, PasswordResetForm, UserCreateForm, UserForm
from guatu.accounts.models import Role
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.orgs.forms import VersionForm
from guatu.web.forms import add_service_errors


def _manager(request):
    if not gateway.can_manage_people(request.user):
        raise PermissionDenied(_("Only a city administrator manages the org tree and its people."))
    return request.user


def _choices(user, target=None) -> dict:
    """Open units and leaders in post of the jurisdiction, and the target's own even when closed or ended."""
    units = gateway.manageable_units(user).filter(
        Q(closed_at__isnull=True) | Q(pk=getattr(target, "org_unit_id", None))
    )
    leaders = gateway.manageable_leaders(user).filter(
        Q(is_active=True) | Q(pk=getattr(target, "leader_id", None))
    )
    return {"units": units.in_tree_order(), "leaders": leaders.select_related("org_unit")}


@login_required
def user_list(request):
    user = _manager(request)
    users = (
        gateway.manageable_users(user)
        .select_related("org_unit", "leader")
        .order_by("-is_active", "org_unit__path", "username")
    )
    return render(request, "accounts/user_list.html", {"users": list(users)})


@login_required
def user_new(request):
    user = _manager(request)
    form = UserCreateForm(request.POST or None, **_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
                username=data["username"],
                password=data["password"],
                first_name=data["name"],
                org_unit=data["org_unit"],
                role=data["role"],
                leader=data["leader"] if data["role"] == Role.LEADER else None,
                phone=data["phone"],
                email=data["email"],
                must_change_password=True,
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("User %(name)s created: they must change the password at first login.")
                % {"name": created.username},
            )
            return redirect("accounts:user", pk=created.pk)
    return render(request, "accounts/user_new.html", {"form": form}, status=400 if form.errors else 200)


def _user_page(request, target, *, form=None, reset_form=None, status=200):
    user = request.user
    return render(
        request,
        "accounts/user.html",
        {
            "target": target,
            "form": form or UserForm(initial=UserForm.initial_from(target), **_choices(user, target)),
            "reset_form": reset_form or PasswordResetForm(initial={"version": target.version}),
            "is_self": target.pk == user.pk,
            "history": history_rows(history_of(target))[::-1],
        },
        status=status,
    )


@login_required
def user_edit(request, pk):
    user = _manager(request)
    target = gateway.get_manageable_user(user, pk)
    if request.method != "POST":
        return _user_page(request, target)
    form = UserForm(request.POST, **_choices(user, target))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                user=target,
                expected_version=data["version"],
                first_name=data["name"],
                last_name="",
                org_unit=data["org_unit"],
                role=data["role"],
                leader=data["leader"],
                phone=data["phone"],
                email=data["email"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": target.username})
            return redirect("accounts:user", pk=target.pk)
    return _user_page(request, target, form=form, status=400)


def _set_active(request, pk, is_active: bool):
    user = _manager(request)
    target = gateway.get_manageable_user(user, pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The page's version is not a number: reload the page."))
        services.user_set_active(
            user=target, is_active=is_active, expected_version=form.cleaned_data["version"], by=user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        done = (
            _("User %(name)s enabled.") if is_active else _("User %(name)s disabled: their sessions ended.")
        )
        messages.success(request, done % {"name": target.username})
    return redirect("accounts:user", pk=target.pk)


@login_required
@require_POST
def user_disable(request, pk):
    return _set_active(request, pk, False)


@login_required
@require_POST
def user_enable(request, pk):
    return _set_active(request, pk, True)


@login_required
@require_POST
def user_password_reset(request, pk):
    user = _manager(request)
    target = gateway.get_manageable_user(user, pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_password_reset(
                user=target,
                password=form.cleaned_data["password"],
                expected_version=form.cleaned_data["version"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("A temporary password was set for %(name)s: they must change it at next login.")
                % {"name": target.username},
            )
            return redirect("accounts:user", pk=target.pk)
    return _user_page(request, target, reset_form=form, status=400)


@login_required
def password_change(request):
    """Everyone changes their own password here; a user an administrator gave a password to is sent here."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)  # stay logged in with the new password
            messages.success(request, _("Your password was changed."))
            return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "must_change": signin.why_change(request.user)
            if signin.must_change_password(request.user)
            else "",
        },
        status=400 if form.errors else 200,
    )
