"""The lead page's forms as a user reads them: each step asks for its own date by name (签约日期, 开工日期, not a
bare 日期), and no two fields on the page share an id, so every label points at its own field."""

import re
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse

from guatu.attraction.models import LeadStatus
from guatu.attraction.tests.helpers import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


def _ids(body: str) -> Counter:
    return Counter(re.findall(r'\bid="([^"]+)"', body))


def _label_of(body: str, form: str, field: str) -> str:
    """The text of the label around `field` inside the form whose opening tag contains `form`."""
    start = body.index(form)
    chunk = body[start : body.index("</form>", start)]
    match = re.search(rf'<label for="[^"]*">([^<]*)<input[^>]*name="{field}"', chunk)
    assert match, f"no labelled {field} in {form}"
    return match.group(1).strip()


def test_each_step_names_its_date_and_ids_are_unique(client, world):
    signed = make_lead(
        world.town_a, name="签约待开工项目", status=LeadStatus.SIGNED, promised_start=date(2022, 5, 1)
    )
    negotiating = make_lead(world.town_a, name="洽谈中项目", status=LeadStatus.NEGOTIATING)
    client.force_login(world.reviewer)

    body = client.get(reverse("attraction:detail", args=[negotiating.pk])).content.decode()
    assert _label_of(body, 'data-step="lead.sign"', "on") == "签约日期"
    assert [name for name, count in _ids(body).items() if count > 1] == []

    body = client.get(reverse("attraction:detail", args=[signed.pk])).content.decode()
    assert _label_of(body, 'data-step="lead.register"', "on") == "注册日期"
    assert _label_of(body, 'data-step="lead.start"', "on") == "开工日期"
    assert [name for name, count in _ids(body).items() if count > 1] == []


def test_a_refused_step_shows_its_error_under_its_own_named_date(client, world):
    signed = make_lead(
        world.town_a, name="签约待开工项目", status=LeadStatus.SIGNED, promised_start=date(2022, 5, 1)
    )
    client.force_login(world.reviewer)
    response = client.post(
        reverse("attraction:step", args=[signed.pk, "lead.start"]),
        {"version": signed.version, "on": "2022-05-01"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert _label_of(body, 'data-step="lead.start"', "on") == "开工日期"
    assert "开工日期 2022-05-01 尚未到来。" in body
    assert [name for name, count in _ids(body).items() if count > 1] == []
