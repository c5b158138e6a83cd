"""Running the job queue in tests, with the real django-tasks-db worker over the real queue.

- `run_queued_jobs()`: in a test with the `db` fixture, run every queued task now, in this thread (the job
  must have been queued: wrap `job_start` in `django_capture_on_commit_callbacks(execute=True)`).
- `run_jobs_in_background()`: for browser tests (`live_server`, `transaction=True`), a worker thread that
  takes tasks as they come, as `guatu db_worker` does beside the server, until the block ends.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from unittest import mock

from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker


def _worker(*, batch: bool, interval: float = 0.05) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"test-{get_random_string(8)}",
        excluded_queue_names=[],
    )


@contextmanager
def inside_test_transaction():
    """Keep the worker from closing the test's connection: its loop calls close_old_connections(), which
    closes a connection whose autocommit is off, as it is inside pytest-django's test transaction (on
    PostgreSQL; SQLite's in-memory database ignores it). Django's test client does the same for requests."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        yield


def run_queued_jobs() -> None:
    """Run every task on the queue, then return (the worker's --batch mode)."""
    with inside_test_transaction():
        _worker(batch=True).run()


@contextmanager
def run_jobs_in_background():
    """A worker thread beside the live server for the duration of the block."""
    worker = _worker(batch=False)
    # SQLite's in-memory test database lives in one connection that pytest-django's live server already
    # shares across threads; the worker thread uses it too (as the live server thread does). On PostgreSQL
    # the thread opens a connection of its own to the test database.
    shared = connections["default"]
    in_memory = shared.vendor == "sqlite" and shared.is_in_memory_db()
    if in_memory:
        shared.inc_thread_sharing()
    failures: list[BaseException] = []

    def run() -> None:
        if in_memory:
            connections["default"] = shared
        try:
            worker.run()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)
        finally:
            if not in_memory:
                connections.close_all()

    thread = threading.Thread(target=run, name="guatu-test-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.running = False
        thread.join(timeout=10)
        if in_memory:
            shared.dec_thread_sharing()
    if failures:
        raise failures[0]
