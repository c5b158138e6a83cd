"""The battle map's chains, investment-attraction, enterprise-request and reserve panels: the figures equal the
queries behind the chain page, the leads list, the problem list (requests only) and the project list per tier,
each drills down to that list with its filters, a county shows its chains without projects, a township only
its own, and the query count does not grow with leads, requests, chains or reserve projects."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu.access import gateway
from guatu.attraction.models import LeadStatus
from guatu.attraction.queries import lead_list
from guatu.attraction.services import funds_set
from guatu.attraction.tests.helpers import make_lead
from guatu.chains import services as chain_services
from guatu.chains.models import Metric
from guatu.dispatch.queries import filter_problems
from guatu.dispatch.services import problem_assign, problem_close, problem_feedback, problem_verify
from guatu.enterprises.services import enterprise_figures_set, request_raise
from guatu.lib.periods import Period
from guatu.projects.models import ChainKind, Project, Tier
from guatu.projects.queries import ProjectFilters, filter_projects
from guatu.projects.services import chain_create
from guatu.testing import make_enterprise, make_project

pytestmark = pytest.mark.django_db

URL = "/api/v1/battlemap"
TODAY = date(2022, 4, 24)
MARCH = datetime(2022, 3, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2022, 4, 24, 9, tzinfo=UTC), tick=False):
        yield


def _body(client, user, **params):
    client.force_login(user)
    response = client.get(URL, {"period": "2022-03", **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def pipeline(world):
    """Two chains of the county (one with no project), firms with 2022 figures, leads in several states with
    funds in place, requests of township A (one closed on time and satisfied, one open and overdue) and of
    township B, and projects in every tier."""
    w = world
    antimony = chain_create(
        jurisdiction=w.city, name="锑产业链", kind=ChainKind.MAIN, chief=w.leader, lead_unit=w.drc
    )
    fasteners = chain_create(jurisdiction=w.city, name="紧固件产业链", kind=ChainKind.AUXILIARY, lead_unit=w.dept)
    chain_services.target_add(chain=antimony, year=2022, metric=Metric.OUTPUT, target=Decimal("20000"), by=w.reviewer)
    chain_services.target_add(chain=fasteners, year=2022, metric=Metric.OUTPUT, target=Decimal("3000"), by=w.reviewer)
    firm = make_enterprise(w.town_a, "湖南锑晶新材料有限公司", chain=antimony, above_scale=True, by=w.reviewer)
    second = make_enterprise(w.town_a, "冷水江市锑华化工有限公司", chain=antimony, by=w.reviewer)
    bolts = make_enterprise(w.town_b, "冷水江紧固件有限公司", chain=fasteners, by=w.reviewer)
    for enterprise, output in ((firm, "1234.56"), (second, "1234.44"), (bolts, "1000.50")):
        enterprise_figures_set(
            enterprise=enterprise, year=2022, output=Decimal(output), tax=Decimal("1"), expected_version=None, by=w.city_admin
        )
    w.project_a.chain = antimony
    w.project_a.save(update_fields=["chain"])

    started = make_lead(w.town_a, name="锑深加工", chain=antimony, status=LeadStatus.STARTED, amount="120000",
                        signed_on=date(2022, 1, 10), promised_start=date(2022, 2, 1), started_on=date(2022, 2, 15))
    late = make_lead(w.town_a, name="锑废料回收", chain=antimony, status=LeadStatus.SIGNED, amount="20000.50",
                     signed_on=date(2022, 1, 5), promised_start=date(2022, 3, 1))
    make_lead(w.town_a, name="光电洽谈", status=LeadStatus.NEGOTIATING)
    make_lead(w.town_b, name="渣渡紧固件", chain=fasteners, status=LeadStatus.SIGNED, amount="5000",
              signed_on=date(2022, 2, 1), promised_start=date(2022, 6, 1))
    for lead, month, domestic, foreign in ((started, 1, "100.10", "0"), (started, 2, "0", "50.25"), (late, 3, "5.55", "0")):
        funds_set(lead=lead, period=Period(2022, month), domestic=Decimal(domestic), foreign=Decimal(foreign),
                  expected_version=None, by=None)

    with time_machine.travel(MARCH, tick=False):
        solved = request_raise(enterprise=firm, description="证照办理", category="permits", by=w.reporter)
        problem_assign(problem=solved, unit=w.town_a, deadline=date(2022, 3, 10), expected_version=1, by=w.reviewer)
        problem_feedback(problem=solved, text="已办结", expected_version=2, by=w.reporter)
        problem_verify(problem=solved, expected_version=3, by=w.reviewer)
        problem_close(problem=solved, expected_version=4, satisfaction="satisfied", by=w.reviewer)
        waiting = request_raise(enterprise=firm, description="用电增容", category="power", by=w.reporter)
        problem_assign(problem=waiting, unit=w.town_a, deadline=date(2022, 4, 1), expected_version=1, by=w.reviewer)
        other = request_raise(enterprise=bolts, description="贷款贴息申请", category="financing", by=w.reviewer)
        problem_assign(problem=other, unit=w.town_b, deadline=TODAY + timedelta(days=9), expected_version=1, by=w.reviewer)

    make_project(location=w.town_a, lead=w.town_a, tier=Tier.RESERVE, category="livelihood", total_investment=Decimal("1000.50"))
    make_project(location=w.town_a, lead=w.town_a, tier=Tier.RESERVE, total_investment=Decimal("2000"))
    make_project(location=w.town_b, lead=w.town_b, tier=Tier.ROLLING, total_investment=Decimal("3000"))
    return antimony, fasteners


def test_a_county_shows_every_chain_with_its_output_against_target(client, world, pipeline):
    antimony, fasteners = pipeline
    chains = {row["chain_id"]: row for row in _body(client, world.city_admin)["chains"]}
    assert set(chains) == {antimony.pk, fasteners.pk}  # the fasteners chain has no project, and is shown
    a, f = chains[antimony.pk], chains[fasteners.pk]
    assert (a["projects"], a["chief"], a["output_target"], a["output_actual"], a["output_rate_percent"]) == (
        1, world.leader.name, "20000.00", "2469.00", "12.35"  # 12.345: half-up, not to even
    )
    assert (f["projects"], f["figures"]["band"], f["output_actual"], f["output_rate_percent"]) == (
        0, "no_plan", "1000.50", "33.35"
    )
    assert a["page_url"] == reverse("chains:detail", args=[antimony.pk]) + "?period=2022-03"
    started = next(line for line in a["targets"] if line["metric"] == Metric.STARTED)
    assert (started["target"], started["actual"], started["unit"]) == (None, "1", "个")


def test_a_township_shows_only_the_chains_of_its_projects(client, world, pipeline):
    antimony, _fasteners = pipeline
    body = _body(client, world.reporter)
    assert [row["chain_id"] for row in body["chains"]] == [antimony.pk]


def test_attraction_equals_the_leads_list_behind_each_figure(client, world, pipeline):
    w = world
    body = _body(client, w.city_admin, unit=w.town_a.pk)["attraction"]
    leads = gateway.visible_leads(w.city_admin)
    assert body["leads"] == lead_list(leads, unit=w.town_a).count() == 3
    by_status = {row["status"]: row for row in body["by_status"]}
    for status, row in by_status.items():
        assert row["count"] == lead_list(leads, unit=w.town_a, status=status).count()
        assert row["url"] == reverse("attraction:list") + f"?unit={w.town_a.pk}&status={status}"
    assert (by_status["started"]["count"], by_status["signed"]["count"], by_status["negotiating"]["count"]) == (1, 1, 1)
    assert body["late"] == lead_list(leads, unit=w.town_a, late=True).count() == 1
    assert body["late_url"] == reverse("attraction:list") + f"?unit={w.town_a.pk}&late=on"
    assert (body["signed"], body["signed_amount"], body["started"], body["due"], body["performed"]) == (
        2, "140000.50", 1, 2, 1
    )
    assert body["performance_rate_percent"] == "50.00"
    assert (body["funds_domestic"], body["funds_foreign"], body["funds_total"]) == ("105.65", "50.25", "155.90")
    county = _body(client, w.city_admin)["attraction"]
    assert (county["leads"], county["signed"], county["late"]) == (4, 3, 1)


def test_requests_equal_the_problem_list_narrowed_to_requests(client, world, pipeline):
    w = world
    body = _body(client, w.city_admin, unit=w.town_a.pk)["requests"]
    mine = filter_problems(gateway.visible_problems(w.city_admin), {"unit": w.town_a, "requests": True}, TODAY)
    assert body["open"] == mine.open().count() == 1
    assert body["overdue"] == mine.overdue(TODAY).count() == 1
    assert (body["requests"], body["closed"], body["solved_on_time"], body["on_time_rate_percent"]) == (2, 1, 1, "50.00")
    assert (body["rated"], body["satisfied"], body["satisfaction_rate_percent"]) == (1, 1, "100.00")
    assert body["overdue_url"] == reverse("dispatch:problem_list") + f"?unit={w.town_a.pk}&requests=on&overdue=on"
    page = client.get(body["overdue_url"])
    assert page.status_code == 200 and "用电增容" in page.content.decode() and "贷款贴息申请" not in page.content.decode()
    county = _body(client, w.city_admin)["requests"]
    assert (county["requests"], county["open"], county["overdue"]) == (3, 2, 1)


def test_reserve_tiers_equal_the_project_list_per_tier(client, world, pipeline):
    w = world
    body = _body(client, w.city_admin)
    tiers = {row["tier"]: row for row in body["reserve"]}
    assert list(tiers) == [Tier.RESERVE, Tier.ROLLING, Tier.IMPLEMENTATION]
    visible = gateway.visible_projects(w.city_admin)
    for tier, row in tiers.items():
        listed = filter_projects(visible, ProjectFilters(tier=tier)).counted()
        assert row["projects"] == listed.count()
        assert row["url"] == reverse("projects:list") + f"?tier={tier}"
    assert (tiers[Tier.RESERVE]["projects"], tiers[Tier.RESERVE]["investment"]) == (2, "3000.50")
    assert tiers[Tier.RESERVE]["ready_projects"] == 0  # no gate milestone done
    assert tiers[Tier.IMPLEMENTATION]["ready_projects"] is None  # the top tier has no next gate
    assert body["reserve_url"] == reverse("reserve:depth")
    township = {row["tier"]: row["projects"] for row in _body(client, w.reporter)["reserve"]}
    assert township[Tier.ROLLING] == 0  # township B's


def test_another_countys_pipeline_is_not_counted(client, world, pipeline):
    from guatu.testing import make_other_county

    other = make_other_county()
    make_lead(other.town, name="外县线索")
    chain_create(jurisdiction=other.county, name="外县产业链", kind=ChainKind.MAIN, lead_unit=other.town)
    body = _body(client, world.city_admin)
    assert body["attraction"]["leads"] == 4
    assert "外县产业链" not in {row["name"] for row in body["chains"]}


def test_the_page_shows_the_panels_in_chinese(client, world, pipeline):
    client.force_login(world.city_admin)
    page = client.get(reverse("battlemap:page"), {"period": "2022-03"}).content.decode()
    html = re.sub(r"<script.*?</script>", "", page, flags=re.S)  # the embedded payload carries the API's keys
    for words in ("招商引资", "履约率", "企业诉求", "满意率", "项目储备", "储备库", "紧固件产业链", "产值"):
        assert words in html, words
    for raw in ("funds_total", "performance_rate", "ready_projects", "None"):
        assert raw not in html, raw


def _count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"period": "2022-03"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_pipeline(client, world, pipeline):
    w = world
    client.force_login(w.city_admin)
    few = _count(client)
    for n in range(4):
        chain = chain_create(jurisdiction=w.city, name=f"新链{n}", kind=ChainKind.AUXILIARY, lead_unit=w.dept)
        firm = make_enterprise(w.town_b, chain=chain, by=w.reviewer)
        request_raise(enterprise=firm, description=f"诉求{n}", category="land", by=w.reviewer)
        make_lead(w.town_b, name=f"线索{n}", chain=chain, status=LeadStatus.SIGNED)
        make_project(location=w.town_b, lead=w.town_b, tier=Tier.ROLLING, chain=chain)
    assert Project.objects.filter(tier=Tier.ROLLING).count() == 5
    assert _count(client) == few
