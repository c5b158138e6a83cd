"""The bulletin page: who may ask for a bulletin, for which units; the job it starts; the job's builder."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from guatu.bulletins.jobs import build
from guatu.jobs.models import Job
from guatu.testing import make_other_county

URL = reverse("bulletins:new")


@pytest.mark.parametrize("persona", ["city_admin", "reviewer"])
def test_review_office_sees_the_form_with_its_units(client, world, persona):
    client.force_login(getattr(world, persona))
    other = make_other_county()
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "禾青镇" in page and "冷水江市" in page and other.county.name not in page
    assert 'id="nav-bulletins"' in page


@pytest.mark.parametrize("persona", ["reporter", "dept_reporter", "leader_user", "viewer"])
def test_others_may_not_ask_for_bulletins(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"unit": world.city.pk, "period": "2022-03", "format": "docx"}).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_post_starts_a_bulletin_job_and_opens_its_page(client, world):
    client.force_login(world.reviewer)
    response = client.post(
        URL, {"unit": world.town_a.pk, "period": "2022-02", "quarterly": "on", "format": "pdf"}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.unit, job.requested_by) == ("bulletin", world.town_a, world.reviewer)
    assert job.params == {"period": "2022-02", "quarterly": True, "format": "pdf"}


def test_another_countys_unit_is_404_and_starts_nothing(client, world):
    other = make_other_county()
    client.force_login(world.city_admin)
    response = client.post(URL, {"unit": other.county.pk, "period": "2022-03", "format": "docx"})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_bad_month_is_a_400_with_a_chinese_message(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        URL, {"unit": world.city.pk, "period": "2022-13", "format": "docx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "月份应写作 YYYY-MM" in response.content.decode()
    assert not Job.objects.exists()


def test_job_builder_writes_the_docx_and_reports_progress(world):
    steps = []
    job = SimpleNamespace(
        params={"period": "2022-03", "quarterly": False, "format": "docx"},
        unit=world.city,
        requested_by=world.reviewer,
    )
    output = build(job, lambda percent, step: steps.append(percent))
    assert output.filename == "冷水江市2022年3月重点项目建设通报.docx"
    assert output.content.startswith(b"PK")
    assert steps == sorted(steps) and len(steps) >= 5


def test_job_builder_refuses_bad_params(world):
    from guatu.jobs.registry import JobError

    job = SimpleNamespace(
        params={"period": "x", "format": "docx"}, unit=world.city, requested_by=world.reviewer
    )
    with pytest.raises(JobError):
        build(job, lambda percent, step: None)
    job.params = {"period": "2022-03", "format": "odt"}
    with pytest.raises(JobError):
        build(job, lambda percent, step: None)


def test_page_queries_do_not_grow_with_units(client, world, django_assert_max_num_queries):
    from guatu.orgs.models import OrgUnitKind
    from guatu.testing import make_unit

    client.force_login(world.city_admin)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for index in range(20):
        make_unit(f"测试镇{index}", OrgUnitKind.TOWNSHIP, world.city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "测试镇19" in client.get(URL).content.decode()
