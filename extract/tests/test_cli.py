from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract import __version__, runner
from extract.cli import exit_status
from extract.platforms import REGISTRY
from extract.runner import run_extract

from .conftest import PROJECT, REPO_ROOT, SESSION_ID, build_claude_home, cc_line, rows


def test_version_and_help(invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output
    result = invoke("run", "--help")
    for option in ("--source", "--platform", "--lake", "--quiet", "--json", "--examples"):
        assert option in result.output


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    proc = subprocess.run(
        [sys.executable, "-m", "extract", "run", "--json", "--source", f"claude_code={src}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["rows_landed"] == 1
    assert (tmp_path / "lake" / "raw" / "platform=claude_code" / "_empty.parquet").exists()
    assert "Traceback" not in proc.stderr


def test_json_summary_counts_and_runs_file(tmp_path: Path, run_json) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    summary = run_json("--source", f"claude_code={projects}")
    counts = summary["platforms"]["claude_code"]
    # session (5 lines) + subagent (1) + meta (1) + web loglines (4)
    assert counts == {
        "files_seen": 4,
        "new": 4,
        "grown": 0,
        "rewritten": 0,
        "unchanged": 0,
        "failed": 0,
        "rows_landed": 11,
        "bytes_read": counts["bytes_read"],
    }
    assert counts["bytes_read"] == sum(
        p.stat().st_size for p in projects.rglob("*") if p.suffix in (".jsonl", ".json")
    )
    assert summary["status"] == "ok"
    assert summary["errors"] == []
    lake = tmp_path / "lake"
    run_table = pq.read_table(lake / "_runs" / f"{summary['run_id']}.parquet")
    run_row = run_table.to_pylist()[0]
    assert run_row["rows_landed"] == 11
    assert run_row["files_new"] == 4
    assert run_row["status"] == "ok"
    assert run_row["platforms"] == sorted(REGISTRY)
    assert json.loads(run_row["errors_json"]) == []
    kinds = sorted({(r["record_kind"], r["record_locator"].split("[")[0]) for r in rows(lake)})
    assert ("subagent_meta", "document") in kinds
    assert ("session_line", "loglines") in kinds
    again = run_json("--source", f"claude_code={projects}")
    assert again["totals"]["rows_landed"] == 0
    assert again["totals"]["unchanged"] == 4


def test_human_summary(tmp_path: Path, invoke) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    lake = tmp_path / "lake"
    result = invoke("run", "--lake", str(lake), "--source", f"claude_code={projects}")
    assert result.exit_code == 0
    out = result.stdout
    assert "claude_code" in out and "rewritten" in out and "unchanged" in out
    assert f"lake: {lake}" in out
    assert "run id: " in out
    line = next(ln for ln in out.splitlines() if ln.startswith("claude_code"))
    assert line.split()[1:8] == ["4", "4", "0", "0", "0", "0", "11"]


def test_lake_from_env(tmp_path: Path, invoke) -> None:
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    lake = tmp_path / "envlake"
    result = invoke("run", "--quiet", "--source", f"claude_code={src}", env={"LAKE_URI": str(lake)})
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(rows(lake)) == 1


def test_unknown_platform_is_a_click_error(invoke) -> None:
    result = invoke("run", "--platform", "nope")
    assert result.exit_code == 2
    assert "nope" in result.output and "claude_code" in result.output
    result = invoke("run", "--source", "nope=/tmp")
    assert result.exit_code == 2
    assert "unknown platform 'nope'" in result.output and "claude_code" in result.output
    result = invoke("run", "--source", "claude_code")
    assert result.exit_code == 2 and "PLATFORM=PATH" in result.output


def test_unreadable_file_is_recorded_and_others_land(tmp_path: Path, monkeypatch, run_json) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    bad = projects / PROJECT / f"{SESSION_ID}.jsonl"
    real_open = runner.open_source

    def guarded(path: Path):
        if path == bad.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(runner, "open_source", guarded)
    summary = run_json("--source", f"claude_code={projects}")
    assert summary["status"] == "partial"
    assert summary["totals"]["failed"] == 1
    assert summary["totals"]["rows_landed"] == 6
    assert summary["errors"] == [
        {"platform": "claude_code", "file": str(bad.resolve()), "message": "Permission denied"}
    ]
    # once readable, it lands on the next run
    monkeypatch.setattr(runner, "open_source", real_open)
    again = run_json("--source", f"claude_code={projects}")
    assert again["totals"]["new"] == 1 and again["totals"]["rows_landed"] == 5


def test_vanished_file_is_an_error(tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "a.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    other = tmp_path / "b.jsonl"
    other.write_bytes(cc_line(2) + b"\n")
    real_process = runner.Runner.process

    def vanish_first(self, sf):
        if sf.path.name == "a.jsonl":
            src.unlink()
        return real_process(self, sf)

    monkeypatch.setattr(runner.Runner, "process", vanish_first)
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"claude_code": [tmp_path]})
    assert summary.status == "partial" and summary.exit_code == 0
    assert [e.file for e in summary.errors] == [str(src)]
    assert summary.totals.rows_landed == 1


def test_all_files_failing_exits_1(tmp_path: Path, monkeypatch, invoke) -> None:
    projects = build_claude_home(tmp_path / ".claude")

    def always_fail(path: Path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(runner, "open_source", always_fail)
    result = invoke("run", "--lake", str(tmp_path / "lake"), "--source", f"claude_code={projects}")
    assert result.exit_code == 1
    assert "failed" in result.stderr and "nothing could be landed" in result.stderr
    assert "Traceback" not in result.output


def test_missing_explicit_source_exits_1(tmp_path: Path, invoke) -> None:
    missing = tmp_path / "missing"
    result = invoke("run", "--lake", str(tmp_path / "lake"), "--source", f"claude_code={missing}")
    assert result.exit_code == 1
    assert "source path not found" in result.stdout


def test_unwritable_lake_exits_1_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "lake"
    blocker.write_text("a file, not a folder")
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    proc = subprocess.run(
        [
            sys.executable,
            *("-m", "extract", "run", "--lake", str(blocker)),
            "--source",
            f"claude_code={src}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "the lake cannot be written" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nothing_found_exits_0_and_says_so(tmp_path: Path, monkeypatch, invoke) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    result = invoke("run", "--lake", str(tmp_path / "lake"))
    assert result.exit_code == 0
    assert "No source files were found" in result.stdout


def test_examples_fallback(tmp_path: Path, monkeypatch, invoke) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    examples = tmp_path / "examples"
    build_claude_home(examples / "claude_code")
    monkeypatch.setattr(runner, "EXAMPLES_DIR", examples)
    result = invoke("run", "--json", "--examples", "--lake", str(tmp_path / "lake"))
    assert result.exit_code == 0
    assert "using the bundled example logs in" in result.stderr
    assert str(examples / "claude_code" / "projects") in result.stderr
    assert json.loads(result.stdout)["totals"]["rows_landed"] == 11
    # without --examples nothing is landed
    result = invoke("run", "--json", "--lake", str(tmp_path / "lake2"))
    assert json.loads(result.stdout)["totals"]["files_seen"] == 0


def test_examples_not_used_when_logs_exist(tmp_path: Path, monkeypatch, run_json) -> None:
    home = tmp_path / "home"
    build_claude_home(home / ".claude")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    summary = run_json("--examples")
    assert summary["examples_used"] == []
    assert summary["totals"]["files_seen"] == 4


def test_bundled_examples_folder_is_the_repos(tmp_path: Path) -> None:
    assert runner.EXAMPLES_DIR == REPO_ROOT / "examples"


def test_platform_with_source(tmp_path: Path, run_json) -> None:
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    summary = run_json("--platform", "claude_code", "--source", f"claude_code={src}")
    assert summary["platforms"]["claude_code"]["rows_landed"] == 1


def test_init_command(tmp_path: Path, invoke) -> None:
    lake = tmp_path / "lake"
    first = invoke("init", "--lake", str(lake))
    n = len(REGISTRY)
    assert first.exit_code == 0 and f"{n} _empty.parquet written" in first.stdout
    second = invoke("init", "--lake", str(lake))
    assert second.exit_code == 0 and f"0 _empty.parquet written, {n} already there" in second.stdout
    assert sorted(os.listdir(lake / "raw")) == sorted(f"platform={p}" for p in REGISTRY)


def test_memory_lake_end_to_end(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n" + cc_line(2) + b"\n")
    uri = "memory://e2e-lake"
    assert run_extract(lake_uri=uri, sources={"claude_code": [src]}).totals.rows_landed == 2
    assert run_extract(lake_uri=uri, sources={"claude_code": [src]}).totals.rows_landed == 0


def test_synth_command_is_loaded_when_used() -> None:
    """``synth`` is imported by the command group on use (not by every run), and still listed."""
    from click.testing import CliRunner

    from extract.cli import main

    listed = CliRunner().invoke(main, ["--help"])
    assert listed.exit_code == 0 and "synth" in listed.output
    shown = CliRunner().invoke(main, ["synth", "--help"])
    assert shown.exit_code == 0 and "synthetic corpus" in shown.output
    assert main.get_command(None, "nope") is None  # type: ignore[arg-type]


def test_run_does_not_import_what_a_no_change_run_never_uses() -> None:
    """Start-up of every run: the corpus generator and the reader pool (multiprocessing) load
    only when used."""

    code = (
        "import sys, extract.cli, extract.runner; "
        "print(sorted(m for m in ('extract.synth', 'extract.pool') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_exit_status_is_the_interpreters(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(None) == 0
    assert exit_status(75) == 75
    assert exit_status("no lake given") == 1
    assert capsys.readouterr().err == "no lake given\n"


def test_entry_skips_finalization_that_can_abort(tmp_path: Path) -> None:
    """The entry point ends the process once the command is done: a native teardown at the
    interpreter's finalization (here an exit handler that aborts, as Arrow's thread pools can)
    never runs. Output is flushed and the command's own exit status kept."""
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        code = (
            "import atexit, os, sys; atexit.register(os.abort); "
            f"sys.argv = ['extract', *{args!r}]; "
            "from extract.cli import entry; entry()"
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LAKE_URI": str(tmp_path / "lake")},
        )

    landed = run(["run", "--json", "--source", f"claude_code={src}"])
    assert landed.returncode == 0, landed.stderr
    assert json.loads(landed.stdout)["totals"]["rows_landed"] == 1
    missing = run(["run", "--source", f"claude_code={tmp_path / 'nope.jsonl'}"])
    assert missing.returncode == 1
    assert "source path not found" in missing.stdout
    misused = run(["run", "--since", "yesterday-ish"])
    assert misused.returncode == 2
    assert "--since" in misused.stderr


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_a_rerun_starts_no_arrow_thread_pool(tmp_path: Path) -> None:
    """A run into a lake that holds states reads them without Arrow's thread pools (whose
    teardown at exit can abort the process): the process has as many threads after two runs as
    before them."""
    src = tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n" + cc_line(2) + b"\n")
    code = (
        "import os, sys; from pathlib import Path; from extract.runner import run_extract; "
        "threads = lambda: len(os.listdir('/proc/self/task')); before = threads(); "
        "[run_extract(lake_uri=sys.argv[1], sources={'claude_code': [Path(sys.argv[2])]}) "
        "for _ in range(2)]; print(before, threads())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "lake"), str(src)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = proc.stdout.split()
    assert after == before, proc.stdout
