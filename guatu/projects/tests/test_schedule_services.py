"""Schedule services: milestones, annual plans with their phasing, each checked, version-locked and audited."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.lib.periods import Period
from guatu.lights.models import ProjectLight
from guatu.lights.services import lights_compute
from guatu.orgs.models import OrgUnitKind
from guatu.projects import schedule
from guatu.projects.models import AnnualPlan, Milestone, PlanMonth
from guatu.testing import make_project, make_unit, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2022, 4, 10)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _add(world, **kw):
    fields = {"kind": "land", "name": "用地预审", "planned_date": date(2022, 2, 10), **kw}
    return schedule.milestone_add(project=world.project_a, by=world.reviewer, **fields)


def _counts():
    return (
        Milestone.objects.count(),
        AnnualPlan.objects.count(),
        PlanMonth.objects.count(),
        AuditEvent.objects.count(),
    )


@time_machine.travel(TODAY)
def test_milestone_add_update_and_their_events(world):
    first = _add(world)
    second = _add(world, kind="environment", name="环评批复", planned_date=date(2022, 5, 1))
    assert (first.position, second.position) == (1, 2)
    event = AuditEvent.objects.get(action="milestone.create", object_id=first.pk)
    assert event.project_id == world.project_a.pk
    assert event.after["planned_date"] == "2022-02-10" and event.after["name"] == "用地预审"

    updated = schedule.milestone_update(
        milestone=first,
        kind="land",
        name="用地预审",
        planned_date=date(2022, 3, 1),
        actual_date=None,
        document_no="",
        expected_version=first.version,
        by=world.city_admin,
    )
    assert (updated.planned_date, updated.version) == (date(2022, 3, 1), 2)
    change = AuditEvent.objects.get(action="milestone.update")
    assert (change.before, change.after) == ({"planned_date": "2022-02-10"}, {"planned_date": "2022-03-01"})


@time_machine.travel(TODAY)
def test_stale_and_versionless_saves_are_refused(world):
    milestone = _add(world)
    args = dict(kind="land", name="改名", planned_date=date(2022, 2, 10), actual_date=None, document_no="")
    schedule.milestone_update(milestone=milestone, expected_version=1, by=world.reviewer, **args)
    before = _counts()
    for version in (1, None):
        with pytest.raises(ValidationError) as error:
            schedule.milestone_update(
                milestone=milestone, expected_version=version, by=world.reviewer, **args
            )
        assert "version" in error.value.message_dict
        with pytest.raises(ValidationError):
            schedule.milestone_complete(
                milestone=milestone,
                actual_date=date(2022, 4, 1),
                document_no="冷发改〔2022〕1号",
                expected_version=version,
                by=world.reviewer,
            )
    assert _counts() == before


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("field", "fields", "message"),
    [
        ("name", {"name": "长" * 101}, "最多 100 个字符"),
        ("document_no", {"document_no": "号" * 101}, "最多 100 个字符"),
        ("planned_date", {"planned_date": date(1999, 12, 31)}, "2000"),
        ("planned_date", {"planned_date": date(2101, 1, 1)}, "2100"),
        ("actual_date", {"actual_date": date(2022, 4, 11)}, "未来"),
        ("kind", {"kind": "bogus"}, "类型"),
        ("name", {"name": "  "}, "名称"),
    ],
)
def test_milestone_input_is_bounded(world, field, fields, message):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        _add(world, **fields)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert _counts() == before


@time_machine.travel(TODAY)
def test_complete_needs_date_and_document_and_checks_the_attachment(world, media):
    milestone = _add(world)
    with pytest.raises(ValidationError) as error:
        schedule.milestone_complete(
            milestone=milestone,
            actual_date=date(2022, 4, 1),
            document_no=" ",
            expected_version=1,
            by=world.reviewer,
        )
    assert "document_no" in error.value.message_dict
    fake = SimpleUploadedFile("批复.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as error:
        schedule.milestone_complete(
            milestone=milestone,
            actual_date=date(2022, 4, 1),
            document_no="冷自然资〔2022〕7号",
            attachment=fake,
            expected_version=1,
            by=world.reviewer,
        )
    assert "不是真正的 .pdf 文件" in " ".join(error.value.message_dict["attachment"])
    assert not any(media.rglob("*.pdf")) if media.exists() else True

    done = schedule.milestone_complete(
        milestone=milestone,
        actual_date=date(2022, 4, 1),
        document_no="冷自然资〔2022〕7号",
        attachment=SimpleUploadedFile("批复.pdf", b"%PDF-1.4 approval"),
        expected_version=1,
        by=world.reviewer,
    )
    assert done.actual_date == date(2022, 4, 1) and done.attachment.name.startswith("milestones/2022/")
    event = AuditEvent.objects.get(action="milestone.complete")
    assert event.after == {
        "actual_date": "2022-04-01",
        "document_no": "冷自然资〔2022〕7号",
        "attachment": "批复.pdf",
    }
    with pytest.raises(ValidationError):  # done once; a correction is an edit
        schedule.milestone_complete(
            milestone=done,
            actual_date=date(2022, 4, 2),
            document_no="x",
            expected_version=2,
            by=world.reviewer,
        )


@time_machine.travel(TODAY)
def test_delete_needs_a_reason_and_keeps_done_steps(world):
    pending = _add(world)
    with pytest.raises(ValidationError) as error:
        schedule.milestone_delete(milestone=pending, reason="  ", expected_version=1, by=world.reviewer)
    assert "reason" in error.value.message_dict
    schedule.milestone_delete(
        milestone=pending, reason="并入施工许可办理", expected_version=1, by=world.reviewer
    )
    assert not Milestone.objects.filter(pk=pending.pk).exists()
    event = AuditEvent.objects.get(action="milestone.delete")
    assert (event.reason, event.before["name"], event.project_id) == (
        "并入施工许可办理",
        "用地预审",
        world.project_a.pk,
    )

    done = _add(world, actual_date=date(2022, 2, 1), document_no="冷发改〔2022〕3号")
    with pytest.raises(ValidationError):
        schedule.milestone_delete(milestone=done, reason="重复", expected_version=1, by=world.reviewer)
    assert Milestone.objects.filter(pk=done.pk).exists()


def test_only_maintainers_of_the_jurisdiction_act(world):
    other_county = make_unit("新化县", OrgUnitKind.COUNTY)
    other_reviewer = make_user("xinhua_reviewer", other_county, Role.REVIEWER)
    before = _counts()
    for user in (world.reporter, world.dept_reporter, world.leader_user, world.viewer, other_reviewer):
        with pytest.raises(PermissionDenied):
            schedule.milestone_add(
                project=world.project_a, kind="land", name="用地", planned_date=date(2022, 2, 1), by=user
            )
        with pytest.raises(PermissionDenied):
            schedule.annual_plan_save(
                project=world.project_a, year=2022, amount=Decimal("1"), expected_version=1, by=user
            )
    assert _counts() == before


def test_marking_the_overdue_milestone_done_clears_its_light_reason(world):
    """The lights read milestones as they are (lights.queries.gather_facts): once the overdue step is done
    within the month, the next computation of the month has no milestone reason."""
    w = world
    march = Period(2022, 3)
    at = datetime(2022, 4, 3, 12, tzinfo=UTC)  # before March's lights close
    with time_machine.travel(TODAY):
        milestone = _add(w, planned_date=date(2022, 2, 10))
    lights_compute(unit=w.city, period=march, at=at)
    light = ProjectLight.objects.get(project=w.project_a, year=2022, month=3)
    assert "milestone_overdue" in {r["rule"] for r in light.reasons}

    with time_machine.travel(TODAY):
        schedule.milestone_complete(
            milestone=milestone,
            actual_date=date(2022, 3, 20),
            document_no="冷自然资〔2022〕7号",
            expected_version=milestone.version,
            by=w.reviewer,
        )
    lights_compute(unit=w.city, period=march, at=at)
    light = ProjectLight.objects.get(project=w.project_a, year=2022, month=3)
    assert "milestone_overdue" not in {r["rule"] for r in light.reasons}


# --- annual plans


def test_annual_plan_save_creates_phases_and_locks(world):
    w = world
    project = make_project(location=w.town_a, plan=None, year=2022)
    assert not project.plans.exists()
    months = {m: Decimal("100") for m in range(1, 13)}
    plan = schedule.annual_plan_save(
        project=project, year=2022, amount=Decimal("1200"), months=months, expected_version=0, by=w.reviewer
    )
    assert plan.months.count() == 12 and plan.version == 1
    again = schedule.annual_plan_save(
        project=project, year=2022, amount=Decimal("1300"), expected_version=1, by=w.city_admin
    )
    assert (again.amount, again.version, again.months.count()) == (Decimal("1300"), 2, 0)
    before = _counts()
    for version in (1, 0, None):  # read before the change, read as new, or no version at all
        with pytest.raises(ValidationError) as error:
            schedule.annual_plan_save(
                project=project, year=2022, amount=Decimal("1"), expected_version=version, by=w.reviewer
            )
        assert "version" in error.value.message_dict
    assert _counts() == before


@pytest.mark.parametrize(
    ("amount", "months", "field", "message"),
    [
        ("1200", {m: Decimal("100") for m in range(1, 12)}, "months", "1100"),  # 11 months: 1100 ≠ 1200
        ("-1", None, "amount", "0"),
        ("1000000000000", None, "amount", "999999999999.99"),
        ("1.005", None, "amount", "两位小数"),
        ("100", {1: Decimal("100.001")}, "month_1", "1月"),
    ],
)
def test_annual_plan_input_is_checked(world, amount, months, field, message):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        schedule.annual_plan_save(
            project=world.project_a,
            year=2022,
            amount=Decimal(amount),
            months=months,
            expected_version=1,
            by=world.reviewer,
        )
    assert message in " ".join(error.value.message_dict[field])
    assert _counts() == before


def test_annual_plan_year_must_be_a_construction_year(world):
    with pytest.raises(ValidationError) as error:
        schedule.annual_plan_save(
            project=world.project_a, year=2035, amount=Decimal("1"), expected_version=0, by=world.reviewer
        )
    assert "year" in error.value.message_dict
