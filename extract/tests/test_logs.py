"""Structured logs: ``--log-format text|json`` and ``-v`` on every command (extract/logs.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from extract.logs import (
    JsonFormatter,
    StderrHandler,
    TextFormatter,
    configure,
    fields,
    get_logger,
)
from extract.tests.conftest import build_claude_home

JSON_KEYS = {"timestamp", "level", "stage", "platform", "run_id", "file", "message"}


def _record(level: int, message: str, **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("extract", level, __file__, 1, message, (), None)
    for key, value in fields(**extra).items():
        setattr(record, key, value)
    return record


def test_text_format_keeps_the_usual_lines() -> None:
    fmt = TextFormatter()
    assert fmt.format(_record(logging.INFO, "using the examples", stage="discover")) == (
        "using the examples"
    )
    assert fmt.format(_record(logging.ERROR, "boom", platform="chatgpt", file="/x.json")) == (
        "error: [chatgpt] /x.json: boom"
    )
    assert fmt.format(_record(logging.WARNING, "short period")) == "warning: short period"
    assert fmt.format(_record(logging.DEBUG, "written", file="/lake/a.parquet")) == (
        "debug: /lake/a.parquet: written"
    )


def test_json_format_has_every_field() -> None:
    line = JsonFormatter().format(
        _record(
            logging.ERROR,
            "Permission denied",
            stage="extract",
            platform="claude_code",
            run_id="r1",
            file="/a.jsonl",
            details={"n": 1},
        )
    )
    doc = json.loads(line)
    assert set(doc) >= JSON_KEYS
    assert doc["level"] == "error" and doc["stage"] == "extract"
    assert (doc["platform"], doc["run_id"], doc["file"]) == ("claude_code", "r1", "/a.jsonl")
    assert doc["message"] == "Permission denied" and doc["details"] == {"n": 1}
    assert doc["timestamp"].endswith("Z") and "T" in doc["timestamp"]
    bare = json.loads(JsonFormatter().format(_record(logging.INFO, "hello")))
    assert bare["stage"] is None and bare["run_id"] is None and "details" not in bare


def test_configure_rejects_an_unknown_format_and_replaces_its_handler() -> None:
    with pytest.raises(ValueError, match="unknown log format"):
        configure("xml")
    configure("json")
    configure("text", verbose=True)
    logger = get_logger()
    ours = [h for h in logger.handlers if isinstance(h, StderrHandler)]
    assert len(ours) == 1 and logger.level == logging.DEBUG
    configure("text")


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def test_run_json_logs_a_record_per_failed_file(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    projects = build_claude_home(tmp_path / "home")
    stray = tmp_path / "notes.txt"
    stray.write_text("not a transcript\n")
    lake = tmp_path / "lake"
    result = invoke(
        "--log-format",
        "json",
        "run",
        "--lake",
        str(lake),
        "--source",
        f"claude_code={projects}",
        "--source",
        f"claude_code={stray}",
    )
    assert result.exit_code == 0, result.output
    records = _json_lines(result.stderr)
    errors = [r for r in records if r["level"] == "error"]
    assert len(errors) == 1 and errors[0]["file"] == str(stray)
    assert errors[0]["platform"] == "claude_code" and errors[0]["stage"] == "extract"
    assert errors[0]["message"] == "not a claude_code source file"
    summary = [r for r in records if r["stage"] == "run"]
    assert len(summary) == 1 and summary[0]["details"]["status"] == "partial"
    assert errors[0]["run_id"] == summary[0]["run_id"] and summary[0]["run_id"]
    assert "extract run" in result.stdout  # the human table still goes to stdout


def test_run_json_log_summary_and_verbose_detail(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    projects = build_claude_home(tmp_path / "home")
    lake = tmp_path / "lake"
    args = ["run", "--quiet", "--lake", str(lake), "--platform", "claude_code"]
    args += ["--source", f"claude_code={projects}"]
    result = invoke("--log-format", "json", *args)
    assert result.exit_code == 0, result.output
    records = _json_lines(result.stderr)
    assert all(set(r) >= JSON_KEYS for r in records)
    assert [r["stage"] for r in records] == ["run"]  # no debug records without -v
    run_id = records[0]["run_id"]
    assert records[0]["details"]["rows_landed"] > 0 and records[0]["level"] == "info"
    assert (lake / "_runs" / f"{run_id}.parquet").exists()

    verbose = _json_lines(invoke("--log-format", "json", "-v", *args).stderr)
    levels = {r["level"] for r in verbose}
    assert "debug" in levels
    per_platform = [r for r in verbose if r["level"] == "debug" and r["platform"]]
    assert [r["platform"] for r in per_platform] == ["claude_code"]
    assert per_platform[0]["details"]["unchanged"] > 0  # the second run changed nothing


def test_run_text_output_is_unchanged(invoke: Callable[..., Result], tmp_path: Path) -> None:
    """Text (the default): no log line for a clean quiet run, the errors as `error: [p] f: m`."""
    projects = build_claude_home(tmp_path / "home")
    lake = tmp_path / "lake"
    quiet = invoke("run", "--quiet", "--lake", str(lake), "--source", f"claude_code={projects}")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""
    missing = tmp_path / "nope"
    failed = invoke("run", "--quiet", "--lake", str(lake), "--source", f"claude_code={missing}")
    assert failed.exit_code == 1
    lines = failed.stderr.splitlines()
    assert lines[0] == f"error: [claude_code] {missing}: source path not found"
    assert lines[-1].startswith("error: extract run ") and "nothing could be landed" in lines[-1]
    shown = invoke("run", "--lake", str(lake), "--source", f"claude_code={missing}")
    assert "source path not found" in shown.stdout  # in the table ...
    assert "source path not found" not in shown.stderr  # ... and not printed twice


def test_other_commands_log_their_errors_as_json(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    result = invoke("--log-format", "json", "summary", "--warehouse", str(tmp_path / "no.duckdb"))
    assert result.exit_code == 1
    (record,) = _json_lines(result.stderr)
    assert record["level"] == "error" and record["stage"] == "summary"
    assert "no warehouse at" in record["message"]
    text = invoke("summary", "--warehouse", str(tmp_path / "no.duckdb"))
    assert text.stderr.startswith("error: no warehouse at")
