"""The per-stage metrics of an extract run reach the ``pipeline_metrics`` mart, joined with the dbt
invocation that transformed the run (its results recorded by the on-run-end hook)."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extract.runner import run_extract
from extract.schema import RUNS_SCHEMA

from .conftest import FIXTURES, cc_line
from .test_end_to_end import DBT, REPO_ROOT, _tail, query

OLD_RUNS_COLUMNS = RUNS_SCHEMA.names[: RUNS_SCHEMA.names.index("status") + 1]


def _dbt(work: Path, lake: Path, warehouse: Path, *args: str) -> None:
    proc = subprocess.run(
        [
            DBT,
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "LAKE_URI": str(lake),
            "WAREHOUSE_PATH": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"dbt {args[0]} failed:\n{_tail(proc.stdout)}"


def test_pipeline_metrics(tmp_path: Path) -> None:
    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    src = tmp_path / "session.jsonl"
    src.write_bytes((FIXTURES / "session_basic.jsonl").read_bytes())
    first = run_extract(lake_uri=str(lake), sources={"claude_code": [src]})
    written = sum(
        p.stat().st_size
        for area in ("raw", "_state")
        for p in (lake / area).rglob("*.parquet")
        if p.name != "_empty.parquet"
    )
    assert first.metrics.bytes_written == written
    assert first.metrics.files_written == 2  # one raw file, one state file

    models_and_seeds = ("--resource-type", "model", "--resource-type", "seed")
    _dbt(tmp_path, lake, warehouse, "build", "--select", "+pipeline_metrics", *models_and_seeds)
    (row,) = query(
        warehouse,
        "select run_id, extract_status, rows_landed, bytes_written, messages_landed,"
        " conversations_landed, dbt_command, dbt_nodes_built, transform_seconds,"
        " discover_seconds, extract_seconds, load_seconds, extract_run_seconds,"
        " extract_cpu_seconds, extract_peak_memory_bytes, dbt_invocation_id"
        " from pipeline_metrics",
    )
    assert row[:4] == (first.run_id, "ok", first.totals.rows_landed, written)
    messages = query(warehouse, "select count(*) from int_messages_unioned")[0][0]
    assert row[4] == messages > 0
    assert row[5] == 1  # one conversation version
    assert row[6] == "build" and row[7] > 10 and row[8] > 0
    assert all(v is not None and v >= 0 for v in row[9:13])
    assert row[12] >= row[9] + row[10] + row[11] - 1e-6
    assert row[13] > 0 and row[14] > 10_000_000
    invocation = row[15]
    recorded = query(
        warehouse,
        "select count(*), count(distinct unique_id) from dbt_run_results"
        " where invocation_id = ? and status = 'success'",
        [invocation],
    )
    assert recorded[0][0] == recorded[0][1] == row[7]

    # a second run not transformed yet: its row is there (the view reads the lake), no dbt yet
    with src.open("ab") as f:
        f.write(cc_line(9) + b"\n")
    second = run_extract(lake_uri=str(lake), sources={"claude_code": [src]})
    # a run record written before the metrics columns existed still reads (nulls)
    old = second.to_runs_table().select(OLD_RUNS_COLUMNS)
    old = old.set_column(0, "run_id", pa.array(["20200101T000000Z-00000000"]))
    long_ago = pa.array([datetime(2020, 1, 1, tzinfo=timezone.utc)], RUNS_SCHEMA.field(1).type)
    old = old.set_column(1, "started_at", long_ago).set_column(2, "finished_at", long_ago)
    pq.write_table(old, lake / "_runs" / "20200101T000000Z-00000000.parquet")
    rows = query(
        warehouse,
        "select run_id, rows_landed, dbt_invocation_id, load_seconds from pipeline_metrics"
        " order by started_at, run_id",
    )
    assert rows[1:] == [
        (first.run_id, first.totals.rows_landed, invocation, rows[1][3]),
        (second.run_id, 1, None, rows[2][3]),
    ]
    assert rows[0][0] == "20200101T000000Z-00000000" and rows[0][3] is None
    assert rows[2][3] is not None
