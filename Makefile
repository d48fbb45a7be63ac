# Run `make help` for the list. Two commands matter to a newcomer: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
# Debian packages WeasyPrint, the PDF tests and the browser tests need.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 poppler-utils gettext
APT_TEST_PACKAGES := chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test setup system-deps system-test-deps venv dev-venv migrate seed lint checks pytest worker beat bench messages clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: setup migrate seed ## Set up and run the demo at http://$(HOST):$(PORT) (worker and beat too when REDIS_URL is set)
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting a Celery worker and beat in the background"; \
	  DEBUG=$${DEBUG:-true} $(VENV)/bin/celery -A config worker --loglevel=info --concurrency=2 & \
	  DEBUG=$${DEBUG:-true} $(VENV)/bin/celery -A config beat --loglevel=info --schedule=/tmp/luanchuyen-beat & \
	fi; \
	DEBUG=$${DEBUG:-true} DEMO_MODE=$${DEMO_MODE:-true} $(MANAGE) runserver $(HOST):$(PORT)

test: system-deps system-test-deps dev-venv lint checks pytest ## Set up and run the whole test suite (lint, checks, pytest)

setup: system-deps venv ## Install Debian packages and the Python virtualenv

system-deps: ## Install the Debian packages WeasyPrint needs, when missing
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

system-test-deps: ## Install Chromium for the browser tests, when missing
	@missing=$$(for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## Create .venv with the runtime dependencies

dev-venv: $(VENV)/.installed-dev ## Create .venv with the test dependencies

migrate: venv ## Apply database migrations
	$(MANAGE) migrate --noinput

seed: venv ## Load the demo data (idempotent)
	DEMO_MODE=true $(MANAGE) seed_demo

lint: dev-venv ## ruff lint and format check; the apps' layers (import-linter, pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

checks: dev-venv ## Migrations up to date; deployment checks with production-like settings
	$(MANAGE) makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-only-$$(head -c 64 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  AUDIT_KEY=ci-only-$$(head -c 64 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  ALLOWED_HOSTS=luanchuyen.example SECURE_SSL_REDIRECT=true $(MANAGE) check --deploy --fail-level WARNING

# One process more than there are cores (where there are two or more): the suite often waits on
# Chromium and on Celery workers, and the extra process fills that time (2 cores: 2m22s with 3
# processes, 2m37s with 2, 2m36s with 4). Each has its own test database, media directory and
# worlds; a test file runs whole in one of them (its tests share a world; the worker tests share
# the Redis at REDIS_URL).
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -ge 2 ] && echo $$((n + 1)) || echo 0)

pytest: dev-venv ## Run pytest only (PYTEST_WORKERS=0 for one process)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

worker: venv ## Run a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: venv ## Run Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A config beat --loglevel=info

bench: dev-venv ## Run the benchmarks in bench/
	@for f in bench/*.py; do case $$f in bench/make_data.py|bench/common.py) ;; *) echo "== $$f"; $(PY) $$f;; esac; done

messages: dev-venv ## Update and compile the Vietnamese translation catalogue
	$(MANAGE) makemessages -l vi --ignore=.venv --no-obsolete
	$(MANAGE) compilemessages -l vi --ignore=.venv

clean: ## Remove the virtualenv, the SQLite database and media
	rm -rf $(VENV) db.sqlite3 media staticfiles
