"""Indicators Guatu computes from its own data (guatu.assessment.computed)."""

from decimal import Decimal

import pytest
import time_machine

from guatu.assessment.computed import reports_on_time
from guatu.lib.periods import Period
from guatu.lights.services import rules_set
from guatu.reports.models import ReportStatus
from guatu.reports.services import report_approve
from guatu.testing import make_report

pytestmark = pytest.mark.django_db
FEB = Period(2022, 2)


def _report(w, period: str, submitted: str, *, approved: str | None = None, status=ReportStatus.APPROVED):
    """A report of township A's project submitted at `submitted` (local time) and approved at `approved`."""
    with time_machine.travel(f"{submitted} +0800", tick=False):
        report = make_report(w.project_a, period, "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    if status == ReportStatus.APPROVED:
        with time_machine.travel(f"{approved or submitted} +0800", tick=False):
            report = report_approve(report=report, expected_version=report.version, by=w.reviewer)
    return report


def test_reports_on_time_counts_only_reports_submitted_by_the_deadline(world):
    w = world
    # January's report is due by 5 February, February's by 5 March (DOMAIN §2: around the 5th).
    _report(w, "2022-01", "2022-02-04 16:00", approved="2022-02-10 09:00")  # on time, approved later
    _report(w, "2022-02", "2022-03-07 09:00")  # two days late, although approved
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_a_report_submitted_late_on_the_deadline_day_is_on_time(world):
    w = world
    _report(w, "2022-01", "2022-02-05 23:30")
    _report(w, "2022-02", "2022-03-06 00:10")  # ten minutes into the next day
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_an_on_time_report_counts_only_once_approved(world):
    w = world
    _report(w, "2022-01", "2022-02-01 09:00", status=ReportStatus.SUBMITTED)
    _report(w, "2022-02", "2022-03-01 09:00")
    assert reports_on_time(w.town_a, FEB) == Decimal("50.00")


def test_the_deadline_day_is_the_jurisdictions_warning_rule(world):
    """One deadline: the day the lights' "no report by the deadline" rule uses, set per jurisdiction."""
    w = world
    _report(w, "2022-01", "2022-02-04 16:00")
    _report(w, "2022-02", "2022-03-07 09:00")
    rules_set(unit=w.city, rules={"report_deadline_day": 8}, by=w.city_admin)
    assert reports_on_time(w.town_a, FEB) == Decimal("100.00")
    rules_set(unit=w.city, rules={"report_deadline_day": 3}, by=w.city_admin)
    assert reports_on_time(w.town_a, FEB) == Decimal("0.00")


def test_no_report_due_gives_no_value(world):
    w = world
    assert reports_on_time(w.dept, Period(2023, 2)) is None
