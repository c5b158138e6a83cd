"""Guatu settings: everything that varies between machines comes from environment variables."""

import os
import secrets
import time
from pathlib import Path

import dj_database_url

from guatu.lib.env import ConfigError, env_bool, env_date, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GUATU_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        # O_EXCL: of several processes starting at once, exactly one writes the key; the others read it.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    for _ in range(50):  # a process that lost the race may look before the winner has written
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{key_file} is empty: delete it and start again")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("GUATU_SITE_NAME", "挂图作战")

# Guatu's apps come first: where two apps translate the same message, the first one listed wins, and our
# catalogs must win over Django's own (for example "History" is 变更记录 here, not admin's 历史).
INSTALLED_APPS = [
    "guatu.web",
    "guatu.orgs",
    "guatu.accounts",
    "guatu.audit",
    "guatu.projects",
    "guatu.reports",
    "guatu.investment",
    "guatu.lights",
    "guatu.bulletins",
    "guatu.notifications",
    "guatu.dispatch",
    "guatu.assessment",
    "guatu.imports",
    "guatu.battlemap",
    "guatu.demo",
    "guatu.jobs",
    "guatu.attraction",
    "guatu.chains",
    "guatu.enterprises",
    "guatu.reserve",
    "guatu.ops",  # guatu backup / guatu restore (docs/backup.md)
    "django_tasks",  # Django's Tasks framework, backported to 5.2 (built in as django.tasks from 6.0)
    "django_tasks_db",  # its database backend: the queue is a table, run by `guatu db_worker`
    "django_otp",  # two-factor sign-in (guatu/accounts/two_factor.py)
    "django_otp.plugins.otp_totp",  # its TOTP devices: a code from an authenticator app
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # listed so that the API docs use its bundled Swagger UI, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a two-factor code given this session
    "guatu.web.middleware.NoStoreForSignedInMiddleware",  # Cache-Control: no-store on signed-in pages
    "django.contrib.messages.middleware.MessageMiddleware",
    "guatu.audit.context.AuditContextMiddleware",
    "guatu.accounts.middleware.SessionTimeoutMiddleware",
    "guatu.accounts.middleware.PasswordChangeRequiredMiddleware",
    "guatu.accounts.middleware.TwoFactorRequiredMiddleware",
    "guatu.accounts.middleware.OversightPagesOnlyMiddleware",  # security and audit administrators: their pages
    "guatu.web.middleware.OneTimeFormTokenMiddleware",  # a form's token is accepted once (site.js adds it)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "guatu.urls"
WSGI_APPLICATION = "guatu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guatu.web.context_processors.site",
                "guatu.notifications.context_processors.inbox",
            ],
        },
    },
]

SQLITE_CACHE_MB = env_int("SQLITE_CACHE_MB", 64)  # a connection's page cache (a side-by-side read's: a quarter)
_SQLITE_OPTIONS = {
    # WAL lets readers work while a writer writes; IMMEDIATE takes the write lock at BEGIN so that two
    # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
    "transaction_mode": "IMMEDIATE",
    # SQLite's busy handler is not a queue: a writer that has just committed may take the lock again before a
    # waiter's next retry. Under 8 busy writers on 2 loaded cores a wait reached 16 s (ops/tests/test_reliability);
    # a long wait is a slow save, a timeout is a lost one.
    "timeout": env_int("SQLITE_BUSY_TIMEOUT", 60),
    # The page cache, per connection (SQLite's default is 2 MB): a province's sums read hundreds of MB; the cache
    # grows only as far as it is used.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        f"PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024};"
    ),
}

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'guatu.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)

# A read replica (docs/scaling.md): with DATABASE_REPLICA_URL (a PostgreSQL hot standby of DATABASE_URL), the
# `replica` alias, the router that sends the dashboards' and lists' reads to it (guatu/lib/dbrouter.py: the
# rules) and the middleware that keeps a browser that has just saved something on the primary for
# REPLICA_PIN_SECONDS. Unset: one database, no router. In tests the alias mirrors the test database (TEST
# MIRROR: never created separately, its NAME set to the test database's on the standby's server).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
if REPLICA_PIN_SECONDS < 0:
    raise ConfigError("environment variable REPLICA_PIN_SECONDS must be 0 or more")
if _replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ConfigError("environment variable DATABASE_REPLICA_URL must be a database of DATABASE_URL's kind")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["guatu.lib.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "guatu.lib.dbrouter.ReplicaPinMiddleware"
    )

# The cache: nothing in Guatu needs it to be right, a miss only costs time (docs/scaling.md, "The cache").
# With REDIS_URL (e.g. redis://127.0.0.1:6379/0) it is Redis, shared by every worker process; without, each
# process keeps its own in memory (Django's default).
if _redis_url := env_str("REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long the dashboards' JSON answers are kept for the same reader and the same data (guatu.lib.response_cache:
# any write to the data makes a new version, so an answer kept is never stale); 0 turns it off.
RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", 600)
# How many threads a page's independent reads may use side by side, the request's own included
# (guatu.lib.parallel: the battle map); 1 runs them one after the other.
GUATU_PARALLEL_READS = env_int("GUATU_PARALLEL_READS", 3)
# The cycle collector's young-generation threshold (guatu.lib.collector; Python's own is 700; 0 leaves it as it is).
GC_THRESHOLD = env_int("GC_THRESHOLD", 50_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("GUATU_PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "guatu.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("GUATU_PASSWORD_MIN_CLASSES", 3)},
    },
]
# Signing in (the rules: guatu/accounts/signin.py). A locked name or a throttled address is refused before the
# password is hashed, by the authentication backend, on the login page and the admin's alike.
AUTHENTICATION_BACKENDS = ["guatu.accounts.backends.GuardedModelBackend"]
GUATU_LOGIN_MAX_FAILURES = env_int("GUATU_LOGIN_MAX_FAILURES", 5)  # in a row, then the name is locked
GUATU_LOGIN_LOCK_MINUTES = env_int("GUATU_LOGIN_LOCK_MINUTES", 30)
GUATU_LOGIN_IP_MAX_FAILURES = env_int("GUATU_LOGIN_IP_MAX_FAILURES", 20)  # per client address and window
GUATU_LOGIN_IP_WINDOW_MINUTES = env_int("GUATU_LOGIN_IP_WINDOW_MINUTES", 15)
# Behind a reverse proxy, the request header carrying the client's address (e.g. HTTP_X_REAL_IP); empty: the
# connection's own address. Only set it when the proxy overwrites that header.
GUATU_CLIENT_IP_HEADER = env_str("GUATU_CLIENT_IP_HEADER", "")
GUATU_PASSWORD_MAX_AGE_DAYS = env_int("GUATU_PASSWORD_MAX_AGE_DAYS", 90)  # 0: passwords do not expire
# `guatu users disable-idle` (daily) disables accounts not signed in for this many days.
GUATU_ACCOUNT_IDLE_DAYS = env_int("GUATU_ACCOUNT_IDLE_DAYS", 90)
GUATU_SESSION_IDLE_MINUTES = env_int("GUATU_SESSION_IDLE_MINUTES", 30)
GUATU_SESSION_MAX_HOURS = env_int("GUATU_SESSION_MAX_HOURS", 12)
# The cookie lives no longer than the absolute limit and ends with the browser; the limits themselves are
# enforced on the server (guatu.accounts.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = GUATU_SESSION_MAX_HOURS * 3600
# Two-factor sign-in (the rules: guatu/accounts/two_factor.py): after the password, users of these roles (and
# superusers, whenever a role is listed) give a code from an authenticator app (TOTP, django-otp), enrolling
# one at their first sign-in. Required by default in production; off by default with DEBUG (the demo, whose
# users share one published password and have no app), and the test suite turns it off (conftest.py) unless a
# test turns it on. GUATU_2FA_REQUIRED=true with DEBUG asks for codes in development too.
_ROLES = ["city_admin", "security_admin", "audit_admin", "reviewer", "reporter", "leader", "viewer"]  # accounts.models.Role (a test compares)
GUATU_2FA_REQUIRED = env_bool("GUATU_2FA_REQUIRED", not DEBUG)
GUATU_2FA_ROLES = env_list("GUATU_2FA_ROLES", ["city_admin", "security_admin", "audit_admin", "reviewer"])
if _unknown := sorted(set(GUATU_2FA_ROLES) - set(_ROLES)):
    raise ConfigError(
        f"environment variable GUATU_2FA_ROLES: unknown role {', '.join(_unknown)} (roles: {', '.join(_ROLES)})"
    )
OTP_TOTP_ISSUER = SITE_NAME  # the account's name in the authenticator app: 挂图作战:username
# django-otp's own throttle on each device: after n wrong codes in a row the next is refused for 2^(n-1)
# seconds, until a right one. Wrong codes also count as failed sign-ins of the name and address (signin.py).
OTP_TOTP_THROTTLE_FACTOR = 1
# How long `guatu audit purge` keeps audit records; never less than 184 days (six months), which the database
# itself enforces (guatu/audit/guards.py).
GUATU_AUDIT_RETENTION_DAYS = env_int("GUATU_AUDIT_RETENTION_DAYS", 365)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# The app's "today" (guatu/clock.py). Unset in production, where the real clock rules; the demo sets it to the
# seed's day so that its 2022 story reads as it happened (deadlines, overdue days, the current month).
GUATU_TODAY = env_date("GUATU_TODAY")

# Excel imports (guatu/web/workbooks.py): the largest file taken in, and the zip-bomb limits on what it unpacks to.
GUATU_IMPORT_MAX_BYTES = env_int("GUATU_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
GUATU_IMPORT_MAX_ENTRIES = env_int("GUATU_IMPORT_MAX_ENTRIES", 1000)
GUATU_IMPORT_MAX_UNCOMPRESSED = env_int("GUATU_IMPORT_MAX_UNCOMPRESSED", 200 * 1024 * 1024)
GUATU_IMPORT_MAX_RATIO = env_int("GUATU_IMPORT_MAX_RATIO", 200)

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there even when it serves from the finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("GUATU_STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("GUATU_STATIC_MANIFEST", False)
MEDIA_ROOT = DATA_DIR / "media"

# Background jobs (guatu/jobs): long documents and exports are queued in the database and run by
# `guatu db_worker` (started by `make run`; a systemd unit in production, README). The tests use the same
# database backend, not the immediate one: a test that runs a job runs the real worker over the real queue
# (guatu/jobs/testing.py), in-process and in a few milliseconds, so what is tested is what production does.
# Finished files are kept in GUATU_DATA_DIR/jobs/, never under a public URL, for GUATU_JOBS_KEEP_DAYS days.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
GUATU_JOBS_KEEP_DAYS = env_int("GUATU_JOBS_KEEP_DAYS", 7)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "guatu@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Web hardening (issue 11: 等保2.0 level 3, OWASP ASVS L2) ------------------------------------------------
# The Content-Security-Policy (django-csp): scripts only from this site's own files, never inline (page data
# travels in json_script blocks and data- attributes; behaviour in static/<app>/*.js and guatu/site.js).
# Styles allow 'unsafe-inline' because templates and ECharts set style attributes; images allow data: and
# blob: for ECharts' pictures and saved charts. guatu/web/tests/test_security_headers.py holds the templates
# to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: htmx sends the token from <body hx-headers> (base.html), forms a field.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS, set in production (README): redirect plain HTTP, and have browsers remember to use HTTPS only
# (HSTS: 31536000 seconds, a year, once HTTPS works; 0 sends no header). The header covers the host's
# subdomains whenever it is sent.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Behind nginx, which terminates HTTPS and sets X-Forwarded-Proto (README): without this Django takes every
# request for plain HTTP, so the SSL redirect would loop and the HSTS header would never be sent. Only set it
# when the proxy overwrites that header and the application is reachable through the proxy alone.
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preload (security.W021) is a list built into public browsers for public domain names; an intranet
# host cannot be on it, so the header does not ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
