"""The app's clock: GUATU_TODAY fixes the calendar day (the demo reads as on the seed's day, 2022-04-24)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from guatu import clock
from guatu.lib.env import ConfigError, env_date
from guatu.lib.periods import Period
from guatu.reports.services import ReportInput, report_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_without_a_fixed_day_the_real_clock_rules(settings):
    settings.GUATU_TODAY = None
    with time_machine.travel(datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert clock.today() == date(2026, 12, 2)
        assert clock.now() == datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI)


def test_a_fixed_day_keeps_the_time_of_day(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)
    with time_machine.travel(datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert clock.today() == date(2022, 4, 24)
        now = clock.now()
        assert (now.date(), now.hour, now.minute) == (date(2022, 4, 24), 9, 30)
        assert now.utcoffset() is not None


def test_env_date_reads_an_iso_day_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("GUATU_TODAY", "2022-04-24")
    assert env_date("GUATU_TODAY") == date(2022, 4, 24)
    monkeypatch.setenv("GUATU_TODAY", "")
    assert env_date("GUATU_TODAY") is None
    monkeypatch.setenv("GUATU_TODAY", "24/04/2022")
    with pytest.raises(ConfigError, match="GUATU_TODAY"):
        env_date("GUATU_TODAY")


@pytest.mark.django_db
def test_the_demo_day_decides_which_months_have_begun(world, settings):
    """On the seed's day, April 2022 can be reported and May cannot; with today's clock both could."""
    settings.GUATU_TODAY = date(2022, 4, 24)
    report_create(
        project=world.project_a,
        period=Period(2022, 4),
        data=ReportInput(amount=Decimal(1)),
        by=world.reporter,
    )
    with pytest.raises(ValidationError) as caught:
        report_create(
            project=world.project_a,
            period=Period(2022, 5),
            data=ReportInput(amount=Decimal(1)),
            by=world.reporter,
        )
    assert "period" in caught.value.message_dict


@pytest.mark.django_db
def test_projects_and_users_are_dated_by_the_app_clock(world, settings):
    """Django's auto_now and date_joined read the real clock; Guatu's rows take the app's day."""
    from guatu.accounts.models import Role
    from guatu.accounts.services import user_create
    from guatu.testing import make_project

    settings.GUATU_TODAY = date(2022, 4, 24)
    project = make_project(location=world.town_a, name="光伏扶贫二期")
    user = user_create(username="clock_user", password=None, org_unit=world.town_a, role=Role.VIEWER)
    assert timezone_date(project.created_at) == timezone_date(project.updated_at) == date(2022, 4, 24)
    assert timezone_date(user.date_joined) == date(2022, 4, 24)


def timezone_date(moment: datetime) -> date:
    from django.utils import timezone

    return timezone.localtime(moment).date()
