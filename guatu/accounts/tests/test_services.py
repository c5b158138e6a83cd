import pytest
from django.core.exceptions import ValidationError

from guatu.accounts.models import Role
from guatu.accounts.services import user_create
from guatu.audit.models import AuditEvent
from guatu.projects.services import chain_create, level_tag_create

pytestmark = pytest.mark.django_db


def test_user_create_checks_role_and_password_and_is_audited(world):
    w = world
    with pytest.raises(ValidationError) as caught:
        user_create(username="town_a", password="x", org_unit=w.town_a, role=Role.LEADER)
    assert set(caught.value.message_dict) == {"username", "leader", "password"}
    user = user_create(username="zhang", password="a-long-enough-secret-42", org_unit=w.town_a, role=Role.REPORTER, by=w.city_admin)
    assert user.check_password("a-long-enough-secret-42")
    event = AuditEvent.objects.get(action="user.create")
    assert event.after["role"] == "reporter" and "password" not in event.after
    loader = user_create(username="loader", password=None, org_unit=w.city, role=Role.VIEWER, is_active=False)
    assert not loader.has_usable_password()


def test_tags_and_chains_are_unique_and_audited(world):
    tag = level_tag_create(code="major", name="重大项目", bulletin_label="重大项目", in_bulletin=False)
    with pytest.raises(ValidationError):
        level_tag_create(code="major", name="x", bulletin_label="x")
    chain_create(name="锑产业链", chief=world.leader, lead_unit=world.dept)
    with pytest.raises(ValidationError):
        chain_create(name="锑产业链", jurisdiction=world.city)
    assert AuditEvent.objects.filter(action__in=["leveltag.create", "industrychain.create"]).count() == 2
    assert not tag.in_bulletin
