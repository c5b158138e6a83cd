"""The lead page's forms as a user reads them: each step asks for its own date by name (签约日期, 开工日期, not a
bare 日期), and no two fields on the page share an id, so every label points at its own field."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal

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


def test_a_missing_step_date_is_shown_at_its_field_not_at_the_top(client, world):
    negotiating = make_lead(world.town_a, name="洽谈中项目", status=LeadStatus.NEGOTIATING)
    client.force_login(world.reviewer)
    response = client.post(
        reverse("attraction:step", args=[negotiating.pk, "lead.sign"]),
        {"version": negotiating.version, "contract_amount": "30000", "promised_start": "2022-05-01"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    form = body[body.index('data-step="lead.sign"') :]
    form = form[: form.index("</form>")]
    assert '<span class="error">请填写签约日期。</span>' in form
    assert '<ul class="errors" role="alert">' not in body  # nothing left for the top of the page


def test_a_month_of_funds_already_entered_can_be_changed_from_the_page(client, world):
    """The page offers to change a month's funds in place: the form comes back filled with that month's figures
    and the version they were read at, and saving it replaces them (a save without it is refused as stale)."""
    lead = make_lead(world.town_a, name="已开工项目", status=LeadStatus.STARTED, started_on=date(2022, 3, 10))
    url = reverse("attraction:funds", args=[lead.pk])
    client.force_login(world.reporter)
    assert client.post(url, {"period": "2022-02", "domestic": "100", "foreign": "0"}).status_code == 302

    page = client.get(reverse("attraction:detail", args=[lead.pk])).content.decode()
    change = reverse("attraction:detail", args=[lead.pk]) + "?funds=2022-02#funds"
    assert f'href="{change}"' in page
    form = client.get(change).context["funds_form"]
    assert (str(form["period"].value()), form["domestic"].value(), form["version"].value()) == (
        "2022-02",
        Decimal("100.00"),
        1,
    )

    data = {"period": "2022-02", "domestic": "120.5", "foreign": "3", "version": form["version"].value()}
    assert client.post(url, data).status_code == 302
    row = lead.funds.get()
    assert (row.domestic, row.foreign, row.version) == (Decimal("120.50"), Decimal("3.00"), 2)
    assert client.post(url, data).status_code == 400  # the same form again: read at a version that is gone
