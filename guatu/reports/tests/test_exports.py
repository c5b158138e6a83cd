"""The review queue's Excel export: the queue's month and unit, every waiting report, safe text."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu.orgs.models import OrgUnitKind
from guatu.reports.models import ReportStatus
from guatu.testing import make_project, make_report, make_unit
from guatu.web.tests.test_exports_xlsx import HOSTILE, cell_xml, export_queries

pytestmark = pytest.mark.django_db
EXPORT = reverse("reports:review_queue_export")
HEADER_ROW = 3


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def _projects(sheet) -> list:
    return [row[0] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


@pytest.fixture
def waiting(world):
    w = world
    hostile = make_project(location=w.town_a, name=HOSTILE, tags=[w.county_tag])
    make_report(hostile, "2022-03", "12.5", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    make_report(w.project_b, "2022-03", "7", reporter=w.outsider, status=ReportStatus.SUBMITTED)
    make_report(w.project_a, "2022-02", "3", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    return w


def test_export_has_title_header_filters_and_safe_text(client, waiting):
    w = waiting
    client.force_login(w.reviewer)
    response = client.get(EXPORT, {"period": "2022-03", "unit": w.town_a.pk})
    sheet = _sheet(response)
    assert sheet["A1"].value == "月报审核（禾青镇，2022年3月）"
    assert sheet["A2"].value == "单位：万元"
    assert [cell.value for cell in sheet[HEADER_ROW]][:2] == ["项目", "所在地"]
    assert _projects(sheet) == [HOSTILE]  # township B's report and February's are filtered out
    amount = sheet.cell(row=HEADER_ROW + 1, column=5)
    assert amount.value == 12.5 and amount.number_format == "#,##0.00"
    assert sheet.cell(row=HEADER_ROW + 1, column=7).value == w.reporter.display_name
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml
    assert len(_projects(_sheet(client.get(EXPORT)))) == 3


def test_queue_links_to_the_export_with_its_filters(client, waiting):
    client.force_login(waiting.reviewer)
    html = client.get(reverse("reports:review_queue"), {"period": "2022-03", "page": "1"}).content.decode()
    assert 'href="/reports/review/export.xlsx?period=2022-03"' in html


def test_export_access(client, waiting):
    assert "/accounts/login/" in client.get(EXPORT).url
    client.force_login(waiting.reporter)
    assert client.get(EXPORT).status_code == 403
    other = make_unit("娄星区", OrgUnitKind.COUNTY)
    client.force_login(waiting.reviewer)
    response = client.get(EXPORT, {"unit": other.pk})  # not a unit the reviewer may pick: ignored
    assert HOSTILE in _projects(_sheet(response))


def test_export_query_count_does_not_grow(client, waiting):
    w = waiting
    client.force_login(w.reviewer)
    few = export_queries(client, EXPORT)
    for _ in range(6):
        project = make_project(location=w.town_b, tags=[w.county_tag])
        make_report(project, "2022-03", "1", reporter=w.outsider, status=ReportStatus.SUBMITTED)
    assert export_queries(client, EXPORT) == few
