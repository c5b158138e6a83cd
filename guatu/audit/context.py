"""What the audit log records of the request an event happens in: the client's address.

`AuditContextMiddleware` sets it for the length of each request; `audit_record` reads it, so that no service
needs the request passed down to say where a change came from. Outside a request (commands, the worker) it is
None.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

_client_ip: ContextVar[str | None] = ContextVar("guatu_client_ip", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the header a trusted reverse proxy sets
    (settings.GUATU_CLIENT_IP_HEADER, e.g. HTTP_X_REAL_IP behind nginx). None when there is no valid one."""
    if request is None:
        return None
    header = getattr(settings, "GUATU_CLIENT_IP_HEADER", "") or "REMOTE_ADDR"
    value = (request.META.get(header) or request.META.get("REMOTE_ADDR") or "").split(",")[0].strip()
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def current_ip() -> str | None:
    return _client_ip.get()


DENIED = (403, 404)


class AuditContextMiddleware:
    """Keeps the client's address for the request's audit events, and records every refusal a signed-in user
    meets (403, and the 404 the access gateway answers for an object the user may not see, which it does not
    tell apart from one that does not exist) as an `access.denied` event with the method, path and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if response.status_code in DENIED and user is not None and user.is_authenticated:
                from guatu.audit import events  # audit.events imports the services, which import this module

                events.access_denied(user, request.method, request.get_full_path(), response.status_code)
            return response
        finally:
            _client_ip.reset(token)
