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

# The Spark target's own virtualenv (pyspark is large, so `make install` leaves it out).
SPARK_VENV ?= .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin

# The benchmark (bench/run.py): one generated corpus of BENCH_SIZE, results in bench/results/.
BENCH_SIZE ?= 100MB
BENCH_SEED ?= 7
BENCH_SMOKE_SIZE ?= 2MB
BENCH_BIG_FILE ?= 1GB

# pytest workers for `make test-python` (pytest-xdist; a test file stays on one worker)
PYTEST_WORKERS ?= auto

# ccusage (npm) for the comparison test (extract/tests/test_ccusage_samples.py); needs npm.
CCUSAGE_VERSION := 20.0.24
CCUSAGE_DIR := target/ccusage

.PHONY: help install install-spark extract sources build run summary health platforms readme-platforms test test-python test-dbt test-spark lint docs docs-check ccusage clean bench bench-smoke

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## create .venv and install the extractor, dbt and the dev tools

$(SPARK_BIN)/.installed: pyproject.toml
	test -x $(SPARK_BIN)/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/python -m pip install --quiet --upgrade pip
	$(SPARK_BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@

install-spark: $(SPARK_BIN)/.installed ## create .venv-spark with the Spark target (dbt-spark, pyspark; needs Java 17)

extract: install ## land new raw records from every platform's logs into the lake ($$LAKE_URI)
	$(BIN)/python -m extract run

build: install ## dbt build: seeds, models and data tests into $$WAREHOUSE_PATH (selectors.yml `refresh`)
	$(BIN)/python -m extract init --quiet
	$(DBT) build --profiles-dir .

sources: install ## check every platform's sources (where, what, what is wrong) and the disk size
	$(BIN)/python -m extract sources

run: install ## check the sources, extract (your logs, else the bundled examples), build, summary
	$(BIN)/python -m extract sources
	$(BIN)/python -m extract run --examples
	$(DBT) build --profiles-dir . --quiet
	$(BIN)/python -m extract summary

platforms: install ## regenerate the README's platform tables, dbt's unified_platforms and the examples index from the registry
	$(BIN)/python -m extract platforms --write-readme README.md --write-dbt dbt_project.yml \
		--write-examples examples/README.md

readme-platforms: platforms ## the same as `make platforms`

summary: install ## print what the warehouse holds
	$(BIN)/python -m extract summary

health: install ## check the pipeline: lake, newest run, warehouse, freshness, dead letters, Claude Code cleanup (exit 1 when unhealthy)
	$(BIN)/python -m extract health

test: install lint test-python test-dbt test-spark ## every test: lint, pytest (extractor, end to end, reports vs ccusage, docs), dbt build on the examples, Spark

test-python: install ccusage
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --ignore=extract/tests/test_spark.py

test-dbt: install
	rm -rf $(TEST_DIR) && mkdir -p $(TEST_DIR)
	$(TEST_ENV) $(BIN)/python -m extract run --quiet $$($(BIN)/python -c "from pathlib import Path; \
		from extract.platforms import REGISTRY; \
		print(' '.join(f'--source {n}={p.example_root(Path(\"examples\"))}' for n, p in REGISTRY.items()))")
	$(TEST_ENV) $(DBT) build --profiles-dir . --selector everything

test-spark: install-spark ## build the examples on Spark and compare every mart with DuckDB's (skipped without Java 17 unless REQUIRE_SPARK=1)
	SPARK_LOCAL_IP=127.0.0.1 $(SPARK_BIN)/pytest -q extract/tests/test_spark.py

lint: install ## ruff and sqlfluff
	$(BIN)/ruff check extract
	$(BIN)/ruff format --check extract
	$(BIN)/sqlfluff lint models analyses tests

docs: install ## build the dbt docs as one static page: target/static_index.html (open it in a browser)
	$(BIN)/python -m extract init --quiet
	$(DBT) docs generate --profiles-dir . --static
	@echo "open target/static_index.html (lineage: the graph button, bottom right)"

docs-check: install ## fail when a model, column, source, seed, macro, test or exposure has no description
	$(BIN)/pytest -q extract/tests/test_docs.py

ccusage: ## install ccusage $(CCUSAGE_VERSION) (npm) into target/ccusage for the comparison test
	@if [ -x $(CCUSAGE_DIR)/node_modules/.bin/ccusage ] && \
		$(CCUSAGE_DIR)/node_modules/.bin/ccusage --version | grep -qx 'ccusage $(CCUSAGE_VERSION)'; then \
		true; \
	elif command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(CCUSAGE_DIR) ccusage@$(CCUSAGE_VERSION) \
			|| echo "ccusage could not be installed: the comparison uses its recorded figures"; \
	else \
		echo "npm not found: the ccusage comparison uses its recorded figures"; \
	fi

bench: install ## benchmark extract + dbt on a synthetic corpus (BENCH_SIZE=100MB|1GB|5GB; BENCH_BIG_FILE=1GB|0); bench/results/<date>.json
	$(BIN)/python bench/run.py --size $(BENCH_SIZE) --seed $(BENCH_SEED) --big-file $(BENCH_BIG_FILE)

bench-smoke: install ## the benchmark's smallest run for CI: the warehouse totals equal the manifest (no timings kept)
	$(BIN)/python bench/run.py --size $(BENCH_SMOKE_SIZE) --seed $(BENCH_SEED) --check-only \
		--work target/bench/smoke --results-dir target/bench/smoke-results

clean: ## remove build output (keeps the lake and the warehouse)
	rm -rf target logs dbt_packages
