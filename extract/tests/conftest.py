"""Shared helpers: fake Claude Code homes, running the extractor, reading the lake back."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from extract.cli import main
from extract.schema import RAW_SCHEMA

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "claude_code"
SESSION_ID = "3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
PROJECT = "-home-dev-shop"


def cc_line(n: int, **extra: Any) -> bytes:
    """One realistic Claude Code user line (compact JSON, no terminator)."""
    record = {
        "parentUuid": f"u{n - 1}" if n > 1 else None,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/shop",
        "sessionId": SESSION_ID,
        "version": "2.1.31",
        "gitBranch": "main",
        "type": "user",
        "message": {"role": "user", "content": f"prompt number {n}"},
        "uuid": f"u{n}",
        "timestamp": f"2026-01-05T09:{n % 60:02d}:00.000Z",
    }
    record.update(extra)
    return json.dumps(record, separators=(",", ":")).encode()


def build_claude_home(base: Path) -> Path:
    """A fake ``~/.claude/projects`` tree with a session, a subagent and its meta, a web export."""
    project = base / "projects" / PROJECT
    subagents = project / SESSION_ID / "subagents"
    subagents.mkdir(parents=True)
    shutil.copy(FIXTURES / "session_basic.jsonl", project / f"{SESSION_ID}.jsonl")
    (subagents / "agent-a1b2c3d4e5f6a7b8c.jsonl").write_bytes(
        cc_line(1, isSidechain=True, agentId="a1b2c3d4e5f6a7b8c") + b"\n"
    )
    shutil.copy(FIXTURES / "agent-a1b2c3d4e5f6a7b8c.meta.json", subagents)
    shutil.copy(FIXTURES / "web_session.json", project / "web_session.json")
    (project / "notes.txt").write_text("not a source file\n")
    return base / "projects"


def read_lake(lake: Path) -> pa.Table:
    """Every raw record in the lake (including the zero-row _empty files)."""
    files = sorted((lake / "raw").rglob("*.parquet"))
    if not files:
        return RAW_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(f) for f in files])


def rows(lake: Path) -> list[dict[str, Any]]:
    return sorted(
        read_lake(lake).to_pylist(),
        key=lambda r: (r["source_uri"], r["source_file_version"], r["record_ordinal"]),
    )


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.chdir(tmp_path)  # a run without --lake writes ./lake: keep it in tmp_path
    runner = CliRunner()

    def _invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return _invoke


@pytest.fixture
def run_json(invoke: Callable[..., Result], tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Run ``extract run --json --lake <tmp>/lake <args>``; return the parsed summary."""

    def _run(*args: str, lake: Path | None = None, expect: int = 0) -> dict[str, Any]:
        lake = lake or tmp_path / "lake"
        result = invoke("run", "--json", "--lake", str(lake), *args)
        assert result.exit_code == expect, result.output
        return json.loads(result.stdout)

    return _run
