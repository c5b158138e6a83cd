from urllib.parse import quote

import pytest
from django.urls import reverse

from guatu.accounts.models import Role
from guatu.jobs.models import Job, JobStatus
from guatu.jobs.services import job_start
from guatu.jobs.testing import run_queued_jobs
from guatu.jobs.tests import kinds  # noqa: F401  (registers the test kinds)
from guatu.testing import make_other_county, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_job(world, django_capture_on_commit_callbacks):
    """A finished file asked for by the township reporter about their township."""
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test-steps", params={"period": "2022-03"}, unit=world.town_a, by=world.reporter)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


def test_progress_partial_of_a_running_job_polls_itself(client, world):
    job = job_start(kind="test-steps", params={}, unit=world.town_a, by=world.reporter)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=40, step="第二步：汇总")
    client.force_login(world.reporter)
    response = client.get(reverse("jobs:status", args=[job.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert '<progress max="100" value="40"' in html and "40%" in html and "第二步：汇总" in html
    assert f'hx-get="{reverse("jobs:status", args=[job.pk])}" hx-trigger="every 1s"' in html
    assert "<strong>测试文件</strong> · 禾青镇 · " in html and "生成中" in html
    assert reverse("jobs:download", args=[job.pk]) not in html


def test_progress_partial_of_a_finished_job_stops_polling_and_offers_the_file(client, world, done_job):
    client.force_login(world.reporter)
    html = client.get(reverse("jobs:status", args=[done_job.pk])).content.decode()
    assert "hx-trigger" not in html and 'value="100"' in html and "已完成" in html
    assert (
        f'href="{reverse("jobs:download", args=[done_job.pk])}"' in html and "下载 禾青镇测试文件.txt" in html
    )


def test_a_failed_job_shows_its_message(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test-refused", params={}, unit=world.town_a, by=world.reporter)
    run_queued_jobs()
    client.force_login(world.reporter)
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "所选月份没有已审核的月报，无法生成通报。" in html and "失败" in html and "hx-trigger" not in html
    assert reverse("jobs:download", args=[job.pk]) not in html
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_detail_page_includes_the_progress(client, world, done_job):
    client.force_login(world.reporter)
    html = client.get(reverse("jobs:detail", args=[done_job.pk])).content.decode()
    assert "<h1>测试文件</h1>" in html and f'id="job-{done_job.pk}"' in html and "我的文件" in html


def test_the_requester_downloads_the_file_with_its_chinese_name(client, world, done_job):
    client.force_login(world.reporter)
    response = client.get(reverse("jobs:download", args=[done_job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "禾青镇：2022-03"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('禾青镇测试文件.txt')}"


def test_nobody_else_sees_or_downloads_the_file(client, world, done_job):
    other = make_other_county()
    same_unit_colleague = make_user("town_a_2", world.town_a, Role.REPORTER)
    # The city's administrator sees the township, yet the file is the reporter's.
    for user in (same_unit_colleague, world.city_admin, world.outsider, other.admin, other.reporter):
        client.force_login(user)
        for name in ("jobs:detail", "jobs:status", "jobs:download"):
            assert client.get(reverse(name, args=[done_job.pk])).status_code == 404, (user, name)
        assert f'data-job="{done_job.pk}"' not in client.get(reverse("jobs:list")).content.decode()


def test_anonymous_is_sent_to_login(client, done_job):
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        response = client.get(reverse(name, args=[done_job.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("jobs:list")).status_code == 302


def test_a_requester_who_no_longer_sees_the_unit_cannot_download(client, world, done_job):
    world.reporter.org_unit = world.town_b  # moved to another township
    world.reporter.save(update_fields=["org_unit"])
    client.force_login(world.reporter)
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        assert client.get(reverse(name, args=[done_job.pk])).status_code == 404, name
    world.reporter.is_active = False
    world.reporter.org_unit = world.town_a
    world.reporter.save(update_fields=["org_unit", "is_active"])
    assert client.get(reverse("jobs:download", args=[done_job.pk])).status_code in (302, 404)


def test_a_file_removed_by_the_cleaner_is_404_not_500(client, world, done_job):
    done_job.file.delete(save=False)
    client.force_login(world.reporter)
    assert client.get(reverse("jobs:download", args=[done_job.pk])).status_code == 404


def test_my_files_lists_the_users_own_jobs_in_a_fixed_number_of_queries(
    client, world, done_job, django_assert_max_num_queries
):
    job_start(kind="test-steps", params={}, unit=world.city, by=world.city_admin)  # not the reporter's
    client.force_login(world.reporter)

    def page():
        with django_assert_max_num_queries(6):
            return client.get(reverse("jobs:list")).content.decode()

    html = page()
    assert html.count("data-job=") == 1 and "禾青镇测试文件.txt" in html and "我的文件" in html
    for _ in range(4):
        job_start(kind="test-steps", params={}, unit=world.town_a, by=world.reporter)
    html = page()
    assert html.count("data-job=") == 5 and html.count("排队中") == 4


def test_the_menu_links_my_files(client, world):
    client.force_login(world.reporter)
    html = client.get(reverse("jobs:list")).content.decode()
    assert f'href="{reverse("jobs:list")}" id="nav-jobs"' in html and "您还没有申请生成文件" in html
