"""Who owns a problem at its tier (dispatch.queries.tier_people): tier 3 is the principal leaders of the
problem's own jurisdiction, never another county's."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from guatu.accounts.models import Role
from guatu.dispatch.models import Problem, Tier
from guatu.dispatch.queries import tier_people
from guatu.dispatch.services import problem_assign, problem_raise
from guatu.orgs.services import leader_create
from guatu.testing import make_other_county, make_user

pytestmark = pytest.mark.django_db


def test_tier_3_is_the_principal_leaders_of_the_problems_jurisdiction_only(world):
    w = world
    other = make_other_county()
    secretary = leader_create(name="周书记", post="市委书记", org_unit=w.city, is_principal=True)
    secretary_user = make_user("secretary", w.city, Role.LEADER, leader=secretary)
    their_secretary = leader_create(name="吴书记", post="县委书记", org_unit=other.county, is_principal=True)
    their_user = make_user("xinhua_secretary", other.county, Role.LEADER, leader=their_secretary)
    with time_machine.travel(datetime(2022, 3, 1, 9, tzinfo=UTC)):
        problem = problem_raise(project=w.project_a, description="征地未完成", category="land", by=w.reporter)
        problem_assign(
            problem=problem,
            expected_version=1,
            unit=w.dept,
            deadline=date(2022, 3, 10),
            tier=3,
            by=w.reviewer,
        )
    problem = Problem.objects.get(pk=problem.pk)
    assert problem.tier == Tier.PRINCIPAL
    people = tier_people(problem)
    assert secretary_user in people
    assert their_user not in people


def test_a_principal_leader_sees_and_owns_the_tier_3_problems_of_their_jurisdiction_of_every_kind(world):
    """Tier 3 on a project, on a chain and decided at the county's meeting are the secretary's; another county's
    tier-3 problems are neither on their list nor visible to them."""
    from guatu.access import gateway
    from guatu.dispatch.queries import problems_waiting_on_leader
    from guatu.dispatch.services import meeting_create, problem_raise_and_assign
    from guatu.projects.models import ChainKind
    from guatu.projects.services import chain_create
    from guatu.testing import make_project

    w = world
    other = make_other_county()
    secretary = leader_create(name="周书记", post="市委书记", org_unit=w.city, is_principal=True)
    secretary_user = make_user("secretary", w.city, Role.LEADER, leader=secretary)
    chain = chain_create(jurisdiction=w.city, name="锑产业链", kind=ChainKind.MAIN, lead_unit=w.drc)
    their_chain = chain_create(jurisdiction=other.county, name="锑产业链", kind=ChainKind.MAIN, lead_unit=other.town)
    their_project = make_project(location=other.town, lead=other.town)
    deadline = date(2022, 3, 10)
    at = datetime(2022, 3, 1, 9, tzinfo=UTC)

    def tier_3(by, unit, **on):
        return problem_raise_and_assign(
            description="需主要领导协调", category="other", by=by, unit=unit, deadline=deadline, tier=3, at=at, **on
        )

    def meeting(by):
        return meeting_create(tier=3, date=date(2022, 3, 1), title="项目建设调度会", by=by, convenor=secretary, at=at)

    ours = [
        tier_3(w.reviewer, w.dept, project=w.project_a),
        tier_3(w.reviewer, w.drc, chain=chain),
        tier_3(w.reviewer, w.drc, meeting=meeting(w.reviewer)),  # decided at the county's meeting, on no project
    ]
    theirs = [
        tier_3(other.admin, other.town, project=their_project),
        tier_3(other.admin, other.town, chain=their_chain),
        tier_3(other.admin, other.town, meeting=meeting(other.admin)),
    ]
    waiting = set(problems_waiting_on_leader(secretary))
    visible = set(gateway.visible_problems(secretary_user))
    assert waiting == set(ours) and visible >= set(ours)
    assert not (visible | waiting) & set(theirs)
