"""Acceptance (issue 9, line 4) in Chromium: the review office asks for the month's bulletin in the page, watches
its progress bar move while the background worker writes it, downloads the .docx; a user of another unit
cannot download it."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from playwright.sync_api import expect

from guatu.jobs.models import Job
from guatu.jobs.testing import run_queued_jobs
from guatu.testing import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR = ".job-progress progress"


def test_a_bulletin_is_written_in_the_background_and_only_its_requester_downloads_it(
    live_server, world, browser_as
):
    w = world
    make_report(w.project_a, "2022-03", "250", reporter=w.dept_reporter, reviewer=w.reviewer)
    page = browser_as(w.reviewer)
    page.goto(live_server.url + reverse("bulletins:new"))
    page.select_option("#id_unit", value=str(w.city.pk))
    page.fill("#id_period", "2022-03")
    page.select_option("#id_format", value="docx")
    page.locator("#bulletin-form button[type=submit]").click()

    # No worker yet: the job waits with an empty bar. The worker then writes it while the page's own polling
    # is held in the browser (SQLite's in-memory test database is one connection the live server shares, so
    # the worker and a poll must not use it at the same moment); released, the poll fills the bar by itself.
    page.wait_for_url(lambda url: "/jobs/" in url)
    expect(page.locator(".job-progress")).to_have_attribute("data-status", "queued")
    expect(page.locator(BAR)).to_have_attribute("value", "0")
    held, release = [], []

    def hold(route):
        (route.continue_() if release else held.append(route))

    page.route("**/jobs/*/status/**", hold)
    page.wait_for_timeout(1500)  # a poll is now waiting in the browser
    assert held, "the page did not poll"
    run_queued_jobs()
    release.append(True)
    for route in held:
        route.continue_()
    expect(page.locator(".job-download")).to_be_visible(timeout=15_000)
    expect(page.locator(".job-progress")).to_have_attribute("data-status", "done")
    expect(page.locator(BAR)).to_have_attribute("value", "100")

    with page.expect_download() as download_info:
        page.click(".job-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    paragraphs = [p.text for p in Document(io.BytesIO(Path(download.path()).read_bytes())).paragraphs]
    assert any("重点项目建设进展情况的通报" in text for text in paragraphs)

    job = Job.objects.get()
    assert job.requested_by == w.reviewer and job.kind == "bulletin"
    outsider = browser_as(w.outsider)  # a township reporter
    for name in ("jobs:download", "jobs:detail"):
        assert outsider.goto(live_server.url + reverse(name, args=[job.pk])).status == 404, name
