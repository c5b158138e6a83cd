import os

import pytest

# pytest-playwright runs an event loop in the test thread; Django's ORM calls from the live-server tests
# are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Test databases are built from the models in one step, not by replaying every migration: replaying them
    cost each worker about 12 seconds per database (Django re-renders the model states ~250 times). What the
    migrations hold beyond the models is put back by `django_db_setup` below: the audit log's guards (the one
    RunSQL-like step; the data migrations only fill rows an empty database has none of) and the record of every
    migration as applied. `make check-migrations` proves the models and the migrations describe one schema."""
    from django.db import connections

    for connection in connections.all():
        connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database as `guatu migrate` leaves it (see `django_db_modify_db_settings`), with one exception:
    on SQLite, it goes without the audit log's DELETE guard (guatu/audit/guards.py), because the teardown of a
    transactional test (the browser tests' live server) empties every table with DELETE, which the guard
    refuses for recent events. The UPDATE guard stays, so no code path that changes an event passes here and
    fails in production; PostgreSQL empties tables with TRUNCATE and keeps both guards.
    guatu/audit/tests/test_chain.py puts the guard back inside its own transaction to test it."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from guatu.audit import guards

    with django_db_blocker.unblock():
        for connection in connections.all():
            recorder = MigrationRecorder(connection)
            recorder.ensure_schema()
            applied = set(recorder.applied_migrations())
            nodes = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
            recorder.migration_qs.bulk_create(
                [recorder.Migration(app=app, name=name) for app, name in sorted(nodes) if (app, name) not in applied]
            )
            guards.install(connection, deletes=connection.vendor != "sqlite", updates=True)
    yield


@pytest.fixture
def world(db):
    """The personas' county (guatu.testing.make_world). Built through the services once per worker, database
    and day; each later test gets the same rows back by bulk insert inside its own transaction (rolled back as
    usual), which is several times cheaper than running the services again."""
    from guatu.testing import restore_world

    return restore_world()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language. A request in English (or a test's `translation.override`)
    leaves the thread's language behind for the next test on the same worker, so a test that builds text
    outside a request would read English or Chinese depending on which test ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    try:
        yield
    finally:
        translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """The default hasher is slow on purpose; tests create many users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_files_found_per_request():
    """WhiteNoise scans every static file when a request handler is built, and each test's client builds one:
    12% of a view test's time. Looking files up per request (WhiteNoise's autorefresh) serves the same files
    with the same headers."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True, scope="session")
def _two_factor_off():
    """Two-factor sign-in is off unless a test turns it on (`settings.GUATU_2FA_REQUIRED = True` with
    pytest-django's `settings` fixture): the personas sign in with their password alone, as the demo's users do
    (the setting's default is on only without DEBUG, and the suite runs without it)."""
    from django.conf import settings

    settings.GUATU_2FA_REQUIRED = False


# ---------------------------------------------------------------------------------------------------------
# Browser tests (pytest-playwright + pytest-django's live_server). Debian's Chromium, never a downloaded one;
# nothing may leave 127.0.0.1. Mark the tests @pytest.mark.browser.

# The live server listens on 127.0.0.1 (pytest-django's default is "localhost", which may resolve to ::1).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A county office's browser: Chinese, China time. Viewports are chosen per context (PHONE, DESKTOP).
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


class NetworkLog:
    """What a browser context asked for: requests refused for leaving 127.0.0.1, failures, 4xx/5xx answers."""

    def __init__(self, context):
        self.external: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        context.route("**/*", self._route)
        context.on("requestfailed", lambda request: self.failed.append(f"{request.url} {request.failure}"))
        context.on("response", self._response)

    def _route(self, route):
        from urllib.parse import urlsplit

        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def _response(self, response):
        if response.status >= 400:
            self.bad_status.append(f"{response.status} {response.url}")

    @property
    def problems(self) -> list[str]:
        return self.external + self.failed + self.bad_status


@pytest.fixture
def open_browser(new_context):
    """open_browser(phone=False) → (page, network log): a fresh context with the network guard on.

    Fails the test at teardown if anything tried to leave 127.0.0.1, or if the browser refused anything under
    the Content-Security-Policy (an inline script or handler, an eval, a foreign source: settings.py).
    """
    logs = []
    refused: list[str] = []

    def _console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            refused.append(f"{message.location.get('url', '')}: {message.text}")

    def _open(*, phone: bool = False):
        context = new_context(**(PHONE if phone else DESKTOP))
        log = NetworkLog(context)
        logs.append(log)
        context.on("console", _console)
        return context.new_page(), log

    yield _open
    external = [url for log in logs for url in log.external]
    assert not external, f"requests outside 127.0.0.1: {external}"
    assert not refused, f"refused by the Content-Security-Policy: {refused}"


@pytest.fixture
def browser_as(open_browser, live_server):
    """browser_as(user, phone=False) → a page logged in as `user` through the login form."""
    from django.urls import reverse

    from guatu.testing import PASSWORD

    def _as(user, *, phone: bool = False):
        page, _log = open_browser(phone=phone)
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _as


@pytest.fixture(autouse=True)
def _side_by_side_reads_closed():
    """guatu.lib.parallel's pool threads keep their database connections between pages, as a request's thread
    does. A test that ran reads side by side (outside a transaction: the browser tests' live server) has them
    closed afterwards: a PostgreSQL test database cannot be dropped while a connection to it is open."""
    yield
    from guatu.lib import parallel

    parallel.shutdown()
