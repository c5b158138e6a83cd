from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guatu import clock
from guatu.audit.history import history_rows
from guatu.audit.models import AuditEvent
from guatu.chains import services
from guatu.chains.models import ChainTarget, Metric
from guatu.projects.models import ChainKind, IndustryChain
from guatu.projects.services import chain_create

pytestmark = pytest.mark.django_db


def test_the_same_name_in_two_jurisdictions_but_not_twice_in_one(world, chain, other_chain):
    assert chain.name == other_chain.name and chain.jurisdiction != other_chain.jurisdiction
    with pytest.raises(ValidationError) as refused:
        chain_create(jurisdiction=world.city, name="锑产业链 ", lead_unit=world.dept)
    assert "name" in refused.value.message_dict


def test_chain_defaults_to_its_lead_units_jurisdiction_and_checks_the_chief(world):
    chain = chain_create(name="紧固件产业链", lead_unit=world.town_a)
    assert chain.jurisdiction == world.city and chain.version == 1
    from guatu.testing import make_other_county

    other = make_other_county()
    with pytest.raises(ValidationError) as refused:
        chain_create(name="耐火材料产业链", chief=other.leader, lead_unit=world.dept)
    assert set(refused.value.message_dict) == {"chief"}
    with pytest.raises(ValidationError) as refused:
        chain_create(name="耐火材料产业链", jurisdiction=world.city, lead_unit=other.town)
    assert set(refused.value.message_dict) == {"lead_unit"}


def test_chain_update_is_version_checked_and_audited(world, chain):
    with pytest.raises(ValidationError):
        services.chain_update(
            chain=chain, name="锑品产业链", kind=ChainKind.MAIN, chief=world.leader, lead_unit=world.drc,
            sort_order=1, expected_version=None, by=world.city_admin,
        )
    chain = services.chain_update(
        chain=chain, name="锑品产业链", kind=ChainKind.AUXILIARY, chief=world.other_leader, lead_unit=world.drc,
        sort_order=2, expected_version=1, by=world.city_admin,
    )
    assert (chain.name, chain.version) == ("锑品产业链", 2)
    event = AuditEvent.objects.get(action="industrychain.update")
    assert event.before["name"] == "锑产业链" and event.after["chief"] == world.other_leader.pk
    with pytest.raises(ValidationError):
        services.chain_update(
            chain=chain, name="x", kind=ChainKind.MAIN, chief=None, lead_unit=None, sort_order=0,
            expected_version=1, by=world.city_admin,
        )
    with translation.override("zh-hans"):
        text = str(history_rows(AuditEvent.objects.filter(object_type="industrychain").select_related("actor")))
    assert "锑产业链" in text and "王志强" in text


def test_read_only_roles_and_another_county_may_not_manage(world, chain, other_chain):
    for user in (world.reporter, world.leader_user, world.viewer):
        with pytest.raises(PermissionDenied):
            services.target_add(chain=chain, year=2022, metric=Metric.OUTPUT, target=Decimal("1"), by=user)
    with pytest.raises(PermissionDenied):
        services.target_add(chain=other_chain, year=2022, metric=Metric.OUTPUT, target=Decimal("1"), by=world.reviewer)
    assert not ChainTarget.objects.exists()


def test_targets_one_a_metric_a_year_and_bounded(world, chain):
    target = services.target_add(chain=chain, year=2022, metric=Metric.OUTPUT, target=Decimal("120000"), by=world.reviewer)
    with pytest.raises(ValidationError):
        services.target_add(chain=chain, year=2022, metric=Metric.OUTPUT, target=Decimal("1"), by=world.reviewer)
    for bad in (Decimal("-1"), Decimal("1e13"), Decimal("0.001")):
        with pytest.raises(ValidationError):
            services.target_add(chain=chain, year=2022, metric=Metric.TAX, target=bad, by=world.reviewer)
    with pytest.raises(ValidationError):
        services.target_add(chain=chain, year=1900, metric=Metric.TAX, target=Decimal("1"), by=world.reviewer)
    target = services.target_update(
        target=target, year=2022, metric=Metric.OUTPUT, value=Decimal("130000.5"), expected_version=1, by=world.reviewer
    )
    assert target.target == Decimal("130000.5") and target.version == 2
    with pytest.raises(ValidationError) as refused:
        services.target_remove(target=target, expected_version=2, reason=" ", by=world.reviewer)
    assert set(refused.value.message_dict) == {"reason"}
    services.target_remove(target=target, expected_version=2, reason="目标调整并入年度计划", by=world.reviewer)
    assert list(AuditEvent.objects.filter(object_type="chaintarget").values_list("action", flat=True).order_by("id")) == [
        "chaintarget.create", "chaintarget.update", "chaintarget.delete"
    ]


def test_team_members_come_from_the_jurisdiction(world, chain, other_chain):
    member = services.member_add(chain=chain, name="张三", unit=world.drc, duty="专班组长", position=1, by=world.reviewer)
    with pytest.raises(ValidationError):
        services.member_add(chain=chain, name="李四", unit=other_chain.lead_unit, by=world.reviewer)
    with pytest.raises(ValidationError):
        services.member_add(chain=chain, name="李" * 51, unit=world.drc, by=world.reviewer)
    services.member_update(
        member=member, name="张三", unit=world.dept, duty="副组长", position=2, expected_version=1, by=world.reviewer
    )
    assert chain.team.get().unit == world.dept


def test_follow_through_not_after_today(world, chain, settings):
    settings.GUATU_TODAY = date(2022, 4, 24)
    today = clock.today()
    entry = services.progress_add(chain=chain, happened_on=today, content="链长带队走访链主企业", done_by="李建国", by=world.reviewer)
    assert entry.recorded_by == world.reviewer
    with pytest.raises(ValidationError):
        services.progress_add(
            chain=chain, happened_on=date.fromordinal(today.toordinal() + 1), content="x", done_by="y", by=world.reviewer
        )
    with pytest.raises(ValidationError):
        services.progress_add(chain=chain, happened_on=today, content="x" * 1001, done_by="y", by=world.reviewer)


def test_policies(world, chain):
    policy = services.policy_add(
        chain=chain, title="关于支持锑产业高质量发展的若干措施", document_number="冷政发〔2022〕3号",
        issued_on=date(2022, 3, 1), summary="……", by=world.city_admin,
    )
    services.policy_update(
        policy=policy, title=policy.title, document_number="冷政发〔2022〕4号", issued_on=policy.issued_on,
        summary="", expected_version=1, by=world.city_admin,
    )
    with pytest.raises(ValidationError):
        services.policy_remove(policy=policy, expected_version=1, reason="文件已废止", by=world.city_admin)
    services.policy_remove(policy=policy, expected_version=2, reason="文件已废止", by=world.city_admin)
    assert not IndustryChain.objects.get(pk=chain.pk).policies.exists()
