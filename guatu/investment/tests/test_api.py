"""GET /api/v1/investment/summary: access, errors, and agreement with investment_summary()."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from guatu.access import gateway
from guatu.investment.queries import investment_summary
from guatu.lib.money import percent
from guatu.lib.periods import Period
from guatu.projects.services import annual_plan_set
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/investment/summary"


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _reports(w):
    make_report(w.project_a, "2022-01", "100", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-02", "50.50", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-03", "999", reporter=w.dept_reporter, status=ReportStatus.SUBMITTED)
    make_report(w.project_b, "2022-01", "200.10", reporter=w.outsider, reviewer=w.reviewer)


def _rows(response):
    return {row["tag"]: row for row in response.json()["rows"]}


def test_anonymous_gets_401(client, world):
    assert client.get(URL, {"period": "2022-03"}).status_code == 401


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer", "outsider"]
)
def test_allowed_for_every_persona_in_their_scope(client, world, persona):
    response = _get(client, world.personas[persona], period="2022-03")
    assert response.status_code == 200
    assert response.json()["period"] == "2022-03"


def test_figures_are_exact_strings(client, world):
    w = world
    _reports(w)
    body = _get(client, w.city_admin, period="2022-03").json()
    assert (body["unit_id"], body["unit_name"]) == (w.city.pk, "冷水江市")
    county = _rows(_get(client, w.city_admin, period="2022-03"))["county"]
    assert county == {
        "tag": "county",
        "name": "市本级重点",
        "projects": 2,
        "ytd_completed": "350.60",
        "annual_plan": "2000.00",
        "completion_rate_percent": "17.53",
        "time_progress_percent": "25.00",
        "planned_progress_percent": "25.00",
        "deviation_points": "-7.47",
    }


def test_phased_plan_gives_planned_progress_and_time_progress_stays_months(client, world):
    w = world
    annual_plan_set(
        project=w.project_a,
        year=2022,
        amount=Decimal("1000"),
        months={3: Decimal("100"), 12: Decimal("900")},
    )
    make_report(w.project_a, "2022-01", "50", reporter=w.dept_reporter, reviewer=w.reviewer)
    pref = _rows(_get(client, w.city_admin, period="2022-03"))["prefecture"]
    assert (pref["time_progress_percent"], pref["planned_progress_percent"]) == ("25.00", "10.00")
    assert (pref["completion_rate_percent"], pref["deviation_points"]) == ("5.00", "-5.00")


@pytest.mark.parametrize(
    ("persona", "unit"), [("city_admin", "town_b"), ("reporter", "town_a"), ("outsider", "town_b")]
)
def test_matches_investment_summary(client, world, persona, unit):
    w = world
    _reports(w)
    user, unit = w.personas[persona], getattr(w, unit)
    rows = _rows(_get(client, user, period="2022-02", unit=unit.pk))
    expected = investment_summary(gateway.visible_projects(user).in_unit(unit), Period(2022, 2))
    assert set(rows) == {row.tag.code for row in expected.rows}
    for row in expected.rows:
        got = rows[row.tag.code]
        assert got["projects"] == row.project_count
        assert got["ytd_completed"] == f"{row.ytd_completed:.2f}"
        assert got["annual_plan"] == f"{row.annual_plan:.2f}"
        rate = percent(row.completion_rate)
        assert got["completion_rate_percent"] == (None if rate is None else str(rate))


def test_other_unit_is_404(client, world):
    w = world
    assert _get(client, w.outsider, period="2022-03", unit=w.town_a.pk).status_code == 404
    assert _get(client, w.reporter, period="2022-03", unit=w.city.pk).status_code == 404
    assert _get(client, w.city_admin, period="2022-03", unit=999999).status_code == 404


@pytest.mark.parametrize("bad", ["2022-13", "2022/03", "March", "2022-3"])
def test_bad_period_is_422(client, world, bad):
    response = _get(client, world.city_admin, period=bad)
    assert response.status_code == 422
    assert "YYYY-MM" in response.json()["detail"]


def test_default_period_is_the_latest_month_whose_reports_were_due(client, world, settings):
    _reports(world)
    settings.GUATU_TODAY = date(2022, 4, 24)
    assert _get(client, world.city_admin).json()["period"] == "2022-03"
    settings.GUATU_TODAY = date(2022, 4, 5)
    assert _get(client, world.outsider).json()["period"] == "2022-02"


@time_machine.travel(date(2023, 7, 3))
def test_default_period_without_a_fixed_day_follows_the_calendar(client, world):
    assert _get(client, world.city_admin).json()["period"] == "2023-05"


def test_query_count_does_not_grow_with_projects(client, world, django_assert_num_queries):
    w = world
    _reports(w)
    client.force_login(w.city_admin)
    client.get(URL, {"period": "2022-03"})
    # Computed: session, user, the data version, the user's unit, the tags, the summary's one (tag_totals_by_month)
    # and the data version again (guatu.lib.response_cache).
    with django_assert_num_queries(7):
        client.get(URL, {"period": "2022-03"}, headers={"Cache-Control": "no-cache"})
    # Kept: session, user and the data version.
    with django_assert_num_queries(3):
        assert client.get(URL, {"period": "2022-03"})["X-Guatu-Cache"] == "hit"
    for n in range(5):
        project = make_project(location=w.town_b, tags=[w.county_tag, w.pref_tag])
        make_report(project, "2022-01", str(n + 1), reporter=w.outsider, reviewer=w.reviewer)
    with django_assert_num_queries(7):
        assert client.get(URL, {"period": "2022-03"})["X-Guatu-Cache"] == "miss"
