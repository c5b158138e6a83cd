"""The demo is loaded once for the demo's tests (it takes a few seconds) and deleted after them. Each test runs
in a transaction that is rolled back, so tests that reload or delete leave the loaded demo as it was."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from guatu.demo.loader import delete_demo, demo_root


def run_demo(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once (DEBUG is off under pytest, so without the demo logins)."""
    with django_db_blocker.unblock():
        started = time.perf_counter()
        output = run_demo()
        seconds = time.perf_counter() - started
        print(f"\ndemo load: {seconds:.2f} s")  # shown with -s
        assert seconds < 30  # ~3-8 s on a quiet machine; generous for a busy CI runner
        yield output
        delete_demo()


@pytest.fixture
def root(demo_output):
    return demo_root()
