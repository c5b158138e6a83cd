"""Job kinds for the tests only: registered when a test module imports this one, never in production."""

import time

from guatu.jobs.models import Job
from guatu.jobs.registry import JobError, JobOutput, job_kind

# What the progress page would have read while the job ran: (percent, step) from the database, after each call.
SEEN: list[tuple[int, str]] = []


@job_kind("test-steps", label="测试文件")
def build_in_steps(job, progress) -> JobOutput:
    SEEN.clear()
    pause = float(job.params.get("pause", 0))
    for percent, step in ((25, "第一步：读取数据"), (50, "第二步：汇总"), (75, "第三步：排版")):
        progress(percent, step)
        SEEN.append(tuple(Job.objects.filter(pk=job.pk).values_list("progress", "step").get()))
        time.sleep(pause)
    text = f"{job.unit.name}：{job.params.get('period', '')}"
    return JobOutput(
        filename=f"{job.unit.name}测试文件.txt", content=text.encode(), content_type="text/plain"
    )


@job_kind("test-broken", label="出错的文件")
def build_broken(job, progress) -> JobOutput:
    progress(10, "开始")
    raise RuntimeError("a bug in the builder")


@job_kind("test-refused", label="无法生成的文件")
def build_refused(job, progress) -> JobOutput:
    raise JobError("所选月份没有已审核的月报，无法生成通报。")


@job_kind("test-whole-unit", label="全单位文件", whole_unit=True)
def build_whole_unit(job, progress) -> JobOutput:
    return JobOutput(filename="全单位.txt", content=b"x", content_type="text/plain")
