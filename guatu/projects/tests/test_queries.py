"""The named reads: which month is filled in next, when a milestone is overdue, the readable history."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from guatu.lib.periods import Period
from guatu.projects import queries
from guatu.projects.models import Milestone, Project
from guatu.projects.services import annual_plan_set


def _project(start=2021, end=2023):
    return Project(start_year=start, end_year=end)


@pytest.mark.parametrize(
    ("latest", "today", "expected"),
    [
        (None, date(2022, 4, 5), Period(2022, 3)),  # nothing yet: last month, filled in early this month
        (Period(2022, 2), date(2022, 4, 5), Period(2022, 3)),  # the month after the latest report
        (Period(2022, 3), date(2022, 4, 5), Period(2022, 4)),  # this month has begun: it may be filled in
        (Period(2022, 4), date(2022, 4, 5), None),  # next month has not begun
        (Period(2022, 12), date(2023, 1, 3), Period(2023, 1)),
        (Period(2023, 12), date(2024, 2, 1), None),  # past the project's last year
        (None, date(2020, 6, 1), None),  # before the project's first year
        (None, date(2021, 1, 10), Period(2021, 1)),  # not before January of the first year
    ],
)
def test_next_report_period(latest, today, expected):
    assert queries.next_report_period(_project(), latest, today) == expected


@pytest.mark.parametrize(
    ("planned", "actual", "overdue"),
    [
        (date(2022, 3, 1), None, True),
        (date(2022, 5, 1), None, False),
        (date(2022, 4, 10), None, False),  # due today is not yet overdue
        (date(2022, 3, 1), date(2022, 2, 20), False),
        (date(2022, 3, 1), date(2022, 3, 9), True),  # done, but late
    ],
)
def test_milestone_overdue(planned, actual, overdue):
    milestone = Milestone(planned_date=planned, actual_date=actual)
    assert queries.milestone_overdue(milestone, date(2022, 4, 10)) is overdue


@pytest.mark.django_db
def test_history_names_ids_and_hides_unchanged_values(world):
    annual_plan_set(
        project=world.project_a, year=2022, amount=Decimal("1000.00"), months={1: Decimal("1000")}
    )
    with translation.override("en"):
        entries = queries.project_history(world.project_a)
    latest, first_plan, created = entries[0], entries[1], entries[2]
    assert latest.action == "Annual plan set"
    # 1000 was written again as 1000.00: only the phasing changed.
    assert [(c.label, c.before, c.after) for c in latest.changes] == [
        ("Monthly phasing", "—", "month 1: 1000.00")
    ]
    assert [(c.label, c.after) for c in first_plan.changes] == [("Annual plan (10k yuan)", "1000.00")]
    facts = {c.label: c.after for c in created.changes}
    assert facts["Location"] == "禾青镇"
    assert facts["Lead unit"] == "冷水江市住房和城乡建设局"
    assert facts["Responsible leader"] == "李建国（副市长）"
    assert facts["Level tags"] == "市本级重点、娄底市重点"
    assert facts["Stage"] == "Continuing"
    assert "Support units" not in facts  # empty at creation: not listed
