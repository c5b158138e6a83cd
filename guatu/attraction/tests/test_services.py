"""The lead lifecycle: steps with their data, late-start flags, funds in place, follow-ups and conversion."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from guatu.attraction.models import FundsInPlace, Lead, LeadStatus
from guatu.attraction.queries import late_start_light, late_start_lights
from guatu.attraction.services import (
    LeadInput,
    follow_up_add,
    funds_set,
    lead_advance,
    lead_convert,
    lead_create,
    lead_drop,
    lead_update,
    next_steps,
)
from guatu.attraction.tests.helpers import make_lead
from guatu.audit.history import history_rows
from guatu.audit.models import AuditEvent
from guatu.lib.lights import Light, RuleSet
from guatu.lib.periods import Period
from guatu.projects.models import Stage, Tier
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db
TODAY = date(2022, 4, 24)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = TODAY


def _input(unit, **kw):
    return LeadInput(
        **{"name": "新能源电池材料项目", "investor": "广东某新能源公司", "responsible_unit": unit,
           "planned_investment": Decimal("50000"), **kw}
    )


def test_a_reviewer_creates_a_lead_of_their_jurisdiction_audited(world):
    lead = lead_create(data=_input(world.town_a), by=world.reviewer)
    assert (lead.jurisdiction, lead.status, lead.version, lead.created_by) == (
        world.city, LeadStatus.LEAD, 1, world.reviewer
    )
    event = AuditEvent.objects.get(action="lead.create", object_id=lead.pk)
    assert event.after["responsible_unit"] == world.town_a.pk and event.after["planned_investment"] == "50000.00"


def test_a_reporter_may_not_create_or_step_a_lead(world):
    with pytest.raises(PermissionDenied):
        lead_create(data=_input(world.town_a), by=world.reporter)
    lead = make_lead(world.town_a)
    with pytest.raises(PermissionDenied):
        lead_advance(lead=lead, action="lead.negotiate", by=world.reporter, expected_version=lead.version)


def test_another_countys_reviewer_may_not_touch_the_lead(world):
    other = make_other_county()
    lead = make_lead(world.town_a)
    from guatu.accounts.models import Role
    from guatu.testing import make_user

    stranger = make_user("other_reviewer", other.county, Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        lead_advance(lead=lead, action="lead.negotiate", by=stranger, expected_version=lead.version)
    with pytest.raises(ValidationError) as error:
        lead_create(data=_input(world.town_a), by=stranger)
    assert "responsible_unit" in error.value.message_dict


def test_bad_input_is_refused_by_field_and_nothing_written(world):
    with pytest.raises(ValidationError) as error:
        lead_create(
            data=_input(world.town_a, name="", investor="x" * 201, planned_investment=Decimal("1.234"), source="rumour"),
            by=world.reviewer,
        )
    assert set(error.value.message_dict) == {"name", "investor", "planned_investment", "source"}
    assert not Lead.objects.exists()


def test_update_is_version_checked_and_audited(world):
    lead = lead_create(data=_input(world.town_a), by=world.reviewer)
    with pytest.raises(ValidationError):
        lead_update(lead=lead, data=_input(world.town_b), expected_version=None, by=world.reviewer)
    lead = lead_update(lead=lead, data=_input(world.town_b), expected_version=1, by=world.reviewer)
    assert lead.responsible_unit == world.town_b and lead.version == 2
    with pytest.raises(ValidationError):
        lead_update(lead=lead, data=_input(world.town_a), expected_version=1, by=world.reviewer)
    event = AuditEvent.objects.get(action="lead.update", object_id=lead.pk)
    assert event.before == {"responsible_unit": world.town_a.pk} and event.after == {"responsible_unit": world.town_b.pk}


def test_the_whole_pipeline_with_the_data_each_step_needs(world):
    lead = lead_create(data=_input(world.town_a), by=world.reviewer)
    assert next_steps(lead) == ["lead.negotiate", "lead.sign", "lead.drop"]
    lead = lead_advance(lead=lead, action="lead.negotiate", by=world.reviewer, expected_version=1)
    with pytest.raises(ValidationError) as error:
        lead_advance(lead=lead, action="lead.sign", by=world.reviewer, expected_version=2, on=date(2022, 2, 1))
    assert set(error.value.message_dict) == {"contract_amount", "promised_start"}
    with pytest.raises(ValidationError) as error:
        lead_advance(
            lead=lead, action="lead.sign", by=world.reviewer, expected_version=2, on=date(2022, 2, 1),
            contract_amount=Decimal("30000"), promised_start=date(2022, 1, 15),
        )
    assert "promised_start" in error.value.message_dict
    lead = lead_advance(
        lead=lead, action="lead.sign", by=world.reviewer, expected_version=2, on=date(2022, 2, 1),
        contract_amount=Decimal("30000"), promised_start=date(2022, 4, 1),
    )
    assert (lead.status, lead.contract_amount, lead.signed_on) == (LeadStatus.SIGNED, Decimal("30000.00"), date(2022, 2, 1))
    with pytest.raises(ValidationError) as error:
        lead_advance(lead=lead, action="lead.register", by=world.reviewer, expected_version=3, on=date(2022, 1, 5))
    assert "registered_on" in error.value.message_dict
    lead = lead_advance(lead=lead, action="lead.register", by=world.reviewer, expected_version=3, on=date(2022, 2, 20))
    with pytest.raises(ValidationError) as error:
        lead_advance(lead=lead, action="lead.start", by=world.reviewer, expected_version=4, on=date(2022, 5, 1))
    assert "started_on" in error.value.message_dict  # the future
    lead = lead_advance(lead=lead, action="lead.start", by=world.reviewer, expected_version=4, on=date(2022, 4, 10))
    lead = lead_advance(lead=lead, action="lead.produce", by=world.reviewer, expected_version=5, on=date(2022, 4, 20))
    assert (lead.status, lead.started_on, lead.producing_on) == (LeadStatus.PRODUCING, date(2022, 4, 10), date(2022, 4, 20))
    actions = list(AuditEvent.objects.filter(object_type="lead", object_id=lead.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["lead.create", "lead.negotiate", "lead.sign", "lead.register", "lead.start", "lead.produce"]
    sign = AuditEvent.objects.get(action="lead.sign", object_id=lead.pk)
    assert sign.after == {
        "status": "signed", "contract_amount": "30000.00", "signed_on": "2022-02-01", "promised_start": "2022-04-01"
    }


def test_a_step_the_state_does_not_allow_is_refused(world):
    lead = make_lead(world.town_a)
    with pytest.raises(ValidationError) as error:
        lead_advance(lead=lead, action="lead.start", by=world.reviewer, expected_version=1, on=date(2022, 3, 1))
    assert "status" in error.value.message_dict


def test_drop_needs_a_reason_and_keeps_it(world):
    lead = make_lead(world.town_a, status=LeadStatus.SIGNED)
    with pytest.raises(ValidationError):
        lead_drop(lead=lead, reason=" ", by=world.reviewer, expected_version=lead.version)
    lead = lead_drop(lead=lead, reason="投资方资金链断裂", by=world.reviewer, expected_version=lead.version)
    assert (lead.status, lead.drop_reason) == (LeadStatus.DROPPED, "投资方资金链断裂")
    assert AuditEvent.objects.get(action="lead.drop", object_id=lead.pk).reason == "投资方资金链断裂"
    started = make_lead(world.town_a, name="已开工项目", status=LeadStatus.STARTED)
    with pytest.raises(ValidationError):
        lead_drop(lead=started, reason="试试", by=world.reviewer, expected_version=started.version)


def test_the_database_refuses_a_signed_lead_without_its_contract(world):
    lead = make_lead(world.town_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.SIGNED)


# --- late starts: the projects' start-missed rule, with the jurisdiction's settings


def test_a_signed_lead_not_started_by_its_promised_date_is_flagged(world):
    on_time = make_lead(world.town_a, name="准时", status=LeadStatus.SIGNED, promised_start=date(2022, 4, 24))
    late = make_lead(world.town_a, name="逾期", status=LeadStatus.SIGNED, promised_start=date(2022, 3, 1))
    very_late = make_lead(world.town_a, name="逾期很久", status=LeadStatus.REGISTERED, promised_start=date(2022, 1, 20))
    started = make_lead(world.town_a, name="已开工", status=LeadStatus.STARTED, promised_start=date(2022, 1, 20),
                        started_on=date(2022, 3, 5))
    lights = late_start_lights([on_time, late, very_late, started])
    # 2022-01-20 → 2022-04-24: three whole months late, red at the default three
    assert lights == {late.pk: Light.YELLOW, very_late.pk: Light.RED}
    assert late_start_light(late, RuleSet(start_missed_red_after_months=1)) == Light.RED
    assert set(Lead.objects.start_overdue(TODAY)) == {late, very_late}


def test_the_jurisdictions_rules_set_the_red(world):
    from guatu.lights.services import rules_set

    late = make_lead(world.town_a, status=LeadStatus.SIGNED, promised_start=date(2022, 3, 1))
    assert late_start_lights([late]) == {late.pk: Light.YELLOW}
    rules_set(unit=world.city, rules={"start_missed_red_after_months": 1}, by=world.city_admin)
    assert late_start_lights([Lead.objects.get(pk=late.pk)]) == {late.pk: Light.RED}


# --- follow-ups and funds in place


def test_the_responsible_units_reporter_logs_follow_ups_and_funds(world):
    lead = make_lead(world.town_a, status=LeadStatus.SIGNED)
    entry = follow_up_add(lead=lead, on=date(2022, 4, 20), text="赴深圳拜访投资方", by=world.reporter)
    assert entry.by == world.reporter and AuditEvent.objects.filter(action="lead.follow_up", object_id=entry.pk).exists()
    row = funds_set(lead=lead, period=Period(2022, 2), domestic=Decimal("1200.5"), foreign=Decimal("0"),
                    expected_version=None, by=world.reporter)
    assert (row.domestic, row.version) == (Decimal("1200.50"), 1)
    with pytest.raises(PermissionDenied):
        follow_up_add(lead=lead, on=date(2022, 4, 20), text="不是我的", by=world.outsider)
    with pytest.raises(PermissionDenied):
        funds_set(lead=lead, period=Period(2022, 3), domestic=Decimal("1"), foreign=Decimal("0"),
                  expected_version=None, by=world.viewer)


def test_funds_are_version_checked_and_bounded_to_signed_months(world):
    lead = make_lead(world.town_a, status=LeadStatus.SIGNED, signed_on=date(2022, 2, 10))
    args = {"lead": lead, "domestic": Decimal("10"), "foreign": Decimal("5"), "by": world.reviewer}
    with pytest.raises(ValidationError) as error:
        funds_set(period=Period(2022, 1), expected_version=None, **args)
    assert "period" in error.value.message_dict
    with pytest.raises(ValidationError):
        funds_set(period=Period(2022, 5), expected_version=None, **args)
    with pytest.raises(ValidationError) as error:
        funds_set(period=Period(2022, 3), expected_version=None, **{**args, "domestic": Decimal("-1")})
    assert "domestic" in error.value.message_dict
    row = funds_set(period=Period(2022, 3), expected_version=None, **args)
    with pytest.raises(ValidationError):  # a second form read before the first save: refused, not overwritten
        funds_set(period=Period(2022, 3), expected_version=None, **{**args, "domestic": Decimal("99")})
    row = funds_set(period=Period(2022, 3), expected_version=row.version, **{**args, "domestic": Decimal("99")})
    assert (row.domestic, row.version) == (Decimal("99.00"), 2)
    event = AuditEvent.objects.get(action="funds.update", object_id=row.pk)
    assert (event.before, event.after) == ({"domestic": "10.00"}, {"domestic": "99.00"})
    assert FundsInPlace.objects.count() == 1
    unsigned = make_lead(world.town_a, name="未签约")
    with pytest.raises(ValidationError):
        funds_set(period=Period(2022, 3), expected_version=None, **{**args, "lead": unsigned})


# --- conversion into a project of the library


def test_a_started_lead_becomes_a_project_without_retyping_linked_both_ways_and_audited(world):
    lead = make_lead(world.town_a, status=LeadStatus.STARTED, amount="120000", started_on=date(2022, 3, 15))
    lead = lead_convert(lead=lead, by=world.reviewer, expected_version=lead.version)
    project = lead.project
    assert (project.name, project.owner, project.total_investment, project.location_unit, project.lead_unit) == (
        lead.name, lead.investor, Decimal("120000.00"), world.town_a, world.town_a
    )
    assert (project.start_year, project.stage, project.tier, project.category) == (2022, Stage.NEW, Tier.IMPLEMENTATION, lead.category)
    assert project.lead == lead  # the link back
    assert AuditEvent.objects.filter(action="lead.convert", object_id=lead.pk, project=project).exists()
    rows = history_rows(AuditEvent.objects.filter(project=project).order_by("at", "id"), hide={"project"})
    converted = rows[-1]
    assert converted.action == "由招商项目转入" and converted.reason == ""
    assert [(change.label, change.after) for change in converted.changes] == [("招商项目", lead.name)]
    assert rows[-2].subject == f"招商项目 {lead.name}"  # the lead's own event names it, without its other events
    with pytest.raises(ValidationError) as error:
        lead_convert(lead=lead, by=world.reviewer, expected_version=lead.version)
    assert "project" in error.value.message_dict


def test_only_a_started_lead_converts_and_only_by_its_manager(world):
    signed = make_lead(world.town_a, status=LeadStatus.SIGNED)
    with pytest.raises(ValidationError):
        lead_convert(lead=signed, by=world.reviewer, expected_version=signed.version)
    started = make_lead(world.town_a, name="已开工", status=LeadStatus.STARTED)
    with pytest.raises(PermissionDenied):
        lead_convert(lead=started, by=world.reporter, expected_version=started.version)
    with pytest.raises(ValidationError):
        lead_convert(lead=started, by=world.reviewer, expected_version=None)
    assert Lead.objects.get(pk=started.pk).project is None

