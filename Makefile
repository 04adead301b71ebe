# Home-Start records: run the demo, run the tests.
#
#   make run    serve the demo at http://127.0.0.1:8000 (SQLite, demo users)
#   make test   lint, type check, migration check, deploy check, unit/integration suite, browser suite
#   make e2e    browser suite only (needs Chromium at /usr/bin/chromium)
#   make screenshots  PNGs of each role's home, the referral form's errors and a family file (docs/screenshots/)
#   make lint   ruff
#   make policy-map  write docs/policy-map.md (clause -> enforcement -> tests)
#   make typecheck  mypy with django-stubs over the apps
#
# Python 3.11, 3.12 or 3.13: the newest of python3.13, python3.12, python3.11 found
# on PATH that can make a virtualenv, or PYTHON=/path/to/python.
# Everything is installed into .venv from the lock file requirements/lock.txt (every
# package of the tree pinned, with hashes; `make lock` regenerates it from
# pyproject.toml); the install is redone only when the lock or pyproject.toml changes
# (a stamp file named after their hash).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The first of these that runs and has venv/ensurepip (Debian splits them out).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.13 python3.12 python3.11; do \
  if $$p -c 'import venv, ensurepip' > /dev/null 2>&1; then echo $$p; break; fi; done)
endif
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
# CI=true (as CI sets it): the browser tests always run, and fail without Chromium.
IN_CI := $(filter-out 0 false no,$(CI))
# Extra arguments for the unit/integration pytest run, e.g. PYTEST_ARGS=--create-db
PYTEST_ARGS ?=
# The unit/integration suite runs in parallel (pytest-xdist): one process per core by
# default, each with its own test database (test_<name>_gw0, ...) and key store.
# PYTEST_WORKERS=0 runs it in one process; PYTEST_ARGS still passes any option.
PYTEST_WORKERS ?= auto
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist worksteal

LOCK := requirements/lock.txt
DEPS_HASH := $(shell cat $(LOCK) requirements/installer.txt pyproject.toml | sha256sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(DEPS_HASH)
# The installer, uv, pinned with hashes: it installs the lock (make venv) and regenerates it (make lock).
INSTALLER := requirements/installer.txt

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The checks and tests use the test settings (fixed throwaway keys), never the
# developer's .local/dev-keys.json.
TEST_ENV := DJANGO_SETTINGS_MODULE=homestart.settings_test

.PHONY: help run test unit e2e screenshots lint typecheck migrations-check deploy-check venv venv-test clean-venv bench load simulate \
  load-cluster bench-access-log \
  lock demo-check policy-map messages

help:
	@echo "make run    - install, migrate, seed the demo and serve it at http://127.0.0.1:8000"
	@echo "make test   - lint, type, migration and deploy checks, unit/integration tests, then browser tests"
	@echo "make unit   - unit/integration tests only (PYTEST_ARGS=... passes options)"
	@echo "make e2e    - browser tests only (Chromium at $(CHROMIUM))"
	@echo "make screenshots - PNGs of each role's home, the referral form's errors and a family file, desktop and phone (docs/screenshots/)"

	@echo "make policy-map - write docs/policy-map.md from homestart/policy_table.py and the tests' policy markers"
	@echo "make lint   - ruff check . and ruff format --check ."
	@echo "make typecheck - mypy with django-stubs over the apps ([tool.mypy] in pyproject.toml)"
	@echo "make bench  - benchmarks on PostgreSQL (docs/performance.md); make load - load test after it"
	@echo "make load-cluster - the load test across SERVERS=2 gunicorn servers behind HAProxy, with Redis"
	@echo "make deploy-check - Django's deploy check under production settings (dummy keys)"
	@echo "make simulate - a long simulated life of a scheme (SIMULATE_EXAMPLES, SIMULATE_STEPS size it)"
	@echo "make demo-check - install, migrate and seed a throwaway demo, manage.py check, fetch the sign-in page"
	@echo "make lock   - regenerate requirements/lock.txt from pyproject.toml (Python 3.11 to 3.13)"
	@echo "Python: $(or $(PYTHON),none found) (PYTHON=... to choose; 3.11, 3.12 and 3.13 are supported)"

# --- virtualenv -------------------------------------------------------------

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.13, 3.12 or 3.11 with venv found: install one (Debian/Ubuntu: python3-venv)," \
	    "or give PYTHON=/path/to/python3.x."; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# The whole tree from the lock (hash-checked), then the project itself without
# dependencies: pyproject.toml has `packages = []`, the project runs from the checkout.
# The installer is uv (requirements/installer.txt, hash-checked by pip): it installs the
# lock in a second or two from its cache where pip took 20 s of CPU (byte-compiling
# everything it installed; uv leaves that to the first import), which every new
# virtualenv pays: a newcomer's `make run`, CI's and each demo check's.
$(STAMP): | $(BIN)/python
	@echo "Installing the locked dependencies into $(VENV) ($(LOCK) changed or first run)..."
	$(BIN)/python -m pip install -qq --require-hashes -r $(INSTALLER)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes -r $(LOCK)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

venv venv-test: $(STAMP)

# Every package of the tree, for every supported Python and platform, with hashes.
lock: | $(BIN)/python
	$(BIN)/python -m pip install -qq --require-hashes -r $(INSTALLER)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --generate-hashes \
	  --quiet -o $(LOCK)

clean-venv:
	rm -rf $(VENV)

# --- the demo ----------------------------------------------------------------

# DEBUG=1 with no keys in the environment: every process uses the same
# untracked development keys in .local/dev-keys.json (homestart/settings.py).
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# --- checks and tests --------------------------------------------------------

# The demo on this Python, away from the developer's own: install, migrate and seed a
# throwaway SQLite database with its own development keys, `manage.py check`, serve it
# and fetch the sign-in page (CI runs it on each supported Python the suites skip).
demo-check: $(STAMP)
	$(BIN)/python tools/demo_check.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# docs/policy-map.md: every clause, how it is enforced, the tests marked with it (homestart/policy_map.py).
# tests/homestart/test_policy_map.py fails when the file is stale.
policy-map: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py policy_map --write

# Welsh (docs/welsh.md): gather the strings marked for translation into locale/cy/.../django.po,
# then compile django.mo, which is committed so that a clone needs no gettext tools.
# Needs GNU gettext (apt-get install gettext). tests/homestart/test_welsh.py fails when
# the committed .mo does not hold exactly the .po's translations.
MAKEMESSAGES_IGNORE := --ignore='frontend/*' --ignore='static/*' --ignore='staticfiles/*' --ignore='tests/*' --ignore='benchmarks/*'
messages: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l cy --no-location $(MAKEMESSAGES_IGNORE)
	$(TEST_ENV) $(BIN)/python manage.py compilemessages -l cy --ignore='.venv*'

# The apps, with the django-stubs plugin (it loads the test settings); the modules and
# the strictness are in pyproject.toml, [tool.mypy].
typecheck: $(STAMP)
	$(TEST_ENV) $(BIN)/mypy

migrations-check: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Django's deployment checklist under the production settings (DEBUG off, HTTPS,
# HSTS, __Host- cookies...), failing on any warning. The keys are dummies of the
# right shape, for this check only; nothing is served and no database is opened.
DEPLOY_ENV := env -u DATABASE_URL -u REDIS_URL -u TRUSTED_PROXY_COUNT -u TWO_FACTOR_REQUIRED \
  -u SECURE_SSL_REDIRECT -u BEHIND_TLS_PROXY -u HOMESTART_DEV_KEYS_FILE -u KEY_STORE_DIR \
  DJANGO_SETTINGS_MODULE=homestart.settings DEBUG=0 \
  SECRET_KEY=deploy-check-only-not-a-real-secret-0123456789-abcdefghijklmnop \
  FIELD_ENCRYPTION_KEYS=ci1:ZGVwbG95LWNoZWNrLW9ubHktbWFzdGVyLWtleS0wMDA= \
  BLIND_INDEX_KEY=ZGVwbG95LWNoZWNrLW9ubHktYmxpbmQtaW5kZXgtMDA= \
  BACKUP_KEY=ZGVwbG95LWNoZWNrLW9ubHktYmFja3VwLWtleS0wMDA= \
  KEY_STORE_DIR=/var/lib/homestart/keystore \
  ALLOWED_HOSTS=records.example.org CSRF_TRUSTED_ORIGINS=https://records.example.org

deploy-check: $(STAMP)
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# pytest exits 5 when it collects no test; that is reported, not a failure.
unit: $(STAMP)
	@rc=0; $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "Notice: no unit/integration tests were collected under tests/."; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# The browser suite runs in its own pytest process: the project's addopts
# ignore tests/e2e, so they are replaced here (keeping --strict-markers).
# Two processes, each with its own live server, database and Chromium: a browser test spends most
# of its time waiting (the browser on the server, the server on the browser), so two share two
# cores well; the minute-long form walk is marked heavy and starts first. E2E_WORKERS=0: one process.
E2E_WORKERS ?= 2
e2e: $(STAMP)
	E2E_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/e2e -p no:cacheprovider -o addopts="--strict-markers" \
	  -n $(E2E_WORKERS) --dist worksteal $(E2E_ARGS)

# The seeded demo on the live server, through the browser suite's Chromium and fixtures (each page
# also checked with axe-core); tests/e2e/screenshots.py says which pages.
screenshots: $(STAMP)
	E2E_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/e2e/screenshots.py -p no:cacheprovider -o addopts="--strict-markers" -q

# Lint, type, migration and deploy checks first, then the unit/integration suite, then the
# browser suite; each phase's time is printed after it, and all three at the end.
# Locally, without Chromium, the browser suite is skipped with a notice; in CI (CI=true)
# it always runs, and fails without Chromium.
test: $(STAMP)
	@SECONDS=0; $(MAKE) --no-print-directory lint typecheck migrations-check deploy-check; checks=$$SECONDS; \
	echo "--- make test: lint, type, migration and deploy checks took $$checks s"; \
	if [ ! -x "$(CHROMIUM)" ] && [ -z "$(IN_CI)" ]; then \
	  echo "Notice: Chromium is not installed at $(CHROMIUM), so the browser tests (tests/e2e) will be SKIPPED."; \
	  echo "        Install it with 'sudo apt-get install chromium' (Debian/Ubuntu) and run 'make e2e'."; \
	fi; \
	SECONDS=0; $(MAKE) --no-print-directory unit; unit=$$SECONDS; \
	echo "--- make test: unit/integration suite took $$unit s"; \
	browser=skipped; \
	if [ -x "$(CHROMIUM)" ] || [ -n "$(IN_CI)" ]; then \
	  SECONDS=0; $(MAKE) --no-print-directory e2e; browser="$$SECONDS s"; \
	  echo "--- make test: browser suite took $$browser"; \
	fi; \
	echo "--- make test: checks $$checks s, unit/integration $$unit s, browser $$browser"

# --- benchmarks (PostgreSQL) ---------------------------------------------------

# Drops and recreates the database named in DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/homestart_bench), fills it to 10, 1,000 and
# 100,000 families and 10 million access events, and prints p50/p95, queries per
# request and the ratio to a plain Django view. BENCH_ARGS=--sizes 10,1000 for less.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --fresh $(BENCH_ARGS)

# gunicorn (2 workers) on the largest benchmark database, locust with 50 people for
# 60 s; locust lives in its own virtualenv (gevent stays out of the application).
LOAD_VENV := .venv-load
LOAD_ARGS ?=
$(LOAD_VENV)/.installed-$(shell sha256sum benchmarks/requirements-load.txt | cut -c1-12):
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install -qq -r benchmarks/requirements-load.txt
	touch $@
load: $(STAMP) $(LOAD_VENV)/.installed-$(shell sha256sum benchmarks/requirements-load.txt | cut -c1-12)
	$(BIN)/python -m benchmarks.load $(LOAD_ARGS)

# The same load test across several servers: SERVERS gunicorn servers (2 workers each)
# behind HAProxy (Debian: apt-get install haproxy), sharing PostgreSQL and a Redis started
# for the run; first checks that sessions, re-authentication, lockouts, per-person
# limits and one-time form tokens hold whichever server answers. Exit status 1 on any failed request.
SERVERS ?= 2
load-cluster: $(STAMP) $(LOAD_VENV)/.installed-$(shell sha256sum benchmarks/requirements-load.txt | cut -c1-12)
	$(BIN)/python -m benchmarks.load --servers $(SERVERS) $(LOAD_ARGS)

# "Who opened this file" with tens of millions of access events in monthly partitions
# (benchmarks/access_log_scale.py; ACCESS_LOG_ARGS=--events 100000000 for 10^8).
ACCESS_LOG_ARGS ?=
bench-access-log: $(STAMP)
	$(BIN)/python -m benchmarks.access_log_scale $(ACCESS_LOG_ARGS)

# --- the simulation of a scheme's life ------------------------------------------

# A long, randomized run of tests/simulation (the unit suite runs a short fixed one) that
# prints what it did. SIMULATE_EXAMPLES (default 20) runs of SIMULATE_STEPS (default 60)
# steps; SIMULATE_SEED=n replays a run; SIMULATE_PAGES=n walks n queued pages a step (0: all).
simulate: $(STAMP)
	$(TEST_ENV) SIMULATE_PROFILE=long SIMULATE_REPORT=1 $(BIN)/python -m pytest tests/simulation/test_scheme_year.py \
	  -p no:cacheprovider -s -q $(PYTEST_ARGS)
