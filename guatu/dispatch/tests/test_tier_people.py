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
