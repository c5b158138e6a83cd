"""Four gates every signed-in request passes: the session's time limits, the password's, the second factor's,
then, for the security and audit administrators, the gate that keeps them to their own office's pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guatu.accounts import signin, two_factor
from guatu.accounts.models import Role
from guatu.accounts.receivers import SESSION_SEEN, SESSION_STARTED

# The last-seen time is written at most this often (seconds), so that reading pages does not write the session
# on every request; the idle limit is in minutes, so a minute's slack is immaterial.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Ends a session idle longer than GUATU_SESSION_IDLE_MINUTES or older than GUATU_SESSION_MAX_HOURS (the
    rule: guatu.accounts.signin.session_expired). A page request goes to the login page with a message saying
    why; an API request gets 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = timezone.now().timestamp()
            started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
            if started is None:  # a session from before these limits, or made without the login signal
                session[SESSION_STARTED] = started = now
            expired = signin.session_expired(started, seen, now=now)
            if expired:
                return self._end(request, expired)
            if seen is None or now - seen >= SEEN_RESOLUTION:
                session[SESSION_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, why: str):
        if why == "idle":
            text = _("You were signed out after %(minutes)s minutes without activity: sign in again.") % {
                "minutes": settings.GUATU_SESSION_IDLE_MINUTES
            }
        else:
            text = _("You were signed out: a session lasts at most %(hours)s hours. Sign in again.") % {
                "hours": settings.GUATU_SESSION_MAX_HOURS
            }
        request.guatu_session_timed_out = text  # the audit event's reason (accounts.receivers)
        logout(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Your session has ended: sign in again.")}, status=401)
        messages.info(request, text)
        return redirect_to_login(request.get_full_path())


def _exempt(path: str, *, two_factor_pages: bool = False) -> bool:
    """The pages a user held at a gate may still open: changing the password, logging out, the language switch
    and static files; at the second factor's gate, its own two pages as well."""
    names = ["accounts:password_change", "logout", "set_language"]
    if two_factor_pages:
        names += ["accounts:two_factor_verify", "accounts:two_factor_enrol"]
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path in {reverse(name) for name in names} or path.startswith(static)


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator set, or whose password is older than its maximum age
    (signin.password_expired), is sent to the change-password page from every page but that page itself,
    logging out, the language switch and static files; an API request gets 403 with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and signin.must_change_password(user):
            if not _exempt(request.path_info):
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": signin.why_change(user)}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A user who must give a two-factor code (two_factor.required_for) and has not given one in this session
    (django-otp's OTPMiddleware, before this one, tells) is sent to the code page, or to the set-up page when
    they have no device yet, from every page but those two, the change-password page, logging out, the
    language switch and static files; an API request gets 403 with a message saying why. It comes after the
    password's gate: a user who must change their password does that first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor.required_for(user)  # no query: settings and the role
            and not user.is_verified()
            and not _exempt(request.path_info, two_factor_pages=True)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": two_factor.why_required()}, status=403)
            page = (
                "accounts:two_factor_verify" if two_factor.has_device(user) else "accounts:two_factor_enrol"
            )
            return redirect_to_login(request.get_full_path(), reverse(page))
        return self.get_response(request)


# What a security or audit administrator may open besides the gates' own pages: their office's pages, the first
# named being where the home page takes them.
OVERSIGHT_PAGES = {
    Role.SECURITY_ADMIN: (
        "accounts:security",
        "accounts:security_user",
        "accounts:security_unlock",
        "accounts:security_two_factor_reset",
    ),
    Role.AUDIT_ADMIN: ("audit:log",),
}


class OversightPagesOnlyMiddleware:
    """The security and audit administrators see no business data (三员): every page and API call but their
    office's own, their password, two-factor and sign-out pages is refused with 403 (and so audited), whatever
    the page's own checks would say; the home page takes them to their office. The gateway gives them no
    business rows as well (gateway.scope_unit), so a page missed here still shows nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from guatu.access import gateway

        user = getattr(request, "user", None)
        if (
            user is None
            or not gateway.is_oversight(user)
            or _exempt(request.path_info, two_factor_pages=True)
        ):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)  # a 404 of its own
        office = OVERSIGHT_PAGES[user.role]
        if name == "home":
            return redirect(office[0])
        if name in office or name == "login":
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Your role reads no business data.")}, status=403)
        raise PermissionDenied(_("Your role reads no business data."))
