"""The demo is loaded once for the demo's tests (it takes a few seconds) and deleted after them. Each test runs
in a transaction that is rolled back, so tests that reload or delete leave the loaded demo as it was."""

import pytest

from guatu.demo.loader import delete_demo, demo_root
from guatu.demo.testing import demo_loaded


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once (DEBUG is off under pytest, so without the demo logins)."""
    # No assertion on how long loading takes (that is `make bench`'s job), and the clean-up runs whatever
    # happens between loading and the end of the package: the demo's rows never outlive its tests.
    with django_db_blocker.unblock():
        try:
            yield demo_loaded()
        finally:
            delete_demo()


@pytest.fixture
def root(demo_output):
    return demo_root()
