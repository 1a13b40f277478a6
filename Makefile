# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit services bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the whole job on embedded defaults: sandbox Zendesk -> SQLite -> tags, profiles, reports.
demo: $(STAMP)
	$(BIN)/expertise demo

## Lint, type-check, and run every test (needs Redis and PostgreSQL on 127.0.0.1).
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## Start Redis and PostgreSQL on 127.0.0.1 if they are not answering.
services:
	@bash .ci/services

## Benchmarks (not part of the test suite): speed and memory figures for the README.
## Every script in bench/, one after the other (the profiles one needs PostgreSQL too).
bench: $(STAMP)
	@for script in bench/*.py; do \
		echo "== $$script"; \
		$(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache expertise.db*
