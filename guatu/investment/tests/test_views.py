"""The investment summary page: scope, figures per level tag, the bulletin sentence, query counts."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from guatu.access import gateway
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.projects.services import annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import assert_no_external_assets, make_project, make_report

pytestmark = pytest.mark.django_db

URL = reverse("investment:summary")


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _cell(body: str, tag: str, field: str) -> str:
    match = re.search(
        rf'<td[^>]*data-tag="{tag}" data-field="{field}" data-value="([^"]*)"[^>]*>([^<]*)</td>', body
    )
    assert match, (tag, field)
    return match.group(1)


def _reports(w):
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "50.50", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)
    make_report(w.project_b, "2022-01", "200", reporter=w.outsider, reviewer=w.reviewer)


def test_phased_plan_shows_planned_progress_beside_time_progress(client, world):
    w = world
    annual_plan_set(
        project=w.project_a, year=2022, amount=Decimal("1000"), months={3: Decimal("100"), 12: Decimal("900")}
    )
    make_report(w.project_a, "2022-01", "50", reporter=w.dept_reporter, reviewer=w.reviewer)
    body = _get(client, w.city_admin, period="2022-03").content.decode()
    assert _cell(body, "prefecture", "time_progress") == "25.00"
    assert _cell(body, "prefecture", "planned_progress") == "10.00"
    assert _cell(body, "prefecture", "deviation") == "-5.00"  # 5% done against 10% planned


def test_anonymous_is_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer", "outsider"]
)
def test_every_persona_gets_the_page(client, world, persona):
    response = _get(client, world.personas[persona])
    assert response.status_code == 200
    assert 'data-tag="county"' in response.content.decode()


def test_figures_per_tag(client, world):
    w = world
    _reports(w)
    body = _get(client, w.city_admin, period="2022-03").content.decode()
    assert _cell(body, "county", "projects") == "2"
    assert _cell(body, "county", "ytd_completed") == "350.50"
    assert _cell(body, "county", "ytd_completed_yi") == "0.04"
    assert _cell(body, "county", "annual_plan") == "2000.00"
    assert _cell(body, "county", "completion_rate") == "17.53"
    assert _cell(body, "county", "time_progress") == "25.00"
    assert _cell(body, "county", "planned_progress") == "25.00"
    assert _cell(body, "county", "deviation") == "-7.48"
    assert re.search(r'class="num neg"[^>]*data-field="deviation"', body)
    assert _cell(body, "prefecture", "ytd_completed") == "150.50"
    assert 'id="summary-county-ytd_completed"' in body
    assert "vendor/echarts/echarts.min.js" in body and 'id="summary-chart-data"' in body
    assert_no_external_assets(body)


def test_page_matches_investment_summary(client, world):
    w = world
    _reports(w)
    response = _get(client, w.reporter, period="2022-02")
    expected = investment_summary(gateway.visible_projects(w.reporter).in_unit(w.town_a), Period(2022, 2))
    body = response.content.decode()
    for row in expected.rows:
        assert _cell(body, row.tag.code, "ytd_completed") == f"{row.ytd_completed:.2f}"
        assert _cell(body, row.tag.code, "projects") == str(row.project_count)
    # Township A's reporter sees project A only.
    assert _cell(body, "county", "ytd_completed") == "150.50"


def test_other_unit_is_404(client, world):
    w = world
    assert _get(client, w.outsider, unit=w.town_a.pk).status_code == 404
    assert _get(client, w.reporter, unit=w.city.pk).status_code == 404
    assert _get(client, w.reporter, unit="abc").status_code == 404
    assert _get(client, w.city_admin, unit=w.town_a.pk).status_code == 200


def _picker_options(client, user) -> set[int]:
    """The unit ids the page's picker (guatu.web.lookups) offers before anything is typed."""
    client.force_login(user)
    body = client.get(reverse("lookup", args=["units"])).content.decode()
    return {int(pk) for pk in re.findall(r'data-value="(\d+)"', body)}


def test_unit_picker_offers_visible_units_only(client, world):
    w = world
    assert _picker_options(client, w.reporter) == {w.town_a.pk}
    admin_units = _picker_options(client, w.city_admin)
    assert {w.city.pk, w.town_a.pk, w.town_b.pk, w.dept.pk, w.drc.pk} <= admin_units


def test_unit_picked_by_name(client, world):
    w = world
    body = _get(client, w.city_admin, unit_name="禾青").content.decode()  # typed, not picked: the only match
    assert "<h1>投资汇总 · 禾青镇</h1>" in body and f'value="{w.town_a.pk}"' in body
    body = _get(client, w.city_admin, unit_name="不存在的单位").content.decode()
    assert 'id="unit-error"' in body and "不存在的单位" in body  # said beside the box; the default unit shown
    assert "<h1>投资汇总 · 冷水江市</h1>" in body


def test_unit_narrows_the_figures(client, world):
    w = world
    _reports(w)
    body = _get(client, w.city_admin, unit=w.town_b.pk, period="2022-03").content.decode()
    assert _cell(body, "county", "ytd_completed") == "200.00"
    assert _cell(body, "county", "projects") == "1"


def test_default_period_is_the_latest_month_whose_reports_were_due(client, world, settings):
    w = world
    _reports(w)
    settings.GUATU_TODAY = date(2022, 4, 24)  # March's reports were due on 5 April
    assert str(_get(client, w.city_admin).context["period"]) == "2022-03"
    settings.GUATU_TODAY = date(2022, 4, 5)  # still due until the end of the day: February
    assert str(_get(client, w.outsider).context["period"]) == "2022-02"


@time_machine.travel(date(2023, 7, 3))
def test_default_period_without_a_fixed_day_follows_the_calendar(client, world):
    assert str(_get(client, world.city_admin).context["period"]) == "2023-05"


@pytest.mark.parametrize("bad", ["2022-13", "2022/03", "March", "0000-01"])
def test_bad_period_gets_a_chinese_message(client, world, bad):
    response = _get(client, world.city_admin, period=bad)
    assert response.status_code == 200
    body = response.content.decode()
    assert "月份应写作 YYYY-MM" in body
    assert 'data-tag="county"' in body  # the default period is shown instead


def test_bulletin_sentence_for_those_who_see_the_whole_unit(client, world):
    w = world
    _reports(w)
    body = _get(client, w.city_admin, period="2022-03").content.decode()
    assert "1-3月，娄底市重点项目（禾青镇锑品深加工项目）完成投资0.0亿元，为年度计划的15.05%" in body
    assert "2个市本级重点项目完成投资0.0亿元，为年度计划的17.53%。" in body
    town = _get(client, w.reporter, period="2022-03").content.decode()
    assert 'id="bulletin-sentence"' in town and "1个市本级重点项目" not in town  # one project: named


def test_a_leaders_summary_says_it_is_their_projects_only(client, world):
    """A leader sees the projects they are the responsible leader of: the heading and the sentence say so,
    and the sentence counts those projects only (the county's own sentence would count others')."""
    w = world
    _reports(w)
    response = _get(client, w.leader_user, period="2022-03")
    body = response.content.decode()
    assert "<h1>投资汇总 · 冷水江市 · 我牵头的项目（李建国）</h1>" in body
    sentence = response.context["sentence"]
    assert sentence.startswith("李建国牵头的项目：1-3月，")
    assert "市本级重点项目（禾青镇锑品深加工项目）完成投资0.0亿元，为年度计划的15.05%" in sentence
    assert "2个" not in sentence  # project B (another leader's) is not counted
    whole = _get(client, w.city_admin, period="2022-03").content.decode()
    assert "<h1>投资汇总 · 冷水江市</h1>" in whole and "我牵头的项目" not in whole


def test_user_without_a_unit_sees_an_explanation(client, world):
    from guatu.testing import make_user

    lost = make_user("nobody", None, "viewer")
    response = _get(client, lost)
    assert response.status_code == 200
    assert response.context["unit"] is None


def test_query_count_does_not_grow_with_projects(client, world, django_assert_num_queries, settings):
    w = world
    settings.GUATU_TODAY = date(2022, 4, 24)  # opens on March, with its figures and bulletin
    _reports(w)
    client.force_login(w.city_admin)
    client.get(URL)
    # session, user, the user's unit; default period; 2 for the summary (the tags and tag_totals); 3 for the
    # bulletin (2 + the one-project list's name); the page frame's unread-inbox badge. The unit picker reads
    # nothing.
    with django_assert_num_queries(10):
        client.get(URL)
    # The bulletin names the project of a one-project list (one more query): keep the prefecture list at one.
    for n in range(6):
        project = make_project(location=w.town_a, tags=[w.county_tag])
        make_report(project, "2022-01", str(n + 1), reporter=w.reporter, reviewer=w.reviewer)
    with django_assert_num_queries(10):
        client.get(URL)
