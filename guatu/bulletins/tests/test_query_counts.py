"""Query count pinned: the bulletin's content costs the same number of queries for a county with two projects,
one overdue problem and one overdue order as for one with more of each (every table row comes with its
query, none with a query of its own)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guatu.bulletins.content import bulletin_content
from guatu.dispatch.services import problem_raise_and_assign, supervision_issue
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db
MARCH = Period(2022, 3)
EARLIER = datetime(2022, 4, 1, 9, tzinfo=UTC)
OVERDUE = date(2022, 4, 20)  # four days before the bulletin's day


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2022, 4, 24, 10, tzinfo=UTC), tick=False):
        yield


def _overdue(w, project, unit, n: int) -> None:
    problem_raise_and_assign(
        project=project,
        description=f"用地报批滞后{n}",
        category="land",
        unit=unit,
        deadline=OVERDUE,
        by=w.reviewer,
        at=EARLIER,
    )
    supervision_issue(
        project=project, addressee=unit, requirement=f"限期完成{n}", deadline=OVERDUE, by=w.reviewer, at=EARLIER
    )


def _queries(w) -> tuple[int, int]:
    """The content's queries, and how many table rows it holds."""
    with CaptureQueriesContext(connection) as queries:
        bulletin = bulletin_content(w.city, MARCH)
    return len(queries), sum(len(table.rows) for table in bulletin.tables())


def test_the_bulletin_content_costs_the_same_queries_whatever_the_number_of_rows(world):
    w = world
    make_report(w.project_a, "2022-01", "100", reporter=w.reporter, reviewer=w.reviewer)
    _overdue(w, w.project_b, w.town_b, 1)
    lights_compute_year(unit=w.city, period=MARCH, at=EARLIER)
    few, few_rows = _queries(w)

    for n in range(4):
        town, reporter = ((w.town_a, w.reporter), (w.town_b, w.outsider))[n % 2]
        # 市本级重点 only: 娄底市重点 keeps its one project, named in the sentence (a query) both times.
        project = make_project(location=town, lead=w.drc if n % 2 else town, tags=[w.county_tag])
        make_report(project, "2022-02", str(50 + 10 * n), reporter=reporter, reviewer=w.reviewer)
        _overdue(w, project, town, n + 2)
    lights_compute_year(unit=w.city, period=MARCH, at=EARLIER)
    many, many_rows = _queries(w)

    assert many_rows > few_rows + 8  # the new projects, problems and orders are in its tables
    assert many == few
