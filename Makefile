# Rustmail for Django: the two commands of the README are `make run` and `make test`.
# Everything else here is what they are made of.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3002
# The PostgreSQL server the suite also runs against when it answers (trust auth, as on CI).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/rustmail
AXE_VERSION := 4.14.1
AXE := .cache/npm/.axe-core-$(AXE_VERSION)

.PHONY: run test test-deps lint format migrate venv clean screenshots

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Python 3.12 is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

## make run: the product on embedded defaults (SQLite in ./data, no Redis needed).
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runall --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Test-only tools that are not Python packages (installed here so `make test` and CI get them).
## Debian's Chromium for the browser tests is a system package: .ci/run installs it when missing.
test-deps: $(STAMP) $(AXE)

# axe-core (npm, pinned above) for the accessibility tests, in a git-ignored folder; never served.
$(AXE):
	npm install --prefix .cache/npm --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
	@touch $@

## make test: lint, then the whole suite on SQLite and, when it answers, on PostgreSQL: both runs
## side by side, each spread over TEST_WORKERS pytest-xdist workers (default 3). See .ci/suites.
test: lint test-deps
	PG_TEST_URL=$(PG_TEST_URL) .ci/suites

## make screenshots: every panel page on demo data, light and dark, desktop and phone, in
## data/screenshots/ (bench/screenshots.py; needs Debian's chromium package).
screenshots: $(STAMP)
	$(BIN)/python bench/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
