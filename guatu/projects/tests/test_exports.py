"""The library's Excel export: the page's filters, the rows the reader may see, exact amounts, safe text."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_project, make_report, make_unit
from guatu.web.tests.test_exports_xlsx import HOSTILE, cell_xml, export_queries

pytestmark = pytest.mark.django_db
HEADER_ROW = 3  # title, 单位：万元, header


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _names(sheet) -> list:
    return [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_export_has_title_header_and_the_readers_rows_with_exact_amounts(client, world):
    w = world
    make_report(w.project_a, "2022-03", "123.45", reporter=w.reporter, reviewer=w.reviewer)
    client.force_login(w.reporter)
    sheet = _sheet(client.get(reverse("projects:export"), {"period": "2022-03"}))
    assert sheet["A1"].value == "项目库（禾青镇，2022年1-3月）"
    assert sheet["A2"].value == "单位：万元"
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:3] == ["项目代码", "项目名称", "项目级别"] and header[-1] == "业主单位"
    assert _names(sheet) == [w.project_a.name]  # not township B's project
    plan, done, rate = (sheet.cell(row=HEADER_ROW + 1, column=col) for col in (8, 9, 10))
    assert Decimal(str(plan.value)) == Decimal("1000") and plan.number_format == "#,##0.00"
    assert Decimal(str(done.value)) == Decimal("123.45")
    assert Decimal(str(rate.value)) == Decimal("0.1235") and rate.number_format == "0.00%"
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:K4"


def test_export_follows_the_filters_and_is_not_paginated(client, world):
    w = world
    for _ in range(55):
        make_project(location=w.town_a, tags=[w.county_tag], plan=None)
    client.force_login(w.reviewer)
    sheet = _sheet(client.get(reverse("projects:export"), {"location": w.town_a.pk, "page": 2}))
    names = _names(sheet)
    assert len(names) == 56 and w.project_b.name not in names  # project A and the 55 new ones
    assert "禾青镇" in sheet["A1"].value
    sheet = _sheet(client.get(reverse("projects:export"), {"q": "渣渡镇农贸"}))
    assert _names(sheet) == [w.project_b.name]


def test_an_owner_that_looks_like_a_formula_is_exported_as_text(client, world):
    make_project(location=world.town_a, name="公式项目", owner=HOSTILE)
    client.force_login(world.reviewer)
    response = client.get(reverse("projects:export"), {"q": "公式项目"})
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml
    assert _sheet(response).cell(row=HEADER_ROW + 1, column=11).value == HOSTILE


def test_another_countys_unit_is_not_a_filter_and_its_projects_stay_out(client, world):
    other = make_unit("娄星区", OrgUnitKind.COUNTY)
    make_project(location=other, name="娄星区项目")
    client.force_login(world.reviewer)
    names = _names(_sheet(client.get(reverse("projects:export"), {"location": other.pk})))
    assert "娄星区项目" not in names and world.project_a.name in names


def test_the_page_and_its_htmx_table_link_to_the_export_with_the_filters_on_screen(client, world):
    """The link lives in the part htmx swaps, so changing a filter updates it (it used to keep the
    filters the page was first loaded with)."""
    client.force_login(world.reviewer)
    page = client.get(reverse("projects:list"), {"stage": "new"}).content.decode()
    assert 'href="/projects/export.xlsx?stage=new"' in page
    partial = client.get(
        reverse("projects:list"), {"stage": "continuing", "location": world.town_b.pk, "page": "1"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'href="/projects/export.xlsx?stage=continuing&amp;location={world.town_b.pk}"' in partial


def test_export_needs_a_login(client):
    response = client.get(reverse("projects:export"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_export_query_count_does_not_grow(client, world):
    client.force_login(world.reviewer)
    url = reverse("projects:export")
    few = export_queries(client, url)
    for _ in range(10):
        make_report(
            make_project(location=world.town_b, tags=[world.county_tag]), "2022-03", "1",
            reporter=world.outsider, reviewer=world.reviewer,
        )
    assert export_queries(client, url) == few
