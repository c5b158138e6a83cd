"""The list of level tags: the city administrator's; create, edit with a version, delete only when unused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.audit.models import AuditEvent
from guatu.audit.queries import business_events
from guatu.projects import schedule
from guatu.projects.models import LevelTag
from guatu.testing import make_project, make_tag, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("projects:tag_list")
ADD = reverse("projects:tag_add")


def page(response) -> str:
    return response.content.decode()


def _counts():
    return LevelTag.objects.count(), business_events().count()  # a refusal is audited too: access.denied


# --- services


def test_update_is_version_locked_and_audited(world):
    tag = world.county_tag
    schedule.level_tag_update(
        tag=tag,
        name="市重点",
        bulletin_label="市级重点项目",
        sort_order=1,
        in_bulletin=False,
        expected_version=1,
        by=world.city_admin,
    )
    tag.refresh_from_db()
    assert (tag.name, tag.bulletin_label, tag.sort_order, tag.in_bulletin, tag.version) == (
        "市重点",
        "市级重点项目",
        1,
        False,
        2,
    )
    event = AuditEvent.objects.get(action="leveltag.update")
    assert event.before == {
        "name": "市本级重点",
        "bulletin_label": "市本级重点项目",
        "sort_order": 3,
        "in_bulletin": True,
    }
    before = _counts()
    for version in (1, None):
        with pytest.raises(ValidationError) as error:
            schedule.level_tag_update(
                tag=tag,
                name="x",
                bulletin_label="x",
                sort_order=0,
                in_bulletin=True,
                expected_version=version,
                by=world.city_admin,
            )
        assert "version" in error.value.message_dict
    assert _counts() == before


def test_only_the_city_administrator_manages_tags(world):
    before = _counts()
    for user in (world.reviewer, world.reporter, world.leader_user, world.viewer):
        with pytest.raises(PermissionDenied):
            schedule.level_tag_add(code="prov", name="省重点", bulletin_label="省重点项目", by=user)
        with pytest.raises(PermissionDenied):
            schedule.level_tag_update(
                tag=world.pref_tag,
                name="x",
                bulletin_label="x",
                sort_order=0,
                in_bulletin=True,
                expected_version=1,
                by=user,
            )
    assert _counts() == before


def test_a_tag_in_use_cannot_be_deleted(world):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        schedule.level_tag_delete(tag=world.county_tag, expected_version=1, by=world.city_admin)
    assert "2 个项目" in " ".join(error.value.messages)
    assert _counts() == before
    unused = make_tag("major", "重大")
    schedule.level_tag_delete(tag=unused, expected_version=1, by=world.city_admin)
    assert not LevelTag.objects.filter(code="major").exists()
    assert AuditEvent.objects.get(action="leveltag.delete").before["name"] == "重大"


# --- pages


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("reviewer", 403),
        ("reporter", 403),
        ("dept_reporter", 403),
        ("leader", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_tag_pages_per_persona(client, world, persona, status):
    client.force_login(world.personas[persona])
    edit = reverse("projects:tag_edit", args=[world.county_tag.pk])
    for url in (LIST, ADD, edit):
        assert client.get(url).status_code == status, url
    before = _counts()
    response = client.post(
        ADD, {"code": "prov", "name": "省重点", "bulletin_label": "省重点项目", "sort_order": 1}
    )
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert _counts() == before
    menu = 'id="nav-tags"' in page(client.get(reverse("projects:list")))
    assert menu is (status == 200)


def test_anonymous_is_sent_to_log_in(client, world):
    for url in (LIST, ADD, reverse("projects:tag_edit", args=[world.county_tag.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("projects:tag_delete", args=[world.county_tag.pk]), {"version": 1})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_tag_is_not_found(client, world):
    client.force_login(world.city_admin)
    assert client.get(reverse("projects:tag_edit", args=[9999])).status_code == 404


def test_create_edit_and_the_list(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        ADD,
        {
            "code": "prov",
            "name": "省重点",
            "bulletin_label": "省重点项目",
            "sort_order": 1,
            "in_bulletin": "on",
        },
    )
    assert response.status_code == 302
    tag = LevelTag.objects.get(code="prov")
    html = page(client.get(LIST))
    assert "省重点项目" in html and html.index("省重点") < html.index("娄底市重点") < html.index("市本级重点")
    # a tag in use offers no delete; an unused one does
    assert reverse("projects:tag_delete", args=[tag.pk]) in html
    assert reverse("projects:tag_delete", args=[world.county_tag.pk]) not in html

    edit = reverse("projects:tag_edit", args=[tag.pk])
    form = {
        "name": "湖南省重点",
        "bulletin_label": "省重点项目",
        "sort_order": 1,
        "in_bulletin": "on",
        "version": 1,
    }
    assert client.post(edit, form).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.version, tag.code) == ("湖南省重点", 2, "prov")
    response = client.post(edit, {**form, "name": "我的改名"})  # read at version 1: stale
    html = page(response)
    assert response.status_code == 400 and "已被他人修改" in html and 'value="我的改名"' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "county"}, "已存在"),
        ({"code": "有 空格"}, "字母"),
        ({"code": "x" * 31}, "30"),
        ({"name": "名" * 51}, "50"),
        ({"bulletin_label": ""}, "必填"),
        ({"sort_order": "-1"}, "0"),
        ({"sort_order": "99999"}, "32767"),
    ],
)
def test_bad_tag_input_is_a_400_with_a_message(client, world, fields, message):
    client.force_login(world.city_admin)
    before = _counts()
    data = {"code": "prov", "name": "省重点", "bulletin_label": "省重点项目", "sort_order": 1, **fields}
    response = client.post(ADD, data)
    assert response.status_code == 400 and message in page(response)
    assert _counts() == before


def test_delete_through_the_page(client, world):
    unused = make_tag("major", "重大")
    client.force_login(world.city_admin)
    response = client.post(
        reverse("projects:tag_delete", args=[world.county_tag.pk]), {"version": 1}, follow=True
    )
    assert "不能删除" in page(response) and LevelTag.objects.filter(pk=world.county_tag.pk).exists()
    response = client.post(reverse("projects:tag_delete", args=[unused.pk]), {}, follow=True)
    assert "版本" in page(response) and LevelTag.objects.filter(pk=unused.pk).exists()
    client.post(reverse("projects:tag_delete", args=[unused.pk]), {"version": 1})
    assert not LevelTag.objects.filter(pk=unused.pk).exists()
    client.force_login(make_user("other_reviewer", world.city, Role.REVIEWER))
    assert (
        client.post(reverse("projects:tag_delete", args=[world.pref_tag.pk]), {"version": 1}).status_code
        == 403
    )


def test_tag_list_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    with django_assert_max_num_queries(20) as captured:
        client.get(LIST)
    few = len(captured)
    for n in range(25):
        make_tag(f"t{n}", f"清单{n}", order=10 + n)
    with django_assert_max_num_queries(few):
        assert client.get(LIST).status_code == 200


def test_a_tag_another_county_uses_is_not_this_countys_to_change(client, world):
    from guatu.testing import make_other_county

    other = make_other_county()
    theirs = make_tag("xinhua_key", "新化县重点")
    make_project(location=other.town, name="琅塘镇工业园", tags=[theirs])
    shared = world.county_tag  # on this county's projects
    make_project(location=other.town, name="琅塘镇污水厂", tags=[shared])
    unused = make_tag("spare", "备用清单")
    client.force_login(world.city_admin)

    for tag in (theirs, shared):
        assert client.get(reverse("projects:tag_edit", args=[tag.pk])).status_code == 404
        response = client.post(reverse("projects:tag_delete", args=[tag.pk]), {"version": tag.version})
        assert response.status_code == 404
    assert client.get(reverse("projects:tag_edit", args=[unused.pk])).status_code == 200
    page = client.get(reverse("projects:tag_list")).content.decode()
    assert reverse("projects:tag_edit", args=[theirs.pk]) not in page
    assert reverse("projects:tag_edit", args=[unused.pk]) in page

    client.force_login(other.admin)
    assert client.get(reverse("projects:tag_edit", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("projects:tag_edit", args=[shared.pk])).status_code == 404
