from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from guatu import clock
from guatu.assessment.computed import COMPUTED
from guatu.audit.models import AuditEvent
from guatu.dispatch.models import Escalation, Problem, ProblemStatus, Tier
from guatu.dispatch.queries import tier_people
from guatu.dispatch.services import (
    escalate_overdue_problems,
    problem_assign,
    problem_close,
    problem_feedback,
    problem_raise,
    problem_reopen,
    problem_verify,
)
from guatu.enterprises.models import Enterprise
from guatu.enterprises.queries import chain_enterprise_figures, request_figures, unit_requests
from guatu.enterprises.services import (
    EnterpriseInput,
    enterprise_create,
    enterprise_figures_set,
    enterprise_update,
    request_raise,
)
from guatu.lib.periods import Period
from guatu.notifications.models import Notification
from guatu.projects.models import IndustryChain
from guatu.testing import make_enterprise, make_other_county

pytestmark = pytest.mark.django_db

HUAWEI = "914403001922038216"


def version_of(problem) -> int:
    return Problem.objects.values_list("version", flat=True).get(pk=problem.pk)


@pytest.fixture
def chain(world):
    w = world
    return IndustryChain.objects.create(
        name="锑品产业链", jurisdiction=w.city, chief=w.leader, lead_unit=w.dept
    )


@pytest.fixture
def firm(world, chain):
    return make_enterprise(world.town_a, "冷水江锑业有限公司", chain=chain, by=world.reviewer)


def test_create_checks_the_code_and_records_the_event(world):
    w = world
    data = EnterpriseInput(
        name=" 华为样例公司 ", uscc=" 9144 0300 1922 038216 ", unit=w.town_a, above_scale=True
    )
    enterprise = enterprise_create(data=data, by=w.reviewer)
    assert (enterprise.name, enterprise.uscc, enterprise.jurisdiction) == ("华为样例公司", HUAWEI, w.city)
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.after["uscc"] == HUAWEI and event.after["unit"] == w.town_a.pk
    with pytest.raises(ValidationError) as refused:
        enterprise_create(
            data=EnterpriseInput(name="另一家", uscc="914403001922038217", unit=w.town_a), by=w.reviewer
        )
    assert refused.value.message_dict["uscc"] == ["统一社会信用代码第18位（校验码）应为“6”，现为“7”。"]
    with pytest.raises(ValidationError) as refused:
        enterprise_create(data=EnterpriseInput(name="另一家", uscc=HUAWEI, unit=w.town_a), by=w.reviewer)
    assert "uscc" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        enterprise_create(
            data=EnterpriseInput(name="华为样例公司", uscc="91350100M000100Y43", unit=w.town_b), by=w.reviewer
        )
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        enterprise_create(
            data=EnterpriseInput(name="长" * 201, uscc="91350100M000100Y43", unit=w.town_b), by=w.reviewer
        )
    assert "name" in refused.value.message_dict
    assert Enterprise.objects.count() == 1


def test_who_may_create_and_where(world):
    w = world
    other = make_other_county()
    code = "91350100M000100Y43"
    for user, unit in [(w.viewer, w.town_a), (w.leader_user, w.town_a)]:
        with pytest.raises(PermissionDenied):
            enterprise_create(data=EnterpriseInput(name="甲", uscc=code, unit=unit), by=user)
    with pytest.raises(
        ValidationError
    ) as refused:  # a township reporter keeps only their own township's firms
        enterprise_create(data=EnterpriseInput(name="甲", uscc=code, unit=w.town_b), by=w.reporter)
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        enterprise_create(data=EnterpriseInput(name="甲", uscc=code, unit=other.town), by=w.reviewer)
    assert (
        enterprise_create(data=EnterpriseInput(name="甲", uscc=code, unit=w.town_a), by=w.reporter).unit
        == w.town_a
    )


def test_update_is_version_checked_and_audited(world, firm):
    w = world
    data = EnterpriseInput(
        name=firm.name, uscc=firm.uscc, unit=firm.unit, contact_name="张经理", contact_phone="0738-1234567"
    )
    with pytest.raises(ValidationError):
        enterprise_update(enterprise=firm, data=data, expected_version=None, by=w.reviewer)
    firm = enterprise_update(enterprise=firm, data=data, expected_version=1, by=w.reviewer)
    assert firm.version == 2
    event = AuditEvent.objects.get(action="enterprise.update")
    assert event.after == {"contact_name": "张经理", "contact_phone": "0738-1234567", "chain": None}
    with pytest.raises(ValidationError):  # stale
        enterprise_update(enterprise=firm, data=data, expected_version=1, by=w.reviewer)
    with pytest.raises(PermissionDenied):
        enterprise_update(enterprise=firm, data=data, expected_version=2, by=w.outsider)


def test_figures_per_year_bounded_and_versioned(world, firm):
    w = world
    figure = enterprise_figures_set(
        enterprise=firm,
        year=2021,
        output=Decimal("12345.67"),
        tax=Decimal("890.10"),
        expected_version=None,
        by=w.reporter,
    )
    assert figure.version == 1
    figure = enterprise_figures_set(
        enterprise=firm,
        year=2021,
        output=Decimal("12345.68"),
        tax=Decimal("890.10"),
        expected_version=1,
        by=w.reporter,
    )
    assert figure.version == 2
    assert list(AuditEvent.objects.filter(action="enterprise.figures").values_list("after", flat=True))[
        -1
    ] == {"output": "12345.68"}
    for output in (Decimal("-1"), Decimal("1.005"), Decimal("1000000000000"), Decimal("NaN")):
        with pytest.raises(ValidationError) as refused:
            enterprise_figures_set(
                enterprise=firm,
                year=2022,
                output=output,
                tax=Decimal(0),
                expected_version=None,
                by=w.reporter,
            )
        assert "output" in refused.value.message_dict
    with pytest.raises(ValidationError):
        enterprise_figures_set(
            enterprise=firm,
            year=1800,
            output=Decimal(1),
            tax=Decimal(0),
            expected_version=None,
            by=w.reporter,
        )
    with pytest.raises(ValidationError):  # a second first entry of the same year is a stale save
        enterprise_figures_set(
            enterprise=firm,
            year=2021,
            output=Decimal(1),
            tax=Decimal(0),
            expected_version=None,
            by=w.reporter,
        )
    with pytest.raises(PermissionDenied):
        enterprise_figures_set(
            enterprise=firm, year=2021, output=Decimal(1), tax=Decimal(0), expected_version=2, by=w.outsider
        )


def test_who_raises_a_request(world, firm, chain):
    w = world
    assert (
        request_raise(enterprise=firm, description="用电增容", category="power", by=w.reporter).enterprise
        == firm
    )
    assert request_raise(
        enterprise=firm, description="融资", category="financing", by=w.dept_reporter
    )  # chain lead
    assert request_raise(enterprise=firm, description="用工", category="labour", by=w.reviewer)
    for user in (w.outsider, w.viewer, w.leader_user):
        with pytest.raises(PermissionDenied):
            request_raise(enterprise=firm, description="x", category="other", by=user)
    with pytest.raises(PermissionDenied):
        problem_raise(enterprise=firm, description="x", category="other", by=w.outsider)
    with pytest.raises(ValidationError):
        request_raise(enterprise=firm, description="x", category="nonsense", by=w.reporter)
    with pytest.raises(ValidationError):
        request_raise(enterprise=firm, description=" ", category="other", by=w.reporter)
    assert Problem.objects.requests().count() == 3


def test_closing_a_request_needs_the_firms_satisfaction_and_reopening_clears_it(world, firm):
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        request = request_raise(enterprise=firm, description="证照办理", category="permits", by=w.reporter)
        problem_assign(
            problem=request, unit=w.town_a, deadline=date(2022, 3, 10), expected_version=1, by=w.reviewer
        )
        problem_feedback(problem=request, text="已办结", expected_version=2, by=w.reporter)
        problem_verify(problem=request, expected_version=3, by=w.reviewer)
        for satisfaction in ("", "happy"):
            with pytest.raises(ValidationError) as refused:
                problem_close(problem=request, expected_version=4, satisfaction=satisfaction, by=w.reviewer)
            assert "satisfaction" in refused.value.message_dict
        request = problem_close(problem=request, expected_version=4, satisfaction="basically", by=w.reviewer)
    assert (request.status, request.satisfaction) == (ProblemStatus.CLOSED, "basically")
    assert AuditEvent.objects.get(action="problem.close").after["satisfaction"] == "basically"
    request = problem_reopen(problem=request, reason="企业再次反映", expected_version=5, by=w.reviewer)
    assert request.satisfaction == ""
    # A project's problem records no satisfaction.
    problem = problem_raise(project=w.project_a, description="征地", category="land", by=w.reporter)
    problem_assign(
        problem=problem,
        unit=w.dept,
        deadline=clock.today() + timedelta(days=30),
        expected_version=1,
        by=w.reviewer,
    )
    problem_feedback(problem=problem, text="好", expected_version=2, by=w.dept_reporter)
    problem_verify(problem=problem, expected_version=3, by=w.reviewer)
    with pytest.raises(ValidationError):
        problem_close(problem=problem, expected_version=4, satisfaction="satisfied", by=w.reviewer)


def test_tier_two_of_a_request_is_the_chain_chief_else_the_units_leader(world, firm):
    w = world
    from guatu.testing import make_leader

    request = request_raise(enterprise=firm, description="融资", category="financing", by=w.reporter)
    request.tier = Tier.LEADER
    assert tier_people(request) == [w.leader_user]
    loose = make_enterprise(w.town_a, "无链企业有限公司", by=w.reviewer)
    town_leader = make_leader("陈镇长", w.town_a, post="镇长")
    request = request_raise(enterprise=loose, description="用工", category="labour", by=w.reporter)
    request.tier = Tier.LEADER
    assert [user.leader for user in tier_people(request)] == []  # the town's leader has no account yet
    from guatu.accounts.models import Role
    from guatu.testing import make_user

    town_user = make_user("chen", w.town_a, Role.LEADER, leader=town_leader)
    assert tier_people(request) == [town_user]


def test_acceptance_a_township_request_escalates_is_solved_and_counts_in_the_townships_indicators(
    world, firm
):
    """Issue 10, acceptance 5: raised at a township, assigned with a deadline, escalated to the leader tier when
    the deadline passes (frozen clock), answered, verified, closed with the firm's satisfaction, counted."""
    w = world
    with time_machine.travel(datetime(2022, 3, 1, 1, tzinfo=UTC), tick=False):
        late = request_raise(
            enterprise=firm, description="企业用电增容迟迟未批", category="power", by=w.reporter
        )
        problem_assign(
            problem=late, unit=w.town_a, deadline=date(2022, 3, 10), expected_version=1, by=w.reviewer
        )
    late = Problem.objects.get(pk=late.pk)
    assert (late.tier, late.status, late.deadline) == (Tier.UNIT, ProblemStatus.ASSIGNED, date(2022, 3, 10))

    with time_machine.travel(datetime(2022, 3, 10, 9, tzinfo=UTC), tick=False):
        assert escalate_overdue_problems() == []  # on the deadline day it is not late yet
    with time_machine.travel(datetime(2022, 3, 11, 1, tzinfo=UTC), tick=False):
        escalations = escalate_overdue_problems()
    assert [(e.from_tier, e.to_tier, e.deadline_missed) for e in escalations] == [(1, 2, date(2022, 3, 10))]
    late = Problem.objects.get(pk=late.pk)
    assert (late.tier, late.deadline) == (Tier.LEADER, date(2022, 3, 21))
    assert Notification.objects.filter(user=w.leader_user, kind="escalated").count() == 1  # the chain chief

    with time_machine.travel(datetime(2022, 3, 15, 2, tzinfo=UTC), tick=False):
        problem_feedback(
            problem=late, text="供电公司已完成增容", expected_version=late.version, by=w.reporter
        )
        problem_verify(problem=late, expected_version=version_of(late), by=w.reviewer)
        late = problem_close(
            problem=late, expected_version=version_of(late), satisfaction="satisfied", by=w.reviewer
        )
    assert late.status == ProblemStatus.CLOSED and Escalation.objects.filter(problem=late).count() == 1

    def solved(description, satisfaction, closing_day):
        with time_machine.travel(datetime(2022, 3, 2, 1, tzinfo=UTC), tick=False):
            request = request_raise(
                enterprise=firm, description=description, category="labour", by=w.reporter
            )
            problem_assign(
                problem=request, unit=w.town_a, deadline=date(2022, 3, 20), expected_version=1, by=w.reviewer
            )
            problem_feedback(problem=request, text="已协调", expected_version=2, by=w.reporter)
            problem_verify(problem=request, expected_version=3, by=w.reviewer)
        with time_machine.travel(datetime(2022, 3, closing_day, 1, tzinfo=UTC), tick=False):
            return problem_close(
                problem=request, expected_version=4, satisfaction=satisfaction, by=w.reviewer
            )

    solved("招工难", "basically", 20)  # closed on its deadline day: on time
    solved(
        "证照办理慢", "dissatisfied", 21
    )  # closed the day after its deadline, never escalated: not on time
    with time_machine.travel(datetime(2022, 3, 3, 1, tzinfo=UTC), tick=False):
        still_open = request_raise(
            enterprise=firm, description="融资担保", category="financing", by=w.reporter
        )
        problem_assign(
            problem=still_open, unit=w.town_a, deadline=date(2022, 4, 30), expected_version=1, by=w.reviewer
        )
    with time_machine.travel(
        datetime(2022, 4, 2, 1, tzinfo=UTC), tick=False
    ):  # raised in April: not in March's
        request_raise(enterprise=firm, description="四月诉求", category="other", by=w.reporter)

    figures = request_figures(unit_requests(w.town_a))
    assert (figures.requests, figures.closed, figures.solved_on_time, figures.satisfied, figures.rated) == (
        4,
        3,
        1,
        2,
        3,
    )
    march = Period(2022, 3)
    on_time = COMPUTED["requests_solved_on_time"][1]
    satisfaction = COMPUTED["request_satisfaction"][1]
    assert on_time(w.town_a, march) == Decimal("25.00")  # 1 of 4
    assert satisfaction(w.town_a, march) == Decimal("66.67")  # 2 of 3, half-up
    assert on_time(w.city, march) == Decimal("25.00")  # the county counts its townships' requests
    assert on_time(w.town_b, march) is None and satisfaction(w.town_b, march) is None


def test_chain_enterprise_figures_three_queries(world, chain, django_assert_num_queries):
    w = world
    other_chain = IndustryChain.objects.create(name="新能源产业链", jurisdiction=w.city, lead_unit=w.drc)
    a = make_enterprise(
        w.town_a, "甲公司", chain=chain, above_scale=True, is_chain_master=True, by=w.reviewer
    )
    b = make_enterprise(w.town_b, "乙公司", chain=chain, by=w.reviewer)
    make_enterprise(w.town_b, "丙公司", by=w.reviewer)
    for firm, output, tax in ((a, "100.10", "10.05"), (b, "0.90", "0.95")):
        enterprise_figures_set(
            enterprise=firm,
            year=2021,
            output=Decimal(output),
            tax=Decimal(tax),
            expected_version=None,
            by=w.reviewer,
        )
    enterprise_figures_set(
        enterprise=a, year=2022, output=Decimal(5), tax=Decimal(1), expected_version=None, by=w.reviewer
    )
    with time_machine.travel(datetime(2021, 6, 1, 1, tzinfo=UTC), tick=False):
        request_raise(enterprise=a, description="用地", category="land", by=w.reviewer)
    with django_assert_num_queries(3):
        figures = chain_enterprise_figures([chain.pk, other_chain.pk], 2021)
    mine = figures[chain.pk]
    assert (
        mine.enterprises,
        mine.above_scale,
        mine.masters,
        mine.requests,
        mine.requests_solved_on_time,
    ) == (2, 1, 1, 1, 0)
    assert (str(mine.output), str(mine.tax)) == ("101.00", "11.00")  # to the cent on SQLite too, not 101.000000
    assert figures[other_chain.pk].enterprises == 0 and str(figures[other_chain.pk].output) == "0.00"
