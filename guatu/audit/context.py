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


def _size(response) -> int | None:
    if response.has_header("Content-Length"):
        return int(response["Content-Length"])
    return None if response.streaming else len(response.content)


def current_ip() -> str | None:
    return _client_ip.get()


DENIED = (403, 404)


class AuditContextMiddleware:
    """Keeps the client's address for the request's audit events, and records for a signed-in user:
    - every refusal they meet (403, and the 404 the access gateway answers for an object the user may not see,
      which it does not tell apart from one that does not exist): `access.denied`, with the method, path and
      status;
    - every file they take away (any response sent as an attachment: the lists' Excel exports, bulletins and
      meeting papers, background-job files, evidence and milestone attachments, rule and scheme files):
      `file.download`, with the path and the file's name and size. One place, so that a new export is audited
      without anyone remembering to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from guatu.audit import events  # audit.events imports the services, which import this module

                if response.status_code in DENIED:
                    events.access_denied(user, request.method, request.get_full_path(), response.status_code)
                elif response.status_code == 200 and response.has_header("Content-Disposition"):
                    events.file_downloaded(
                        user, request.get_full_path(), response["Content-Disposition"], _size(response)
                    )
            return response
        finally:
            _client_ip.reset(token)
