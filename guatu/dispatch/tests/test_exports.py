"""Excel exports of the problem list and the supervision orders: the page's filters, the reader's rows,
dates as dates, text never a formula."""

import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guatu.accounts.models import Role
from guatu.dispatch.services import problem_assign, problem_raise, supervision_close, supervision_issue
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_project, make_unit, make_user
from guatu.web.tests.test_exports_xlsx import HOSTILE, cell_xml, export_queries

pytestmark = pytest.mark.django_db
HEADER_ROW = 2  # title, header: these lists show no amounts


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _column(sheet, index: int) -> list:
    return [row[index] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def _today():
    return timezone.localdate()


@pytest.fixture
def problems(world):
    w = world
    hostile = problem_raise(project=w.project_a, description=HOSTILE, category="land", by=w.reporter)
    problem_assign(
        problem=hostile, expected_version=1, unit=w.dept, deadline=_today() + timedelta(days=7), by=w.reviewer
    )
    other = problem_raise(project=w.project_b, description="渣渡镇用电报装慢", category="power", by=w.outsider)
    return hostile, other


@pytest.fixture
def orders(world):
    w = world
    waiting = supervision_issue(
        project=w.project_a, addressee=w.dept, requirement=HOSTILE, deadline=_today() + timedelta(days=5),
        by=w.reviewer,
    )
    closed = supervision_issue(
        project=w.project_b, addressee=w.town_b, requirement="说明用电进展", deadline=_today(), by=w.reviewer
    )
    supervision_respond_and_close(closed, w)
    return waiting, closed


def supervision_respond_and_close(order, w):
    from guatu.dispatch.services import supervision_respond

    order = supervision_respond(order=order, response="已办结", by=w.outsider)
    supervision_close(order=order, by=w.reviewer)


# ----------------------------------------------------------------------------------------------- problems


def test_problem_export_has_title_header_filters_and_dates(client, world, problems):
    client.force_login(world.reviewer)
    sheet = _sheet(client.get(reverse("dispatch:problem_export"), {"category": "land"}))
    today = _today()
    assert sheet["A1"].value == f"问题台账（冷水江市，截至{today.year}年{today.month}月{today.day}日）"
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[0] == "问题" and "交办单位" in header and "办结期限" in header
    assert _column(sheet, 0) == [HOSTILE]  # the power problem is filtered out
    deadline = sheet.cell(row=HEADER_ROW + 1, column=header.index("办结期限") + 1)
    assert deadline.value == datetime.combine(today + timedelta(days=7), datetime.min.time())
    assert deadline.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")


def test_problem_export_text_is_never_a_formula(client, world, problems):
    client.force_login(world.reviewer)
    response = client.get(reverse("dispatch:problem_export"))
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml


def test_problem_export_shows_only_what_the_reader_sees(client, world, problems):
    client.force_login(world.outsider)
    assert _column(_sheet(client.get(reverse("dispatch:problem_export"))), 0) == ["渣渡镇用电报装慢"]


def test_problem_export_ignores_another_countys_unit(client, world, problems):
    county = make_unit("新化县", OrgUnitKind.COUNTY)
    office = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    stranger = make_user("xinhua_reviewer", office, Role.REVIEWER)
    problem_raise(project=make_project(location=county), description="新化县问题", category="land", by=stranger)
    client.force_login(world.reviewer)
    texts = _column(_sheet(client.get(reverse("dispatch:problem_export"), {"unit": county.pk})), 0)
    assert "新化县问题" not in texts and HOSTILE in texts
    client.force_login(stranger)
    assert _column(_sheet(client.get(reverse("dispatch:problem_export"))), 0) == ["新化县问题"]


def test_problem_list_links_to_the_export_with_its_filters(client, world, problems):
    client.force_login(world.reviewer)
    partial = client.get(
        reverse("dispatch:problem_list"), {"category": "land", "page": "1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'href="/dispatch/problems/export.xlsx?category=land"' in partial


def test_problem_export_needs_a_login(client, world):
    response = client.get(reverse("dispatch:problem_export"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_problem_export_query_count_does_not_grow(client, world, problems):
    client.force_login(world.reviewer)
    url = reverse("dispatch:problem_export")
    few = export_queries(client, url)
    for n in range(8):
        problem_raise(project=world.project_b, description=f"问题{n}", category="land", by=world.outsider)
    assert export_queries(client, url) == few


# ------------------------------------------------------------------------------------------------- orders


def test_order_export_has_title_header_filters_and_safe_text(client, world, orders):
    waiting, closed = orders
    client.force_login(world.reviewer)
    response = client.get(reverse("dispatch:order_export"), {"status": "issued"})
    sheet = _sheet(response)
    assert sheet["A1"].value.startswith("督办单（冷水江市，截至")
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:2] == ["编号", "项目"] and "答复期限" in header
    assert _column(sheet, 0) == [waiting.number]  # the closed order is filtered out
    assert sheet.cell(row=HEADER_ROW + 1, column=5).number_format == "yyyy-mm-dd"
    xml = cell_xml(response.content, "HYPERLINK")
    assert 't="inlineStr"' in xml and "<f>" not in xml


def test_order_export_shows_only_what_the_reader_sees(client, world, orders):
    waiting, closed = orders
    client.force_login(world.outsider)
    assert _column(_sheet(client.get(reverse("dispatch:order_export"))), 0) == [closed.number]


def test_order_list_links_to_the_export_with_its_filters(client, world, orders):
    client.force_login(world.reviewer)
    html = client.get(reverse("dispatch:order_list"), {"status": "closed"}).content.decode()
    assert 'href="/dispatch/orders/export.xlsx?status=closed"' in html


def test_order_export_needs_a_login(client, world):
    response = client.get(reverse("dispatch:order_export"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_order_export_query_count_does_not_grow(client, world, orders):
    client.force_login(world.reviewer)
    url = reverse("dispatch:order_export")
    few = export_queries(client, url)
    for n in range(8):
        supervision_issue(
            project=world.project_b, addressee=world.town_b, requirement=f"要求{n}", deadline=_today(),
            by=world.reviewer,
        )
    assert export_queries(client, url) == few
