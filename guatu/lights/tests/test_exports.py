"""The red and yellow list's Excel export: the board's month and unit, the reader's projects, safe text."""

import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_project, make_report, make_unit
from guatu.web.tests.test_exports_xlsx import HOSTILE, cell_xml, export_queries

pytestmark = pytest.mark.django_db
LATE = datetime(2023, 1, 1, tzinfo=UTC)
MARCH = Period(2022, 3)
EXPORT = reverse("lights:board_export")
HEADER_ROW = 3


@pytest.fixture
def lit(world):
    """Project A yellow (12% against 25%), project B and a project named like a formula red (no report)."""
    w = world
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "40", reporter=w.reporter, reviewer=w.reviewer)
    make_project(location=w.town_b, name=HOSTILE, tags=[w.county_tag])
    lights_compute_year(unit=w.city, period=MARCH, at=LATE)
    return w


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def _projects(sheet) -> list:
    return [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_export_has_title_header_red_first_and_safe_text(client, lit):
    w = lit
    client.force_login(w.reviewer)
    response = client.get(EXPORT, {"period": "2022-03"})
    sheet = _sheet(response)
    assert sheet["A1"].value == "红黄榜（冷水江市，2022年3月）"
    assert sheet["A2"].value == "单位：万元"
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:2] == ["灯色", "项目"]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert rows[-1][1] == w.project_a.name and rows[0][0] == rows[1][0] != rows[-1][0]  # red first, then yellow
    assert set(_projects(sheet)) == {w.project_a.name, w.project_b.name, HOSTILE}
    assert sheet.cell(row=HEADER_ROW + 1, column=7).number_format == "#,##0.00"
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml


def test_export_follows_the_unit_filter_and_the_readers_scope(client, lit):
    w = lit
    client.force_login(w.reviewer)
    sheet = _sheet(client.get(EXPORT, {"period": "2022-03", "unit": w.town_a.pk}))
    assert _projects(sheet) == [w.project_a.name] and "禾青镇" in sheet["A1"].value
    client.force_login(w.outsider)
    assert w.project_a.name not in _projects(_sheet(client.get(EXPORT, {"period": "2022-03"})))
    other = make_unit("娄星区", OrgUnitKind.COUNTY)
    client.force_login(w.reviewer)
    assert len(_projects(_sheet(client.get(EXPORT, {"period": "2022-03", "unit": other.pk})))) == 3


def test_board_links_to_the_export_with_its_month_and_unit(client, lit):
    client.force_login(lit.reviewer)
    html = client.get(reverse("lights:board"), {"period": "2022-03", "unit": lit.town_a.pk}).content.decode()
    assert f'href="/lights/export.xlsx?period=2022-03&amp;unit={lit.town_a.pk}"' in html


def test_export_needs_a_login(client, world):
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_export_query_count_does_not_grow(client, lit):
    w = lit
    client.force_login(w.reviewer)
    few = export_queries(client, EXPORT, {"period": "2022-03"})
    for _ in range(6):
        make_project(location=w.town_a, lead=w.dept, tags=[w.county_tag], leader=w.leader)
    lights_compute_year(unit=w.city, period=MARCH, at=LATE)
    assert export_queries(client, EXPORT, {"period": "2022-03"}) == few
