"""PostgreSQL: ``extract load`` and the same marts on PostgreSQL as on DuckDB.

Needs a PostgreSQL server (PGHOST, PGPORT, PGUSER, PGPASSWORD as libpq reads them; `.ci/postgres
start` runs a throwaway one). Skipped when none answers, unless REQUIRE_POSTGRES=1 (CI), where a
missing server is a failure. Each test module works in its own database, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extract.lake import Lake
from extract.load import connect_postgres, load_postgres, to_copy_batch
from extract.platforms import REGISTRY
from extract.schema import RAW_SCHEMA
from extract.tests.test_end_to_end import DBT, PYTHON, REPO_ROOT, _tail, query

EXAMPLES = REPO_ROOT / "examples"
MARTS = sorted(p.stem for p in (REPO_ROOT / "models" / "marts").rglob("*.sql"))
# Columns that describe each warehouse's own dbt invocation (its id and timings): they differ
# between the DuckDB and the PostgreSQL build by nature; every other column must be equal.
PER_INVOCATION_COLUMNS = {
    "pipeline_metrics": {
        "dbt_invocation_id",
        "transform_started_at",
        "transform_completed_at",
        "transform_seconds",
    }
}
# Rows that describe each warehouse's own operations: its loads (only PostgreSQL has a load step)
# and its dbt invocations. They differ by nature; the rows read from the lake must be equal.
PER_WAREHOUSE_ROWS = {"audit_log": ("operation", {"load", "transform", "deduplicate"})}


def _server_env(database: str) -> dict[str, str]:
    return {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
        "PGPASSWORD": os.environ.get("PGPASSWORD", ""),
        "PGDATABASE": database,
    }


def _admin_connect() -> Any:
    import psycopg2

    env = _server_env(os.environ.get("PGDATABASE", "postgres"))
    return psycopg2.connect(
        host=env["PGHOST"],
        port=int(env["PGPORT"]),
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname="postgres",
        connect_timeout=5,
    )


@pytest.fixture(scope="module")
def pg_database(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database on the server; PG* variables point at it for the module's tests."""
    import psycopg2

    try:
        admin = _admin_connect()
    except psycopg2.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL server answers: {exc}")
        pytest.skip(f"no PostgreSQL server: {str(exc).strip()}")
    admin.autocommit = True
    name = f"ai_conversations_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    for key, value in _server_env(name).items():
        monkeypatch_module.setenv(key, value)
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _run(args: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> str:
    proc = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{args[:4]} failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return proc.stdout


def _dbt_build(work: Path, lake: Path, target: str, warehouse: Path) -> None:
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
            # the unit tests too (PostgreSQL's own SQL; pipeline_metrics counts the tests run)
            "--selector",
            "everything",
        ],
        env={"LAKE_URI": str(lake), "WAREHOUSE_PATH": str(warehouse)},
    )


@pytest.fixture(scope="module")
def built(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The examples extracted once, built on DuckDB and, after `extract load`, on PostgreSQL."""
    work = tmp_path_factory.mktemp("pg")
    lake = work / "lake"
    warehouse = work / "w.duckdb"
    _run([PYTHON, "-m", "extract", "run", "--examples", "--lake", str(lake), "--quiet"])
    _run([PYTHON, "-m", "extract", "init", "--lake", str(lake), "--quiet"])
    first = json.loads(_run([PYTHON, "-m", "extract", "load", "--lake", str(lake), "--json"]))
    second = json.loads(_run([PYTHON, "-m", "extract", "load", "--lake", str(lake), "--json"]))
    _dbt_build(work, lake, "duckdb", warehouse)
    _dbt_build(work, lake, "postgres", warehouse)
    return {"work": work, "lake": lake, "warehouse": warehouse, "first": first, "second": second}


def _pg_rows(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    conn = connect_postgres()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description], cur.fetchall()
    finally:
        conn.close()


def _lake_rows(lake: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted(lake.glob("raw/platform=*/**/*.parquet")):
        platform = path.relative_to(lake / "raw").parts[0].removeprefix("platform=")
        counts[platform] = counts.get(platform, 0) + pq.ParquetFile(path).metadata.num_rows
    return counts


# ------------------------------------------------------------------------------------------------
# extract load
# ------------------------------------------------------------------------------------------------


def test_load_copies_every_lake_row_once(built: dict[str, Any]) -> None:
    lake_rows = _lake_rows(built["lake"])
    assert built["first"]["rows_loaded"] == sum(lake_rows.values()) + 1  # + the one _runs row
    for platform, rows in lake_rows.items():
        _, got = _pg_rows(f'select count(*) from raw."{platform}"')
        assert got[0][0] == rows, platform
    _, runs = _pg_rows("select count(*) from raw.extract_runs")
    assert runs[0][0] == 1


def test_load_again_loads_nothing(built: dict[str, Any]) -> None:
    second = built["second"]
    assert second["files_loaded"] == 0
    assert second["rows_loaded"] == 0
    assert second["files_skipped"] == built["first"]["files_loaded"]


def test_loaded_text_is_byte_identical(built: dict[str, Any]) -> None:
    """raw_text and raw_checksum round-trip exactly (COPY quoting, newlines, non-ASCII)."""
    lake = Lake(str(built["lake"]))
    expected = {}
    for path in sorted(built["lake"].glob("raw/platform=*/**/*.parquet")):
        for row in pq.read_table(path, columns=["raw_checksum", "raw_text"]).to_pylist():
            expected[row["raw_checksum"]] = row["raw_text"]
    got: dict[str, str] = {}
    for platform in REGISTRY:
        _, rows = _pg_rows(f'select raw_checksum, raw_text from raw."{platform}"')
        got.update(dict(rows))
    assert got == expected
    assert lake.root  # the lake the rows came from


def test_a_new_run_loads_only_its_files(built: dict[str, Any], tmp_path: Path) -> None:
    lake = built["lake"]
    source = tmp_path / "projects" / "-home-u-demo"
    source.mkdir(parents=True)
    line = {
        "type": "user",
        "uuid": "pg-load-1",
        "sessionId": "pg-load-session",
        "timestamp": "2026-11-01T10:00:00.000Z",
        "message": {"role": "user", "content": 'nul \u0000 and ünïcode, "quotes", new\nline'},
    }
    (source / "pg-load-session.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    _run(
        [
            PYTHON,
            "-m",
            "extract",
            "run",
            "--lake",
            str(lake),
            "--platform",
            "claude_code",
            "--source",
            f"claude_code={tmp_path / 'projects'}",
            "--quiet",
        ]
    )
    report = json.loads(_run([PYTHON, "-m", "extract", "load", "--lake", str(lake), "--json"]))
    assert report["per_table"] == {"claude_code": 1, "extract_runs": 1}
    _, rows = _pg_rows(
        "select raw_text, raw_bytes from raw.claude_code where raw_text like '%pg-load-1%'"
    )
    assert len(rows) == 1
    assert json.loads(rows[0][0])["message"]["content"].startswith("nul \u0000")
    assert rows[0][1] is None  # JSON escapes the NUL: the text holds no NUL character


def test_nul_characters_are_kept_in_raw_bytes() -> None:
    """PostgreSQL text cannot hold NUL: the text gets U+FFFD, the bytes keep the original."""
    import pyarrow as pa

    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    row = {
        "platform": "claude_code",
        "source_uri": "/x.jsonl",
        "record_locator": "line:1",
        "record_ordinal": 1,
        "record_kind": "line",
        "raw_text": "a\x00b",
        "raw_bytes": None,
        "raw_checksum": "c",
        "source_version": None,
        "source_file_version": 1,
        "source_mtime": now,
        "source_size": 3,
        "extracted_at": now,
        "run_id": "r",
        "extractor_version": "0",
    }
    batch = pa.RecordBatch.from_pylist([row], schema=RAW_SCHEMA)
    out = to_copy_batch(batch, RAW_SCHEMA).to_pylist()[0]
    assert out["raw_text"] == "a\ufffdb"
    assert out["raw_bytes"] == "\\x" + b"a\x00b".hex()


def test_load_reports_a_clear_error_without_a_server(tmp_path: Path) -> None:
    env = {"PGHOST": "127.0.0.1", "PGPORT": "1", "LAKE_URI": str(tmp_path / "lake")}
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "load"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "cannot connect to PostgreSQL" in proc.stderr


def test_load_into_a_lake_without_the_schema(pg_database: str, tmp_path: Path) -> None:
    """An empty lake loads nothing and still creates every raw table dbt's sources name."""
    report = load_postgres(Lake(str(tmp_path / "empty")), sorted(REGISTRY), schema_name="raw_empty")
    assert report.files_loaded == 0
    _, rows = _pg_rows(
        "select table_name from information_schema.tables where table_schema = 'raw_empty'"
    )
    assert {r[0] for r in rows} == set(REGISTRY) | {"extract_runs", "_loaded_files", "_load_runs"}


# ------------------------------------------------------------------------------------------------
# The same marts on both targets
# ------------------------------------------------------------------------------------------------


def _canonical_json(value: Any) -> Any:
    """JSON compared by meaning: 1 == 1.0, key order ignored, JSON inside strings parsed too."""
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return _canonical_json(json.loads(value))
        except json.JSONDecodeError:
            return value
    return value


def _normalize(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(_canonical_json(json.loads(value)), sort_keys=True)
        except json.JSONDecodeError:
            return value
    if isinstance(value, (list, tuple)):
        return json.dumps([_normalize(v) for v in value], sort_keys=True, default=str)
    return value


def _rows(columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_normalize(v) for v in row) for row in rows), key=repr)


@pytest.mark.parametrize("mart", MARTS)
def test_marts_are_identical_on_duckdb_and_postgres(built: dict[str, Any], mart: str) -> None:
    pg_columns, pg_rows = _pg_rows(f"select * from analytics.{mart}")
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
    assert_same_mart(mart, "postgres", pg_columns, pg_rows, duck_columns, duck)


def assert_same_mart(
    mart: str,
    engine: str,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    duck_columns: list[str],
    duck: list[tuple[Any, ...]],
) -> None:
    """The mart as ``engine`` built it equals DuckDB's, value by value, except the rows and
    columns that describe each warehouse's own work (PER_WAREHOUSE_ROWS, PER_INVOCATION_COLUMNS)."""
    assert columns == duck_columns
    if mart in PER_WAREHOUSE_ROWS:
        column, own = PER_WAREHOUSE_ROWS[mart]
        at = columns.index(column)
        rows = [row for row in rows if row[at] not in own]
        duck = [row for row in duck if row[at] not in own]
    assert len(rows) == len(duck), mart
    skip = PER_INVOCATION_COLUMNS.get(mart, set())
    keep = [i for i, col in enumerate(columns) if col not in skip]
    kept = [columns[i] for i in keep]
    theirs = _rows(kept, [tuple(row[i] for i in keep) for row in rows])
    dk = _rows(kept, [tuple(row[i] for i in keep) for row in duck])
    diffs = [
        f"{col}: {engine} {a!r} != duckdb {b!r}"
        for their_row, duck_row in zip(theirs, dk, strict=True)
        for col, a, b in zip(kept, their_row, duck_row, strict=True)
        if a != b
    ]
    assert not diffs, f"{mart}: {len(diffs)} differing values, first:\n" + "\n".join(diffs[:8])


def test_audit_log_has_each_warehouse_operations(built: dict[str, Any]) -> None:
    """PostgreSQL's audit_log has a row per `extract load`; DuckDB, which has no load step, none.
    Each has its own dbt build as a transform and a deduplicate row."""
    _, pg = _pg_rows(
        "select run_id, status, object_count, row_count, error_count from analytics.audit_log"
        " where operation = 'load' order by started_at"
    )
    first, second = built["first"], built["second"]
    # (a test below loads again)
    assert pg[:2] == [
        (first["load_id"], "ok", first["files_loaded"], first["rows_loaded"], 0),
        (second["load_id"], "ok", 0, 0, 0),
    ]
    duck = "select operation, count(*) from main.audit_log where operation <> 'extract' group by 1"
    assert dict(query(built["warehouse"], duck)) == {"transform": 1, "deduplicate": 1}
    _, pg_ops = _pg_rows(
        "select operation, count(*) from analytics.audit_log where operation not in"
        " ('extract', 'load') group by 1"
    )
    assert dict(pg_ops) == {"transform": 1, "deduplicate": 1}


def test_the_comparison_covers_every_platform(built: dict[str, Any]) -> None:
    _, rows = _pg_rows("select distinct platform from analytics.conversations")
    duck = query(built["warehouse"], "select distinct platform from main.conversations")
    assert {r[0] for r in rows} == {r[0] for r in duck}
    assert len(rows) >= 4
