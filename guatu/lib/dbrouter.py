"""Reads from a PostgreSQL streaming replica, where it is safe (docs/scaling.md).

Only with `DATABASE_REPLICA_URL` set do the settings add the `replica` alias, this router and
`ReplicaPinMiddleware`; without it nothing here is used and every query goes to the one database.

The rules, in order:

1. Every write goes to `default` (the primary). The standby refuses writes anyway (read-only transactions).
2. A read goes to `replica` only inside a "replica reads" scope: a view decorated with `replica_reads` (the
   dashboards, lists and API GETs that show figures), or code inside `using_replica()`. Everything else reads
   from `default`: a page that is not marked is never served stale data by accident.
3. Inside a scope, these still read from `default`:
   - the apps in `PRIMARY_ONLY_APPS`: sessions (the session row may have been written by this very request),
     users and permissions (`auth`, `accounts`, the two-factor devices), the audit log (its hash chain is
     appended to under a lock) and `web` (one-time form tokens, recorded just before the view runs);
   - any read made while a transaction is open on `default`: it may depend on what that transaction wrote.
4. Read-after-write: a request with an unsafe method (POST, PUT, PATCH, DELETE) never reads from the replica,
   and `ReplicaPinMiddleware` gives its answer a signed cookie that pins the browser's following requests to
   the primary for `REPLICA_PIN_SECONDS` (default 5): the user sees what they just saved even while the
   standby is a moment behind. Other users may see it a moment later, once the standby has replayed it.
5. When the replica cannot be reached, a scope reads from the primary (and says so in the log), so a lost
   standby slows the dashboards down instead of breaking them.

Migrations run on `default` only; the standby receives them through replication.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "guatu_primary"
_PIN_SALT = "guatu.lib.dbrouter.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# App labels whose rows are always read from the primary (rule 3 above).
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "django_otp", "otp_totp", "audit", "web"})

_replica_scope: ContextVar[bool] = ContextVar("guatu_replica_scope", default=False)
_pinned: ContextVar[bool] = ContextVar("guatu_replica_pinned", default=False)

logger = logging.getLogger(__name__)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_reachable() -> bool:
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        logger.warning("the read replica cannot be reached: reading from the primary", exc_info=True)
        return False
    return True


@contextmanager
def using_replica() -> Iterator[bool]:
    """Reads inside the block may go to the replica (rules above). Yields whether they will: not when no
    replica is configured, the request is pinned to the primary, or the replica cannot be reached."""
    if not replica_configured() or _pinned.get() or not _replica_reachable():
        yield False
        return
    token = _replica_scope.set(True)
    try:
        yield True
    finally:
        _replica_scope.reset(token)


def replica_reads(view):
    """A view whose reads may be served by the replica: for pages and endpoints that only show data.

    On a Django view: `@replica_reads` below `@login_required`. On a django-ninja operation, use ninja's
    `@decorate_view(replica_reads)` below `@router.get(...)`: it wraps ninja's own request handler, so the
    operation's signature (and the string annotations of a module with `from __future__ import annotations`,
    which ninja resolves in the operation's own module) stay as they are."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with using_replica():
            return view(request, *args, **kwargs)

    return wrapped


def reading_from_replica() -> bool:
    """Whether a read made now, of a table outside PRIMARY_ONLY_APPS, would go to the replica."""
    return _replica_scope.get() and not _pinned.get() and not connections[PRIMARY].in_atomic_block


class ReplicaRouter:
    """DATABASE_ROUTERS entry, installed with DATABASE_REPLICA_URL (guatu/settings.py)."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS or not reading_from_replica():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaPinMiddleware:
    """Read-after-write (rule 4): an unsafe request is pinned to the primary, and its answer carries a signed
    cookie that pins the same browser's requests for REPLICA_PIN_SECONDS. The cookie holds nothing but its
    signature and time; a forged or expired one is ignored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unsafe = request.method not in SAFE_METHODS
        seconds = settings.REPLICA_PIN_SECONDS
        pinned = unsafe or bool(
            request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=seconds)
        )
        token = _pinned.set(pinned)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if unsafe and seconds > 0:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
