"""Two runs on one lake: the second waits or exits with a clear message; a dead one frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fsspec
import pytest

from extract.lake import Lake
from extract.lock import LockBusy, lake_lock
from extract.tests.conftest import cc_line
from extract.tests.test_end_to_end import REPO_ROOT

HOLD = """
import sys, time
from extract.lake import Lake
from extract.lock import lake_lock
with lake_lock(Lake(sys.argv[1]), "holder"):
    print("locked", flush=True)
    time.sleep(600)
"""


def _hold(lake: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lake)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _run(lake: Path, source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "extract",
            "run",
            "--lake",
            str(lake),
            "--quiet",
            "--platform",
            "claude_code",
            "--source",
            f"claude_code={source}",
            *extra,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "projects" / "-home-dev-shop"
    folder.mkdir(parents=True)
    (folder / "s.jsonl").write_bytes(cc_line(1) + b"\n")
    return tmp_path / "projects"


def test_second_run_exits_with_a_clear_message(tmp_path: Path, source: Path) -> None:
    lake = tmp_path / "lake"
    holder = _hold(lake)
    try:
        proc = _run(lake, source)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 75
    assert "extract run holder" in proc.stderr
    assert f"pid {holder.pid}" in proc.stderr
    assert not list(lake.glob("raw/platform=claude_code/date=*"))


def test_a_killed_holder_frees_the_lake(tmp_path: Path, source: Path) -> None:
    lake = tmp_path / "lake"
    holder = _hold(lake)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    proc = _run(lake, source)
    assert proc.returncode == 0, proc.stderr
    assert list(lake.glob("raw/platform=claude_code/**/*.parquet"))


def test_wait_outlasts_a_short_holder(tmp_path: Path, source: Path) -> None:
    lake = tmp_path / "lake"
    holder = _hold(lake)
    started = time.monotonic()
    waiter = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extract",
            "run",
            "--lake",
            str(lake),
            "--quiet",
            "--wait",
            "60",
            "--platform",
            "claude_code",
            "--source",
            f"claude_code={source}",
        ],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert waiter.poll() is None, "the second run waits while the lake is held"
    holder.kill()
    holder.wait()
    assert waiter.wait(timeout=60) == 0
    assert time.monotonic() - started >= 1.5


def test_remote_lease(tmp_path: Path) -> None:
    """The lease protocol of object stores, on fsspec's in-memory filesystem."""
    fs = fsspec.filesystem("memory")
    if fs.exists("/lease-test"):
        fs.rm("/lease-test", recursive=True)
    lake = Lake("memory://lease-test")
    with lake_lock(lake, "first"):
        assert fs.exists("/lease-test/_lock.json")
        with pytest.raises(LockBusy, match="extract run first"), lake_lock(lake, "second"):
            pass
    assert not fs.exists("/lease-test/_lock.json")
    with lake_lock(lake, "second"):
        pass
