"""The whole pipeline on an S3 lake (SeaweedFS on 127.0.0.1, see s3_server.py).

The bundled examples of every platform are extracted into ``s3://<bucket>/<prefix>`` with
``python -m extract run --lake s3://…``, configured only through the usual AWS variables
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Then:

- the records equal those of the same examples extracted into a local lake;
- ``dbt build`` on DuckDB reads the S3 lake through the fsspec filesystem that profiles.yml
  registers, and its marts equal those built from a local copy of the same lake;
- ``python -m extract load`` copies the S3 lake into PostgreSQL (skipped without a server, like
  test_postgres.py, unless REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extract.platforms import REGISTRY
from extract.tests.s3_server import S3Server, s3_server
from extract.tests.test_end_to_end import DBT, PYTHON, query
from extract.tests.test_postgres import (
    EXAMPLES,
    MARTS,
    PER_INVOCATION_COLUMNS,
    _lake_rows,
    _pg_rows,
    _rows,
    _run,
    monkeypatch_module,
    pg_database,
)

__all__ = ["monkeypatch_module", "pg_database", "s3_server"]  # fixtures, found here by pytest

# Columns that name the extract run, so they differ between two extractions of the same files.
RUN_COLUMNS = {"run_id", "extracted_at"}


def _sources() -> list[str]:
    args = []
    for name in sorted(REGISTRY):
        root = REGISTRY[name].example_root(EXAMPLES)
        if root.exists():
            args += ["--source", f"{name}={root}"]
    return args


def _extract(lake: str) -> dict[str, Any]:
    out = _run([PYTHON, "-m", "extract", "run", "--json", "--lake", lake, *_sources()])
    _run([PYTHON, "-m", "extract", "init", "--quiet", "--lake", lake])
    return json.loads(out)


def _dbt_build(work: Path, lake: str, warehouse: Path, name: str, *extra: str) -> None:
    _run(
        [
            DBT,
            "build",
            *extra,
            "--profiles-dir",
            ".",
            "--target",
            "duckdb",
            "--target-path",
            str(work / f"target-{name}"),
            "--log-path",
            str(work / f"logs-{name}"),
        ],
        env={"LAKE_URI": lake, "WAREHOUSE_PATH": str(warehouse)},
    )


@pytest.fixture(scope="module")
def s3_env(s3_server: S3Server, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """The AWS variables point at the server for this module (and the commands it runs)."""
    import s3fs

    for key, value in s3_server.env().items():
        monkeypatch_module.setenv(key, value)
    s3fs.S3FileSystem.clear_instance_cache()
    yield s3_server
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture(scope="module")
def lakes(s3_env: S3Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The examples extracted into an S3 lake (twice) and, separately, into a local lake."""
    work = tmp_path_factory.mktemp("s3-pipeline")
    s3_url = s3_env.url(f"pipeline-{uuid.uuid4().hex[:12]}")
    first = _extract(s3_url)
    second = _extract(s3_url)
    local = work / "local-lake"
    _extract(str(local))
    copy = work / "s3-lake-copy"
    s3_env.filesystem().get(s3_url.removeprefix("s3://") + "/", str(copy), recursive=True)
    return {
        "work": work,
        "s3_url": s3_url,
        "first": first,
        "second": second,
        "local": local,
        "copy": copy,
    }


def _records(lake: Path) -> list[tuple[Any, ...]]:
    rows = []
    for path in sorted(lake.glob("raw/platform=*/**/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows.append(tuple(sorted((k, v) for k, v in row.items() if k not in RUN_COLUMNS)))
    return sorted(rows, key=repr)


def test_extract_run_writes_to_the_s3_lake(lakes: dict[str, Any]) -> None:
    first = lakes["first"]
    assert first["status"] == "ok"
    assert first["lake"] == lakes["s3_url"]
    assert set(first["platforms"]) == set(REGISTRY)
    assert all(p["rows_landed"] > 0 for p in first["platforms"].values())


def test_the_s3_lake_holds_the_same_records_as_a_local_one(lakes: dict[str, Any]) -> None:
    s3_records, local_records = _records(lakes["copy"]), _records(lakes["local"])
    assert len(s3_records) == sum(p["rows_landed"] for p in lakes["first"]["platforms"].values())
    assert s3_records == local_records


def test_the_s3_lake_holds_only_parquet_objects(lakes: dict[str, Any], s3_env: S3Server) -> None:
    keys = s3_env.filesystem().find(lakes["s3_url"].removeprefix("s3://"))
    assert keys
    assert [k for k in keys if not k.endswith(".parquet") or ".tmp-" in k] == []


def test_a_second_run_on_s3_is_incremental(lakes: dict[str, Any]) -> None:
    """The extractor's state is read back from the S3 lake: nothing lands twice."""
    second = lakes["second"]
    assert second["status"] == "ok"
    for name, counts in second["platforms"].items():
        assert counts["rows_landed"] == 0, name
        assert counts["unchanged"] == counts["files_seen"] > 0, name


@pytest.fixture(scope="module")
def warehouses(lakes: dict[str, Any]) -> dict[str, Path]:
    """dbt build on DuckDB from the S3 lake, and from a local copy of the same lake.

    The build from S3 runs every test too (the source tests read the lake); the one from the local
    copy only builds the models (the rest of the suite tests them over a local lake).
    """
    work = lakes["work"]
    built = {"s3": work / "from-s3.duckdb", "local": work / "from-local.duckdb"}
    _dbt_build(work, lakes["s3_url"], built["s3"], "s3")
    skip_tests = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    _dbt_build(work, str(lakes["copy"]), built["local"], "local", *skip_tests)
    return built


def test_dbt_on_duckdb_reads_the_s3_lake(warehouses: dict[str, Path]) -> None:
    platforms = query(warehouses["s3"], "select distinct platform from main.conversations")
    assert {r[0] for r in platforms} == set(REGISTRY)


# pipeline_metrics and audit_log are views over the lake's run records (so the build that just ran
# shows in them): on an s3:// lake they resolve only inside dbt, where the fsspec filesystem is
# registered; a plain DuckDB connection would need the httpfs extension, which cannot be installed
# offline here. Their data tests ran in that dbt build all the same.
VIEW_MARTS = ("audit_log", "pipeline_metrics")
TABLE_MARTS = [m for m in MARTS if m not in VIEW_MARTS]


@pytest.mark.parametrize("mart", TABLE_MARTS)
def test_marts_from_s3_equal_marts_from_a_local_lake(warehouses: dict[str, Path], mart: str):
    sql = f"select * from main.{mart}"
    columns_sql = (
        "select column_name from information_schema.columns"
        " where table_schema = 'main' and table_name = ? order by ordinal_position"
    )
    columns = [r[0] for r in query(warehouses["s3"], columns_sql, [mart])]
    assert columns == [r[0] for r in query(warehouses["local"], columns_sql, [mart])]
    # each build's own dbt invocation (id, timings) differs by nature
    kept = [c for c in columns if c not in PER_INVOCATION_COLUMNS.get(mart, set())]
    sql = f"select {', '.join(kept)} from main.{mart}"
    from_s3 = _rows(kept, query(warehouses["s3"], sql))
    from_local = _rows(kept, query(warehouses["local"], sql))
    assert len(from_s3) == len(from_local), mart
    assert from_s3 == from_local, mart


def test_extract_load_copies_the_s3_lake_into_postgres(
    lakes: dict[str, Any], pg_database: str
) -> None:
    load = [PYTHON, "-m", "extract", "load", "--lake", lakes["s3_url"], "--json", "--schema"]
    first = json.loads(_run([*load, "raw_from_s3"]))
    second = json.loads(_run([*load, "raw_from_s3"]))
    lake_rows = _lake_rows(lakes["copy"])
    assert set(lake_rows) == set(REGISTRY)
    assert {k: v for k, v in first["per_table"].items() if k != "extract_runs"} == lake_rows
    assert first["per_table"]["extract_runs"] == 2  # the two runs of the `lakes` fixture
    for platform, rows in lake_rows.items():
        _, got = _pg_rows(f'select count(*) from raw_from_s3."{platform}"')
        assert got[0][0] == rows, platform
    assert second["files_loaded"] == 0
    assert second["files_skipped"] == first["files_loaded"]
