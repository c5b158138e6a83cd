"""Keeping a read-only answer for the same reader and the same data: the dashboards' JSON (the investment summary,
the battle map) is asked for again and again between two writes, by leaders who refresh it and by pages that poll.

An answer is kept under a key made of:
- the request's path and query string;
- the user (never shared between users, so what one may see never reaches another);
- the language and the day (guatu.clock: "due this week", default months);
- the data version (guatu.lib.data_version), which the database changes on every write to the data;
- the code's own fingerprint, so that a new release never serves an old release's answers from a shared Redis.

The data version is read before the answer is computed and again after it. The answer is kept only if both
reads agree, because then no write was committed in between and the answer belongs to that version. A write
therefore never leaves a stale answer behind: the next request has a new version and computes afresh. Nothing
needs the cache to be right (settings.CACHES): an empty or lost cache costs only time.

Only a 200 answer to a signed-in GET is kept. A request with `Cache-Control: no-cache` computes afresh and keeps
the new answer (`make bench` uses it to time the work itself). `RESPONSE_CACHE_SECONDS` (default 600; 0 turns the
cache off) bounds how long an answer is kept. Every answer says `X-Guatu-Cache: hit` or `miss`.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from guatu import clock
from guatu.lib import data_version
from guatu.lib.dbrouter import PRIMARY, REPLICA, reading_from_replica

HEADER = "X-Guatu-Cache"


@functools.cache
def code_fingerprint() -> str:
    """The package's code, templates and translations, hashed once a process: a new release, a new value, the
    same on every app server that runs the same release (so that they share a Redis cache)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and "tests" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _read_alias() -> str:
    """Where the view's reads go (guatu.lib.dbrouter): the version must come from the same database."""
    return REPLICA if reading_from_replica() else PRIMARY


def _key(request, version: str) -> str:
    parts = (
        code_fingerprint(),
        request.get_full_path(),
        str(request.user.pk),
        translation.get_language() or "",
        clock.today().isoformat(),
        version,
    )
    return "guatu:response:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_response(view):
    """Keep `view`'s answers as described above. On a django-ninja operation, inside `replica_reads`:
    `@decorate_view(cached_response, replica_reads)` (ninja applies them in that order, the last outermost)."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.RESPONSE_CACHE_SECONDS
        user = getattr(request, "user", None)
        if request.method != "GET" or not seconds or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        alias = _read_alias()
        before = data_version.current(alias)
        if before is None:
            return view(request, *args, **kwargs)
        key = _key(request, before)
        fresh = "no-cache" in request.headers.get("Cache-Control", "")
        kept = None if fresh else cache.get(key)
        if kept is not None:
            content_type, content = kept
            response = HttpResponse(content, content_type=content_type)
            response[HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not getattr(response, "streaming", False)
            and data_version.current(alias) == before
        ):
            cache.set(key, (response["Content-Type"], response.content), seconds)
        response[HEADER] = "miss"
        return response

    return wrapped
