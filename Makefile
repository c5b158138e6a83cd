# Guatu (挂图). `make run` to try it on this machine, `make test` before you push. Needs GNU make.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
GUATU := $(BIN)/guatu
# Touched after each install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.guatu-installed
HOST ?= 127.0.0.1:8000
# Two pytest-xdist workers (2 cores). The suite on a fresh clone (2026-12-03, evening): SQLite 2,346 tests in 252 s
# (with the browser tests and the authorisation matrix), PostgreSQL 2,121 in 202 s (without them), the replica step
# 4 s; all of `.ci/run` took 8 min 46 s, the venv and its install (40 s) included. PYTEST_ARGS="-q" runs serially.
PYTEST_ARGS ?= -q -n 2 --dist worksteal --durations=5
# The development database and secret key live here (see README: GUATU_DATA_DIR).
export GUATU_DATA_DIR ?= $(CURDIR)/var
# Tests get a data folder of their own and never a DATABASE_URL from the caller's environment.
TEST_ENV := env -u DATABASE_URL GUATU_DATA_DIR=$(CURDIR)/var/test

.PHONY: help install run demo test test-sqlite test-postgres test-replica system-deps lint check-migrations messages \
	bench bench-postgres clean distclean

help:
	@echo "make run              install, migrate, load the demo data, serve on http://$(HOST)/ (DEBUG) with a job worker"
	@echo "make test             lint, migration check, the whole suite on SQLite and on PostgreSQL 15"
	@echo "make test-sqlite      the suite on SQLite only (PYTEST_ARGS='-q -k summary' to narrow it)"
	@echo "make test-postgres    the suite on a throwaway PostgreSQL 15 cluster only"
	@echo "make test-replica     the read-replica router against a throwaway primary and streaming standby"
	@echo "make bench            province-scale benchmark on SQLite, writes docs/performance.md (BENCH_QUICK=1: minutes)"
	@echo "make bench-postgres   the same benchmark on a throwaway PostgreSQL 15 cluster"
	@echo "make messages         makemessages + compilemessages for every app with a locale folder"
	@echo "make lint             ruff check"
	@echo "make clean            caches and test leftovers (keeps .venv and the database in var/)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
		echo "Guatu needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(STAMP)

# Whether `make run` runs `guatu demo`: exit 0 for an empty database (load the demo), 2 when the demo is
# loaded already (the command then only prints the logins again), 1 when the database holds other data.
define DEMO_STATE
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guatu.settings")
django.setup()
from guatu.projects.models import Project
if not Project.objects.exists():
    raise SystemExit(0)
try:
    from guatu.demo.loader import loaded_root
    demo_loaded = loaded_root() is not None
except Exception:
    demo_loaded = False
raise SystemExit(2 if demo_loaded else 1)
endef
export DEMO_STATE

# The app reads the demo as on its day, guatu/demo/data.py's DEMO_DAY (guatu/demo/tests/test_demo.py checks
# that these two lines say the same day).
run: export GUATU_TODAY ?= 2022-04-24
run: $(STAMP)
	DEBUG=true $(GUATU) migrate --noinput
	@state=0; DEBUG=true $(BIN)/python -c "$$DEMO_STATE" || state=$$?; \
	case $$state in \
		0) echo "Empty database: loading the Lengshuijiang demo data."; DEBUG=true $(GUATU) demo ;; \
		2) DEBUG=true $(GUATU) demo ;; \
		*) echo "The database holds projects that are not the demo's: demo data not loaded." ;; \
	esac
	@echo "Serving on http://$(HOST)/ with a background worker for long documents (Ctrl-C stops both)"
	@DEBUG=true $(GUATU) db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DEBUG=true $(GUATU) runserver $(HOST)

demo: export GUATU_TODAY ?= 2022-04-24
demo: $(STAMP)
	DEBUG=true $(GUATU) migrate --noinput
	DEBUG=true $(GUATU) demo

# Every step runs even when an earlier one fails, so that one run shows everything that is wrong. (Running the
# two suites side by side was measured slower, 8 min 9 s against 7 min 26 s: both are CPU-bound on 2 cores.)
test: $(STAMP) system-deps
	@failed=""; \
	for step in lint check-migrations test-sqlite test-postgres test-replica; do \
		$(MAKE) $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: lint, migrations, SQLite, PostgreSQL and the replica all passed"

system-deps:
	@scripts/install-test-deps.sh

test-sqlite: $(STAMP)
	@echo "== pytest on SQLite"
	$(TEST_ENV)-sqlite $(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive pages whose every query the page tests already run on both databases; Chromium adds
# nothing database-specific, so they run once, on SQLite. So does the authorisation matrix (1,845 persona-page
# answers, ~50 s of a worker): it checks the gateway's decisions, whose queries every app's own access tests run
# on both databases (PG_PYTEST_ARGS="" runs both on PostgreSQL too).
PG_PYTEST_ARGS ?= -m "not browser and not matrix"
test-postgres: $(STAMP)
	@echo "== pytest on PostgreSQL 15 (browser tests: on SQLite)"
	$(TEST_ENV)-postgres scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS) $(PG_PYTEST_ARGS)

# The read-replica router against a real primary and hot standby (docs/scaling.md), a few seconds.
test-replica: $(STAMP)
	@echo "== pytest against a PostgreSQL 15 primary and its streaming replica"
	$(TEST_ENV)-postgres scripts/with-replica.sh $(BIN)/pytest -q -p no:xdist -m replica guatu/ops/tests/test_replica.py

lint: $(STAMP)
	@echo "== ruff check"
	$(BIN)/ruff check .
	@echo "== bandit (medium and high findings; each exception is a # nosec with its reason)"
	$(BIN)/bandit -q -r guatu -x "*/tests/*,guatu/testing.py" -ll

check-migrations: $(STAMP)
	@echo "== makemigrations --check"
	$(TEST_ENV) $(GUATU) makemigrations --check --dry-run

messages: $(STAMP)
	@for locale in guatu/*/locale; do \
		app="$${locale%/locale}"; echo "== $$app"; \
		( cd "$$app" && export DJANGO_SETTINGS_MODULE=guatu.settings PYTHONPATH="$(CURDIR)" \
		  && "$(CURDIR)/$(BIN)/django-admin" makemessages -l zh_Hans \
		  && "$(CURDIR)/$(BIN)/django-admin" compilemessages -l zh_Hans ); \
	done

# The benchmark (bench/run.py, docs/performance.md): not part of `make test`. Its load runs need wrk, installed
# here with apt-get when missing (as root, like scripts/install-test-deps.sh); the built provinces are cached in
# var/bench/.
define BENCH_WRK
command -v wrk >/dev/null 2>&1 || { \
	if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk (the benchmark's load runs)"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; \
	else \
		echo "make bench: wrk is missing; install it as root: apt-get install wrk" >&2; exit 1; \
	fi; }
endef

bench: $(STAMP)
	@$(BENCH_WRK)
	env -u DATABASE_URL $(BIN)/python bench/run.py

bench-postgres: $(STAMP)
	@$(BENCH_WRK)
	scripts/with-postgres.sh $(BIN)/python bench/run.py

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis test-results build dist var/test var/test-sqlite var/test-postgres

distclean: clean
	rm -rf $(VENV)
