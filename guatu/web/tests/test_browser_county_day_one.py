"""Acceptance (issue 8, line 1): a county runs on Guatu from its first day, in a real browser.

The city administrator adds a township, a reporter for it and a project with its "five ones", a milestone and a
plan phased by month; the new reporter logs in with the initial password, must change it, then files the month's
report; the project's history shows every step in Chinese, with names and never raw field names or ids.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.projects.models import Project
from guatu.reports.models import MonthlyReport, ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INITIAL = "Chushi#2022mima"
CHOSEN = "Xinjian!2022hetang"


def _choose(page, select: str, text: str) -> None:
    """Pick the option whose label contains `text` (tree pickers indent their labels)."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.select_option(select, value=value)


def test_a_county_sets_up_a_township_a_reporter_and_a_project_and_the_report_is_filed(
    live_server, world, browser_as, open_browser
):
    w = world
    url = live_server.url
    admin = browser_as(w.city_admin)

    # A township under the city.
    admin.goto(url + reverse("orgs:unit_new"))
    admin.fill("#id_name", "冷水江市新建镇")
    admin.fill("#id_short_name", "新建镇")
    admin.fill("#id_aliases", "新建")
    admin.select_option("#id_kind", label="乡镇")
    _choose(admin, "#id_parent", w.city.name)
    admin.locator("main form button[type=submit]").first.click()
    expect(admin.locator(".messages")).to_be_visible()
    expect(admin.locator("main")).to_contain_text("新建镇")

    # A reporter for it, with an initial password.
    admin.goto(url + reverse("accounts:user_new"))
    admin.fill("#id_username", "xinjian_tb")
    admin.fill("#id_name", "李新")
    _choose(admin, "#id_org_unit", "新建镇")
    admin.select_option("#id_role", label="单位填报员")
    admin.fill("#id_password", INITIAL)
    admin.locator("main form button[type=submit]").first.click()
    expect(admin.locator(".messages")).to_be_visible()

    # A project with its five ones.
    admin.goto(url + reverse("projects:new"))
    admin.fill("#id_code", "2022-431381-48-01-000901")
    admin.fill("#id_name", "新建镇农村供水保障工程")
    admin.locator(f"input[name=tags][value={w.county_tag.code}]").check()
    admin.select_option("#id_category", value="livelihood")
    admin.select_option("#id_stage", value="new")
    expect(admin.locator("#current-tier")).to_contain_text("储备库")  # a new project enters the reserve tier
    _choose(admin, "#id_location_unit", "新建镇")
    admin.fill("#id_owner", "冷水江市新建镇人民政府")
    admin.fill("#id_start_year", "2022")
    admin.fill("#id_end_year", "2023")
    admin.fill("#id_total_investment", "3600")
    _choose(admin, "#id_responsible_leader", w.leader.name)
    _choose(admin, "#id_lead_unit", "新建镇")
    admin.fill("#id_support_units", "市住建局")
    admin.fill("#id_tf-0-name", "王专班")
    admin.fill("#id_tf-0-duty", "专班长")
    admin.locator("main form button[type=submit]").first.click()
    assert admin.locator(".field-error, .form-errors").all_inner_texts() == []
    expect(admin.locator("h1")).to_contain_text("新建镇农村供水保障工程")
    project = Project.objects.get(code="2022-431381-48-01-000901")
    assert project.lead_unit.short_name == "新建镇" and project.tier == "reserve"
    assert [link.unit for link in project.support_links.all()] == [w.dept]

    # A milestone and the year's plan, phased by month (the months add up to the year).
    admin.locator("#add-milestone").click()
    admin.select_option("#id_kind", value="start")
    admin.fill("#id_name", "主体工程开工")
    admin.fill("#id_planned_date", "2022-03-31")
    admin.locator("main form button[type=submit]").first.click()
    expect(admin.locator("main")).to_contain_text("主体工程开工")
    admin.goto(url + reverse("projects:plan_edit", args=[project.pk, 2022]))
    admin.fill("#id_amount", "1200")
    for month in range(1, 13):
        admin.fill(f"#id_month_{month}", "100")
    admin.locator("main form button[type=submit]").first.click()
    expect(admin.locator("main")).to_contain_text("1200.00")

    # The reporter logs in with the initial password and must choose a new one first.
    reporter, _network = open_browser(phone=True)
    reporter.goto(url + reverse("login"))
    reporter.fill("#id_username", "xinjian_tb")
    reporter.fill("#id_password", INITIAL)
    reporter.click("button[type=submit]")
    reporter.wait_for_url(re.compile(reverse("accounts:password_change")))
    reporter.goto(url + reverse("projects:list"))
    expect(reporter).to_have_url(re.compile(reverse("accounts:password_change")))
    reporter.fill("#id_old_password", INITIAL)
    reporter.fill("#id_new_password", CHOSEN)
    reporter.fill("#id_new_password2", CHOSEN)
    reporter.locator("main form button[type=submit]").first.click()
    reporter.wait_for_url(lambda u: reverse("accounts:password_change") not in u)

    # ... and files March.
    reporter.goto(url + reverse("reports:edit", args=[project.pk, "2022-03"]))
    reporter.fill("#id_amount", "260.50")
    reporter.fill("#id_physical_progress", "取水泵站基础完工")
    reporter.get_by_role("button", name="保存并报送").click()
    expect(reporter.locator(".messages")).to_contain_text("月报已保存并报送审核")
    report = MonthlyReport.objects.get(project=project, year=2022, month=3)
    assert report.status == ReportStatus.SUBMITTED and str(report.amount) == "260.50"

    # The project's history tells every step in Chinese, with names, not field names or ids.
    admin.goto(url + reverse("projects:detail", args=[project.pk]))
    history = admin.locator("#history, .history").first
    text = history.inner_text()
    for words in (
        "创建项目",
        "设定年度计划",
        "新增推进节点",
        "报送月报",
        w.leader.name,
        "新建镇",
        w.dept.name,
        "王专班",
        "李新",
    ):
        assert words in text, f"{words} missing from the history: {text}"
    for raw in ("responsible_leader", "lead_unit", "location_unit", "planned_date", "amount", "None"):
        assert raw not in text, f"raw {raw} in the history: {text}"
