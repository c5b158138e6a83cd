"""The canonical row form, and table checksums that do not depend on how a database stores a value."""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from guatu.ops.checksums import (
    MIGRATE_FILLS,
    canonical_row,
    checksum,
    columns_of,
    table_models,
    table_sums,
    tables_with_rows,
)
from guatu.orgs.models import OrgUnit, OrgUnitKind
from guatu.projects.models import AnnualPlan
from guatu.testing import make_unit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_one_value_has_one_form():
    assert canonical_row([Decimal("12.50")]) == canonical_row([Decimal("12.5")]) == b'["12.5"]\n'
    assert canonical_row([Decimal("100"), Decimal("1E+2"), Decimal("-0.00")]) == b'["100","100","0"]\n'
    moment = datetime(2022, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert (
        canonical_row([moment])
        == canonical_row([moment.astimezone(UTC)])
        == b'["2022-03-01T01:30:00+00:00"]\n'
    )
    assert canonical_row([{"b": 1, "a": [1.5, None]}]) == canonical_row([{"a": [1.5, None], "b": 1}])
    assert canonical_row(["冷水江", UUID(int=1), b"\x00\xff"]) == (
        '["冷水江","00000000-0000-0000-0000-000000000001","00ff"]\n'.encode()
    )


def test_values_that_print_alike_stay_apart():
    assert canonical_row([None]) != canonical_row(["None"])
    assert canonical_row([True]) != canonical_row([1]) != canonical_row(["1"])
    assert canonical_row(["a", "b"]) != canonical_row(["a,b"])


@pytest.mark.django_db
def test_a_checksum_read_back_from_the_database_is_that_of_the_values_written(world):
    """Whatever the database makes of them (SQLite keeps decimals and datetimes as text or floats, PostgreSQL
    as numeric and timestamptz), rows read back sum as the Python values that were written."""
    unit = OrgUnit.objects.create(
        name="检验单位",
        kind=OrgUnitKind.DEPARTMENT,
        path="checksum/",
        aliases={"z": [1.5, None], "a": "甲"},
        closed_at=datetime(2022, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI),
    )
    plan = AnnualPlan.objects.create(project=world.project_a, year=2031, amount=Decimal("1234.50"))
    for obj in (unit, plan):
        model, columns = type(obj), columns_of(type(obj))
        written = checksum(model.objects.filter(pk=obj.pk), columns)
        expected = hashlib.sha256(canonical_row([getattr(obj, name) for name in columns]))
        assert (written.rows, written.sha256) == (1, expected.hexdigest())


@pytest.mark.django_db
def test_every_table_of_the_database_is_summed():
    tables = {model._meta.db_table for model in table_models()}
    assert tables == set(connection.introspection.django_table_names(only_existing=True))
    assert "projects_project_tags" in tables  # auto-created many-to-many tables too


@pytest.mark.django_db
def test_a_changed_row_changes_its_table_only():
    unit = make_unit("冷水江市", OrgUnitKind.COUNTY)
    before = table_sums()
    OrgUnit.objects.filter(pk=unit.pk).update(short_name="冷水江")
    after = table_sums()
    assert [table for table in before if before[table] != after[table]] == ["orgs_orgunit"]


@pytest.mark.django_db
def test_what_migrate_writes_is_not_data():
    assert ContentType.objects.exists() and Permission.objects.exists()
    assert not set(tables_with_rows()) & MIGRATE_FILLS
    make_unit("冷水江市", OrgUnitKind.COUNTY)
    assert "orgs_orgunit" in tables_with_rows()
