from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from guatu.jobs.models import Job, JobStatus
from guatu.jobs.services import MAX_PARAMS_BYTES, MAX_UNFINISHED_PER_USER, job_run, job_start, jobs_clean
from guatu.jobs.testing import run_queued_jobs
from guatu.jobs.tests import kinds
from guatu.testing import make_other_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    def _start(kind="test-steps", params=None, *, unit, by):
        with django_capture_on_commit_callbacks(execute=True):
            return job_start(
                kind=kind, params=params if params is not None else {"period": "2022-03"}, unit=unit, by=by
            )

    return _start


def test_start_writes_the_job_and_queues_its_task_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = job_start(kind="test-steps", params={"period": "2022-03"}, unit=world.city, by=world.city_admin)
        assert not DBTaskResult.objects.exists()  # nothing queued before the job's row is committed
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.progress, job.requested_by, job.unit) == (
        "queued",
        0,
        world.city_admin,
        world.city,
    )
    task = DBTaskResult.objects.get()
    assert task.task_path == "guatu.jobs.services.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert job.task_id == str(task.id)


def test_run_to_done_records_progress_as_it_goes_and_keeps_the_file(world, start):
    job = start(unit=world.city, by=world.city_admin)
    run_queued_jobs()
    job.refresh_from_db()
    # Each step was in the database while the job ran, where the progress page reads it.
    assert kinds.SEEN == [(25, "第一步：读取数据"), (50, "第二步：汇总"), (75, "第三步：排版")]
    assert (job.status, job.progress, job.step, job.error) == ("done", 100, "完成", "")
    assert job.filename == "冷水江市测试文件.txt"
    assert job.content_type == "text/plain" and job.size == len("冷水江市：2022-03".encode())
    path = Path(job.file.path)
    assert path.is_relative_to(Path(settings.DATA_DIR) / "jobs") and path.suffix == ".txt"
    assert path.read_text() == "冷水江市：2022-03"
    assert job.started_at is not None and job.finished_at >= job.started_at >= job.created_at
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_exception_fails_the_job_with_a_chinese_message_and_logs_the_traceback(world, start, caplog):
    job = start("test-broken", unit=world.city, by=world.city_admin)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.error == f"因内部错误未能生成文件（任务编号 {job.pk}），已记录日志，请联系系统管理员。"
    assert "a bug in the builder" in caplog.text and "Traceback" in caplog.text
    assert not job.file


def test_a_refusal_by_the_builder_is_shown_as_it_says(world, start):
    job = start("test-refused", unit=world.city, by=world.city_admin)
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "所选月份没有已审核的月报，无法生成通报。")


def test_a_job_is_run_once(world, start):
    job = start(unit=world.city, by=world.city_admin)
    run_queued_jobs()
    finished_at = Job.objects.get(pk=job.pk).finished_at
    assert job_run(job.pk) == "done"  # the same task given again changes nothing
    assert Job.objects.get(pk=job.pk).finished_at == finished_at


def test_unknown_kind_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        job_start(kind="no-such-kind", params={}, unit=world.city, by=world.city_admin)
    assert refused.value.messages == ["未知的文件类型：no-such-kind。"]
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"filters": "x" * MAX_PARAMS_BYTES},
            f"任务参数过长：{MAX_PARAMS_BYTES + 15} 字节，最多 {MAX_PARAMS_BYTES} 字节。",
        ),
        ({"when": object()}, "任务参数只能是普通的值（文字、数字、是否、列表）。"),
        ({"rate": float("nan")}, "任务参数只能是普通的值（文字、数字、是否、列表）。"),
        (["2022-03"], "任务参数必须是一组有名称的值。"),
    ],
)
def test_bad_params_are_refused(world, params, message):
    with pytest.raises(ValidationError) as refused:
        job_start(kind="test-steps", params=params, unit=world.city, by=world.city_admin)
    assert refused.value.messages == [message]
    assert not Job.objects.exists()


def test_a_unit_the_requester_does_not_see_is_refused(world):
    other = make_other_county()
    for unit, by in (
        (world.town_a, world.outsider),
        (other.county, world.city_admin),
        (world.city, other.admin),
    ):
        with pytest.raises(PermissionDenied):
            job_start(kind="test-steps", params={}, unit=unit, by=by)
    assert not Job.objects.exists()


def test_unit_wide_figures_need_a_requester_who_sees_the_whole_unit(world):
    with pytest.raises(PermissionDenied):  # a leader sees the projects they lead, not the whole city
        job_start(kind="test-whole-unit", params={}, unit=world.city, by=world.leader_user)
    assert job_start(kind="test-whole-unit", params={}, unit=world.city, by=world.city_admin).pk


def test_a_user_has_a_bounded_number_of_files_in_the_making(world):
    for _ in range(MAX_UNFINISHED_PER_USER):
        job_start(kind="test-steps", params={}, unit=world.town_a, by=world.reporter)
    with pytest.raises(ValidationError) as refused:
        job_start(kind="test-steps", params={}, unit=world.town_a, by=world.reporter)
    assert refused.value.messages == [
        f"您已有 {MAX_UNFINISHED_PER_USER} 个文件正在生成，请等其中一个完成后再申请。"
    ]
    assert job_start(
        kind="test-steps", params={}, unit=world.city, by=world.city_admin
    ).pk  # others are not held


def test_clean_removes_old_files_and_fails_jobs_whose_worker_died(world, start):
    done = start(unit=world.city, by=world.city_admin)
    run_queued_jobs()
    done.refresh_from_db()
    path = Path(done.file.path)
    lost = start(unit=world.city, by=world.city_admin)
    Job.objects.filter(pk=lost.pk).update(status=JobStatus.RUNNING)
    assert jobs_clean(older_than=timedelta(days=7)) == 0  # nothing old yet
    assert path.exists() and Job.objects.get(pk=lost.pk).status == "running"

    Job.objects.filter(pk=done.pk).update(
        created_at=done.created_at - timedelta(days=8), finished_at=done.finished_at - timedelta(days=8)
    )
    Job.objects.filter(pk=lost.pk).update(created_at=lost.created_at - timedelta(hours=7))
    assert jobs_clean(older_than=timedelta(days=7)) == 1
    assert not path.exists() and not Job.objects.filter(pk=done.pk).exists()
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error == "任务已中断（后台处理程序已停止），请重新申请生成文件。"
