"""Acceptance (issue 10, item 4): a chain chief's page shows the chain's targets against its actuals; a lead
of the chain is signed, started and converted through the pages; the project it becomes is in the library and
on the chain's page, and the chief's page counts the signed contract and the start.

The day is frozen at 2022-04-24 (the pages open on March 2022, the latest month whose reports are due), the
chain's targets are 2022's, its chain-master firm's 2022 output is entered, and the lead is signed on
10 March and started on 28 March, so every figure below is exact.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.attraction.models import Lead, LeadStatus
from guatu.attraction.tests.helpers import make_lead
from guatu.audit.models import AuditEvent
from guatu.chains import services as chains
from guatu.chains.models import Metric
from guatu.enterprises.services import enterprise_figures_set
from guatu.projects.models import ChainKind, Stage
from guatu.testing import make_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAD = "年产5000吨锑系阻燃新材料项目"


def _line(page, chain, metric) -> tuple[str, Decimal | None, Decimal, str]:
    """One metric's row on the chief's page: its label, target (None for "—"), actual and completion rate.
    Amounts are compared as numbers: the enterprises' sums are not shown with two places (see the report)."""
    cells = page.locator(f"[data-chain='{chain.pk}'] tr[data-metric='{metric}'] td")
    expect(cells).to_have_count(4)
    label, target, actual, rate = cells.all_inner_texts()
    return label, None if target == "—" else Decimal(target), Decimal(actual), rate


def test_a_chain_chief_sees_targets_and_a_lead_is_signed_started_and_converted(
    live_server, world, browser_as, settings
):
    settings.GUATU_TODAY = date(2022, 4, 24)
    w = world
    chain = chains.chain_add(
        jurisdiction=w.city,
        name="锑及有色金属新材料产业链",
        kind=ChainKind.MAIN,
        chief=w.leader,
        lead_unit=w.drc,
        by=w.reviewer,
    )
    for metric, target in ((Metric.OUTPUT, "120000"), (Metric.SIGNED, "50000"), (Metric.STARTED, "4")):
        chains.target_add(chain=chain, year=2022, metric=metric, target=Decimal(target), by=w.reviewer)
    firm = make_enterprise(
        w.town_a,
        "冷水江锑业新材料有限公司",
        chain=chain,
        above_scale=True,
        is_chain_master=True,
        by=w.reviewer,
    )
    enterprise_figures_set(
        enterprise=firm,
        year=2022,
        output=Decimal("35000.50"),
        tax=Decimal("1200"),
        expected_version=None,
        by=w.reviewer,
    )
    lead = make_lead(
        w.town_a, name=LEAD, status=LeadStatus.NEGOTIATING, chain=chain, amount="30000", by=w.reviewer
    )

    # (a) The chain chief lands on their chains' page: 2022's targets against January–March's actuals.
    chief = browser_as(w.leader_user)
    chief.goto(live_server.url + reverse("chains:mine"))
    expect(chief).to_have_url(live_server.url + reverse("chains:chief", args=[w.leader.pk]))
    expect(chief.locator("h1")).to_have_text("李建国的产业链")
    expect(chief.locator(f"[data-chain='{chain.pk}'] h2")).to_contain_text("锑及有色金属新材料产业链")
    expect(chief.get_by_text("完成数为1月至2022-3累计。")).to_be_visible()
    assert _line(chief, chain, Metric.OUTPUT) == (
        "产值（万元）",
        Decimal("120000"),
        Decimal("35000.50"),
        "29.17%",
    )
    assert _line(chief, chain, Metric.SIGNED) == ("签约金额（万元）", Decimal("50000"), Decimal("0"), "0.00%")
    assert _line(chief, chain, Metric.STARTED)[1:] == (Decimal("4"), Decimal("0"), "0.00%")
    assert _line(chief, chain, Metric.ABOVE_SCALE) == ("规上企业（家）", None, Decimal("1"), "—")

    # (b) The reviewer opens the lead from the list, signs it, records its start and converts it.
    reviewer = browser_as(w.reviewer)
    reviewer.goto(live_server.url + reverse("attraction:list"))
    reviewer.get_by_role("link", name=LEAD).click()
    expect(reviewer.locator("h1")).to_have_text(LEAD)
    expect(reviewer.locator("#lead-status")).to_contain_text("洽谈")

    sign = reviewer.locator("form[data-step='lead.sign']")
    sign.get_by_label("签约日期").fill("2022-03-10")
    sign.get_by_label("合同金额（万元）").fill("30000")
    sign.get_by_label("承诺开工日期").fill("2022-04-30")
    sign.get_by_role("button", name="签约").click()
    expect(reviewer.locator(".messages")).to_contain_text("已保存")
    expect(reviewer.locator("#lead-status")).to_contain_text("签约")

    start = reviewer.locator("form[data-step='lead.start']")
    start.get_by_label("开工日期").fill("2022-03-28")
    start.get_by_role("button", name="开工").click()
    expect(reviewer.locator(".messages")).to_contain_text("已保存")
    expect(reviewer.locator("#lead-status")).to_contain_text("开工")

    convert = reviewer.locator("#convert-form")
    convert.get_by_label("竣工年份").fill("2023")
    convert.get_by_role("button", name="转入项目库").click()
    expect(reviewer.locator(".messages")).to_contain_text("该招商项目已转入项目库")
    lead.refresh_from_db()
    project = lead.project
    assert project is not None
    expect(reviewer).to_have_url(live_server.url + reverse("projects:detail", args=[project.pk]))
    expect(reviewer.locator("#project-lead")).to_contain_text(LEAD)  # the link back to the lead

    # Nothing retyped: the project carries the lead's name, investor, amount, chain and start year.
    assert (project.name, project.owner, project.total_investment, project.chain_id) == (
        LEAD,
        "湖南某某投资有限公司",
        Decimal("30000.00"),
        chain.pk,
    )
    assert (project.start_year, project.end_year, project.stage) == (2022, 2023, Stage.NEW)
    lead = Lead.objects.get(pk=lead.pk)
    assert (lead.status, lead.signed_on, lead.promised_start, lead.started_on) == (
        LeadStatus.STARTED,
        date(2022, 3, 10),
        date(2022, 4, 30),
        date(2022, 3, 28),
    )
    assert list(
        AuditEvent.objects.filter(object_type="lead", object_id=lead.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )[-3:] == ["lead.sign", "lead.start", "lead.convert"]

    # The lead page links to its project.
    reviewer.goto(live_server.url + reverse("attraction:detail", args=[lead.pk]))
    expect(reviewer.locator("#lead-project a")).to_have_text(LEAD)
    expect(reviewer.locator("#convert-form")).to_have_count(0)

    # (c) The project is in the library and on the chain's page, the lead with it.
    reviewer.goto(live_server.url + reverse("projects:list"))
    expect(reviewer.get_by_role("link", name=LEAD)).to_be_visible()
    reviewer.goto(live_server.url + reverse("chains:detail", args=[chain.pk]))
    expect(reviewer.locator("#projects").get_by_role("link", name=LEAD)).to_be_visible()
    expect(reviewer.locator("#leads")).to_contain_text(f"{LEAD} · 湖南某某投资有限公司 · 开工")

    # The chief's page now counts the signed contract and the start.
    chief.reload()
    expect(
        chief.locator(f"[data-chain='{chain.pk}'] tr[data-metric='{Metric.STARTED}'] td").nth(2)
    ).to_have_text("1")
    assert _line(chief, chain, Metric.SIGNED) == (
        "签约金额（万元）",
        Decimal("50000"),
        Decimal("30000"),
        "60.00%",
    )
    assert _line(chief, chain, Metric.STARTED)[1:] == (Decimal("4"), Decimal("1"), "25.00%")
