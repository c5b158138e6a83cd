"""The battle map of the demo's month, every panel filled (tags, curves, lights, ranked townships and
departments, problems, orders, the assessment's rankings and headlines, chains, attraction, requests, reserve),
is exactly its schema's JSON: battlemap.api.payload() builds JSON values itself rather than validating them
through BattlemapOut at every request, and this holds it to the schema field by field."""

import pytest
import time_machine

from guatu.accounts.models import Role
from guatu.battlemap.api import BattlemapOut, payload
from guatu.demo import data
from guatu.lib.periods import Period
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_day():
    with time_machine.travel(data.DEMO_DAY, tick=False):
        yield


def test_the_payload_is_exactly_its_schemas_json(root):
    reader = make_user("battlemap_reader", root, Role.CITY_ADMIN)
    township = root.children.filter(kind=OrgUnitKind.TOWNSHIP).order_by("sort_order", "path").first()
    for unit in (root, township):
        built = payload(reader, unit, Period(data.YEAR, 3))
        assert BattlemapOut.model_validate(built).model_dump(mode="json") == built
        if unit == root:
            filled = ("tags", "curves", "areas", "departments", "problems", "rankings", "headlines", "chains", "attraction", "requests", "reserve")
            assert all(built[name] for name in filled), [name for name in filled if not built[name]]
