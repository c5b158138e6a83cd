"""guatu.lib.response_cache on the two dashboards' endpoints: an answer is kept for the same reader and the same
data, and never served once a write has changed the data, whoever the writer."""

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation

from guatu.lib import data_version, response_cache
from guatu.projects.models import Project, Stage
from guatu.testing import make_report

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/investment/summary?period=2022-03"
BATTLEMAP = "/api/v1/battlemap?period=2022-03"


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response


def _county_ytd(response):
    return next(row for row in response.json()["rows"] if row["tag"] == "county")["ytd_completed"]


@pytest.mark.parametrize("url", [SUMMARY, BATTLEMAP])
def test_the_same_request_is_answered_from_the_cache(client, world, url):
    client.force_login(world.city_admin)
    first = _get(client, url)
    second = _get(client, url)
    assert (first[response_cache.HEADER], second[response_cache.HEADER]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"


def test_an_approved_report_is_seen_at_once(client, world):
    client.force_login(world.city_admin)
    assert _county_ytd(_get(client, SUMMARY)) == "0.00"
    make_report(world.project_a, "2022-02", "50.50", reporter=world.dept_reporter, reviewer=world.reviewer)
    after = _get(client, SUMMARY)
    assert after[response_cache.HEADER] == "miss"
    assert _county_ytd(after) == "50.50"


def test_a_write_by_raw_sql_is_seen_at_once(client, world):
    """No Django signal tells of this write: the database's trigger does."""
    client.force_login(world.city_admin)
    before = _get(client, BATTLEMAP).json()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET stage = %s WHERE id = %s", [Stage.CANCELLED, world.project_a.pk]
        )
    after = _get(client, BATTLEMAP)
    assert after[response_cache.HEADER] == "miss"
    assert after.json() != before


def test_never_shared_between_users(client, world):
    client.force_login(world.city_admin)
    _get(client, SUMMARY)
    client.force_login(world.reporter)
    other = _get(client, SUMMARY)
    assert other[response_cache.HEADER] == "miss"
    assert other.json()["unit_id"] != world.city.pk


def test_each_language_and_day_has_its_own_answer(client, world, settings):
    client.force_login(world.city_admin)
    _get(client, SUMMARY)
    with translation.override("en"):
        english = client.get(SUMMARY, headers={"Accept-Language": "en"})
    assert english[response_cache.HEADER] == "miss"
    settings.GUATU_TODAY = date(2022, 4, 2)
    assert _get(client, SUMMARY)[response_cache.HEADER] == "miss"


def test_no_cache_computes_afresh(client, world):
    client.force_login(world.city_admin)
    _get(client, SUMMARY)
    assert _get(client, SUMMARY, cache_control="no-cache")[response_cache.HEADER] == "miss"
    assert _get(client, SUMMARY)[response_cache.HEADER] == "hit"


def test_an_answer_computed_while_a_write_lands_is_not_kept(client, world, monkeypatch):
    """The version read after the work differs from the one before: what was read may mix both states."""
    client.force_login(world.city_admin)
    real = data_version.current
    reads = []

    def current(using="default"):
        reads.append(using)
        if len(reads) == 2:  # between computing the answer and checking the version again
            Project.objects.filter(pk=world.project_a.pk).update(name="新名称")
        return real(using)

    monkeypatch.setattr(data_version, "current", current)
    assert _get(client, SUMMARY)[response_cache.HEADER] == "miss"
    monkeypatch.setattr(data_version, "current", real)
    assert _get(client, SUMMARY)[response_cache.HEADER] == "miss"
    assert _get(client, SUMMARY)[response_cache.HEADER] == "hit"


def test_errors_and_anonymous_requests_are_not_kept(client, world):
    client.force_login(world.city_admin)
    for _ in range(2):
        bad = client.get("/api/v1/investment/summary?period=2022-13")
        assert (bad.status_code, bad[response_cache.HEADER]) == (422, "miss")
    client.logout()
    assert client.get(SUMMARY).status_code == 401


@override_settings(RESPONSE_CACHE_SECONDS=0)
def test_zero_seconds_turns_it_off(client, world):
    client.force_login(world.city_admin)
    _get(client, SUMMARY)
    assert response_cache.HEADER not in _get(client, SUMMARY)
