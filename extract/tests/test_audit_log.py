"""End to end on DuckDB: a source file that fails to land is a dead letter until a later run reads
it fine; ``pipeline_runs`` and ``audit_log`` show the extract runs and dbt's own invocations."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from extract import runner
from extract.runner import run_extract
from extract.splitting import ZIP_RATIO_FLOOR_BYTES
from extract.tests.conftest import cc_line
from extract.tests.test_end_to_end import query, run_dbt

CONVERSATIONS = "select platform, count(*) from conversations group by 1 order by 1"
CLAUDE_MESSAGES = "select count(*) from messages where platform = 'claude_code'"


def _export(conversation_id: str) -> bytes:
    conversation = {
        "id": conversation_id,
        "title": "t",
        "create_time": 1700000000.0,
        "update_time": 1700000001.0,
        "current_node": "n1",
        "mapping": {"n1": {"id": "n1", "parent": None, "children": [], "message": None}},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("conversations.json", json.dumps([conversation]))
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open("conversations.json", "w", force_zip64=True) as member,
    ):
        member.write(b"[")
        chunk = b" " * (1 << 20)
        for _ in range((ZIP_RATIO_FLOOR_BYTES >> 20) + 1):
            member.write(chunk)
        member.write(b"]")
    return buf.getvalue()


def _file_dead_letters(warehouse: Path) -> dict[str, tuple[Any, ...]]:
    rows = query(
        warehouse,
        "select source_uri, platform, reason, run_id, record_kind, raw_checksum"
        " from dead_letter_records where record_locator = 'file'",
    )
    return {Path(r[0]).name: r[1:] for r in rows}


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "good.zip").write_bytes(_export("good"))
    (exports / "bomb.zip").write_bytes(_zip_bomb())
    projects = tmp_path / "projects" / "-home-dev-shop"
    projects.mkdir(parents=True)
    (projects / "readable.jsonl").write_bytes(cc_line(1) + b"\n")
    (projects / "locked.jsonl").write_bytes(cc_line(2) + b"\n")
    return {"chatgpt": exports, "claude_code": tmp_path / "projects"}


def test_failed_files_are_dead_letters_until_read_fine(
    tmp_path: Path, sources: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    locked = (sources["claude_code"] / "-home-dev-shop" / "locked.jsonl").resolve()
    real_open = runner.open_source

    def unreadable(path: Path) -> Any:  # root reads any file: the seam plays the unreadable one
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(runner, "open_source", unreadable)
    srcs = {name: [path] for name, path in sources.items()}
    first = run_extract(lake_uri=str(lake), platforms=sorted(sources), sources=srcs)
    assert first.status == "partial" and len(first.errors) == 2

    run_dbt(tmp_path, lake, warehouse)
    failed = _file_dead_letters(warehouse)
    assert set(failed) == {"bomb.zip", "locked.jsonl"}
    platform, reason, run_id, kind, checksum = failed["bomb.zip"]
    assert (platform, run_id, kind, checksum) == ("chatgpt", first.run_id, None, None)
    assert reason.startswith("source file error: ") and "zip bomb" in reason
    assert failed["locked.jsonl"][:3] == (
        "claude_code",
        "source file error: Permission denied",
        first.run_id,
    )
    # the good files landed
    assert query(warehouse, CONVERSATIONS) == [("chatgpt", 1), ("claude_code", 1)]
    assert query(warehouse, CLAUDE_MESSAGES) == [(1,)]
    (runs,) = query(
        warehouse, "select run_id, status, files_failed, files_still_failing from pipeline_runs"
    )
    assert runs == (first.run_id, "partial", 1, 2)  # the bomb was read (and refused), not failed
    extract_rows = query(
        warehouse,
        "select platform, status, object_count, row_count, error_count from audit_log"
        " where operation = 'extract' order by platform",
    )
    assert extract_rows == [("chatgpt", "partial", 2, 1, 1), ("claude_code", "partial", 2, 1, 1)]

    # a run where nothing changed: the bomb is still the same archive, the locked file still fails
    second = run_extract(lake_uri=str(lake), platforms=sorted(sources), sources=srcs)
    assert [e.file for e in second.errors] == [str(locked)]

    # fixed: readable again, the archive replaced by a good export
    monkeypatch.setattr(runner, "open_source", real_open)
    (sources["chatgpt"] / "bomb.zip").write_bytes(_export("was-a-bomb"))
    third = run_extract(lake_uri=str(lake), platforms=sorted(sources), sources=srcs)
    assert third.status == "ok"
    run_dbt(tmp_path, lake, warehouse)
    assert _file_dead_letters(warehouse) == {}
    assert query(warehouse, CONVERSATIONS) == [("chatgpt", 2), ("claude_code", 1)]
    assert query(warehouse, CLAUDE_MESSAGES) == [(2,)]  # the once locked file's line too
    still = dict(query(warehouse, "select run_id, files_still_failing from pipeline_runs"))
    assert still == {first.run_id: 0, second.run_id: 0, third.run_id: 0}


def test_audit_log_has_one_row_per_operation(tmp_path: Path, sources: dict[str, Path]) -> None:
    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    (sources["chatgpt"] / "bomb.zip").unlink()
    isolated: dict[str, Any] = {"env": {}, "home": tmp_path / "home"}  # no real logs
    srcs = {"claude_code": [sources["claude_code"]]}
    first = run_extract(lake_uri=str(lake), sources=srcs, **isolated)
    run_dbt(tmp_path, lake, warehouse)
    second = run_extract(lake_uri=str(lake), sources=srcs, **isolated)  # nothing new
    run_dbt(tmp_path, lake, warehouse)

    rows = query(
        warehouse,
        "select operation, run_id, platform, status, object_count, row_count, error_count,"
        " detail, duration_seconds, started_at <= finished_at from audit_log",
    )
    by_op: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_op.setdefault(row[0], []).append(row[1:])
    assert "load" not in by_op  # DuckDB reads the lake in place: no load step

    extracts = {(r[0], r[1]): r[2:6] for r in by_op["extract"]}
    assert len(extracts) == 2 * len(first.platforms)  # every platform each run looked at
    assert extracts[(first.run_id, "claude_code")] == ("ok", 2, 2, 0)
    assert extracts[(second.run_id, "claude_code")] == ("ok", 2, 0, 0)
    assert extracts[(first.run_id, "chatgpt")] == ("nothing_found", 0, 0, 0)
    detail = json.loads(
        next(r[6] for r in by_op["extract"] if r[:2] == (first.run_id, "claude_code"))
    )
    assert detail["files_new"] == 2 and detail["files_failed"] == 0

    invocations = [
        r[0] for r in query(warehouse, "select distinct invocation_id from dbt_run_results")
    ]
    transforms = {r[0]: r for r in by_op["transform"]}
    assert set(transforms) == set(invocations) and len(invocations) == 2
    models = query(warehouse, "select count(*) from dbt_run_results where resource_type = 'model'")
    for _, _, status, built, _, errors, detail_json, seconds, ordered in transforms.values():
        assert status in ("ok", "warn") and errors == 0 and seconds > 0 and ordered
        assert built > 50 and json.loads(detail_json)["command"] == "build"
    assert sum(json.loads(t[6])["models"] for t in transforms.values()) == models[0][0]

    dedup = {r[0]: r for r in by_op["deduplicate"]}
    assert set(dedup) == set(invocations)
    decisions = query(warehouse, "select count(*) from duplicates")[0][0]
    latest = max(
        invocations,
        key=lambda i: query(
            warehouse, "select max(started_at) from dbt_run_results where invocation_id = ?", [i]
        )[0][0],
    )
    assert dedup[latest][4] == decisions
    assert json.loads(dedup[latest][6])["decisions"] is not None
    earlier = next(i for i in invocations if i != latest)
    assert dedup[earlier][4] is None  # DuckDB reports no rows affected; the mart holds the latest
    assert all(r[3] >= 5 for r in dedup.values())  # the deduplication models each build ran


def test_init_brings_an_older_runs_schema_up_to_date(tmp_path: Path) -> None:
    """A lake whose run records all predate files_json: `extract init` rewrites the zero-row
    _runs/_empty.parquet with the current schema, so that dbt's union_by_name finds the column
    before the next run writes one (the pipeline models read it)."""
    import pyarrow.parquet as pq

    from extract.lake import Lake, init_lake
    from extract.schema import RUNS_SCHEMA

    lake = Lake(str(tmp_path / "lake"))
    older = RUNS_SCHEMA.remove(RUNS_SCHEMA.get_field_index("files_json"))
    lake.write_table("_runs/_empty.parquet", older.empty_table())
    init_lake(lake, [])
    assert pq.read_schema(lake.path("_runs/_empty.parquet")) == RUNS_SCHEMA
    init_lake(lake, [])  # current: left alone
    assert pq.read_schema(lake.path("_runs/_empty.parquet")) == RUNS_SCHEMA
