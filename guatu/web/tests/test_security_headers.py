"""Web hardening (issue 11): the Content-Security-Policy and the other security headers on every page,
no-store for signed-in pages, templates without inline script, and `check --deploy` clean in production."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from guatu.accounts.models import Role
from guatu.testing import make_user

pytestmark = pytest.mark.django_db

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # guatu/


def _pages(patterns=None, prefix: str = "") -> list[str]:
    """Every URL that takes no argument: pages, exports, the API, the admin's lists and forms."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    paths = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _pages(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
            paths.append("/" + route)
    return paths


def _directives(csp: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in csp.split(";") if part.strip())}


class _InlineCode(HTMLParser):
    """What a page holds that a script-src of 'self' refuses: <script> with code in it, on* handlers, and
    javascript: URLs. A <script type="application/json"> (json_script) is data, never run, and allowed."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self._in_inline_script = True
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"<{tag} {name}=...>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def assert_hardening_headers(response, path: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{path}: no Content-Security-Policy"
    directives = _directives(csp)
    assert directives["script-src"] == ["'self'"], (path, csp)  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["default-src"] == ["'self'"], (path, csp)
    assert directives["object-src"] == ["'none'"], (path, csp)
    assert directives["frame-ancestors"] == ["'none'"], (path, csp)
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", path


def test_the_policy_allows_scripts_from_this_site_only(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert _directives(response.headers["Content-Security-Policy"]) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_every_page_of_a_signed_in_user_sends_the_headers_and_runs_no_inline_script(client, world):
    client.force_login(world.city_admin)
    pages = [path for path in _pages() if not path.startswith("/admin/") and path != "/accounts/logout/"]
    assert len(pages) > 50  # the walk found the site
    shown = 0
    for path in pages:
        response = client.get(path)
        shown += response.status_code == 200
        assert_hardening_headers(response, path)
        assert "no-store" in response.headers.get("Cache-Control", ""), path
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            assert inline_code(response.content.decode()) == [], path
    assert shown > 50


def test_anonymous_pages_and_errors_send_the_headers(client, world):
    for path in ("/accounts/login/", "/admin/login/", "/", "/investment/summary/", "/no-such-page/"):
        response = client.get(path)
        assert_hardening_headers(response, path)
        assert inline_code(response.content.decode()) == [], path
    assert_hardening_headers(client.get("/api/v1/projects/"), "401")
    client.force_login(world.reviewer)
    assert_hardening_headers(client.get("/lights/rules/"), "403")


def test_the_api_docs_page_runs_under_the_policy(client, world):
    """django-ninja's Swagger page keeps its settings in a JSON block and its code in static files, so it
    needs no exemption from the policy."""
    client.force_login(world.viewer)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_hardening_headers(response, "/api/v1/docs")
    assert inline_code(response.content.decode()) == []


def test_the_admin_runs_under_the_policy(client, world):
    root = make_user("root", None, Role.CITY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)
    skip = {"/admin/login/", "/admin/logout/", "/admin/autocomplete/"}  # a redirect, a POST, a JSON lookup
    pages = [path for path in _pages() if path.startswith("/admin/") and path not in skip]
    pages += [
        reverse("admin:projects_project_change", args=[world.project_a.pk]),
        reverse("admin:orgs_orgunit_change", args=[world.town_a.pk]),
    ]
    shown = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 403), path  # 403: the add form of a read-only (audited) model
        shown += response.status_code == 200
        assert_hardening_headers(response, path)
        if response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], path
    assert shown > 20


def test_signed_in_pages_are_not_stored_and_static_files_keep_their_caching(client, world):
    client.force_login(world.reporter)
    page = client.get(reverse("investment:summary"))
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]

    static = client.get("/static/guatu/guatu.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert "max-age" in static.headers.get("Cache-Control", "")
    static.close()


def test_no_script_reads_the_csrf_cookie(client):
    """The CSRF cookie is HttpOnly: htmx sends the token from <body hx-headers>, forms from their field."""
    response = client.get(reverse("login"))
    assert response.cookies["csrftoken"]["httponly"]
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
    for script in PACKAGE_DIR.rglob("static/**/*.js"):
        if "vendor" not in script.parts:
            assert "csrftoken" not in script.read_text(encoding="utf-8"), script


# --- templates ----------------------------------------------------------------------------------------------

_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_HANDLER = re.compile(r"(?<![\w-])on[a-z]+\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"javascript:", re.IGNORECASE)


def template_problems(text: str) -> list[str]:
    """Inline code in a template's source: a <script> without src= that is not a JSON data block, an on*=
    handler attribute, or a javascript: URL."""
    problems = []
    for match in _SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        if "src=" not in attrs and not re.search(r"""type=["']application/json["']""", attrs):
            problems.append(match.group(0))
    problems += [m.group(0) for m in _HANDLER.finditer(text)]
    problems += [m.group(0) for m in _JS_URL.finditer(text)]
    return problems


def test_the_template_check_finds_inline_code():
    assert template_problems('<script>alert(1)</script><script src="/static/a.js" defer></script>') == [
        "<script>"
    ]
    assert template_problems('<select onchange="this.form.submit()">') == ["onchange="]
    assert template_problems('<a href="JavaScript:void(0)">') == ["JavaScript:"]
    assert template_problems('<script type="application/json" id="d">{}</script>') == []
    assert template_problems('<meta content="x"><tr data-month="1" data-confirm="ok">') == []


def test_no_template_holds_inline_script():
    templates = [path for path in PACKAGE_DIR.rglob("*.html") if "templates" in path.parts]
    assert len(templates) > 100
    found = {
        str(path.relative_to(PACKAGE_DIR)): problems
        for path in templates
        if (problems := template_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}


# --- production settings ------------------------------------------------------------------------------------


def _production_env(data_dir: Path, **changes: str) -> dict[str, str]:
    # A clean environment, as a server's: none of the test run's own variables (DJANGO_ALLOW_ASYNC_UNSAFE,
    # DATABASE_URL) leak in.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="guatu.settings",
        GUATU_DATA_DIR=str(data_dir),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="guatu.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://guatu.example.gov.cn",
        SECURE_COOKIES="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        BEHIND_HTTPS_PROXY="true",
        GUATU_STATIC_MANIFEST="true",
    )
    env.update(changes)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guatu", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_environment(tmp_path):
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr

    # The check is live: the same environment without HSTS fails it.
    result = _check_deploy(_production_env(tmp_path, SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0 and "security.W004" in result.stdout + result.stderr


def test_behind_the_https_proxy_plain_http_is_redirected_and_https_gets_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain.url.startswith("https://")

    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
