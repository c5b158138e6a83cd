"""Acceptance (issue 4, item 5): an indicator value goes from the lead unit to a township's score card.

The housing department (lead unit of the tax indicator) enters the quarter's values for both townships on a
phone, attaches the tax office's certificate and submits; the assessment office downloads the evidence,
approves the values, computes the scheme and publishes it (公示); the township opens its score card and
sees its points, how they were computed, and the what-if.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.assessment.models import Evidence, Indicator, IndicatorValue, ResultSnapshot, ValueStatus
from guatu.assessment.services import value_approve, value_save, value_submit
from guatu.lib.periods import Period
from guatu.testing import make_assessment_office, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q1 = Period(2022, 3)
PROOF = b"%PDF-1.4 tax certificate 2022Q1"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def office_scheme(w):
    """The `office` scheme of the service tests (guatu.testing.make_assessment_office) with its other inputs."""
    scheme = make_assessment_office(w)
    pm25 = Indicator.objects.get(code="pm25")
    # The other inputs, already approved: PM2.5 of both townships, and project A's report (20% of its plan).
    for unit, value in ((w.town_a, "40"), (w.town_b, "30")):
        item = value_save(
            unit=unit,
            indicator=pm25,
            period=Q1,
            value=Decimal(value),
            expected_version=None,
            by=w.dept_reporter,
        )
        item = value_submit(value=item, expected_version=item.version, by=w.dept_reporter)
        value_approve(value=item, expected_version=item.version, by=w.reviewer)
    make_report(w.project_a, "2022-01", "200", reporter=w.reporter, reviewer=w.reviewer)
    return scheme


def test_a_value_with_evidence_reaches_the_townships_score_card(live_server, world, browser_as, tmp_path):
    w = world
    scheme = office_scheme(w)
    tax = Indicator.objects.get(code="tax")

    # The housing department enters the tax figures on a phone, with the certificate, and submits.
    dept = browser_as(w.dept_reporter, phone=True)
    dept.goto(live_server.url + reverse("assessment:value_grid", args=[tax.pk, "2022-03"]))
    expect(dept.locator("h1")).to_contain_text("税收收入")
    row_a = dept.locator("tr[data-unit=禾青镇]")
    row_b = dept.locator("tr[data-unit=渣渡镇]")
    value_a = row_a.get_by_label("禾青镇 数值")
    expect(value_a).to_have_attribute("inputmode", "decimal")
    assert value_a.bounding_box()["width"] > 200  # one column on a phone
    value_a.fill("１２００")  # a phone's full-width digits
    row_a.get_by_label("禾青镇 备注").fill("税务局一季度数据")
    row_a.get_by_label("禾青镇 佐证材料").set_input_files(
        files=[{"name": "完税证明.pdf", "mimeType": "application/pdf", "buffer": PROOF}]
    )
    row_b.get_by_label("渣渡镇 数值").fill("800")
    dept.get_by_role("button", name="保存并报送").click()
    expect(dept.locator(".messages")).to_contain_text("2 个数值已保存并报送审核")
    expect(row_a.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(row_a).to_contain_text("完税证明.pdf")

    # The assessment office checks the evidence and approves both values from its queue.
    office = browser_as(w.reviewer)
    office.goto(live_server.url + reverse("assessment:review_queue"))
    queue_a = office.locator("table.queue tr", has_text="禾青镇")
    expect(queue_a).to_contain_text("1200")
    with office.expect_download() as download:
        queue_a.get_by_role("link", name="完税证明.pdf").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PROOF
    # Approving swaps the row in place (htmx); the queue is empty when next opened.
    queue_a.get_by_role("button", name="审核通过").click()
    expect(office.locator("tr.done", has_text="禾青镇")).to_contain_text("数值已审核通过")
    queue_b = office.locator("table.queue tr", has_text="渣渡镇")
    queue_b.get_by_role("button", name="审核通过").click()
    expect(office.locator("tr.done", has_text="渣渡镇")).to_contain_text("数值已审核通过")
    office.reload()
    expect(office.locator(".card.muted")).to_contain_text("暂无待审核的数值")
    assert set(IndicatorValue.objects.filter(indicator=tax).values_list("status", flat=True)) == {
        ValueStatus.APPROVED
    }

    # Before the results exist the township has nothing to see.
    town = browser_as(w.outsider, phone=True)  # a reporter of 渣渡镇
    card_url = live_server.url + reverse("assessment:card", args=[scheme.pk, "2022-03", w.town_b.pk])
    response = town.goto(card_url)
    assert response.status == 404

    # The office computes the scheme and publishes it.
    office.goto(live_server.url + reverse("assessment:results", args=[scheme.pk, "2022-03"]))
    office.get_by_role("button", name="计算", exact=True).click()
    expect(office.locator(".messages")).to_contain_text("2022-03 成绩已计算")
    expect(office.locator("[data-reproduces]")).to_have_attribute("data-reproduces", "yes")
    # 禾青镇: tax best → 40; PM2.5 20 × 35/40 = 17.50; projects 40 × 20/25 = 32 → 89.50, first.
    first = office.locator("tr[data-unit=禾青镇]")
    expect(first.locator("[data-field=total]")).to_have_text("89.50")
    expect(first.locator("[data-field=rank]")).to_have_text("1")
    office.get_by_role("button", name="公示").click()
    expect(office.locator(".messages")).to_contain_text("成绩已公示")
    expect(office.locator("h1 [data-status]")).to_have_attribute("data-status", "published")
    assert ResultSnapshot.objects.get().status == "published"

    # The township reads its card: total, rank, how each indicator was computed, and the what-if.
    town.goto(card_url)
    expect(town.locator("[data-field=total]")).to_have_text("44.00")
    expect(town.locator("[data-field=rank]")).to_contain_text("2")
    tax_row = town.locator("tr[data-code=tax]")
    # Worst tax figure of the group: 40 × (0.6 + 0.4 × (800 − 800)/(1200 − 800)) = 24.
    expect(tax_row.locator("[data-field=points]")).to_contain_text("24 / 40")
    expect(tax_row).to_contain_text("40 × (0.6 + 0.4 × (800 − 800)/(1200 − 800))")
    expect(tax_row.locator("[data-field=gain]")).to_contain_text("每提高 1 万元")
    invest_row = town.locator("tr[data-code=invest]")
    expect(invest_row.locator("[data-field=points]")).to_contain_text("0 / 48")
    expect(invest_row.locator("[data-field=to-next]")).to_contain_text("即可超过禾青镇")
    expect(town.locator(".losing li").first).to_contain_text("重点项目投资完成率")
    # After publication it may appeal an indicator.
    expect(town.get_by_role("button", name="提交申诉")).to_be_visible()
    assert Evidence.objects.get().value.unit == w.town_a
