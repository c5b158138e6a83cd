"""Schemathesis fuzzes every operation of the JSON API in process: no 5xx, and every answer as the schema says
(its status code, content type, headers and body), for values the schema allows and for values it refuses.

The operations are generated from the schema django-ninja builds (`api.get_openapi_schema()`), so that each is
its own test and pytest-xdist spreads them; `test_the_served_schema_is_the_one_fuzzed` proves that this is the
document /api/v1/openapi.json serves a signed-in user. Requests go through the WSGI application in the test's
thread, so they see the test's transaction (and leave nothing behind), signed in by the session cookie of a
city administrator, who sees every row of the county. The API has no operation that changes data: were one
added, it is fuzzed the same way, inside the test's transaction.

Checks: no server error; the status code, content type, headers and body each as the schema declares them.
Examples are few per operation and derandomized: the same cases on every run, about a second per operation.
"""

import json

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from ninja import Schema
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from guatu.api import api

pytestmark = pytest.mark.django_db

APP = get_wsgi_application()
# The coverage phase tries each parameter's boundaries (the largest id, offset and limit, the longest text): the
# values the schema allows only, as its values of the wrong type all meet the one validator (a 422); the fuzzing
# phase sends both kinds.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"generation": {"mode": "positive"}}}})
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def rows(world):
    """A row behind every list, so that answers carry items to check against the schema: an approved report,
    a problem with a supervision order, a chain with a firm, an investment lead, a milestone."""
    from datetime import date, timedelta

    from guatu import clock
    from guatu.attraction.tests.helpers import make_lead
    from guatu.dispatch.services import problem_assign, problem_raise, supervision_issue
    from guatu.lib.periods import Period
    from guatu.lights.services import lights_compute
    from guatu.projects.models import Milestone
    from guatu.projects.services import chain_create
    from guatu.testing import make_enterprise, make_report

    w = world
    make_report(w.project_a, "2022-03", "120.50", reporter=w.reporter, reviewer=w.reviewer)
    problem = problem_raise(project=w.project_a, description="征地拆迁未完成", category="land", by=w.reporter)
    problem = problem_assign(
        problem=problem,
        expected_version=problem.version,
        unit=w.dept,
        deadline=clock.today() + timedelta(days=7),
        required_outcome="完成征地",
        by=w.reviewer,
    )
    supervision_issue(
        project=w.project_a,
        problem=problem,
        addressee=w.dept,
        requirement="书面说明征地进展",
        deadline=clock.today() + timedelta(days=5),
        by=w.reviewer,
    )
    chain = chain_create(jurisdiction=w.city, name="锑产业链", chief=w.leader, lead_unit=w.drc)
    make_enterprise(w.town_a, chain=chain, by=w.city_admin)
    make_lead(w.town_a, chain=chain, status="signed", by=w.city_admin)
    Milestone.objects.create(
        project=w.project_a, kind="approval", name="立项批复", planned_date=date(2022, 3, 1)
    )
    lights_compute(unit=w.city, period=Period(2022, 3))
    return {"project": w.project_a.pk, "unit": w.town_a.pk}


@pytest.fixture
def session_cookie(client, world, _connection_kept) -> dict[str, str]:
    client.force_login(world.city_admin)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.fixture
def _connection_kept():
    """The WSGI application closes a connection that is not in autocommit when a request starts and ends
    (`close_old_connections`): the test's transaction on PostgreSQL. Django's test client unhooks it; so do we."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@SCHEMA.parametrize()
@FUZZ
def test_every_operation_answers_as_its_schema_says(case, rows, session_cookie):
    response = case.call(app=APP, cookies=session_cookie)
    case.validate_response(response, checks=CHECKS)


# Random ids are almost never a visible row: each operation is also called once with the rows above, where it
# answers with items to check.
KNOWN = {"project_id": "project", "location": "unit", "unit": "unit"}


@pytest.mark.parametrize(
    "operation", [op.ok() for op in SCHEMA.get_all_operations()], ids=lambda op: op.label
)
def test_every_operation_answers_a_real_row_as_its_schema_says(operation, rows, session_cookie):
    path = {p.name: rows[KNOWN[p.name]] for p in operation.path_parameters}
    query = {p.name: rows[KNOWN[p.name]] for p in operation.query if p.name in KNOWN}
    if any(p.name == "period" for p in operation.query):
        query["period"] = "2022-03"
    case = operation.Case(path_parameters=path, query=query)
    response = case.call(app=APP, cookies=session_cookie)
    assert response.status_code == 200, (case.formatted_path, query, response.text[:500])
    case.validate_response(response, checks=CHECKS)
    body = response.json()
    assert body.get("items", body.get("warned", body.get("rows", [body]))), (
        case.formatted_path,
        "no row to check",
    )


def test_the_served_schema_is_the_one_fuzzed(client, world):
    """(Fetched with Django's test client: schemathesis' `from_wsgi` sends its own cookie jar, without the
    session, and the schema is for signed-in users.)"""
    client.force_login(world.viewer)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == SCHEMA.raw_schema
    assert len(list(SCHEMA.get_all_operations())) >= 9


def test_no_two_response_schemas_share_a_name():
    """The schema's components are keyed by class name: two different `Schema` classes of one name make one
    operation's answer be described (and validated) as the other's (the battle map's `LightsOut` was the red
    and yellow list's)."""
    import importlib

    from ninja import Router

    import guatu.api

    routers = [value for value in vars(guatu.api).values() if isinstance(value, Router)]
    modules = {
        operation.view_func.__module__
        for router in routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    } | {"guatu.web.paging"}
    found: dict[str, dict[str, dict]] = {}
    for module_name in sorted(modules):
        for name, value in vars(importlib.import_module(module_name)).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_name:
                found.setdefault(name, {})[module_name] = value.model_json_schema()
    assert len(modules) >= 8, modules
    differ = {
        name: sorted(by)
        for name, by in found.items()
        if len({json.dumps(s, sort_keys=True) for s in by.values()}) > 1
    }
    assert not differ, differ


@pytest.mark.parametrize(
    "operation", [op.ok() for op in SCHEMA.get_all_operations()], ids=lambda op: op.label
)
def test_every_operation_refuses_the_signed_out_as_its_schema_says(operation, rows, _connection_kept):
    """A 401 in JSON, as each operation declares (guatu.web.paging.responses)."""
    path = {p.name: rows[KNOWN[p.name]] for p in operation.path_parameters}
    case = operation.Case(path_parameters=path)
    response = case.call(app=APP)
    assert response.status_code == 401, (case.formatted_path, response.status_code)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("project_id", ["abc", "-1", "0", "99999999999999999999", "1.5"])
def test_a_project_id_that_is_none_is_refused_in_json(client, world, project_id):
    """`/api/v1/projects/abc` was the site's HTML page "not found", which the schema does not describe: the id is
    read by django-ninja, bounded as every id (guatu.web.paging.MAX_ID)."""
    client.force_login(world.reviewer)
    response = client.get(f"/api/v1/projects/{project_id}")
    assert response.status_code == 422 and response["Content-Type"].startswith("application/json"), (
        response.content[:200]
    )
