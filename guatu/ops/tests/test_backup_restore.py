"""`guatu backup` and `guatu restore` end to end, run as an operator runs them (subprocesses with DATABASE_URL)
against committed data, on whichever database the suite runs on."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guatu.audit.models import AuditEvent
from guatu.ops.checksums import table_sums
from guatu.ops.tests.conftest import run_guatu, stand_in_backup
from guatu.orgs.models import OrgUnitKind
from guatu.testing import make_unit, make_world

WRITER = """
import os, sys, time
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guatu.settings")
django.setup()
from pathlib import Path
from django.db import transaction
from guatu.orgs.models import OrgUnit
from guatu.orgs.services import leader_create, orgunit_create

parent = OrgUnit.objects.get(pk=int(sys.argv[1]))
committed, stop = Path(sys.argv[2]), Path(sys.argv[3])
pairs = 0
while not stop.exists():
    with transaction.atomic():  # a unit and its leader: in a consistent copy, both or neither
        unit = orgunit_create(name=f"写入单位{pairs + 1}", kind="department", parent=parent)
        leader_create(name=f"写入{pairs + 1}", post="主任", org_unit=unit)
    pairs += 1
    committed.with_suffix(".new").write_text(str(pairs))
    os.replace(committed.with_suffix(".new"), committed)
    time.sleep(0.01)
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


def _rewrite(path: Path, change) -> None:
    """Write the archive again with `change(name, data) -> data` applied to each member."""
    with tarfile.open(path) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar.getmembers()]
    mode = "w:gz" if path.read_bytes()[:2] == b"\x1f\x8b" else "w"
    path.unlink()
    with tarfile.open(path, mode) as tar:
        for member, data in members:
            data = change(member.name, data)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def _restore_events(database) -> list[dict]:
    rows = database.query("SELECT after FROM audit_auditevent WHERE action = 'backup.restore_test'")
    return [json.loads(after) if isinstance(after, str) else after for (after,) in rows]


def test_a_backup_restores_into_an_empty_database_with_every_checksum_equal(
    test_database, new_database, workdir
):
    target = new_database(migrated=True)  # the tables and what migrate writes, no data: empty enough
    make_world()
    backup = workdir / "guatu.tar.gz"

    made = run_guatu("backup", "--output", str(backup), database=test_database())
    assert made.returncode == 0, made.stderr
    manifest = _manifest(backup)
    now = table_sums()
    # Every table as the backup found it, but the audit log's: the backup's own event came after.
    unchanged = [table for table in now if not table.startswith("audit_")]
    assert {table: manifest["tables"][table]["sha256"] for table in unchanged} == {
        table: now[table].sha256 for table in unchanged
    }
    assert manifest["tables"]["projects_project"]["rows"] == 2
    assert "projects_project_tags" in manifest["tables"]  # auto-created many-to-many tables too

    restored = run_guatu("restore", str(backup), database=target)
    assert restored.returncode == 0, restored.stderr
    checked = [line for line in restored.stdout.splitlines() if line.endswith("  一致")]
    assert "不一致" not in restored.stdout and len(checked) == len(manifest["tables"])
    assert target.query("SELECT name FROM projects_project ORDER BY id") == [
        ("禾青镇锑品深加工项目",),
        ("渣渡镇农贸市场改造项目",),
    ]
    assert _restore_events(target) == [
        {
            "file": "guatu.tar.gz",
            "sha256": _sha256(backup),
            "tables": len(manifest["tables"]),
            "rows": manifest["totals"]["rows"],
            "result": "ok",
        }
    ]


def test_a_backup_taken_during_writes_restores_to_a_consistent_state(test_database, new_database, workdir):
    county = make_unit("冷水江市", OrgUnitKind.COUNTY)
    source, target = test_database(), new_database()
    committed, stop, backup = workdir / "committed", workdir / "stop", workdir / "guatu.tar.gz"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(county.pk), str(committed), str(stop)],
        env={**os.environ, "DATABASE_URL": source.url},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not committed.exists() or not committed.read_text():  # the first pair is in
            if writer.poll() is not None:
                pytest.fail(writer.stderr.read())
            time.sleep(0.05)
        before = int(committed.read_text())
        made = run_guatu("backup", "--output", str(backup), database=source)
        after = int(committed.read_text())
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert made.returncode == 0, made.stderr
    assert writer.returncode == 0, writer.stderr.read()
    assert after > before  # the writer committed pairs while the backup ran

    restored = run_guatu("restore", str(backup), database=target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    [(units,)] = target.query("SELECT count(*) FROM orgs_orgunit WHERE name LIKE '写入单位%'")
    [(leaders,)] = target.query("SELECT count(*) FROM orgs_leader WHERE name LIKE '写入%'")
    [(paired,)] = target.query(
        "SELECT count(*) FROM orgs_orgunit u JOIN orgs_leader l ON l.org_unit_id = u.id AND l.name = "
        "'写入' || substr(u.name, 5) WHERE u.name LIKE '写入单位%'"
    )
    [(audited,)] = target.query(
        "SELECT count(*) FROM audit_auditevent WHERE action IN ('orgunit.create', 'leader.create') "
        "AND object_id IN (SELECT id FROM orgs_orgunit WHERE name LIKE '写入单位%' "
        "UNION SELECT id FROM orgs_leader WHERE name LIKE '写入%')"
    )
    assert before <= units <= after
    assert units == leaders == paired and audited >= 2 * units
    assert _restore_events(target)[0]["result"] == "ok"


def test_a_database_holding_data_is_refused_and_left_as_it_was(db, workdir):
    make_unit("冷水江市", OrgUnitKind.COUNTY)
    before = table_sums()

    with pytest.raises(CommandError, match="不是空的.*orgs_orgunit.*未写入任何数据"):
        call_command("restore", stand_in_backup(workdir), stdout=io.StringIO())
    assert table_sums() == before
    assert not AuditEvent.objects.filter(action="backup.restore_test").exists()


@pytest.fixture
def backup(test_database, workdir) -> Path:
    """A backup of a county, made by `guatu backup`."""
    make_unit("冷水江市", OrgUnitKind.COUNTY)
    path = workdir / "guatu.tar.gz"
    made = run_guatu("backup", "--output", str(path), database=test_database())
    assert made.returncode == 0, made.stderr
    return path


def test_a_damaged_backup_is_refused_before_anything_is_written(backup, new_database):
    database_member = next(name for name in _manifest(backup)["members"])
    _rewrite(
        backup, lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name == database_member else data
    )
    target = new_database()

    refused = run_guatu("restore", str(backup), database=target)
    assert refused.returncode == 1
    assert (
        f"已损坏：{database_member} 的 SHA-256 与清单不符" in refused.stderr
        and "Traceback" not in refused.stderr
    )
    assert target.tables() == []


def test_a_restore_that_does_not_match_the_manifest_fails_naming_the_table(backup, new_database):
    def wrong_checksum(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["orgs_orgunit"]["sha256"] = "0" * 64
        return json.dumps(manifest).encode()

    _rewrite(backup, wrong_checksum)
    target = new_database()
    failed = run_guatu("restore", str(backup), database=target)
    assert failed.returncode == 1
    assert "有 1 个表与备份不一致：orgs_orgunit" in failed.stderr and "Traceback" not in failed.stderr
    assert [line.split() for line in failed.stdout.splitlines() if "不一致" in line] == [
        ["orgs_orgunit", "1", "1", "不一致"]
    ]
    assert _restore_events(target)[0]["result"] == "mismatch"


def test_what_is_not_a_usable_backup_gets_a_message(workdir):
    text = workdir / "notes.txt"
    text.write_text("这不是备份")
    cases = {
        str(workdir / "missing.tar.gz"): "文件不存在",
        str(text): "不是挂图备份文件：它不是 tar 归档",
    }
    with translation.override("zh-hans"):
        for path, message in cases.items():
            with pytest.raises(CommandError, match=message):
                call_command("restore", path, stdout=io.StringIO())
