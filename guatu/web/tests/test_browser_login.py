"""The login page in a real browser: Chinese by default, and every asset served locally (intranet, no CDN)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_its_assets_load_from_the_server(live_server, open_browser):
    page, network = open_browser(phone=True)

    page.goto(live_server.url + reverse("login"))

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("label[for=id_username]")).to_have_text("用户名")
    expect(page.locator("label[for=id_password]")).to_have_text("密码")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    topbar = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert topbar == "rgb(179, 38, 30)", "guatu.css did not load"
    assert network.problems == []
