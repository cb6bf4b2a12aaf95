"""Every real Claude Code sample lands, line for line, byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from extract.runner import run_extract

from .conftest import SAMPLES, rows


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> tuple[list[dict], object]:
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} not present")
    lake = tmp_path_factory.mktemp("samples") / "lake"
    summary = run_extract(lake_uri=str(lake), sources={"claude_code": [SAMPLES]})
    return rows(lake), summary


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file()) if SAMPLES.is_dir() else []


def test_every_sample_file_lands(landed) -> None:
    records, summary = landed
    assert summary.errors == []
    files = sample_files()
    assert summary.totals.files_seen == len(files)
    assert {r["source_uri"] for r in records} == {os.path.realpath(p) for p in files}


@pytest.mark.parametrize("path", [p for p in sample_files() if p.suffix == ".jsonl"], ids=str)
def test_jsonl_rows_and_checksums(landed, path: Path) -> None:
    records, _ = landed
    mine = [r for r in records if r["source_uri"] == os.path.realpath(path)]
    lines = path.read_bytes().split(b"\n")
    expected = [
        (n, line.removesuffix(b"\r")) for n, line in enumerate(lines, start=1) if line.strip()
    ]
    assert len(mine) == len(expected)
    for record, (n, line) in zip(mine, expected, strict=True):
        assert record["record_locator"] == f"line:{n}"
        assert record["raw_checksum"] == hashlib.sha256(line).hexdigest()
        assert record["raw_text"].encode() == line
        assert record["record_kind"] == "session_line"


def test_web_transcript_elements_are_exact(landed) -> None:
    records, _ = landed
    path = SAMPLES / "simonw_sample_session_web.json"
    data = path.read_bytes()
    mine = [r for r in records if r["source_uri"] == os.path.realpath(path)]
    loglines = json.loads(data)["loglines"]
    assert len(mine) == len(loglines)
    for i, (record, element) in enumerate(zip(mine, loglines, strict=True)):
        assert record["record_locator"] == f"loglines[{i}]"
        raw = record["raw_text"].encode()
        assert raw in data
        assert json.loads(raw) == element
        assert record["raw_checksum"] == hashlib.sha256(raw).hexdigest()


def test_versions_extracted(landed) -> None:
    records, _ = landed
    versions = {r["source_version"] for r in records if r["source_version"]}
    assert "1.0.98" in versions and "2.1.207" in versions
