# Quickstart: `make run` (install, extract, build, summary) and `make test` (install, every test).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export LAKE_URI ?= lake
export WAREHOUSE_PATH ?= warehouse.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# Where `make test` builds its own warehouse from the bundled example logs (never your real one).
TEST_DIR := target/test
TEST_ENV := LAKE_URI=$(TEST_DIR)/lake WAREHOUSE_PATH=$(TEST_DIR)/warehouse.duckdb

# The benchmark (bench/run.py): one generated corpus of BENCH_SIZE, results in bench/results/.
BENCH_SIZE ?= 100MB
BENCH_SEED ?= 7
BENCH_SMOKE_SIZE ?= 2MB

.PHONY: help install extract build run summary test test-python test-dbt lint docs clean bench bench-smoke

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## create .venv and install the extractor, dbt and the dev tools

extract: install ## land new raw records from every platform's logs into the lake ($$LAKE_URI)
	$(BIN)/python -m extract run

build: install ## dbt build: seeds, models, unit tests and data tests into $$WAREHOUSE_PATH
	$(BIN)/python -m extract init --quiet
	$(DBT) build --profiles-dir .

run: install ## extract (your logs, else the bundled examples), build, and print a summary
	$(BIN)/python -m extract run --examples
	$(DBT) build --profiles-dir . --quiet
	$(BIN)/python -m extract summary

summary: install ## print what the warehouse holds
	$(BIN)/python -m extract summary

test: install lint test-python test-dbt ## every test: lint, pytest (extractor + end to end), dbt build on the examples

test-python: install
	$(BIN)/pytest -q

test-dbt: install
	rm -rf $(TEST_DIR) && mkdir -p $(TEST_DIR)
	$(TEST_ENV) $(BIN)/python -m extract run --quiet --source claude_code=examples/claude_code/projects
	$(TEST_ENV) $(DBT) build --profiles-dir .

lint: install ## ruff and sqlfluff
	$(BIN)/ruff check extract
	$(BIN)/ruff format --check extract
	$(BIN)/sqlfluff lint models analyses tests

bench: install ## benchmark extract + dbt on a synthetic corpus (BENCH_SIZE=100MB|1GB|5GB); bench/results/<date>.json
	$(BIN)/python bench/run.py --size $(BENCH_SIZE) --seed $(BENCH_SEED)

bench-smoke: install ## the benchmark's smallest run for CI: the warehouse totals equal the manifest (no timings kept)
	$(BIN)/python bench/run.py --size $(BENCH_SMOKE_SIZE) --seed $(BENCH_SEED) --check-only \
		--work target/bench/smoke --results-dir target/bench/smoke-results

docs: install ## generate the dbt docs site (serve it with `.venv/bin/dbt docs serve --profiles-dir .`)
	$(DBT) docs generate --profiles-dir .

clean: ## remove build output (keeps the lake and the warehouse)
	rm -rf target logs dbt_packages
