"""Signing in: locking a name after five failures, throttling an address before the password is hashed, the
same answer for an unknown name and a wrong password, the session's idle and absolute limits, the password's
rules and maximum age; every step audited with the client's address. Clocks are frozen (time_machine)."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from guatu.accounts.models import LoginFailure, LoginLock
from guatu.accounts.services import user_password_change
from guatu.audit.models import AuditEvent
from guatu.testing import PASSWORD

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))
WRONG_OR_UNKNOWN = "请输入一个正确的用户名和密码"  # Django's own words, the same for both
LOCKED = "账户已锁定 30 分钟"
THROTTLED = "此地址登录失败次数过多"


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes_even_with_the_right_one(client, world):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            response = sign_in(client, "town_a", "wrong-password")
            assert response.status_code == 200 and not signed_in(client)
        assert LOCKED in errors(response)  # the fifth failure locks, and says so
        response = sign_in(client, "town_a", PASSWORD)
        assert not signed_in(client) and LOCKED in errors(response)
        clock.shift(timedelta(minutes=29))
        sign_in(client, "town_a", PASSWORD)
        assert not signed_in(client), "refused attempts do not lengthen the lock, but it lasts its 30 minutes"
        clock.shift(timedelta(minutes=2))
        response = sign_in(client, "town_a", PASSWORD)
        assert response.status_code == 302 and signed_in(client)
    assert actions(object_type="user", object_id=world.reporter.pk) == [
        "login.failure",
        "login.failure",
        "login.failure",
        "login.failure",
        "login.lockout",
        "login.refused",
        "login.refused",
        "login.success",
    ]
    failure = AuditEvent.objects.filter(action="login.failure").first()
    assert failure.ip == "10.0.0.1" and failure.after == {"username": "town_a"} and failure.actor is None
    assert not LoginFailure.objects.filter(username="town_a").exists() and not LoginLock.objects.exists()


def test_an_unknown_name_gets_the_same_answer_and_is_locked_the_same_way(client, world):
    with time_machine.travel(START, tick=False):
        wrong = errors(sign_in(client, "town_a", "wrong-password"))
        unknown = errors(sign_in(client, "nobody", "wrong-password"))
        assert wrong == unknown and WRONG_OR_UNKNOWN in wrong
        for _ in range(4):
            response = sign_in(client, "nobody", "wrong-password")
        assert LOCKED in errors(response)
    assert actions(object_type="user", object_id=0) == ["login.failure"] * 4 + ["login.lockout"]


def test_a_success_clears_the_count(client, world):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            sign_in(client, "town_a", "wrong-password")
        sign_in(client, "town_a", PASSWORD)
        client.logout()
        for _ in range(4):
            sign_in(client, "town_a", "wrong-password")
        sign_in(client, "town_a", PASSWORD)
        assert signed_in(client)


def test_failures_spread_over_more_than_the_window_do_not_lock(client, world):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(8):
            sign_in(client, "town_a", "wrong-password")
            clock.shift(timedelta(minutes=10))
        sign_in(client, "town_a", PASSWORD)
        assert signed_in(client)


def test_a_flood_from_one_address_is_refused_before_any_password_is_hashed(client, world, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False) as clock:
        for n in range(20):  # a different name each time: no name gets locked, the address does
            sign_in(client, f"guess{n}", "wrong-password", ip="10.9.9.9")
        with mock.patch.object(ModelBackend, "authenticate", side_effect=AssertionError("hashed")):
            with django_assert_max_num_queries(8):  # two counts and the audit row, not a password hash
                response = sign_in(client, "town_a", PASSWORD, ip="10.9.9.9")
        assert THROTTLED in errors(response) and not signed_in(client)
        sign_in(client, "town_a", PASSWORD, ip="10.0.0.2")  # another office's machine is not held up
        assert signed_in(client)
        client.logout()
        clock.shift(timedelta(minutes=16))
        sign_in(client, "town_a", PASSWORD, ip="10.9.9.9")
        assert signed_in(client)
    assert AuditEvent.objects.filter(action="login.refused", reason="throttled", ip="10.9.9.9").count() == 1


def test_the_admin_login_is_guarded_too(client, world):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            client.post(reverse("admin:login"), {"username": "admin", "password": "wrong-password"})
        client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
        assert not signed_in(client)
    assert actions(object_type="user", object_id=world.city_admin.pk)[-2:] == ["login.lockout", "login.refused"]


def test_a_new_session_key_at_sign_in_and_sign_out_ends_the_session_on_the_server(client, world):
    client.get(reverse("login"))
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    sign_in(client, "town_a", PASSWORD)
    key = client.session.session_key
    assert key != planted and signed_in(client)
    assert Session.objects.filter(pk=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(pk=key).exists()
    assert actions(object_type="user", object_id=world.reporter.pk) == ["login.success", "logout.user"]


def test_a_session_ends_after_thirty_idle_minutes(client, world):
    page = reverse("investment:summary")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.reporter)
        for _ in range(4):  # active every 20 minutes: still signed in after 80
            clock.shift(timedelta(minutes=20))
            assert client.get(page).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert not signed_in(client)
        assert "30 分钟未操作" in client.get(response.url).content.decode()
    event = AuditEvent.objects.get(action="logout.timeout")
    assert event.actor == world.reporter and "30 分钟未操作" in event.reason


def test_a_session_ends_after_twelve_hours_however_active(client, world):
    page = reverse("investment:summary")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.reporter)
        for _ in range(12 * 3):
            clock.shift(timedelta(minutes=20))
            assert client.get(page).status_code == 200
        clock.shift(timedelta(minutes=20))
        assert client.get(page).status_code == 302 and not signed_in(client)
    assert "12 小时" in AuditEvent.objects.get(action="logout.timeout").reason


def test_an_api_call_after_the_limit_gets_401(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.reporter)
        assert client.get("/api/v1/projects/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/api/v1/projects/").status_code == 401


@pytest.mark.parametrize(
    "password",
    ["lengshuijiang", "short1A", "Password1", "town_a2026!", "12345678901", "abcdefgh-ijkl"],
)
def test_weak_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password, world.reporter)


@pytest.mark.parametrize("password", ["Lsj-重点项目-2026", "冷水江Guatu2026", "river-Bend-47"])
def test_passwords_of_three_classes_are_accepted(world, password):
    validate_password(password, world.reporter)


def test_a_password_older_than_ninety_days_must_be_changed_before_going_on(client, world):
    user = world.reporter
    with time_machine.travel(START, tick=False) as clock:
        user = user_password_change(user=user, old_password=PASSWORD, new_password="Lsj-重点项目-2026")
        client.force_login(user)
        clock.shift(timedelta(days=89))
        client.force_login(user)
        assert client.get(reverse("investment:summary")).status_code == 200
        clock.shift(timedelta(days=2))
        client.force_login(user)
        response = client.get(reverse("investment:summary"))
        assert response.status_code == 302 and response.url == reverse("accounts:password_change")
        assert "超过 90 天" in client.get(response.url).content.decode()
        assert client.get("/api/v1/projects/").status_code == 403
        user = user_password_change(user=user, old_password="Lsj-重点项目-2026", new_password="river-Bend-47")
        client.force_login(user)
        assert client.get(reverse("investment:summary")).status_code == 200


def test_an_account_never_given_a_new_password_ages_from_its_creation(client, world):
    user = world.reporter
    with time_machine.travel(user.date_joined + timedelta(days=91), tick=False):
        client.force_login(user)
        response = client.get(reverse("investment:summary"))
        assert response.status_code == 302 and response.url == reverse("accounts:password_change")
