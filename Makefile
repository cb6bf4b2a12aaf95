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

.PHONY: help install install-spark extract build run summary test test-python test-dbt test-spark lint docs clean

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

test-spark: install-spark ## build the examples on Spark and compare every mart with DuckDB's
	SPARK_LOCAL_IP=127.0.0.1 REQUIRE_SPARK=1 $(SPARK_BIN)/pytest -q extract/tests/test_spark.py

lint: install ## ruff and sqlfluff
	$(BIN)/ruff check extract
	$(BIN)/ruff format --check extract
	$(BIN)/sqlfluff lint models analyses tests

docs: install ## generate the dbt docs site (serve it with `.venv/bin/dbt docs serve --profiles-dir .`)
	$(DBT) docs generate --profiles-dir .

clean: ## remove build output (keeps the lake and the warehouse)
	rm -rf target logs dbt_packages
