"""A small HTTP client for the benchmark: signs in through the real login page and times GET requests.

Standard library only (http.client), one connection per request: gunicorn's sync workers close the
connection after each answer anyway, so every timing includes the loopback connect, as a browser's would.
"""

from __future__ import annotations

import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpError(RuntimeError):
    pass


class Session:
    """Cookies of one signed-in user against one server (host, port)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    # -- plumbing ------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            all_headers = {
                "Host": f"{self.host}:{self.port}",
                "Accept-Language": "zh-hans",
                **(headers or {}),
            }
            if self.cookies:
                all_headers["Cookie"] = self.cookie_header()
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    jar = SimpleCookie()
                    jar.load(value)
                    for name, morsel in jar.items():
                        if morsel.value:
                            self.cookies[name] = morsel.value
                        else:
                            self.cookies.pop(name, None)
            return response.status, dict(response.getheaders()), content
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))

    # -- what the benchmark does ---------------------------------------------------------------------------

    def login(self, username: str, password: str) -> None:
        """GET the login page (CSRF cookie and token), POST the form; a session cookie or an error."""
        status, _headers, page = self._request("GET", "/accounts/login/")
        if status != 200:
            raise HttpError(f"GET /accounts/login/ answered {status}")
        match = CSRF_FIELD.search(page.decode("utf-8", "replace"))
        if not match:
            raise HttpError("the login page has no CSRF token")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)})
        status, headers, page = self._request(
            "POST",
            "/accounts/login/",
            body=form.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise HttpError(f"signing in as {username} answered {status} without a session (wrong password?)")
        # The gates after the password (password change, two-factor) redirect every page: fail here, clearly.
        status, headers, _page = self._request("GET", "/")
        location = headers.get("Location", "")
        if status == 302 and ("password" in location or "two-factor" in location or "login" in location):
            raise HttpError(f"{username} is held at a sign-in gate: {location}")

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        status, _headers, content = self._request("GET", path, headers=headers)
        return status, content

    def get_ok(self, path: str, headers: dict | None = None) -> bytes:
        status, content = self.get(path, headers)
        if status != 200:
            raise HttpError(f"GET {path} answered {status}: {content[:300]!r}")
        return content


def timed_get(session: Session, path: str) -> tuple[float, bytes]:
    """(milliseconds, body) of one GET that must answer 200."""
    started = time.perf_counter()
    content = session.get_ok(path)
    return (time.perf_counter() - started) * 1000, content


def wait_until_up(host: str, port: int, *, timeout: float = 60.0, alive=lambda: True) -> None:
    """Until the server answers the login page (200), or a RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server stopped while starting (see its log above)")
        try:
            status, _content = Session(host, port).get("/accounts/login/")
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"the server on {host}:{port} did not answer within {timeout:.0f} s ({last})")
