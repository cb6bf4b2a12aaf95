"""A run killed at any moment (SIGKILL) and started again lands every record, and only copies.

A real extract run, with small batches so that it writes many raw files and state flushes, is
killed at several points (once it has written so many raw files); runs are started again until
one finishes. Once reading in this process, once with two worker processes (``--workers 2``).
Then every line of every source file is in the lake under its locator, and any record landed
twice (killed between a raw file and the state rows that cover it) is byte-identical (same
raw_checksum), which dbt's level-1 deduplication folds. A last run finds nothing new.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from extract.tests.conftest import cc_line, rows
from extract.tests.test_end_to_end import REPO_ROOT

FILES = 40
LINES = 150
RUN = """
import sys
from pathlib import Path
from extract import runner
runner.PARALLEL_MIN_BYTES = 0  # a small corpus: read it in the worker processes all the same
summary = runner.run_extract(
    lake_uri=sys.argv[1],
    platforms=["claude_code"],
    sources={"claude_code": [Path(sys.argv[2])]},
    max_rows=200,
    workers=int(sys.argv[3]),
)
print(summary.status, sum(c.rows_landed for c in summary.platforms.values()), flush=True)
"""


def _corpus(root: Path) -> dict[tuple[str, str], str]:
    """Write the source files; return (source_uri, locator) -> sha256 of every line."""
    folder = root / "projects" / "-home-dev-crash"
    folder.mkdir(parents=True)
    expected = {}
    for f in range(FILES):
        lines = [
            cc_line(
                i + 1,
                sessionId=f"s{f}",
                uuid=f"s{f}-u{i}",
                message={"role": "user", "content": f"line {i} " + "x" * 600},
            )
            for i in range(LINES)
        ]
        path = folder / f"s{f:03d}.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        for i, line in enumerate(lines, start=1):
            expected[(str(path), f"line:{i}")] = hashlib.sha256(line).hexdigest()
    return expected


def _raw_files(lake: Path) -> int:
    raw = lake / "raw"
    return sum(1 for _ in raw.rglob("*.parquet")) if raw.is_dir() else 0


def _start(lake: Path, projects: Path, workers: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(lake), str(projects), str(workers)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_at_several_points_loses_nothing(tmp_path: Path, workers: int) -> None:
    expected = _corpus(tmp_path)
    lake = tmp_path / "lake"
    projects = tmp_path / "projects"
    killed = 0
    # killed once it has written 1, 4, 8 and 12 more raw files (flushes of 200 rows): points in
    # the run that do not depend on how fast the machine is
    for after in (1, 4, 8, 12):
        before = _raw_files(lake)
        proc = _start(lake, projects, workers)
        deadline = time.monotonic() + 120
        while (
            proc.poll() is None
            and _raw_files(lake) < before + after
            and time.monotonic() < deadline
        ):
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=120)
    final = _start(lake, projects, workers)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    assert killed >= 1, "no run was killed: make the corpus bigger"

    copies: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows(lake):
        copies[(row["source_uri"], row["record_locator"])].add(row["raw_checksum"])
    assert set(copies) == set(expected), "a record is missing (or one that should not exist)"
    differing = {k: v for k, v in copies.items() if v != {expected[k]}}
    assert not differing, "a record landed with other bytes than its source line"

    again = _start(lake, projects, workers)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.split() == ["ok", "0"], out
