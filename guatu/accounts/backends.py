"""Django's model backend behind the sign-in guard: a locked name or a throttled address is refused before the
password is hashed, on every way in (the login page, the admin's login, any `authenticate` call)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from guatu.accounts import signin
from guatu.audit.context import client_ip


class GuardedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            reason = signin.refusal(username, client_ip(request))
            if reason is not None:
                request.guatu_login_refused = reason  # read by the receivers and the login form's message
                raise PermissionDenied(reason)  # ends authenticate(): user_login_failed is sent
        return super().authenticate(request, username=username, password=password, **kwargs)
