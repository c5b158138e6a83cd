"""The library maintenance pages: new project, edit, cancel, restore, change stage. Who may, what is refused,
what the history then says, and the edit page's query count."""

import pytest
from django.urls import reverse

from guatu.audit.models import AuditEvent
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import Project
from guatu.projects.services import TaskForceInput, project_update
from guatu.projects.services import project_input as input_of
from guatu.testing import make_leader, make_project, make_unit

pytestmark = pytest.mark.django_db

NEW = reverse("projects:new")


def _url(name, project):
    return reverse(f"projects:{name}", args=[project.pk])


def _management(prefix="tf", total=3, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }


def _post_data(w, **over):
    data = {
        "code": "2022-431381-30-01-000777",
        "name": "禾青镇新材料产业园",
        "tags": [w.county_tag.code],
        "category": "industry",
        "stage": "preliminary",
        "tier": "implementation",
        "chain": "",
        "location_unit": str(w.town_a.pk),
        "owner": "冷水江新材料有限公司",
        "scope": "标准厂房 10 万平方米",
        "start_year": "2022",
        "end_year": "2024",
        "total_investment": "12000.50",
        "prior_completed": "0",
        "responsible_leader": str(w.leader.pk),
        "lead_unit": str(w.dept.pk),
        "support_units": "市发改局\n渣渡镇",
        "contact_name": "周敏",
        "contact_phone": "0738-5221234",
        **_management(),
        "tf-0-name": "张三",
        "tf-0-duty": "专班长",
        "tf-0-unit": str(w.drc.pk),
        "tf-0-phone": "13800000000",
    }
    data.update(over)
    return data


def _edit_data(client, project):
    """What the edit page's form would send back unchanged."""
    form = client.get(_url("edit", project)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    tf = form.task_force
    data.update(_management(total=tf.total_form_count(), initial=tf.initial_form_count()))
    for i, row in enumerate(tf.forms):
        for name in row.fields:
            value = row[name].value()
            data[f"tf-{i}-{name}"] = "" if value is None else value
    return data


# --- who may --------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, world):
    for url in (NEW, _url("edit", world.project_a), _url("cancel", world.project_a), _url("stage", world.project_a)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["city_admin", "reviewer"])
def test_city_administrators_and_reviewers_open_every_page(client, world, persona):
    client.force_login(world.personas[persona])
    for url in (NEW, *(_url(n, world.project_a) for n in ("edit", "cancel", "stage"))):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reporter", 403), ("dept_reporter", 403), ("leader", 403), ("viewer", 403), ("outsider", 404)],
)
def test_other_roles_may_not_maintain(client, world, persona, status):
    client.force_login(world.personas[persona])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _post_data(world)).status_code == 403
    for name in ("edit", "cancel", "restore", "stage"):
        assert client.get(_url(name, world.project_a)).status_code == status, name
        assert client.post(_url(name, world.project_a), {"reason": "x", "version": "1"}).status_code == status
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()
    assert Project.objects.get(pk=world.project_a.pk).version == 1


def test_another_countys_project_is_not_found(client, world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    elsewhere = make_project(location=town, name="洋溪镇物流园")
    client.force_login(world.reviewer)
    for name in ("edit", "cancel", "restore", "stage"):
        assert client.get(_url(name, elsewhere)).status_code == 404
    assert client.get(_url("edit", Project(pk=999999))).status_code == 404


def test_buttons_show_only_to_who_may(client, world):
    client.force_login(world.reviewer)
    assert 'id="new-project"' in client.get(reverse("projects:list")).content.decode()
    body = client.get(_url("detail", world.project_a)).content.decode()
    assert 'id="edit-project"' in body and 'id="cancel-project"' in body and 'id="restore-project"' not in body
    client.force_login(world.reporter)
    assert 'id="new-project"' not in client.get(reverse("projects:list")).content.decode()
    assert 'id="edit-project"' not in client.get(_url("detail", world.project_a)).content.decode()


# --- new project ----------------------------------------------------------------------------------------


def test_new_project_with_its_five_ones(client, world):
    client.force_login(world.city_admin)
    response = client.post(NEW, _post_data(world))
    project = Project.objects.get(name="禾青镇新材料产业园")
    assert response.status_code == 302 and response["Location"] == _url("detail", project)
    assert (project.code, project.stage, project.responsible_leader, project.lead_unit) == (
        "2022-431381-30-01-000777",
        "preliminary",
        world.leader,
        world.dept,
    )
    assert [link.unit for link in project.support_links.order_by("position")] == [world.drc, world.town_b]
    assert [(m.name, m.unit) for m in project.task_force.all()] == [("张三", world.drc)]
    assert [t.code for t in project.tags.all()] == ["county"]
    body = client.get(_url("detail", project)).content.decode()
    assert "创建项目" in body and "张三（专班长，市发改局，13800000000）" in body


def test_new_project_refuses_an_unknown_support_unit_and_keeps_the_input(client, world):
    client.force_login(world.city_admin)
    response = client.post(NEW, _post_data(world, support_units="市发改局\n市交通局\n火星局"))
    assert response.status_code == 400
    errors = response.context["form"].errors["support_units"][0]
    assert "“市交通局”" in errors and "“火星局”" in errors
    assert "禾青镇新材料产业园" in response.content.decode()
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()


def test_new_project_refuses_a_unit_or_leader_of_another_county_as_an_invalid_choice(client, world):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, other)
    stranger = make_leader("赵外", other)
    client.force_login(world.reviewer)
    response = client.post(
        NEW, _post_data(world, location_unit=str(town.pk), responsible_leader=str(stranger.pk), **{"tf-0-unit": str(town.pk)})
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"location_unit", "responsible_leader"}
    assert form.task_force.forms[0].errors["unit"]
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "2022-431381-30-01-77"),
        ("name", "项" * 201),
        ("start_year", "1999"),
        ("end_year", "2101"),
        ("total_investment", "1.234"),
        ("total_investment", "10000000000000"),
        ("total_investment", "abc"),
        ("prior_completed", "-5"),
        ("tf-0-name", "张" * 51),
        ("scope", "字" * 2001),
    ],
)
def test_new_project_bounds_every_input(client, world, field, value):
    client.force_login(world.city_admin)
    response = client.post(NEW, _post_data(world, **{field: value}))
    assert response.status_code == 400
    assert not Project.objects.filter(name="禾青镇新材料产业园").exists()


def test_new_project_duplicate_names_the_existing_project(client, world):
    client.force_login(world.city_admin)
    response = client.post(NEW, _post_data(world, name=world.project_b.name, code=""))
    assert response.status_code == 400
    assert f"已有同名项目“{world.project_b.name}”" in response.context["form"].errors["name"][0]


def test_new_project_code_message_says_which_part(client, world):
    client.force_login(world.city_admin)
    response = client.post(NEW, _post_data(world, code="2022-4313-30-01-000777"))
    assert "行政区划代码" in response.context["form"].errors["code"][0]


# --- edit -----------------------------------------------------------------------------------------------


def test_edit_saves_and_the_history_shows_chinese_labels_and_names(client, world):
    project = world.project_a
    client.force_login(world.reviewer)
    data = _edit_data(client, project)
    data.update(
        {
            "responsible_leader": str(world.other_leader.pk),
            "support_units": "渣渡镇\n市发改局",
            "tf-0-name": "李四",
            "tf-0-duty": "联络员",
        }
    )
    response = client.post(_url("edit", project), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.version == 2 and project.responsible_leader == world.other_leader
    assert [link.unit for link in project.support_links.order_by("position")] == [world.town_b, world.drc]
    body = client.get(_url("detail", project)).content.decode()
    history = body[body.index('id="history"') :]
    assert "修改项目信息" in history
    assert "责任领导" in history and "王志强（副市长）" in history and "李建国（副市长）" in history
    assert "配合单位" in history and "冷水江市发展和改革局" in history and "工作专班" in history
    assert "responsible_leader" not in history and "support_units" not in history and "task_force" not in history
    assert f">{world.other_leader.pk}<" not in history


def test_edit_unchanged_writes_nothing(client, world):
    project = world.project_a
    client.force_login(world.city_admin)
    before = AuditEvent.objects.count()
    response = client.post(_url("edit", project), _edit_data(client, project))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before
    assert Project.objects.get(pk=project.pk).version == 1


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, world):
    project = world.project_a
    client.force_login(world.city_admin)
    data = _edit_data(client, project)
    project_update(
        project=project,
        data=input_of(project).__class__(**{**input_of(project).__dict__, "owner": "别人改的业主"}),
        expected_version=1,
        by=world.reviewer,
    )
    data["name"] = "我输入的新名称"
    response = client.post(_url("edit", project), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "其他人修改" in body or "他人修改" in body
    assert "我输入的新名称" in body
    project.refresh_from_db()
    assert (project.name, project.owner, project.version) == ("禾青镇锑品深加工项目", "别人改的业主", 2)


def test_an_edit_without_a_version_is_refused(client, world):
    project = world.project_a
    client.force_login(world.city_admin)
    data = _edit_data(client, project)
    data["version"] = ""
    data["name"] = "无版本的修改"
    assert client.post(_url("edit", project), data).status_code == 400
    assert Project.objects.get(pk=project.pk).name == "禾青镇锑品深加工项目"


def test_the_edit_page_query_count_does_not_grow_with_the_task_force(client, world, django_assert_num_queries):
    small = world.project_a
    big = world.project_b
    data = input_of(big)
    data.task_force = [TaskForceInput(name=f"成员{n}", unit=world.town_b) for n in range(12)]
    data.support_units = [world.drc, world.dept, world.town_a]
    big = project_update(project=big, data=data, expected_version=1, by=world.city_admin)
    client.force_login(world.city_admin)
    client.get(_url("edit", small))
    for project in (small, big):
        # session, user; the project; the units, leaders, chains and tags to choose from; the project's tags,
        # support units and task force (with their units); the units it has kept, should one have closed; the
        # page frame (menu, inbox badge)
        with django_assert_num_queries(14):
            assert client.get(_url("edit", project)).status_code == 200


# --- cancel, restore, stage -----------------------------------------------------------------------------


def test_cancel_and_restore_with_a_reason(client, world):
    project = world.project_a
    client.force_login(world.reviewer)
    assert client.post(_url("cancel", project), {"reason": "", "version": "1"}).status_code == 400
    response = client.post(_url("cancel", project), {"reason": "业主撤资", "version": "1"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.stage_before_cancel) == ("cancelled", "continuing")
    body = client.get(_url("detail", project)).content.decode()
    assert 'id="restore-project"' in body and "撤销项目" in body and "业主撤资" in body
    assert client.get(_url("stage", project)).status_code == 302  # a cancelled project is restored first
    assert client.post(_url("restore", project), {"reason": "重新引进业主", "version": "2"}).status_code == 302
    project.refresh_from_db()
    assert project.stage == "continuing"


def test_a_stale_cancel_is_refused(client, world):
    client.force_login(world.reviewer)
    response = client.post(_url("cancel", world.project_a), {"reason": "业主撤资", "version": "7"})
    assert response.status_code == 400 and response.context["form_errors"]
    assert Project.objects.get(pk=world.project_a.pk).stage == "continuing"


def test_change_stage_with_a_reason(client, world):
    project = world.project_a
    client.force_login(world.city_admin)
    response = client.post(_url("stage", project), {"stage": "cancelled", "reason": "x", "version": "1"})
    assert response.status_code == 400
    response = client.post(_url("stage", project), {"stage": "completed", "reason": "已竣工验收", "version": "1"})
    assert response.status_code == 302
    body = client.get(_url("detail", project)).content.decode()
    history = body[body.index('id="history"') :]
    assert "变更建设阶段" in history and "已竣工验收" in history and "续建" in history


def test_too_many_support_units_are_refused_before_any_lookup(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    lines = "\n".join(f"单位{n}" for n in range(31))
    with django_assert_max_num_queries(20):
        response = client.post(NEW, _post_data(world, support_units=lines))
    assert response.status_code == 400 and "31" in response.context["form"].errors["support_units"][0]


def test_a_closed_unit_and_an_ended_post_are_not_offered_for_new_work_but_stay_on_projects_that_have_them(
    client, world
):
    from guatu.orgs.services import leader_end, orgunit_close

    w = world
    town = make_unit("资江街道", OrgUnitKind.STREET, parent=w.city)
    project = make_project(location=town, lead=town, name="资江街道老旧小区改造", leader=w.other_leader)
    orgunit_close(unit=town, expected_version=town.version, reason="区划调整", by=None)
    leader_end(leader=w.other_leader, expected_version=w.other_leader.version, by=None)
    client.force_login(w.reviewer)

    page = client.get(NEW).content.decode()
    assert "资江街道" not in page
    assert w.other_leader.name not in page

    edit = client.get(_url("edit", project)).content.decode()
    assert f'<option value="{town.pk}" selected>' in edit
    assert f'<option value="{w.other_leader.pk}" selected>' in edit
