from __future__ import annotations

import os
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


@pytest.mark.parametrize(
    "uri", ["lake", "./lake", ".", "", "a/../lake/", "/abs//lake/", "~/lake", "~", "/"]
)
def test_a_plain_local_lake_has_the_root_fsspec_gives(tmp_path: Path, monkeypatch, uri) -> None:
    """Without fsspec (a plain folder path) the lake's root and uri are what fsspec made them."""
    import fsspec

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    lake = Lake(uri)
    assert lake.plain and lake.local and not lake.object_store
    _, root = fsspec.core.url_to_fs(uri)
    expected = os.path.abspath(root)
    assert (lake.uri, lake.root) == (expected, expected.rstrip("/") or "/")
    assert type(lake.fs).__name__ == "LocalFileSystem"


def test_a_plain_local_lake_lists_reads_and_removes_as_fsspec_does(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    assert lake.plain
    assert lake.list_parquet("_state/files") == []
    for rel in ("_state/files/b.parquet", "_state/files/.h.parquet", "_state/files/a.parquet"):
        lake.write_table(rel, pa.table({"x": [1]}))
    folder = tmp_path / "lake" / "_state" / "files"
    (folder / "d.parquet").mkdir()
    (folder / "notes.txt").write_text("x")
    (folder / ".t.tmp-1").write_text("x")
    (folder / "gone.parquet").symlink_to(folder / "nowhere")
    listed = lake.list_parquet("_state/files")
    assert listed == sorted(str(p) for p in lake.fs.glob(f"{folder}/*.parquet"))
    assert [Path(p).name for p in listed] == [
        ".h.parquet",
        "a.parquet",
        "b.parquet",
        "d.parquet",
        "gone.parquet",
    ]
    assert [t.num_rows for t in lake.read_tables(listed[:3])] == [1, 1, 1]
    assert lake.exists("_state/files/a.parquet") and not lake.exists("_state/files/gone.parquet")
    lake.remove(listed[1])
    lake.remove(listed[1])  # gone already: fine
    assert not (folder / "a.parquet").exists()
    with pytest.raises(LakeError, match="cannot delete"):
        lake.remove(str(folder / "d.parquet"))  # a folder is not removed


def test_a_url_lake_still_goes_through_fsspec(tmp_path: Path) -> None:
    lake = Lake(f"file://{tmp_path}/lake")
    assert not lake.plain and lake.local
    lake.write_table("x/t.parquet", pa.table({"x": [1]}))
    assert lake.list_parquet("x") == [f"{tmp_path}/lake/x/t.parquet"]
