"""Site-wide pages: home, the API's schema and docs, the admin."""

import pytest

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
    assert "cdn" not in html.lower() and "/static/ninja/swagger-ui-bundle.js" in html


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
