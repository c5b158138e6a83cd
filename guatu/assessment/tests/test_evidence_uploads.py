"""Evidence (佐证材料) is checked like every other upload (guatu.web.uploads): its content must be of the type its
extension names, its size within the limit, its name short enough for the column it is stored in. A refused
file gives a Chinese message on the page and writes nothing."""

# ruff: noqa: F811 - `office` is a fixture imported from the service tests

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guatu.assessment.models import Evidence, Indicator, IndicatorValue
from guatu.assessment.services import value_save
from guatu.assessment.tests.test_services import Q1, office  # noqa: F401 - fixture
from guatu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WEB_PAGE = b"<!DOCTYPE html><html><script>location='http://evil.example'</script></html>"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def value(world, office):
    return value_save(
        unit=world.town_a,
        indicator=Indicator.objects.get(code="tax"),
        period=Q1,
        value=Decimal(1),
        by=world.dept_reporter,
        expected_version=None,
    )


def _upload(client, world, value, name, content):
    client.force_login(world.dept_reporter)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("assessment:evidence_upload", args=[value.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    written = AuditEvent.objects.count() - before
    return response, written


@pytest.mark.parametrize(
    ("what", "content"), [("a web page", WEB_PAGE), ("a program", PROGRAM)], ids=["html", "exe"]
)
def test_a_renamed_file_is_refused_with_a_chinese_message(client, world, value, what, content):
    response, written = _upload(client, world, value, "完税证明.pdf", content)
    assert response.status_code == 400, what
    assert "完税证明.pdf 不是真正的 .pdf 文件" in response.content.decode()
    assert (Evidence.objects.count(), written) == (0, 0)


def test_a_file_name_too_long_for_its_column_is_refused_not_a_500(client, world, value):
    # evidence/%Y/%m/ + the name must fit the file column's 100 characters (a 500 on PostgreSQL otherwise)
    response, written = _upload(client, world, value, "甲" * 296 + ".pdf", PDF)
    assert response.status_code == 400
    assert "文件名过长：最多 83 个字符" in response.content.decode()
    assert (Evidence.objects.count(), written) == (0, 0)


def test_a_type_not_allowed_is_refused(client, world, value):
    response, written = _upload(client, world, value, "证明.html", WEB_PAGE)
    assert response.status_code == 400
    assert "“html”类型的文件不能作为附件" in response.content.decode()
    assert (Evidence.objects.count(), written) == (0, 0)


def test_a_file_too_large_is_refused(client, world, value, monkeypatch):
    monkeypatch.setattr("guatu.assessment.forms.MAX_EVIDENCE_MB", 0)
    response, written = _upload(client, world, value, "大文件.pdf", PDF)
    assert response.status_code == 400
    assert "大文件.pdf 过大：最大 0 MB" in response.content.decode()
    assert (Evidence.objects.count(), written) == (0, 0)


def test_a_real_pdf_is_accepted(client, world, value):
    response, written = _upload(client, world, value, "完税证明.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.value, evidence.name, written) == (value, "完税证明.pdf", 1)
    assert evidence.file.read() == PDF


def test_the_value_grid_checks_its_evidence_too(client, world, office):
    url = reverse("assessment:value_grid", args=[Indicator.objects.get(code="tax").pk, str(Q1)])
    client.force_login(world.dept_reporter)
    response = client.post(
        url,
        {
            f"u{world.town_a.pk}-value": "1",
            f"u{world.town_a.pk}-evidence": SimpleUploadedFile("证明.pdf", WEB_PAGE),
            "save": "1",
        },
    )
    assert response.status_code == 400
    assert "证明.pdf 不是真正的 .pdf 文件" in response.content.decode()
    assert (IndicatorValue.objects.count(), Evidence.objects.count()) == (0, 0)
    response = client.post(
        url,
        {
            f"u{world.town_a.pk}-value": "1",
            f"u{world.town_a.pk}-evidence": SimpleUploadedFile("证明.pdf", PDF),
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.get().name == "证明.pdf"
