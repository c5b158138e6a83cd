"""`guatu import projects FILE.xlsx [--tag] [--period] [--unit] [--dry-run] [--format] --user`."""

import json

import pytest
from django.core.management import CommandError, call_command

from guatu.audit.models import AuditEvent
from guatu.imports.tests.sheets import SECTIONS, dispatch_workbook, to_bytes
from guatu.projects.models import Project
from guatu.testing import make_tag


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "调度表.xlsx"
    path.write_bytes(to_bytes(dispatch_workbook()))
    return str(path)


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import", "projects", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_dry_run_as_json_then_import_then_nothing_changes(world, table):
    make_tag("key2022", "2022年调度项目")
    before = Project.objects.count(), AuditEvent.objects.count()
    dry = json.loads(_run(table, "--user", "reviewer", "--tag", "key2022", "--dry-run", "--format", "json"))
    assert (dry["created"], dry["updated"], dry["unchanged"], dry["errors"], dry["period"]) == (3, 0, 0, [], "2022-03")
    assert (Project.objects.count(), AuditEvent.objects.count()) == before

    text = _run(table, "--user", "reviewer", "--tag", "key2022")
    assert "2022-03：新增 3 个，更新 0 个，无变化 0 个。" in text
    assert Project.objects.filter(tags__code="key2022").count() == 3

    again = json.loads(_run(table, "--user", "reviewer", "--tag", "key2022", "--format", "json"))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


@pytest.mark.django_db
def test_period_option_overrides_the_title(world, table):
    result = json.loads(_run(table, "--user", "admin", "--period", "2022-02", "--dry-run", "--format", "json"))
    assert result["period"] == "2022-02"


@pytest.mark.django_db
def test_row_errors_are_printed_and_the_command_fails(world, tmp_path):
    row = list(SECTIONS[0][1][0])
    row[13] = "赵无名"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(to_bytes(dispatch_workbook(sections=[("一、产业发展类", [tuple(row)])])))
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="未导入任何数据：共 1 个问题"):
        _run(str(path), "--user", "reviewer")
    assert AuditEvent.objects.count() == events and not Project.objects.filter(name=row[0]).exists()


@pytest.mark.django_db
def test_json_lists_the_row_errors(world, tmp_path, capsys):
    row = list(SECTIONS[0][1][0])
    row[6] = -1
    path = tmp_path / "bad.xlsx"
    path.write_bytes(to_bytes(dispatch_workbook(sections=[("一、产业发展类", [tuple(row)])])))
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "projects", str(path), "--user", "reviewer", "--format", "json", stdout=out)
    errors = json.loads(out.getvalue())["errors"]
    assert errors == [{"sheet": "重点项目", "row": 7, "column": "总投资", "message": "金额不能为负数（-1.00）。"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2022-3"], "--period 格式应为 2022-03"),
        (["--tag", "nope"], "没有代码为 nope 的项目级别"),
        (["--unit", "火星市"], "没有代码或名称为 火星市 的单位"),
    ],
)
def test_bad_options_are_refused(world, table, args, message):
    with pytest.raises(CommandError, match=message):
        _run(table, "--user", "reviewer", *args)


@pytest.mark.django_db
def test_the_actor_must_be_named_and_may_import(world, table):
    with pytest.raises(CommandError, match="--user"):
        _run(table)
    with pytest.raises(CommandError, match="只有审核员和市级管理员"):
        _run(table, "--user", "town_a")
    with pytest.raises(CommandError, match="文件不存在"):
        _run(table + ".missing", "--user", "reviewer")
    assert not Project.objects.filter(name="锑品深加工扩能项目").exists()
