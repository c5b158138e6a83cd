"""A page's independent database reads, run side by side on their own connections.

The province's battle map is a handful of passes over 24,000 projects (the tags' totals and curves, the units
below, the lights, the problems), each of which waits on the database and none of which needs another's
result. `together(a, b, c)` runs `a` and `b` on pool threads and `c` in the calling thread, then returns the
three results in order. The database works on both cores (SQLite and psycopg release the GIL while a statement
runs), so on an idle machine the page takes about as long as its longest group of reads rather than the sum.
Under full load it gains nothing and costs little: the same statements are run.

It runs them one after the other instead, in the calling thread, when:
- `GUATU_PARALLEL_READS` is 1 or less (settings; default 2, the calling thread and one pool thread);
- a transaction is open on any of the caller's connections: another connection would not see what it wrote
  (the tests run inside one, so their query counts are those of a single connection);
- the caller is a pool thread itself.

What a pool thread takes from the caller: its context variables (guatu.lib.dbrouter's replica scope) and its
language. Each pool thread keeps its own database connections, closed like a request's when they are broken
or older than `DB_CONN_MAX_AGE`. The reads of one page may so come from a few milliseconds apart, as they do
anyway in autocommit, one statement after the other; the response cache reads the data version before and after
all of them (guatu.lib.response_cache), so a kept answer is still of one version.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import translation

_THREAD_PREFIX = "guatu-reads"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor(size: int) -> ThreadPoolExecutor:
    """The process's pool, made on first use (after gunicorn has forked its workers)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=_THREAD_PREFIX)
        return _pool


def side_by_side() -> bool:
    """Whether together() would run its calls side by side now: not from a pool thread itself (it would wait on
    the pool it occupies), nor with a transaction open."""
    if settings.GUATU_PARALLEL_READS <= 1 or threading.current_thread().name.startswith(_THREAD_PREFIX):
        return False
    return not any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def together(*calls: Callable[[], Any]) -> list[Any]:
    """The results of `calls` (each without arguments), in order; side by side where side_by_side() says so.
    An exception in any call is raised once all of them have finished."""
    if len(calls) < 2 or not side_by_side():
        return [call() for call in calls]
    pool = _executor(settings.GUATU_PARALLEL_READS - 1)
    language = translation.get_language()
    futures: list[Future] = [
        pool.submit(contextvars.copy_context().run, _in_pool_thread, call, language) for call in calls[:-1]
    ]
    try:
        last = calls[-1]()
    finally:
        wait(futures)
    return [future.result() for future in futures] + [last]


def shutdown() -> None:
    """Close every pool thread's database connections, then stop the pool (a later together() makes a new one).
    For tests that ran reads side by side: a PostgreSQL test database cannot be dropped while a pool thread
    still holds a connection to it."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    size = pool._max_workers
    # Each task waits until all have started, so each of the pool's threads takes exactly one.
    barrier = threading.Barrier(size)

    def close_this_threads_connections():
        barrier.wait(timeout=30)
        connections.close_all()

    wait([pool.submit(close_this_threads_connections) for _ in range(size)])
    pool.shutdown(wait=True)


def _in_pool_thread(call: Callable[[], Any], language: str | None) -> Any:
    _tidy_connections()
    _smaller_sqlite_cache()
    try:
        with translation.override(language):
            return call()
    finally:
        _tidy_connections()


def _smaller_sqlite_cache() -> None:
    """A pool thread's SQLite connection keeps a quarter of SQLITE_CACHE_MB of pages: every connection has a page
    cache of its own, and a worker with two pool threads would otherwise hold three full ones."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or connection.connection is not None:
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size=-{max(1, settings.SQLITE_CACHE_MB // 4) * 1024}")


def _tidy_connections() -> None:
    """What Django does for a request's thread at its start and end: close a connection that is broken or has
    lived past CONN_MAX_AGE."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
