"""The lights pages: the red and yellow list, recomputing, the warning rules, and a project's light history.

Each page and action is checked for: allowed, not visible, forbidden (403), anonymous (login); bad input
shows a Chinese message and writes nothing; the list runs a fixed number of queries.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from guatu.audit.models import AuditEvent
from guatu.lib.lights import RuleSet
from guatu.lib.periods import Period
from guatu.lights.models import ProjectLight, RuleSetting
from guatu.lights.queries import describe_reason
from guatu.lights.queries import project_lights as project_lights_context
from guatu.lights.services import lights_compute_year, rules_from_yaml, rules_set
from guatu.testing import make_project, make_report

pytestmark = pytest.mark.django_db

LATE = datetime(2023, 1, 1, tzinfo=UTC)  # every 2022 report deadline has passed
MARCH = Period(2022, 3)
BOARD = reverse("lights:board")
RULES = reverse("lights:rules")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "lights-rules.yaml"


def page(response) -> str:
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def lit(world):
    """March 2022: project A 120/1000 = 12% against 25% → 13 points behind → yellow; project B never
    reported → red (report missing, 25 points behind)."""
    w = world
    for month in (1, 2, 3):
        make_report(w.project_a, f"2022-{month:02d}", "40", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=MARCH, at=LATE)
    return w


def warned_on_page(html, world) -> dict:
    return {
        name: f'data-project="{project.pk}" data-light' in html
        for name, project in (("a", world.project_a), ("b", world.project_b))
    }


# ---------------------------------------------------------------------------------------------- the board


def test_reviewer_sees_the_red_and_yellow_lists_with_reasons_and_counts(client, lit):
    w = lit
    client.force_login(w.reviewer)
    html = page(client.get(BOARD, {"period": "2022-03"}))
    assert warned_on_page(html, w) == {"a": True, "b": True}
    red = html[html.index('id="red-list"') : html.index('id="yellow-list"')]
    yellow = html[html.index('id="yellow-list"') :]
    assert w.project_b.name in red and w.project_a.name in yellow
    assert "完成率滞后时序进度 13.00 个百分点" in yellow
    assert "次月 5 日前未报送月报" in red
    county = html[html.index('data-tag="county"') :]
    assert 'data-field="projects">2<' in county and 'data-field="red">1<' in county
    assert 'data-field="yellow">1<' in county and 'data-field="green">0<' in county
    assert "红黄榜" in html and 'id="compute-form"' in html


def test_the_default_month_is_the_latest_whose_reports_were_due(client, lit, settings):
    settings.GUATU_TODAY = date(2022, 4, 24)
    client.force_login(lit.reviewer)
    response = client.get(BOARD)
    assert response.context["period"] == MARCH and 'value="2022-03"' in page(response)
    assert warned_on_page(page(response), lit) == {"a": True, "b": True}


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("city_admin", {"a": True, "b": True}),
        ("reporter", {"a": True, "b": False}),
        ("dept_reporter", {"a": True, "b": False}),
        ("viewer", {"a": True, "b": False}),
        ("leader", {"a": True, "b": False}),
        ("outsider", {"a": False, "b": True}),
    ],
)
def test_each_persona_sees_the_lights_of_their_projects(client, lit, persona, sees):
    client.force_login(lit.personas[persona])
    response = client.get(BOARD, {"period": "2022-03"})
    assert response.status_code == 200
    html = page(response)
    assert warned_on_page(html, lit) == sees
    assert ('id="compute-form"' in html) == (persona == "city_admin")


def test_unit_filter_and_bad_filters(client, lit, settings):
    w = lit
    settings.GUATU_TODAY = date(2022, 4, 24)  # the default month, shown instead of a bad one: March
    client.force_login(w.reviewer)
    assert warned_on_page(page(client.get(BOARD, {"period": "2022-03", "unit": w.town_b.pk})), w) == {
        "a": False,
        "b": True,
    }
    client.force_login(w.reporter)
    html = page(client.get(BOARD, {"period": "2022-13", "unit": w.town_b.pk}))
    assert "请从列表中选择单位" in html and "月份应写作 YYYY-MM" in html
    assert warned_on_page(html, w) == {"a": True, "b": False}  # bad filters ignored, never widened


def test_board_anonymous_goes_to_login(client, world):
    assert_login_redirect(client.get(BOARD))


def test_board_query_count_does_not_grow_with_projects(client, world, django_assert_num_queries):
    w = world

    def add(n):
        for _ in range(n):
            make_project(location=w.town_a, lead=w.dept, tags=[w.county_tag], leader=w.leader)
        lights_compute_year(unit=w.city, period=MARCH, at=LATE)

    add(3)
    client.force_login(w.reviewer)
    client.get(BOARD, {"period": "2022-03"})
    # session, user, the reader's scope (2), list, per tag (3), the page frame's unread count; the unit picker
    # reads nothing until it is used
    with django_assert_num_queries(9) as few:
        client.get(BOARD, {"period": "2022-03"})
    add(6)
    assert ProjectLight.objects.filter(month=3, light="red").count() == 11
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(BOARD, {"period": "2022-03"})


# ------------------------------------------------------------------------------------------------ compute


def test_reviewer_computes_the_lights_of_a_month(client, world):
    w = world
    client.force_login(w.reviewer)
    response = client.post(reverse("lights:compute"), {"period": "2022-03"})
    assert response.status_code == 302 and response.url == BOARD + "?period=2022-03"
    assert ProjectLight.objects.filter(year=2022, month=3).count() == 2
    assert ProjectLight.objects.filter(year=2022, month=1).count() == 2  # January first, for the memory
    assert "已计算冷水江市 2 个项目 1月至 2022-03 的预警灯" in page(client.get(response.url))


def test_reviewer_computes_one_visible_unit_only(client, world):
    w = world
    client.force_login(w.reviewer)
    client.post(reverse("lights:compute"), {"period": "2022-03", "unit": w.town_b.pk})
    assert set(ProjectLight.objects.values_list("project_id", flat=True)) == {w.project_b.pk}


def test_bad_compute_request_is_explained_and_computes_nothing(client, world):
    client.force_login(world.reviewer)
    response = client.post(reverse("lights:compute"), {"period": "三月"}, follow=True)
    assert "月份应写作 YYYY-MM" in page(response)
    response = client.post(reverse("lights:compute"), {}, follow=True)
    assert "请填写要计算的月份" in page(response)
    assert not ProjectLight.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "viewer", "leader", "outsider"])
def test_only_reviewers_compute(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.post(reverse("lights:compute"), {"period": "2022-03"}).status_code == 403
    assert not ProjectLight.objects.exists()


def test_compute_anonymous_goes_to_login(client, world):
    assert_login_redirect(client.post(reverse("lights:compute"), {"period": "2022-03"}))
    assert client.get(reverse("lights:compute")).status_code == 302
    assert not ProjectLight.objects.exists()


# ------------------------------------------------------------------------------------------- warning rules


def rules_data(**overrides):
    data = {
        "yellow_behind_points": "5",
        "red_behind_points": "20",
        "start_missed_red_after_months": "2",
        "milestone_overdue_red_after_months": "1",
        "report_deadline_day": "10",
        "missing_report_light": "yellow",
        "no_progress_months": "2",
        "no_progress_light": "red",
        "recovery_periods": "3",
    }
    data.update(overrides)
    return data


def test_city_admin_sees_and_edits_the_rules(client, world):
    w = world
    client.force_login(w.city_admin)
    html = page(client.get(RULES))
    assert "尚未设置规则，使用默认值" in html and 'data-rule="recovery_periods"' in html
    response = client.post(reverse("lights:rules_edit"), rules_data())
    assert response.status_code == 302
    setting = RuleSetting.objects.get()
    assert setting.unit == w.city
    assert RuleSet.from_dict(setting.rules) == RuleSet.from_dict(rules_data())
    assert setting.rules["yellow_behind_points"] == 5 and setting.rules["missing_report_light"] == "yellow"
    assert AuditEvent.objects.filter(action="lights.rules_set").count() == 1
    html = page(client.get(RULES))
    assert "预警规则已保存" in html and "admin" in html


def test_the_rules_change_the_lights(client, world):
    w = world
    client.force_login(w.city_admin)
    client.post(
        reverse("lights:rules_edit"),
        rules_data(
            missing_report_light="yellow",
            no_progress_light="yellow",
            yellow_behind_points="30",
            red_behind_points="40",
        ),
    )
    lights_compute_year(unit=w.city, period=MARCH, at=LATE)
    assert ProjectLight.objects.get(project=w.project_b, month=3).light == "yellow"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"yellow_behind_points": "30", "red_behind_points": "10"}, "红灯阈值（10）不能低于黄灯阈值（30）"),
        ({"report_deadline_day": "40"}, "不能大于 28"),
        ({"recovery_periods": "0"}, "不能小于 1"),
        ({"no_progress_light": "blue"}, "请选择黄灯或红灯"),
        ({"yellow_behind_points": "十"}, "须为数字"),
        ({"start_missed_red_after_months": ""}, "请填写"),
    ],
)
def test_bad_rules_are_explained_and_write_nothing(client, world, overrides, message):
    client.force_login(world.city_admin)
    response = client.post(reverse("lights:rules_edit"), rules_data(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert (
        not RuleSetting.objects.exists() and not AuditEvent.objects.filter(action="lights.rules_set").exists()
    )


def upload(text: str, name="rules.yaml"):
    return {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")}


def test_city_admin_loads_the_documented_example_file(client, world):
    client.force_login(world.city_admin)
    response = client.post(reverse("lights:rules_upload"), upload(EXAMPLE.read_text(encoding="utf-8")))
    assert response.status_code == 302
    assert RuleSetting.objects.get().rules == rules_from_yaml(EXAMPLE.read_text(encoding="utf-8"))
    assert "已从 rules.yaml 导入预警规则" in page(client.get(RULES))


def test_downloaded_rules_load_back_unchanged(client, world):
    w = world
    rules_set(unit=w.city, rules={"recovery_periods": 4, "yellow_behind_points": "12.5"}, by=w.city_admin)
    client.force_login(w.city_admin)
    response = client.get(reverse("lights:rules_yaml"))
    assert response["Content-Disposition"] == 'attachment; filename="lights-rules.yaml"'
    text = response.content.decode()
    assert yaml.safe_load(text)["rules"]["recovery_periods"] == 4
    client.post(reverse("lights:rules_upload"), upload(text))
    assert RuleSet.from_dict(RuleSetting.objects.get().rules) == RuleSet.from_dict(
        {"recovery_periods": 4, "yellow_behind_points": "12.5"}
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("rules: [1, 2", "不是有效的 YAML（第"),
        ("- a\n- b\n", "须在 `rules:` 下列出"),
        ("rules:\n  recovery: 2\n", "无法识别的设置：recovery"),
        ("rules:\n  report_deadline_day: 31\n", "不能大于 28"),
        ("rules:\n  yellow_behind_points: 40\n", "红灯阈值（30）不能低于黄灯阈值（40）"),
        ("rules:\n  missing_report_light: purple\n", "请选择黄灯或红灯"),
    ],
)
def test_bad_rules_files_are_explained_and_write_nothing(client, world, text, message):
    client.force_login(world.city_admin)
    response = client.post(reverse("lights:rules_upload"), upload(text))
    assert response.status_code == 200
    assert message in page(response)
    assert not RuleSetting.objects.exists()


def test_a_file_that_is_not_text_of_a_known_encoding(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("lights:rules_upload"), {"file": SimpleUploadedFile("r.yaml", b"rules:\n\x80\x80\xff\xfa")}
    )
    assert "文件编码无法识别" in page(response) and "UTF-8" in page(response)
    response = client.post(reverse("lights:rules_upload"), {})
    assert "请选择要上传的规则文件" in page(response)
    assert not RuleSetting.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "reporter", "dept_reporter", "viewer", "leader", "outsider"])
def test_only_city_admins_set_rules(client, world, persona):
    client.force_login(world.personas[persona])
    assert client.get(RULES).status_code == 403
    assert client.get(reverse("lights:rules_yaml")).status_code == 403
    assert client.post(reverse("lights:rules_edit"), rules_data()).status_code == 403
    assert client.post(reverse("lights:rules_upload"), upload("rules: {}")).status_code == 403
    assert not RuleSetting.objects.exists()
    assert 'href="/lights/rules/"' not in page(client.get(BOARD))


def test_rules_anonymous_goes_to_login(client, world):
    for response in (
        client.get(RULES),
        client.get(reverse("lights:rules_yaml")),
        client.post(reverse("lights:rules_edit"), rules_data()),
        client.post(reverse("lights:rules_upload"), upload("rules: {}")),
    ):
        assert_login_redirect(response)
    assert not RuleSetting.objects.exists()


# ------------------------------------------------------------------------------- a project's light history


def test_project_partial_shows_history_reasons_and_projection(lit, django_assert_num_queries):
    w = lit
    project = w.project_a
    with django_assert_num_queries(2):  # the lights, the plans (one when the page prefetched them)
        context = project_lights_context(project)
    assert [row["period"] for row in context["project_lights"]] == ["2022-03", "2022-02", "2022-01"]
    latest = context["project_light_latest"]
    # 120 in three months on a straight line → 480 for the year, below the plan of 1000.
    assert (latest["light"], latest["projected_year_end"], latest["projected_below_plan"]) == (
        "yellow",
        480,
        True,
    )
    assert context["project_light_plan"] == 1000
    with translation.override("zh-hans"):
        html = render_to_string("lights/_project_lights.html", context)
    assert "预计全年完成投资 480.00 万元（按时间进度直线推算）" in html
    assert "年度计划 1000.00 万元" in html and "预计完不成年度计划" in html
    assert "完成率滞后时序进度 13.00 个百分点" in html


def test_the_worked_example_of_docs_lights_md():
    from decimal import Decimal

    from guatu.lib.projection import project_year_end

    # 2020: 30% of the year done by March; 2021: 40%.
    history = {
        2020: [Decimal(100)] * 3 + [Decimal(700) / 9] * 9,
        2021: [Decimal(100), Decimal(150), Decimal(150)] + [Decimal(600) / 9] * 9,
    }
    projection = project_year_end(ytd=Decimal(300), month=3, annual_plan=Decimal(1500), history=history)
    assert (projection.basis, projection.year_end, projection.below_plan) == (
        "history",
        Decimal("857.14"),
        True,
    )
    assert "857.14" in (Path(__file__).resolve().parents[3] / "docs" / "lights.md").read_text(
        encoding="utf-8"
    )


def test_project_partial_without_lights(world):
    context = project_lights_context(world.project_a)
    assert context == {"project_lights": [], "project_light_latest": None, "project_light_plan": None}
    with translation.override("zh-hans"):
        assert "该项目尚未计算预警灯" in render_to_string("lights/_project_lights.html", context)


def test_a_projection_from_less_history_says_so_on_the_project_and_the_board(client, world):
    w = world
    for month in range(6, 13):  # project A started in June 2021
        make_report(w.project_a, f"2021-{month:02d}", "100", reporter=w.reporter, reviewer=w.reviewer)
    make_report(w.project_a, "2022-01", "10", reporter=w.reporter, reviewer=w.reviewer)
    lights_compute_year(unit=w.city, period=Period(2022, 1), at=LATE)
    context = project_lights_context(w.project_a)
    with translation.override("zh-hans"):
        html = render_to_string("lights/_project_lights.html", context)
    assert "历史数据不足" in html and "2021" in html
    client.force_login(w.reviewer)
    board = page(client.get(BOARD, {"period": "2022-01"}))
    assert 'data-field="short_history"' in board and "按较少历史数据推算" in board


def test_rules_history_reads_as_chinese_labels_and_values_never_raw_keys(client, world):
    """Each change of the rules is a row of the shared history: who, the action's name, and each setting by its
    label with its value before and after (a light by its colour's name), never the key in the file."""
    w = world
    rules_set(unit=w.city, rules={"recovery_periods": 2, "missing_report_light": "yellow"}, by=w.city_admin)
    client.force_login(w.city_admin)
    client.post(reverse("lights:rules_edit"), rules_data(recovery_periods="4", missing_report_light="red"))
    html = page(client.get(RULES))
    history = html[html.index('id="rules-history"') :]
    assert "修改预警规则" in history
    assert "红黄灯项目转绿灯前须连续达到进度的月数" in history
    assert "<del>2</del> → 4" in history
    assert "逾期未报月报亮灯：<del>黄灯</del> → 红灯" in history
    for key in ("recovery_periods", "missing_report_light", "yellow_behind_points"):
        assert key not in history
    # newest first
    assert history.index("<del>2</del> → 4") < history.rindex("红黄灯项目转绿灯前")


def test_a_start_missed_by_less_than_a_month_does_not_read_as_zero_months():
    with translation.override("zh-hans"):
        fresh = describe_reason({"rule": "start_missed", "planned_start": "2022-03-30", "months_late": "0"})
        late = describe_reason({"rule": "start_missed", "planned_start": "2022-01-10", "months_late": "2"})
    assert fresh == "计划开工日期 2022-03-30 未开工（逾期不足 1 个月）"
    assert late == "计划开工日期 2022-01-10 未开工（已逾 2 个月）"
