"""`guatu assess score` on the documented example files: no database needed."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
SCHEME = EXAMPLES / "township-scheme-2022.yaml"
VALUES = EXAMPLES / "township-values-2022-03.csv"


def run(*args) -> str:
    out = io.StringIO()
    call_command("assess", "score", *args, stdout=out)
    return out.getvalue()


def test_csv_output_has_ranks_and_grades_per_group():
    rows = list(csv.DictReader(io.StringIO(run("--scheme", str(SCHEME), "--values", str(VALUES)))))
    assert len(rows) == 11
    by_unit = {r["unit"]: r for r in rows}
    # 中连乡 has no industrial park: its 90 points of weight are rescaled to the townships' full 100.
    zl = by_unit["中连乡"]
    assert zl["park_output"] == "" and Decimal(zl["rescaled"]) == (Decimal(zl["base"]) * 100 / 90).quantize(
        Decimal("0.01")
    )
    # Streets are not assessed on it at all: scored on the same 100, their 90 points of weight are rescaled too.
    streets = [r for r in rows if r["group"] == "街道"]
    assert streets and all(r["park_output"] == "" for r in streets)
    assert all(
        Decimal(r["rescaled"]) == (Decimal(r["base"]) * 100 / 90).quantize(Decimal("0.01")) for r in streets
    )
    # 渣渡镇 carries a veto: whatever its score, not 优秀.
    assert by_unit["渣渡镇"]["veto"] == "1" and by_unit["渣渡镇"]["grade"] != "优秀"
    for group in {r["group"] for r in rows}:
        ranks = [int(r["rank"]) for r in rows if r["group"] == group]
        assert ranks == sorted(ranks) and ranks[0] == 1
    for r in rows:
        total = Decimal(r["rescaled"]) + Decimal(r["bonus"]) - Decimal(r["penalty"])
        assert Decimal(r["total"]) == total


def test_json_output_explains_each_indicator():
    result = json.loads(run("--scheme", str(SCHEME), "--values", str(VALUES), "--format", "json"))
    unit = result["groups"][0]["units"][0]
    assert result["period"] == "2022-03"
    assert "×" in unit["indicators"]["project_investment"]["how"]
    units = {u["unit"]: u for g in result["groups"] for u in g["units"]}
    # Which indicators were left out of the score, and why: the score card says so.
    assert units["中连乡"]["rescaled_for"] == {"park_output": "not_applicable"}
    assert units["冷水江街道"]["rescaled_for"] == {"park_output": "not_for_group"}
    assert "本组不考核" in units["冷水江街道"]["indicators"]["park_output"]["how"]
    assert units["禾青镇"]["rescaled_for"] == {}


def test_bad_values_file_names_row_and_column(tmp_path):
    bad = tmp_path / "v.csv"
    bad.write_text(
        "unit,indicator,period,value\n禾青镇,tax_revenue,2022-03,abc\n无此镇,tax_revenue,2022-03,1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("--scheme", str(SCHEME), "--values", str(bad))
    message = str(caught.value)
    assert "第2行 value 列" in message and "第3行 unit 列" in message


def test_missing_data_is_listed(tmp_path):
    partial = tmp_path / "v.csv"
    partial.write_text("unit,indicator,period,value\n禾青镇,tax_revenue,2022-03,100\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少数据"):
        run("--scheme", str(SCHEME), "--values", str(partial))


QUOTA_SCHEME = EXAMPLES / "township-quota-scheme.yaml"
QUOTA_VALUES = EXAMPLES / "township-quota-values.csv"
GRADE_ORDER = ["优秀", "良好", "一般", "较差"]


def test_units_tied_at_a_quota_edge_leave_the_seat_to_no_one_ranked_below():
    """The documented example: one 优秀 seat, two units tied for it at rank 2 behind a vetoed leader."""
    rows = list(
        csv.DictReader(io.StringIO(run("--scheme", str(QUOTA_SCHEME), "--values", str(QUOTA_VALUES))))
    )
    by_unit = {r["unit"]: (int(r["rank"]), r["grade"]) for r in rows}
    assert by_unit == {
        "渣渡镇": (1, "良好"),  # vetoed: not 优秀
        "禾青镇": (2, "良好"),  # tied at 115 for the one seat: both refused
        "铎山镇": (2, "良好"),
        "三尖镇": (4, "良好"),  # 90 reaches 优秀, but it was refused to units above
        "金竹山镇": (5, "一般"),
    }
    clean = sorted((int(r["rank"]), GRADE_ORDER.index(r["grade"])) for r in rows if not r["veto"])
    assert [grade for _, grade in clean] == sorted(grade for _, grade in clean)


# Nested aliases: each line repeats the one above nine times (the 421-byte rules file that held a worker 35 s).
ALIAS_BOMB = "\n".join(
    ["scheme:", "  code: bomb", "  a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["  name: *i"]
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ALIAS_BOMB, "第 3 行：不允许使用锚点"),
        (SCHEME.read_text(encoding="utf-8").replace("name: 乡镇\n", "name: &n 乡镇\n", 1), "不允许使用锚点"),
        (SCHEME.read_text(encoding="utf-8") + "# " + "x" * 300_000 + "\n", "文件过大"),
    ],
)
def test_scheme_files_with_aliases_or_oversize_are_refused(tmp_path, text, message):
    path = tmp_path / "scheme.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("--scheme", str(path), "--values", str(VALUES))


def test_a_scheme_name_of_millions_of_characters_is_refused(tmp_path):
    path = tmp_path / "scheme.yaml"
    text = SCHEME.read_text(encoding="utf-8")
    path.write_text(text.replace("name: 2022年", "name: " + "长" * 80_000 + "2022年", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="考核办法名称 name：最多 200 个字符"):
        run("--scheme", str(path), "--values", str(VALUES))


# Every place YAML comes in from people goes through guatu.lib.safe_yaml; the refusal comes before any
# database access, so these need no database.
RULES_BOMB = "\n".join(
    ["rules:", "  a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_every_yaml_entry_point_refuses_aliases_naming_the_line():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.forms import ValidationError as FormError

    from guatu.assessment.forms import parse_scheme_yaml
    from guatu.assessment.services import scheme_import_yaml
    from guatu.lights.forms import RulesFileForm
    from guatu.lights.services import rules_from_yaml

    with pytest.raises(FormError, match="第 3 行：不允许使用锚点"):
        parse_scheme_yaml(ALIAS_BOMB)
    with pytest.raises(ValidationError, match="第 3 行：不允许使用锚点"):
        scheme_import_yaml(text=ALIAS_BOMB, jurisdiction=None, kind="township", by=None)
    with pytest.raises(ValidationError, match="第 2 行：不允许使用锚点"):
        rules_from_yaml(RULES_BOMB)
    form = RulesFileForm(files={"file": SimpleUploadedFile("r.yaml", RULES_BOMB.encode())})
    assert form.is_valid()
    with pytest.raises(FormError, match="第 2 行：不允许使用锚点"):
        form.rules()


def test_a_linear_indicator_is_scored_and_explained(tmp_path):
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(
        """scheme:
  code: linear-example
  name: 线性扣分示例
  year: 2022
  groups: [{code: township, name: 乡镇, units: [禾青镇, 渣渡镇]}]
  indicators:
    - {code: project_completion, name: 重点项目投资完成率, weight: 10, method: linear, target: 100,
       deduct: 0.5, add: 0.2, ceiling: 12, whole_steps: true}
  grades: [{name: 合格, min: 6}, {name: 不合格}]
""",
        encoding="utf-8",
    )
    values = tmp_path / "values.csv"
    values.write_text(
        "unit,indicator,period,value\n禾青镇,project_completion,2022-12,96.5\n渣渡镇,project_completion,2022-12,103\n",
        encoding="utf-8",
    )
    result = json.loads(run("--scheme", str(scheme), "--values", str(values), "--format", "json"))
    units = {u["unit"]: u for u in result["groups"][0]["units"]}
    assert units["禾青镇"]["indicators"]["project_completion"]["points"] == "8.00"  # 10 − 0.5 × 4
    assert units["渣渡镇"]["indicators"]["project_completion"]["points"] == "10.60"  # 10 + 0.2 × 3
    assert "不足 1 按 1 计" in units["禾青镇"]["indicators"]["project_completion"]["how"]


def test_a_utf16_values_file_is_read_and_an_unreadable_one_refused_with_a_message(tmp_path):
    """The probe: a UTF-16 values file gave a traceback. Now it is read like the UTF-8 one, and bytes of no
    known encoding are refused naming the file, with no traceback."""
    utf16 = tmp_path / "values-utf16.csv"
    utf16.write_bytes(VALUES.read_text(encoding="utf-8-sig").encode("utf-16"))
    assert run("--scheme", str(SCHEME), "--values", str(utf16)) == run("--scheme", str(SCHEME), "--values", str(VALUES))
    garbage = tmp_path / "values.csv"
    garbage.write_bytes(b"unit,indicator\n\x80\x80\xff\xfa\xfb")
    with pytest.raises(CommandError) as caught:
        run("--scheme", str(SCHEME), "--values", str(garbage))
    assert str(garbage) in str(caught.value) and "文件编码无法识别" in str(caught.value)
    scheme = tmp_path / "scheme.yaml"
    scheme.write_bytes(SCHEME.read_text(encoding="utf-8").encode("utf-16"))
    assert run("--scheme", str(scheme), "--values", str(VALUES)) == run("--scheme", str(SCHEME), "--values", str(VALUES))
