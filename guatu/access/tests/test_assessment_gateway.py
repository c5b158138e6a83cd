# ruff: noqa: F811 - `office` is a fixture imported from the service tests
"""Assessment rows fetched by id go through the gateway: another county's office gets 404 for each kind."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.assessment.models import AssessmentItem, Evidence, Indicator, ResultSnapshot
from guatu.assessment.services import appeal_raise, item_add, snapshot_compute, snapshot_publish
from guatu.assessment.tests.test_services import Q1, enter, full_inputs, office  # noqa: F401 - fixture
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def foreign(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    bureau = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    return make_user("xinhua_reviewer", bureau, Role.REVIEWER)


def _sees(get, user, pk) -> bool:
    try:
        get(user, pk)
    except Http404:
        return False
    return True


def test_indicators_of_another_county_are_not_visible(world, office, foreign):
    w = world
    tax = Indicator.objects.get(code="tax")  # led by the county's housing department
    invest = Indicator.objects.get(code="invest")  # no lead unit, used by this county's scheme only
    assert _sees(gateway.get_visible_indicator, w.reviewer, tax.pk)
    assert _sees(gateway.get_visible_indicator, w.viewer, invest.pk)
    assert not _sees(gateway.get_visible_indicator, foreign, tax.pk)
    assert not _sees(gateway.get_visible_indicator, foreign, invest.pk)
    assert not _sees(gateway.get_visible_indicator, w.reviewer, "abc")
    shared = Indicator.objects.create(code="new_firms", name="新增企业", category="business")
    assert _sees(gateway.get_visible_indicator, foreign, shared.pk)  # nobody's yet: the shared library
    assert set(gateway.visible_indicators(foreign)) == {shared}


def test_evidence_of_another_county_is_not_visible(world, office, foreign):
    w = world
    value = enter(w, w.town_a, "tax", "1200")
    evidence = Evidence.objects.create(
        value=value,
        file=SimpleUploadedFile("证明.txt", b"x"),
        name="证明.txt",
        uploaded_by=w.dept_reporter,
        uploaded_at=value.updated_at,
    )
    assert _sees(gateway.get_visible_evidence, w.dept_reporter, evidence.pk)
    assert _sees(gateway.get_visible_evidence, w.reviewer, evidence.pk)
    for user in (foreign, w.reporter, w.outsider, w.viewer):
        assert not _sees(gateway.get_visible_evidence, user, evidence.pk), user


def test_appeals_items_and_snapshots_of_another_county_are_not_visible(world, office, foreign):
    w = world
    full_inputs(w)
    item = item_add(
        scheme=office, unit=w.town_a, period=Q1, kind="bonus", points=Decimal(1), reason="表彰", by=w.reviewer
    )
    snap = snapshot_publish(snapshot=snapshot_compute(scheme=office, period=Q1, by=w.reviewer), by=w.reviewer)
    appeal = appeal_raise(snapshot=snap, indicator_code="tax", reason="偏低", by=w.outsider)
    assert _sees(gateway.get_visible_appeal, w.reviewer, appeal.pk)
    assert _sees(gateway.get_visible_appeal, w.outsider, appeal.pk)  # the unit that raised it
    assert not _sees(gateway.get_visible_appeal, w.reporter, appeal.pk)  # another unit
    assert not _sees(gateway.get_visible_appeal, foreign, appeal.pk)
    assert _sees(gateway.get_visible_item, w.reviewer, item.pk)
    assert not _sees(gateway.get_visible_item, foreign, item.pk)
    assert _sees(gateway.get_visible_snapshot, w.reviewer, snap.pk)
    assert not _sees(gateway.get_visible_snapshot, foreign, snap.pk)
    assert _sees(gateway.get_visible_scheme, w.reviewer, office.pk)
    assert not _sees(gateway.get_visible_scheme, foreign, office.pk)
    assert AssessmentItem.objects.count() == 1 and ResultSnapshot.objects.count() == 1
