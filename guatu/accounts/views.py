"""User pages (用户管理) of a city administrator: the jurisdiction's users, add one, change role and unit,
disable and re-enable, give a temporary password, reset two-factor authentication. And every user's own password
change (修改密码) and two-factor pages (双因素认证: set up, give a code)."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.access import gateway
from guatu.accounts import services, signin, two_factor
from guatu.accounts.forms import (
    CodeForm,
    OwnPasswordForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserForm,
)
from guatu.accounts.models import Role
from guatu.audit.history import history_rows
from guatu.audit.queries import history_of
from guatu.audit.workflow import check_version
from guatu.orgs.forms import VersionForm
from guatu.web.forms import add_service_errors, safe_next


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
    return {
        "units": units.in_tree_order(),
        "leaders": leaders.select_related("org_unit"),
        "roles": services.grantable_roles(user, target),
    }


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


def _act_at_version(request, user, target, act, done, page: str):
    """A POST on a user's page carrying the version it was read at: `act(target, version, by)` through a
    service, then back to the page with `done(target)` or the refusal."""
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The page's version is not a number: reload the page."))
        act(target, form.cleaned_data["version"], user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done(target))
    return redirect(page, pk=target.pk)


def _user_action(request, pk, act, done):
    user = _manager(request)
    return _act_at_version(request, user, gateway.get_manageable_user(user, pk), act, done, "accounts:user")


def _set_active(request, pk, is_active: bool):
    def act(target, version, by):
        services.user_set_active(user=target, is_active=is_active, expected_version=version, by=by)

    def done(target):
        text = (
            _("User %(name)s enabled.") if is_active else _("User %(name)s disabled: their sessions ended.")
        )
        return text % {"name": target.username}

    return _user_action(request, pk, act, done)


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


# --- two-factor sign-in: the pages TwoFactorRequiredMiddleware sends a user to after the password


def _next(request) -> str:
    """Where to go once the code is given: the page first asked for, if it is on this site."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or resolve_url("home")


def _code_page(request, template: str, form, **context):
    context = {"form": form, "next": _next(request), **context}
    return render(request, template, context, status=400 if form.errors else 200)


def _code_given(request, check, form):
    """Into the session with the device that took the code; a locked name ends the session."""
    if check.ok:
        django_otp.login(request, check.device)
        request.session.cycle_key()  # the session is worth more now: a new key
        return redirect(_next(request))
    if check.locked:
        logout(request)
        messages.error(request, two_factor.refusal_message(check))
        return redirect("login")
    form.add_error("code", two_factor.refusal_message(check))
    return None


@login_required
def two_factor_verify(request):
    """The code page (双因素验证), after the password."""
    user = request.user
    if not two_factor.required_for(user) or user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_device(user):
        return redirect_to_login(_next(request), reverse("accounts:two_factor_enrol"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.otp_verify(user=user, token=form.cleaned_data["code"])
        except ValidationError:  # the device was reset meanwhile
            return redirect_to_login(_next(request), reverse("accounts:two_factor_enrol"))
        if response := _code_given(request, check, form):
            return response
    return _code_page(request, "accounts/two_factor_verify.html", form)


@login_required
def two_factor_enrol(request):
    """The set-up page (设置双因素认证), at the first sign-in that needs a code: the QR code, the secret in text,
    and a first code to confirm them."""
    user = request.user
    if not two_factor.required_for(user) or user.is_verified():
        return redirect(_next(request))
    if two_factor.has_device(user):
        return redirect_to_login(_next(request), reverse("accounts:two_factor_verify"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.otp_enrol(user=user, token=form.cleaned_data["code"])
        except ValidationError as exc:
            if two_factor.has_device(user):  # set up meanwhile, in another tab
                return redirect_to_login(_next(request), reverse("accounts:two_factor_verify"))
            add_service_errors(form, exc)
        else:
            if check.ok:
                messages.success(request, _("Two-factor authentication set up"))
            if response := _code_given(request, check, form):
                return response
    device = services.otp_device_pending(user=user)
    return _code_page(
        request,
        "accounts/two_factor_enrol.html",
        form,
        qr=two_factor.qr_data_uri(device),
        secret=two_factor.secret_text(device),
    )


# --- the security administrator's pages (安全管理, 三员): roles, sign-in locks, two-factor devices


def _security_officer(request):
    if not gateway.can_manage_security(request.user):
        raise PermissionDenied(_("Only the security administrator opens this page."))
    return request.user


@login_required
def security(request):
    """The jurisdiction's accounts with their role, lock and two-factor state; the locked ones first."""
    user = _security_officer(request)
    users = list(
        gateway.securable_users(user)
        .select_related("org_unit", "leader")
        .order_by("-is_active", "org_unit__path", "username")
    )
    locked = signin.locked_names(signin.name_key(person.username) for person in users)
    devices = two_factor.users_with_device(users)
    rows = [
        {
            "person": person,
            "locked_until": locked.get(signin.name_key(person.username)),
            "device": person.pk in devices,
        }
        for person in users
    ]
    rows.sort(key=lambda row: row["locked_until"] is None)
    return render(request, "accounts/security.html", {"rows": rows})


def _security_page(request, target, *, form=None, status=200):
    user = request.user
    leaders = gateway.securable_leaders(user, target)
    return render(
        request,
        "accounts/security_user.html",
        {
            "target": target,
            "form": form
            or RoleForm(
                initial={"role": target.role, "leader": target.leader_id, "version": target.version},
                leaders=leaders,
            ),
            "is_self": target.pk == user.pk,
            "locked_until": signin.locked_until(target.username),
            "two_factor_device": two_factor.confirmed_device(target),
            "two_factor_required": two_factor.required_for(target),
            "history": history_rows(history_of(target))[::-1],
        },
        status=status,
    )


@login_required
def security_user(request, pk):
    user = _security_officer(request)
    target = gateway.get_securable_user(user, pk)
    if request.method != "POST":
        return _security_page(request, target)
    leaders = gateway.securable_leaders(user, target)
    form = RoleForm(request.POST, leaders=leaders)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.user_role_set(
                user=target,
                role=data["role"],
                leader=data["leader"],
                expected_version=data["version"],
                reason=data["reason"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Role of %(name)s saved: their sessions ended.") % {"name": target.username}
            )
            return redirect("accounts:security_user", pk=target.pk)
    return _security_page(request, target, form=form, status=400)


def _security_action(request, pk, act, done):
    user = _security_officer(request)
    target = gateway.get_securable_user(user, pk)
    return _act_at_version(request, user, target, act, done, "accounts:security_user")


@login_required
@require_POST
def security_unlock(request, pk):
    def act(target, version, by):
        check_version(target, version)
        services.login_unlock(user=target, by=by)

    return _security_action(
        request, pk, act, lambda target: _("Sign-in lock of %(name)s lifted.") % {"name": target.username}
    )


@login_required
@require_POST
def security_two_factor_reset(request, pk):
    def act(target, version, by):
        services.otp_device_reset(user=target, expected_version=version, by=by)

    return _security_action(request, pk, act, lambda target: _("Two-factor authentication reset"))
