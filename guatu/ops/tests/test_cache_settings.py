"""The cache's settings (guatu/settings.py, docs/scaling.md): Redis when REDIS_URL is set, each process's memory
otherwise; and, where Debian's redis-server is installed, a real round trip through the settings REDIS_URL
gives, against a redis-server started for the test on a free port (stopped in `finally`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import caches

REDIS_SERVER = Path("/usr/bin/redis-server")
_READ_CACHES = "import json, guatu.settings as s; print(json.dumps(s.CACHES))"


def caches_with(**env: str) -> dict:
    """CACHES as the settings module makes it in a fresh process with `env` (it reads the environment once, when
    imported)."""
    with tempfile.TemporaryDirectory(prefix="guatu-cache-settings-") as data_dir:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"REDIS_URL", "DATABASE_URL", "DATABASE_REPLICA_URL"}
        }
        environment.update(
            GUATU_DATA_DIR=data_dir,
            SECRET_KEY="cache-settings-test",
            **env,
        )
        done = subprocess.run(
            [sys.executable, "-c", _READ_CACHES], env=environment, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_redis_url_each_process_caches_in_memory():
    assert caches_with() == {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_with_redis_url_the_cache_is_redis_at_that_address():
    assert caches_with(REDIS_URL="redis://127.0.0.1:6390/2") == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/2",
        }
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url():
    """A redis-server of its own on a free port of 127.0.0.1, nothing kept on disk; stopped afterwards."""
    if not REDIS_SERVER.exists():
        pytest.skip(f"needs {REDIS_SERVER} (Debian's redis-server)")
    import redis

    port = _free_port()
    server = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(250):  # up to 5 s for the server to answer
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None:
                    pytest.fail(f"redis-server exited with {server.returncode}")
                time.sleep(0.02)
        else:
            pytest.fail("redis-server did not answer")
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.kill()
        server.wait(timeout=30)


def test_a_round_trip_through_redis_with_the_settings_redis_url_gives(settings, redis_url):
    settings.CACHES = caches_with(REDIS_URL=redis_url)  # Django drops its cache handlers when CACHES changes
    cache = caches["default"]
    try:
        assert type(cache).__name__ == "RedisCache"
        cache.set("guatu:test", {"万元": "12.50"}, timeout=60)
        assert cache.get("guatu:test") == {"万元": "12.50"}
        assert cache.add("guatu:test", "other") is False
        cache.set("guatu:count", 1)
        assert cache.incr("guatu:count") == 2
        cache.delete_many(["guatu:test", "guatu:count"])
        assert cache.get("guatu:test") is None
    finally:
        cache.close()
