"""A meeting's decided items (会议议定事项) and its papers: the agenda and the minutes as .docx (issue 9, item 3).

The services are checked for their rules (who, when, bounds, versions, audit); the papers for their content,
first through a recording fake of the OfficialDocument interface, then read back from the real .docx.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.dispatch import papers
from guatu.dispatch.models import MeetingDecision
from guatu.dispatch.services import (
    decision_add,
    decision_remove,
    decision_update,
    meeting_create,
    meeting_record_minutes,
    problem_assign,
    problem_raise,
)
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_project, make_unit, make_user

pytestmark = pytest.mark.django_db

# The meetings here are held on 20 April 2022 and papers are made on the 24th (the demo's day).
TODAY = datetime(2022, 4, 24, 2, tzinfo=UTC)  # 10:00 in the county
HELD = date(2022, 4, 20)


@pytest.fixture(autouse=True)
def on_the_24th():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def meeting(world):
    with time_machine.travel(datetime(2022, 4, 20, 1, tzinfo=UTC), tick=False):
        return meeting_create(
            tier=1,
            date=HELD,
            title="市住建局现场调度会",
            convenor_unit=world.dept,
            attendee_units=[world.town_a],
            attendees=[world.leader],
            by=world.reviewer,
        )


def add(meeting, by, **overrides):
    args = {
        "text": "完成禾青镇锑品深加工项目供电线路迁改",
        "responsible_unit": meeting.convenor_unit,
        "deadline": date(2022, 5, 31),
    }
    args.update(overrides)
    return decision_add(meeting=meeting, by=by, **args)


def counts():
    return MeetingDecision.objects.count(), AuditEvent.objects.count()


# ------------------------------------------------------------------------------------------ services


def test_decisions_are_numbered_in_order_and_audited(world, meeting):
    w = world
    first = add(meeting, w.reviewer, support_units=[w.town_a], project=w.project_a)
    second = add(meeting, w.city_admin, text="研究项目融资方案", responsible_unit=w.drc)
    assert [(d.position, d.text) for d in MeetingDecision.objects.order_by("position")] == [
        (1, "完成禾青镇锑品深加工项目供电线路迁改"),
        (2, "研究项目融资方案"),
    ]
    event = AuditEvent.objects.get(action="meeting.decision_add", object_id=first.pk)
    assert event.project == w.project_a and event.actor == w.reviewer and event.before == {}
    assert event.after["responsible_unit"] == w.dept.pk and event.after["support_units"] == [w.town_a.pk]
    assert event.after["deadline"] == "2022-05-31" and event.after["text"] == first.text
    assert AuditEvent.objects.filter(action="meeting.decision_add", object_id=second.pk).count() == 1


def test_the_convening_units_office_records_decisions_others_may_not(world, meeting):
    w = world
    assert add(meeting, w.dept_reporter).responsible_unit == w.dept  # the convening unit's own reporter
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    outsider = make_user("xinhua_reviewer", county, Role.REVIEWER)
    before = counts()
    for persona in ("reporter", "leader", "viewer", "outsider"):  # attending, or not invited
        with pytest.raises(PermissionDenied):
            add(meeting, w.personas[persona])
    with pytest.raises(PermissionDenied):
        add(meeting, outsider)
    assert counts() == before


def test_decisions_wait_until_the_meeting_is_held(world):
    w = world
    ahead = meeting_create(
        tier=2, date=date(2022, 4, 30), title="四月底调度会", convenor=w.leader, by=w.reviewer
    )
    with pytest.raises(ValidationError, match="2022-04-30"):
        add(ahead, w.reviewer, responsible_unit=w.dept)
    assert MeetingDecision.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"text": "  "}, "text", "请填写议定事项"),
        ({"text": "长" * 1001}, "text", "1000"),
        ({"deadline": date(2022, 4, 23)}, "deadline", "已经过去"),
        ({"deadline": date(2025, 4, 25)}, "deadline", "3 年"),
        ({"deadline": None}, "deadline", "请填写"),
        ({"responsible_unit": None}, "responsible_unit", "请选择"),
        ({"responsible_unit": "other county"}, "responsible_unit", "冷水江市"),
        ({"support_units": "itself"}, "support_units", "牵头单位"),
        ({"support_units": "too many"}, "support_units", "30"),
    ],
)
def test_bad_decisions_are_refused_with_a_chinese_message_and_write_nothing(
    world, meeting, overrides, field, message
):
    w = world
    other = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    values = {
        "other county": other,
        "itself": [w.dept, w.town_a],
        "too many": [make_unit(f"单位{i}", OrgUnitKind.DEPARTMENT, w.city) for i in range(31)],
    }
    overrides = {
        key: values.get(value, value) if isinstance(value, str) else value for key, value in overrides.items()
    }
    before = counts()
    with pytest.raises(ValidationError) as refused:
        add(meeting, w.reviewer, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert counts() == before


@pytest.mark.parametrize("version", [None, 0])
def test_update_and_remove_refuse_a_missing_or_stale_version(world, meeting, version):
    w = world
    decision = add(meeting, w.reviewer)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        decision_update(
            decision=decision,
            text="改",
            responsible_unit=w.drc,
            deadline=date(2022, 6, 30),
            expected_version=version,
            by=w.reviewer,
        )
    assert "version" in refused.value.message_dict
    with pytest.raises(ValidationError):
        decision_remove(decision=decision, expected_version=version, by=w.reviewer)
    assert counts() == before
    assert MeetingDecision.objects.get().text == decision.text


def test_update_records_what_changed_and_remove_keeps_the_last_state(world, meeting):
    w = world
    decision = add(meeting, w.reviewer, support_units=[w.town_a])
    updated = decision_update(
        decision=decision,
        text=decision.text,
        responsible_unit=w.drc,
        support_units=[w.town_a, w.dept],
        deadline=date(2022, 6, 30),
        expected_version=1,
        by=w.city_admin,
    )
    assert updated.version == 2 and updated.responsible_unit == w.drc
    event = AuditEvent.objects.get(action="meeting.decision_update")
    assert event.before == {
        "responsible_unit": w.dept.pk,
        "support_units": [w.town_a.pk],
        "deadline": "2022-05-31",
    }
    assert event.after == {
        "responsible_unit": w.drc.pk,
        "support_units": sorted([w.town_a.pk, w.dept.pk]),
        "deadline": "2022-06-30",
    }
    same = decision_update(  # the same again writes nothing
        decision=updated,
        text=updated.text,
        responsible_unit=w.drc,
        support_units=[w.dept, w.town_a],
        deadline=date(2022, 6, 30),
        expected_version=2,
        by=w.city_admin,
    )
    assert same.version == 2 and AuditEvent.objects.filter(action="meeting.decision_update").count() == 1
    decision_remove(decision=same, expected_version=2, by=w.reviewer)
    assert MeetingDecision.objects.count() == 0
    removed = AuditEvent.objects.get(action="meeting.decision_remove")
    assert removed.before["responsible_unit"] == w.drc.pk and removed.before["text"] == decision.text


# ------------------------------------------------------------------------------------------ papers (fake)


class FakeDocument:
    """Records what a builder writes through the OfficialDocument interface."""

    def __init__(self, *, title, issuer, issued_on, doc_number=""):
        self.title, self.issuer, self.issued_on = title, issuer, issued_on
        self.parts: list[tuple] = []

    def heading(self, text, level=1):
        self.parts.append(("heading", level, text))

    def paragraph(self, text):
        self.parts.append(("paragraph", text))

    def table(self, headers, rows, *, caption="", widths=None):
        self.parts.append(("table", list(headers), [list(row) for row in rows]))

    def closing(self):
        self.parts.append(("closing",))

    def text(self) -> str:
        out = [self.title, self.issuer]
        for part in self.parts:
            if part[0] == "table":
                out += part[1] + [cell for row in part[2] for cell in row]
            else:
                out += [str(p) for p in part[1:]]
        return "\n".join(out)


def test_chinese_dates():
    assert papers.chinese_date(date(2022, 5, 1)) == "2022年5月1日"
    assert papers.deadline_text(date(2022, 5, 31)) == "2022年5月31日前"


def test_minutes_number_every_decided_item_with_its_units_and_deadline(world, meeting):
    w = world
    meeting_record_minutes(
        meeting=meeting, minutes="会议听取了项目进展汇报。\n\n会议议定如下事项。", by=w.reviewer
    )
    add(meeting, w.reviewer, support_units=[w.town_a, w.drc])
    add(meeting, w.reviewer, text="研究项目融资方案。", responsible_unit=w.drc, deadline=date(2022, 6, 15))
    doc = papers.build_minutes(meeting, FakeDocument, issued_on=date(2022, 4, 24))
    assert doc.title == "市住建局现场调度会纪要" and doc.issuer == "冷水江市住房和城乡建设局"
    paragraphs = [part[1] for part in doc.parts if part[0] == "paragraph"]
    assert "时间：2022年4月20日" in paragraphs
    assert "会议听取了项目进展汇报。" in paragraphs and "会议议定如下事项。" in paragraphs
    assert (
        "1. 完成禾青镇锑品深加工项目供电线路迁改。（牵头单位：冷水江市住房和城乡建设局；"
        "配合单位：禾青镇、冷水江市发展和改革局；完成时限：2022年5月31日前）"
    ) in paragraphs
    assert "2. 研究项目融资方案。（牵头单位：冷水江市发展和改革局；完成时限：2022年6月15日前）" in paragraphs
    assert doc.parts[-1] == ("closing",)


def _light(project, year, month, color, reason="落后时序进度"):
    from guatu.lights.models import ProjectLight

    return ProjectLight.objects.create(
        project=project,
        year=year,
        month=month,
        light=color,
        raw_light=color,
        reasons=[],
        computed_at=datetime(year, month, 28, tzinfo=UTC),
    )


@pytest.fixture
def as_of(world):
    """A tier-1 meeting of the housing department held on 20 April, recorded on the 24th: what it saw then,
    and what came after it (before and after it was recorded)."""
    w = world
    _light(w.project_a, 2022, 3, "red")  # March had ended: on the agenda
    with time_machine.travel(datetime(2022, 4, 10, 2, tzinfo=UTC), tick=False):
        open_then = problem_raise(
            project=w.project_a, description="征地拆迁未完成", category="land", by=w.reviewer
        )
        open_then = problem_assign(
            problem=open_then, unit=w.dept, deadline=date(2022, 5, 10), expected_version=1, by=w.reviewer
        )
    late_project = make_project(location=w.town_a, lead=w.dept, name="禾青镇新建污水处理厂项目")
    _light(late_project, 2022, 4, "red")  # April had not ended on the 20th
    with time_machine.travel(datetime(2022, 4, 22, 2, tzinfo=UTC), tick=False):
        problem_raise(project=w.project_a, description="施工用电未接入", category="utilities", by=w.reviewer)
    meeting = meeting_create(
        tier=1, date=HELD, title="市住建局四月调度会", convenor_unit=w.dept, by=w.reviewer
    )
    # After the meeting was recorded: a light and a problem that are not on its agenda either.
    _light(make_project(location=w.town_a, lead=w.dept, name="禾青镇物流园项目"), 2022, 3, "yellow")
    problem_raise(project=w.project_a, description="环评批复未下达", category="approvals", by=w.reviewer)
    return meeting, open_then


def test_agenda_is_the_pages_agenda_as_of_the_meeting_date(world, as_of):
    meeting, open_then = as_of
    doc = papers.build_agenda(meeting, FakeDocument)
    assert doc.title == "市住建局四月调度会议程" and doc.issued_on == HELD
    tables = [part for part in doc.parts if part[0] == "table"]
    assert [row[1:4] for row in tables[0][2]] == [["禾青镇锑品深加工项目", "红灯", "2022-03"]]
    assert [row[1:] for row in tables[1][2]] == [["征地拆迁未完成", "禾青镇锑品深加工项目", "2022年5月10日"]]
    text = doc.text()
    for later in ("禾青镇新建污水处理厂项目", "禾青镇物流园项目", "施工用电未接入", "环评批复未下达"):
        assert later not in text


# ------------------------------------------------------------------------------------------ pages


def url(name, *args):
    return reverse(f"dispatch:{name}", args=args)


def decision_data(world, **overrides):
    data = {
        "text": "完成供电线路迁改",
        "responsible_unit": world.dept.pk,
        "support_units": [world.town_a.pk],
        "deadline": "2022-05-31",
        "project": world.project_a.pk,
        "problem": "",
    }
    data.update(overrides)
    return data


def test_reviewer_records_edits_and_removes_a_decision_on_the_meeting_page(client, world, meeting):
    w = world
    client.force_login(w.reviewer)
    html = client.get(url("meeting", meeting.pk)).content.decode()
    assert 'id="decision-form"' in html and url("meeting_minutes_docx", meeting.pk) in html
    response = client.post(url("meeting_decision_add", meeting.pk), decision_data(w))
    assert response.status_code == 302
    decision = MeetingDecision.objects.get()
    html = client.get(url("meeting", meeting.pk)).content.decode()
    assert f'data-decision="{decision.pk}"' in html and "完成供电线路迁改" in html and "市住建局" in html

    edit = url("meeting_decision_edit", meeting.pk, decision.pk)
    assert client.get(edit).status_code == 200
    stale = decision_data(w, text="改过的事项", version=2)
    response = client.post(edit, stale)
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    missing = decision_data(w, text="改过的事项")
    response = client.post(edit, missing)
    assert response.status_code == 400 and "版本" in response.content.decode()
    assert client.post(edit, decision_data(w, text="改过的事项", version=1)).status_code == 302
    assert MeetingDecision.objects.get().text == "改过的事项"

    client.post(url("meeting_decision_remove", meeting.pk, decision.pk), {"version": 1})  # stale
    assert MeetingDecision.objects.count() == 1
    client.post(url("meeting_decision_remove", meeting.pk, decision.pk), {"version": 2})
    assert MeetingDecision.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"text": ""}, "请填写议定事项"),
        ({"text": "长" * 1001}, "1000"),
        ({"deadline": "下月底"}, "2022-03-31"),
        ({"deadline": "2022-04-01"}, "已经过去"),
        ({"responsible_unit": "99999"}, "请从列表中选择单位"),
        ({"project": "99999"}, "请从列表中选择"),
    ],
)
def test_bad_decision_on_the_page_is_explained_and_writes_nothing(client, world, meeting, overrides, message):
    client.force_login(world.reviewer)
    before = counts()
    response = client.post(url("meeting_decision_add", meeting.pk), decision_data(world, **overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert counts() == before


def test_decision_pages_access(client, world, meeting):
    w = world
    decision = add(meeting, w.reviewer)
    edit = url("meeting_decision_edit", meeting.pk, decision.pk)
    remove = url("meeting_decision_remove", meeting.pk, decision.pk)
    client.force_login(w.dept_reporter)  # the convening unit's office
    assert 'id="decision-form"' in client.get(url("meeting", meeting.pk)).content.decode()
    assert client.get(edit).status_code == 200
    for persona in ("reporter", "leader", "viewer"):  # see the meeting, may not record
        client.force_login(w.personas[persona])
        html = client.get(url("meeting", meeting.pk)).content.decode()
        assert "完成禾青镇锑品深加工项目供电线路迁改" in html and 'id="decision-form"' not in html
        assert client.post(url("meeting_decision_add", meeting.pk), decision_data(w)).status_code == 403
        assert client.get(edit).status_code == 403
        assert client.post(remove, {"version": 1}).status_code == 403
    client.force_login(w.outsider)  # not invited
    assert client.post(url("meeting_decision_add", meeting.pk), decision_data(w)).status_code == 404
    assert client.get(edit).status_code == 404
    other = meeting_create(tier=2, date=HELD, title="另一个调度会", convenor=w.leader, by=w.reviewer)
    client.force_login(w.reviewer)  # an item of another meeting is not this meeting's
    assert client.get(url("meeting_decision_edit", other.pk, decision.pk)).status_code == 404
    client.logout()
    for target in (edit, url("meeting_decision_add", meeting.pk), remove):
        response = client.post(target, decision_data(w))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert MeetingDecision.objects.count() == 1


def test_meeting_page_query_count_does_not_grow_with_decisions(
    client, world, meeting, django_assert_num_queries, django_assert_max_num_queries
):
    w = world

    def record(n):
        for i in range(n):
            add(
                meeting, w.reviewer, text=f"议定事项{i}", support_units=[w.town_a, w.drc], project=w.project_a
            )

    record(2)
    client.force_login(w.reviewer)
    client.get(url("meeting", meeting.pk))
    with django_assert_max_num_queries(40) as few:
        client.get(url("meeting", meeting.pk))
    record(8)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url("meeting", meeting.pk)).content.decode()
    assert html.count("data-decision=") == 10


# ------------------------------------------------------------------------------------------ papers (.docx)


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, one a line (python-docx reads it back)."""
    import io

    import docx

    document = docx.Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        lines += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def test_minutes_docx_lists_every_decided_item_with_its_unit_and_deadline(client, world, meeting):
    w = world
    meeting_record_minutes(meeting=meeting, minutes="会议听取了项目进展汇报。", by=w.reviewer)
    add(meeting, w.reviewer, support_units=[w.town_a])
    add(meeting, w.reviewer, text="研究项目融资方案", responsible_unit=w.drc, deadline=date(2022, 6, 15))
    add(meeting, w.reviewer, text="办理施工许可", responsible_unit=w.town_a, deadline=date(2022, 5, 1))
    client.force_login(w.leader_user)  # an attending leader: sees the meeting, so may download its papers
    response = client.get(url("meeting_minutes_docx", meeting.pk))
    assert response.status_code == 200 and response["Content-Type"] == papers.DOCX_TYPE
    assert "attachment" in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "市住建局现场调度会纪要" in text and "会议听取了项目进展汇报。" in text
    assert (
        "1. 完成禾青镇锑品深加工项目供电线路迁改。（牵头单位：冷水江市住房和城乡建设局；配合单位：禾青镇；完成时限：2022年5月31日前）"
        in text
    )
    assert "2. 研究项目融资方案。（牵头单位：冷水江市发展和改革局；完成时限：2022年6月15日前）" in text
    assert "3. 办理施工许可。（牵头单位：禾青镇；完成时限：2022年5月1日前）" in text
    assert "参会领导：李建国" in text
    assert text.rstrip().endswith("冷水江市住房和城乡建设局\n2022年4月24日")  # the issuer and the date


def test_agenda_docx_uses_no_data_after_the_meeting_date(client, world, as_of):
    meeting, open_then = as_of
    client.force_login(world.reviewer)
    response = client.get(url("meeting_agenda_docx", meeting.pk))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "市住建局四月调度会议程" in text and "时间：2022年4月20日" in text
    assert "禾青镇锑品深加工项目\t红灯\t2022-03" in text
    assert "征地拆迁未完成\t禾青镇锑品深加工项目\t2022年5月10日" in text
    for later in ("禾青镇新建污水处理厂项目", "禾青镇物流园项目", "施工用电未接入", "环评批复未下达"):
        assert later not in text


def test_meeting_papers_access(client, world, meeting):
    w = world
    targets = [url("meeting_agenda_docx", meeting.pk), url("meeting_minutes_docx", meeting.pk)]
    for persona in ("city_admin", "reviewer", "dept_reporter", "reporter", "viewer", "leader"):
        client.force_login(w.personas[persona])
        for target in targets:
            assert client.get(target).status_code == 200, persona
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    for outsider in (w.outsider, make_user("xinhua_reviewer", county, Role.REVIEWER)):
        client.force_login(outsider)  # not invited; another county's reviewer
        for target in targets:
            assert client.get(target).status_code == 404
    client.logout()
    for target in targets:
        response = client.get(target)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_decision_history_reads_in_chinese_on_the_project_page(client, world, meeting):
    w = world
    add(meeting, w.reviewer, support_units=[w.town_a], project=w.project_a)
    client.force_login(w.reviewer)
    html = client.get(reverse("projects:detail", args=[w.project_a.pk])).content.decode()
    assert "录入议定事项" in html and "牵头单位" in html and "禾青镇" in html


def test_the_meeting_list_counts_decided_items_apart_from_problems_raised(client, world, meeting):
    add(meeting, world.reviewer)
    add(meeting, world.reviewer, text="协调解决渣渡镇项目用地报批")
    client.force_login(world.reviewer)
    body = client.get(url("meeting_list")).content.decode()
    row = body[body.index(meeting.title) :]
    row = row[: row.index("</tr>")]
    assert 'data-label="议定事项">2<' in row
    assert 'data-label="会上提出的问题">0（0）<' in row
