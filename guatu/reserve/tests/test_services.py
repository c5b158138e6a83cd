"""Tier changes through the one service (acceptance, issue 10 line 2), the tiers' rules, funding applications."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guatu import clock
from guatu.audit.models import AuditEvent
from guatu.projects.schedule import milestone_add
from guatu.projects.services import project_input, project_update
from guatu.reserve import services
from guatu.reserve.models import FundingStatus
from guatu.testing import make_other_county, make_project

pytestmark = pytest.mark.django_db


def _reserve_project(w, **kw):
    kw.setdefault("total_investment", "8000")
    return make_project(location=w.town_a, lead=w.dept, tier="reserve", plan=None, stage="planning", **kw)


def _milestone(w, project, kind, done=True):
    return milestone_add(
        project=project,
        kind=kind,
        name=f"{kind} 批复",
        planned_date=date(2021, 6, 1),
        actual_date=date(2021, 6, 30) if done else None,
        by=w.city_admin,
    )


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.message_dict["tier"])


def test_promotion_refused_without_the_gate_milestones_naming_each_in_chinese(world):
    project = _reserve_project(world)
    _milestone(world, project, "approval", done=False)  # planned, not done
    with pytest.raises(ValidationError) as refused:
        services.project_change_tier(
            project=project, tier="rolling", reason="前期工作推进", expected_version=project.version, by=world.reviewer
        )
    assert "立项审批备案" in _messages(refused.value)
    project.refresh_from_db()
    assert project.tier == "reserve"
    assert not AuditEvent.objects.filter(action="project.tier", project_id=project.pk).exists()

    with pytest.raises(ValidationError) as refused:  # straight to implementation: every gate on the way
        services.project_change_tier(
            project=project, tier="implementation", reason="提速", expected_version=project.version, by=world.reviewer
        )
    text = _messages(refused.value)
    assert all(name in text for name in ("立项审批备案", "用地", "规划许可", "环评"))


def test_promotion_allowed_with_the_gate_milestones_and_audited_with_its_reason(world, client):
    project = _reserve_project(world)
    _milestone(world, project, "approval")
    moved = services.project_change_tier(
        project=project, tier="rolling", reason="立项已批复，转入滚动库", expected_version=project.version, by=world.reviewer
    )
    assert moved.tier == "rolling" and moved.version == project.version + 1
    event = AuditEvent.objects.get(action="project.tier", project_id=project.pk)
    assert (event.before, event.after, event.reason, event.actor) == (
        {"tier": "reserve"},
        {"tier": "rolling"},
        "立项已批复，转入滚动库",
        world.reviewer,
    )
    for kind in ("land", "planning", "environment"):
        _milestone(world, project, kind)
    moved = services.project_change_tier(
        project=moved, tier="implementation", reason="要件齐备", expected_version=moved.version, by=world.city_admin
    )
    assert moved.tier == "implementation"
    client.force_login(world.city_admin)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "项目库别调整" in page and "立项已批复，转入滚动库" in page and "滚动库" in page
    assert "rolling" not in page.split('id="history"')[1]


def test_move_down_needs_only_a_reason(world):
    project = world.project_a  # implementation tier, no milestones
    with pytest.raises(ValidationError) as refused:
        services.project_change_tier(project=project, tier="reserve", reason=" ", expected_version=project.version, by=world.reviewer)
    assert "reason" in refused.value.message_dict
    moved = services.project_change_tier(
        project=project, tier="reserve", reason="资金未落实，退回储备库", expected_version=project.version, by=world.reviewer
    )
    assert moved.tier == "reserve"
    assert AuditEvent.objects.get(action="project.tier", project_id=project.pk).reason == "资金未落实，退回储备库"


def test_a_missing_or_stale_version_is_refused(world):
    project = _reserve_project(world)
    _milestone(world, project, "approval")
    for version in (None, project.version - 1):
        with pytest.raises(ValidationError) as refused:
            services.project_change_tier(project=project, tier="rolling", reason="理由", expected_version=version, by=world.reviewer)
        assert "version" in refused.value.message_dict


def test_entry_refused_under_the_tiers_minimum_for_the_category(world):
    project = _reserve_project(world, total_investment="800", category="livelihood")
    services.entry_rule_set(
        jurisdiction=world.city, tier="rolling", category="livelihood", min_investment=Decimal("1000"),
        required_kinds=["approval"], expected_version=0, by=world.reviewer,
    )
    _milestone(world, project, "approval")
    with pytest.raises(ValidationError) as refused:
        services.project_change_tier(project=project, tier="rolling", reason="理由", expected_version=project.version, by=world.reviewer)
    assert "1000.00" in _messages(refused.value) and "社会民生" in _messages(refused.value)


def test_a_new_project_enters_the_reserve_only_meeting_its_entry_criteria(world):
    """Created into the reserve (as the form does), a project meets the reserve's entry criteria of the
    jurisdiction: the minimum for its category (500 万元 for livelihood by default) and any documents asked."""
    from guatu.projects.models import Project
    from guatu.projects.services import MilestoneInput

    with pytest.raises(ValidationError) as refused:
        _reserve_project(world, name="村道硬化", total_investment="300", category="livelihood")
    text = " ".join(refused.value.message_dict["total_investment"])
    assert "储备库" in text and "500.00" in text and "300.00" in text
    assert not Project.objects.filter(name="村道硬化").exists()
    assert _reserve_project(world, name="村道硬化", total_investment="500", category="livelihood").tier == "reserve"

    services.entry_rule_set(
        jurisdiction=world.city, tier="reserve", category="livelihood", min_investment=Decimal("500"),
        required_kinds=["environment"], expected_version=0, by=world.reviewer,
    )
    with pytest.raises(ValidationError) as refused:
        _reserve_project(world, name="农贸市场", total_investment="900", category="livelihood")
    assert "环评" in " ".join(refused.value.messages)
    proposal = MilestoneInput(kind="environment", name="环境影响评价批复", planned_date=date(2022, 5, 1))
    assert _reserve_project(world, name="农贸市场", total_investment="900", category="livelihood", milestones=[proposal])
    # Taken in at the implementation tier (a dispatch table, a converted lead), the library is as it stands.
    assert make_project(location=world.town_a, total_investment="100", category="livelihood").tier == "implementation"


def test_the_jurisdictions_own_rules_replace_the_defaults(world):
    project = _reserve_project(world, total_investment="3000")
    _milestone(world, project, "approval")
    services.promotion_gate_set(
        jurisdiction=world.city, tier="rolling", gate_kinds=["approval", "land"], expected_version=0, by=world.city_admin
    )
    rule = services.entry_rule_set(
        jurisdiction=world.city,
        tier="rolling",
        category="industry",
        min_investment=Decimal("5000"),
        required_kinds=[],
        expected_version=0,
        by=world.reviewer,
    )
    assert rule.version == 1
    event = AuditEvent.objects.get(action="reserve.entry_rule")
    assert event.before == {"min_investment": "2000.00", "required_kinds": "立项审批备案"}
    with pytest.raises(ValidationError) as refused:
        services.project_change_tier(project=project, tier="rolling", reason="理由", expected_version=project.version, by=world.reviewer)
    text = _messages(refused.value)
    assert "用地" in text and "5000.00" in text
    with pytest.raises(ValidationError):  # the default was version 0; the row is now version 1
        services.entry_rule_set(
            jurisdiction=world.city, tier="rolling", category="industry", min_investment=Decimal("1"),
            required_kinds=[], expected_version=0, by=world.reviewer,
        )


def test_only_the_jurisdictions_office_keeps_rules_and_moves_tiers(world):
    other_county = make_other_county()
    project = _reserve_project(world)
    with pytest.raises(PermissionDenied):
        services.entry_rule_set(
            jurisdiction=world.city, tier="reserve", category="industry", min_investment=Decimal("1"),
            required_kinds=[], expected_version=0, by=other_county.admin,
        )
    with pytest.raises(PermissionDenied):
        services.promotion_gate_set(jurisdiction=world.city, tier="rolling", gate_kinds=[], expected_version=0, by=world.reporter)
    with pytest.raises(PermissionDenied):
        services.project_change_tier(project=project, tier="rolling", reason="理由", expected_version=project.version, by=world.reporter)


def test_project_update_no_longer_changes_the_tier(world):
    project = world.project_a
    data = project_input(project)
    data.tier = "reserve"
    data.name = "禾青镇锑品深加工项目（一期）"
    saved = project_update(project=project, data=data, expected_version=project.version, by=world.city_admin)
    assert saved.tier == "implementation" and saved.name.endswith("（一期）")


def test_funding_application_through_every_status_audited(world):
    project = _reserve_project(world)
    app = services.funding_application_create(
        project=project, kind="special_bonds", year=2022, amount_requested=Decimal("3000"), note="片区开发", by=world.reviewer
    )
    assert app.status == FundingStatus.PREPARING
    today = clock.today()
    app = services.funding_application_submit(application=app, submitted_on=today, expected_version=app.version, by=world.reviewer)
    with pytest.raises(ValidationError):  # applied for: its figures are no longer edited
        services.funding_application_update(
            application=app, kind="other", year=2022, amount_requested=Decimal("1"), expected_version=app.version, by=world.reviewer
        )
    with pytest.raises(ValidationError) as refused:
        services.funding_application_funds_arrived(application=app, arrived_on=today, expected_version=app.version, by=world.reviewer)
    assert "status" in refused.value.message_dict
    app = services.funding_application_approve(
        application=app, amount_approved=Decimal("2500.50"), decided_on=today, expected_version=app.version, by=world.city_admin
    )
    app = services.funding_application_funds_arrived(application=app, arrived_on=today, expected_version=app.version, by=world.city_admin)
    assert (app.status, app.amount_approved) == (FundingStatus.FUNDS_ARRIVED, Decimal("2500.50"))
    actions = list(AuditEvent.objects.filter(object_type="fundingapplication").order_by("id").values_list("action", flat=True))
    assert actions == ["funding.create", "funding.submit", "funding.approve", "funding.arrive"]
    assert AuditEvent.objects.get(action="funding.approve").after["amount_approved"] == "2500.50"


def test_funding_rejection_needs_a_reason_and_a_date_not_in_the_future(world):
    app = services.funding_application_create(
        project=world.project_a, kind="central_budget", year=2022, amount_requested=Decimal("800"), by=world.reviewer
    )
    app = services.funding_application_submit(application=app, submitted_on=clock.today(), expected_version=app.version, by=world.reviewer)
    with pytest.raises(ValidationError) as refused:
        services.funding_application_reject(application=app, decided_on=clock.today(), reason="", expected_version=app.version, by=world.reviewer)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.funding_application_reject(
            application=app, decided_on=date(2100, 1, 1), reason="不符合投向", expected_version=app.version, by=world.reviewer
        )
    assert "decided_on" in refused.value.message_dict
    app = services.funding_application_reject(
        application=app, decided_on=clock.today(), reason="不符合投向", expected_version=app.version, by=world.reviewer
    )
    assert (app.status, app.decision_reason) == (FundingStatus.REJECTED, "不符合投向")


def test_funding_refused_to_reporters_and_bad_amounts(world):
    with pytest.raises(PermissionDenied):
        services.funding_application_create(
            project=world.project_a, kind="other", year=2022, amount_requested=Decimal("1"), by=world.dept_reporter
        )
    with pytest.raises(ValidationError) as refused:
        services.funding_application_create(
            project=world.project_a, kind="nope", year=1800, amount_requested=Decimal("1.001"), note="x" * 501, by=world.reviewer
        )
    assert set(refused.value.message_dict) == {"kind", "year", "amount_requested", "note"}
