"""Report services: the workflow, the audit trail, and every bad input refused with nothing written."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of, replay
from guatu.audit.services import snapshot
from guatu.lib.periods import Period
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import (
    AUDITED_FIELDS,
    ReportInput,
    report_approve,
    report_create,
    report_return,
    report_submit,
    report_unlock,
    report_update,
)
from guatu.testing import make_report

pytestmark = pytest.mark.django_db

MARCH = Period(2022, 3)


def _state():
    """Everything a refused write must leave untouched."""
    reports = [snapshot(r, [*AUDITED_FIELDS, "version"]) for r in MonthlyReport.objects.order_by("pk")]
    return reports, AuditEvent.objects.count()


def _message(exc: ValidationError, field: str) -> str:
    return " ".join(str(m) for m in exc.message_dict[field])


def _refused(call, field: str) -> str:
    """Run a write that must fail on `field`, in Chinese; check nothing changed; return the message."""
    before = _state()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        call()
    assert _state() == before, "a refused write changed something"
    message = _message(caught.value, field)
    with translation.override("en"), pytest.raises(ValidationError) as caught_en:
        call()
    assert message != _message(caught_en.value, field), "the message is not translated to Chinese"
    return message


def _label(field: str) -> str:
    with translation.override("zh-hans"):
        return str(MonthlyReport._meta.get_field(field).verbose_name)


def test_workflow_draft_submit_return_resubmit_approve(world):
    w = world
    report = report_create(
        project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("120.5")), by=w.reporter
    )
    assert (report.status, report.version, report.filled_by) == (ReportStatus.DRAFT, 1, w.reporter)
    report = report_submit(report=report, expected_version=report.version, by=w.reporter)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at
    report = report_return(
        report=report, expected_version=report.version, reason="形象进度未填写", by=w.reviewer
    )
    assert (report.status, report.return_reason, report.reviewed_by) == (
        ReportStatus.RETURNED,
        "形象进度未填写",
        w.reviewer,
    )
    report = report_update(
        report=report,
        data=ReportInput(amount=Decimal("120.5"), physical_progress="主体完工"),
        expected_version=report.version,
        by=w.reporter,
    )
    report = report_submit(report=report, expected_version=report.version, by=w.reporter)
    report = report_approve(report=report, expected_version=report.version, by=w.reviewer)
    assert report.status == ReportStatus.APPROVED
    assert not report.is_editable


def test_unlock_needs_a_reason_and_reopens_for_the_reporter(world):
    w = world
    report = make_report(w.project_a, "2022-03", "80", reporter=w.reporter, reviewer=w.reviewer)
    message = _refused(
        lambda: report_unlock(report=report, expected_version=report.version, reason="更正", by=w.reviewer),
        "status",
    )
    assert "市级管理员" in message or "city administrator" in message  # a role above the reviewer's unlocks
    message = _refused(
        lambda: report_unlock(report=report, expected_version=report.version, reason="  ", by=w.city_admin),
        "reason",
    )
    assert message
    report = report_unlock(
        report=report, expected_version=report.version, reason="统计局核减", by=w.city_admin
    )
    assert report.status == ReportStatus.RETURNED
    event = AuditEvent.objects.filter(action="report.unlock").get()
    assert (event.actor, event.reason, event.before["status"], event.after["status"]) == (
        w.city_admin,
        "统计局核减",
        "approved",
        "returned",
    )


def test_audit_replay_gives_the_current_values(world):
    w = world
    report = report_create(
        project=w.project_a,
        period=MARCH,
        data=ReportInput(amount=Decimal("10"), problems="征地"),
        by=w.reporter,
    )
    report = report_update(
        report=report,
        data=ReportInput(amount=Decimal("12.34"), problems="征地"),
        expected_version=1,
        by=w.reporter,
    )
    report = report_submit(report=report, expected_version=report.version, by=w.reporter)
    report = report_return(report=report, expected_version=report.version, reason="请核实金额", by=w.reviewer)
    report = report_update(
        report=report,
        data=ReportInput(
            amount=Decimal("11.00"), statistical_amount=Decimal("9.5"), next_month_plan="基础施工"
        ),
        expected_version=report.version,
        by=w.dept_reporter,
    )
    report = report_submit(report=report, expected_version=report.version, by=w.dept_reporter)
    report = report_approve(report=report, expected_version=report.version, by=w.reviewer)
    report = report_unlock(report=report, expected_version=report.version, reason="更正", by=w.city_admin)

    events = list(history_of(report))
    assert [e.action for e in events] == [
        "report.create",
        "report.update",
        "report.submit",
        "report.return",
        "report.update",
        "report.submit",
        "report.approve",
        "report.unlock",
    ]
    assert all(e.at and e.object_id == report.pk and e.project == w.project_a for e in events)
    assert [e.actor for e in events][-4:] == [w.dept_reporter, w.dept_reporter, w.reviewer, w.city_admin]
    report.refresh_from_db()
    assert replay(events) == snapshot(report, AUDITED_FIELDS)
    # Before values tell what was overwritten.
    assert events[1].before == {"amount": "10.00"} and events[1].after == {"amount": "12.34"}


def test_an_unchanged_save_writes_nothing(world):
    w = world
    report = report_create(
        project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("10")), by=w.reporter
    )
    before = _state()
    report_update(report=report, data=ReportInput(amount=Decimal("10.00")), expected_version=1, by=w.reporter)
    assert _state() == before


@pytest.mark.parametrize(
    ("amount", "statistical", "field", "fragment"),
    [
        (Decimal("-1"), None, "amount", "-1"),
        (Decimal("1.234"), None, "amount", "1.234"),
        (Decimal("10"), Decimal("-0.01"), "statistical_amount", "-0.01"),
        (Decimal("10"), Decimal("0.001"), "statistical_amount", "0.001"),
        (Decimal("1000000000000"), None, "amount", "1000000000000"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(world, amount, statistical, field, fragment):
    w = world
    message = _refused(
        lambda: report_create(
            project=w.project_a,
            period=MARCH,
            data=ReportInput(amount=amount, statistical_amount=statistical),
            by=w.reporter,
        ),
        field,
    )
    assert _label(field) in message and fragment in message


def test_bad_amount_on_update_is_refused(world):
    w = world
    report = report_create(
        project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("10")), by=w.reporter
    )
    message = _refused(
        lambda: report_update(
            report=report, data=ReportInput(amount=Decimal("-5")), expected_version=1, by=w.reporter
        ),
        "amount",
    )
    assert _label("amount") in message


def test_month_outside_the_project_years_is_refused(world):
    w = world  # project_a runs 2021-2023
    message = _refused(
        lambda: report_create(
            project=w.project_a, period=Period(2024, 1), data=ReportInput(amount=Decimal(1)), by=w.reporter
        ),
        "period",
    )
    assert "2024-01" in message and "2021" in message and "2023" in message


@time_machine.travel("2022-03-20 10:00 +0800")
def test_a_month_that_has_not_begun_is_refused(world):
    w = world
    message = _refused(
        lambda: report_create(
            project=w.project_a, period=Period(2022, 4), data=ReportInput(amount=Decimal(1)), by=w.reporter
        ),
        "period",
    )
    assert "2022-04" in message
    # The current month may be reported.
    report_create(project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal(1)), by=w.reporter)


def test_a_second_report_for_the_same_month_is_refused(world):
    w = world
    report_create(project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("10")), by=w.reporter)
    message = _refused(
        lambda: report_create(
            project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("99")), by=w.dept_reporter
        ),
        "period",
    )
    assert w.project_a.name in message and "2022-03" in message
    assert MonthlyReport.objects.get().amount == Decimal("10")


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_editing_a_locked_report_is_refused(world, status):
    w = world
    report = make_report(
        w.project_a, "2022-03", "10", reporter=w.reporter, reviewer=w.reviewer, status=status
    )
    message = _refused(
        lambda: report_update(
            report=report,
            data=ReportInput(amount=Decimal("11")),
            expected_version=report.version,
            by=w.reporter,
        ),
        "status",
    )
    assert message


def test_saving_over_someone_elses_newer_save_is_refused(world):
    w = world
    report = report_create(
        project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("10")), by=w.reporter
    )
    # The department reporter saves first, from a form opened at version 1 …
    report_update(
        report=report, data=ReportInput(amount=Decimal("20")), expected_version=1, by=w.dept_reporter
    )
    # … and the township reporter's save, from the same version, must not overwrite it.
    message = _refused(
        lambda: report_update(
            report=report, data=ReportInput(amount=Decimal("30")), expected_version=1, by=w.reporter
        ),
        "version",
    )
    assert message
    report.refresh_from_db()
    assert report.amount == Decimal("20")


def test_stale_transition_is_refused(world):
    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    _refused(lambda: report_approve(report=report, by=w.reviewer, expected_version=1), "version")


def test_transitions_from_the_wrong_state_are_refused(world):
    w = world
    draft = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.DRAFT)
    _refused(lambda: report_approve(report=draft, expected_version=draft.version, by=w.reviewer), "status")
    _refused(
        lambda: report_return(report=draft, expected_version=draft.version, reason="x", by=w.reviewer),
        "status",
    )
    _refused(
        lambda: report_unlock(report=draft, expected_version=draft.version, reason="x", by=w.city_admin),
        "status",
    )


def test_return_requires_a_reason(world):
    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    _refused(
        lambda: report_return(report=report, expected_version=report.version, reason="", by=w.reviewer),
        "reason",
    )


def test_only_allowed_people_write(world):
    w = world
    with pytest.raises(PermissionDenied):
        report_create(project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal(1)), by=w.outsider)
    with pytest.raises(PermissionDenied):
        report_create(project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal(1)), by=w.viewer)
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        report_approve(report=report, expected_version=report.version, by=w.reporter)
    with pytest.raises(PermissionDenied):
        report_approve(report=report, expected_version=report.version, by=w.leader_user)
    assert MonthlyReport.objects.get().status == ReportStatus.SUBMITTED


def test_returning_a_report_notifies_who_filled_it_in(world):
    from guatu.notifications.models import Notification

    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    report_return(report=report, expected_version=report.version, reason="请补充形象进度", by=w.reviewer)
    note = Notification.objects.get(user=w.reporter)
    assert (note.kind, note.body) == ("report_returned", "请补充形象进度")


def test_who_filled_in_a_report_never_approves_it_whatever_their_role(world):
    """Four eyes: a superuser with the reporter role once created, submitted and approved their own report."""
    from guatu.accounts.models import Role
    from guatu.testing import make_user

    w = world
    boss = make_user("boss", None, Role.REPORTER, is_superuser=True)
    report = report_create(project=w.project_a, period=MARCH, data=ReportInput(amount=Decimal("5")), by=boss)
    report = report_submit(report=report, expected_version=report.version, by=boss)
    before = _state()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        report_approve(report=report, expected_version=report.version, by=boss)
    assert "须由其他人员审核通过" in str(caught.value)
    assert _state() == before
    report = report_approve(report=report, expected_version=report.version, by=w.reviewer)
    assert report.status == ReportStatus.APPROVED


@pytest.mark.parametrize("call", ["submit", "approve", "update"])
def test_a_step_without_the_version_it_was_read_at_is_refused(world, call):
    w = world
    report = make_report(w.project_a, "2022-03", "10", reporter=w.reporter, status=ReportStatus.DRAFT)
    if call == "approve":
        report = report_submit(report=report, expected_version=report.version, by=w.reporter)
    actions = {
        "submit": lambda: report_submit(report=report, expected_version=None, by=w.reporter),
        "approve": lambda: report_approve(report=report, expected_version=None, by=w.reviewer),
        "update": lambda: report_update(
            report=report, data=ReportInput(amount=Decimal("11")), expected_version=None, by=w.reporter
        ),
    }
    assert "版本" in _refused(actions[call], "version")
