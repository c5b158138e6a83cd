"""Entry pages of the assessment reference data (the checklist, peer counties' values, the ten headline
indicators and their quarters): draft → submitted → approved (locked), returned and unlocked with a reason,
versions, access per persona, bounded input, audit; only approved rows count on the read pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.assessment import reference
from guatu.assessment.models import (
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    PeerValue,
    ValueStatus,
)
from guatu.audit.models import AuditEvent
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def gdp(world):
    return Indicator.objects.create(
        code="gdp_growth", name="地区生产总值增速", category="economy", measure="%", lead_unit=world.dept
    )


def _headline(world, **kw) -> HeadlineIndicator:
    fields = {"year": 2022, "position": 1, "name": "地区生产总值", "measure": "亿元", "target": Decimal("8")}
    return HeadlineIndicator.objects.create(jurisdiction=world.city, **{**fields, **kw})


def _post_data(kind, world, gdp) -> dict:
    """What a person types to enter a row of each kind."""
    if kind == "checklist":
        return {
            "year": "2022",
            "indicator": gdp.pk,
            "prefecture_weight": "4",
            "target": "7.5",
            "lead_unit": world.dept.pk,
            "support_units": [world.drc.pk],
            "expected_points": "3.5",
            "gap_analysis": "增速低于全市平均",
        }
    if kind == "peers":
        return {"indicator": gdp.pk, "year": "2022", "month": "3", "peer": "涟源市", "value": "6.8"}
    if kind == "headlines":
        return {
            "year": "2022",
            "position": "2",
            "name": "固定资产投资增速",
            "measure": "%",
            "direction": "higher",
            "target": "10",
        }
    headline = _headline(world, status=ValueStatus.APPROVED)
    return {"indicator": headline.pk, "quarter": "1", "actual": "7.9", "peer_rank": "2"}


MODELS = {
    "checklist": ChecklistRow,
    "peers": PeerValue,
    "headlines": HeadlineIndicator,
    "headline-quarters": HeadlineValue,
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_enter_submit_return_correct_approve_and_unlock(client, world, gdp, kind):
    model = MODELS[kind]
    # the unit responsible enters the checklist and peer rows; the office the headline figures
    filler = world.dept_reporter if kind in ("checklist", "peers") else world.city_admin
    client.force_login(filler)
    data = _post_data(kind, world, gdp)
    response = client.post(reverse("assessment:reference_new", args=[kind]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = model.objects.latest("pk")
    assert (row.status, row.version, row.entered_by) == (ValueStatus.DRAFT, 1, filler)
    detail = reverse("assessment:reference_detail", args=[kind, row.pk])

    def step(user, name, **extra):
        client.force_login(user)
        row.refresh_from_db()
        url = reverse("assessment:reference_step", args=[kind, row.pk, name])
        return client.post(url, {"version": row.version, **extra})

    assert step(filler, "submit").status_code == 302
    assert step(world.reviewer, "return").status_code == 400  # a return needs a reason
    assert step(world.reviewer, "return", reason="目标值与市里下达的不一致").status_code == 302
    row.refresh_from_db()
    assert (row.status, row.return_reason) == (ValueStatus.RETURNED, "目标值与市里下达的不一致")
    client.force_login(filler)
    assert "目标值与市里下达的不一致" in client.get(detail).content.decode()
    edited = {**data, "version": row.version}
    assert client.post(detail, edited).status_code == 302
    assert step(filler, "submit").status_code == 302
    approver = world.reviewer if filler != world.reviewer else world.city_admin
    assert step(approver, "approve").status_code == 302
    row.refresh_from_db()
    assert (row.status, row.reviewed_by) == (ValueStatus.APPROVED, approver)
    # approved rows are locked: the form is gone and a save is refused
    client.force_login(filler)
    assert client.post(detail, {**data, "version": row.version}).status_code == 403
    assert step(world.reviewer, "unlock", reason="市统计局更正了数据").status_code == 403  # a role above unlocks
    assert step(world.city_admin, "unlock").status_code == 400  # needs a reason
    assert step(world.city_admin, "unlock", reason="市统计局更正了数据").status_code == 302
    row.refresh_from_db()
    assert row.status == ValueStatus.RETURNED
    actions = list(
        AuditEvent.objects.filter(object_type=model._meta.model_name, object_id=row.pk).values_list(
            "action", flat=True
        )
    )
    prefix = {"checklist": "checklist", "peers": "peer"}.get(kind, "headline")
    assert actions == [f"{prefix}.{a}" for a in ("create", "submit", "return", "update", "submit", "approve", "unlock")]
    # the history on the row's page reads in Chinese: labels and names, never field names or ids
    client.force_login(approver)
    page = client.get(detail).content.decode()
    at = page.find("return_reason")
    assert at == -1, page[at - 300 : at + 100]
    history = page[page.find("<table") :]
    assert "已审核" in history, history


def test_whoever_filled_a_row_in_does_not_approve_it(world, gdp):
    row = reference.reference_save(kind=reference.HEADLINE, data=_post_fields_headline(), by=world.reviewer)
    row = reference.reference_step(
        kind=reference.HEADLINE, row=row, step="submit", by=world.reviewer, expected_version=1
    )
    with pytest.raises(Exception, match="someone else|其他人"):
        reference.reference_step(
            kind=reference.HEADLINE, row=row, step="approve", by=world.reviewer, expected_version=2
        )


def _post_fields_headline() -> dict:
    return {
        "year": 2022,
        "position": 3,
        "name": "税收占比",
        "measure": "%",
        "direction": "higher",
        "target": Decimal("70"),
    }


@pytest.mark.parametrize("version", [None, 1])
def test_a_save_or_step_without_the_version_read_or_with_a_stale_one_is_refused(world, version):
    from django.core.exceptions import ValidationError

    row = reference.reference_save(kind=reference.HEADLINE, data=_post_fields_headline(), by=world.reviewer)
    row = reference.reference_save(
        kind=reference.HEADLINE,
        row=row,
        data={"target": Decimal("71")},
        expected_version=1,
        by=world.city_admin,
    )
    assert row.version == 2
    with pytest.raises(ValidationError) as refused:
        reference.reference_save(
            kind=reference.HEADLINE,
            row=row,
            data={"target": Decimal("72")},
            expected_version=version,
            by=world.reviewer,
        )
    assert "version" in refused.value.message_dict
    with pytest.raises(ValidationError):
        reference.reference_step(
            kind=reference.HEADLINE, row=row, step="submit", by=world.reviewer, expected_version=version
        )
    row.refresh_from_db()
    assert (row.target, row.status, row.version) == (Decimal("71"), ValueStatus.DRAFT, 2)


def test_a_stale_version_on_the_page_says_so_in_chinese_and_writes_nothing(client, world):
    row = _headline(world)
    client.force_login(world.reviewer)
    url = reverse("assessment:reference_step", args=["headlines", row.pk, "submit"])
    response = client.post(url)  # no version
    assert response.status_code == 400
    assert "没有" in response.content.decode() or "版本" in response.content.decode()
    row.refresh_from_db()
    assert row.status == ValueStatus.DRAFT


def test_bad_input_names_the_row_and_field_and_writes_nothing(client, world, gdp):
    client.force_login(world.city_admin)
    events = AuditEvent.objects.count()
    data = _post_data("checklist", world, gdp)
    response = client.post(
        reverse("assessment:reference_new", args=["checklist"]),
        {**data, "target": "7.12345", "gap_analysis": "长" * 2001},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "目标" in page and "4" in page and "2000" in page
    assert ChecklistRow.objects.count() == 0 and AuditEvent.objects.count() == events
    # the service bounds the numbers itself, naming the row
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        reference.reference_save(
            kind=reference.PEER,
            data={"indicator": gdp, "year": 2022, "month": 13, "peer": "涟源市", "value": Decimal("1e20")},
            by=world.city_admin,
        )
    messages = refused.value.message_dict
    assert set(messages) == {"month", "value"}
    assert "涟源市" in messages["value"][0]
    assert PeerValue.objects.count() == 0


def test_a_second_row_for_the_same_thing_is_refused_naming_the_first(world, gdp):
    from django.core.exceptions import ValidationError

    data = {"indicator": gdp, "year": 2022, "month": 3, "peer": "涟源市", "value": Decimal("6.8")}
    reference.reference_save(kind=reference.PEER, data=data, by=world.city_admin)
    with pytest.raises(ValidationError, match="涟源市"):
        reference.reference_save(kind=reference.PEER, data=data, by=world.reviewer)
    assert PeerValue.objects.count() == 1


@pytest.mark.parametrize("persona", ["reporter", "leader_user", "viewer"])
def test_a_unit_not_responsible_may_not_enter_or_open_the_rows(client, world, gdp, persona):
    row = ChecklistRow.objects.create(
        jurisdiction=world.city, year=2022, indicator=gdp, prefecture_weight=4, lead_unit=world.dept
    )
    client.force_login(getattr(world, persona))
    assert client.get(reverse("assessment:reference_detail", args=["checklist", row.pk])).status_code == 404
    submit = reverse("assessment:reference_step", args=["checklist", row.pk, "submit"])
    assert client.post(submit, {"version": 1}).status_code == 404
    if persona != "reporter":
        assert client.get(reverse("assessment:reference_list", args=["checklist"])).status_code == 403
    assert client.get(reverse("assessment:reference_new", args=["headlines"])).status_code == 403
    row.refresh_from_db()
    assert row.status == ValueStatus.DRAFT


def test_a_reporter_may_not_approve_nor_enter_for_another_unit(client, world, gdp):
    client.force_login(world.dept_reporter)
    data = {**_post_data("checklist", world, gdp), "lead_unit": world.town_a.pk}
    response = client.post(reverse("assessment:reference_new", args=["checklist"]), data)
    assert response.status_code == 400  # not a choice: only their own unit
    assert ChecklistRow.objects.count() == 0
    row = ChecklistRow.objects.create(
        jurisdiction=world.city,
        year=2022,
        indicator=gdp,
        prefecture_weight=4,
        lead_unit=world.dept,
        status=ValueStatus.SUBMITTED,
        entered_by=world.city_admin,
    )
    approve = reverse("assessment:reference_step", args=["checklist", row.pk, "approve"])
    assert client.post(approve, {"version": 1}).status_code == 403
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_another_countys_office_gets_404_and_anonymous_the_login(client, world, gdp):
    other = make_other_county()
    rows = {
        "checklist": ChecklistRow.objects.create(
            jurisdiction=world.city, year=2022, indicator=gdp, prefecture_weight=4, lead_unit=world.dept
        ),
        "peers": PeerValue.objects.create(
            jurisdiction=world.city, indicator=gdp, year=2022, month=3, peer="涟源市", value=1
        ),
        "headlines": _headline(world),
    }
    rows["headline-quarters"] = HeadlineValue.objects.create(indicator=rows["headlines"], quarter=1, actual=2)
    for kind, row in rows.items():
        detail = reverse("assessment:reference_detail", args=[kind, row.pk])
        step = reverse("assessment:reference_step", args=[kind, row.pk, "submit"])
        client.force_login(other.admin)
        assert client.get(detail).status_code == 404
        assert client.post(step, {"version": 1}).status_code == 404
        assert (
            client.get(reverse("assessment:reference_list", args=[kind])).content.decode().count("data-row=")
            == 0
        )
        client.logout()
        assert client.get(detail).status_code == 302 and "login" in client.get(detail)["Location"]
        assert client.get(reverse("assessment:reference_list", args=[kind]))["Location"].startswith("/")
        row.refresh_from_db()
        assert row.status == ValueStatus.DRAFT
    client.force_login(world.reviewer)
    assert client.get(reverse("assessment:reference_list", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("kind", list(MODELS))
def test_the_lists_take_a_fixed_number_of_queries(client, world, gdp, kind, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            indicator = Indicator.objects.create(
                code=f"i{kind[:3]}{i}{Indicator.objects.count()}",
                name=f"指标{i}",
                category="economy",
                lead_unit=world.dept,
            )
            head = HeadlineIndicator.objects.create(
                jurisdiction=world.city,
                year=2022,
                position=HeadlineIndicator.objects.count() + 1,
                name=f"指标{i}",
                measure="%",
                target=1,
                entered_by=world.dept_reporter,
            )
            HeadlineValue.objects.create(indicator=head, quarter=1, actual=1, entered_by=world.city_admin)
            ChecklistRow.objects.create(
                jurisdiction=world.city,
                year=2022,
                indicator=indicator,
                prefecture_weight=1,
                lead_unit=world.dept,
                entered_by=world.dept_reporter,
            )
            PeerValue.objects.create(
                jurisdiction=world.city,
                indicator=indicator,
                year=2022,
                month=3,
                peer="涟源市",
                value=1,
                entered_by=world.dept_reporter,
            )

    client.force_login(world.reviewer)
    url = reverse("assessment:reference_list", args=[kind])
    add(1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-row=") == 9


def test_only_approved_rows_count_on_the_read_pages(client, world, gdp):
    row = ChecklistRow.objects.create(
        jurisdiction=world.city,
        year=2022,
        indicator=gdp,
        prefecture_weight=4,
        lead_unit=world.dept,
        target=Decimal("7.5"),
    )
    for peer, mine, value in (("冷水江市", True, "5.1"), ("涟源市", False, "6.8")):
        PeerValue.objects.create(
            jurisdiction=world.city,
            indicator=gdp,
            year=2022,
            month=3,
            peer=peer,
            is_self=mine,
            value=Decimal(value),
        )
    headline = _headline(world)
    HeadlineValue.objects.create(indicator=headline, quarter=1, actual=Decimal("7.9"))
    client.force_login(world.leader_user)

    def shown():
        return (
            'data-code="gdp_growth"'
            in client.get(reverse("assessment:checklist") + "?year=2022").content.decode(),
            "6.8" in client.get(reverse("assessment:benchmarks") + "?period=2022-03").content.decode(),
            "7.9" in client.get(reverse("assessment:headline") + "?year=2022&quarter=1").content.decode(),
        )

    assert shown() == (False, False, False)
    ChecklistRow.objects.filter(pk=row.pk).update(status=ValueStatus.APPROVED)
    PeerValue.objects.update(status=ValueStatus.APPROVED)
    HeadlineIndicator.objects.update(status=ValueStatus.APPROVED)
    HeadlineValue.objects.update(status=ValueStatus.APPROVED)
    assert shown() == (True, True, True)
