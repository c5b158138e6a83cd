"""Every parameter of every JSON operation is bounded: a number past any integer column, in the query or the path,
is a 4xx with a message, never a 500 (the probe's `GET /api/v1/projects/?offset=99999999999999999999`)."""

import re

import pytest

from guatu.api import api

HUGE = "99999999999999999999"
pytestmark = pytest.mark.django_db


def _get_operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is not None:
            yield path, operation


def _integer_parameters(operation):
    for parameter in operation.get("parameters", []):
        kinds = parameter.get("schema", {})
        types = {kinds.get("type")} | {option.get("type") for option in kinds.get("anyOf", [])}
        if "integer" in types:
            yield parameter


def _url(path: str, value: str = "1") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_the_probe_offset_is_refused_in_chinese(client, world):
    client.force_login(world.reviewer)
    response = client.get("/api/v1/projects/", {"offset": HUGE})
    assert response.status_code == 422 and "offset 参数" in response.json()["detail"]
    assert client.get("/api/v1/projects/", {"limit": "0"}).status_code == 422
    assert client.get("/api/v1/projects/", {"location": HUGE}).status_code == 422


def test_every_integer_parameter_of_every_operation_takes_a_huge_number_without_a_500(client, world):
    client.force_login(world.reviewer)
    tried = []
    for path, operation in _get_operations():
        for parameter in _integer_parameters(operation):
            if parameter["in"] == "path":
                url, query = _url(path, HUGE), {}
            else:
                url, query = _url(path), {parameter["name"]: HUGE}
            response = client.get(url, query)
            tried.append(f"{url} {query}")
            assert 400 <= response.status_code < 500, (url, query, response.status_code)
        for name in ("offset", "limit"):
            if any(p["name"] == name for p in operation.get("parameters", [])):
                response = client.get(_url(path), {name: "-1"})
                assert response.status_code == 422, (path, name, response.status_code)
    assert len(tried) >= 10, tried  # the schema's operations were found


def test_every_list_operation_is_paged(client, world):
    """A list without offset and limit would return every row: each operation answering a page says so."""
    paged = [
        path
        for path, op in _get_operations()
        if {"offset", "limit"} <= {p["name"] for p in op.get("parameters", [])}
    ]
    assert {"/api/v1/projects/", "/api/v1/dispatch/problems", "/api/v1/dispatch/orders"} <= set(paged), paged
