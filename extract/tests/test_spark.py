"""Apache Spark: the same marts on Spark as on DuckDB.

Builds the bundled examples with ``dbt build --target spark`` (dbt-spark, ``method: session``:
Spark runs inside dbt's process, ``local[2]``) and compares every mart with the DuckDB build of the
same lake, value by value (ids, counts, token totals, costs, JSON by meaning), like
test_postgres does for PostgreSQL. Needs the ``spark`` extra (dbt-spark[session], pyspark) and
Java 17: skipped without pyspark, unless REQUIRE_SPARK=1 (``make test-spark``, CI), where a
missing Spark is a failure. The Spark warehouse and its Derby metastore live in the test's
temporary folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from extract.schema import RAW_SCHEMA, RUNS_SCHEMA
from extract.tests.test_end_to_end import DBT, PYTHON, REPO_ROOT, query
from extract.tests.test_postgres import MARTS, _run, assert_same_mart

SPARK_SCHEMA = "analytics"
# Arrow types of the lake -> the Spark SQL types the external raw tables declare
SPARK_TYPES = {
    pa.string(): "string",
    pa.binary(): "binary",
    pa.int64(): "bigint",
    pa.int32(): "int",
    pa.float64(): "double",
    pa.timestamp("us", tz="UTC"): "timestamp",
    pa.list_(pa.string()): "array<string>",
}


def _dbt(work: Path, target: str, env: dict[str, str], *selection: str) -> None:
    _run(
        [
            DBT,
            "build",
            "--profiles-dir",
            ".",
            "--target",
            target,
            "--target-path",
            str(work / f"target-{target}"),
            "--log-path",
            str(work / f"logs-{target}"),
            *selection,
        ],
        env=env,
        timeout=1800,
    )


def _spark_available() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        return "dbt-spark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17)"
    return None


@pytest.fixture(scope="module")
def spark_ready() -> None:
    reason = _spark_available()
    if reason is not None:
        if os.environ.get("REQUIRE_SPARK") == "1":
            pytest.fail(f"REQUIRE_SPARK=1 but Spark cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def built(spark_ready: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The examples extracted once, built on DuckDB and on Spark (its own warehouse folder)."""
    work = tmp_path_factory.mktemp("spark")
    lake = work / "lake"
    warehouse = work / "w.duckdb"
    spark_warehouse = work / "spark-warehouse"
    _run([PYTHON, "-m", "extract", "run", "--examples", "--lake", str(lake), "--quiet"])
    _run([PYTHON, "-m", "extract", "init", "--lake", str(lake), "--quiet"])
    # DuckDB only builds what is compared (`make test` runs its tests); Spark builds everything:
    # seeds, models, unit tests and data tests (selectors.yml: `everything`)
    env = {
        "LAKE_URI": str(lake),
        "WAREHOUSE_PATH": str(warehouse),
        "SPARK_WAREHOUSE_DIR": str(spark_warehouse),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }
    _dbt(work, "duckdb", env, "--resource-type", "seed", "--resource-type", "model")
    _dbt(work, "spark", env, "--selector", "everything")
    return {"work": work, "lake": lake, "warehouse": warehouse, "spark": spark_warehouse}


def _spark_table(built: dict[str, Any], table: str) -> pa.Table:
    """A table of the Spark warehouse, read from its Parquet files (no second Spark session)."""
    folder = built["spark"] / f"{SPARK_SCHEMA}.db" / table
    assert folder.is_dir(), f"no Spark table {SPARK_SCHEMA}.{table} at {folder}"
    return ds.dataset(folder, format="parquet").to_table()


# ------------------------------------------------------------------------------------------------
# The raw tables Spark reads the lake through follow the raw contract
# ------------------------------------------------------------------------------------------------


def _macro_column_types(macro: str) -> dict[str, str]:
    text = (REPO_ROOT / "macros" / "raw_records.sql").read_text(encoding="utf-8")
    match = re.search(r"macro " + macro + r"\(\).*?return\(\{(.*?)\}\)", text, re.S)
    assert match, f"{macro} not found in macros/raw_records.sql"
    return dict(re.findall(r"'(\w+)': '([\w<>]+)'", match.group(1)))


@pytest.mark.parametrize(
    ("macro", "schema"),
    [("raw_record_column_types", RAW_SCHEMA), ("extract_runs_column_types", RUNS_SCHEMA)],
)
def test_spark_raw_tables_declare_the_lake_schema(macro: str, schema: pa.Schema) -> None:
    declared = _macro_column_types(macro)
    assert list(declared) == schema.names
    assert declared == {field.name: SPARK_TYPES[field.type] for field in schema}


# ------------------------------------------------------------------------------------------------
# The same marts on Spark as on DuckDB
# ------------------------------------------------------------------------------------------------


# Marts that are views over the lake's run records and dbt's own run results (each warehouse's own
# operations, read when queried): Spark keeps no files for a view, so they are not compared here;
# their data tests ran in the Spark build, and the build must have created them.
VIEW_MARTS = ("audit_log", "pipeline_metrics")


def test_spark_built_the_view_marts(built: dict[str, Any]) -> None:
    results = json.loads((built["work"] / "target-spark" / "run_results.json").read_text())
    status = {r["unique_id"]: r["status"] for r in results["results"]}
    for mart in VIEW_MARTS:
        assert status[f"model.ai_conversations.{mart}"] == "success", mart
        tests = [u for u in status if u.startswith("test.") and f"_{mart}_" in u]
        assert tests, f"no data test of {mart} ran on Spark"
        assert all(status[u] == "pass" for u in tests), {u: status[u] for u in tests}


@pytest.mark.parametrize("mart", [m for m in MARTS if m not in VIEW_MARTS])
def test_marts_are_identical_on_duckdb_and_spark(built: dict[str, Any], mart: str) -> None:
    spark = _spark_table(built, mart)
    duck = query(built["warehouse"], f"select * from main.{mart}")
    duck_columns = [
        r[0]
        for r in query(
            built["warehouse"],
            "select column_name from information_schema.columns"
            " where table_schema = 'main' and table_name = ? order by ordinal_position",
            [mart],
        )
    ]
    spark_rows = [tuple(row[c] for c in spark.column_names) for row in spark.to_pylist()]
    assert_same_mart(mart, "spark", spark.column_names, spark_rows, duck_columns, duck)


def test_the_spark_comparison_covers_every_platform(built: dict[str, Any]) -> None:
    spark = set(_spark_table(built, "conversations").column("platform").to_pylist())
    duck = {
        r[0] for r in query(built["warehouse"], "select distinct platform from main.conversations")
    }
    assert spark == duck
    assert len(spark) >= 4


def test_spark_reads_the_lake_in_place(built: dict[str, Any]) -> None:
    """Every raw record of the lake reaches Spark's staging: the record counts match DuckDB's."""
    spark = _spark_table(built, "source_format_versions")
    duck = query(built["warehouse"], "select count(*) from main.source_format_versions")
    assert spark.num_rows == duck[0][0]
    assert spark.num_rows > 0
