"""Acceptance: a township reporter's monthly report, from a phone to the county's investment summary.

The reporter fills in March 2022 on a phone and submits; the reviewer returns it with a reason; the
reporter reads the reason, corrects and resubmits; the reviewer approves; the summary's county-list
year-to-date figure grows by exactly the approved amount.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.testing import make_project, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "纳统投资与本月完成投资差异较大，请核实后重报"


def county_ytd(page, live_server) -> Decimal:
    """The county list's YTD completed (万元) as the summary page shows it for 2022-03."""
    page.goto(live_server.url + reverse("investment:summary") + "?period=2022-03")
    cell = page.locator("[data-tag=county][data-field=ytd_completed]")
    expect(cell).to_have_count(1)
    return Decimal(cell.get_attribute("data-value"))


def test_a_township_report_goes_from_a_phone_to_the_summary(live_server, world, browser_as):
    w = world
    project = make_project(location=w.town_a, name="禾青镇农产品冷链物流园", tags=[w.county_tag], plan="2000")
    make_report(w.project_b, "2022-01", "200", reporter=w.outsider, reviewer=w.reviewer)
    reviewer = browser_as(w.reviewer)
    before = county_ytd(reviewer, live_server)
    assert before == Decimal("200")

    # The reporter fills in March on a phone and submits.
    reporter = browser_as(w.reporter, phone=True)
    reporter.goto(live_server.url + reverse("reports:edit", args=[project.pk, "2022-03"]))
    expect(reporter.locator("h1")).to_contain_text("2022年3月月报")
    expect(reporter.locator(".report-figures")).to_contain_text(project.name)
    expect(reporter.locator("[data-field=annual_plan]")).to_contain_text("2000.00")
    amount = reporter.locator("#id_amount")
    expect(amount).to_have_attribute("inputmode", "decimal")
    assert amount.bounding_box()["width"] > 300  # one column, full width on a phone
    amount.fill("135.60")
    expect(reporter.locator("[data-field=ytd_after]")).to_have_text("135.60")
    reporter.fill("#id_statistical_amount", "60")
    reporter.fill("#id_physical_progress", "冷库主体完工")
    reporter.fill("#id_problems", "电力增容待批")
    reporter.fill("#id_next_month_plan", "安装制冷设备")
    reporter.get_by_role("button", name="保存并报送").click()
    expect(reporter.locator(".messages")).to_contain_text("月报已保存并报送审核")
    expect(reporter.locator("h1 [data-status]")).to_have_attribute("data-status", "submitted")

    # The reviewer finds it in the queue and returns it with a reason.
    reviewer.goto(live_server.url + reverse("reports:review_queue"))
    row = reviewer.locator("table.queue tr", has_text=project.name)
    expect(row).to_contain_text("135.60")
    row.get_by_role("link", name="退回…").click()
    reviewer.fill("#id_return_reason", RETURN_REASON)
    reviewer.get_by_role("button", name="退回填报人").click()
    expect(reviewer.locator(".messages")).to_contain_text("月报已退回填报人")
    expect(reviewer.locator("h1 [data-status]")).to_have_attribute("data-status", "returned")

    # The reporter sees why, corrects the figure and submits again.
    reporter.reload()
    expect(reporter.locator(".return-reason")).to_have_text(RETURN_REASON)
    reporter.get_by_role("link", name="修改", exact=True).click()
    expect(reporter.locator(".return-reason")).to_have_text(RETURN_REASON)
    expect(reporter.locator("#id_amount")).to_have_value("135.60")
    reporter.fill("#id_amount", "128.40")
    reporter.get_by_role("button", name="保存并报送").click()
    expect(reporter.locator("h1 [data-status]")).to_have_attribute("data-status", "submitted")

    # The reviewer approves from the queue; the report leaves the queue.
    reviewer.goto(live_server.url + reverse("reports:review_queue"))
    row = reviewer.locator("table.queue tr", has_text=project.name)
    expect(row).to_contain_text("128.40")
    row.get_by_role("button", name="审核通过").click()
    expect(reviewer.locator(".messages")).to_contain_text("月报已审核通过")
    expect(reviewer.locator("table.queue tr", has_text=project.name)).to_have_count(0)

    report = MonthlyReport.objects.get(project=project)
    assert (report.status, report.amount, report.year, report.month) == (
        ReportStatus.APPROVED,
        Decimal("128.40"),
        2022,
        3,
    )
    assert county_ytd(reviewer, live_server) - before == Decimal("128.40")
