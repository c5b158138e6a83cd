"""The import page: upload → dry run → confirm imports exactly the file that was checked. Access per persona."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guatu.audit.models import AuditEvent
from guatu.imports import pending
from guatu.imports.models import ProjectImport
from guatu.imports.tests.sheets import dispatch_workbook, to_bytes
from guatu.orgs.models import OrgUnitKind
from guatu.projects.models import Project
from guatu.testing import make_tag, make_unit

PAGE = reverse("imports:projects")
CONFIRM = reverse("imports:projects_confirm")


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _upload(data: bytes, name="调度表.xlsx", **extra):
    return {"file": SimpleUploadedFile(name, data), **extra}


def assert_login_redirect(response):
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["city_admin", "reviewer"])
def test_check_then_confirm_imports_the_checked_file(client, world, persona):
    tag = make_tag("key2022", "2022年调度项目", order=9)
    client.force_login(world.personas[persona])
    assert client.get(PAGE).status_code == 200
    data = to_bytes(dispatch_workbook())
    projects = Project.objects.count()

    response = client.post(PAGE, _upload(data, tags=[tag.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-action="created"') == 3 and "锑品深加工扩能项目" in page
    assert "将新增 3 个，更新 0 个，无变化 0 个。" in page
    assert Project.objects.count() == projects  # a dry run
    sha256 = response.context["confirm"].initial["sha256"]
    assert pending.take(world.personas[persona], sha256) is not None

    response = client.post(CONFIRM, {"sha256": sha256, "period": "2022-03", "tags": [tag.pk]})
    assert response.status_code == 302
    assert Project.objects.count() == projects + 3
    assert set(Project.objects.filter(tags=tag).values_list("name", flat=True)) >= {"锑品深加工扩能项目"}
    assert ProjectImport.objects.get().sha256 == sha256
    assert pending.take(world.personas[persona], sha256) is None  # removed once imported
    page = client.get(PAGE).content.decode()
    assert "调度表.xlsx 已导入（2022-03）：新增 3 个，更新 0 个，无变化 0 个。" in page

    response = client.post(PAGE, _upload(data, tags=[tag.pk]))
    assert response.context["confirm"] is None and "无需变更" in response.content.decode()


@pytest.mark.django_db
def test_problems_are_shown_by_sheet_row_and_column_and_nothing_kept(client, world):
    client.force_login(world.reviewer)
    sections = [
        (
            "一、产业发展类",
            [
                (
                    "甲项目",
                    "2022-4313",
                    "新建",
                    "禾青镇",
                    "",
                    "2022-2023",
                    "约5亿",
                    100,
                    1,
                    2,
                    "",
                    "",
                    "市住建局",
                    "李建国",
                    "某公司",
                )
            ],
        )
    ]
    events = AuditEvent.objects.count()
    response = client.post(PAGE, _upload(to_bytes(dispatch_workbook(sections=sections))))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["confirm"] is None
    assert '<td data-label="列">总投资</td><td data-label="问题">“约5亿”不是金额。</td>' in page
    assert "项目代码" in page and "未写入任何数据" in page
    assert AuditEvent.objects.count() == events
    assert not list(pending._folder(world.reviewer).glob("*"))  # nothing kept to confirm


@pytest.mark.django_db
def test_a_hostile_file_gets_its_message_as_a_form_error(client, world):
    client.force_login(world.city_admin)
    response = client.post(PAGE, _upload(b"<html><script>alert(1)</script></html>", name="调度表.xlsx"))
    assert response.status_code == 400
    assert "调度表.xlsx" in response.content.decode() and "form-errors" in response.content.decode()


@pytest.mark.django_db
def test_confirm_needs_the_users_own_checked_file(client, world):
    data = to_bytes(dispatch_workbook())
    sha256 = pending.keep(world.city_admin, data, "调度表.xlsx")
    client.force_login(world.reviewer)  # another user cannot confirm it
    response = client.post(CONFIRM, {"sha256": sha256, "period": "2022-03"})
    assert response.status_code == 302 and not ProjectImport.objects.exists()
    client.force_login(world.city_admin)
    assert client.post(CONFIRM, {"sha256": "../" + sha256[3:], "period": "2022-03"}).status_code == 302
    assert not ProjectImport.objects.exists()


def test_old_pending_files_are_removed(settings, tmp_path, django_user_model):
    user = django_user_model(pk=41)
    old = pending.keep(user, b"old", "a.xlsx")
    for path in pending._folder(user).glob(f"{old}.*"):
        os.utime(path, (time.time() - 2 * pending.MAX_AGE_SECONDS,) * 2)
    new = pending.keep(user, b"new", "b.xlsx")
    assert pending.take(user, old) is None and pending.take(user, new) == (b"new", "b.xlsx")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer", "outsider"])
def test_other_roles_may_not_import(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, _upload(to_bytes(dispatch_workbook()))).status_code == 403
    assert client.post(CONFIRM, {"sha256": "0" * 64}).status_code == 403
    assert not Project.objects.filter(name="锑品深加工扩能项目").exists()


@pytest.mark.django_db
def test_anonymous_goes_to_login(client, world):
    assert_login_redirect(client.get(PAGE))
    assert_login_redirect(client.post(PAGE, _upload(to_bytes(dispatch_workbook()))))
    assert_login_redirect(client.post(CONFIRM, {"sha256": "0" * 64}))


@pytest.mark.django_db
def test_recent_imports_list_has_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from guatu import clock

    client.force_login(world.reviewer)

    def add(n, jurisdiction=world.city):
        for i in range(n):
            ProjectImport.objects.create(
                jurisdiction=jurisdiction,
                file_name=f"{i}.xlsx",
                sha256="0" * 64,
                year=2022,
                month=3,
                created=1,
                updated=0,
                unchanged=0,
                by=world.reviewer,
                at=clock.now(),
            )

    add(1)
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    add(9)
    add(1, jurisdiction=make_unit("新化县", OrgUnitKind.COUNTY))  # another county's import is not listed
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).content.decode().count(".xlsx</td>") == 10


@pytest.mark.django_db
def test_the_menu_offers_the_import_to_reviewers_only(client, world):
    client.force_login(world.reviewer)
    assert 'id="nav-import"' in client.get(reverse("projects:list")).content.decode()
    client.force_login(world.reporter)
    assert 'id="nav-import"' not in client.get(reverse("projects:list")).content.decode()
