"""On the demo's day (GUATU_TODAY=2022-04-24, as `make run` sets it) every page opens on March 2022, the
latest month whose reports were due, although some April reports are already in review."""

import pytest
from django.urls import reverse

from guatu.accounts.models import Role, User
from guatu.demo import data
from guatu.lib.periods import Period
from guatu.lights.services import default_period

pytestmark = pytest.mark.django_db


def test_the_demo_opens_on_march_with_the_seed_sentence(client, root, settings):
    settings.GUATU_TODAY = data.DEMO_DAY
    assert default_period(root) == Period(2022, 3)
    admin = User.objects.filter(role=Role.CITY_ADMIN, org_unit=root).first()
    client.force_login(admin)
    response = client.get(reverse("investment:summary"))
    assert str(response.context["period"]) == "2022-03"
    assert response.context["sentence"] == data.EXPECTED_SENTENCE
    assert 'value="2022-03"' in response.content.decode()
