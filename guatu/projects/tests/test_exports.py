"""The library's Excel export: the rows the reader may see, exact amounts, and it opens."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_export_has_the_readers_rows_with_exact_amounts(client, world):
    w = world
    make_report(w.project_a, "2022-03", "123.45", reporter=w.reporter, reviewer=w.reviewer)
    client.force_login(w.reporter)
    sheet = _sheet(client.get(reverse("projects:export"), {"period": "2022-03"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "项目名称"
    assert [r[1] for r in rows[1:]] == [w.project_a.name]  # not township B's project
    plan, done, rate = rows[1][7:10]
    assert (Decimal(str(plan)), Decimal(str(done)), Decimal(str(rate))) == (Decimal("1000"), Decimal("123.45"), Decimal("12.35"))


def test_export_follows_the_filters_and_is_not_paginated(client, world):
    w = world
    for _ in range(55):
        make_project(location=w.town_a, tags=[w.county_tag], plan=None)
    client.force_login(w.reviewer)
    sheet = _sheet(client.get(reverse("projects:export"), {"location": w.town_a.pk}))
    assert sheet.max_row == 1 + 56  # header, project A and the 55 new ones


def test_export_needs_a_login(client):
    response = client.get(reverse("projects:export"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_export_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.reviewer)
    client.get(reverse("projects:export"))
    for _ in range(10):
        make_project(location=world.town_b, tags=[world.county_tag])
    with django_assert_max_num_queries(12):
        client.get(reverse("projects:export"))
