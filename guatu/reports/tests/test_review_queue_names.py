"""The review queue names who sent each report, also for reports that came in by an import (no submit event)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.testing import make_report

pytestmark = pytest.mark.django_db


def test_an_imported_report_in_the_queue_names_who_filled_it_in(client, world):
    w = world
    sent = make_report(w.project_a, "2022-03", "40", reporter=w.reporter, status=ReportStatus.SUBMITTED)
    imported = make_report(w.project_a, "2022-02", "25", reporter=w.reporter, status=ReportStatus.DRAFT)
    MonthlyReport.objects.filter(pk=imported.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=datetime(2022, 4, 5, 2, tzinfo=UTC)
    )
    client.force_login(w.reviewer)
    html = client.get(reverse("reports:review_queue")).content.decode()
    rows = {pk: html[html.index(f'href="/reports/{pk}/"') :][:1500] for pk in (sent.pk, imported.pk)}
    for row in rows.values():
        assert w.reporter.display_name in row.split("</tr>")[0]
        assert "· —" not in row.split("</tr>")[0]
