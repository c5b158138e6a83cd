"""The audit trail outlives what it describes."""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from guatu.audit.history import history_rows
from guatu.audit.queries import history_of_project
from guatu.reports.models import ReportStatus
from guatu.testing import make_report

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2022, 4, 10))
def test_deleting_a_project_keeps_its_history_readable(world):
    w = world
    project = w.project_a
    make_report(
        project, "2022-03", "80", reporter=w.dept_reporter, status=ReportStatus.RETURNED, reviewer=w.reviewer
    )
    pk, kept = project.pk, list(history_of_project(project).values_list("pk", flat=True))
    # As the demo's reset does: the reports go first (they protect their project), then the project.
    project.reports.all().delete()
    project.delete()

    events = list(history_of_project(pk))
    assert [event.pk for event in events] == kept
    with translation.override("zh-hans"):
        rows = history_rows(events, hide={"project"})
    assert any(row.action == "创建项目" and row.subject == "项目 禾青镇锑品深加工项目" for row in rows)
    assert any(row.subject == "月报 2022-03" and row.action == "退回月报" for row in rows)
