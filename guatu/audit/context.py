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


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
