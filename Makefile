# Home-Start records: run the demo, run the tests.
#
#   make run    serve the demo at http://127.0.0.1:8000 (SQLite, demo users)
#   make test   lint, migration check, deploy check, unit/integration suite, browser suite
#   make e2e    browser suite only (needs Chromium at /usr/bin/chromium)
#   make lint   ruff
#
# Everything is installed into .venv from pyproject.toml; the install is redone
# only when pyproject.toml changes (a stamp file named after its hash).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
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

DEPS_HASH := $(shell sha256sum pyproject.toml | cut -c1-12)
STAMP_RUN := $(VENV)/.installed-run-$(DEPS_HASH)
STAMP_TEST := $(VENV)/.installed-test-$(DEPS_HASH)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The checks and tests use the test settings (fixed throwaway keys), never the
# developer's .local/dev-keys.json.
TEST_ENV := DJANGO_SETTINGS_MODULE=homestart.settings_test

.PHONY: help run test unit e2e lint migrations-check deploy-check venv venv-test clean-venv bench load simulate \
  demo-check

help:
	@echo "make run    - install, migrate, seed the demo and serve it at http://127.0.0.1:8000"
	@echo "make test   - lint, migration and deploy checks, unit/integration tests, then browser tests"
	@echo "make unit   - unit/integration tests only (PYTEST_ARGS=... passes options)"
	@echo "make e2e    - browser tests only (Chromium at $(CHROMIUM))"
	@echo "make lint   - ruff check ."
	@echo "make bench  - benchmarks on PostgreSQL (docs/performance.md); make load - load test after it"
	@echo "make deploy-check - Django's deploy check under production settings (dummy keys)"
	@echo "make simulate - a long simulated life of a scheme (SIMULATE_EXAMPLES, SIMULATE_STEPS size it)"
	@echo "make demo-check PYTHON=python3.13 VENV=/tmp/demo - install, migrate, seed and serve the demo with that Python"

# --- virtualenv -------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `pip install -e .` installs only the pinned dependencies: pyproject.toml has
# `packages = []`, the project itself runs from the checkout.
$(STAMP_RUN): | $(BIN)/python
	@echo "Installing dependencies into $(VENV) (pyproject.toml changed or first run)..."
	$(BIN)/python -m pip install -qq -e .
	rm -f $(VENV)/.installed-run-*
	touch $@

$(STAMP_TEST): | $(BIN)/python
	@echo "Installing dependencies and test tools into $(VENV) (pyproject.toml changed or first run)..."
	$(BIN)/python -m pip install -qq -e '.[test]'
	rm -f $(VENV)/.installed-run-* $(VENV)/.installed-test-*
	touch $@ $(STAMP_RUN)

venv: $(STAMP_RUN)
venv-test: $(STAMP_TEST)

clean-venv:
	rm -rf $(VENV)

# --- the demo ----------------------------------------------------------------

# DEBUG=1 with no keys in the environment: every process uses the same
# untracked development keys in .local/dev-keys.json (homestart/settings.py).
run: $(STAMP_RUN)
	DEBUG=1 $(BIN)/python manage.py migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The newcomer's path with another Python, checked without keeping anything:
#   make demo-check PYTHON=python3.13 VENV=/tmp/demo-3.13
# creates VENV with PYTHON, installs the pinned dependencies, migrates a SQLite
# database in VENV, seeds the demo and checks that the server answers the sign-in
# page. The database, development keys and key store live in VENV/demo, never in
# the checkout; remove VENV afterwards. CI runs it for each other Python it finds.
DEMO_CHECK_DIR = $(abspath $(VENV))/demo
DEMO_CHECK_ENV := env -u DATABASE_URL -u REDIS_URL -u SECRET_KEY -u FIELD_ENCRYPTION_KEYS -u BLIND_INDEX_KEY \
  -u BACKUP_KEY -u KEY_STORE_DIR -u DJANGO_SETTINGS_MODULE -u HOMESTART_TEST_KEY_STORE_OF DEBUG=1 \
  DATABASE_URL=sqlite:///$(DEMO_CHECK_DIR)/db.sqlite3 HOMESTART_DEV_KEYS_FILE=$(DEMO_CHECK_DIR)/dev-keys.json
demo-check: $(STAMP_RUN)
	@mkdir -p $(DEMO_CHECK_DIR)
	@echo "demo-check: $$($(BIN)/python --version) in $(VENV)"
	$(DEMO_CHECK_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(DEMO_CHECK_ENV) $(BIN)/python manage.py seed_demo > $(DEMO_CHECK_DIR)/seed.log
	@port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	$(DEMO_CHECK_ENV) $(BIN)/python manage.py runserver --noreload 127.0.0.1:$$port > $(DEMO_CHECK_DIR)/server.log 2>&1 & \
	server=$$!; rc=0; $(BIN)/python .ci/sign_in_served.py "http://127.0.0.1:$$port/sign-in/" || rc=$$?; \
	kill $$server 2> /dev/null || true; wait $$server 2> /dev/null || true; \
	if [ $$rc -ne 0 ]; then tail -20 $(DEMO_CHECK_DIR)/server.log; fi; exit $$rc

# --- checks and tests --------------------------------------------------------

lint: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: $(STAMP_TEST)
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

deploy-check: $(STAMP_TEST)
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# pytest exits 5 when it collects no test; that is reported, not a failure.
unit: $(STAMP_TEST)
	@rc=0; $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "Notice: no unit/integration tests were collected under tests/."; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# The browser suite runs in its own pytest process: the project's addopts
# ignore tests/e2e, so they are replaced here (keeping --strict-markers).
e2e: $(STAMP_TEST)
	E2E_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/e2e -p no:cacheprovider -o addopts="--strict-markers"

# Lint, migration and deploy checks first, then the unit/integration suite, then the
# browser suite; each phase's time is printed after it, and all three at the end.
# Locally, without Chromium, the browser suite is skipped with a notice; in CI (CI=true)
# it always runs, and fails without Chromium.
test: $(STAMP_TEST)
	@SECONDS=0; $(MAKE) --no-print-directory lint migrations-check deploy-check; checks=$$SECONDS; \
	echo "--- make test: lint, migration and deploy checks took $$checks s"; \
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
bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks.run --fresh $(BENCH_ARGS)

# gunicorn (2 workers) on the largest benchmark database, locust with 50 people for
# 60 s; locust lives in its own virtualenv (gevent stays out of the application).
LOAD_VENV := .venv-load
LOAD_ARGS ?=
$(LOAD_VENV)/.installed-$(shell sha256sum benchmarks/requirements-load.txt | cut -c1-12):
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install -qq -r benchmarks/requirements-load.txt
	touch $@
load: $(STAMP_TEST) $(LOAD_VENV)/.installed-$(shell sha256sum benchmarks/requirements-load.txt | cut -c1-12)
	$(BIN)/python -m benchmarks.load $(LOAD_ARGS)

# --- the simulation of a scheme's life ------------------------------------------

# A long, randomized run of tests/simulation (the unit suite runs a short fixed one) that
# prints what it did. SIMULATE_EXAMPLES (default 20) runs of SIMULATE_STEPS (default 60)
# steps; SIMULATE_SEED=n replays a run; SIMULATE_PAGES=n walks n queued pages a step (0: all).
simulate: $(STAMP_TEST)
	$(TEST_ENV) SIMULATE_PROFILE=long SIMULATE_REPORT=1 $(BIN)/python -m pytest tests/simulation/test_scheme_year.py \
	  -p no:cacheprovider -s -q $(PYTEST_ARGS)
