"""Signing in and out, counted and audited: Django's auth signals, connected in AccountsConfig.ready."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from guatu.accounts import signin
from guatu.accounts.models import User
from guatu.audit import events
from guatu.audit.context import client_ip

SESSION_STARTED = "guatu_signed_in_at"
SESSION_SEEN = "guatu_seen_at"


def _user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_login_failed, dispatch_uid="guatu.accounts.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    if request is None:  # a check outside a sign-in (a service proving an old password): not an attempt
        return
    username = signin.name_key(credentials.get("username"))
    user = _user_named(username)
    refused = getattr(request, "guatu_login_refused", None)
    if refused:
        events.sign_in_refused(username, refused, user)
        return
    locked_now = signin.record_failure(username, client_ip(request))
    if locked_now:
        request.guatu_login_refused = signin.LOCKED  # this failure locked the name: the form says so now
    events.sign_in_failed(username, user, locked_now=locked_now)


@receiver(user_logged_in, dispatch_uid="guatu.accounts.logged_in")
def logged_in(sender, request, user, **kwargs):
    signin.record_success(user.get_username())
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_SEEN] = now
    events.signed_in(user)


@receiver(user_logged_out, dispatch_uid="guatu.accounts.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        events.signed_out(user, timed_out=getattr(request, "guatu_session_timed_out", ""))
