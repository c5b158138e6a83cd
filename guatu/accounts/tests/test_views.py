"""The user pages of a city administrator, the must-change-password flow, one's own password change, and
logging in as a disabled user."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from guatu.accounts.models import Role, User
from guatu.accounts.services import user_password_reset, user_set_active
from guatu.audit.models import AuditEvent
from guatu.testing import PASSWORD, make_other_county, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-enough-secret-42"


def html(response) -> str:
    return response.content.decode()


def _edit_form(user, **changes) -> dict:
    data = {
        "name": user.get_full_name(),
        "org_unit": user.org_unit_id,
        "role": user.role,
        "leader": user.leader_id or "",
        "phone": user.phone,
        "email": user.email,
        "version": user.version,
    }
    data.update(changes)
    return data


def test_the_list_shows_the_jurisdictions_users_only(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    page = html(response)
    assert "town_a" in page and "单位填报员" in page and other.reporter.username not in page


@pytest.mark.parametrize("persona", ["reviewer", "reporter", "leader", "viewer"])
def test_other_roles_are_refused(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user", args=[world.viewer.pk])).status_code == 403
    response = client.post(reverse("accounts:user_disable", args=[world.viewer.pk]), {"version": 1})
    assert response.status_code == 403
    world.viewer.refresh_from_db()
    assert world.viewer.is_active


def test_anonymous_is_sent_to_log_in(client, world):
    for url in (reverse("accounts:user_list"), reverse("accounts:password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_user_of_another_county_is_not_found(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    assert client.get(reverse("accounts:user", args=[other.reporter.pk])).status_code == 404
    response = client.post(reverse("accounts:user_password_reset", args=[other.reporter.pk]), {"password": NEW_PASSWORD, "version": 1})
    assert response.status_code == 404
    # Nor can their unit be given to a user of this county.
    response = client.post(reverse("accounts:user", args=[world.viewer.pk]), _edit_form(world.viewer, org_unit=other.town.pk))
    assert response.status_code == 400
    world.viewer.refresh_from_db()
    assert world.viewer.org_unit == world.town_a


def test_changing_role_and_unit_is_audited_with_before_and_after_and_shown_in_chinese(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("accounts:user", args=[world.viewer.pk]),
        _edit_form(world.viewer, role=Role.REPORTER, org_unit=world.town_b.pk),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.update", object_id=world.viewer.pk)
    assert event.before == {"org_unit": world.town_a.pk, "role": Role.VIEWER}
    assert event.after == {"org_unit": world.town_b.pk, "role": Role.REPORTER}
    history = html(client.get(reverse("accounts:user", args=[world.viewer.pk]))).split('id="user-history"')[1]
    assert "渣渡镇" in history and "单位填报员" in history and "查阅人员" in history
    assert "org_unit" not in history and "reporter" not in history
    # The same form again carries the old version: refused, the input kept.
    response = client.post(
        reverse("accounts:user", args=[world.viewer.pk]),
        _edit_form(world.viewer, role=Role.LEADER, leader=world.other_leader.pk, phone="13800000000"),
    )
    assert response.status_code == 400 and "13800000000" in html(response)


def test_a_created_user_must_change_the_password_at_first_login(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "hq_zhang",
            "name": "张伟",
            "org_unit": world.town_a.pk,
            "role": Role.REPORTER,
            "phone": "0738-5221234",
            "email": "",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="hq_zhang")
    assert created.must_change_password and created.first_name == "张伟"
    event = AuditEvent.objects.get(action="user.create", object_id=created.pk)
    assert event.actor == world.city_admin and "password" not in event.after
    client.logout()

    response = client.post(reverse("login"), {"username": "hq_zhang", "password": NEW_PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    for url in (reverse("projects:list"), reverse("investment:summary"), reverse("orgs:tree")):
        assert client.get(url)["Location"] == reverse("accounts:password_change")
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403 and "密码" in api.json()["detail"]
    assert "管理员为您设置了密码" in html(client.get(reverse("accounts:password_change")))

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": NEW_PASSWORD, "new_password": "my-own-choice-2026", "new_password2": "my-own-choice-2026"},
    )
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).status_code == 200  # still logged in, free to go on
    created.refresh_from_db()
    assert not created.must_change_password and created.check_password("my-own-choice-2026")
    assert AuditEvent.objects.filter(action="user.password_change", object_id=created.pk, actor=created).count() == 1


def test_a_password_reset_ends_sessions_and_the_user_must_change_it(client, world):
    client.force_login(world.reporter)
    assert Session.objects.count() == 1
    user_password_reset(user=world.reporter, password=NEW_PASSWORD, expected_version=1, by=world.city_admin)
    assert Session.objects.count() == 0
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor == world.city_admin and event.after == {"must_change_password": True}
    assert all("pbkdf2" not in str(e.after) and "md5" not in str(e.after) for e in AuditEvent.objects.all())
    client.post(reverse("login"), {"username": "town_a", "password": NEW_PASSWORD})
    assert client.get(reverse("projects:list"))["Location"] == reverse("accounts:password_change")


def test_reset_through_the_page(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("accounts:user_password_reset", args=[world.reporter.pk]), {"password": "短", "version": 1}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("accounts:user_password_reset", args=[world.reporter.pk]), {"password": NEW_PASSWORD, "version": 1}
    )
    assert response.status_code == 302
    world.reporter.refresh_from_db()
    assert world.reporter.must_change_password and world.reporter.check_password(NEW_PASSWORD)


def test_own_password_change_refuses_a_wrong_old_password(client, world):
    client.force_login(world.reviewer)
    page = html(client.get(reverse("accounts:password_change")))
    assert "修改密码" in page
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong-one", "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    world.reviewer.refresh_from_db()
    assert world.reviewer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_disabling_ends_sessions_refuses_self_and_is_reversible(client, world):
    from django.test import Client

    victim = Client()
    victim.force_login(world.viewer)
    client.force_login(world.city_admin)
    response = client.post(reverse("accounts:user_disable", args=[world.viewer.pk]), {"version": 1})
    assert response.status_code == 302
    world.viewer.refresh_from_db()
    assert not world.viewer.is_active
    assert victim.get(reverse("projects:list")).status_code == 302  # logged out
    event = AuditEvent.objects.get(action="user.update", object_id=world.viewer.pk)
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})

    client.post(reverse("accounts:user_disable", args=[world.city_admin.pk]), {"version": 1})
    world.city_admin.refresh_from_db()
    assert world.city_admin.is_active

    client.post(reverse("accounts:user_enable", args=[world.viewer.pk]), {"version": world.viewer.version})
    world.viewer.refresh_from_db()
    assert world.viewer.is_active


def test_a_disabled_user_cannot_log_in(client, world):
    user_set_active(user=world.reporter, is_active=False, expected_version=1, by=world.city_admin)
    response = client.post(reverse("login"), {"username": "town_a", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_city_administrator_cannot_touch_a_superuser(client, world):
    root = make_user("root", world.city, Role.CITY_ADMIN, is_superuser=True)
    client.force_login(world.city_admin)
    response = client.post(reverse("accounts:user_disable", args=[root.pk]), {"version": 1})
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_the_user_list_takes_the_same_queries_for_few_or_many(client, world, django_assert_max_num_queries):
    client.force_login(world.city_admin)
    client.get(reverse("accounts:user_list"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("accounts:user_list"))
    for n in range(30):
        make_user(f"user{n}", world.town_b, Role.VIEWER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:user_list"))
    assert "user29" in html(response)


def test_a_superuser_without_a_unit_manages_every_jurisdiction(client, world):
    other = make_other_county()
    root = make_user("root", None, Role.VIEWER, is_superuser=True)
    client.force_login(root)
    page = html(client.get(reverse("orgs:tree")))
    assert "冷水江市" in page and "新化县" in page
    assert client.get(reverse("accounts:user", args=[other.reporter.pk])).status_code == 200


def test_a_user_who_must_change_the_password_may_still_log_out_and_load_static_files(client, world):
    world.reporter.must_change_password = True
    world.reporter.save(update_fields=["must_change_password"])
    client.force_login(world.reporter)
    assert client.get("/static/guatu/guatu.css").status_code != 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] != reverse("accounts:password_change")
    assert "_auth_user_id" not in client.session
