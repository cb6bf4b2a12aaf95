from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract import lake as lake_module
from extract.lake import Lake, LakeError, init_lake
from extract.runner import run_extract
from extract.schema import RAW_SCHEMA

from .conftest import cc_line


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    dest = lake.write_table("a/b/t.parquet", pa.table({"x": [1, 2]}))
    assert dest == str(tmp_path / "lake" / "a" / "b" / "t.parquet")
    assert pq.read_table(dest).column("x").to_pylist() == [1, 2]
    assert [p.name for p in all_files(tmp_path / "lake")] == ["t.parquet"]


def test_failure_during_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    lake = Lake(str(tmp_path / "lake"))
    seen_tmp: list[str] = []

    def broken_write(table, where, **kwargs):
        where.write(b"PAR1 partial bytes")
        seen_tmp.append(where.path if hasattr(where, "path") else str(where))
        raise OSError("disk full")

    monkeypatch.setattr(lake_module.pq, "write_table", broken_write)
    with pytest.raises(LakeError, match="disk full"):
        lake.write_table("raw/x.parquet", pa.table({"x": [1]}))
    assert seen_tmp  # the failure happened mid-write
    assert all_files(tmp_path / "lake") == []


def test_run_with_failing_raw_write_leaves_no_partial_parquet(tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    real = lake_module.pq.write_table

    def fail_raw(table, where, **kwargs):
        if table.schema.equals(RAW_SCHEMA) and table.num_rows:
            where.write(b"PAR1 half a file")
            raise OSError("simulated failure")
        return real(table, where, **kwargs)

    monkeypatch.setattr(lake_module.pq, "write_table", fail_raw)
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"claude_code": [src]})
    assert summary.status == "failed"
    files = all_files(tmp_path / "lake")
    assert not [p for p in files if ".tmp-" in p.name]
    assert not list((tmp_path / "lake").glob("raw/*/date=*/*.parquet"))
    assert not list((tmp_path / "lake").glob("_state/files/*.parquet"))
    # the failed run is still recorded
    (run_file,) = (tmp_path / "lake" / "_runs").glob("2*.parquet")
    assert pq.read_table(run_file).column("status").to_pylist() == ["failed"]


def test_init_is_idempotent(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    assert init_lake(lake, ["claude_code"]) == ["claude_code"]
    empty = tmp_path / "lake" / "raw" / "platform=claude_code" / "_empty.parquet"
    before = empty.stat().st_mtime_ns
    assert init_lake(lake, ["claude_code"]) == []
    # the runs table is readable (empty) before the first run
    assert pq.read_table(tmp_path / "lake" / "_runs" / "_empty.parquet").num_rows == 0
    assert empty.stat().st_mtime_ns == before
    table = pq.read_table(empty)
    assert table.num_rows == 0
    assert table.schema.equals(RAW_SCHEMA)


def test_lake_on_a_file_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LakeError):
        init_lake(Lake(str(blocker)), ["claude_code"])


def test_memory_fsspec_lake() -> None:
    lake = Lake("memory://lake-test")
    lake.write_table("raw/t.parquet", pa.table({"x": [1]}))
    assert lake.list_parquet("raw") == ["/lake-test/raw/t.parquet"]
    assert [t.num_rows for t in lake.read_tables(lake.list_parquet("raw"))] == [1]
    assert not [p for p in lake.fs.find("/lake-test") if ".tmp-" in p]
