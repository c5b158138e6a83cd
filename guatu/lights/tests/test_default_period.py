"""The month pages open on when none is chosen (lights.services.default_period): the latest month whose
reporting deadline has passed in the jurisdiction, or the month its city administrator set; never the month
of the latest approved report (one early April approval once made the landing page read April's figures)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guatu.audit.models import AuditEvent
from guatu.lib.periods import Period
from guatu.lights.models import RuleSetting
from guatu.lights.services import default_period, default_period_set, rules_set
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_report, make_unit

pytestmark = pytest.mark.django_db

RULES = reverse("lights:rules")
SET_DEFAULT = reverse("lights:default_period_edit")


@pytest.fixture
def april_24(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


def test_default_is_the_latest_month_whose_deadline_passed(world, april_24, settings):
    w = world
    assert default_period(w.city) == Period(2022, 3)
    assert default_period(w.town_a) == Period(2022, 3)  # a township takes its jurisdiction's rules
    rules_set(unit=w.city, rules={"report_deadline_day": 25}, by=w.city_admin)
    assert default_period(w.town_a) == Period(2022, 2)  # March's reports are still due until 25 April
    settings.GUATU_TODAY = date(2022, 4, 26)
    assert default_period(w.city) == Period(2022, 3)
    assert default_period(None) == Period(2022, 3)  # no unit: the default rules


def test_one_early_approval_does_not_move_the_default(client, world, april_24):
    w = world
    make_report(w.project_a, "2022-03", "40", reporter=w.dept_reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-04", "60", reporter=w.dept_reporter, reviewer=w.reviewer)
    client.force_login(w.city_admin)
    for url in (reverse("investment:summary"), reverse("projects:list"), reverse("lights:board")):
        response = client.get(url)
        assert str(response.context["period"]) == "2022-03", url
    assert client.get("/api/v1/investment/summary").json()["period"] == "2022-03"
    assert client.get("/api/v1/projects/").json()["period"] == "2022-03"


def test_city_admin_sets_the_month_pages_open_on_audited(client, world, april_24):
    w = world
    client.force_login(w.city_admin)
    response = client.post(SET_DEFAULT, {"default_period": "2022-04"})
    assert response.status_code == 302
    assert default_period(w.town_a) == Period(2022, 4)
    assert str(client.get(reverse("investment:summary")).context["period"]) == "2022-04"
    event = AuditEvent.objects.get(action="lights.default_period_set")
    assert event.actor == w.city_admin and event.after == {"default_period": "2022-04"}
    html = client.get(RULES).content.decode()
    assert 'name="default_period"' in html and 'value="2022-04"' in html
    history = html[html.index('id="rules-history"') :]
    assert "设置默认显示月份" in history and "default_period" not in history
    # cleared: back to the latest month whose deadline has passed
    client.post(SET_DEFAULT, {"default_period": ""})
    assert default_period(w.city) == Period(2022, 3)
    assert AuditEvent.objects.filter(action="lights.default_period_set").count() == 2


@pytest.mark.parametrize(
    "value, message", [("2022-13", "月份应写作 YYYY-MM"), ("2022-06", "不能晚于本月"), ("x" * 300, "YYYY-MM")]
)
def test_a_bad_month_is_explained_and_writes_nothing(client, world, april_24, value, message):
    client.force_login(world.city_admin)
    events = AuditEvent.objects.count()
    response = client.post(SET_DEFAULT, {"default_period": value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not RuleSetting.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["reviewer", "reporter", "leader", "outsider"])
def test_only_city_admins_set_the_default_month(client, world, persona, april_24):
    client.force_login(world.personas[persona])
    assert client.post(SET_DEFAULT, {"default_period": "2022-01"}).status_code == 403
    assert not RuleSetting.objects.exists()
    with pytest.raises(PermissionDenied):
        default_period_set(unit=world.city, period=Period(2022, 1), by=world.personas[persona])


def test_another_countys_admin_cannot_set_this_countys_month(world, april_24):
    other = make_unit("新化县", OrgUnitKind.COUNTY)
    with pytest.raises(PermissionDenied):
        default_period_set(unit=other, period=Period(2022, 1), by=world.city_admin)
    assert not RuleSetting.objects.exists()


def test_setting_the_month_anonymous_goes_to_login(client, world):
    response = client.post(SET_DEFAULT, {"default_period": "2022-01"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not RuleSetting.objects.exists()
