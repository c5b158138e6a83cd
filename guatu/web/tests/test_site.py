"""Site-wide pages: home, the API's schema and docs, the admin."""

import pytest

from guatu.testing import assert_no_external_assets

pytestmark = pytest.mark.django_db


def test_home_sends_signed_in_users_to_the_summary_and_others_to_login(client, world):
    assert client.get("/").url.startswith("/accounts/login/")
    client.force_login(world.reporter)
    assert client.get("/").url == "/investment/summary/"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_api_schema_and_docs_need_a_login(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(world.outsider)
    assert client.get(path).status_code == 200


def test_api_docs_use_no_cdn(client, world):
    client.force_login(world.reviewer)
    html = client.get("/api/v1/docs").content.decode()
    assert_no_external_assets(html)
    assert "/static/ninja/swagger-ui-bundle.js" in html


@pytest.mark.parametrize("persona", ["city_admin", "reviewer", "reporter", "leader", "viewer", "outsider"])
def test_admin_is_for_staff_only(client, world, persona):
    client.force_login(world.personas[persona])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_login_page_is_titled_with_the_site_name_not_the_host(client, settings):
    settings.SITE_NAME = "挂图作战"
    settings.ALLOWED_HOSTS = ["guatu.example"]
    html = client.get("/accounts/login/", HTTP_HOST="guatu.example:8000").content.decode()
    assert "<title>登录 · 挂图作战</title>" in html
    assert '<a class="brand" href="/">挂图作战</a>' in html
    assert "guatu.example" not in html


def _in_the_page_frame(html: str) -> bool:
    return "/static/guatu/guatu.css" in html and '<a class="brand" href="/">' in html


def test_a_forbidden_page_is_the_styled_chinese_403(client, world):
    client.force_login(world.reviewer)
    response = client.get("/lights/rules/")  # the warning rules are the city administrator's
    assert response.status_code == 403
    html = response.content.decode()
    assert _in_the_page_frame(html) and "<title>无权访问 · " in html
    assert "您没有权限查看此页面或执行此操作" in html and 'href="/" id="back-home"' in html


def test_a_missing_page_is_the_styled_chinese_404(client, world):
    client.force_login(world.reviewer)
    response = client.get("/projects/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert _in_the_page_frame(html) and "页面不存在" in html and 'id="back-home"' in html


def test_the_500_page_is_styled_and_needs_no_database(rf, django_assert_num_queries):
    from django.urls import get_callable

    from guatu.urls import handler500

    with django_assert_num_queries(0):
        response = get_callable(handler500)(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert (
        _in_the_page_frame(html) and "挂图作战" in html and "服务器出错" in html and 'id="back-home"' in html
    )
