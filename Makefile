# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint format bench chaos clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Web server + Celery worker with embedded beat, on the embedded defaults
# unless the environment says otherwise. Ctrl-C stops all of them.
run: install
	mkdir -p var
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	@echo
	@echo "  Followup is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo
	DEBUG=$${DEBUG:-true} FOLLOWUP_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=false SECRET_KEY=makemigrations-check $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
