"""Every reserve page for each persona: works, another county's object 404, anonymous to login, read-only 403;
query counts pinned on the lists; the exports."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu import clock
from guatu.audit.models import AuditEvent
from guatu.projects.schedule import milestone_add
from guatu.reserve import services
from guatu.reserve.models import FundingApplication
from guatu.testing import make_other_county, make_project

pytestmark = pytest.mark.django_db


def _application(project, by, **kw):
    return services.funding_application_create(
        project=project, kind=kw.pop("kind", "special_bonds"), year=2022, amount_requested=Decimal("1200.50"), by=by, **kw
    )


@pytest.fixture
def other(world):
    county = make_other_county()
    project = make_project(location=county.town, name="琅塘镇污水处理厂", tier="reserve", plan=None)
    return county, project, _application(project, None)


def _pages(world, app):
    p = world.project_a.pk
    return {
        "depth": reverse("reserve:depth"),
        "applications": reverse("reserve:applications"),
        "application": reverse("reserve:application", args=[app.pk]),
        "rules": reverse("reserve:rules"),
        "rule_edit": reverse("reserve:rule_edit", args=["rolling", "industry"]),
        "gate_edit": reverse("reserve:gate_edit", args=["implementation"]),
        "tier": reverse("reserve:tier", args=[p]),
        "application_new": reverse("reserve:application_new", args=[p]),
        "application_edit": reverse("reserve:application_edit", args=[app.pk]),
        "application_step": reverse("reserve:application_step", args=[app.pk, "submit"]),
    }


def test_anonymous_is_sent_to_log_in(client, world):
    app = _application(world.project_a, world.reviewer)
    for url in _pages(world, app).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["city_admin", "reviewer"])
def test_the_office_opens_every_page(client, world, persona):
    app = _application(world.project_a, world.reviewer)
    client.force_login(world.personas[persona])
    for name, url in _pages(world, app).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "Funding" not in response.content.decode().split("<main")[1], name  # Chinese, not English


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_read_only_roles_read_and_may_not_write(client, world, persona):
    app = _application(world.project_a, world.reviewer)
    client.force_login(world.personas[persona])
    pages = _pages(world, app)
    for name in ("depth", "applications"):
        assert client.get(pages[name]).status_code == 200
    assert client.get(pages["application"]).status_code in (200, 404)  # 404 where the project is not theirs
    for name in ("rules", "rule_edit", "gate_edit"):
        assert client.post(pages[name], {"min_investment": "1", "version": "0"}).status_code == 403, name
    for name in ("tier", "application_new", "application_edit", "application_step"):
        assert client.post(pages[name], {"tier": "reserve", "reason": "x", "version": "1"}).status_code in (403, 404), name
    assert not AuditEvent.objects.filter(action__in=["project.tier", "reserve.entry_rule", "funding.submit"]).exists()


def test_the_responsible_leader_sees_the_application_of_their_project(client, world):
    app = _application(world.project_a, world.reviewer)
    client.force_login(world.leader_user)
    assert client.get(reverse("reserve:application", args=[app.pk])).status_code == 200
    page = client.get(reverse("projects:detail", args=[world.project_a.pk])).content.decode()
    assert "资金申报" in page and "地方政府专项债券" in page and 'id="add-application"' not in page


def test_another_countys_objects_are_404(client, world, other):
    county, project, app = other
    client.force_login(world.city_admin)
    for url in (
        reverse("reserve:application", args=[app.pk]),
        reverse("reserve:application_edit", args=[app.pk]),
        reverse("reserve:application_step", args=[app.pk, "submit"]),
        reverse("reserve:tier", args=[project.pk]),
        reverse("reserve:application_new", args=[project.pk]),
    ):
        assert client.get(url).status_code == 404, url
    listed = client.get(reverse("reserve:applications")).content.decode()
    assert "琅塘镇污水处理厂" not in listed
    client.force_login(county.admin)  # and the other way round
    assert client.get(reverse("reserve:application", args=[app.pk])).status_code == 200
    assert client.get(reverse("reserve:tier", args=[world.project_a.pk])).status_code == 404


def test_tier_page_refuses_a_promotion_without_gates_and_moves_with_them(client, world):
    project = make_project(location=world.town_a, tier="reserve", plan=None, total_investment="9000")
    client.force_login(world.reviewer)
    url = reverse("reserve:tier", args=[project.pk])
    response = client.post(url, {"tier": "rolling", "reason": "立项在即", "version": project.version})
    assert response.status_code == 400 and "立项审批备案" in response.content.decode()
    milestone_add(project=project, kind="approval", name="项目备案", planned_date=date(2021, 5, 1),
                  actual_date=date(2021, 5, 20), by=world.reviewer)
    response = client.post(url, {"tier": "rolling", "reason": "已备案", "version": project.version})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.tier == "rolling"
    stale = client.post(url, {"tier": "reserve", "reason": "退回", "version": project.version - 1})
    assert stale.status_code == 400
    missing = client.post(url, {"tier": "reserve", "reason": "退回"})
    assert missing.status_code == 400


def test_edit_form_does_not_set_the_tier(client, world):
    client.force_login(world.city_admin)
    page = client.get(reverse("projects:edit", args=[world.project_a.pk])).content.decode()
    assert 'name="tier"' not in page and 'id="current-tier"' in page


def test_rules_pages_save_and_show_history_in_chinese(client, world):
    client.force_login(world.city_admin)
    url = reverse("reserve:rule_edit", args=["rolling", "industry"])
    response = client.post(url, {"min_investment": "3000", "required_kinds": ["approval", "land"], "version": "0"})
    assert response.status_code == 302
    bad = client.post(url, {"min_investment": "1e20", "version": "1"})
    assert bad.status_code == 400
    gate = client.post(reverse("reserve:gate_edit", args=["rolling"]), {"gate_kinds": ["approval", "energy"], "version": "0"})
    assert gate.status_code == 302
    page = client.get(reverse("reserve:rules")).content.decode()
    assert "3000.00" in page and "能评" in page and "设置入库条件" in page and "最低总投资" in page
    assert "min_investment" not in page


def test_application_pages_walk_the_workflow(client, world):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reserve:application_new", args=[world.project_a.pk]),
        {"kind": "central_budget", "year": "2022", "amount_requested": "500", "note": "", "version": ""},
    )
    assert response.status_code == 302
    app = FundingApplication.objects.get()
    step = lambda name, **data: client.post(reverse("reserve:application_step", args=[app.pk, name]), data)  # noqa: E731
    today = clock.today().isoformat()
    assert step("approve", on=today, amount_approved="400", version=app.version).status_code == 400  # not yet applied
    assert step("submit", on=today, version=app.version).status_code == 302
    app.refresh_from_db()
    assert step("approve", on=today, amount_approved="abc", version=app.version).status_code == 400
    assert step("approve", on=today, amount_approved="400", version=app.version).status_code == 302
    page = client.get(reverse("reserve:application", args=[app.pk])).content.decode()
    assert "已批复" in page and "资金已批复" in page and "批复金额" in page


def test_lists_and_depth_pin_their_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    _application(world.project_a, world.reviewer)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("reserve:applications"))
    with django_assert_max_num_queries(20) as few_depth:
        client.get(reverse("reserve:depth"), {"by": "chain"})
    for i in range(12):
        project = make_project(location=world.town_b, tier=["reserve", "rolling", "implementation"][i % 3], plan=None)
        milestone_add(project=project, kind="approval", name="备案", planned_date=date(2021, 1, 1),
                      actual_date=date(2021, 2, 1), by=world.reviewer)
        _application(project, world.reviewer, kind="policy_finance")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("reserve:applications"))
    assert response.content.decode().count('href="/reserve/applications/') >= 13
    with django_assert_max_num_queries(len(few_depth.captured_queries)):
        client.get(reverse("reserve:depth"), {"by": "chain"})


def test_depth_counts_and_ready_investment_exactly(client, world):
    ready = make_project(location=world.town_a, tier="reserve", plan=None, total_investment="3000.25", start_year=2024, end_year=2026)
    make_project(location=world.town_a, tier="reserve", category="infrastructure", plan=None, total_investment="1000.10", start_year=2024, end_year=2026)
    milestone_add(project=ready, kind="approval", name="备案", planned_date=date(2021, 1, 1), actual_date=date(2021, 2, 1), by=world.reviewer)
    client.force_login(world.city_admin)
    response = client.get(reverse("reserve:depth"), {"by": "year"})
    row = next(r for r in response.context["depth"].rows if r.tier == "reserve" and r.key == 2024)
    assert (row.count, row.investment, row.ready_count, row.ready_investment) == (2, Decimal("4000.35"), 1, Decimal("3000.25"))
    top = response.context["depth"].totals[2]
    assert top.tier == "implementation" and top.ready_count is None and top.count == 2  # world's two projects
    book = load_workbook(io.BytesIO(client.get(reverse("reserve:depth"), {"by": "year", "export": "xlsx"}).content))
    values = [[c for c in r] for r in book.active.iter_rows(values_only=True)]
    assert ["储备库（五年）", "2024", 2, 4000.35, 1, 3000.25] in values
    assert values[2][2] == "项目个数"


def test_application_export(client, world):
    _application(world.project_a, world.reviewer, note="=HYPERLINK(\"x\")")
    client.force_login(world.reviewer)
    response = client.get(reverse("reserve:applications"), {"export": "xlsx", "kind": "special_bonds"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any(r and r[0] == world.project_a.name and r[3] == "地方政府专项债券" and r[5] == 1200.5 for r in rows)
