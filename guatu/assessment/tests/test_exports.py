"""Excel exports of the value review queue and of a scheme's results."""

# ruff: noqa: F811 - `office` is a fixture imported from the service tests
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guatu.accounts.models import Role
from guatu.assessment.models import Indicator
from guatu.assessment.services import snapshot_compute, snapshot_publish, value_save, value_submit
from guatu.assessment.tests.test_services import Q1, full_inputs, office  # noqa: F401 - fixture
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_unit, make_user
from guatu.web.tests.test_exports_xlsx import HOSTILE, cell_xml, export_queries, sheet_xml

pytestmark = pytest.mark.django_db
HEADER_ROW = 2


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _rows(sheet) -> list:
    return list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


def _submit(w, unit, value, *, note=""):
    item = value_save(
        unit=unit, indicator=Indicator.objects.get(code="tax"), period=Q1, value=Decimal(value), note=note,
        by=w.dept_reporter, expected_version=None,
    )
    return value_submit(value=item, expected_version=item.version, by=w.dept_reporter)


def _outsider_of_another_county():
    county = make_unit("新化县", OrgUnitKind.COUNTY)
    return make_user("xinhua_reviewer", make_unit("新化县发改局", OrgUnitKind.DEPARTMENT, county), Role.REVIEWER)


# ------------------------------------------------------------------------------------------ value review


def test_values_export_follows_the_queues_filters(client, world, office):
    w = world
    _submit(w, w.town_a, "1234.5", note=HOSTILE)
    client.force_login(w.reviewer)
    url = reverse("assessment:values_export")
    response = client.get(url, {"status": "submitted", "period": "2022-03"})
    sheet = _sheet(response)
    assert sheet["A1"].value == "指标审核（冷水江市，2022年3月）"
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:3] == ["指标", "单位", "月份"]
    [row] = _rows(sheet)
    assert row[0] == "税收收入" and row[1] == "禾青镇" and row[3] == 1234.5 and row[7] == HOSTILE
    assert sheet.cell(row=HEADER_ROW + 1, column=10).number_format == "yyyy-mm-dd hh:mm"
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml
    assert _rows(_sheet(client.get(url, {"status": "approved"}))) == []
    assert _rows(_sheet(client.get(url, {"period": "2022-04"}))) == []


def test_values_page_links_to_the_export_with_its_filters(client, world, office):
    client.force_login(world.reviewer)
    html = client.get(reverse("assessment:review_queue"), {"status": "approved"}).content.decode()
    assert 'href="/assessment/review/export.xlsx?status=approved"' in html


def test_values_export_access(client, world, office):
    _submit(world, world.town_a, "1")
    url = reverse("assessment:values_export")
    assert "/accounts/login/" in client.get(url).url
    client.force_login(world.reporter)
    assert client.get(url).status_code == 403
    client.force_login(_outsider_of_another_county())
    response = client.get(url)
    assert response.status_code in (403, 404) or _rows(_sheet(response)) == []


def test_values_export_query_count_does_not_grow(client, world, office):
    client.force_login(world.reviewer)
    url = reverse("assessment:values_export")
    _submit(world, world.town_a, "1")
    few = export_queries(client, url)
    _submit(world, world.town_b, "2")
    assert export_queries(client, url) == few


# --------------------------------------------------------------------------------------------- results


@pytest.fixture
def computed(world, office):
    full_inputs(world)
    return snapshot_compute(scheme=office, period=Q1, by=world.reviewer)


def test_results_export_has_title_header_and_scores(client, world, office, computed):
    client.force_login(world.reviewer)
    response = client.get(reverse("assessment:results_export", args=[office.pk, "2022-03"]))
    sheet = _sheet(response)
    assert sheet["A1"].value.startswith(office.name) and sheet["A1"].value.endswith("（冷水江市，2022年3月）")
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[1:4] == ["排名", "单位", "总分"] or header[1:3] == ["排名", "单位"]
    rows = _rows(sheet)
    assert sorted(row[2] for row in rows) == sorted(["禾青镇", "渣渡镇"])
    assert sheet.cell(row=HEADER_ROW + 1, column=4).number_format == "0.00"
    assert "<f>" not in sheet_xml(response.content)


def test_results_export_before_publication_shows_a_unit_only_its_own_card(client, world, office, computed):
    client.force_login(world.reporter)
    url = reverse("assessment:results_export", args=[office.pk, "2022-03"])
    rows = _rows(_sheet(client.get(url)))
    assert [row[2] for row in rows] == ["禾青镇"]
    snapshot_publish(snapshot=computed, by=world.reviewer)
    assert len(_rows(_sheet(client.get(url)))) == 2


def test_results_page_links_to_the_export(client, world, office, computed):
    client.force_login(world.reviewer)
    html = client.get(reverse("assessment:results", args=[office.pk, "2022-03"])).content.decode()
    assert f'href="/assessment/schemes/{office.pk}/2022-03/results.xlsx"' in html


def test_results_export_access(client, world, office, computed):
    url = reverse("assessment:results_export", args=[office.pk, "2022-03"])
    assert "/accounts/login/" in client.get(url).url
    client.force_login(_outsider_of_another_county())
    assert client.get(url).status_code == 404
    client.force_login(world.reviewer)
    assert client.get(reverse("assessment:results_export", args=[office.pk, "2022-04"])).status_code == 404


def test_results_export_query_count_is_fixed(client, world, office, computed):
    client.force_login(world.reviewer)
    url = reverse("assessment:results_export", args=[office.pk, "2022-03"])
    assert export_queries(client, url) <= 14  # two of them record the download in the audit log
