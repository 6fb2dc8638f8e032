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

.PHONY: run test lint format migrate venv clean

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

## make test: lint, then the whole suite on SQLite, then on PostgreSQL when it answers.
test: lint
	env -u DATABASE_URL $(BIN)/python -m pytest
	@if $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then \
		echo "== PostgreSQL answers at 127.0.0.1:5432: running the suite on it =="; \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest; \
	else \
		echo "== PostgreSQL does not answer at 127.0.0.1:5432: SQLite only =="; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
