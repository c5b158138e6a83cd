"""Milestone and annual-plan pages: who may open them, what they write, the history they leave, and queries."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.audit.queries import business_events
from guatu.orgs.models import OrgUnitKind
from guatu.projects import schedule
from guatu.projects.models import AnnualPlan, Milestone, PlanMonth
from guatu.projects.phasing import refresh_phasing
from guatu.testing import make_project, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _april_2022():
    with time_machine.travel(date(2022, 4, 10)):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def milestone(world):
    return schedule.milestone_add(
        project=world.project_a,
        kind="land",
        name="用地预审",
        planned_date=date(2022, 2, 10),
        by=world.reviewer,
    )


@pytest.fixture
def other_county():
    county = make_unit("新化县", OrgUnitKind.COUNTY)
    town = make_unit("洋溪镇", OrgUnitKind.TOWNSHIP, county)
    project = make_project(location=town, name="洋溪镇物流园")
    return {
        "project": project,
        "reviewer": make_user("xinhua", county, Role.REVIEWER),
        "milestone": Milestone.objects.create(
            project=project, kind="land", name="用地", planned_date=date(2022, 1, 1)
        ),
    }


def page(response) -> str:
    return response.content.decode()


def _counts():
    return (
        Milestone.objects.count(),
        AnnualPlan.objects.count(),
        PlanMonth.objects.count(),
        business_events().count(),  # a refusal is audited too, as access.denied
    )


def _urls(project, milestone):
    return [
        reverse("projects:milestone_add", args=[project.pk]),
        reverse("projects:milestone_edit", args=[project.pk, milestone.pk]),
        reverse("projects:milestone_complete", args=[project.pk, milestone.pk]),
        reverse("projects:milestone_delete", args=[project.pk, milestone.pk]),
        reverse("projects:plan_edit", args=[project.pk, 2022]),
    ]


# --- access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("reviewer", 200),
        ("reporter", 403),  # sees the project, may not change it
        ("dept_reporter", 403),
        ("leader", 403),
        ("viewer", 403),
        ("outsider", 404),  # another township's reporter does not see it
    ],
)
def test_schedule_pages_per_persona(client, world, milestone, persona, status):
    client.force_login(world.personas[persona])
    for url in _urls(world.project_a, milestone):
        assert client.get(url).status_code == status, url
    before = _counts()
    response = client.post(
        _urls(world.project_a, milestone)[0], {"kind": "land", "name": "x", "planned_date": "2022-05-01"}
    )
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert _counts() == before


def test_another_countys_project_is_not_found(client, world, other_county):
    project, milestone = other_county["project"], other_county["milestone"]
    for user in (world.city_admin, world.reviewer):
        client.force_login(user)
        for url in _urls(project, milestone):
            assert client.get(url).status_code == 404, url
    # ...and a milestone of another project is not found under one the user may change
    client.force_login(world.reviewer)
    assert (
        client.get(reverse("projects:milestone_edit", args=[world.project_a.pk, milestone.pk])).status_code
        == 404
    )
    client.force_login(other_county["reviewer"])
    assert client.get(_urls(project, milestone)[1]).status_code == 200


def test_anonymous_is_sent_to_log_in(client, world, milestone):
    urls = _urls(world.project_a, milestone)
    urls.append(reverse("projects:milestone_attachment", args=[world.project_a.pk, milestone.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_edit_links_only_for_those_who_may(client, world, milestone):
    detail = reverse("projects:detail", args=[world.project_a.pk])
    edit = reverse("projects:milestone_edit", args=[world.project_a.pk, milestone.pk])
    plan = reverse("projects:plan_edit", args=[world.project_a.pk, 2022])
    client.force_login(world.reviewer)
    html = page(client.get(detail))
    assert edit in html and plan in html and 'id="add-milestone"' in html
    for persona in ("reporter", "leader", "viewer"):
        client.force_login(world.personas[persona])
        html = page(client.get(detail))
        assert edit not in html and plan not in html and 'id="add-milestone"' not in html


# --- milestones: add with an attachment, mark done, history ----------------------------------------------


def test_add_with_attachment_served_through_the_gateway(client, world, media):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("projects:milestone_add", args=[world.project_a.pk]),
        {
            "kind": "environment",
            "name": "环评批复",
            "planned_date": "2022-03-15",
            "actual_date": "",
            "document_no": "",
            "attachment": SimpleUploadedFile("环评报告.pdf", b"%PDF-1.4 report"),
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(name="环评批复")
    assert (media / milestone.attachment.name).exists()
    download = reverse("projects:milestone_attachment", args=[world.project_a.pk, milestone.pk])
    assert download in page(client.get(reverse("projects:detail", args=[world.project_a.pk])))

    client.force_login(world.reporter)  # may see the project: may read its documents
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(world.outsider)
    assert client.get(download).status_code == 404
    client.force_login(world.reviewer)
    assert (
        client.get(
            reverse("projects:milestone_attachment", args=[world.project_a.pk, milestone.pk + 1])
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("批复.pdf", b"MZ\x90\x00", "不是真正的 .pdf 文件"),
        ("批复.html", b"<html></html>", "不能作为附件"),
        ("长" * 140 + ".pdf", b"%PDF-1.4", "文件名过长"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_written(
    client, world, milestone, media, name, content, message
):
    client.force_login(world.reviewer)
    before = _counts()
    response = client.post(
        reverse("projects:milestone_complete", args=[world.project_a.pk, milestone.pk]),
        {
            "actual_date": "2022-04-01",
            "document_no": "冷自然资〔2022〕7号",
            "version": milestone.version,
            "attachment": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400 and message in page(response)
    assert _counts() == before
    assert not any(media.rglob("*")) if media.exists() else True


def test_mark_done_and_the_history_reads_in_chinese(client, world, milestone):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("projects:milestone_edit", args=[world.project_a.pk, milestone.pk]),
        {"kind": "land", "name": "用地预审", "planned_date": "2022-03-01", "version": milestone.version},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("projects:milestone_complete", args=[world.project_a.pk, milestone.pk]),
        {"actual_date": "2022-03-20", "document_no": "冷自然资〔2022〕7号", "version": milestone.version + 1},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.actual_date, milestone.document_no) == (date(2022, 3, 20), "冷自然资〔2022〕7号")

    history = page(client.get(reverse("projects:detail", args=[world.project_a.pk])))
    history = history[history.index('id="history"') :]
    for text in (
        "新增推进节点",
        "修改推进节点",
        "推进节点完成",
        "推进节点 用地预审",
        "计划日期",
        "实际完成日期",
        "文号",
        "冷自然资〔2022〕7号",
    ):
        assert text in history, text
    for raw in ("planned_date", "actual_date", "document_no", "milestone.complete", "Milestone"):
        assert raw not in history, raw


def test_stale_save_is_refused_and_input_kept(client, world, milestone):
    client.force_login(world.reviewer)
    url = reverse("projects:milestone_edit", args=[world.project_a.pk, milestone.pk])
    form = {
        "kind": "land",
        "name": "用地预审（调整）",
        "planned_date": "2022-03-01",
        "version": milestone.version,
    }
    assert client.post(url, form).status_code == 302
    before = _counts()
    response = client.post(url, {**form, "name": "我的改动", "planned_date": "2022-06-30"})
    html = page(response)
    assert response.status_code == 400 and "已被他人修改" in html
    assert 'value="我的改动"' in html and 'value="2022-06-30"' in html
    response = client.post(url, {key: value for key, value in form.items() if key != "version"})
    assert response.status_code == 400 and "版本" in page(response)
    assert _counts() == before


def test_delete_with_a_reason(client, world, milestone):
    client.force_login(world.city_admin)
    url = reverse("projects:milestone_delete", args=[world.project_a.pk, milestone.pk])
    response = client.post(url, {"reason": "", "version": milestone.version})
    assert response.status_code == 400 and Milestone.objects.filter(pk=milestone.pk).exists()
    assert client.post(url, {"reason": "与施工许可合并", "version": milestone.version}).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    history = page(client.get(reverse("projects:detail", args=[world.project_a.pk])))
    assert "删除推进节点" in history and "与施工许可合并" in history


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "长" * 101}, "100"),
        ({"planned_date": "1999-12-31"}, "2000"),
        ({"planned_date": "2022-02-30"}, "日期"),
        ({"kind": "nonsense"}, "nonsense"),
    ],
)
def test_bad_milestone_input_is_a_400_with_a_message(client, world, fields, message):
    client.force_login(world.reviewer)
    before = _counts()
    data = {"kind": "land", "name": "用地", "planned_date": "2022-05-01", **fields}
    response = client.post(reverse("projects:milestone_add", args=[world.project_a.pk]), data)
    assert response.status_code == 400 and message in page(response)
    assert _counts() == before


# --- annual plans ---------------------------------------------------------------------------------------


def _plan_form(version, amount, months=None):
    data = {"version": version, "amount": amount}
    data.update({f"month_{m}": "" for m in range(1, 13)})
    data.update({f"month_{m}": v for m, v in (months or {}).items()})
    return data


def test_plan_phased_by_month_and_its_history(client, world):
    plan = world.project_a.plans.get(year=2022)
    client.force_login(world.reviewer)
    url = reverse("projects:plan_edit", args=[world.project_a.pk, 2022])
    months = {m: "100" for m in range(1, 13)}
    response = client.post(url, _plan_form(plan.version, "1200", months))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.amount, plan.version, plan.months.count()) == (Decimal("1200"), 2, 12)
    html = page(client.get(url))
    assert 'name="month_3" value="100.00"' in html
    history = page(client.get(reverse("projects:detail", args=[world.project_a.pk])))
    history = history[history.index('id="history"') :]
    assert "年度计划 2022" in history and "月度分解" in history and "3月：100.00" in history
    assert "months" not in history


def test_plan_for_a_new_year_and_bad_phasing(client, world):
    client.force_login(world.city_admin)
    url = reverse("projects:plan_edit", args=[world.project_a.pk, 2023])
    assert 'id="no-plan"' in page(client.get(url))
    before = _counts()
    response = client.post(url, _plan_form(0, "1200", {1: "500", 2: "600"}))
    html = page(response)
    assert response.status_code == 400 and "1100" in html and 'value="600"' in html
    response = client.post(url, _plan_form(0, "12345678901234"))
    assert response.status_code == 400 and "不超过 12 位" in page(response)
    response = client.post(url, _plan_form(0, "-5"))
    assert response.status_code == 400
    assert _counts() == before
    assert client.post(url, _plan_form(0, "800")).status_code == 302
    assert world.project_a.plans.get(year=2023).amount == Decimal("800")
    # someone else's save since: the same form again is stale
    response = client.post(url, _plan_form(0, "900"))
    assert response.status_code == 400 and world.project_a.plans.get(year=2023).amount == Decimal("800")


def test_plan_year_outside_the_project_is_not_found(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("projects:plan_edit", args=[world.project_a.pk, 2030])).status_code == 404


# --- queries --------------------------------------------------------------------------------------------


def test_schedule_pages_take_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            schedule.milestone_add(
                project=world.project_a,
                kind="other",
                name=f"节点{i}",
                planned_date=date(2022, 5, 1),
                by=world.reviewer,
            )

    client.force_login(world.reviewer)
    add(1)
    first = world.project_a.milestones.first()
    urls = [
        reverse("projects:milestone_edit", args=[world.project_a.pk, first.pk]),
        reverse("projects:milestone_complete", args=[world.project_a.pk, first.pk]),
        reverse("projects:plan_edit", args=[world.project_a.pk, 2022]),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(12) as captured:
            client.get(url)
        counts[url] = len(captured)
    add(20)
    for m in range(1, 13):
        PlanMonth.objects.create(plan=world.project_a.plans.get(year=2022), month=m, amount=Decimal("1"))
    refresh_phasing()  # months written past the service
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
