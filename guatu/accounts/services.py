"""Writes to user accounts: create, change role and unit, disable and re-enable, reset and change passwords;
set up, check and reset two-factor devices (the rules: guatu.accounts.two_factor).

A city administrator acting (`by`) is checked through the gateway (guatu.orgs.services.check_manages): they
manage the users of their own jurisdiction only, and never make a superuser. Passwords and their hashes are
never audited: the events say only that a password was reset or changed. Nor are two-factor secrets or codes."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from guatu import clock
from guatu.accounts import signin, two_factor
from guatu.accounts.models import ADMINISTRATOR_ROLES, OVERSIGHT_ROLES, Role, User
from guatu.audit import events
from guatu.audit.context import current_ip
from guatu.audit.services import changes, snapshot
from guatu.audit.workflow import check_version
from guatu.orgs.models import Leader, OrgUnit
from guatu.orgs.services import check_manages, is_acting

USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "org_unit",
    "role",
    "leader",
    "is_active",
    "is_staff",
    "is_superuser",
]


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    org_unit: OrgUnit,
    role: str,
    leader: Leader | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    is_active: bool = True,
    check_password: bool = True,
    must_change_password: bool = False,
    by=None,
) -> User:
    """A user of one org unit with one role; a leader-role user reads the projects of a linked leader.
    `password=None` makes an account that cannot log in (for system accounts such as a data loader);
    `must_change_password`: the password was given by an administrator, the user chooses their own."""
    check_manages(by, org_unit)
    _check_role_grant(by, role, None)
    errors = _check_unit_and_leader(org_unit, role, leader, by)
    username = username.strip()
    if not username:
        errors["username"] = _("Give a username.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("The username %(name)s is taken.") % {"name": username}
    user = User(
        date_joined=clock.now(),
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        org_unit=org_unit,
        role=role,
        leader=leader,
        is_active=is_active,
        must_change_password=must_change_password and password is not None,
        # The password's age runs on the real clock (signin.password_expired), whatever day a loader acts on:
        # the demo's users, made "on" 2022-01-10, were otherwise told at once that their password had expired.
        password_changed_at=timezone.now() if password is not None else None,
    )
    if password is not None and check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    events.user_created(user, after=snapshot(user, USER_FIELDS), by=by)
    return user


@transaction.atomic
def user_save_edited(*, user: User, by) -> User:
    """Save a user whose fields a form has set directly (the admin's user pages) and audit it: a new user as
    created, an existing one with what changed. Who someone is and what they may see (unit, role, superuser
    status) changes only with an audit event saying who changed it."""
    if user.pk is None:
        user.save()
        events.user_created(user, after=snapshot(user, USER_FIELDS), by=by)
        return user
    stored = User.objects.select_for_update().get(pk=user.pk)
    before, after = changes(snapshot(stored, USER_FIELDS), snapshot(user, USER_FIELDS))
    if after:
        user.version = stored.version + 1
    user.save()
    if after:
        events.user_changed(user, before=before, after=after, by=by)
    if after.get("is_active") is False:
        end_sessions(user)
    return user


def user_access_recorded(user: User) -> dict[str, list[str]]:
    """A user's groups and individual permissions by name, as their audit events record them."""
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


@transaction.atomic
def user_access_saved(*, user: User, before: dict[str, list[str]], by) -> None:
    """Audit a change of groups or permissions that a form (the admin's user pages) has just saved."""
    old, new = changes(before, user_access_recorded(user))
    if new:
        events.user_access_changed(user, before=old, after=new, by=by)


# --- the administrators' user pages


def _check_unit_and_leader(
    org_unit: OrgUnit | None, role: str, leader: Leader | None, by, *, user: User | None = None
) -> dict:
    """What is wrong with giving `user` (None: a new user) this unit, role and leader link."""
    errors: dict = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role %(role)s.") % {"role": role}
    if role == Role.LEADER and leader is None:
        errors["leader"] = _("A user with the leader role must be linked to a leader.")
    if (
        leader is not None
        and role == Role.LEADER
        and User.objects.filter(leader=leader).exclude(pk=user.pk if user else None).exists()
    ):
        errors["leader"] = _("%(leader)s is already linked to another user.") % {"leader": leader}
    if is_acting(by):
        if org_unit is None:
            errors["org_unit"] = _("Choose the user's unit.")
        elif org_unit.is_closed:
            errors["org_unit"] = _("%(unit)s is closed: reopen it first.") % {"unit": org_unit.name}
        if leader is not None:
            check_manages(by, leader.org_unit)
    return errors


def _check_manages_account(by, user: User, *units: OrgUnit | None) -> None:
    """The city administrator manages the accounts of their jurisdiction (and the units they move them to),
    but not a superuser's, nor a security or audit administrator's: those are the security administrator's
    (三员), lest the system administrator give themselves the auditor's password."""
    check_manages(by, user.org_unit, *units)
    if not is_acting(by) or by.is_superuser:
        return
    if user.is_superuser:
        raise PermissionDenied(_("Only a superuser changes a superuser."))
    if user.role in OVERSIGHT_ROLES:
        raise PermissionDenied(
            _("Only the security administrator changes a security or audit administrator's account.")
        )


def grantable_roles(by, user: User | None = None) -> list[str]:
    """The roles `by` may give `user` (None: a new user) on the user pages. The city administrator gives the
    working roles and leaves an administrator's role as it is: the administrator roles (ADMINISTRATOR_ROLES)
    are granted and taken away by the security administrator alone (user_role_set)."""
    if not is_acting(by) or by.is_superuser:
        return list(Role.values)
    if user is not None and user.role in ADMINISTRATOR_ROLES:
        return [user.role]
    return [role for role in Role.values if role not in ADMINISTRATOR_ROLES]


def _check_role_grant(by, role: str, user: User | None) -> None:
    if role not in grantable_roles(by, user):
        raise PermissionDenied(
            _("Only the security administrator grants or takes away an administrator role.")
        )


def _locked(user: User) -> User:
    return User.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=user.pk)


def end_sessions(user: User) -> int:
    """Log the user out everywhere: delete their sessions from the session store."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=clock.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_update(
    *,
    user: User,
    expected_version,
    org_unit: OrgUnit | None,
    role: str,
    leader: Leader | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    by,
) -> User:
    """Change a user's details, unit, role or leader link."""
    user = _locked(user)
    _check_manages_account(by, user, org_unit)
    _check_role_grant(by, role, user)
    check_version(user, expected_version)
    errors = _check_unit_and_leader(org_unit, role, leader, by, user=user)
    if errors:
        raise ValidationError(errors)
    stored = snapshot(user, USER_FIELDS)
    user.org_unit, user.role, user.leader = org_unit, role, leader if role == Role.LEADER else None
    user.first_name, user.last_name, user.email, user.phone = first_name, last_name, email, phone
    before, after = changes(stored, snapshot(user, USER_FIELDS))
    if not after:
        return user
    user.version += 1
    user.save(
        update_fields=["org_unit", "role", "leader", "first_name", "last_name", "email", "phone", "version"]
    )
    events.user_changed(user, before=before, after=after, by=by)
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, expected_version, by) -> User:
    """Disable a user (they can no longer log in, their sessions end) or enable them again."""
    user = _locked(user)
    _check_manages_account(by, user)
    check_version(user, expected_version)
    if by is not None and by.pk == user.pk and not is_active:
        raise ValidationError(_("You cannot disable your own account."))
    if user.is_active == is_active:
        return user
    if is_active and user.org_unit is not None and user.org_unit.is_closed:
        raise ValidationError(_("%(unit)s is closed: reopen it first.") % {"unit": user.org_unit.name})
    user.is_active = is_active
    user.version += 1
    user.save(update_fields=["is_active", "version"])
    events.user_changed(user, before={"is_active": not is_active}, after={"is_active": is_active}, by=by)
    if not is_active:
        end_sessions(user)
    return user


@transaction.atomic
def user_password_reset(*, user: User, password: str, expected_version, by) -> User:
    """An administrator gives the user a temporary password: the user must choose their own at next login.
    Their open sessions end."""
    user = _locked(user)
    _check_manages_account(by, user)
    check_version(user, expected_version)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.must_change_password = True
    user.version += 1
    user.save(update_fields=["password", "must_change_password", "version"])
    events.user_password_reset(user, by=by)
    end_sessions(user)
    return user


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user chooses a new password, proving the old one; it clears "must change at next login"."""
    user = _locked(user)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password was entered incorrectly.")})
    if new_password == old_password:
        raise ValidationError({"new_password": _("Choose a password different from the current one.")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()  # the real clock, as the password's age is measured (signin)
    user.version += 1
    user.save(update_fields=["password", "must_change_password", "password_changed_at", "version"])
    events.user_password_changed(user, by=user)
    return user


# --- two-factor sign-in (the rules: guatu.accounts.two_factor)


@transaction.atomic
def otp_device_pending(*, user: User) -> TOTPDevice:
    """The device a user is setting up: unconfirmed, its secret kept until a first right code confirms it (so
    that reloading the set-up page shows the same QR code). Refused once the user has a confirmed device: only
    an administrator's reset makes room for another."""
    user = _locked(user)
    if two_factor.has_device(user):
        raise ValidationError(_("Two-factor authentication is already set up for this account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=two_factor.DEVICE_NAME, confirmed=False)


@transaction.atomic
def otp_enrol(*, user: User, token: str) -> two_factor.CodeCheck:
    """Confirm the device being set up with a first code from the app; audited either way."""
    user = _locked(user)
    if two_factor.has_device(user):
        raise ValidationError(_("Two-factor authentication is already set up for this account."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError(_("Reload the page: the set-up has ended."))
    check = _check_code(user, device, token)
    if check.ok:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        events.otp_enrolled(user)
    return check


@transaction.atomic
def otp_verify(*, user: User, token: str) -> two_factor.CodeCheck:
    """A code after the password, checked against the user's device; audited either way."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise ValidationError(_("Two-factor authentication is not set up for this account."))
    check = _check_code(user, device, token)
    if check.ok:
        events.otp_verified(user)
    return check


def _check_code(user: User, device: TOTPDevice, token: str) -> two_factor.CodeCheck:
    """The sign-in guard first (a locked name, a throttled address), then the device's own throttle, then the
    code. A wrong code counts as a failed sign-in (signin.record_failure); a right one clears the count."""
    username, ip = user.get_username(), current_ip()
    refused = signin.refusal(username, ip)
    if refused is not None:
        check = two_factor.CodeCheck(locked=refused == signin.LOCKED, throttled=refused == signin.THROTTLED)
    elif wait := two_factor.device_wait(device):
        check = two_factor.CodeCheck(wait_seconds=wait)
    elif device.verify_token(token):  # moves the device's last step on, or counts a failure on it
        signin.record_success(username)
        return two_factor.CodeCheck(device=device)
    else:
        check = two_factor.CodeCheck(locked=signin.record_failure(username, ip))
    events.otp_failed(user, reason=two_factor.refusal_message(check))
    return check


@transaction.atomic
def otp_device_reset(*, user: User, expected_version, by) -> User:
    """The security administrator removes a user's two-factor device (a lost phone): the user's sessions end,
    and they set up a new one at their next sign-in."""
    user = _locked(user)
    _check_secures(by, user)
    check_version(user, expected_version)
    if not two_factor.has_device(user):
        raise ValidationError(
            _("%(name)s has not set up two-factor authentication.") % {"name": user.username}
        )
    TOTPDevice.objects.filter(user=user).delete()
    user.version += 1
    user.save(update_fields=["version"])
    events.otp_reset(user, by=by)
    end_sessions(user)
    return user


# --- the security administrator's (三员): roles, locks, two-factor devices


def _check_secures(by, user: User) -> None:
    """The actor is the security administrator of the user's jurisdiction (or a superuser), and not acting on
    their own account."""
    from guatu.access import gateway

    if not is_acting(by):
        return
    if not gateway.can_manage_security(by) or not gateway.securable_users(by).filter(pk=user.pk).exists():
        raise PermissionDenied(_("Only the security administrator of this jurisdiction does this."))
    if user.pk == by.pk:
        raise PermissionDenied(_("Nobody changes their own role or security settings."))
    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied(_("Only a superuser changes a superuser."))


@transaction.atomic
def user_role_set(
    *, user: User, role: str, leader: Leader | None = None, expected_version, reason: str, by
) -> User:
    """The security administrator changes a user's role, administrator roles included, with the reason; the
    user's sessions end so that the new role applies from their next sign-in."""
    from guatu.access import gateway

    user = _locked(user)
    _check_secures(by, user)
    check_version(user, expected_version)
    errors = _check_unit_and_leader(user.org_unit, role, leader, None, user=user)
    if leader is not None and not leader.org_unit.path.startswith(gateway.jurisdiction(user.org_unit).path):
        errors["leader"] = _("Pick a leader from the list.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the change.")
    if errors:
        raise ValidationError(errors)
    stored = snapshot(user, USER_FIELDS)
    user.role, user.leader = role, leader if role == Role.LEADER else None
    before, after = changes(stored, snapshot(user, USER_FIELDS))
    if not after:
        return user
    user.version += 1
    user.save(update_fields=["role", "leader", "version"])
    events.user_role_granted(user, before=before, after=after, by=by, reason=reason.strip())
    end_sessions(user)
    return user


@transaction.atomic
def login_unlock(*, user: User, by) -> User:
    """The security administrator lifts the lock on a user's name before it expires (the user called to say it
    was them); their failures no longer count."""
    _check_secures(by, user)
    key = signin.name_key(user.username)
    until = signin.locked_until(key)
    if until is None:
        raise ValidationError(_("%(name)s is not locked.") % {"name": user.username})
    signin.record_success(key)
    events.sign_in_unlocked(user, until=until, by=by)
    return user


def users_disable_idle(*, days: int, dry_run: bool = False) -> list[User]:
    """Disable every active account with a usable password not signed in for `days` days (or, never signed in,
    made that long ago): audited one by one with the reason, their sessions ended. The rule of idleness is
    guatu.accounts.signin.idle_accounts; `guatu users disable-idle` runs this daily."""
    found = list(signin.idle_accounts(days))
    if dry_run:
        return found
    reason = _("Not signed in for %(days)s days: disabled automatically.") % {"days": days}
    for user in found:
        with transaction.atomic():
            user = _locked(user)
            if not user.is_active:
                continue
            user.is_active = False
            user.version += 1
            user.save(update_fields=["is_active", "version"])
            events.user_changed(
                user, before={"is_active": True}, after={"is_active": False}, by=None, reason=reason
            )
        end_sessions(user)
    return found
