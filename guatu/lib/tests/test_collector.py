"""guatu.lib.collector: the young generation's threshold from the settings, and everything the process holds frozen
once it has served its first request (and only then)."""

import gc

import pytest
from django.core.signals import request_finished

from guatu.lib import collector


@pytest.fixture
def collector_state():
    threshold = gc.get_threshold()
    try:
        gc.unfreeze()
        yield
    finally:
        request_finished.disconnect(dispatch_uid=collector._UID)
        gc.set_threshold(*threshold)
        gc.freeze()  # as the suite's process was: frozen after its first request


def test_the_threshold_is_set_and_the_first_request_freezes(client, collector_state):
    collector.tune(12_345)
    assert gc.get_threshold()[0] == 12_345
    assert gc.get_freeze_count() == 0
    assert client.get("/accounts/login/").status_code == 200
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules, URL patterns and templates of the process
    gc.unfreeze()
    client.get("/accounts/login/")
    assert gc.get_freeze_count() == 0  # once only: the second request froze nothing


def test_zero_leaves_the_collector_as_it_is(client, collector_state):
    gc.set_threshold(700, 10, 10)
    collector.tune(0)
    client.get("/accounts/login/")
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
