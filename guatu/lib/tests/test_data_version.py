"""guatu.lib.data_version: every write to the data, however it is made, gives a new version; a write that is
rolled back, or one to a table that shows nothing, does not."""


import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

from guatu.lib import data_version
from guatu.projects.models import Project
from guatu.testing import make_report

pytestmark = pytest.mark.django_db


def _version():
    return data_version.current()


def test_every_table_but_the_unwatched_has_its_trigger(db):
    assert data_version.watched_tables(connection)
    assert data_version.triggers_missing(connection) == []


def test_a_table_without_its_trigger_is_found(db):
    table = "projects_project"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER "{data_version.TRIGGER_PREFIX}{table}" ON "{table}"')
        else:
            cursor.execute(f'DROP TRIGGER "{data_version.TRIGGER_PREFIX}{table}_update"')
    assert data_version.triggers_missing(connection) == [table]
    data_version.install(connection)
    assert data_version.triggers_missing(connection) == []


def test_a_service_write_changes_the_version(world):
    before = _version()
    make_report(world.project_a, "2022-01", "100", reporter=world.dept_reporter, reviewer=world.reviewer)
    assert _version() != before


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda p: Project.objects.filter(pk=p.pk).update(name="新名称"), id="queryset-update"),
        pytest.param(lambda p: Project.objects.bulk_update([_renamed(p)], ["name"]), id="bulk-update"),
        pytest.param(lambda p: p.tags.clear(), id="m2m"),
        pytest.param(
            lambda p: _raw(f"UPDATE projects_project SET name = 'x' WHERE id = {int(p.pk)}"), id="raw-sql"
        ),
        pytest.param(
            lambda p: _raw("UPDATE projects_project SET name = name WHERE id = -1"), id="no-row-touched"
        ),
    ],
)
def test_every_kind_of_write_changes_the_version(world, write):
    """Bulk and raw writes skip Django's signals; the triggers see them all. On PostgreSQL the trigger fires per
    statement, so even a statement that touches no row counts (harmless: one needless recomputation)."""
    before = _version()
    changed = write(world.project_a)
    if connection.vendor == "sqlite" and changed == 0:
        assert _version() == before  # SQLite's triggers are per row: nothing touched, nothing changed
        return
    assert _version() != before


def test_a_write_rolled_back_leaves_the_version_as_it_was(world):
    before = _version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Project.objects.filter(pk=world.project_a.pk).update(name="新名称")
        assert _version() != before
        raise RuntimeError
    assert _version() == before


def test_session_writes_leave_the_version_alone(db):
    before = _version()
    session = SessionStore()
    session["x"] = 1
    session.save()
    assert _version() == before


def test_two_writes_never_give_the_same_version(world):
    seen = {_version()}
    for amount in range(5):
        Project.objects.filter(pk=world.project_a.pk).update(name=f"名称{amount}")
        seen.add(_version())
    assert len(seen) == 6


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_postgresql_counts_a_transaction_once_and_folds_without_changing_the_version():
    """A committed transaction adds one change however many statements it ran; every FOLD_EVERY-th change
    moves the older ones into the totals, the version still the count the transactions make, and the table a
    reader counts stays short."""
    noop = "UPDATE django_content_type SET app_label = app_label WHERE id = -1"  # the trigger fires per statement
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM guatu_data_change")
        (start,) = cursor.fetchone()
        before = _version()
        with transaction.atomic():
            for _ in range(10):
                cursor.execute(noop)
        assert _count(_version()) == _count(before) + 1
        for _ in range(data_version.FOLD_EVERY + 5):
            before = _version()
            cursor.execute(noop)  # autocommit: a transaction each
            after = _version()
            assert _count(after) == _count(before) + 1
            assert after != before
        cursor.execute("SELECT count(*) FROM guatu_data_change")
        (left,) = cursor.fetchone()
    assert left < start + data_version.FOLD_EVERY


def _count(version):
    return int(version.split(".")[0])


def _renamed(project):
    project.name = "新名称"
    return project


def _raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)  # nosec B608: fixed test statements
        return cursor.rowcount
