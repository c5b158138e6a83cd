"""The list and dashboard pages run as many queries with many rows as with few (issue 12).

Each page is opened by the personas who use it with a small county (3 extra projects, each with approved and
submitted reports, a problem, a supervision order; lights computed), then again after 9 more of each, and the
number of SQL statements of one request (session and user included) must be the same. The numbers with few
rows are pinned too, so that a page that starts reading one more thing per request says so here.

The filter bar's pickers (guatu.web.lookups) are part of it: the pages read nothing for them until a unit,
chain or leader is picked, and the picker's own endpoint answers at most 20 options in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu.dispatch.models import Tier
from guatu.dispatch.services import meeting_create, problem_raise_and_assign, supervision_issue
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

TODAY = date(2022, 4, 24)  # the demo's day: March is the month the pages open on
SCHEDULED = datetime(2022, 4, 1, 9, tzinfo=UTC)
FEW, MORE = 3, 9


@dataclass
class Page:
    label: str
    persona: str
    url: str
    params: dict = field(default_factory=dict)
    htmx: bool = False
    grows: bool = (
        False  # it lists the rows added: its page must get longer (so the comparison means something)
    )


def _pages(w) -> list[Page]:
    picked = {"location": w.town_a.pk, "lead": w.dept.pk, "chain": "", "leader": w.leader.pk}
    typed = {"location": "", "location_name": "禾青"}  # typed, not picked: resolved by name
    projects, lights, problems = (
        reverse("projects:list"),
        reverse("lights:board"),
        reverse("dispatch:problem_list"),
    )
    pages = []
    for persona in ("reviewer", "reporter"):
        pages += [
            Page(f"project list ({persona})", persona, projects, grows=True),
            Page(f"project list, units and leader picked ({persona})", persona, projects, picked, grows=True),
            Page(f"project list, a unit typed ({persona})", persona, projects, typed, grows=True),
            Page(f"project detail ({persona})", persona, reverse("projects:detail", args=[w.project_a.pk])),
            Page(f"investment summary ({persona})", persona, reverse("investment:summary")),
            Page(f"lights ({persona})", persona, lights, grows=True),
            Page(f"lights, a unit picked ({persona})", persona, lights, {"unit": w.town_a.pk}, grows=True),
            Page(f"my work ({persona})", persona, reverse("dispatch:my_work"), grows=persona == "reporter"),
            Page(f"problems ({persona})", persona, problems, grows=True),
            Page(f"supervision orders ({persona})", persona, reverse("dispatch:order_list"), grows=True),
            Page(f"meetings ({persona})", persona, reverse("dispatch:meeting_list"), grows=True),
            Page(f"unit picker ({persona})", persona, reverse("lookup", args=["library-units"])),
        ]
    pages += [
        Page("project list, htmx (reviewer)", "reviewer", projects, htmx=True, grows=True),
        Page("leader picker (reviewer)", "reviewer", reverse("lookup", args=["leaders"]), {"q": "黄"}),
        Page("review queue (reviewer)", "reviewer", reverse("reports:review_queue"), grows=True),
        Page(
            "review queue, a unit picked (reviewer)",
            "reviewer",
            reverse("reports:review_queue"),
            {"unit": w.town_b.pk},
            grows=True,
        ),
        Page(
            "summary, a unit typed (reviewer)",
            "reviewer",
            reverse("investment:summary"),
            {"unit_name": "渣渡"},
        ),
        Page("problems, a unit picked (reviewer)", "reviewer", problems, {"unit": w.dept.pk}, grows=True),
        Page("project list (leader)", "leader", projects, grows=True),
        Page("my work (leader)", "leader", reverse("dispatch:my_work"), grows=True),
        Page("lights (leader)", "leader", lights, grows=True),
    ]
    return pages


# With 3 projects besides the personas' two: the statements one request runs (session, user, the reader's scope
# and the page's own). The same with 9 more is asserted below.
PINNED = {
    "project list (reviewer)": 10,
    "project list, units and leader picked (reviewer)": 13,
    "project list, a unit typed (reviewer)": 12,
    "project detail (reviewer)": 21,
    "investment summary (reviewer)": 10,
    "lights (reviewer)": 10,
    "lights, a unit picked (reviewer)": 12,
    "my work (reviewer)": 7,
    "problems (reviewer)": 7,
    "supervision orders (reviewer)": 7,
    "meetings (reviewer)": 7,
    "unit picker (reviewer)": 5,
    "project list (reporter)": 10,
    "project list, units and leader picked (reporter)": 13,
    "project list, a unit typed (reporter)": 12,
    "project detail (reporter)": 20,
    "investment summary (reporter)": 10,
    "lights (reporter)": 10,
    "lights, a unit picked (reporter)": 11,
    "my work (reporter)": 7,
    "problems (reporter)": 6,
    "supervision orders (reporter)": 6,
    "meetings (reporter)": 7,
    "unit picker (reporter)": 4,
    "project list, htmx (reviewer)": 9,
    "leader picker (reviewer)": 5,
    "review queue (reviewer)": 9,
    "review queue, a unit picked (reviewer)": 10,
    "summary, a unit typed (reviewer)": 13,
    "problems, a unit picked (reviewer)": 8,
    "project list (leader)": 9,
    "my work (leader)": 9,
    "lights (leader)": 9,
}


def _add(w, n: int, *, start: int) -> None:
    """n more projects in the two townships, led by the department, on the county and prefecture lists, each
    with January approved and February submitted, a problem (assigned to its township or the department) and
    an order to its township; project A gets one more month of 2021 each; one more meeting; the lights of
    January-March computed again."""
    for i in range(start, start + n):
        town, reporter = (w.town_a, w.reporter) if i % 2 else (w.town_b, w.outsider)
        project = make_project(
            location=town, lead=w.dept, tags=[w.county_tag, w.pref_tag], leader=w.leader, plan="1000"
        )
        make_report(project, "2022-01", str(10 + i), reporter=reporter, reviewer=w.reviewer)
        make_report(project, "2022-02", "5", reporter=reporter, status=ReportStatus.SUBMITTED)
        problem_raise_and_assign(
            project=project,
            description=f"用地报批滞后{i}",
            category="land",
            unit=w.dept if i % 3 == 2 else town,
            deadline=date(2022, 4, 10 + i % 15),
            tier=Tier.UNIT if i % 2 else Tier.LEADER,
            by=w.reviewer,
            at=SCHEDULED,
        )
        supervision_issue(
            project=project,
            addressee=town,
            requirement="限期完成",
            deadline=date(2022, 5, 1),
            by=w.reviewer,
            at=SCHEDULED,
        )
        make_report(w.project_a, f"2021-{i + 1:02d}", "1", reporter=w.reporter, reviewer=w.reviewer)
    meeting_create(
        tier=Tier.UNIT, date=TODAY, title=f"第{start}次调度会", convenor_unit=w.town_a, by=w.reviewer
    )
    lights_compute_year(unit=w.city, period=Period(2022, 3), at=datetime(2022, 4, 24, 12, tzinfo=UTC))


def _measure(w) -> dict[str, tuple[int, int]]:
    """Each page's (statements, length of the page), each persona in a session of their own."""
    clients = {}
    for persona, user in {"reviewer": w.reviewer, "reporter": w.reporter, "leader": w.leader_user}.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
        clients[persona].get(reverse("home"))  # the session's first request writes to it
    measured = {}
    for page in _pages(w):
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        with CaptureQueriesContext(connection) as queries:
            response = clients[page.persona].get(page.url, page.params, **headers)
        assert response.status_code == 200, page.label
        measured[page.label] = (len(queries), len(response.content))
    return measured


def test_list_and_dashboard_pages_run_as_many_queries_with_more_rows(world, settings):
    settings.GUATU_TODAY = TODAY
    w = world
    _add(w, FEW, start=0)
    few = _measure(w)
    _add(w, MORE, start=FEW)
    more = _measure(w)

    assert {label: queries for label, (queries, _) in few.items()} == PINNED
    grown = {label: (few[label][0], more[label][0]) for label in few if few[label][0] != more[label][0]}
    assert not grown, f"pages whose queries grew with the rows (few, more): {grown}"
    listed = [page.label for page in _pages(w) if page.grows]
    assert all(more[label][1] > few[label][1] for label in listed), "a listing page did not show the new rows"
