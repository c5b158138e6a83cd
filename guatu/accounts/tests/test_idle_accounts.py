"""Accounts unused for 90 days are disabled by the daily command: audited with the reason, sessions ended;
recently used accounts, accounts made recently and system accounts that cannot sign in are kept."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from guatu.accounts.models import Role, User
from guatu.audit.models import AuditEvent
from guatu.testing import make_user

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("users", "disable-idle", *args, stdout=out)
    return out.getvalue()


def test_accounts_unused_for_ninety_days_are_disabled_audited_and_signed_out(client, world):
    now = timezone.now()
    idle = make_user("idle", world.town_a, Role.REPORTER)
    client.force_login(idle)  # a session left open on some office PC
    User.objects.filter(pk=idle.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=world.reporter.pk).update(last_login=now - timedelta(days=89))
    never = make_user("never", world.town_b, Role.REPORTER)
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=now - timedelta(days=120))
    system = User.objects.create_user("loader", password=None)
    User.objects.filter(pk=system.pk).update(date_joined=now - timedelta(days=400))
    User.objects.filter(pk__in=[u.pk for u in world.personas.values()] + [world.city_admin.pk]).exclude(
        pk__in=[idle.pk, never.pk]
    ).update(last_login=now)

    listed = run("--dry-run")
    assert "idle" in listed and "never" in listed and "将停用 2 个" in listed
    assert User.objects.get(pk=idle.pk).is_active, "a dry run changes nothing"

    with time_machine.travel(now, tick=False):
        assert "已停用 2 个连续 90 天未登录的账户" in run()
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {"idle", "never"}
    event = AuditEvent.objects.get(action="user.update", object_id=idle.pk, after={"is_active": False})
    assert event.actor is None and "90" in event.reason
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(idle.pk)]
    assert "已停用 0 个" in run(), "the second run finds nothing left to do"


def test_bad_days_are_refused():
    with pytest.raises(CommandError, match="--days"):
        run("--days", "0")
