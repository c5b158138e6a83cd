# ruff: noqa: F811 - `office` is a fixture imported from the service tests
"""The assessment pages: library, schemes, value entry and review, items, results, score cards, appeals,
the checklist, benchmarking and the headline panel.

Each page and action is checked for: allowed, not visible (404), forbidden (403), anonymous (login); bad input
gives a Chinese message and writes nothing; list pages keep their query count as rows grow.
"""

from decimal import Decimal

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.assessment.models import (
    Appeal,
    AssessmentItem,
    ChecklistRow,
    Evidence,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
    ValueStatus,
)
from guatu.assessment.services import (
    appeal_raise,
    snapshot_compute,
    snapshot_publish,
    value_save,
    value_submit,
)
from guatu.assessment.tests.test_services import Q1, enter, full_inputs, office  # noqa: F401 - fixture
from guatu.audit.models import AuditEvent
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_unit, make_user

pytestmark = pytest.mark.django_db
PERIOD = "2022-03"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other_county_reviewer(db):
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    bureau = make_unit("新化县发展和改革局", OrgUnitKind.DEPARTMENT, county)
    return make_user("xinhua_reviewer", bureau, Role.REVIEWER)


def queries_for(client, url) -> int:
    """How many queries a page takes (counted at once: the next request resets Django's query log)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def html(response) -> str:
    return response.content.decode()


def login_redirect(client, url, method="get", data=None):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def results_url(scheme, name="results"):
    return reverse(f"assessment:{name}", args=[scheme.pk, PERIOD])


def card_url(scheme, unit):
    return reverse("assessment:card", args=[scheme.pk, PERIOD, unit.pk])


def computed(w, scheme, publish=False):
    full_inputs(w)
    snap = snapshot_compute(scheme=scheme, period=Q1, by=w.reviewer)
    return snapshot_publish(snapshot=snap, by=w.reviewer) if publish else snap


# ------------------------------------------------------------------------------------------ the library


def test_everyone_logged_in_reads_the_library_filtered_by_category(client, world, office):
    client.force_login(world.viewer)
    response = client.get(reverse("assessment:indicator_list"))
    assert response.status_code == 200
    assert "税收收入" in html(response) and "PM2.5" in html(response)
    assert "新建指标" not in html(response)
    response = client.get(reverse("assessment:indicator_list"), {"category": "environment"})
    assert [i.code for i in response.context["indicators"]] == ["pm25"]
    client.logout()
    login_redirect(client, reverse("assessment:indicator_list"))


def test_the_office_creates_and_edits_an_indicator(client, world):
    client.force_login(world.reviewer)
    url = reverse("assessment:indicator_create")
    assert "经济发展" in html(client.get(url))
    response = client.post(
        url,
        {
            "code": "new_firms",
            "name": "新增规模以上工业企业",
            "category": "business",
            "measure": "家",
            "direction": "higher",
            "frequency": "quarterly",
            "data_source": "统计局",
            "lead_unit": world.drc.pk,
            "source": "entered",
        },
    )
    assert response.status_code == 302
    ind = Indicator.objects.get(code="new_firms")
    assert (ind.lead_unit, ind.measure) == (world.drc, "家")
    assert AuditEvent.objects.filter(action="indicator.create", object_id=ind.pk).exists()

    edit = reverse("assessment:indicator_edit", args=[ind.pk])
    response = client.post(
        edit,
        {
            "code": "changed",  # ignored: the code is fixed
            "name": "新增规上工业企业",
            "category": "business",
            "measure": "家",
            "direction": "higher",
            "frequency": "monthly",
            "lead_unit": "",
            "source": "entered",
        },
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert (ind.code, ind.name, ind.frequency, ind.lead_unit) == (
        "new_firms",
        "新增规上工业企业",
        "monthly",
        None,
    )
    event = AuditEvent.objects.get(action="indicator.update")
    assert event.before["name"] == "新增规模以上工业企业" and event.after["frequency"] == "monthly"


def test_bad_indicator_input_is_explained_and_nothing_written(client, world):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("assessment:indicator_create"),
        {
            "code": "x y",
            "name": "",
            "category": "business",
            "direction": "higher",
            "frequency": "yearly",
            "source": "computed",
        },
    )
    assert response.status_code == 200
    text = html(response)
    assert "请填写名称" in text
    assert "请选择由系统根据哪项数据计算" in text
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_only_the_office_edits_the_library(client, world, office, persona):
    client.force_login(world.personas[persona])
    ind = Indicator.objects.get(code="tax")
    assert client.get(reverse("assessment:indicator_create")).status_code == 403
    assert client.post(reverse("assessment:indicator_edit", args=[ind.pk]), {"name": "x"}).status_code == 403
    ind.refresh_from_db()
    assert ind.name == "税收收入"


def test_library_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.reviewer)
    url = reverse("assessment:indicator_list")
    for i in range(3):
        Indicator.objects.create(code=f"a{i}", name=f"指标{i}", category="economy", lead_unit=world.dept)
    client.get(url)
    few = queries_for(client, url)
    for i in range(3, 12):
        Indicator.objects.create(code=f"a{i}", name=f"指标{i}", category="urban", lead_unit=world.drc)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["indicators"]) == 12


# ------------------------------------------------------------------------------------------- schemes


def test_scheme_list_and_detail_for_units_of_the_jurisdiction(client, world, office, other_county_reviewer):
    computed(world, office, publish=True)
    client.force_login(world.reporter)
    response = client.get(reverse("assessment:scheme_list"))
    assert response.status_code == 200 and "2022年乡镇绩效考核" in html(response)
    detail = client.get(reverse("assessment:scheme_detail", args=[office.pk]))
    text = html(detail)
    assert detail.status_code == 200
    assert "功效系数" in text and "完成率" in text and "优秀" in text and "禾青镇" in text
    assert "编辑 YAML" not in text and "导出 YAML" in text
    client.force_login(other_county_reviewer)
    assert html(client.get(reverse("assessment:scheme_list"))).count("2022年乡镇绩效考核") == 0
    assert client.get(reverse("assessment:scheme_detail", args=[office.pk])).status_code == 404
    assert client.get(reverse("assessment:scheme_export", args=[office.pk])).status_code == 404
    client.logout()
    login_redirect(client, reverse("assessment:scheme_list"))
    login_redirect(client, reverse("assessment:scheme_detail", args=[office.pk]))


def test_scheme_list_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_list")
    client.get(url)
    few = queries_for(client, url)
    for year in (2020, 2021, 2023):
        Scheme.objects.create(
            code=f"t{year}",
            name=f"{year}年乡镇绩效考核",
            year=year,
            kind="township",
            jurisdiction=world.city,
            definition={**office.definition, "code": f"t{year}", "year": year},
            updated_at=office.updated_at,
        )
    computed(world, office)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["schemes"]) == 4


def test_export_downloads_the_documented_yaml(client, world, office):
    client.force_login(world.viewer)
    response = client.get(reverse("assessment:scheme_export", args=[office.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="t2022.yaml"'
    data = yaml.safe_load(response.content.decode())
    assert data["scheme"]["code"] == "t2022"
    assert [i["name"] for i in data["scheme"]["indicators"]] == ["税收收入", "PM2.5", "重点项目投资完成率"]


def test_the_office_edits_the_scheme_as_yaml(client, world, office):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_edit", args=[office.pk])
    response = client.get(url)
    assert response.status_code == 200 and "code: t2022" in html(response)
    text = response.context["form"].initial["text"].replace("bonus_cap: 3", "bonus_cap: 5")
    response = client.post(url, {"kind": "township", "text": text, "version": 1})
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.version, office.definition["bonus_cap"]) == (2, 5)
    # A second editor who opened version 1 is refused; nothing changes.
    response = client.post(
        url, {"kind": "township", "text": text.replace("bonus_cap: 5", "bonus_cap: 9"), "version": 1}
    )
    assert "已被他人修改" in html(response)
    response = client.post(url, {"kind": "township", "text": text.replace("bonus_cap: 5", "bonus_cap: 9")})
    assert "表单缺少考核办法版本号" in html(response)
    office.refresh_from_db()
    assert (office.version, office.definition["bonus_cap"]) == (2, 5)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace("method: efficacy", "method: guess"), "计分方法必须是"),
        (lambda t: t.replace("code: tax\n", "code: tax2\n"), "不在指标库中"),
        (lambda t: t.replace("- 渣渡镇", "- 无此镇"), "无此镇"),
        (lambda t: t.replace("scheme:\n", "scheme:\n  code: [\n"), "YAML 格式有误"),
        (lambda t: t.replace("bonus_cap: 3", "bonus_cap: 3\n  colour: red"), "不认识的键"),
    ],
)
def test_scheme_errors_are_shown_in_chinese_and_nothing_saved(client, world, office, change, message):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_edit", args=[office.pk])
    text = client.get(url).context["form"].initial["text"]
    response = client.post(url, {"kind": "township", "text": change(text), "version": 1})
    assert response.status_code == 200
    assert message in html(response), html(response)[html(response).find("form-errors") :][:600]
    office.refresh_from_db()
    assert office.version == 1


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_units_may_not_edit_schemes(client, world, office, persona):
    client.force_login(world.personas[persona])
    for url in (
        reverse("assessment:scheme_edit", args=[office.pk]),
        reverse("assessment:scheme_indicator", args=[office.pk, "tax"]),
        reverse("assessment:scheme_indicator_add", args=[office.pk]),
        reverse("assessment:scheme_create"),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("assessment:scheme_indicator_remove", args=[office.pk, "tax"])).status_code == 403
    )


def test_other_county_office_gets_not_found(client, world, office, other_county_reviewer):
    client.force_login(other_county_reviewer)
    assert client.get(reverse("assessment:scheme_edit", args=[office.pk])).status_code == 404
    assert client.get(reverse("assessment:scheme_indicator", args=[office.pk, "tax"])).status_code == 404
    assert client.get(results_url(office)).status_code == 404
    assert client.post(results_url(office, "compute")).status_code == 404
    assert client.get(results_url(office, "items")).status_code == 404


def indicator_form(**overrides):
    data = {
        "weight": "40",
        "method": "rank",
        "direction": "higher",
        "step": "5",
        "floor": "20",
        "cap": "1",
        "version": "1",
    }
    data.update(overrides)
    return data


def test_the_office_changes_one_indicator_field_by_field(client, world, office):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator", args=[office.pk, "tax"])
    response = client.get(url)
    assert response.status_code == 200 and "功效系数" in html(response)
    response = client.post(url, indicator_form(not_applicable=["渣渡镇"]))
    assert response.status_code == 302
    office.refresh_from_db()
    row = office.definition["indicators"][0]
    assert row == {
        "code": "tax",
        "weight": 40,
        "method": "rank",
        "step": 5,
        "floor": 20,
        "not_applicable": ["渣渡镇"],
    }
    assert office.version == 2


def test_adding_an_indicator_with_bands_and_process_weights(client, world, office):
    Indicator.objects.create(
        code="safety", name="生产安全事故", category="safety", direction="lower", lead_unit=world.dept
    )
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator_add", args=[office.pk])
    response = client.post(
        url,
        {
            "code": "safety",
            "weight": "10",
            "method": "threshold",
            "direction": "lower",
            "band_0_max": "0",
            "band_0_points": "10",
            "band_1_max": "1",
            "band_1_points": "5",
            "band_2_points": "0",
            "process_3": "15",
            "process_6": "25",
            "process_9": "25",
            "process_12": "35",
            "version": "1",
        },
    )
    assert response.status_code == 302, html(response)
    office.refresh_from_db()
    row = office.definition["indicators"][-1]
    assert row["bands"] == [{"max": 0, "points": 10}, {"max": 1, "points": 5}, {"points": 0}]
    assert row["process"] == {"3": 0.15, "6": 0.25, "9": 0.25, "12": 0.35}  # JSON keys are text


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"process_3": "15", "process_12": "80"}, "过程考核各时点权重之和应为 100%"),
        ({"weight": "四十"}, "必须是数字"),
        ({"method": "rank", "step": ""}, "排名法需要填写每下降一名扣减的分数"),
        ({"method": "threshold", "step": ""}, "分档计分法至少需要一档"),
        ({"method": "efficacy", "worst": "1", "best": ""}, "不允许值和满意值要么都填"),
        ({"method": "completion_rate", "target": ""}, "完成率法需要目标值"),
        ({"floor": "50"}, "保底分应在 0 与权重之间"),
    ],
)
def test_bad_indicator_rows_are_explained_and_nothing_saved(client, world, office, overrides, message):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator", args=[office.pk, "tax"])
    response = client.post(url, indicator_form(**overrides))
    assert response.status_code == 200
    assert message in html(response)
    office.refresh_from_db()
    assert office.version == 1


def test_removing_an_indicator_saves_a_new_version(client, world, office):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("assessment:scheme_indicator_remove", args=[office.pk, "pm25"]), {"version": 1}
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert [r["code"] for r in office.definition["indicators"]] == ["tax", "invest"]
    # A stale form does nothing.
    client.post(reverse("assessment:scheme_indicator_remove", args=[office.pk, "tax"]), {"version": 1})
    office.refresh_from_db()
    assert office.version == 2


EXAMPLE = """
scheme:
  code: d2022
  name: 2022年市直单位绩效考核
  year: 2022
  groups: [{code: dept, name: 市直单位, units: [市住建局, 冷水江市发展和改革局]}]
  indicators:
    - {code: tax, weight: 100, method: efficacy}
  grades: [{name: 优秀, min: 90}, {name: 一般}]
"""


def test_the_office_imports_a_scheme_file(client, world, office):
    client.force_login(world.reviewer)
    upload = SimpleUploadedFile("d2022.yaml", EXAMPLE.encode(), content_type="application/x-yaml")
    response = client.post(reverse("assessment:scheme_import"), {"kind": "department", "file": upload})
    scheme = Scheme.objects.get(code="d2022")
    assert response.url == reverse("assessment:scheme_detail", args=[scheme.pk])
    assert scheme.definition["groups"][0]["units"] == ["冷水江市住房和城乡建设局", "冷水江市发展和改革局"]
    assert (scheme.kind, scheme.jurisdiction) == ("department", world.city)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("d.txt", EXAMPLE, "请选择 .yaml 文件"),
        ("d.yaml", "scheme: [", "YAML 格式有误"),
        ("d.yaml", EXAMPLE.replace("efficacy", "magic"), "计分方法必须是"),
        ("d.yaml", EXAMPLE.replace("code: dept, ", ""), "考核办法的格式不对"),
    ],
)
def test_a_bad_scheme_file_is_refused_in_chinese(client, world, name, content, message):
    client.force_login(world.reviewer)
    upload = SimpleUploadedFile(name, content.encode())
    response = client.post(
        reverse("assessment:scheme_import"), {"kind": "department", "file": upload}, follow=True
    )
    assert message in html(response)
    assert not Scheme.objects.exists()


def test_import_does_not_overwrite_another_countys_scheme(client, world, office, other_county_reviewer):
    client.force_login(other_county_reviewer)
    text = EXAMPLE.replace("d2022", "t2022")
    upload = SimpleUploadedFile("t.yaml", text.encode())
    response = client.post(
        reverse("assessment:scheme_import"), {"kind": "township", "file": upload}, follow=True
    )
    assert "属于其他地区" in html(response)
    office.refresh_from_db()
    assert office.version == 1


def test_units_may_not_import(client, world):
    client.force_login(world.dept_reporter)
    upload = SimpleUploadedFile("d2022.yaml", EXAMPLE.encode())
    assert (
        client.post(reverse("assessment:scheme_import"), {"kind": "department", "file": upload}).status_code
        == 403
    )
    client.logout()
    login_redirect(client, reverse("assessment:scheme_import"), "post")


def test_the_office_writes_a_new_scheme(client, world, office):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_create")
    assert "乡镇(街道)及经济开发区绩效考核办法" in html(client.get(url))
    response = client.post(url, {"kind": "department", "text": EXAMPLE})
    assert response.status_code == 302
    assert Scheme.objects.get(code="d2022").version == 1
    # Writing one with a code in use is refused: it is edited on its own page.
    response = client.post(url, {"kind": "township", "text": EXAMPLE.replace("d2022", "t2022")})
    assert "代码已存在" in html(response)


# ---------------------------------------------------------------------------------------- value entry


def grid_url(code="tax"):
    return reverse("assessment:value_grid", args=[Indicator.objects.get(code=code).pk, PERIOD])


def row(unit, **fields):
    return {f"u{unit.pk}-{key}": value for key, value in fields.items()}


def test_the_lead_unit_enters_values_with_evidence_and_submits(client, world, office):
    w = world
    client.force_login(w.dept_reporter)
    response = client.get(grid_url())
    assert response.status_code == 200
    assert [r["unit"].name for r in response.context["rows"]] == ["禾青镇", "渣渡镇"]
    data = {
        **row(w.town_a, value="1,200.5", target="", note="税务局数据"),
        **row(w.town_b, value="８００", not_applicable=""),
        f"u{w.town_a.pk}-evidence": SimpleUploadedFile("完税证明.pdf", b"%PDF-1.4 proof"),
        "submit": "1",
    }
    response = client.post(grid_url(), data, follow=True)
    assert "已保存并报送审核" in html(response)
    values = {v.unit.name: v for v in IndicatorValue.objects.select_related("unit")}
    assert (values["禾青镇"].value, values["禾青镇"].status, values["禾青镇"].note) == (
        Decimal("1200.5"),
        ValueStatus.SUBMITTED,
        "税务局数据",
    )
    assert values["渣渡镇"].value == Decimal(800)
    evidence = Evidence.objects.get()
    assert (evidence.value, evidence.name) == (values["禾青镇"], "完税证明.pdf")
    # Submitted rows are locked in the grid.
    assert not any(r["editable"] for r in client.get(grid_url()).context["rows"])


def test_saving_drafts_then_not_applicable(client, world, office):
    w = world
    client.force_login(w.dept_reporter)
    client.post(grid_url(), {**row(w.town_a, value="12"), "save": "1"})
    value = IndicatorValue.objects.get()
    assert (value.status, value.version) == (ValueStatus.DRAFT, 1)
    client.post(grid_url(), {**row(w.town_a, value="", not_applicable="on", version="1"), "save": "1"})
    value.refresh_from_db()
    assert (value.not_applicable, value.value, value.version) == (True, None, 2)
    # Posting the same again changes nothing.
    response = client.post(
        grid_url(), {**row(w.town_a, not_applicable="on", version="2"), "save": "1"}, follow=True
    )
    assert "没有修改" in html(response)
    value.refresh_from_db()
    assert value.version == 2


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"value": "abc"}, "必须是数字"),
        ({"value": "1.00001"}, "最多 4 位小数"),
        ({"value": "", "note": "稍后补"}, "请填写数值，或勾选不适用"),
        ({"value": "3", "not_applicable": "on"}, "标为不适用的数值应留空"),
    ],
)
def test_bad_values_are_explained_and_nothing_written(client, world, office, fields, message):
    w = world
    client.force_login(w.dept_reporter)
    data = {**row(w.town_b, value="800"), **row(w.town_a, **fields), "submit": "1"}
    response = client.post(grid_url(), data)
    assert response.status_code == 400
    assert message in html(response)
    assert "未保存任何数据" in html(response)
    assert not IndicatorValue.objects.exists()


def test_a_service_refusal_rolls_back_the_whole_grid(client, world, office):
    w = world
    client.force_login(w.dept_reporter)
    value = value_save(
        unit=w.town_a,
        indicator=Indicator.objects.get(code="tax"),
        period=Q1,
        value=Decimal(5),
        by=w.dept_reporter,
        expected_version=None,
    )
    data = {
        **row(w.town_b, value="800"),
        **row(w.town_a, value="6", version=str(value.version + 5)),
        "save": "1",
    }
    response = client.post(grid_url(), data)
    assert "已被他人修改" in html(response)
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize("persona", ["reporter", "viewer", "leader", "outsider"])
def test_only_the_lead_unit_and_office_enter_values(client, world, office, persona):
    client.force_login(world.personas[persona])
    assert client.get(grid_url()).status_code == 403
    assert client.post(grid_url(), {**row(world.town_a, value="1"), "save": "1"}).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_value_entry_pages_need_a_login_and_a_real_month(client, world, office):
    login_redirect(client, grid_url())
    login_redirect(client, reverse("assessment:value_index"))
    client.force_login(world.dept_reporter)
    ind = Indicator.objects.get(code="tax")
    assert client.get(reverse("assessment:value_grid", args=[ind.pk, "2022-13"])).status_code == 404
    assert client.get(reverse("assessment:value_grid", args=[9999, PERIOD])).status_code == 404


def test_a_computed_indicator_has_nothing_to_enter(client, world, office):
    client.force_login(world.reviewer)
    response = client.get(grid_url("invest"))
    assert "由系统根据自身数据计算" in html(response)


def test_value_index_lists_what_the_unit_enters(client, world, office):
    enter(world, world.town_a, "tax", "1200")
    client.force_login(world.dept_reporter)
    response = client.get(reverse("assessment:value_index"), {"period": PERIOD})
    assert [i.code for i in response.context["indicators"]] == ["tax", "pm25"]
    assert "已审核通过 1" in html(response)
    client.force_login(world.reporter)
    assert client.get(reverse("assessment:value_index")).context["indicators"] == []


def test_value_index_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    w = world
    client.force_login(w.reviewer)
    url = reverse("assessment:value_index") + "?period=2022-03"
    enter(w, w.town_a, "tax", "1")
    few = queries_for(client, url)
    for i in range(5):
        Indicator.objects.create(code=f"extra{i}", name=f"指标{i}", category="urban", lead_unit=w.dept)
    enter(w, w.town_b, "pm25", "30")
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["indicators"]) == 7


def test_value_grid_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    w = world
    client.force_login(w.dept_reporter)
    url = grid_url()
    enter(w, w.town_a, "tax", "1")
    client.get(grid_url())
    few = queries_for(client, url)
    more = [make_unit(f"测试镇{i}", OrgUnitKind.TOWNSHIP, w.city) for i in range(4)]
    definition = {**office.definition}
    definition["groups"] = [
        {**definition["groups"][0], "units": ["禾青镇", "渣渡镇", *[u.name for u in more]]}
    ]
    office.definition = definition
    office.save()
    for unit in more[:2]:
        enter(w, unit, "tax", "2")
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["rows"]) == 6


# --------------------------------------------------------------------------------- evidence and review


def submitted_value(w, unit=None, value="1200"):
    item = value_save(
        unit=unit or w.town_a,
        indicator=Indicator.objects.get(code="tax"),
        period=Q1,
        value=Decimal(value),
        by=w.dept_reporter,
        expected_version=None,
    )
    return value_submit(value=item, expected_version=item.version, by=w.dept_reporter)


def test_evidence_downloads_only_through_the_access_check(client, world, office, other_county_reviewer):
    w = world
    client.force_login(w.dept_reporter)
    client.post(
        grid_url(),
        {
            **row(w.town_a, value="1"),
            f"u{w.town_a.pk}-evidence": SimpleUploadedFile("证明.txt", b"proof"),
            "save": "1",
        },
    )
    evidence = Evidence.objects.get()
    url = reverse("assessment:evidence_download", args=[evidence.pk])
    for user in (w.dept_reporter, w.reviewer, w.city_admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"proof"
        assert "attachment" in response["Content-Disposition"]
    for user in (w.reporter, w.outsider, w.viewer, w.leader_user, other_county_reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    login_redirect(client, url)


def test_evidence_added_on_the_value_page(client, world, office, monkeypatch):
    w = world
    value = value_save(
        unit=w.town_a,
        indicator=Indicator.objects.get(code="tax"),
        period=Q1,
        value=Decimal(1),
        by=w.dept_reporter,
        expected_version=None,
    )
    client.force_login(w.dept_reporter)
    url = reverse("assessment:evidence_upload", args=[value.pk])
    response = client.post(url, {})
    assert "请选择文件" in html(response)
    client.post(url, {"file": SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes")})
    assert value.evidence.get().name == "会议纪要.pdf"
    monkeypatch.setattr("guatu.assessment.forms.MAX_EVIDENCE_MB", 0)
    response = client.post(url, {"file": SimpleUploadedFile("大文件.pdf", b"%PDF-1.4 big")})
    assert "大文件.pdf 过大" in html(response)
    monkeypatch.undo()
    value_submit(value=value, expected_version=value.version, by=w.dept_reporter)
    response = client.post(url, {"file": SimpleUploadedFile("迟到.pdf", b"%PDF-1.4 late")})
    assert "草稿或退回" in html(response)
    assert value.evidence.count() == 1


def act(client, action, value, **data):
    """A value's action posted from its page, which carries the version it shows."""
    value.refresh_from_db()
    return client.post(
        reverse(f"assessment:value_{action}", args=[value.pk]), {"version": value.version, **data}
    )


def test_a_value_action_without_the_version_is_refused(client, world, office):
    value = submitted_value(world)
    client.force_login(world.reviewer)
    response = client.post(reverse("assessment:value_approve", args=[value.pk]))
    assert response.status_code == 400 and "版本" in html(response)
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_the_office_reviews_submitted_values(client, world, office):
    w = world
    value = submitted_value(w)
    client.force_login(w.reviewer)
    queue = client.get(reverse("assessment:review_queue"))
    assert [v.pk for v in queue.context["values"]] == [value.pk]
    # Returning needs a reason.
    response = act(client, "return", value, **{"reason": "  "})
    assert "请说明退回数值的理由" in html(response)
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED
    act(client, "return", value, **{"reason": "请附完税证明"})
    value.refresh_from_db()
    assert (value.status, value.return_reason) == (ValueStatus.RETURNED, "请附完税证明")
    # The lead unit sees why, and submits again from the value's page.
    client.force_login(w.dept_reporter)
    assert "请附完税证明" in html(client.get(reverse("assessment:value_detail", args=[value.pk])))
    act(client, "submit", value)
    client.force_login(w.reviewer)
    response = act(client, "approve", value, next=reverse("assessment:review_queue"))
    assert response.url == reverse("assessment:review_queue")
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    assert client.get(reverse("assessment:review_queue")).context["values"] == []
    approved = client.get(reverse("assessment:review_queue"), {"status": "approved"})
    assert [v.pk for v in approved.context["values"]] == [value.pk] and "解锁…" not in html(approved)
    assert "请从列表中选择状态" in html(client.get(reverse("assessment:review_queue"), {"status": "x"}))
    # Unlocking needs a role above the reviewer's, and a reason, and is audited with it.
    assert act(client, "unlock", value, **{"reason": "税务局更正数据"}).status_code == 403
    client.force_login(world.city_admin)
    assert "解锁…" in html(client.get(reverse("assessment:review_queue"), {"status": "approved"}))
    act(client, "unlock", value, **{"reason": ""})
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    act(client, "unlock", value, **{"reason": "税务局更正数据"})
    value.refresh_from_db()
    assert value.status == ValueStatus.RETURNED
    assert AuditEvent.objects.get(action="value.unlock").reason == "税务局更正数据"


def test_approving_from_the_queue_with_htmx_swaps_the_row(client, world, office):
    value = submitted_value(world)
    client.force_login(world.reviewer)
    url = reverse("assessment:value_approve", args=[value.pk])
    response = client.post(url, {"version": value.version}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'class="done"' in html(response) and "数值已审核通过" in html(response)
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    response = client.post(url, {"version": value.version}, headers={"HX-Request": "true"})
    assert 'class="failed"' in html(response) and "不能审核通过" in html(response)


def test_approving_twice_is_refused_in_chinese(client, world, office):
    value = submitted_value(world)
    client.force_login(world.reviewer)
    act(client, "approve", value)
    response = act(client, "approve", value)
    assert "不能审核通过" in html(response)


def test_unlocking_a_published_input_is_refused_and_audited(client, world, office):
    computed(world, office, publish=True)
    value = IndicatorValue.objects.get(unit=world.town_a, indicator__code="tax")
    client.force_login(world.city_admin)
    response = act(client, "unlock", value, **{"reason": "更正"})
    assert "已公示" in html(response)
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    assert AuditEvent.objects.filter(action="value.change_refused").count() == 1


def test_value_pages_and_actions_by_role(client, world, office, other_county_reviewer):
    w = world
    value = submitted_value(w)
    detail = reverse("assessment:value_detail", args=[value.pk])
    client.force_login(w.dept_reporter)
    assert client.get(detail).status_code == 200
    assert client.get(reverse("assessment:review_queue")).status_code == 403
    for action in ("approve", "return", "unlock"):
        assert (
            client.post(reverse(f"assessment:value_{action}", args=[value.pk]), {"reason": "x"}).status_code
            == 403
        )
    for user in (w.reporter, w.outsider, w.viewer, w.leader_user, other_county_reviewer):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.post(reverse("assessment:value_approve", args=[value.pk])).status_code == 404
    client.force_login(other_county_reviewer)
    assert client.get(reverse("assessment:review_queue")).context["values"] == []
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED
    client.logout()
    login_redirect(client, detail)
    login_redirect(client, reverse("assessment:review_queue"))
    login_redirect(client, reverse("assessment:value_approve", args=[value.pk]), "post")


def test_review_queue_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    w = world
    client.force_login(w.reviewer)
    url = reverse("assessment:review_queue")
    submitted_value(w)
    client.get(url)
    few = queries_for(client, url)
    for i in range(4):
        unit = make_unit(f"测试镇{i}", OrgUnitKind.TOWNSHIP, w.city)
        item = submitted_value(w, unit=unit)
        Evidence.objects.create(
            value=item,
            file="evidence/x.pdf",
            name="x.pdf",
            uploaded_by=w.dept_reporter,
            uploaded_at=item.updated_at,
        )
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["values"]) == 5


# ------------------------------------------------------------------------------ bonus, penalty, veto


def test_the_office_adds_bonus_penalty_and_veto_items(client, world, office):
    w = world
    client.force_login(w.reviewer)
    url = results_url(office, "items")
    assert client.get(url).status_code == 200
    client.post(url, {"unit": w.town_b.pk, "kind": "bonus", "points": "2", "reason": "省级表彰"})
    client.post(url, {"unit": w.town_a.pk, "kind": "veto", "points": "", "reason": "发生较大安全事故"})
    items = {i.kind: i for i in AssessmentItem.objects.all()}
    assert (items["bonus"].unit, items["bonus"].points) == (w.town_b, 2)
    assert (items["veto"].unit, items["veto"].points) == (w.town_a, 1)
    response = client.get(url)
    assert "省级表彰" in html(response) and "一票否决" in html(response)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "bonus", "points": "-1", "reason": "x"}, "不能小于 0"),
        ({"kind": "penalty", "points": "", "reason": "x"}, "请填写分值"),
        ({"kind": "penalty", "points": "1", "reason": ""}, "请填写理由"),
        ({"kind": "bonus", "points": "1", "reason": "x", "unit": "999"}, "请选择本考核办法中的单位"),
    ],
)
def test_bad_items_are_explained_and_nothing_written(client, world, office, data, message):
    client.force_login(world.reviewer)
    response = client.post(results_url(office, "items"), {"unit": world.town_a.pk, **data})
    assert message in html(response)
    assert not AssessmentItem.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_units_may_not_add_items(client, world, office, persona):
    client.force_login(world.personas[persona])
    url = results_url(office, "items")
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"unit": world.town_a.pk, "kind": "bonus", "points": "3", "reason": "x"}).status_code
        == 403
    )
    assert not AssessmentItem.objects.exists()


def test_items_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    client.force_login(world.reviewer)
    url = results_url(office, "items")
    data = {"unit": world.town_a.pk, "kind": "bonus", "points": "1", "reason": "表彰"}
    client.post(url, data)
    few = queries_for(client, url)
    for _ in range(4):
        client.post(url, {**data, "unit": world.town_b.pk, "kind": "penalty"})
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["rows"]) == 5


# ------------------------------------------------------------------------------------------ results


def test_the_office_computes_and_publishes(client, world, office):
    w = world
    full_inputs(w)
    client.force_login(w.reviewer)
    assert "尚未计算" in html(client.get(results_url(office)))
    response = client.post(results_url(office, "compute"), follow=True)
    assert "已计算" in html(response)
    text = html(response)
    assert "89.50" in text and "44.00" in text and "良好" in text
    assert response.context["reproduces"] is True
    response = client.post(results_url(office, "publish"), follow=True)
    assert "成绩已公示" in html(response)
    snap = ResultSnapshot.objects.get()
    assert snap.status == "published"
    # Recomputing a published snapshot with the same inputs reproduces it.
    response = client.post(results_url(office, "compute"), follow=True)
    assert "完全一致" in html(response)
    # Publishing again says why not.
    response = client.post(results_url(office, "publish"), follow=True)
    assert "已经公示" in html(response)


def test_missing_data_is_listed_in_chinese_and_nothing_written(client, world, office):
    enter(world, world.town_a, "tax", "1200")
    client.force_login(world.reviewer)
    response = client.post(results_url(office, "compute"))
    assert response.status_code == 400
    assert "缺少数据：渡镇" not in html(response)
    assert "缺少数据：渣渡镇 / tax" in html(response)
    assert not ResultSnapshot.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader", "viewer"])
def test_units_may_not_compute_or_publish(client, world, office, persona):
    snap = computed(world, office)
    client.force_login(world.personas[persona])
    assert client.post(results_url(office, "compute")).status_code == 403
    assert client.post(results_url(office, "publish")).status_code == 403
    snap.refresh_from_db()
    assert snap.status == "computed"


def test_before_publication_a_unit_sees_only_its_own_row_and_card(client, world, office):
    w = world
    computed(w, office)
    client.force_login(w.reporter)  # township A
    response = client.get(results_url(office))
    assert [u["unit"] for g in response.context["groups"] for u in g["units"]] == ["禾青镇"]
    assert client.get(card_url(office, w.town_a)).status_code == 200
    assert client.get(card_url(office, w.town_b)).status_code == 404
    # Units with no card of their own, and leaders, see nothing yet.
    for user in (w.dept_reporter, w.leader_user):
        client.force_login(user)
        assert client.get(results_url(office)).status_code == 404
        assert client.get(card_url(office, w.town_a)).status_code == 404


def test_after_publication_every_unit_sees_all_cards(client, world, office, other_county_reviewer):
    w = world
    computed(w, office, publish=True)
    for user in (w.reporter, w.outsider, w.dept_reporter, w.leader_user, w.viewer):
        client.force_login(user)
        response = client.get(results_url(office))
        assert [u["unit"] for g in response.context["groups"] for u in g["units"]] == ["禾青镇", "渣渡镇"]
        assert client.get(card_url(office, w.town_b)).status_code == 200
    client.force_login(other_county_reviewer)
    assert client.get(results_url(office)).status_code == 404
    assert client.get(card_url(office, w.town_a)).status_code == 404
    client.logout()
    login_redirect(client, results_url(office))
    login_redirect(client, card_url(office, w.town_a))
    login_redirect(client, results_url(office, "compute"), "post")


def test_no_results_yet_is_not_found_for_units(client, world, office):
    client.force_login(world.reporter)
    assert client.get(results_url(office)).status_code == 404
    assert client.get(card_url(office, world.town_a)).status_code == 404
    client.force_login(world.reviewer)
    assert client.get(card_url(office, world.dept)).status_code == 404  # not assessed


def test_results_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    w = world
    client.force_login(w.reviewer)
    computed(w, office)
    client.get(results_url(office))
    few = queries_for(client, results_url(office))
    more = [make_unit(f"测试镇{i}", OrgUnitKind.TOWNSHIP, w.city) for i in range(4)]
    definition = {**office.definition}
    definition["groups"] = [
        {**definition["groups"][0], "units": ["禾青镇", "渣渡镇", *[u.name for u in more]]}
    ]
    office.definition = definition
    office.save()
    for unit in more:
        enter(w, unit, "tax", "1000")
        enter(w, unit, "pm25", "33")
    snapshot_compute(scheme=office, period=Q1, by=w.reviewer)
    with django_assert_num_queries(few):
        response = client.get(results_url(office))
    assert sum(len(g["units"]) for g in response.context["groups"]) == 6


# --------------------------------------------------------------------------------------- score card


def test_the_score_card_shows_points_how_and_the_what_if(client, world, office):
    w = world
    computed(w, office)
    client.force_login(w.outsider)  # township B, its own card before publication
    response = client.get(card_url(office, w.town_b))
    text = html(response)
    assert response.status_code == 200
    assert response.context["card"].total == "44.00"
    # Tax is worst in the group: 40 × (0.6 + 0.4 × (800 − 800)/(1200 − 800)) = 24.
    assert "40 × (0.6 + 0.4 × (800 − 800)/(1200 − 800))" in text
    assert "失分最多" in text and "重点项目投资完成率" in text
    assert "即可超过禾青镇" in text  # the improvement needed to pass the unit above
    assert "提高 1" in text  # points per unit of improvement
    assert "公示后可提出申诉" in text
    assert response.context["appeal_form"] is None


def test_a_unit_appeals_after_publication_and_the_office_answers(client, world, office):
    w = world
    snap = computed(w, office, publish=True)
    client.force_login(w.outsider)
    url = reverse("assessment:appeal_raise", args=[office.pk, PERIOD, w.town_b.pk])
    response = client.post(url, {"indicator_code": "pm25", "reason": ""})
    assert response.status_code == 400 and "请填写申诉理由" in html(response)
    assert not Appeal.objects.exists()
    client.post(url, {"indicator_code": "pm25", "reason": "监测点位于国道旁，数据偏高"})
    appeal = Appeal.objects.get()
    assert (appeal.unit, appeal.indicator_code, appeal.snapshot) == (w.town_b, "pm25", snap)
    # Another unit may read the card after publication but not appeal for it.
    client.force_login(w.reporter)
    assert client.post(url, {"indicator_code": "pm25", "reason": "x"}).status_code == 403
    client.force_login(w.dept_reporter)
    assert client.get(reverse("assessment:appeal_list")).status_code == 403
    # Another unit does not see the appeal at all; the unit that raised it may not answer it.
    assert (
        client.post(reverse("assessment:appeal_answer", args=[appeal.pk]), {"answer": "x"}).status_code == 404
    )
    client.force_login(w.outsider)
    assert (
        client.post(reverse("assessment:appeal_answer", args=[appeal.pk]), {"answer": "x"}).status_code == 403
    )

    client.force_login(w.reviewer)
    listing = client.get(reverse("assessment:appeal_list"))
    assert "监测点位于国道旁" in html(listing) and "PM2.5" in html(listing)
    answer = reverse("assessment:appeal_answer", args=[appeal.pk])
    response = client.post(answer, {"answer": " "}, follow=True)
    assert "请填写答复" in html(response)
    client.post(answer, {"answer": "经核实，数据无误，维持原结果", "outcome": "rejected"})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer) == ("answered", "经核实，数据无误，维持原结果")
    client.force_login(w.outsider)
    assert "维持原结果" in html(client.get(card_url(office, w.town_b)))


def test_appeals_before_publication_and_by_strangers(client, world, office, other_county_reviewer):
    w = world
    computed(w, office)
    client.force_login(w.outsider)
    url = reverse("assessment:appeal_raise", args=[office.pk, PERIOD, w.town_b.pk])
    response = client.post(url, {"indicator_code": "pm25", "reason": "偏高"})
    assert "只有已公示的成绩才能申诉" in html(response)
    client.force_login(w.reporter)
    assert (
        client.post(url, {"indicator_code": "pm25", "reason": "x"}).status_code == 404
    )  # cannot see B's card
    snap = snapshot_publish(snapshot=ResultSnapshot.objects.get(), by=w.reviewer)
    appeal = appeal_raise(snapshot=snap, indicator_code="tax", reason="x", by=w.outsider)
    client.force_login(other_county_reviewer)
    assert (
        client.post(reverse("assessment:appeal_answer", args=[appeal.pk]), {"answer": "x"}).status_code == 404
    )
    assert client.get(reverse("assessment:appeal_list")).context["appeals"] == []
    assert not Appeal.objects.filter(status="answered").exists()
    client.logout()
    login_redirect(client, reverse("assessment:appeal_list"))


def test_appeal_list_query_count_does_not_grow(client, world, office, django_assert_num_queries):
    w = world
    snap = computed(w, office, publish=True)
    client.force_login(w.reviewer)
    url = reverse("assessment:appeal_list")
    appeal_raise(snapshot=snap, indicator_code="tax", reason="x", by=w.outsider)
    few = queries_for(client, url)
    for _ in range(4):
        appeal_raise(snapshot=snap, indicator_code="pm25", reason="y", by=w.reporter)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["appeals"]) == 5


# ------------------------------------------------------------------ checklist, benchmarks, headline panel


def peers(world):
    gdp = Indicator.objects.create(code="gdp_pc", name="人均GDP", category="per_capita", measure="元")
    pm = Indicator.objects.create(code="pm25c", name="PM2.5浓度", category="environment", direction="lower")
    leader = world.leader
    row = ChecklistRow.objects.create(status="approved", jurisdiction=world.city,
        year=2022,
        indicator=gdp,
        prefecture_weight=5,
        target=70000,
        lead_unit=world.drc,
        responsible_leader=leader,
        expected_points=4,
        gap_analysis="工业增加值偏低",
        measures="加快技改项目投产",
    )
    row.support_units.add(world.dept)
    for peer, g, p, me in (
        ("冷水江市", 68000, 38, True),
        ("娄星区", 72000, 36, False),
        ("涟源市", 50000, 40, False),
        ("双峰县", 52000, 34, False),
        ("新化县", 40000, 39, False),
    ):
        PeerValue.objects.create(status="approved", jurisdiction=world.city, indicator=gdp, year=2022, month=3, peer=peer, is_self=me, value=g)
        PeerValue.objects.create(status="approved", jurisdiction=world.city, indicator=pm, year=2022, month=3, peer=peer, is_self=me, value=p)
    return gdp, pm


def test_checklist_page(client, world):
    peers(world)
    client.force_login(world.viewer)
    response = client.get(reverse("assessment:checklist"))
    text = html(response)
    assert response.status_code == 200
    assert "人均GDP" in text and "市发改局" in text and "李建国" in text and "市住建局" in text
    assert "2 / 5" in text  # second of Loudi's five counties
    assert "加快技改项目投产" in text
    assert client.get(reverse("assessment:checklist"), {"year": "2021"}).context["rows"] == []
    client.logout()
    login_redirect(client, reverse("assessment:checklist"))


def test_benchmark_page_sorts_strengths_and_weaknesses(client, world):
    peers(world)
    client.force_login(world.reporter)
    response = client.get(reverse("assessment:benchmarks"), {"period": PERIOD})
    text = html(response)
    assert [s["key"] for s in response.context["sections"]] == ["lengthen", "fix"]
    assert "锻长板" in text and "补弱项" in text
    assert "距娄星区还差 4000 元" in text
    assert "双峰县 34" in text  # best peer of a lower-is-better indicator
    assert (response.context["ahead"], response.context["behind"]) == (1, 1)
    response = client.get(reverse("assessment:benchmarks"), {"period": "2022-3x"})
    assert "月份应写作 YYYY-MM" in html(response)
    client.logout()
    login_redirect(client, reverse("assessment:benchmarks"))


def test_headline_panel(client, world):
    gdp = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city,
        year=2022, position=1, name="地区生产总值增速", measure="%", target=Decimal("7.5")
    )
    HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city, year=2022, position=2, name="固定资产投资增速", measure="%", target=10)
    tax = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city, year=2022, position=3, name="税收占比", measure="%", target=70)
    HeadlineValue.objects.create(status="approved",
        indicator=gdp,
        quarter=1,
        actual=Decimal("7.8"),
        growth=Decimal("7.8"),
        prefecture_average=Decimal("6.9"),
        peer_rank=2,
    )
    HeadlineValue.objects.create(status="approved", indicator=tax, quarter=1, actual=65, peer_rank=4)
    client.force_login(world.leader_user)
    response = client.get(reverse("assessment:headline"))
    text = html(response)
    assert (response.context["year"], response.context["quarter"]) == (2022, 1)
    assert 'data-met="yes"' in text and 'data-met="no"' in text and 'data-met="unknown"' in text
    assert "已报 2 项中 1 项完成目标" in text
    response = client.get(reverse("assessment:headline"), {"year": "2022", "quarter": "5"})
    assert "选择一个有效的选项" in html(response)
    client.logout()
    login_redirect(client, reverse("assessment:headline"))


def test_reading_pages_query_counts_do_not_grow(client, world, django_assert_num_queries):
    gdp, pm = peers(world)
    client.force_login(world.reviewer)
    urls = [reverse("assessment:checklist"), reverse("assessment:benchmarks"), reverse("assessment:headline")]
    for position in (1, 2):
        ind = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city,
            year=2022, position=position, name=f"指标{position}", measure="%", target=5
        )
        HeadlineValue.objects.create(status="approved", indicator=ind, quarter=1, actual=6)
    counts = []
    for url in urls:
        client.get(url)
        few = queries_for(client, url)
        counts.append(few)
    for i in range(4):
        ind = Indicator.objects.create(code=f"x{i}", name=f"指标{i}", category="innovation")
        row = ChecklistRow.objects.create(status="approved", jurisdiction=world.city, year=2022, indicator=ind, prefecture_weight=2, lead_unit=world.dept)
        row.support_units.add(world.drc, world.town_a)
        for peer in ("冷水江市", "娄星区"):
            PeerValue.objects.create(status="approved", jurisdiction=world.city,
                indicator=ind, year=2022, month=3, peer=peer, is_self=peer == "冷水江市", value=i
            )
        head = HeadlineIndicator.objects.create(status="approved", jurisdiction=world.city,
            year=2022, position=3 + i, name=f"指标{3 + i}", measure="%", target=5
        )
        HeadlineValue.objects.create(status="approved", indicator=head, quarter=1, actual=4)
    shown = []
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url)
        shown.append(response.content.decode().count("<tr data-"))
    assert shown == [5, 6, 6]  # the county's checklist rows, its indicators with peers, its headlines


def _make_pm25_linear(office, world, **keys):
    """The scheme's pm25 row as a linear indicator (written in YAML, as before the form offered it)."""
    from guatu.assessment.services import scheme_save

    rows = [
        {"code": "pm25", "weight": 20, "method": "linear", "direction": "lower", "target": 35, **keys}
        if r["code"] == "pm25"
        else r
        for r in office.definition["indicators"]
    ]
    return scheme_save(
        jurisdiction=office.jurisdiction,
        definition={**office.definition, "indicators": rows},
        kind=office.kind,
        by=world.reviewer,
        scheme=office,
        expected_version=office.version,
    )


LINEAR_KEYS = {"deduct": 0.5, "add": 0.2, "per": 2, "floor": 5, "ceiling": 22, "whole_steps": True,
               "basis": "completion_rate", "targets": {"禾青镇": 30}}


def test_a_linear_indicator_opens_in_the_form_and_saves_unchanged(client, world, office):
    scheme = _make_pm25_linear(office, world, **LINEAR_KEYS)
    before = next(r for r in scheme.definition["indicators"] if r["code"] == "pm25")
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator", args=[scheme.pk, "pm25"])
    response = client.get(url)
    form = response.context["form"]
    assert form["method"].value() == "linear" and ("linear", "线性扣分/加分法") in form.fields["method"].choices
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "", [], False)}
    data.pop("code")  # disabled: the row being edited
    data["version"] = str(scheme.version)
    response = client.post(url, data)
    assert response.status_code == 302, html(response)
    scheme.refresh_from_db()
    assert next(r for r in scheme.definition["indicators"] if r["code"] == "pm25") == before
    assert scheme.version == 2  # nothing changed, nothing saved


def test_the_office_writes_a_linear_indicator_on_the_form(client, world, office):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator", args=[office.pk, "tax"])
    response = client.post(
        url,
        indicator_form(
            method="linear", target="100", deduct="0.5", add="0.2", per="1", floor="", ceiling="42",
            whole_steps="on", basis="value", step="",
        ),
    )
    assert response.status_code == 302, html(response)
    office.refresh_from_db()
    assert office.definition["indicators"][0] == {
        "code": "tax", "weight": 40, "method": "linear", "target": 100, "deduct": 0.5, "add": 0.2, "per": 1,
        "ceiling": 42, "whole_steps": True,
    }


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"deduct": ""}, "deduct", "线性扣分法需要每步扣分"),
        ({"ceiling": "100"}, "ceiling", "最高分应在权重 40 与其两倍之间"),
        ({"per": "0"}, "per", "每步的大小应大于 0"),
        ({"target": ""}, "target", "线性扣分/加分法需要目标值"),
        ({"basis": "completion_rate", "target": "-5"}, "target", "按完成率计分时目标值应大于 0"),
    ],
)
def test_bad_linear_rows_are_explained_at_their_field(client, world, office, overrides, field, message):
    client.force_login(world.reviewer)
    url = reverse("assessment:scheme_indicator", args=[office.pk, "tax"])
    data = indicator_form(method="linear", target="100", deduct="0.5", per="1", step="", basis="value")
    data.update(overrides)
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    office.refresh_from_db()
    assert office.version == 1
