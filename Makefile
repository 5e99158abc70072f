# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint format clean screenshots bench chaos audit

install: $(VENV)/.installed

# Re-installs only when pyproject.toml changes, so `make run` twice in a row is quick.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Followup needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Web server + Celery worker with embedded beat, on the embedded defaults unless
# the environment says otherwise (.env is for docker compose and is not read).
# Ctrl-C stops all of them: honcho passes it on to every process it started.
run: install
	mkdir -p "$${VAR_DIR:-var}"
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	@echo
	@echo "  Followup is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "  First visit? Sign up at http://127.0.0.1:$(PORT)/accounts/signup/"
	@echo
	DEBUG=$${DEBUG:-true} FOLLOWUP_PORT=$(PORT) exec $(BIN)/honcho start --env /dev/null -f Procfile.dev

# Lint, format, the import contracts (pyproject.toml), migrations in step with the models,
# then the whole suite.
# PYTEST_ARGS passes options through, e.g. PYTEST_ARGS="-n 2" or "-k signup".
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=false SECRET_KEY=makemigrations-check $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the installed, pinned dependencies (.ci/audit.py says how): exit 1
# on any not accepted in .ci/audit-allow.txt, exit 3 when no vulnerability feed answers.
audit: install
	$(BIN)/python .ci/audit.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the README's pictures: the browser tests save their screenshots there.
screenshots: install
	FOLLOWUP_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser

# Real workers on PostgreSQL and Redis sending to a fake ESP on 127.0.0.1 (perf/).
# They create and drop their own database: DATABASE_URL and REDIS_URL (loopback only)
# default to postgres://postgres@127.0.0.1:5432/followup_bench (followup_chaos) and
# redis://127.0.0.1:6379/11.
# Sizes and seeds through the environment: `make bench BENCH_MESSAGES=200`,
# `make chaos CHAOS_MESSAGES=100 CHAOS_SEED=7`.
# The bench also times django-post-office on the same messages: the "bench" extra installs it
# (perf/settings_post_office.py loads it; the app never does).
bench: install $(VENV)/.bench-installed
	$(BIN)/python -m perf.bench_dispatch
	$(MAKE) --no-print-directory bench-pages

# The queue, dashboard, application page and outbox at 10 and at 1,000 rows (perf/bench_pages.py):
# merges its figures into bench/results.json under "pages"; exits 1 if a page's query count
# grows. Scratch database followup_bench_pages unless DATABASE_URL says otherwise (loopback only).
# `make bench-pages BENCH_PAGES_ROWS=300 BENCH_PAGES_REPEAT=3` for a quick run.
.PHONY: bench-pages
bench-pages: install
	$(BIN)/python -m perf.bench_pages

chaos: install
	$(BIN)/python -m perf.chaos_dispatch

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache test-artifacts
