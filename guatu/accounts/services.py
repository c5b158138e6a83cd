"""Writes to user accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guatu import clock
from guatu.accounts.models import Role, User
from guatu.audit import events
from guatu.audit.services import changes, snapshot
from guatu.orgs.models import Leader, OrgUnit

USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
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
    by=None,
) -> User:
    """A user of one org unit with one role; a leader-role user reads the projects of a linked leader.
    `password=None` makes an account that cannot log in (for system accounts such as a data loader)."""
    errors = {}
    if User.objects.filter(username=username).exists():
        errors["username"] = _("The username %(name)s is taken.") % {"name": username}
    if role not in Role.values:
        errors["role"] = _("Unknown role %(role)s.") % {"role": role}
    if role == Role.LEADER and leader is None:
        errors["leader"] = _("A user with the leader role must be linked to a leader.")
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
    user.save()
    before, after = changes(snapshot(stored, USER_FIELDS), snapshot(user, USER_FIELDS))
    if after:
        events.user_changed(user, before=before, after=after, by=by)
    return user
