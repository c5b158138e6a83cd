"""The one history renderer: Chinese labels and names, never raw field names or ids, in a fixed number of queries."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from guatu.accounts.services import user_create
from guatu.audit.history import history_rows
from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of, history_of_project
from guatu.projects.services import annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db


def _event(object_type, *, before=None, after=None, action="problem.assign", reason=""):
    return AuditEvent(
        at=timezone.now(),
        action=action,
        object_type=object_type,
        object_id=1,
        before=before or {},
        after=after or {},
        reason=reason,
    )


def _raw_keys(events) -> set[str]:
    return {key for event in events for key in {**event.before, **event.after}}


@time_machine.travel(date(2022, 4, 10))
def test_project_history_is_chinese_with_names_never_field_names_or_ids(world):
    w = world
    make_report(
        w.project_a,
        "2022-03",
        "80",
        reporter=w.dept_reporter,
        status=ReportStatus.RETURNED,
        reviewer=w.reviewer,
    )
    events = list(history_of_project(w.project_a))
    with translation.override("zh-hans"):
        rows = history_rows(events, hide={"project"})

    created = next(row for row in rows if row.action == "创建项目")
    facts = {change.label: change.after for change in created.changes}
    assert facts["所在地"] == "禾青镇"
    assert facts["牵头单位"] == "冷水江市住房和城乡建设局"
    assert facts["责任领导"] == "李建国（副市长）"
    assert facts["项目级别"] == "市本级重点、娄底市重点"
    assert facts["总投资（万元）"] == "50000.00"
    returned = next(row for row in rows if row.action == "退回月报")
    assert returned.subject == "月报 2022-03"
    assert returned.reason == "请补充形象进度"
    assert returned.actor == w.reviewer.display_name
    assert [(c.before, c.after) for c in returned.changes] == [("已报送", "已退回")]

    raw = _raw_keys(events)
    ids = {str(pk) for pk in (w.town_a.pk, w.dept.pk, w.leader.pk, w.project_a.pk)}
    for row in rows:
        for change in row.changes:
            assert change.label not in raw, change
            assert re.search(r"[\u4e00-\u9fff]", change.label), change  # a Chinese label
            assert change.after not in ids and change.before not in ids, change


def test_unchanged_values_are_left_out_and_phasing_reads_as_months(world):
    annual_plan_set(
        project=world.project_a, year=2022, amount=Decimal("1000.00"), months={1: Decimal("1000")}
    )
    with translation.override("en"):
        rows = history_rows(history_of_project(world.project_a), hide={"project"})[::-1]
    latest, first_plan = rows[0], rows[1]
    assert latest.action == "Annual plan set" and latest.subject == "Annual plan 2022"
    # 1000 was written again as 1000.00: only the phasing changed; the year is in the subject.
    assert [(c.label, c.before, c.after) for c in latest.changes] == [
        ("Monthly phasing", "—", "month 1: 1000.00")
    ]
    assert [(c.label, c.before, c.after) for c in first_plan.changes] == [
        ("Annual plan (10k yuan)", None, "1000.00")
    ]


def test_choices_booleans_dates_and_decimals_read_as_a_person_reads_them(world):
    user = user_create(
        username="zhang", password=None, org_unit=world.town_a, role="reviewer", by=world.city_admin
    )
    milestone = _event(
        "milestone",
        before={"planned_date": "2022-03-01", "kind": "start"},
        after={"planned_date": "2022-05-31", "kind": "completion"},
    )
    plan = _event("annualplan", before={"amount": "1000"}, after={"amount": "1000.005"})
    with translation.override("zh-hans"):
        created, moved, amount = history_rows([*history_of(user), milestone, plan])
    facts = {c.label: c.after for c in created.changes}
    assert facts["角色"] == "审核员"
    assert facts["单位"] == "禾青镇"
    assert facts["有效"] == "是"
    assert created.actor == world.city_admin.display_name
    assert {c.label: (c.before, c.after) for c in moved.changes}["计划日期"] == (
        "2022年3月1日",
        "2022年5月31日",
    )
    assert [(c.before, c.after) for c in amount.changes] == [("1000.00", "1000.01")]  # half up, 2 places


def test_a_deleted_row_reads_as_deleted_not_as_its_id(world):
    event = _event("problem", before={"assigned_unit": None}, after={"assigned_unit": 987654})
    with translation.override("zh-hans"):
        (row,) = history_rows([event])
    assert row.changes[0].after == "（已删除）"
    assert row.actor == "系统"


def test_the_event_reason_is_not_repeated_as_a_change(world):
    event = _event(
        "monthlyreport",
        action="report.return",
        before={"status": "submitted", "return_reason": ""},
        after={"status": "returned", "return_reason": "请补充"},
        reason="请补充",
    )
    with translation.override("en"):
        (row,) = history_rows([event])
    assert [c.label for c in row.changes] == ["Status"]


def test_a_page_may_name_actions_and_non_field_keys_itself(world):
    event = _event(
        "rulesetting",
        action="lights.rules_set",
        before={"threshold": 5, "light": "yellow"},
        after={"threshold": 10, "light": "red"},
    )
    (row,) = history_rows(
        [event],
        action_labels={"lights.rules_set": "改"},
        field_labels={"threshold": "阈值", "light": "灯色"},
        field_choices={"light": [("yellow", "黄灯"), ("red", "红灯")]},
    )
    assert row.action == "改"
    assert [(c.label, c.before, c.after) for c in row.changes] == [
        ("阈值", "5", "10"),
        ("灯色", "黄灯", "红灯"),
    ]


def _queries(project) -> int:
    with CaptureQueriesContext(connection) as ctx:
        history_rows(history_of_project(project), hide={"project"})
    return len(ctx.captured_queries)


@time_machine.travel(date(2022, 6, 10))
def test_query_count_does_not_grow_with_events(world):
    w = world
    few = make_project(location=w.town_a, lead=w.dept, leader=w.leader, tags=[w.county_tag])
    make_report(few, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    many = make_project(location=w.town_b, lead=w.drc, leader=w.other_leader, tags=[w.county_tag, w.pref_tag])
    for month in ("2022-01", "2022-02", "2022-03", "2022-04"):
        make_report(many, month, "10", reporter=w.outsider, reviewer=w.reviewer)
    make_report(many, "2022-05", "5", reporter=w.outsider, status=ReportStatus.RETURNED, reviewer=w.reviewer)
    annual_plan_set(
        project=many, year=2022, amount=Decimal("1000"), months={3: Decimal("100"), 12: Decimal("900")}
    )
    assert len(history_of_project(many)) > 3 * len(history_of_project(few))
    # the events; then one query per related model they name: units, leaders, level tags.
    assert _queries(few) == _queries(many) == 4
