"""In a browser: a job's progress bar moves by itself while the worker runs the job beside the live server,
the requester downloads the file, and a user of another unit gets 404. This is the pattern for the bulletin's
acceptance test (issue 9, acceptance 4): `run_jobs_in_background()` is the worker that `make run` starts."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guatu.jobs.services import job_start
from guatu.jobs.testing import run_jobs_in_background
from guatu.jobs.tests import kinds  # noqa: F401  (registers the test kinds)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR = "document.querySelector('.job-progress progress')"


def test_the_bar_moves_until_the_file_is_ready_and_only_its_requester_downloads_it(
    live_server, world, browser_as
):
    # Queued before the worker starts, so the page opens on an empty bar; each step then takes a second.
    job = job_start(
        kind="test-steps", params={"period": "2022-03", "pause": 1.0}, unit=world.town_a, by=world.reporter
    )
    page = browser_as(world.reporter)
    page.goto(live_server.url + reverse("jobs:detail", args=[job.pk]))
    expect(page.locator(".job-progress")).to_have_attribute("data-status", "queued")
    expect(page.locator(".job-progress progress")).to_have_attribute("value", "0")

    with run_jobs_in_background():
        # htmx replaces the partial every second: the bar shows a step in between, then the finished file.
        # A function, not an expression: Playwright evals an expression in the page, which the CSP refuses.
        page.wait_for_function(f"() => {BAR} && {BAR}.value > 0 && {BAR}.value < 100", timeout=15_000)
        expect(page.locator(".job-step")).to_contain_text("步")
        expect(page.locator(".job-download")).to_be_visible(timeout=15_000)
    expect(page.locator(".job-progress")).to_have_attribute("data-status", "done")
    expect(page.locator(".job-progress progress")).to_have_attribute("value", "100")

    with page.expect_download() as download_info:
        page.click(".job-download")
    download = download_info.value
    assert download.suggested_filename == "禾青镇测试文件.txt"
    assert Path(download.path()).read_text() == "禾青镇：2022-03"

    outsider = browser_as(world.outsider)  # 渣渡镇's reporter
    for name in ("jobs:download", "jobs:detail"):
        response = outsider.goto(live_server.url + reverse(name, args=[job.pk]))
        assert response.status == 404, name
