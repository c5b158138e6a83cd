"""Sends a user whose password an administrator set to the change-password page until they choose their own."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Every page but the change-password page itself, logging out, the language switch and static files
    redirects there; an API request gets 403 with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if not self._exempt(request.path_info):
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Change your password before going on: an administrator set it for you.")},
                        status=403,
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (reverse("accounts:password_change"), reverse("logout"), reverse("set_language"))
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in allowed or path.startswith(static)
