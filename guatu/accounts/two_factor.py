"""Two-factor sign-in (双因素认证): who must give a code from an authenticator app after the password, and what a
code check comes to, in one place. The codes are TOTP (RFC 6238: six digits, a new one every 30 seconds), kept
and checked by django-otp's TOTP devices.

- **Who.** With `GUATU_2FA_REQUIRED`, every user whose role is in `GUATU_2FA_ROLES` (city administrators and
  reviewers by default), and superusers whenever any role is listed. Off, nobody is asked, whatever devices
  exist.
- **When.** After the password (the login page is unchanged), before any other page opens:
  `guatu.accounts.middleware.TwoFactorRequiredMiddleware` sends such a user to the code page, or, at their first
  sign-in, to the set-up page (a QR code and the secret in text, confirmed by a first code). The session then
  carries the device (django-otp's OTPMiddleware); it ends with the session. An API request before the code is
  refused with 403.
- **Wrong codes.** Each device throttles itself (django-otp): after n wrong codes in a row the next is refused
  unchecked for 2^(n-1) seconds (`OTP_TOTP_THROTTLE_FACTOR`), across sessions, until a right code. A wrong code
  also counts as a failed sign-in of the user's name and address (`guatu.accounts.signin`): with the name
  locked the session ends and the login page says why; an address throttled there is refused here too. Every
  code given is audited, right or wrong.
- **Losing the phone.** A city administrator (or a superuser) resets the user's device from the user page
  (`services.otp_device_reset`): the user's sessions end and they set up a new one at their next sign-in. A
  user who already has a device cannot set up another one themselves: a stolen password alone never replaces
  the second factor.

Until the first sign-in after 2FA becomes required, an account has no device, and whoever first signs in with
its password sets one up: hand out initial passwords as carefully as before.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from guatu.accounts import signin

DEVICE_NAME = "TOTP"
# Codes given at sign-in belong with the sign-ins in the audit log, not in the user's history of changes (which
# keeps the set-up and the resets): guatu.audit.queries.SESSION_EVENTS leaves them out of every history.


def required_for(user) -> bool:
    """Whether this signed-in user must give a code after the password."""
    if not settings.GUATU_2FA_REQUIRED or not user.is_authenticated:
        return False
    roles = settings.GUATU_2FA_ROLES
    return bool(roles) and (user.is_superuser or user.role in roles)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def users_with_device(users) -> set[int]:
    """Of these users, the ids of those with a confirmed device: one query for a page of users."""
    return set(
        TOTPDevice.objects.filter(user__in=[user.pk for user in users], confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def why_required() -> str:
    """The answer of the API, and of any page, to a user who has not given their code yet."""
    return _("Two-factor sign-in: enter the code from your authenticator app on the web page first.")


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an SVG picture made here (segno) for an <img src>: no
    script, no outside service (the Content-Security-Policy allows data: images)."""
    svg = io.BytesIO()
    segno.make(device.config_url, error="m", micro=False).save(
        svg, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, svgns=True
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


@dataclass(frozen=True)
class CodeCheck:
    """What came of a code: the device that took it, or why not."""

    device: TOTPDevice | None = None
    locked: bool = False  # the user name is locked (signin): the session must end
    throttled: bool = False  # the client address is throttled (signin): refused unchecked
    wait_seconds: int = 0  # the device's own throttle holds this much longer: refused unchecked

    @property
    def ok(self) -> bool:
        return self.device is not None


def device_wait(device: TOTPDevice) -> int:
    """Seconds before the device's throttle lets a code be checked again (0: now)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return 0
    return max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))


def refusal_message(check: CodeCheck) -> str:
    """What the code page says of a refused code, and its audit event's reason."""
    if check.locked:
        return signin.refusal_message(signin.LOCKED)
    if check.throttled:
        return signin.refusal_message(signin.THROTTLED)
    if check.wait_seconds:
        return _("Too many wrong codes: wait %(seconds)s seconds and try again.") % {
            "seconds": check.wait_seconds
        }
    return _("Wrong code: enter the code your authenticator app shows now.")
