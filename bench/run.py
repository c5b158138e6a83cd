"""Province-scale benchmark (issue 12): builds synthetic provinces once (cached in var/bench/), then measures the
summary API, the project list, the battle map, scoring, the workbook import, the bulletin, the demo county's
pages and a load run, and writes bench/results-<database>.json and the generated part of docs/performance.md.

    make bench                      # SQLite            (.venv/bin/python bench/run.py)
    make bench-postgres             # PostgreSQL 15     (scripts/with-postgres.sh .venv/bin/python bench/run.py)
    BENCH_QUICK=1 make bench        # a small province, fewer runs, 5 s load runs: under three minutes

Environment: BENCH_QUICK=1; BENCH_RUNS (timed runs per figure; default 20, quick 5); BENCH_WRK_SECONDS (default
30, quick 5); BENCH_COUNTIES, BENCH_PROJECTS_PER_COUNTY, BENCH_YEARS (another province: 122, 200, 5; quick 16,
50, 2); BENCH_KEEP=1 keeps the temporary folder (databases, server logs); BENCH_REPORT_ONLY=1 only rewrites
docs/performance.md from the two results files. With DATABASE_URL set (a PostgreSQL the role of which may create
databases: scripts/with-postgres.sh makes one) it runs on PostgreSQL, in databases of its own named bench_*.

How it works (docs/performance.md says more): this process never opens a database itself. bench/worker.py, run
as a subprocess against one prepared database, builds (guatu.demo.synth, `guatu demo`) and measures what is
measured in process; gunicorn (2 workers, DEBUG off) serves a copy of the same database on a free loopback port
for what is measured through HTTP; wrk drives the load runs. Every database measured is a copy of the cache:
runs never change it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import report  # noqa: E402
from client import Session, wait_until_up  # noqa: E402
from stats import measure  # noqa: E402

CACHE = REPO / "var" / "bench"
PYTHON = sys.executable
HOST = "127.0.0.1"

# The synthetic province's day: its data runs to this month, whatever the real date, so a cached build stays
# valid (guatu.demo.synth.last_month) and the app reads it as on that day (GUATU_TODAY).
TODAY = "2026-12-24"
END_YEAR = 2026
SEED = 1
# The demo's pages as on its day: guatu/demo/data.py DEMO_DAY (the Makefile's GUATU_TODAY for `make run`).
DEMO_DAY = "2022-04-24"
CACHE_FORMAT = "1"  # bump to rebuild every cache


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    quick: bool
    counties: int
    projects_per_county: int
    years: int
    runs: int
    warmups: int  # in-process warm-up calls
    heavy_warmups: int  # for the figures of a second and more (scoring the province, the bulletin)
    http_warmups: int  # through gunicorn: at least one per worker
    budget_s: float  # the longest one figure's timed runs may take before fewer runs are made
    min_runs: int  # but never fewer than this
    wrk_seconds: int
    wrk_connections: int = 32

    @property
    def sizes(self) -> list[tuple[str, int]]:
        """1×, 4× and 16× the data: 1/16, 1/4 and all of the counties."""
        return [
            ("1×", max(1, int(self.counties / 16 + 0.5))),
            ("4×", max(1, int(self.counties / 4 + 0.5))),
            ("16×", self.counties),
        ]


def config() -> Config:
    quick = env_flag("BENCH_QUICK")
    if quick:
        base = Config(
            True,
            16,
            50,
            2,
            runs=5,
            warmups=1,
            heavy_warmups=0,
            http_warmups=2,
            budget_s=3,
            min_runs=2,
            wrk_seconds=5,
        )
    else:
        base = Config(
            False,
            122,
            200,
            5,
            runs=20,
            warmups=2,
            heavy_warmups=1,
            http_warmups=4,
            budget_s=20,
            min_runs=3,
            wrk_seconds=30,
        )
    overrides = {
        "runs": ("BENCH_RUNS", 3),
        "wrk_seconds": ("BENCH_WRK_SECONDS", 1),
        "counties": ("BENCH_COUNTIES", 1),
        "projects_per_county": ("BENCH_PROJECTS_PER_COUNTY", 1),
        "years": ("BENCH_YEARS", 1),
    }
    values = dict(base.__dict__)
    for name, (variable, least) in overrides.items():
        text = os.environ.get(variable, "").strip()
        if text:
            try:
                values[name] = max(least, int(text))
            except ValueError:
                raise SystemExit(f"bench: {variable} must be a whole number, not {text!r}") from None
    return Config(**values)


STARTED = time.monotonic()


def log(message: str) -> None:
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:2d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- cache keys ------------------------------------------------------------------------------------------------


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for path in sorted(paths):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def schema_files() -> list[Path]:
    """What makes the schema: the migrations, and the data version's triggers that every migrate installs."""
    return list(REPO.glob("guatu/*/migrations/*.py")) + [REPO / "guatu/lib/data_version.py"]


def migrations_digest() -> str:
    return _digest(schema_files())


def synth_digest() -> str:
    files = ["guatu/demo/synth.py", "guatu/demo/generate.py", "guatu/reports/rollups.py"]
    return _digest([REPO / f for f in files] + schema_files())


def demo_digest() -> str:
    demo = [p for p in (REPO / "guatu" / "demo").rglob("*") if p.is_file() and p.suffix in {".py", ".yaml"}]
    demo = [p for p in demo if "tests" not in p.parts and p.name != "synth.py"]
    return _digest(demo + schema_files())


# --- the database: SQLite files or PostgreSQL databases ----------------------------------------------------------


@dataclass
class Slot:
    """One database to work on: its data folder (GUATU_DATA_DIR: the secret key, the SQLite file) and the
    environment a worker or a server needs to reach it."""

    name: str
    folder: Path
    env: dict
    database: str = ""  # PostgreSQL: the database's name


def base_env(folder: Path, today: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "SECRET_KEY", "GUATU_TODAY"}
    }
    env.update(
        GUATU_DATA_DIR=str(folder),
        DJANGO_SETTINGS_MODULE="guatu.settings",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        GUATU_TODAY=today,
        GUATU_2FA_ROLES="",  # the benchmark signs in with a password only (settings: GUATU_2FA_ROLES)
        GUATU_PASSWORD_MAX_AGE_DAYS="0",  # a cached build's passwords never expire
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


class Sqlite:
    engine = "sqlite"
    label = "SQLite"

    def __init__(self, work: Path):
        self.work = work

    def version(self) -> str:
        return sqlite3.sqlite_version

    def cache_file(self, key: str) -> Path:
        return CACHE / f"{key}.sqlite3"

    def has(self, key: str) -> bool:
        return self.cache_file(key).exists()

    def slot(self, name: str, today: str) -> Slot:
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=True)
        return Slot(name, folder, base_env(folder, today))

    def empty(self, name: str, today: str) -> Slot:
        return self.slot(name, today)

    def restore(self, key: str, name: str, today: str) -> Slot:
        slot = self.slot(name, today)
        shutil.copyfile(self.cache_file(key), slot.folder / "guatu.sqlite3")
        return slot

    def save(self, slot: Slot, key: str) -> None:
        target = self.cache_file(key)
        partial = target.with_suffix(".partial")
        shutil.copyfile(slot.folder / "guatu.sqlite3", partial)
        partial.replace(target)

    def drop(self, slot: Slot) -> None:
        shutil.rmtree(slot.folder, ignore_errors=True)


class Postgres:
    """Databases bench_* next to DATABASE_URL's, on its server; the caches are pg_dump custom-format files,
    restored with pg_restore -j2 (a throwaway cluster from scripts/with-postgres.sh holds nothing between
    runs)."""

    engine = "postgres"
    label = "PostgreSQL"

    def __init__(self, work: Path, url: str):
        import psycopg

        self.psycopg = psycopg
        self.work = work
        self.url = urlsplit(url)
        bin_dir = Path(
            os.environ.get("PG_BIN", f"/usr/lib/postgresql/{os.environ.get('PG_VERSION', '15')}/bin")
        )
        self.pg_dump = str(bin_dir / "pg_dump") if (bin_dir / "pg_dump").exists() else shutil.which("pg_dump")
        self.pg_restore = (
            str(bin_dir / "pg_restore") if (bin_dir / "pg_restore").exists() else shutil.which("pg_restore")
        )
        if not self.pg_dump or not self.pg_restore:
            raise SystemExit(
                "bench: pg_dump and pg_restore are needed (PG_BIN, or the postgresql client on PATH)"
            )

    def url_of(self, database: str) -> str:
        return urlunsplit(self.url._replace(path="/" + database))

    def _admin(self, sql: str) -> None:
        with self.psycopg.connect(urlunsplit(self.url), autocommit=True) as connection:
            connection.execute(sql)

    def version(self) -> str:
        with self.psycopg.connect(urlunsplit(self.url)) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]

    def cache_file(self, key: str) -> Path:
        return CACHE / f"{key}.pgdump"

    def has(self, key: str) -> bool:
        return self.cache_file(key).exists()

    def _tool_env(self) -> dict:
        return {**os.environ, "PGPASSWORD": self.url.password or ""}

    def slot(self, name: str, today: str) -> Slot:
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=True)
        database = f"bench_{name}".replace("-", "_")
        env = base_env(folder, today)
        env["DATABASE_URL"] = self.url_of(database)
        return Slot(name, folder, env, database)

    def _create(self, database: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{database}"')

    def empty(self, name: str, today: str) -> Slot:
        slot = self.slot(name, today)
        self._create(slot.database)
        return slot

    def restore(self, key: str, name: str, today: str) -> Slot:
        slot = self.slot(name, today)
        self._create(slot.database)
        subprocess.run(
            [
                self.pg_restore,
                "-j2",
                "--no-owner",
                "--exit-on-error",
                "-d",
                self.url_of(slot.database),
                str(self.cache_file(key)),
            ],
            env=self._tool_env(),
            check=True,
        )
        with self.psycopg.connect(self.url_of(slot.database), autocommit=True) as connection:
            connection.execute("ANALYZE")  # pg_restore brings no planner statistics
        return slot

    def save(self, slot: Slot, key: str) -> None:
        target = self.cache_file(key)
        partial = target.with_suffix(".partial")
        subprocess.run(
            [self.pg_dump, "-Fc", "-f", str(partial), self.url_of(slot.database)],
            env=self._tool_env(),
            check=True,
        )
        partial.replace(target)

    def drop(self, slot: Slot) -> None:
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{slot.database}" WITH (FORCE)')
        finally:
            shutil.rmtree(slot.folder, ignore_errors=True)


# --- the two kinds of helper process ------------------------------------------------------------------------------


def worker(command: str, slot: Slot, params: dict) -> dict:
    """Run bench/worker.py COMMAND against the slot's database; its JSON result."""
    params_file = slot.folder / f"{command}-params.json"
    out_file = slot.folder / f"{command}-out.json"
    params_file.write_text(json.dumps(params, ensure_ascii=False))
    out_file.unlink(missing_ok=True)
    process = subprocess.run(
        [PYTHON, str(BENCH / "worker.py"), command, str(params_file), str(out_file)], cwd=REPO, env=slot.env
    )
    if process.returncode != 0 or not out_file.exists():
        raise RuntimeError(f"bench/worker.py {command} failed (exit {process.returncode}); see above")
    return json.loads(out_file.read_text())


class WorkerSession:
    """bench/worker.py province: one worker process for a province's in-process figures, in two halves with the
    HTTP measurements between them (one Django start-up instead of two). The first half only reads; the
    second, the workbook import, writes, so it comes after everything else measured on that copy."""

    def __init__(self, slot: Slot, params: dict):
        self.slot, self.params = slot, params
        self.process: subprocess.Popen | None = None
        self.first_file = slot.folder / "province-first.json"
        self.out_file = slot.folder / "province-out.json"

    def __enter__(self) -> WorkerSession:
        params_file = self.slot.folder / "province-params.json"
        params_file.write_text(
            json.dumps({**self.params, "first_file": str(self.first_file)}, ensure_ascii=False)
        )
        self.process = subprocess.Popen(
            [PYTHON, str(BENCH / "worker.py"), "province", str(params_file), str(self.out_file)],
            cwd=REPO,
            env=self.slot.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def first_half(self) -> dict:
        for line in self.process.stdout:
            if line.strip() == "READY":
                return json.loads(self.first_file.read_text())
            sys.stderr.write(line)
        self.process.wait()
        raise RuntimeError(f"bench/worker.py province failed (exit {self.process.returncode}); see above")

    def second_half(self) -> dict:
        self._finish("go")
        if self.process.returncode != 0 or not self.out_file.exists():
            raise RuntimeError(f"bench/worker.py province failed (exit {self.process.returncode}); see above")
        result = json.loads(self.out_file.read_text())
        if "error" in result:
            raise RuntimeError(result["error"])
        return result

    def _finish(self, word: str) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write(word + "\n")
                self.process.stdin.close()
            except OSError:
                pass
            for line in self.process.stdout:
                sys.stderr.write(line)
            self.process.wait()

    def __exit__(self, *exc_info) -> None:
        self._finish("stop")


class Server:
    """gunicorn serving the slot's database on a free loopback port, 2 sync workers, DEBUG off."""

    def __init__(self, slot: Slot, workers: int = 2):
        self.slot, self.workers = slot, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_file = slot.folder / f"gunicorn-{self.port}.log"

    def __enter__(self) -> Server:
        log_handle = self.log_file.open("wb")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "guatu.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=self.slot.env,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers, by this id
        )
        log_handle.close()
        try:
            wait_until_up(HOST, self.port, timeout=90, alive=lambda: self.process.poll() is None)
            deadline = time.monotonic() + 30
            while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
                time.sleep(0.1)
        except BaseException:
            self.stop()
            log(self.log_tail())
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The master's children, from /proc (their parent pid, field 4 of /proc/<pid>/stat)."""
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its workers have used so far, from /proc/<pid>/stat."""
        total = 0.0
        for pid in [self.process.pid, *self.worker_pids()] if self.process else []:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        return total

    def rss_mb(self) -> dict[str, float]:
        """Each worker's resident memory (VmRSS), in MB."""
        sizes = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[str(pid)] = round(int(line.split()[1]) / 1024, 1)
            except OSError:
                continue
        return sizes

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


# --- load runs (wrk) ------------------------------------------------------------------------------------------------


def wrk_version() -> str | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("[")[0].strip().removeprefix("wrk ").strip() or "?"


def wrk_start(
    url: str, cookie: str, *, seconds: int, connections: int, threads: int, computed: bool = False
) -> subprocess.Popen:
    """wrk on `url`; `computed` sends Cache-Control: no-cache, so that every answer is computed afresh
    (guatu.lib.response_cache) instead of kept."""
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "wrk.lua"),
            url,
        ],
        env={**os.environ, "BENCH_COOKIE": cookie, "BENCH_NO_CACHE": "1" if computed else "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wrk_result(process: subprocess.Popen, seconds: int) -> dict:
    stdout, stderr = process.communicate(timeout=seconds + 60)
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_WRK ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {process.returncode}): {stderr.strip() or stdout[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_WRK "))
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    duration = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": round(duration, 2),
        "rps": round(raw["requests"] / duration, 1) if duration else 0,
        "p50_ms": round(raw["latency_p50_us"] / 1000, 1),
        "p90_ms": round(raw["latency_p90_us"] / 1000, 1),
        "p99_ms": round(raw["latency_p99_us"] / 1000, 1),
        "max_ms": round(raw["latency_max_us"] / 1000, 1),
        "non2xx": raw["non2xx"],
        "cache_hits": raw["hits"],
        "socket_errors": socket_errors,
        "errors": socket_errors + raw["non2xx"],
        "raw": raw,
    }


CORES = os.cpu_count() or 1


def wrk_run(
    url: str,
    cookie: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
    server=None,
    computed: bool = False,
) -> dict:
    """One wrk run. With `server`, also where the CPU went: the app server's CPU per request (its workers' CPU
    time during the run ÷ the requests answered), wrk's own share, and the ceiling that CPU per request sets on
    this machine (cores ÷ CPU per request, were wrk to use none): the floor a faster machine or less work per
    request moves, not waiting or locking."""
    before = _cpu_snapshot(server)
    process = wrk_start(
        url, cookie, seconds=seconds, connections=connections, threads=threads, computed=computed
    )
    result = {**wrk_result(process, seconds), "connections": connections, "computed": computed}
    if server is not None and result["requests"]:
        after = _cpu_snapshot(server)
        app, wrk_cpu, busy, total = (after[i] - before[i] for i in range(4))
        per_request = app * 1000 / result["requests"]
        result["cpu"] = {
            "app_ms_per_request": round(per_request, 2),
            "ceiling_rps": round(CORES * 1000 / per_request, 1) if per_request else None,
            "wrk_share_pct": round(100 * wrk_cpu / (app + wrk_cpu), 1) if app + wrk_cpu else None,
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
        }
    return result


def _cpu_snapshot(server) -> tuple[float, float, float, float]:
    """(the app server's CPU seconds, this process's reaped children's CPU seconds — wrk once it has exited —,
    the machine's busy and total jiffies from /proc/stat)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    jiffies = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle, iowait
    return (
        server.cpu_seconds() if server is not None else 0.0,
        children.ru_utime + children.ru_stime,
        sum(jiffies) - idle,
        sum(jiffies),
    )


# --- the load average, sampled while the benchmark runs --------------------------------------------------------------


class LoadSampler(threading.Thread):
    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every, self.samples = every, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            try:
                self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))
            except OSError:
                pass
            if self.stopped.wait(self.every):
                return

    def summary(self) -> dict:
        if not self.samples:
            return {}
        return {
            "min": min(self.samples),
            "mean": round(sum(self.samples) / len(self.samples), 2),
            "max": max(self.samples),
            "samples": len(self.samples),
        }


def machine(db) -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    info = {
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "gunicorn": metadata.version("gunicorn"),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
    }
    if db.engine == "postgres":
        info["postgresql"] = db.version()
    return info


# --- the run -----------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    cfg: Config
    db: Sqlite | Postgres
    results: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def __post_init__(self):
        # The caches' keys, taken once: the code may change while the benchmark runs (other work in the
        # checkout), and a run measures the databases it built or found at its start.
        self.digests = {"migrations": migrations_digest(), "synth": synth_digest(), "demo": demo_digest()}

    def attempt(self, what: str, call, default=None):
        """A step that may fail without stopping the others: the error is kept for the report."""
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
            log(f"!! {what}: {exc}")
            traceback.print_exc(file=sys.stderr)
            self.errors.append({"step": what, "error": f"{type(exc).__name__}: {exc}"})
            return default

    # -- caches

    def ensure_empty(self) -> str:
        key = f"{self.db.engine}-empty-{self.digests['migrations']}"
        if not self.db.has(key):
            log(f"Migrating an empty database (cached as {key})...")
            slot = self.db.empty("empty", TODAY)
            try:
                worker("migrate", slot, {})
                self.db.save(slot, key)
            finally:
                self.db.drop(slot)
            _forget_older(key)
        return key

    def ensure_built(self, name: str, key: str, command: str, params: dict, today: str) -> dict:
        """The cached database `key` and what its build said, building it first when it is not there."""
        info_file = CACHE / f"{key}.json"
        if self.db.has(key) and info_file.exists():
            info = json.loads(info_file.read_text())
            info["cached"] = True
            return info
        empty = self.ensure_empty()
        log(f"Building {name} (cached as {key})...")
        started = time.perf_counter()
        slot = self.db.restore(empty, "build", today)
        try:
            info = worker(command, slot, params)
            info["build_seconds"] = round(time.perf_counter() - started, 1)
            self.db.save(slot, key)
        finally:
            self.db.drop(slot)
        info_file.write_text(json.dumps(info, ensure_ascii=False, indent=1))
        _forget_older(key)
        log(f"Built {name} in {info['build_seconds']:.0f} s")
        info["cached"] = False
        return info

    def province_key(self, counties: int) -> str:
        c = self.cfg
        return (
            f"{self.db.engine}-province-c{counties}-p{c.projects_per_county}-y{c.years}-s{SEED}-"
            f"{TODAY}-{self.digests['synth']}"
        )

    def build_province(self, counties: int) -> dict:
        c = self.cfg
        params = {
            "counties": counties,
            "projects_per_county": c.projects_per_county,
            "years": c.years,
            "seed": SEED,
            "end_year": END_YEAR,
        }
        return self.ensure_built(
            f"a province of {plural(counties, 'county', 'counties')}",
            self.province_key(counties),
            "build",
            params,
            TODAY,
        )

    # -- measuring one province

    def params(self, **extra) -> dict:
        c = self.cfg
        return {
            "runs": c.runs,
            "warmups": c.warmups,
            "heavy_warmups": c.heavy_warmups,
            "budget_s": c.budget_s,
            "min_runs": c.min_runs,
            **extra,
        }

    def http(self, session: Session, path: str, *, kept: bool = False) -> tuple[dict, bytes]:
        """Median and p95 of GET `path`: every answer computed afresh (Cache-Control: no-cache), the work itself.
        With `kept`, also the median of the answer the response cache keeps (guatu.lib.response_cache)."""
        c = self.cfg
        stats, body = measure(
            lambda: session.get_ok(path, {"Cache-Control": "no-cache"}),
            runs=c.runs,
            warmups=c.http_warmups,
            budget_s=c.budget_s,
            min_runs=c.min_runs,
        )
        stats.pop("cpu_median_ms", None)  # the client's, not the server's
        stats["bytes"] = len(body)
        if kept:
            hits, kept_body = measure(
                lambda: session.get_ok(path), runs=c.runs, warmups=2, budget_s=c.budget_s, min_runs=c.min_runs
            )
            stats["kept_median_ms"] = hits["median_ms"]
            stats["kept_same_body"] = kept_body == body
        return stats, body

    def measure_province(self, label: str, counties: int, info: dict, largest: bool) -> dict:
        size = {
            "label": label,
            "counties": counties,
            "projects": info.get("projects"),
            "reports": info.get("reports"),
            "schemes": info.get("schemes"),
            "cached": info.get("cached"),
            "build_seconds": info.get("build_seconds") or info.get("seconds"),
        }
        figures = size["figures"] = {}
        log(
            f"== {label}: {plural(counties, 'county', 'counties')}, {info.get('projects')} projects, "
            f"{info.get('reports')} reports"
        )
        slot = self.db.restore(self.province_key(counties), f"c{counties}", TODAY)
        try:
            with WorkerSession(slot, self.params(synth=info)) as session:
                inproc = self.attempt(f"{label}: in-process figures", session.first_half)
                if inproc:
                    size.update(
                        period=inproc["period"],
                        list_query=inproc["list_query"],
                        list_matching=inproc["list_matching"],
                        score_period=inproc["score_period"],
                        counted_projects=inproc["counted_projects"],
                        county_projects=inproc["county_projects"],
                    )
                    for key in (
                        "floor_root",
                        "floor_county",
                        "battlemap_root_sql",
                        "battlemap_county_sql",
                        "list_queries",
                        "scoring_county",
                        "scoring_province",
                        "bulletin",
                    ):
                        figures[key] = inproc[key]
                        if "error" in inproc[key]:
                            self.errors.append({"step": f"{label}: {key}", "error": inproc[key]["error"]})
                    size["list_rows"] = inproc["list_queries"].get("rows")
                    self.attempt(
                        f"{label}: pages through gunicorn",
                        lambda: self.measure_http(slot, info, inproc, figures, largest),
                    )
                imported = self.attempt(f"{label}: workbook import", session.second_half)
            if imported:
                figures["import"] = {
                    **imported["import"],
                    "rows": imported["rows"],
                    "first": imported["first"],
                }
                figures["openpyxl"] = {**imported["openpyxl"], "rows": imported["rows"]}
                size["import_rows"] = imported["rows"]
        finally:
            if not env_flag("BENCH_KEEP"):
                self.db.drop(slot)
        return size

    def measure_http(self, slot: Slot, info: dict, inproc: dict, figures: dict, largest: bool) -> None:
        period, root, county = inproc["period"], info["province_pk"], info["county_pk"]
        with Server(slot) as server:
            province = Session(HOST, server.port)
            province.login(info["province_reviewer"], info["password"])
            local = Session(HOST, server.port)
            local.login(info["county_reviewer"], info["password"])
            summary = "/api/v1/investment/summary?period={period}&unit={unit}"
            battlemap = "/api/v1/battlemap?unit={unit}&period={period}"
            bodies = {}
            for key, session, path in (
                ("summary_root", province, summary.format(period=period, unit=root)),
                ("summary_county", local, summary.format(period=period, unit=county)),
                ("list", province, f"/projects/?{inproc['list_query']}"),
                ("battlemap_root", province, battlemap.format(period=period, unit=root)),
                ("battlemap_county", local, battlemap.format(period=period, unit=county)),
            ):
                measured = self.attempt(
                    f"{key} through gunicorn",
                    lambda session=session, path=path, key=key: self.http(session, path, kept=key != "list"),
                )
                if measured is None:
                    figures[key] = {"error": self.errors[-1]["error"], "path": path}
                    continue
                stats, bodies[key] = measured
                figures[key] = {**stats, "path": path}
                kept = f"; kept {stats['kept_median_ms']:.1f} ms" if "kept_median_ms" in stats else ""
                log(
                    f"   {key}: {stats['median_ms']:.1f} ms (p95 {stats['p95_ms']:.1f}, {stats['runs']} runs){kept}"
                )
            for scope in ("root", "county"):
                floor = figures.get(f"floor_{scope}", {})
                if "totals" not in floor or f"summary_{scope}" not in bodies:
                    continue
                try:
                    api = api_totals(bodies[f"summary_{scope}"])
                except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                    floor["same_as_api"], floor["api_totals"] = False, f"unreadable: {exc!r}"
                    continue
                floor["same_as_api"] = floor["totals"] == api
                if not floor["same_as_api"]:
                    floor["api_totals"] = api
                    log(
                        f"!! the floor query and the summary API disagree ({scope}): {floor['totals']} != {api}"
                    )
            if largest:
                township = info.get("township_pk")
                self.attempt(
                    "load runs", lambda: self.load_runs(server, slot, local, period, county, township, bodies)
                )

    def load_runs(
        self,
        server: Server,
        slot: Slot,
        session: Session,
        period: str,
        county: int,
        township: int,
        bodies: dict,
    ):
        c = self.cfg
        if wrk_version() is None:
            self.results["load"] = {"skipped": "wrk is not installed (apt-get install wrk; make bench does)"}
            return
        base = f"http://{HOST}:{server.port}"
        summary = f"/api/v1/investment/summary?period={period}&unit={county}"
        battlemap = f"/api/v1/battlemap?unit={county}&period={period}"
        load = self.results["load"] = {
            "seconds": c.wrk_seconds,
            "connections": c.wrk_connections,
            "workers": server.workers,
        }
        cookie = session.cookie_header()
        # As deployed, the dashboards' answers are kept between writes (guatu.lib.response_cache): the target runs.
        # Beside them, the same endpoints with every answer computed afresh, and one township (a few projects,
        # computed): what a request costs with almost nothing to add up.
        runs = [
            ("summary_county", summary, False),
            ("battlemap_county", battlemap, False),
            ("summary_county_computed", summary, True),
            ("battlemap_county_computed", battlemap, True),
        ]
        if township:
            runs.append(
                ("summary_township", f"/api/v1/investment/summary?period={period}&unit={township}", True)
            )
        for key, path, computed in runs:
            log(f"   wrk {key}: {c.wrk_connections} connections, {c.wrk_seconds} s...")
            load[key] = wrk_run(
                base + path,
                cookie,
                seconds=c.wrk_seconds,
                connections=c.wrk_connections,
                server=server,
                computed=computed,
            )
            cpu = load[key].get("cpu", {})
            log(
                f"   wrk {key}: {load[key]['rps']} requests/s, p99 {load[key]['p99_ms']} ms, "
                f"{load[key]['cache_hits']} answers kept, "
                f"{load[key]['errors']} errors; {cpu.get('app_ms_per_request')} ms of app CPU a request "
                f"(ceiling {cpu.get('ceiling_rps')}/s), wrk {cpu.get('wrk_share_pct')}% of the CPU, machine "
                f"{cpu.get('machine_busy_pct')}% busy"
            )
        load["rss_mb"] = server.rss_mb()
        log(f"   worker memory after the load runs: {load['rss_mb']} MB")
        if self.db.engine == "postgres":
            self.attempt("two app servers", lambda: self.two_servers(server, slot, session, summary, bodies))

    def two_servers(self, first: Server, slot: Slot, session: Session, path: str, bodies: dict) -> None:
        """A second gunicorn on the same PostgreSQL database: both answer what the single server answered, and
        the load is spread over both (two wrk at once, half the connections each), every answer computed afresh:
        the database's work is what two servers share."""
        c = self.cfg
        with Server(slot) as second:
            same = {}
            for name, server in (("first", first), ("second", second)):
                other = Session(HOST, server.port)
                other.cookies = dict(session.cookies)  # one session, in the shared database
                same[name] = other.get_ok(path) == bodies["summary_county"]
            half = max(1, c.wrk_connections // 2)
            log(f"   two servers: wrk on each, {half} connections, {c.wrk_seconds} s...")
            processes = [
                wrk_start(
                    f"http://{HOST}:{server.port}{path}",
                    session.cookie_header(),
                    seconds=c.wrk_seconds,
                    connections=half,
                    threads=1,
                    computed=True,
                )
                for server in (first, second)
            ]
            runs = [wrk_result(process, c.wrk_seconds) for process in processes]
            self.results["load"]["two_servers"] = {
                "same_body": same,
                "connections_each": half,
                "rps": round(sum(run["rps"] for run in runs), 1),
                "p99_ms": max(run["p99_ms"] for run in runs),
                "errors": sum(run["errors"] for run in runs),
                "each": runs,
                "rss_mb": {**first.rss_mb(), **second.rss_mb()},
            }
            log(
                f"   two servers: {self.results['load']['two_servers']['rps']} requests/s, same answers: {same}"
            )

    # -- the demo county

    def measure_demo(self) -> None:
        key = f"{self.db.engine}-demo-{DEMO_DAY}-{self.digests['demo']}"
        info = self.ensure_built("the demo county", key, "demo", {}, DEMO_DAY)
        slot = self.db.restore(key, "demo", DEMO_DAY)
        try:
            log("== the demo county's pages (in process, test client)")
            pages = worker("pages", slot, self.params())
            self.results["demo"] = {
                "pages": pages["pages"],
                "cached": info.get("cached"),
                "build_seconds": info.get("build_seconds"),
            }
        finally:
            if not env_flag("BENCH_KEEP"):
                self.db.drop(slot)


def api_totals(body: bytes) -> dict:
    """The summary API's rows as the floor query gives them: tag → [projects, plan cents, year-to-date cents]."""
    rows = json.loads(body)["rows"]
    return {
        row["tag"]: [
            row["projects"],
            int(Decimal(row["annual_plan"]) * 100),
            int(Decimal(row["ytd_completed"]) * 100),
        ]
        for row in rows
        if row["projects"]
    }


def _forget_older(key: str) -> None:
    """Remove the cache files of earlier versions of the same build (same name up to the digest)."""
    stem = key.rsplit("-", 1)[0]
    for path in CACHE.glob(f"{stem}-*"):
        if not path.name.startswith(key + "."):
            path.unlink(missing_ok=True)


def main() -> int:
    if env_flag("BENCH_REPORT_ONLY"):
        report.write_markdown()
        return 0
    cfg = config()
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="guatu-bench-"))
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            f"bench: DATABASE_URL is not a PostgreSQL URL ({url.split(':')[0]}); unset it for SQLite"
        )
    db = Postgres(work, url) if url else Sqlite(work)
    run = Run(cfg, db)
    sampler = LoadSampler()
    sampler.start()
    started, started_at = time.perf_counter(), datetime.now().astimezone()
    log(
        f"Guatu benchmark on {db.label}{' (BENCH_QUICK)' if cfg.quick else ''}: {cfg.runs} runs a figure, "
        f"load runs of {cfg.wrk_seconds} s; working folder {work}"
    )
    try:
        sizes = []
        for label, counties in cfg.sizes:
            info = run.build_province(counties)
            sizes.append((label, counties, info))
        run.results["sizes"] = [
            run.measure_province(label, counties, info, largest=(label == cfg.sizes[-1][0]))
            for label, counties, info in sizes
        ]
        run.attempt("the demo county", run.measure_demo)
    finally:
        sampler.stopped.set()
        if env_flag("BENCH_KEEP"):
            log(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results = {
        "database": db.engine,
        "label": db.label,
        "quick": cfg.quick,
        "date": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(db),
        "load_average": sampler.summary(),
        "config": {**cfg.__dict__, "seed": SEED, "end_year": END_YEAR, "today": TODAY, "demo_day": DEMO_DAY},
        **run.results,
        "errors": run.errors,
    }
    results["targets"] = report.evaluate(results)
    path = report.results_file(db.engine)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    print(report.console(results))
    report.write_markdown()
    log(f"Wrote {path.relative_to(REPO)} and docs/performance.md in {results['seconds']:.0f} s")
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
