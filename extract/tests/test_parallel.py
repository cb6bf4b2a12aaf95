"""Reading files in worker processes (``extract run --workers N``) lands what one process lands.

The run with workers writes the same raw rows and the same incremental state as a run in one
process (on every platform's synthetic files, first run and after new and grown sessions); a
worker that dies fails only its own files (the next run lands them); a worker's exception stops
the run; the workers end when the extract process is killed; a batch is bounded by bytes; the
reader processes do not import pyarrow. ``PARALLEL_MIN_BYTES`` is 0 here, so that even these
small corpora go through the worker processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extract import pool, runner
from extract.platforms.claude_code import ClaudeCode
from extract.pool import WorkerFailed
from extract.runner import run_extract
from extract.synth import extend, generate

from .conftest import cc_line, read_lake, rows
from .test_end_to_end import REPO_ROOT


@pytest.fixture(autouse=True)
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)


def _lake_contents(lake: Path) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict]]:
    """The raw rows and the latest state per file, without what differs between runs."""
    raw = [
        {k: v for k, v in r.items() if k not in ("run_id", "extracted_at")}
        for r in read_lake(lake).to_pylist()
    ]
    raw.sort(
        key=lambda r: (
            r["platform"],
            r["source_uri"],
            r["source_file_version"],
            r["record_locator"],
        )
    )
    states: dict[tuple[str, str], dict] = {}
    files = sorted((lake / "_state" / "files").glob("*.parquet"))
    table = [r for f in files for r in pq.read_table(f).to_pylist()]
    for r in sorted(table, key=lambda r: (r["written_at"], r["run_id"], r["seq"])):
        states[(r["platform"], r["source_uri"])] = {
            k: v for k, v in r.items() if k not in ("run_id", "seq", "written_at")
        }
    return raw, states


def test_workers_land_what_one_process_lands(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    manifest = generate(corpus, "7", sessions=3)
    sources = {name: [corpus / path] for name, path in manifest.sources.items()}

    def both(step: str) -> None:
        one = run_extract(lake_uri=str(tmp_path / "one"), sources=sources, max_rows=40)
        two = run_extract(lake_uri=str(tmp_path / "two"), sources=sources, max_rows=40, workers=2)
        assert (one.status, two.status) == ("ok", "ok"), (step, one.errors, two.errors)
        assert (one.workers, two.workers) == (1, 2)
        assert {n: c.__dict__ for n, c in one.platforms.items()} == {
            n: c.__dict__ for n, c in two.platforms.items()
        }, step
        assert _lake_contents(tmp_path / "one") == _lake_contents(tmp_path / "two"), step

    both("first run")
    extend(corpus, new_fraction=0.3, grow_fraction=0.3)
    both("after new and grown sessions")
    raw, _ = _lake_contents(tmp_path / "two")
    assert len(
        {(r["source_uri"], r["record_locator"], r["source_file_version"]) for r in raw}
    ) == len(raw)


class DyingClaudeCode(ClaudeCode):
    """Claude Code whose reader, while the file ``flag`` exists, dies (``os._exit``) on a line
    with ``"die": true``, raises on ``"bug": true`` and takes 50 ms for ``"slow": true``."""

    def __init__(self, flag: Path) -> None:
        self.flag = flag

    def source_version(self, record: Any) -> str | None:
        if isinstance(record, dict) and self.flag.exists():
            if record.get("die"):
                os._exit(9)
            if record.get("bug"):
                raise ValueError("a bug in source_version")
            if record.get("slow"):
                time.sleep(0.05)
        return super().source_version(record)


def _sessions(
    folder: Path, n: int, lines: int, every: dict[str, Any] | None = None, **special: Any
) -> dict[tuple[str, str], str]:
    """``n`` session files of ``lines`` lines (each with ``every``); line 2 of the fourth file
    also has ``special``. Returns (source_uri, locator) -> text of every line."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for f in range(n):
        path = folder / f"s{f:02d}.jsonl"
        body = [cc_line(i, uuid=f"s{f}-{i}", **(every or {})) for i in range(1, lines + 1)]
        if f == 3 and special:
            body[1] = cc_line(2, uuid=f"s{f}-2", **(every or {}), **special)
        path.write_bytes(b"\n".join(body) + b"\n")
        for i, line in enumerate(body, start=1):
            expected[(str(path.resolve()), f"line:{i}")] = line.decode()
    return expected


def test_a_dead_worker_fails_its_files_and_the_next_run_lands_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = tmp_path / "die"
    flag.touch()
    monkeypatch.setattr(runner, "REGISTRY", {"claude_code": DyingClaudeCode(flag)})
    monkeypatch.setattr(pool, "BUNDLE_BYTES", 1)  # one file per bundle
    folder = tmp_path / "projects"
    expected = _sessions(folder, 12, 30, die=True)
    lake = tmp_path / "lake"

    first = run_extract(lake_uri=str(lake), sources={"claude_code": [folder]}, workers=2)
    assert first.status == "partial"
    failed = {e.file for e in first.errors}
    assert str((folder / "s03.jsonl").resolve()) in failed
    assert 1 <= len(failed) <= 2  # the dying file, and the one sent to that worker after it
    assert all(e.message.startswith("a reader process died (exit code 9)") for e in first.errors)
    assert first.totals.failed == len(failed)
    assert first.totals.new == 12 - len(failed)

    flag.unlink()
    second = run_extract(lake_uri=str(lake), sources={"claude_code": [folder]}, workers=2)
    assert second.status == "ok" and second.totals.new == len(failed)
    landed = {(r["source_uri"], r["record_locator"]): r["raw_text"] for r in rows(lake)}
    assert landed == expected
    assert len(rows(lake)) == len(expected)  # nothing landed twice


def test_a_worker_exception_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flag = tmp_path / "bug"
    flag.touch()
    monkeypatch.setattr(runner, "REGISTRY", {"claude_code": DyingClaudeCode(flag)})
    folder = tmp_path / "projects"
    _sessions(folder, 6, 5, bug=True)
    with pytest.raises(WorkerFailed, match="ValueError: a bug in source_version"):
        run_extract(lake_uri=str(tmp_path / "lake"), sources={"claude_code": [folder]}, workers=2)


RUN = """
import sys
from pathlib import Path
from extract import runner
from extract.tests.test_parallel import DyingClaudeCode
runner.PARALLEL_MIN_BYTES = 0
runner.REGISTRY = {"claude_code": DyingClaudeCode(Path(sys.argv[3]))}
runner.run_extract(
    lake_uri=sys.argv[1], sources={"claude_code": [Path(sys.argv[2])]}, max_rows=20, workers=2
)
"""


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_when_the_extract_process_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "projects"
    _sessions(folder, 20, 30, every={"slow": True})  # 30 s of reading at least
    flag = tmp_path / "slow"
    flag.touch()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(tmp_path / "lake"), str(folder), str(flag)], cwd=REPO_ROOT
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 3 and proc.poll() is None:
        workers = _descendants(proc.pid)  # the fork server and the two readers
        time.sleep(0.05)
    time.sleep(0.5)
    workers = _descendants(proc.pid)
    assert proc.poll() is None and len(workers) >= 3, "the run ended before its workers started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    alive = [p for p in workers if Path(f"/proc/{p}/stat").exists()]
    alive = [p for p in alive if " Z " not in Path(f"/proc/{p}/stat").read_text()]
    assert not alive, f"reader processes outlived the extract process: {alive}"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_is_bounded_by_bytes(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "projects"
    expected = _sessions(folder, 3, 40)
    longest = max(len(text) for text in expected.values())
    limit = 10 * longest
    lake = tmp_path / "lake"
    summary = run_extract(
        lake_uri=str(lake), sources={"claude_code": [folder]}, max_text_bytes=limit, workers=workers
    )
    assert summary.totals.rows_landed == len(expected)
    files = [p for p in (lake / "raw").rglob("*.parquet") if p.name != "_empty.parquet"]
    sizes = [
        sum(len(t.encode()) for t in pq.read_table(f).column("raw_text").to_pylist()) for f in files
    ]
    assert len(files) >= 3 and max(sizes) <= limit + longest
    assert {(r["source_uri"], r["record_locator"]): r["raw_text"] for r in rows(lake)} == expected


def test_reader_processes_import_no_pyarrow() -> None:
    code = (
        "import sys, extract.reading, extract.pool; "
        "heavy = {'pyarrow', 'fsspec', 'duckdb', 'click'}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_cli_workers_option(tmp_path: Path, run_json, invoke) -> None:
    folder = tmp_path / "projects"
    _sessions(folder, 3, 5)
    summary = run_json("--source", f"claude_code={folder}", "--workers", "2")
    assert summary["workers"] == 2 and summary["totals"]["rows_landed"] == 15
    again = run_json("--source", f"claude_code={folder}", "--workers", "1", lake=tmp_path / "b")
    assert again["workers"] == 1 and again["totals"]["rows_landed"] == 15
    bad = invoke("run", "--workers", "0")
    assert bad.exit_code == 2 and "--workers" in bad.output
