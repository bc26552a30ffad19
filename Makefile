# The README's commands. Everything runs through the project's virtual environment (.venv)
# against the project-local PostGIS (.pgdata/), unless DATABASE_URL points elsewhere.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Every Python dependency, pinned with hashes (make lock writes it from pyproject.toml).
LOCK := requirements/lock.txt
# ESLint, pinned by tools/package-lock.json; it lints each app's own scripts, not vendored ones.
ESLINT := tools/node_modules/.bin/eslint
ESLINT_STAMP := tools/node_modules/.package-lock.json
JS_DIRS := $(wildcard */static)
# GIS clients the tests drive for real (QGIS reads the OGC API headless), and the browser.
# Debian's nginx (with its brotli modules) and openssl: make prod-check and its test run them.
PROD_CHECK_PACKAGES := nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static openssl
TEST_PACKAGES := qgis python3-qgis chromium pgbackrest poppler-utils $(PROD_CHECK_PACKAGES)
HOST ?= 127.0.0.1
export DB_PORT ?= 54329

.PHONY: help demo test lint lock fmt db db-stop db-shell serve migrate messages setup system-deps clean bench bench-quick vendor

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

demo: setup db migrate messages ## install what is missing, start PostGIS, load the demo, serve on 127.0.0.1:8000
	@$(PY) manage.py load_demo
	@$(MAKE) --no-print-directory serve

test: setup db messages $(ESLINT_STAMP) ## the whole suite against PostGIS (non-zero on any failure)
	@EXTRA_PACKAGES="$(TEST_PACKAGES)" scripts/system-deps.sh
	@cd tests/a11y && npm install --no-audit --no-fund --silent
	node --test tests/js/
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup $(ESLINT_STAMP) ## ruff format and lint, the import contract, ESLint, migrations in step
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(ESLINT) --config tools/eslint.config.mjs --max-warnings 0 $(JS_DIRS)
	$(MAKE) --no-print-directory db
	$(PY) manage.py makemigrations --check --dry-run

vendor: ## refresh the map renderers the site serves (tools/vendor/package-lock.json)
	tools/vendor/refresh.sh

fmt: setup ## format and fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: system-deps $(VENV)/.installed ## system packages and the virtual environment

system-deps:
	@scripts/system-deps.sh

lock: ## refresh requirements/lock.txt after changing pyproject.toml (UPGRADE=1: newest releases)
	@scripts/lock.sh $(if $(UPGRADE),--upgrade)

$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV); install python3-venv" >&2; exit 2; }
	@$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; echo "error: $(LOCK) does not satisfy pyproject.toml: run make lock" >&2; exit 2; }
	@touch $@

$(ESLINT_STAMP): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error

db: ## start the project-local PostGIS (not when DATABASE_URL is set) and check PostGIS
	@if [ -z "$$DATABASE_URL" ]; then scripts/localdb.sh start; fi
	@if [ -z "$$REDIS_URL" ]; then scripts/localredis.sh start; fi
	@$(PY) manage.py ensure_postgis

db-stop: ## stop the project-local PostGIS
	@scripts/localdb.sh stop

db-shell: ## psql into the project-local database
	@scripts/localdb.sh psql

messages: setup ## compile the translation catalogues (locale/*/LC_MESSAGES/*.po)
	@$(PY) manage.py compilemessages --ignore=.venv -v0

migrate: db
	@$(PY) manage.py migrate --no-input -v0

serve: ## serve on $(HOST):$(PORT) (PORT=8001 make serve)
	@scripts/port-free.sh $(HOST) $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

bench: setup db ## the benchmark suite at 10k, 100k and 1M contributions, references side by side
	cd bench/node && npm install --no-audit --no-fund --silent
	$(PY) bench/run.py --full

bench-quick: setup db ## the suite at 10k and 100k contributions (under 10 minutes)
	cd bench/node && npm install --no-audit --no-fund --silent
	$(PY) bench/run.py --quick

clean: db-stop ## remove the virtual environment and the local database
	rm -rf $(VENV) .pgdata

# Backups (docs/backup.md): pgBackRest for the database (continuous WAL archiving), a
# content-addressed copy of the photos, a manifest per backup. TYPE=full|diff|incr.
.PHONY: backup restore
backup: setup db ## back up the database and the photos (TYPE=full, diff (default) or incr)
	@EXTRA_PACKAGES=pgbackrest scripts/system-deps.sh
	@scripts/backup.sh run $(or $(TYPE),diff)

restore: setup ## restore beside the live cluster and check it (TARGET="2026-11-26 10:00:00+00", a label, or latest)
	@EXTRA_PACKAGES=pgbackrest scripts/system-deps.sh
	@scripts/restore.sh "$(or $(TARGET),latest)"

# The production smoke test (docs/deploy.md): nginx (deploy/nginx) in front of gunicorn with the
# production settings, on loopback, with a database of its own on the local cluster, Redis and
# an SMTP sink; checks TLS, caching, uploads, emails, rate limits per client, the systemd units.
.PHONY: prod-check
prod-check: setup db ## production smoke test: nginx + gunicorn (production settings) on loopback
	@EXTRA_PACKAGES="$(PROD_CHECK_PACKAGES)" scripts/system-deps.sh
	$(PY) deploy/prod_check.py $(PROD_CHECK_ARGS)
