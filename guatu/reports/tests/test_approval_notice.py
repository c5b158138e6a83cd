"""An approval tells whoever filled the report in, as a return does (issue 8: notifications were one-sided)."""

import pytest
from django.urls import reverse
from django.utils import translation

from guatu.notifications.models import Notification
from guatu.reports.models import ReportStatus
from guatu.reports.services import report_approve, report_submit, report_unlock
from guatu.testing import make_report

pytestmark = pytest.mark.django_db


def test_approving_a_report_notifies_who_filled_it_in(world):
    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    with translation.override("zh-hans"):
        report_approve(report=report, expected_version=report.version, by=w.reviewer)
    note = Notification.objects.get(user=w.reporter)
    assert note.kind == "report_approved"
    assert w.project_a.name in note.title and "审核通过" in note.title
    assert note.url == reverse("reports:detail", args=[report.pk])
    assert not Notification.objects.exclude(user=w.reporter).exists()


def test_each_approval_is_a_new_notice_and_an_unlock_tells_the_reporter_why(world):
    """Approved, unlocked (it goes back to the reporter, as a return does), submitted and approved again."""
    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, reviewer=w.reviewer)
    report = report_unlock(report=report, reason="金额有误", expected_version=report.version, by=w.city_admin)
    report = report_submit(report=report, expected_version=report.version, by=w.reporter)
    report_approve(report=report, expected_version=report.version, by=w.reviewer)
    notes = Notification.objects.filter(user=w.reporter)
    assert sorted(notes.values_list("kind", flat=True)) == [
        "report_approved",
        "report_approved",
        "report_returned",
    ]
    assert notes.get(kind="report_returned").body == "金额有误"
