# ruff: noqa: F811 - `office` is a fixture imported from the service tests
"""Every assessment row a page fetches by id goes through the access gateway: another county's office gets
404 on the page and on the action, and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.assessment.models import Appeal, AssessmentItem, Evidence, Indicator, IndicatorValue
from guatu.assessment.services import appeal_raise, snapshot_compute, snapshot_publish
from guatu.assessment.tests.test_services import Q1, full_inputs, office  # noqa: F401 - fixture
from guatu.audit.models import AuditEvent
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_unit, make_user

pytestmark = pytest.mark.django_db
PERIOD = "2022-03"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def foreign(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    bureau = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    return make_user("xinhua_reviewer", bureau, Role.REVIEWER)


def test_another_countys_office_cannot_open_or_edit_this_countys_indicator(client, world, office, foreign):
    tax = Indicator.objects.get(code="tax")
    url = reverse("assessment:indicator_edit", args=[tax.pk])
    client.force_login(foreign)
    assert client.get(url).status_code == 404
    data = {
        "name": "税收收入",
        "category": "economy",
        "measure": "万元",
        "direction": "lower",
        "frequency": "quarterly",
        "data_source": "",
        "lead_unit": "",
        "source": "entered",
        "computed_key": "",
    }
    assert client.post(url, data).status_code == 404
    tax.refresh_from_db()
    assert (tax.direction, tax.lead_unit) == ("higher", world.dept)
    assert not AuditEvent.objects.filter(action="indicator.update").exists()
    listing = client.get(reverse("assessment:indicator_list"))
    assert "税收收入" not in listing.content.decode()
    # Nor its value grid.
    assert client.get(reverse("assessment:value_grid", args=[tax.pk, PERIOD])).status_code == 404
    # The county's own office still edits it.
    client.force_login(world.reviewer)
    assert client.get(url).status_code == 200


def test_another_countys_office_cannot_fetch_evidence_items_or_appeals(client, world, office, foreign):
    w = world
    full_inputs(w)
    value = IndicatorValue.objects.get(indicator__code="tax", unit=w.town_a)
    evidence = Evidence.objects.create(
        value=value,
        file=SimpleUploadedFile("证明.txt", b"proof"),
        name="证明.txt",
        uploaded_by=w.dept_reporter,
        uploaded_at=value.updated_at,
    )
    client.force_login(foreign)
    assert client.get(reverse("assessment:evidence_download", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("assessment:value_detail", args=[value.pk])).status_code == 404
    assert (
        client.post(reverse("assessment:value_unlock", args=[value.pk]), {"reason": "x"}).status_code == 404
    )
    items_url = reverse("assessment:items", args=[office.pk, PERIOD])
    assert client.get(items_url).status_code == 404
    posted = {"unit": str(w.town_a.pk), "kind": "bonus", "points": "3", "reason": "表彰"}
    assert client.post(items_url, posted).status_code == 404
    assert not AssessmentItem.objects.exists()
    snap = snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=w.reviewer), by=w.reviewer)
    appeal = appeal_raise(snapshot=snap, indicator_code="tax", reason="偏低", by=w.outsider)
    answer = reverse("assessment:appeal_answer", args=[appeal.pk])
    assert client.post(answer, {"answer": "驳回"}).status_code == 404
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer) == ("open", "")
    assert Appeal.objects.count() == 1
    value.refresh_from_db()
    assert value.status == "approved"
