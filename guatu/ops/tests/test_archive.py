"""What `guatu restore` refuses before it looks at the database: files that are not backups, backups of another
format or another version of the code, and `guatu backup` never writing over a file."""

import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guatu.ops.snapshots import code_migrations
from guatu.ops.tests.conftest import stand_in_backup


def _refused(path: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", path, stdout=io.StringIO())
    return str(refused.value)


def test_a_tar_without_a_manifest_is_not_astand_in_backup(workdir):
    path = workdir / "other.tar"
    with tarfile.open(path, "w") as tar:
        tar.addfile(tarfile.TarInfo("readme.txt"), io.BytesIO(b""))
    assert _refused(str(path)) == "other.tar 不是挂图备份文件：其中没有清单（manifest.json）。"


def test_a_backup_in_another_format_version_is_refused(workdir):
    assert (
        _refused(stand_in_backup(workdir, format_version=2))
        == "guatu.tar.gz 的备份格式版本为 2，本版本挂图只能读取格式版本 1。"
    )


def test_a_backup_of_another_kind_of_database_is_refused(workdir):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    assert "数据库的备份，而配置的数据库是" in _refused(stand_in_backup(workdir, vendor=other))


def test_a_backup_from_a_newer_version_of_the_code_is_refused(workdir):
    migrations = {**code_migrations(), "orgs": "0099_from_the_future"}
    message = _refused(stand_in_backup(workdir, migrations=migrations))
    assert message.startswith("备份由更新或不同版本的挂图生成：本版本没有迁移 orgs.0099_from_the_future。")


def test_a_backup_from_an_older_version_of_the_code_is_refused(workdir):
    migrations = {**code_migrations(), "orgs": "0001_initial"}
    message = _refused(stand_in_backup(workdir, migrations=migrations))
    assert "备份由较旧版本的挂图生成" in message and "orgs 0001_initial → " in message


def test_a_backup_never_writes_over_a_file(workdir):
    existing = workdir / "guatu.tar.gz"
    existing.write_bytes(b"yesterday")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", output=str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"yesterday"


@pytest.mark.django_db
def test_a_backup_cut_short_is_damaged(workdir):
    path = Path(stand_in_backup(workdir))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert _refused(str(path)) == "guatu.tar.gz 已损坏：归档无法完整读出。未恢复任何数据。"
