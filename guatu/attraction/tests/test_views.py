"""Pages and the API of investment attraction: who may see and do what, Chinese labels, pinned query counts."""

from datetime import date

import pytest
from django.urls import reverse

from guatu.attraction.models import Lead, LeadStatus
from guatu.attraction.tests.helpers import make_lead
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


@pytest.fixture
def leads(world):
    late = make_lead(world.town_a, name="逾期签约项目", status=LeadStatus.SIGNED, promised_start=date(2022, 3, 1))
    started = make_lead(world.town_a, name="已开工项目", status=LeadStatus.STARTED, started_on=date(2022, 3, 10))
    other_unit = make_lead(world.town_b, name="渣渡镇项目")
    return {"late": late, "started": started, "other_unit": other_unit}


def test_list_shows_the_visible_leads_with_chinese_labels_and_late_flag(client, world, leads):
    client.force_login(world.reviewer)
    body = client.get(reverse("attraction:list")).content.decode()
    assert "逾期签约项目" in body and "渣渡镇项目" in body and "逾期未开工" in body and "签约" in body
    assert '<td data-label="状态">签约</td>' in body  # the status by its Chinese label, never its code
    client.force_login(world.reporter)
    body = client.get(reverse("attraction:list")).content.decode()
    assert "逾期签约项目" in body and "渣渡镇项目" not in body
    body = client.get(reverse("attraction:list"), {"late": "on"}).content.decode()
    assert "逾期签约项目" in body and "已开工项目" not in body


def test_pages_need_a_login(client, leads):
    for url in (reverse("attraction:list"), reverse("attraction:detail", args=[leads["late"].pk]), reverse("attraction:performance")):
        assert client.get(url).status_code == 302
    assert client.get("/api/v1/attraction/leads").status_code == 401


def test_another_units_or_countys_lead_is_404(client, world, leads):
    client.force_login(world.reporter)
    assert client.get(reverse("attraction:detail", args=[leads["other_unit"].pk])).status_code == 404
    other = make_other_county()
    client.force_login(other.reporter)
    assert client.get(reverse("attraction:detail", args=[leads["late"].pk])).status_code == 404
    client.force_login(other.admin)
    assert client.get(reverse("attraction:detail", args=[leads["late"].pk])).status_code == 404
    response = client.post(reverse("attraction:step", args=[leads["late"].pk, "lead.start"]), {"version": 1, "on": "2022-04-01"})
    assert response.status_code == 404


def test_read_only_roles_may_not_write(client, world, leads):
    lead = leads["late"]
    for user in (world.viewer, world.reporter):
        client.force_login(user)
        assert client.get(reverse("attraction:create")).status_code == 403
        assert client.get(reverse("attraction:edit", args=[lead.pk])).status_code == 403
        url = reverse("attraction:step", args=[lead.pk, "lead.start"])
        assert client.post(url, {"version": lead.version, "on": "2022-04-01"}).status_code == 403
        assert client.post(reverse("attraction:convert", args=[leads["started"].pk]), {"version": 9}).status_code == 403
    client.force_login(world.viewer)
    assert client.post(reverse("attraction:follow_up", args=[lead.pk]), {"date": "2022-04-20", "text": "x"}).status_code == 403
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.SIGNED


def test_a_reviewer_signs_starts_and_converts_through_the_pages(client, world):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("attraction:create"),
        {"name": "光电显示模组项目", "investor": "深圳某光电公司", "investor_origin": "other_province", "source": "expo",
         "responsible_unit": world.town_a.pk, "category": "industry", "planned_investment": "80000"},
    )
    lead = Lead.objects.get(name="光电显示模组项目")
    assert response.status_code == 302
    step = lambda action, **data: client.post(reverse("attraction:step", args=[lead.pk, action]),  # noqa: E731
                                              {"version": Lead.objects.get(pk=lead.pk).version, **data})
    bad = step("lead.sign", on="2022-04-01", contract_amount="-5", promised_start="2022-04-10")
    assert bad.status_code == 400 and "合同金额（万元）" in bad.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.LEAD
    assert step("lead.sign", on="2022-04-01", contract_amount="75000", promised_start="2022-04-10").status_code == 302
    assert step("lead.start", on="2022-04-15").status_code == 302
    detail = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert "转入项目库" in detail and "招商项目签约" in detail  # the button, and the history in Chinese
    response = client.post(reverse("attraction:convert", args=[lead.pk]), {"version": Lead.objects.get(pk=lead.pk).version})
    lead.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[lead.project_id])
    project_page = client.get(response["Location"]).content.decode()
    assert "由招商项目转入" in project_page and reverse("attraction:detail", args=[lead.pk]) in project_page


def test_reporter_records_follow_ups_and_funds_on_own_lead(client, world, leads):
    client.force_login(world.reporter)
    lead = leads["late"]
    assert client.post(reverse("attraction:follow_up", args=[lead.pk]), {"date": "2022-04-20", "text": "电话催办开工"}).status_code == 302
    response = client.post(reverse("attraction:funds", args=[lead.pk]), {"period": "2022-02", "domestic": "100", "foreign": "0"})
    assert response.status_code == 302
    response = client.post(reverse("attraction:funds", args=[lead.pk]), {"period": "2022-13", "domestic": "1", "foreign": "0"})
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()
    body = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    assert "电话催办开工" in body and "100.00" in body


def test_export_and_performance_pages(client, world, leads):
    client.force_login(world.reviewer)
    response = client.get(reverse("attraction:export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = client.get(reverse("attraction:performance"), {"period": "2022-03"}).content.decode()
    assert "履约率" in body and "禾青镇" in body
    assert client.get(reverse("attraction:performance"), {"period": "bad"}).status_code == 200


def test_api_lists_visible_leads_bounded(client, world, leads):
    client.force_login(world.reporter)
    data = client.get("/api/v1/attraction/leads").json()
    assert {item["name"] for item in data["items"]} == {"逾期签约项目", "已开工项目"}
    late = next(item for item in data["items"] if item["name"] == "逾期签约项目")
    assert late["late_start_light"] == "yellow" and late["status_label"] == "签约"
    assert client.get("/api/v1/attraction/leads", {"limit": 501}).status_code == 422
    assert client.get("/api/v1/attraction/leads", {"status": "nonsense"}).status_code == 422
    client.force_login(world.reviewer)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/attraction/leads" in schema["paths"]


def _many(world, n):
    for i in range(n):
        make_lead(world.town_a, name=f"项目{i}", status=LeadStatus.SIGNED, promised_start=date(2022, 3, 1))


@pytest.mark.parametrize("url", ["attraction:list", "attraction:performance"])
def test_list_query_counts_do_not_grow(client, world, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.reviewer)
    _many(world, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url))
    _many(world, 20)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse(url))
    with django_assert_max_num_queries(len(few)):
        client.get("/api/v1/attraction/leads")
