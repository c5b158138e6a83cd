"""Library maintenance services: create, update, cancel, restore and change a project's stage."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guatu.audit.models import AuditEvent
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import Project, Stage
from guatu.projects.queries import project_history
from guatu.projects.services import (
    ProjectInput,
    TaskForceInput,
    find_duplicate,
    project_cancel,
    project_change_stage,
    project_code_error,
    project_create,
    project_input,
    project_restore,
    project_update,
)
from guatu.testing import make_leader, make_project, make_unit

pytestmark = pytest.mark.django_db


def _new(w, **kw) -> ProjectInput:
    fields = {
        "name": "禾青镇新材料产业园",
        "category": "industry",
        "location_unit": w.town_a,
        "lead_unit": w.dept,
        "owner": "冷水江新材料有限公司",
        "start_year": 2022,
        "end_year": 2024,
        "total_investment": Decimal("12000.50"),
        "code": "2022-431381-30-01-000123",
        "responsible_leader": w.leader,
        "tags": [w.county_tag],
        "support_units": [w.drc, w.town_b],
        "task_force": [TaskForceInput(name="张三", duty="专班长", unit=w.drc, phone="13800000000")],
    }
    return ProjectInput(**{**fields, **kw})


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- the national project code -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("2022-431381-30-01", "five parts"),
        ("2022-43138-30-01-000123", "administrative division code"),
        ("22-431381-30-01-000123", "year of issue"),
        ("2022-431381-3A-01-000123", "industry code"),
        ("2022-431381-30-1-000123", "project type code"),
        ("2022-431381-30-01-12345", "serial number"),
        ("1899-431381-30-01-000123", "not plausible"),
        ("２０２２-431381-30-01-000123", "year of issue"),
    ],
)
def test_a_malformed_code_says_which_part_is_wrong(code, says):
    with translation.override("en"):
        assert says in project_code_error(code)


def test_a_wellformed_code_passes():
    assert project_code_error("2022-431381-44-01-000001") is None


def test_create_refuses_a_malformed_code_in_chinese(world):
    with pytest.raises(ValidationError) as exc:
        project_create(data=_new(world, code="2022-431381-30-01-12345"), by=world.city_admin)
    assert "流水号" in _errors(exc)["code"][0]
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()


# --- create -------------------------------------------------------------------------------------------------


def test_create_by_a_city_administrator_writes_the_five_ones_and_one_event(world):
    project = project_create(data=_new(world), by=world.city_admin)
    assert [link.unit for link in project.support_links.order_by("position")] == [world.drc, world.town_b]
    assert [m.name for m in project.task_force.all()] == ["张三"]
    event = AuditEvent.objects.get(action="project.create", object_id=project.pk)
    assert event.actor == world.city_admin
    assert event.after["support_units"] == [world.drc.pk, world.town_b.pk]
    assert event.after["tags"] == ["county"]
    assert event.after["task_force"] == ["张三（专班长，市发改局，13800000000）"]


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_create_is_refused_to_who_may_not_maintain_the_library(world, persona):
    with pytest.raises(PermissionDenied):
        project_create(data=_new(world), by=world.personas[persona])
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()


def test_create_in_another_county_is_refused(world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    with pytest.raises(PermissionDenied):
        project_create(data=_new(world, location_unit=town, lead_unit=town, support_units=[]), by=world.reviewer)


def test_create_refuses_a_support_unit_or_leader_of_another_county(world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    stranger = make_leader("赵外", other)
    with pytest.raises(ValidationError) as exc:
        project_create(data=_new(world, support_units=[town], responsible_leader=stranger), by=world.reviewer)
    assert set(_errors(exc)) == {"support_units", "responsible_leader"}


def test_create_refuses_a_duplicate_code_naming_the_existing_project(world):
    project_create(data=_new(world), by=world.city_admin)
    with pytest.raises(ValidationError) as exc:
        project_create(data=_new(world, name="另一个项目"), by=world.city_admin)
    message = _errors(exc)["code"][0]
    assert "禾青镇新材料产业园" in message and "2022-431381-30-01-000123" in message


def test_create_refuses_a_duplicate_name_in_the_county_naming_the_existing_project(world):
    with pytest.raises(ValidationError) as exc:
        project_create(data=_new(world, name=world.project_b.name, code=None), by=world.city_admin)
    message = _errors(exc)["name"][0]
    assert world.project_b.name in message and "冷水江市" in message


def test_the_same_name_in_another_county_is_no_duplicate(world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    assert find_duplicate(code=None, name=world.project_b.name, county=other) is None
    assert find_duplicate(code=None, name=world.project_b.name, county=world.city) == world.project_b
    project_create(data=_new(world, name=world.project_b.name, code=None, location_unit=town, lead_unit=town,
                             support_units=[], task_force=[], responsible_leader=None))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "项" * 201}, "name"),
        ({"owner": "  "}, "owner"),
        ({"contact_phone": "1" * 31}, "contact_phone"),
        ({"scope": "字" * 2001}, "scope"),
        ({"start_year": 1999}, "start_year"),
        ({"end_year": 2101}, "end_year"),
        ({"end_year": 2021}, "end_year"),
        ({"total_investment": Decimal("1.234")}, "total_investment"),
        ({"total_investment": Decimal("1000000000000")}, "total_investment"),
        ({"prior_completed": Decimal("-1")}, "prior_completed"),
        ({"category": "nonsense"}, "category"),
        ({"task_force": [TaskForceInput(name="")]}, "task_force"),
        ({"support_units": "dept"}, "support_units"),
    ],
)
def test_create_validates_every_bound(world, change, field):
    if change.get("support_units") == "dept":
        change = {"support_units": [world.dept]}  # the lead unit again
    with pytest.raises(ValidationError) as exc:
        project_create(data=_new(world, **change), by=world.city_admin)
    assert field in _errors(exc)
    assert not AuditEvent.objects.filter(action="project.create", after__name="禾青镇新材料产业园").exists()


def test_create_without_an_actor_still_works_for_loaders(world):
    assert project_create(data=_new(world)).pk


# --- update -------------------------------------------------------------------------------------------------


def test_update_replaces_fields_tags_support_units_and_task_force_with_one_event(world):
    project = world.project_a
    data = replace(
        project_input(project),
        name="禾青镇锑品深加工二期",
        responsible_leader=world.other_leader,
        tags=[world.pref_tag],
        support_units=[world.town_b, world.drc],
        task_force=[TaskForceInput(name="李四", duty="联络员")],
    )
    updated = project_update(project=project, data=data, expected_version=project.version, by=world.reviewer)
    assert updated.version == project.version + 1
    assert updated.name == "禾青镇锑品深加工二期"
    assert [t.code for t in updated.tags.all()] == ["prefecture"]
    assert [link.unit for link in updated.support_links.order_by("position")] == [world.town_b, world.drc]
    assert [m.name for m in updated.task_force.all()] == ["李四"]
    event = AuditEvent.objects.get(action="project.update", object_id=project.pk)
    assert event.actor == world.reviewer and event.project_id == project.pk
    assert event.before["responsible_leader"] == world.leader.pk
    assert event.after["responsible_leader"] == world.other_leader.pk
    assert event.before["tags"] == ["county", "prefecture"] and event.after["tags"] == ["prefecture"]
    assert "owner" not in event.after  # only what changed


def test_update_history_reads_chinese_labels_and_names(world):
    project = world.project_a
    data = replace(project_input(project), responsible_leader=world.other_leader, support_units=[world.drc],
                   task_force=[TaskForceInput(name="李四", duty="联络员")])
    project_update(project=project, data=data, expected_version=project.version, by=world.reviewer)
    row = project_history(project)[0]
    changes = {change.label: (change.before, change.after) for change in row.changes}
    assert changes["责任领导"] == ("李建国（副市长）", "王志强（副市长）")
    assert changes["配合单位"] == ("—", "冷水江市发展和改革局")
    assert changes["工作专班"] == ("—", "李四（联络员）")
    assert row.action == "修改项目信息"


def test_update_that_changes_nothing_writes_nothing(world):
    project = world.project_a
    before = AuditEvent.objects.count()
    same = project_update(
        project=project, data=project_input(project), expected_version=project.version, by=world.city_admin
    )
    assert same.version == project.version
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("version", [None, 0, 2])
def test_update_refuses_a_missing_or_stale_version(world, version):
    project = world.project_a
    with pytest.raises(ValidationError) as exc:
        project_update(
            project=project, data=replace(project_input(project), name="新名称"), expected_version=version, by=world.city_admin
        )
    assert "version" in _errors(exc)
    project.refresh_from_db()
    assert project.name == "禾青镇锑品深加工项目" and project.version == 1


def test_update_ignores_the_stage_which_needs_a_reason(world):
    project = world.project_a
    updated = project_update(
        project=project,
        data=replace(project_input(project), stage=Stage.COMPLETED, owner="新业主"),
        expected_version=project.version,
        by=world.city_admin,
    )
    assert (updated.stage, updated.owner) == (Stage.CONTINUING, "新业主")


def test_update_refuses_a_duplicate_of_another_project(world):
    project = world.project_a
    with pytest.raises(ValidationError) as exc:
        project_update(
            project=project,
            data=replace(project_input(project), name=world.project_b.name),
            expected_version=project.version,
            by=world.city_admin,
        )
    assert world.project_b.name in _errors(exc)["name"][0]


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_update_is_refused_to_who_may_not_maintain(world, persona):
    project = world.project_a
    with pytest.raises(PermissionDenied):
        project_update(
            project=project, data=replace(project_input(project), name="x"), expected_version=1, by=world.personas[persona]
        )


def test_update_cannot_move_a_project_out_of_the_jurisdiction(world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    project = world.project_b
    with pytest.raises(PermissionDenied):
        project_update(
            project=project,
            data=replace(project_input(project), location_unit=town, lead_unit=town),
            expected_version=1,
            by=world.reviewer,
        )


# --- stage: cancel, restore, change -------------------------------------------------------------------------


def test_cancel_keeps_the_stage_and_restore_puts_it_back(world):
    project = world.project_a
    cancelled = project_cancel(project=project, reason="项目业主撤资", expected_version=1, by=world.reviewer)
    assert (cancelled.stage, cancelled.stage_before_cancel, cancelled.version) == ("cancelled", "continuing", 2)
    assert not Project.objects.counted().filter(pk=project.pk).exists()
    restored = project_restore(project=cancelled, reason="重新引进业主", expected_version=2, by=world.city_admin)
    assert (restored.stage, restored.stage_before_cancel, restored.version) == ("continuing", "", 3)
    events = list(AuditEvent.objects.filter(object_id=project.pk, action__in=["project.cancel", "project.restore"]))
    assert [(e.action, e.reason, e.after["stage"]) for e in events] == [
        ("project.cancel", "项目业主撤资", "cancelled"),
        ("project.restore", "重新引进业主", "continuing"),
    ]
    rows = project_history(project)
    assert rows[0].action == "恢复项目" and rows[1].action == "撤销项目"


def test_cancel_needs_a_reason_and_the_current_version(world):
    project = world.project_a
    with pytest.raises(ValidationError) as exc:
        project_cancel(project=project, reason="  ", expected_version=1, by=world.reviewer)
    assert "reason" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        project_cancel(project=project, reason="撤资", expected_version=None, by=world.reviewer)
    assert "version" in _errors(exc)
    project.refresh_from_db()
    assert project.stage == "continuing"


def test_a_cancelled_project_cannot_be_cancelled_again_nor_an_active_one_restored(world):
    project = project_cancel(project=world.project_a, reason="撤资", expected_version=1, by=world.reviewer)
    with pytest.raises(ValidationError):
        project_cancel(project=project, reason="撤资", expected_version=project.version, by=world.reviewer)
    with pytest.raises(ValidationError):
        project_restore(project=world.project_b, reason="恢复", expected_version=1, by=world.reviewer)


def test_cancel_is_refused_to_a_reporter(world):
    with pytest.raises(PermissionDenied):
        project_cancel(project=world.project_a, reason="撤资", expected_version=1, by=world.dept_reporter)


def test_change_stage_needs_a_reason_and_not_cancelled(world):
    project = world.project_a
    with pytest.raises(ValidationError) as exc:
        project_change_stage(project=project, stage="cancelled", reason="x", expected_version=1, by=world.reviewer)
    assert "stage" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        project_change_stage(project=project, stage="completed", reason="", expected_version=1, by=world.reviewer)
    assert "reason" in _errors(exc)
    moved = project_change_stage(
        project=project, stage="completed", reason="已竣工验收", expected_version=1, by=world.reviewer
    )
    assert (moved.stage, moved.version) == ("completed", 2)
    event = AuditEvent.objects.get(action="project.stage", object_id=project.pk)
    assert (event.before, event.after, event.reason) == ({"stage": "continuing"}, {"stage": "completed"}, "已竣工验收")


def test_make_project_still_works_without_an_actor(world):
    assert make_project(location=world.town_a).pk


# --- the gateway's rule -------------------------------------------------------------------------------------


def test_who_maintains_the_library(world):
    from guatu.access import gateway
    from guatu.accounts.models import Role, User
    from guatu.testing import make_user

    assert gateway.can_maintain_library(world.city_admin, world.project_a)
    assert gateway.can_maintain_library(world.reviewer, world.project_b)
    for persona in ("reporter", "dept_reporter", "leader", "viewer", "outsider"):
        assert not gateway.can_maintain_library(world.personas[persona]), persona
    root = User.objects.create_superuser(username="root", password="x-very-long-pass")
    assert gateway.can_maintain_library(root, world.project_a)
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    foreign_reviewer = make_user("xh_reviewer", other, Role.REVIEWER)
    assert gateway.can_maintain_library(foreign_reviewer)
    assert not gateway.can_maintain_library(foreign_reviewer, world.project_a)
    world.reviewer.is_active = False
    assert not gateway.can_maintain_library(world.reviewer, world.project_a)
    assert not gateway.is_system_actor(world.reviewer)  # inactive, but a person with a unit and a password
    loader = User.objects.create_user(username="loader", password=None, org_unit=None, role=Role.VIEWER, is_active=False)
    assert gateway.is_system_actor(loader)
    assert project_create(data=_new(world), by=loader).pk
