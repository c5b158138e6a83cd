"""The admin's user pages: a change of unit, role or superuser status is audited like any other write."""

import pytest
from django.urls import reverse

from guatu.accounts.models import Role, User
from guatu.audit.models import AuditEvent
from guatu.testing import make_user

pytestmark = pytest.mark.django_db


def _form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "org_unit": user.org_unit_id or "",
        "role": user.role,
        "leader": user.leader_id or "",
        "phone": user.phone,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_changing_unit_role_and_superuser_in_the_admin_is_audited(client, world):
    admin = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    target = world.viewer
    unit_before = target.org_unit_id
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        _form(target, org_unit=world.town_b.pk, role=Role.REVIEWER, is_superuser="on"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert (target.org_unit, target.role, target.is_superuser) == (world.town_b, Role.REVIEWER, True)
    event = AuditEvent.objects.get(action="user.update", object_id=target.pk)
    assert event.actor == admin
    assert event.before == {"org_unit": unit_before, "role": Role.VIEWER, "is_superuser": False}
    assert event.after == {"org_unit": world.town_b.pk, "role": Role.REVIEWER, "is_superuser": True}


def test_saving_a_user_unchanged_in_the_admin_records_nothing(client, world):
    admin = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_user_change", args=[world.viewer.pk]), _form(world.viewer))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_a_user_added_in_the_admin_is_audited(client, world):
    admin = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "password1": "a-long-enough-secret-42", "password2": "a-long-enough-secret-42", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    event = AuditEvent.objects.get(action="user.create", object_id=user.pk)
    assert event.actor == admin and event.after["role"] == Role.VIEWER


def test_active_and_staff_status_changed_in_the_admin_are_audited(client, world):
    admin = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    data = _form(world.viewer, is_staff="on")
    data.pop("is_active")
    response = client.post(reverse("admin:accounts_user_change", args=[world.viewer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.update", object_id=world.viewer.pk)
    assert (event.before, event.after) == ({"is_active": True, "is_staff": False}, {"is_active": False, "is_staff": True})


def test_groups_and_permissions_changed_in_the_admin_are_audited_by_name(client, world):
    from django.contrib.auth.models import Group, Permission

    admin = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    group = Group.objects.create(name="数据维护")
    permission = Permission.objects.get(codename="view_orgunit")
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[world.viewer.pk]),
        {**_form(world.viewer), "groups": [group.pk], "user_permissions": [permission.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.access_change", object_id=world.viewer.pk)
    assert event.actor == admin
    assert event.before == {"groups": [], "user_permissions": []}
    assert event.after == {"groups": ["数据维护"], "user_permissions": ["orgs.view_orgunit"]}
    assert not AuditEvent.objects.filter(action="user.update").exists()
    # Taken away again: recorded the other way round.
    client.post(reverse("admin:accounts_user_change", args=[world.viewer.pk]), _form(world.viewer))
    last = AuditEvent.objects.filter(action="user.access_change").latest("id")
    assert last.before == {"groups": ["数据维护"], "user_permissions": ["orgs.view_orgunit"]}
    assert last.after == {"groups": [], "user_permissions": []}
