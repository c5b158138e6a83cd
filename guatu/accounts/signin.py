"""Who may try to sign in, and what a failure costs: the rules of locking, throttling, session lifetimes and the
password's maximum age, in one place.

- **Locking a user name.** After `GUATU_LOGIN_MAX_FAILURES` failures in a row (within
  `GUATU_LOGIN_LOCK_MINUTES`), the name is locked for `GUATU_LOGIN_LOCK_MINUTES`. A name that matches no user is
  locked the same way, and the messages for an unknown name and a wrong password are the same, so that trying
  does not tell which names exist. Attempts refused while locked are not counted: they do not lengthen the
  lock. A success clears the count.
- **Throttling a client address.** After `GUATU_LOGIN_IP_MAX_FAILURES` failures from one address within
  `GUATU_LOGIN_IP_WINDOW_MINUTES`, that address is refused until the window has moved past them. Both checks
  are one indexed count each, made before the password is hashed: a flood of wrong passwords costs the site
  two small queries per attempt, not a password hash.
- **Sessions** end after `GUATU_SESSION_IDLE_MINUTES` without a request and `GUATU_SESSION_MAX_HOURS` after
  signing in, whatever the activity (`guatu.accounts.middleware.SessionTimeoutMiddleware`).
- **A password's age.** Older than `GUATU_PASSWORD_MAX_AGE_DAYS` (0: no limit), measured from the last change
  through Guatu or else from the account's creation, the user must choose a new one before going on.

Times here are the real clock (`django.utils.timezone.now`), not the app's `guatu.clock`, whose day may be fixed
for the demo: a lock must last its thirty real minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu.accounts.models import LoginFailure, LoginLock, User

USERNAME_MAX = LoginFailure._meta.get_field("username").max_length

LOCKED = "locked"
THROTTLED = "throttled"


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def name_key(username: str | None) -> str:
    """The user name as the lock counts it: trimmed and bounded to its column."""
    return (username or "").strip()[:USERNAME_MAX]


def refusal(username: str | None, ip: str | None, *, now: datetime | None = None) -> str | None:
    """Why this attempt is refused before its password is checked (LOCKED or THROTTLED), or None."""
    now = now or timezone.now()
    if locked_until(username, now=now) is not None:
        return LOCKED
    if ip is not None:
        since = now - timedelta(minutes=_setting("GUATU_LOGIN_IP_WINDOW_MINUTES"))
        if LoginFailure.objects.filter(ip=ip, at__gt=since).count() >= _setting(
            "GUATU_LOGIN_IP_MAX_FAILURES"
        ):
            return THROTTLED
    return None


@transaction.atomic
def record_failure(username: str | None, ip: str | None, *, now: datetime | None = None) -> bool:
    """Count a failed attempt; True when it locks the name."""
    now = now or timezone.now()
    key = name_key(username)
    lock_minutes = _setting("GUATU_LOGIN_LOCK_MINUTES")
    window = timedelta(minutes=max(lock_minutes, _setting("GUATU_LOGIN_IP_WINDOW_MINUTES")))
    LoginFailure.objects.filter(at__lt=now - window).delete()  # no longer counts for anything
    LoginFailure.objects.create(username=key, ip=ip, at=now)
    ended = LoginLock.objects.filter(username=key).values_list("until", flat=True).first()
    since = (
        max(now - timedelta(minutes=lock_minutes), ended) if ended else now - timedelta(minutes=lock_minutes)
    )
    if LoginFailure.objects.filter(username=key, at__gt=since).count() < _setting("GUATU_LOGIN_MAX_FAILURES"):
        return False
    LoginLock.objects.update_or_create(
        username=key, defaults={"until": now + timedelta(minutes=lock_minutes)}
    )
    return True


def locked_until(username: str | None, *, now: datetime | None = None) -> datetime | None:
    """Until when the name is locked, or None."""
    now = now or timezone.now()
    return (
        LoginLock.objects.filter(username=name_key(username), until__gt=now)
        .values_list("until", flat=True)
        .first()
    )


def locked_names(names, *, now: datetime | None = None) -> dict[str, datetime]:
    """Of these user names, the locked ones and until when: one query for a page of users."""
    now = now or timezone.now()
    return dict(
        LoginLock.objects.filter(username__in=list(names), until__gt=now).values_list("username", "until")
    )


def record_success(username: str | None) -> None:
    """A success clears the name's count (its lock, if any, has already expired: a locked name never gets here)."""
    key = name_key(username)
    LoginFailure.objects.filter(username=key).delete()
    LoginLock.objects.filter(username=key).delete()


def refusal_message(reason: str) -> str:
    if reason == THROTTLED:
        return _("Too many failed sign-ins from this address: wait %(minutes)s minutes and try again.") % {
            "minutes": _setting("GUATU_LOGIN_IP_WINDOW_MINUTES")
        }
    return _(
        "Too many failed sign-ins: this account is locked for %(minutes)s minutes. Try again later or ask the "
        "administrator."
    ) % {"minutes": _setting("GUATU_LOGIN_LOCK_MINUTES")}


def password_expired(user: User, *, now: datetime | None = None) -> bool:
    """The password is older than the maximum age (measured from its last change, else the account's creation)."""
    days = _setting("GUATU_PASSWORD_MAX_AGE_DAYS")
    if days <= 0 or not user.has_usable_password():
        return False
    since = user.password_changed_at or user.date_joined
    return since is not None and (now or timezone.now()) - since > timedelta(days=days)


def session_expired(started: float | None, seen: float | None, *, now: float) -> str:
    """ "idle" (no request for longer than the idle limit), "absolute" (signed in longer than the absolute limit)
    or "" (timestamps in seconds)."""
    if seen is not None and now - seen > _setting("GUATU_SESSION_IDLE_MINUTES") * 60:
        return "idle"
    if started is not None and now - started > _setting("GUATU_SESSION_MAX_HOURS") * 3600:
        return "absolute"
    return ""


def must_change_password(user) -> bool:
    return getattr(user, "must_change_password", False) or password_expired(user)


def why_change(user) -> str:
    if getattr(user, "must_change_password", False):
        return _("Change your password before going on: an administrator set it for you.")
    return _("Your password is more than %(days)s days old: choose a new one before going on.") % {
        "days": _setting("GUATU_PASSWORD_MAX_AGE_DAYS")
    }


def idle_accounts(days: int, *, now: datetime | None = None):
    """Active accounts that can sign in and have not for `days` days (never signed in: since they were made)."""
    since = (now or timezone.now()) - timedelta(days=days)
    never = Q(last_login__isnull=True, date_joined__lt=since)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=since) | never)
        .exclude(password__startswith="!")  # an unusable password: a system account that never signs in
        .order_by("username")
    )
