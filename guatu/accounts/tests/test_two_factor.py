"""Two-factor sign-in: who is asked for a code after the password, setting up the authenticator app, wrong
codes (throttled, counted with wrong passwords, audited), the API before the code, an administrator's reset,
and the setting off. Codes depend on the time: the clock is frozen (time_machine) and codes are computed for
the frozen moment."""

import time

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from guatu import settings as guatu_settings
from guatu.accounts import two_factor
from guatu.accounts.models import LoginFailure, Role
from guatu.audit.models import AuditEvent
from guatu.testing import PASSWORD, make_other_county, make_security_admin

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))
VERIFY = reverse("accounts:two_factor_verify")
ENROL = reverse("accounts:two_factor_enrol")
API = "/api/v1/projects/"


@pytest.fixture
def required(settings):
    settings.GUATU_2FA_REQUIRED = True
    settings.GUATU_2FA_ROLES = ["city_admin", "reviewer"]


def code(device, *, steps: int = 0) -> str:
    """The device's code now (or `steps` time steps from now), as the user's app shows it."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    """A code that no step within the device's tolerance gives."""
    near = {code(device, steps=k) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def sign_in_with_code(client, user) -> TOTPDevice:
    """Password, then a right code (a device made for the purpose if the user has none)."""
    device = two_factor.confirmed_device(user) or device_for(user)
    sign_in(client, user)
    response = client.post(VERIFY, {"code": code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    return device


def actions(user) -> list[str]:
    events = AuditEvent.objects.filter(object_type="user", object_id=user.pk, action__startswith="otp.")
    return list(events.order_by("id").values_list("action", flat=True))


def page(response) -> str:
    return response.content.decode()


def test_a_reviewer_must_set_up_an_app_before_any_page_opens(client, world, required):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, world.reviewer)
        for url in ("/", reverse("projects:list"), reverse("reports:review_queue"), "/admin/"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith(ENROL + "?next=")
        assert client.get(VERIFY)["Location"].startswith(ENROL)  # nothing to give a code from yet
        # The pages a user may need meanwhile stay open.
        assert client.get(reverse("accounts:password_change")).status_code == 200

        response = client.get(ENROL + "?next=/projects/")
        assert response.status_code == 200
        device = TOTPDevice.objects.get(user=world.reviewer)
        assert not device.confirmed
        html = page(response)
        assert '<img src="data:image/svg+xml;base64,' in html
        assert two_factor.secret_text(device) in html and "设置双因素认证" in html
        assert client.get(ENROL).status_code == 200  # the same device again, not a second one
        assert TOTPDevice.objects.filter(user=world.reviewer).count() == 1

        response = client.post(ENROL, {"code": wrong_code(device), "next": "/projects/"})
        assert response.status_code == 400 and "验证码错误" in page(response)
        device.refresh_from_db()
        assert not device.confirmed and actions(world.reviewer) == ["otp.failure"]

        clock.shift(2)  # past the device's wait after a wrong code
        response = client.post(ENROL, {"code": code(device), "next": "/projects/"})
        assert response.status_code == 302 and response["Location"] == "/projects/"
        device.refresh_from_db()
        assert device.confirmed and actions(world.reviewer) == ["otp.failure", "otp.enrol"]
        assert client.get(reverse("projects:list")).status_code == 200
        assert client.get(ENROL)["Location"] == "/"  # done: the set-up page sends them on

        # Next time: the code page, and no second device can be set up with the password alone.
        client.post(reverse("logout"))
        sign_in(client, world.reviewer)
        assert client.get("/")["Location"] == VERIFY + "?next=/"
        assert client.get(ENROL)["Location"].startswith(VERIFY)


def test_a_wrong_code_is_refused_and_audited_and_a_right_one_lets_the_user_through(client, world, required):
    device = device_for(world.reviewer)
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, world.reviewer)
        assert client.get("/")["Location"] == VERIFY + "?next=/"
        api = client.get(API)
        assert api.status_code == 403 and "双因素" in api.json()["detail"]

        response = client.post(VERIFY, {"code": wrong_code(device), "next": "/"}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 400 and "验证码错误" in page(response)
        failure = AuditEvent.objects.get(action="otp.failure", object_id=world.reviewer.pk)
        assert (failure.actor, failure.ip) == (world.reviewer, "10.0.0.7") and "验证码错误" in failure.reason
        # Counted as a wrong password is.
        assert LoginFailure.objects.filter(username="reviewer", ip="10.0.0.7").count() == 1
        assert client.get(reverse("projects:list")).status_code == 302

        # Within the device's wait even the right code is refused unchecked (and audited).
        response = client.post(VERIFY, {"code": code(device), "next": "/"})
        assert response.status_code == 400 and "请等待 1 秒" in page(response)
        assert "6 位数字" in page(client.post(VERIFY, {"code": "12345"}))  # the form says so; not counted
        device.refresh_from_db()
        assert device.throttling_failure_count == 1

        clock.shift(2)
        response = client.post(VERIFY, {"code": code(device), "next": "/projects/"})
        assert response.status_code == 302 and response["Location"] == "/projects/"
        assert actions(world.reviewer) == ["otp.failure", "otp.failure", "otp.verify"]
        assert not LoginFailure.objects.filter(username="reviewer").exists()  # a success clears the count
        assert client.get(reverse("projects:list")).status_code == 200
        assert client.get(API).status_code == 200
        assert client.get(VERIFY)["Location"] == "/"
        # The sign-ins' codes are the audit log's, not the user's history of changes.
        client.post(reverse("logout"))
        sign_in_with_code(client, world.city_admin)
        user_page = page(client.get(reverse("accounts:user", args=[world.reviewer.pk])))
        assert "双因素验证码" not in user_page.split('id="user-history"')[1]


def test_wrong_codes_count_toward_the_lock_of_wrong_passwords(client, world, required):
    device = device_for(world.reviewer)
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, world.reviewer)
        for attempt in range(5):
            response = client.post(VERIFY, {"code": wrong_code(device)})
            clock.shift(2**attempt + 1)  # past the device's wait, which doubles
        assert response.status_code == 302 and response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session  # the name is locked: the session ended
        assert "账户已锁定 30 分钟" in page(client.get(reverse("login")))
        response = client.post(reverse("login"), {"username": "reviewer", "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert actions(world.reviewer) == ["otp.failure"] * 5


def test_a_reporter_is_not_asked_and_a_superuser_is(client, world, required, settings):
    with time_machine.travel(START, tick=False):
        sign_in(client, world.reporter)
        assert client.get(reverse("projects:list")).status_code == 200
        assert client.get(API).status_code == 200
        assert client.get(ENROL)["Location"] == "/"
    assert not TOTPDevice.objects.exists() and actions(world.reporter) == []

    world.viewer.is_superuser = True
    assert two_factor.required_for(world.viewer) and not two_factor.required_for(world.leader_user)
    settings.GUATU_2FA_ROLES = []
    assert not two_factor.required_for(world.viewer) and not two_factor.required_for(world.reviewer)


def test_the_setting_off_asks_nobody(client, world):
    device_for(world.reviewer)
    for user in (world.reviewer, world.city_admin):
        sign_in(client, user)
        assert client.get(reverse("projects:list")).status_code == 200
        assert client.get(API).status_code == 200
    assert actions(world.reviewer) == []


def test_the_roles_the_settings_check_are_the_roles_there_are():
    assert guatu_settings._ROLES == Role.values


def test_a_reset_by_the_security_administrator_ends_the_users_sessions_and_is_audited(client, world, required):
    security = make_security_admin(world.city)
    with time_machine.travel(START, tick=False):
        reviewer = Client()
        device = sign_in_with_code(reviewer, world.reviewer)
        sign_in_with_code(client, security)
        user_page = reverse("accounts:security_user", args=[world.reviewer.pk])
        html = page(client.get(user_page))
        assert 'id="two-factor-reset-form"' in html and "重置双因素认证" in html

        reset = reverse("accounts:security_two_factor_reset", args=[world.reviewer.pk])
        response = client.post(reset, {"version": world.reviewer.version + 1})  # a stale page
        assert response.status_code == 302 and TOTPDevice.objects.filter(pk=device.pk).exists()
        response = client.post(reset, {"version": world.reviewer.version})
        assert response.status_code == 302 and response["Location"] == user_page
        assert not TOTPDevice.objects.filter(user=world.reviewer).exists()
        assert reviewer.get(reverse("projects:list"))["Location"].startswith(reverse("login"))
        signed_in = [session.get_decoded().get("_auth_user_id") for session in Session.objects.all()]
        assert str(world.reviewer.pk) not in signed_in and str(security.pk) in signed_in
        event = AuditEvent.objects.get(action="otp.reset", object_id=world.reviewer.pk)
        assert event.actor == security
        world.reviewer.refresh_from_db()
        assert world.reviewer.version == 2
        html = page(client.get(user_page))
        assert "双因素认证已重置" in html.split('id="user-history"')[1]
        assert 'id="two-factor-reset-form"' not in html and "下次登录时设置" in html

        # At the next sign-in the reviewer sets up a new app.
        sign_in(reviewer, world.reviewer)
        assert reviewer.get("/")["Location"].startswith(ENROL)


def test_only_the_security_administrator_of_the_users_jurisdiction_resets(client, world):
    device = device_for(world.reviewer)
    reset = reverse("accounts:security_two_factor_reset", args=[world.reviewer.pk])
    other = make_other_county()
    client.force_login(make_security_admin(other.county, "xinhua_security"))
    assert client.post(reset, {"version": world.reviewer.version}).status_code == 404
    for persona in ("city_admin", "reviewer", "reporter", "leader", "viewer"):
        client.force_login(world.personas[persona])
        assert client.post(reset, {"version": world.reviewer.version}).status_code == 403
    client.logout()
    assert client.post(reset, {"version": world.reviewer.version})["Location"].startswith(reverse("login"))
    assert TOTPDevice.objects.filter(pk=device.pk).exists() and actions(world.reviewer) == []
