"""The three separated administrators (三员): the city administrator runs the system (users, units), the security
administrator grants roles and lifts locks and two-factor devices, the audit administrator reads the audit log.
None of them does another's work; the last two see no business data; nobody edits or silences the audit log."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from guatu.access import gateway
from guatu.accounts import services, signin
from guatu.accounts.models import Role
from guatu.audit import events
from guatu.audit.models import AuditEvent
from guatu.testing import PASSWORD, make_audit_admin, make_other_county, make_security_admin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(world):
    return make_security_admin(world.city)


@pytest.fixture
def auditor(world):
    return make_audit_admin(world.city)


def html(response) -> str:
    return response.content.decode()


# --- the city (system) administrator does not grant administrator roles


def test_the_city_administrator_offers_working_roles_only_and_cannot_grant_an_administrator_role(
    client, world
):
    client.force_login(world.city_admin)
    form = html(client.get(reverse("accounts:user_new")))
    assert "审核员" in form and "单位填报员" in form
    assert "安全管理员" not in form and "审计管理员" not in form
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "new_admin",
            "org_unit": world.city.pk,
            "role": Role.AUDIT_ADMIN,
            "password": "Qx7-lengshui",
        },
    )
    assert response.status_code == 400 and "new_admin" not in {
        u.username for u in gateway.manageable_users(world.city_admin)
    }
    with pytest.raises(PermissionDenied):
        services.user_update(
            user=world.viewer,
            expected_version=world.viewer.version,
            org_unit=world.town_a,
            role=Role.CITY_ADMIN,
            by=world.city_admin,
        )
    world.viewer.refresh_from_db()
    assert world.viewer.role == Role.VIEWER


def test_the_city_administrator_leaves_the_security_and_audit_administrators_accounts_alone(
    client, world, security, auditor
):
    client.force_login(world.city_admin)
    for target in (security, auditor):
        response = client.post(
            reverse("accounts:user_password_reset", args=[target.pk]),
            {"password": "Qx7-lengshui", "version": target.version},
        )
        assert response.status_code == 403
        assert (
            client.post(
                reverse("accounts:user_disable", args=[target.pk]), {"version": target.version}
            ).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            services.user_update(
                user=target,
                expected_version=target.version,
                org_unit=world.city,
                role=Role.VIEWER,
                by=world.city_admin,
            )
        target.refresh_from_db()
        assert (
            target.is_active
            and target.check_password(PASSWORD)
            and target.role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
        )
    # The role field of an administrator's page offers their own role only.
    page = html(client.get(reverse("accounts:user", args=[auditor.pk])))
    assert "审计管理员" in page and "审核员" not in page.split('id="user-form"')[1].split("</form>")[0]


# --- the security administrator


def test_the_security_administrator_grants_an_administrator_role_with_a_reason_and_the_sessions_end(
    world, security
):
    target = world.reviewer
    other = Client()
    other.force_login(target)
    client = Client()
    client.force_login(security)
    page = reverse("accounts:security_user", args=[target.pk])
    assert "安全管理员" in html(client.get(page))

    no_reason = client.post(page, {"role": Role.CITY_ADMIN, "reason": "", "version": target.version})
    assert no_reason.status_code == 400
    stale = client.post(page, {"role": Role.CITY_ADMIN, "reason": "换岗", "version": target.version + 1})
    assert stale.status_code == 400 and "刷新" in html(stale)
    target.refresh_from_db()
    assert target.role == Role.REVIEWER

    done = client.post(
        page, {"role": Role.CITY_ADMIN, "reason": "原管理员调离，接任系统管理员", "version": target.version}
    )
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.CITY_ADMIN and target.version == 2
    event = AuditEvent.objects.get(action="user.role", object_id=target.pk)
    assert (event.actor, event.before, event.after) == (
        security,
        {"role": Role.REVIEWER},
        {"role": Role.CITY_ADMIN},
    )
    assert event.reason == "原管理员调离，接任系统管理员"
    assert str(target.pk) not in [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert "由安全管理员变更角色" in html(client.get(page)).split('id="user-history"')[1]


def test_nobody_changes_their_own_role_and_another_jurisdiction_is_not_found(client, world, security):
    client.force_login(security)
    own = reverse("accounts:security_user", args=[security.pk])
    assert "不能更改自己的角色" in html(client.get(own))
    assert (
        client.post(own, {"role": Role.AUDIT_ADMIN, "reason": "x", "version": security.version}).status_code
        == 403
    )
    security.refresh_from_db()
    assert security.role == Role.SECURITY_ADMIN
    other = make_other_county()
    assert client.get(reverse("accounts:security_user", args=[other.admin.pk])).status_code == 404
    listed = html(client.get(reverse("accounts:security")))
    assert world.reporter.username in listed and other.admin.username not in listed


def test_the_security_administrator_lifts_a_lock_and_the_user_signs_in(client, world, security):
    for _ in range(5):
        signin.record_failure(world.reporter.username, "10.0.0.9")
    assert signin.refusal(world.reporter.username, None) == signin.LOCKED
    client.force_login(security)
    assert "锁定至" in html(client.get(reverse("accounts:security")))
    response = client.post(
        reverse("accounts:security_unlock", args=[world.reporter.pk]), {"version": world.reporter.version}
    )
    assert response.status_code == 302
    assert signin.refusal(world.reporter.username, None) is None
    event = AuditEvent.objects.get(action="login.unlock", object_id=world.reporter.pk)
    assert event.actor == security and "locked_until" in event.before
    reporter = Client()
    assert (
        reporter.post(
            reverse("login"), {"username": world.reporter.username, "password": PASSWORD}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]
)
def test_no_other_role_opens_the_security_pages(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(reverse("accounts:security")).status_code == 403
    assert client.get(reverse("accounts:security_user", args=[world.viewer.pk])).status_code == 403
    assert (
        client.post(reverse("accounts:security_unlock", args=[world.viewer.pk]), {"version": 1}).status_code
        == 403
    )


# --- the audit administrator


def test_the_audit_administrator_reads_the_jurisdictions_log_with_address_unit_and_outcome(world, auditor):
    other = make_other_county()
    reviewer = Client(REMOTE_ADDR="10.1.2.3")
    reviewer.force_login(world.reviewer)
    assert (
        reviewer.get(reverse("projects:detail", args=[99999999])).status_code == 404
    )  # an access.denied row
    events.user_changed(other.reporter, before={"phone": ""}, after={"phone": "1"}, by=other.admin)

    client = Client()
    client.force_login(auditor)
    log = reverse("audit:log")
    page = html(client.get(log))
    assert "10.1.2.3" in page and "拒绝访问" in page and "市发改局" in page and "拒绝" in page
    assert "xinhua_admin" not in page  # another county's administrator's events are theirs
    narrowed = html(client.get(log, {"action": "access.denied", "user": world.reviewer.username}))
    assert narrowed.count('data-event="') == 1
    read = AuditEvent.objects.filter(action="audit.query", actor=auditor).latest("id")
    assert read.after == {"filters": {"action": "access.denied", "user": world.reviewer.username}, "rows": 1}
    bad = client.get(log, {"since": "2026-13-01", "ip": "not-an-address"})
    assert bad.status_code == 400 and "有效" in html(bad)


@pytest.mark.parametrize(
    "persona", ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]
)
def test_no_other_role_reads_the_audit_log(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(reverse("audit:log")).status_code == 403
    assert not gateway.visible_audit_events(world.personas[persona]).exists()


# --- the oversight roles see no business data; nobody edits the audit log


@pytest.mark.parametrize("office", ["security", "auditor"])
def test_the_security_and_audit_administrators_see_no_business_data(client, world, office, request):
    user = request.getfixturevalue(office)
    client.force_login(user)
    landing = reverse("accounts:security") if office == "security" else reverse("audit:log")
    assert client.get("/")["Location"] == landing
    menu = html(client.get(landing)).split('class="mainnav"')[1].split("</nav>")[0]
    assert menu.count("<a ") == 1
    for url in (
        reverse("projects:list"),
        reverse("projects:detail", args=[world.project_a.pk]),
        reverse("investment:summary"),
        reverse("accounts:user_list"),
        reverse("accounts:security") if office == "auditor" else reverse("audit:log"),
    ):
        assert client.get(url).status_code == 403, url
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403 and "业务数据" in api.json()["detail"]
    assert not gateway.visible_projects(user).exists() and not gateway.visible_units(user).exists()
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_no_role_edits_or_removes_an_audit_record(client, world, auditor):
    event = events.user_changed(world.viewer, before={"phone": ""}, after={"phone": "1"}, by=world.city_admin)
    superuser = make_user("root", None, Role.VIEWER, is_superuser=True, is_staff=True)
    for user in (auditor, world.city_admin, superuser):
        client.force_login(user)
        change = reverse("admin:audit_auditevent_change", args=[event.pk])
        delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
        assert client.post(change, {"action": "x"}).status_code in (302, 403)
        assert client.post(delete, {"post": "yes"}).status_code in (302, 403)
        assert client.post(reverse("audit:log"), {"action": "x"}).status_code in (403, 405)
    event.refresh_from_db()
    assert (event.action, event.after) == ("user.update", {"phone": "1"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
