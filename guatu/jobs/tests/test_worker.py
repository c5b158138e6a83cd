"""The queue works with the real `guatu db_worker` command, on whichever database the suite runs on
(`make test` runs it on SQLite and on PostgreSQL)."""

import signal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from guatu.jobs.models import JobStatus
from guatu.jobs.services import job_start
from guatu.jobs.testing import inside_test_transaction
from guatu.jobs.tests import kinds  # noqa: F401  (registers the test kinds)

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_db_worker_runs_the_queued_jobs_in_one_pass(
    world, django_capture_on_commit_callbacks, keep_signal_handlers
):
    with django_capture_on_commit_callbacks(execute=True):
        first = job_start(
            kind="test-steps", params={"period": "2022-03"}, unit=world.city, by=world.city_admin
        )
        second = job_start(kind="test-broken", params={}, unit=world.town_a, by=world.reporter)
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    with inside_test_transaction():
        call_command(
            "db_worker", "--batch", "--max-tasks", "1", "--no-startup-delay", "--no-reload", verbosity=0
        )
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (JobStatus.DONE, JobStatus.QUEUED)  # one task, as asked

    with inside_test_transaction():
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0
        )
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (JobStatus.DONE, JobStatus.FAILED)
    assert first.file.read().decode() == "冷水江市：2022-03"
    assert not DBTaskResult.objects.filter(status="READY").exists()
