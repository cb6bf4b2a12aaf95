"""`python -m extract sources`: where each platform looks, what it finds, what is wrong."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from extract.platforms import REGISTRY
from extract.platforms import base as platform_base
from extract.sources import check_sources, storage

from .conftest import REPO_ROOT, build_claude_home, cc_line

EXAMPLES = REPO_ROOT / "examples"


def _example_sources() -> list[str]:
    args = []
    for name, platform in REGISTRY.items():
        args += ["--source", f"{name}={platform.example_root(EXAMPLES)}"]
    return args


def test_examples_are_found_with_their_versions(invoke, tmp_path: Path) -> None:
    result = invoke("sources", "--json", *_example_sources(), "--lake", str(tmp_path / "lake"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    by_name = {p["platform"]: p for p in report["platforms"]}
    assert list(by_name) == list(REGISTRY)
    claude = by_name["claude_code"]
    files = [
        p
        for p in (EXAMPLES / "claude_code" / "projects").rglob("*")
        if p.suffix in (".jsonl", ".json")
    ]
    assert claude["files"] == len(files) == 8
    assert claude["bytes"] == sum(p.stat().st_size for p in files)
    newest = datetime.fromtimestamp(max(os.stat(p).st_mtime for p in files), timezone.utc)
    assert claude["newest"][:19] == newest.isoformat()[:19]
    # session A is 1.0.98, B and D 2.0.14 (B' too), C and E 2.1.20 (C' too)
    assert claude["format_versions"] == {"1.0.98": 2, "2.0.14": 3, "2.1.20": 3}
    assert by_name["copilot_chat"]["format_versions"] == {"0.32.4": 2, "0.37.1": 2}
    assert by_name["openai_api"]["format_versions"] == {"2024-10-21": 2}
    assert by_name["chatgpt"]["files"] == 1 and by_name["chatgpt"]["format_versions"] == {}
    assert all(p["problems"] == [] for p in report["platforms"])
    assert all(p["files"] > 0 for p in report["platforms"])


def test_a_missing_source_fails(invoke, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = invoke("sources", "--source", f"claude_code={missing}", "--lake", str(tmp_path))
    assert result.exit_code == 1
    assert f"problem: not found: {missing}" in result.stdout
    assert "missing or unreadable" in result.stderr


def test_an_unreadable_source_fails(invoke, tmp_path: Path, monkeypatch) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    real_scandir = os.scandir

    def scandir(path):  # root may read everything: simulate a folder it cannot list
        if Path(path) == projects:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(platform_base.os, "scandir", scandir)
    result = invoke("sources", "--json", "--source", f"claude_code={projects}")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["platforms"][0]["problems"]
    assert f"unreadable: {projects}: Permission denied" in problems


def test_empty_and_unknown_versions_are_reported_not_fatal(invoke, tmp_path: Path) -> None:
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "a.jsonl").write_bytes(cc_line(1, version="9.9.9") + b"\n" + cc_line(2) + b"\n")
    (odd / "b.jsonl").write_bytes(b"")
    result = invoke(
        "sources",
        "--json",
        "--source",
        f"claude_code={empty_dir}",
        "--source",
        f"claude_code={odd}",
        "--source",
        f"copilot_chat={empty_dir}",
    )
    assert result.exit_code == 0, result.output
    claude = json.loads(result.stdout)["platforms"][0]
    assert claude["format_versions"] == {"2.1.31": 1, "9.9.9": 1}
    assert claude["problems"] == [
        f"empty: no claude_code source files under {empty_dir}",
        f"empty file: {odd / 'b.jsonl'}",
        f"unknown format version 9.9.9 in 1 file(s) under {odd} (known: 1.0., 2.0., 2.1.)",
    ]


def test_default_locations_and_the_table(invoke, tmp_path: Path) -> None:
    home = tmp_path / "home"
    build_claude_home(home / ".claude")
    reports = check_sources(["claude_code", "copilot_chat"], env={}, home=home)
    claude, copilot = reports
    found = [r for r in claude.roots if r.exists]
    assert [r.path for r in found] == [str(home / ".claude" / "projects")]
    assert claude.files == 4 and claude.problems == []
    assert copilot.files == 0 and copilot.problems == []  # absent defaults are not problems
    assert all(not r.explicit for r in claude.roots + copilot.roots)
    result = invoke("sources", "--platform", "claude_code", env={"HOME": str(home)})
    assert result.exit_code == 0
    assert f"default {home / '.claude' / 'projects'}: 4 file(s)" in result.stdout
    assert "other default location(s) not there; --all lists them" in result.stdout
    shown = invoke("sources", "--all", "--platform", "claude_code", env={"HOME": str(home)})
    assert "not there" in shown.stdout and "--all lists them" not in shown.stdout


def test_lake_and_warehouse_size(run_json, invoke, tmp_path: Path) -> None:
    projects = build_claude_home(tmp_path / ".claude")
    run_json("--source", f"claude_code={projects}")
    lake = tmp_path / "lake"
    warehouse = tmp_path / "w.duckdb"
    store = storage(str(lake), warehouse)
    parquet = list(lake.rglob("*.parquet"))
    assert store.lake_files == len(parquet)
    assert store.lake_bytes == sum(p.stat().st_size for p in parquet)
    assert set(store.lake_bytes_by_area) == {"raw", "_state", "_runs"}
    assert store.warehouse_bytes is None and "no warehouse" in store.problems[0]
    warehouse.write_bytes(b"x" * 1234)
    assert storage(str(lake), warehouse).warehouse_bytes == 1234
    out = invoke(
        "sources", "--platform", "chatgpt", "--lake", str(lake), "--warehouse", str(warehouse)
    ).stdout
    assert f"lake {lake}: {len(parquet)} file(s)" in out
    assert f"warehouse {warehouse}: 1.2 KB" in out


def test_source_for_an_excluded_platform_is_a_usage_error(invoke, tmp_path: Path) -> None:
    result = invoke("sources", "--platform", "chatgpt", "--source", f"claude_code={tmp_path}")
    assert result.exit_code == 2 and "--platform does not include it" in result.output


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_platform_can_be_checked(name: str) -> None:
    (report,) = check_sources([name], {name: [REGISTRY[name].example_root(EXAMPLES)]})
    assert report.files > 0 and not report.problems
