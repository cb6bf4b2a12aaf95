"""Bad input: every case gets a clear message or lands raw, and the rest of the run goes on.

Each test puts one bad file next to a good one: the good one must always land. What the warehouse
makes of the landed bad records (dead letters with a reason) is checked in dbt by the staging
dead-letter models and their unit tests; here the extractor's side: nothing crashes, nothing hangs,
nothing is silently dropped.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extract.splitting import ZIP_MAX_RATIO, ZIP_RATIO_FLOOR_BYTES
from extract.tests.conftest import cc_line, rows

RunJson = Callable[..., dict[str, Any]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Claude Code projects folder with one good session file."""
    folder = tmp_path / "projects" / "-home-dev-shop"
    folder.mkdir(parents=True)
    (folder / "good.jsonl").write_bytes(cc_line(1) + b"\n" + cc_line(2) + b"\n")
    return tmp_path / "projects"


def _run_claude(run_json: RunJson, projects: Path, expect: int = 0) -> dict[str, Any]:
    return run_json(
        "--platform", "claude_code", "--source", f"claude_code={projects}", expect=expect
    )


def _landed(lake: Path, name: str) -> list[dict[str, Any]]:
    return [r for r in rows(lake) if r["source_uri"].endswith("/" + name)]


def _good_landed(lake: Path) -> None:
    assert len(_landed(lake, "good.jsonl")) == 2


def test_truncated_last_line_waits_for_its_end(
    run_json: RunJson, project: Path, tmp_path: Path
) -> None:
    """A half-written last line (the assistant is still writing) lands once it is complete."""
    bad = project / "-home-dev-shop" / "writing.jsonl"
    whole = cc_line(3)
    bad.write_bytes(cc_line(1) + b"\n" + whole[:40])
    _run_claude(run_json, project)
    lake = tmp_path / "lake"
    _good_landed(lake)
    assert [r["record_locator"] for r in _landed(lake, "writing.jsonl")] == ["line:1"]
    bad.write_bytes(cc_line(1) + b"\n" + whole + b"\n")
    _run_claude(run_json, project)
    landed = _landed(lake, "writing.jsonl")
    assert [r["record_locator"] for r in landed] == ["line:1", "line:2"]
    assert landed[1]["raw_text"].encode() == whole


def test_invalid_utf8_lands_with_its_exact_bytes(
    run_json: RunJson, project: Path, tmp_path: Path
) -> None:
    raw = b'{"type":"user","note":"caf\xe9 \xff"}'
    (project / "-home-dev-shop" / "latin1.jsonl").write_bytes(raw + b"\n")
    _run_claude(run_json, project)
    (row,) = _landed(tmp_path / "lake", "latin1.jsonl")
    assert row["raw_bytes"] == raw
    assert "\ufffd" in row["raw_text"]
    _good_landed(tmp_path / "lake")


def test_binary_garbage_lands_raw(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 40 + b"\n\x00\x01\x02 not json\n"
    (project / "-home-dev-shop" / "garbage.jsonl").write_bytes(garbage)
    _run_claude(run_json, project)
    landed = _landed(tmp_path / "lake", "garbage.jsonl")
    assert landed, "garbage lines land raw; staging dead-letters them"
    restored = b"".join(
        (r["raw_bytes"] if r["raw_bytes"] is not None else r["raw_text"].encode()) for r in landed
    )
    assert restored == garbage.replace(b"\n", b"")
    _good_landed(tmp_path / "lake")


def test_empty_file_then_growing(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    empty = project / "-home-dev-shop" / "new-session.jsonl"
    empty.write_bytes(b"")
    summary = _run_claude(run_json, project)
    assert summary["errors"] == []
    assert _landed(tmp_path / "lake", "new-session.jsonl") == []
    empty.write_bytes(cc_line(1) + b"\n")
    _run_claude(run_json, project)
    assert len(_landed(tmp_path / "lake", "new-session.jsonl")) == 1


def test_a_50_mb_line_lands_whole(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    big = cc_line(1, message={"role": "user", "content": "x" * (50 << 20)})
    (project / "-home-dev-shop" / "big.jsonl").write_bytes(big + b"\n")
    _run_claude(run_json, project)
    (row,) = _landed(tmp_path / "lake", "big.jsonl")
    assert len(row["raw_text"]) == len(big)
    _good_landed(tmp_path / "lake")


def test_json_nested_10000_deep_lands_raw(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    (project / "-home-dev-shop" / "deep.jsonl").write_bytes(deep + b"\n")
    _run_claude(run_json, project)
    (row,) = _landed(tmp_path / "lake", "deep.jsonl")
    assert row["raw_text"].encode() == deep
    _good_landed(tmp_path / "lake")


def test_a_folder_named_like_a_log_is_reported(
    run_json: RunJson, project: Path, tmp_path: Path
) -> None:
    """A path that cannot be read as a file (here a folder named *.jsonl) is reported, not fatal."""
    (project / "-home-dev-shop" / "odd.jsonl").mkdir()
    summary = _run_claude(run_json, project)
    _good_landed(tmp_path / "lake")
    assert summary["totals"]["rows_landed"] == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_reported(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    locked = project / "-home-dev-shop" / "locked.jsonl"
    locked.write_bytes(cc_line(1) + b"\n")
    locked.chmod(0)
    try:
        summary = _run_claude(run_json, project)
    finally:
        locked.chmod(0o600)
    assert any("locked.jsonl" in e["file"] for e in summary["errors"])
    _good_landed(tmp_path / "lake")


def test_a_symlink_loop_ends(run_json: RunJson, project: Path, tmp_path: Path) -> None:
    os.symlink(project, project / "-home-dev-shop" / "loop")
    os.symlink(project / "-home-dev-shop" / "missing", project / "-home-dev-shop" / "dangling")
    summary = _run_claude(run_json, project)
    _good_landed(tmp_path / "lake")
    good = [r for r in rows(tmp_path / "lake") if r["source_uri"].endswith("good.jsonl")]
    assert len({r["source_uri"] for r in good}) == 1, "the loop must not land the file twice"
    assert summary["totals"]["rows_landed"] == 2


def test_a_file_that_vanishes_is_reported(
    run_json: RunJson, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by discovery, deleted before it is read: an error for that file, the rest lands."""
    from extract import runner

    gone = project / "-home-dev-shop" / "gone.jsonl"
    gone.write_bytes(cc_line(1) + b"\n")
    real = runner.discover_sources

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        if gone.exists():
            gone.unlink()
        return found

    monkeypatch.setattr(runner, "discover_sources", discover_then_delete)
    summary = _run_claude(run_json, project)
    assert [e for e in summary["errors"] if e["file"].endswith("gone.jsonl")]
    _good_landed(tmp_path / "lake")


# ------------------------------------------------------------------------------------------------
# ChatGPT export archives
# ------------------------------------------------------------------------------------------------


def _conversation() -> dict[str, Any]:
    return {
        "id": "c1",
        "title": "t",
        "create_time": 1700000000.0,
        "update_time": 1700000001.0,
        "current_node": "n1",
        "mapping": {"n1": {"id": "n1", "parent": None, "children": [], "message": None}},
    }


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    with zipfile.ZipFile(folder / "good.zip", "w") as z:
        z.writestr("conversations.json", json.dumps([_conversation()]))
    return folder


def _run_chatgpt(run_json: RunJson, folder: Path) -> dict[str, Any]:
    return run_json("--platform", "chatgpt", "--source", f"chatgpt={folder}")


def test_zip_member_escaping_the_archive_is_refused(
    run_json: RunJson, exports: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(exports / "evil.zip", "w") as z:
        z.writestr("../../conversations.json", json.dumps([_conversation()]))
    summary = _run_chatgpt(run_json, exports)
    (error,) = summary["errors"]
    assert error["file"].endswith("evil.zip")
    assert "escapes the archive" in error["message"]
    assert _landed(tmp_path / "lake", "evil.zip") == []
    assert len(_landed(tmp_path / "lake", "good.zip")) == 1


def test_zip_bomb_is_refused_before_inflating(
    run_json: RunJson, exports: Path, tmp_path: Path
) -> None:
    size = ZIP_RATIO_FLOOR_BYTES + (1 << 20)
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open("conversations.json", "w", force_zip64=True) as member,
    ):
        member.write(b"[")
        chunk = b" " * (1 << 20)
        for _ in range(size >> 20):
            member.write(chunk)
        member.write(b"]")
    (exports / "bomb.zip").write_bytes(buf.getvalue())
    info = zipfile.ZipFile(exports / "bomb.zip").getinfo("conversations.json")
    assert info.file_size / info.compress_size > ZIP_MAX_RATIO
    summary = _run_chatgpt(run_json, exports)
    (error,) = summary["errors"]
    assert "zip bomb" in error["message"]
    assert len(_landed(tmp_path / "lake", "good.zip")) == 1


# ------------------------------------------------------------------------------------------------
# A file that grows while the run reads it
# ------------------------------------------------------------------------------------------------


def _grow_when_opened(
    monkeypatch: pytest.MonkeyPatch, path: Path, content: bytes
) -> Callable[[], int]:
    """The seam: ``path`` is 0 bytes when discovered and stat'ed; the first time the run opens it,
    ``content`` is written first (the assistant started writing in between). Returns the number
    of times it grew."""
    from extract import runner

    real_open = runner.open_source
    grown = []

    def grow_then_open(opened: Path) -> Any:
        if opened == path.resolve() and not grown:
            assert path.stat().st_size == 0, "the run must have stat'ed the empty file"
            path.write_bytes(content)
            grown.append(opened)
        return real_open(opened)

    monkeypatch.setattr(runner, "open_source", grow_then_open)
    return lambda: len(grown)


def test_empty_file_growing_during_the_run_lands_within_it(
    run_json: RunJson, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0 bytes when listed, two lines and a half when read: the complete lines land in this run,
    the half-written one waits for the next, which lands only it (same file version)."""
    growing = project / "-home-dev-shop" / "growing.jsonl"
    growing.write_bytes(b"")
    second, third = cc_line(2), cc_line(3)
    held = cc_line(1) + b"\n" + second + b"\n" + third[:25]
    grew = _grow_when_opened(monkeypatch, growing, held)
    summary = _run_claude(run_json, project)
    assert grew() == 1
    assert summary["errors"] == []
    landed = _landed(tmp_path / "lake", "growing.jsonl")
    assert [r["record_locator"] for r in landed] == ["line:1", "line:2"]
    assert {r["source_size"] for r in landed} == {len(held)}  # the size it was read at
    _good_landed(tmp_path / "lake")

    growing.write_bytes(cc_line(1) + b"\n" + second + b"\n" + third + b"\n")
    again = _run_claude(run_json, project)
    assert (again["totals"]["grown"], again["totals"]["rows_landed"]) == (1, 1)
    landed = _landed(tmp_path / "lake", "growing.jsonl")
    assert [r["record_locator"] for r in landed] == ["line:1", "line:2", "line:3"]
    assert [r["raw_text"].encode() for r in landed] == [cc_line(1), second, third]
    assert {r["source_file_version"] for r in landed} == {1}


def test_empty_gzip_log_growing_during_the_run_lands_once(
    run_json: RunJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compressed log is hashed whole: hashed at its listed size (0 bytes) but split whole, it
    would land again as a new version on the next run. Read at its opened size, it lands once."""
    import gzip

    folder = tmp_path / "api_logs"
    folder.mkdir()
    log = folder / "requests.jsonl.gz"
    log.write_bytes(b"")
    line = json.dumps({"custom_id": "r1", "body": {"model": "gpt-4o", "messages": []}})
    grew = _grow_when_opened(monkeypatch, log, gzip.compress(line.encode() + b"\n"))
    args = ("--platform", "openai_api", "--source", f"openai_api={folder}")
    first = run_json(*args)
    assert grew() == 1 and first["errors"] == []
    assert [r["raw_text"] for r in _landed(tmp_path / "lake", log.name)] == [line]
    again = run_json(*args)
    assert again["totals"]["rewritten"] == 0 and again["totals"]["rows_landed"] == 0
    assert [r["source_file_version"] for r in _landed(tmp_path / "lake", log.name)] == [1]
