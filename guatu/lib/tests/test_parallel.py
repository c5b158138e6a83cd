"""guatu.lib.parallel: independent reads side by side outside a transaction, one after the other inside one;
and the battle map the same either way."""

import threading
from contextvars import ContextVar

import pytest
from django.db import connection, transaction
from django.utils import translation

from guatu.battlemap.api import payload
from guatu.lib import parallel
from guatu.lib.periods import Period
from guatu.projects.models import Project
from guatu.testing import make_report, make_world

_marker: ContextVar[str] = ContextVar("marker", default="unset")


@pytest.fixture
def pool(settings):
    """Reads side by side, as in production (conftest closes the pool's connections after each test)."""
    settings.GUATU_PARALLEL_READS = 3


def _where():
    return threading.current_thread().name, translation.get_language(), _marker.get(), Project.objects.count()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_calls_run_side_by_side_with_the_callers_language_and_context(pool):
    token = _marker.set("from the caller")
    try:
        with translation.override("en"):
            results = parallel.together(_where, _where, _where)
    finally:
        _marker.reset(token)
    threads = [name for name, *_rest in results]
    assert threads[-1] == threading.current_thread().name
    assert all(name.startswith("guatu-reads") for name in threads[:-1])
    assert {tuple(rest) for _name, *rest in results} == {("en", "from the caller", 0)}


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_they_run_one_after_the_other_and_see_its_writes(pool):
    world = make_world()
    with transaction.atomic():
        Project.objects.filter(pk=world.project_a.pk).delete()
        results = parallel.together(_where, _where)
    here = threading.current_thread().name
    assert [name for name, *_rest in results] == [here, here]
    assert {count for *_rest, count in results} == {1}


@pytest.mark.django_db(transaction=True)
def test_a_call_made_from_a_pool_thread_runs_its_own_calls_in_that_thread(pool):
    """Nested, it would wait on the pool it occupies."""

    def nested():
        return threading.current_thread().name, [name for name, *_rest in parallel.together(_where, _where)]

    (outer, inner), _last = parallel.together(nested, _where)
    assert outer.startswith("guatu-reads")
    assert inner == [outer, outer]


@pytest.mark.django_db(transaction=True)
def test_an_error_is_raised_once_every_call_has_finished(pool):
    finished = []

    def slow():
        threading.Event().wait(0.2)
        finished.append("slow")
        return 1

    def failing():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        parallel.together(slow, failing)
    assert finished == ["slow"]


@pytest.mark.django_db(transaction=True)
def test_the_battle_map_is_the_same_side_by_side_and_one_after_the_other(pool, settings):
    world = make_world()
    make_report(world.project_a, "2022-02", "50.50", reporter=world.dept_reporter, reviewer=world.reviewer)
    make_report(world.project_b, "2022-03", "12.34", reporter=world.outsider, reviewer=world.reviewer)
    period = Period.parse("2022-03")
    for user, unit in ((world.city_admin, world.city), (world.leader_user, world.city), (world.reporter, world.town_a)):
        assert parallel.side_by_side()
        together = payload(user, unit, period)
        settings.GUATU_PARALLEL_READS = 1
        assert not parallel.side_by_side()
        assert payload(user, unit, period) == together
        settings.GUATU_PARALLEL_READS = 3
    assert not connection.in_atomic_block
