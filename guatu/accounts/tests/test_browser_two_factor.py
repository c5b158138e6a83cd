"""Two-factor set-up in a real browser: the QR code is a picture made on the server that the page's
Content-Security-Policy lets show (no script, nothing from outside), and a first code opens the site."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from guatu.accounts import two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sets_up_the_app_from_the_qr_code_and_goes_on(live_server, world, browser_as, settings):
    settings.GUATU_2FA_REQUIRED = True
    page = browser_as(world.reviewer)

    expect(page.locator("h1")).to_have_text("设置双因素认证")
    assert page.url.startswith(live_server.url + reverse("accounts:two_factor_enrol"))
    qr = page.locator("#two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100"), "the QR code did not render"
    device = TOTPDevice.objects.get(user=world.reviewer, confirmed=False)
    expect(page.locator("#two-factor-secret")).to_have_text(two_factor.secret_text(device))

    # The code of the moment, as the phone would show it (the device accepts the step before and after too).
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("双因素认证已设置")
    assert page.url == live_server.url + reverse("investment:summary")  # the home page, open now
    device.refresh_from_db()
    assert device.confirmed
