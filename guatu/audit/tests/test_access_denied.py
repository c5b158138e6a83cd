"""Every refusal a signed-in user meets is in the audit log: township A asking for township B's objects gets
the gateway's 404 and an `access.denied` row naming the path; a page the role may not open, a 403 and a row.
Anonymous requests go to the login page and are not rows (no user to name)."""

import pytest
from django.urls import reverse

from guatu.audit.models import AuditEvent
from guatu.audit.queries import business_events, history_of

pytestmark = pytest.mark.django_db


def _denials(user):
    return list(AuditEvent.objects.filter(action="access.denied", actor=user).order_by("pk"))


def test_another_townships_objects_are_404_and_each_refusal_is_a_row(client, world):
    reporter, project = world.reporter, world.project_b
    client.force_login(reporter)
    urls = [
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:edit", args=[project.pk]),
        f"/api/v1/projects/{project.pk}",
    ]
    for url in urls:
        assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 404, url
    denials = _denials(reporter)
    assert [event.after["path"] for event in denials] == urls
    assert {event.after["status"] for event in denials} == {404} and {event.ip for event in denials} == {
        "10.1.2.3"
    }


def test_a_page_the_role_may_not_open_is_403_and_a_row(client, world):
    client.force_login(world.reporter)
    assert client.post(reverse("projects:tag_add")).status_code == 403
    (denial,) = _denials(world.reporter)
    assert denial.after == {"method": "POST", "path": reverse("projects:tag_add"), "status": 403}


def test_anonymous_and_allowed_requests_leave_no_refusal_and_histories_stay_changes(client, world):
    client.get(reverse("projects:detail", args=[world.project_b.pk]))  # to the login page
    client.force_login(world.reporter)
    assert client.get(reverse("projects:detail", args=[world.project_a.pk])).status_code == 200
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    client.get(reverse("projects:detail", args=[world.project_b.pk]))
    assert not business_events().filter(action="access.denied").exists()
    assert not history_of(world.reporter).filter(action="access.denied").exists()


def test_every_file_taken_away_is_a_row_with_its_name_and_size(client, world):
    """The probe: exports and downloads were not audited. Any response sent as an attachment now is."""
    client.force_login(world.reviewer)
    response = client.get(reverse("projects:export"), {"q": "禾青"}, REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    (download,) = AuditEvent.objects.filter(action="file.download", actor=world.reviewer)
    assert download.after["path"] == reverse("projects:export") + "?q=%E7%A6%BE%E9%9D%92"
    assert "attachment" in download.after["file"] and ".xlsx" in download.after["file"]
    assert download.after["bytes"] == len(response.content) and download.ip == "10.1.2.4"
    client.get(reverse("projects:list"))  # a page is not a download
    assert AuditEvent.objects.filter(action="file.download").count() == 1
    assert not business_events().filter(action="file.download").exists()
