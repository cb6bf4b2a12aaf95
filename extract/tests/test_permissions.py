"""Owner-only files: the local lake (extract/lake.py, lock.py) and the DuckDB warehouse (the
dbt-duckdb plugin extract/dbt_owner_only.py; a real build checks it in test_health.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from extract.lake import Lake
from extract.runner import run_extract
from extract.tests.conftest import build_claude_home


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: whatever is owner-only is so by the code, not by the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_run_creates_an_owner_only_lake(tmp_path: Path, open_umask: None) -> None:
    projects = build_claude_home(tmp_path / "home")
    lake = tmp_path / "new" / "lake"
    summary = run_extract(
        lake_uri=str(lake), platforms=["claude_code"], sources={"claude_code": [projects]}
    )
    assert summary.status == "ok" and summary.raw_files
    entries = [lake, *lake.rglob("*")]
    files = [p for p in entries if p.is_file()]
    folders = [p for p in entries if p.is_dir()]
    assert len(files) >= 4 and len(folders) >= 4  # raw, _state, _runs, _empty files
    assert {_mode(p) for p in files} == {0o600}
    assert {_mode(p) for p in folders} == {0o700}
    assert _mode(tmp_path / "new") == 0o700  # a missing parent is created owner-only too


def test_the_lock_file_is_owner_only(tmp_path: Path, open_umask: None) -> None:
    from extract.lock import lake_lock

    lake = tmp_path / "lake"
    with lake_lock(Lake(str(lake)), "test"):
        assert _mode(lake / "_lock") == 0o600 and _mode(lake) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    lake = tmp_path / "shared"
    lake.mkdir(mode=0o750)
    os.chmod(lake, 0o750)  # mkdir's mode went through the umask
    Lake(str(lake)).write_table("raw/x.parquet", pa.table({"a": [1]}))
    assert _mode(lake) == 0o750
    assert _mode(lake / "raw") == 0o700 and _mode(lake / "raw" / "x.parquet") == 0o600


def test_the_dbt_plugin_makes_dbt_create_owner_only_files(tmp_path: Path) -> None:
    import duckdb

    from extract.dbt_owner_only import Plugin

    old = os.umask(0o022)
    try:
        Plugin("owner_only", {})
        assert os.umask(0o022) & 0o077 == 0o077  # the umask it set (read back by setting)
        Plugin("owner_only", {})
        path = tmp_path / "warehouse.duckdb"
        con = duckdb.connect(str(path))
        con.execute("create table t as select 1 as a")
        wal = path.with_name(path.name + ".wal")
        modes = {p.name: _mode(p) for p in (path, wal) if p.exists()}
        con.close()
    finally:
        os.umask(old)
    assert modes and set(modes.values()) == {0o600}, modes
