"""Continue (continue.dev): discovery under ~/.continue / $CONTINUE_GLOBAL_DIR, splitting of the
session files, the sessions.json index and the dev_data event logs, incremental growth."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from extract.discovery import discover_sources
from extract.platforms import REGISTRY
from extract.progress import RunError
from extract.runner import run_extract

from .conftest import REPO_ROOT, rows

FIXTURE = Path(__file__).parent / "fixtures" / "continue" / "global"
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "continue"
CONTINUE = REGISTRY["continue"]
SESSION = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
# what Continue's global folder holds that is a source: the rest (config.json, index/,
# autocomplete.jsonl, the legacy tokens_generated.jsonl) is not read
SOURCES = [
    "dev_data/0.2.0/tokensGenerated.jsonl",
    f"sessions/{SESSION}.json",
    "sessions/sessions.json",
]


def _global_dir(base: Path) -> Path:
    target = base / ".continue"
    shutil.copytree(FIXTURE, target)
    return target


def _rel(files: list, base: Path) -> list[str]:
    return sorted(str(Path(f.uri).relative_to(os.path.realpath(base))) for f in files)


def _continue_rows(lake: Path) -> list[dict]:
    return [r for r in rows(lake) if r["platform"] == "continue"]


def test_file_formats_and_version() -> None:
    assert CONTINUE.name == "continue"
    session = CONTINUE.file_format(Path(f"{SESSION}.json"))
    assert session is not None and session.splitter == "json" and session.record_kind == "session"
    assert not session.split_top_array
    index = CONTINUE.file_format(Path("sessions.json"))
    assert index is not None and index.split_top_array
    assert index.array_record_kind == "sessions_index"
    tokens = CONTINUE.file_format(Path("tokensGenerated.jsonl"))
    assert tokens is not None and (tokens.splitter, tokens.record_kind) == (
        "jsonl",
        "tokens_generated",
    )
    chat = CONTINUE.file_format(Path("chatInteraction.jsonl"))
    assert chat is not None and chat.record_kind == "chat_interaction"
    assert CONTINUE.file_format(Path("autocomplete.jsonl")) is None
    assert CONTINUE.file_format(Path("tokens_generated.jsonl")) is None
    agent = "Visual Studio Code/1.105.1 (Continue/1.2.10)"
    assert CONTINUE.source_version({"userAgent": agent}) == "1.2.10"
    assert CONTINUE.source_version({"userAgent": "Unknown/Unknown (Continue/Unknown)"}) == "Unknown"
    assert CONTINUE.source_version({"sessionId": "s", "history": []}) is None
    assert CONTINUE.source_version([1, 2]) is None


def test_default_roots_respect_continue_global_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert CONTINUE.default_roots({}, home) == [home / ".continue"]
    custom = tmp_path / "elsewhere" / "continue-data"
    assert CONTINUE.default_roots({"CONTINUE_GLOBAL_DIR": str(custom)}, home) == [custom]
    assert CONTINUE.default_roots({"CONTINUE_GLOBAL_DIR": "  "}, home) == [home / ".continue"]


@pytest.mark.parametrize(
    "home_dir",
    [
        "home/dev",  # Linux: /home/dev/.continue
        "Users/dev",  # macOS /Users/dev/.continue and Windows C:\\Users\\dev\\.continue
    ],
)
def test_discovery_of_the_global_folder(tmp_path: Path, home_dir: str) -> None:
    home = tmp_path / home_dir
    home.mkdir(parents=True)
    root = _global_dir(home)
    errors: list[RunError] = []
    files = discover_sources(
        CONTINUE, CONTINUE.default_roots({}, home), explicit=False, errors=errors
    )
    assert errors == []
    assert _rel(files, root) == SOURCES
    message = CONTINUE.describe_discovery([root], [Path(f.uri) for f in files])
    assert message is not None and "1 session file(s) and 1 dev_data log(s)" in message


def test_discovery_with_continue_global_dir(tmp_path: Path) -> None:
    root = _global_dir(tmp_path / "custom")
    (tmp_path / "home" / ".continue" / "sessions").mkdir(parents=True)
    (tmp_path / "home" / ".continue" / "sessions" / "other.json").write_text("{}")
    errors: list[RunError] = []
    roots = CONTINUE.default_roots({"CONTINUE_GLOBAL_DIR": str(root)}, tmp_path / "home")
    files = discover_sources(CONTINUE, roots, explicit=False, errors=errors)
    assert errors == []
    assert _rel(files, root) == SOURCES


def test_explicit_sessions_and_dev_data_folders_and_files(tmp_path: Path) -> None:
    root = _global_dir(tmp_path)
    errors: list[RunError] = []
    sessions = discover_sources(CONTINUE, [root / "sessions"], explicit=True, errors=errors)
    assert _rel(sessions, root) == SOURCES[1:]
    dev_data = discover_sources(CONTINUE, [root / "dev_data"], explicit=True, errors=errors)
    assert _rel(dev_data, root) == SOURCES[:1]
    one = discover_sources(CONTINUE, [root / "config.json"], explicit=True, errors=errors)
    assert _rel(one, root) == ["config.json"]  # a file given explicitly is read
    missing = discover_sources(CONTINUE, [root / "nope"], explicit=True, errors=errors)
    assert missing == [] and [e.message for e in errors] == ["source path not found"]


def test_run_lands_sessions_index_entries_and_event_lines(tmp_path: Path, run_json) -> None:
    root = _global_dir(tmp_path / "home")
    summary = run_json("--platform", "continue", "--source", f"continue={root}")
    assert summary["platforms"]["continue"]["rows_landed"] == 5
    landed = _continue_rows(tmp_path / "lake")
    got = [(Path(r["source_uri"]).name, r["record_kind"], r["record_locator"]) for r in landed]
    assert sorted(got) == sorted(
        [
            (f"{SESSION}.json", "session", "document"),
            ("sessions.json", "sessions_index", "[0]"),
            ("sessions.json", "sessions_index", "[1]"),
            ("tokensGenerated.jsonl", "tokens_generated", "line:1"),
            ("tokensGenerated.jsonl", "tokens_generated", "line:2"),
        ]
    )
    by_kind = {(r["record_kind"], r["record_locator"]): r for r in landed}
    session = by_kind[("session", "document")]
    assert session["raw_text"].encode() == (root / "sessions" / f"{SESSION}.json").read_bytes()
    assert session["source_version"] is None
    entry = json.loads(by_kind[("sessions_index", "[1]")]["raw_text"])
    assert entry["sessionId"] == "ffffffff-0000-4000-8000-000000000000"
    assert by_kind[("tokens_generated", "line:2")]["source_version"] == "0.8.40"
    for r in landed:
        assert r["raw_checksum"] == hashlib.sha256(r["raw_text"].encode()).hexdigest()


def test_incremental_growth_and_session_rewrite(tmp_path: Path) -> None:
    root = _global_dir(tmp_path / "home")
    lake = str(tmp_path / "lake")
    first = run_extract(lake_uri=lake, platforms=["continue"], sources={"continue": [root]})
    assert first.platforms["continue"].rows_landed == 5
    again = run_extract(lake_uri=lake, platforms=["continue"], sources={"continue": [root]})
    assert again.platforms["continue"].rows_landed == 0
    # a new LLM call appends one line; the session is saved again with one more message
    log = root / "dev_data" / "0.2.0" / "tokensGenerated.jsonl"
    with open(log, "a", encoding="utf-8") as f:
        f.write(
            '{"eventName":"tokensGenerated","timestamp":"2024-06-01T10:01:00Z","model":"gpt-4o",'
        )
    session_path = root / "sessions" / f"{SESSION}.json"
    session = json.loads(session_path.read_text())
    session["history"].append(
        {"message": {"role": "user", "content": "thanks"}, "contextItems": []}
    )
    session_path.write_text(json.dumps(session, indent=2))
    grown = run_extract(lake_uri=lake, platforms=["continue"], sources={"continue": [root]})
    # the half-written line waits; the rewritten session lands whole as version 2
    assert grown.platforms["continue"].rows_landed == 1
    with open(log, "a", encoding="utf-8") as f:
        f.write('"provider":"openai","promptTokens":90,"generatedTokens":3}\n')
    done = run_extract(lake_uri=lake, platforms=["continue"], sources={"continue": [root]})
    assert done.platforms["continue"].rows_landed == 1
    landed = _continue_rows(tmp_path / "lake")
    sessions = [r for r in landed if r["record_kind"] == "session"]
    assert sorted(r["source_file_version"] for r in sessions) == [1, 2]
    lines = sorted(r["record_locator"] for r in landed if r["record_kind"] == "tokens_generated")
    assert lines == ["line:1", "line:2", "line:3"]


def test_real_samples_are_sessions_and_events(tmp_path: Path) -> None:
    """Any Continue files under ../shared/samples/continue land as their kinds (none public yet)."""
    if not SAMPLES.is_dir():
        pytest.skip("no ../shared/samples/continue (no public Continue sample exists yet)")
    errors: list[RunError] = []
    files = discover_sources(CONTINUE, [SAMPLES], explicit=True, errors=errors)
    assert errors == [] and files
    summary = run_extract(
        lake_uri=str(tmp_path / "lake"), platforms=["continue"], sources={"continue": [SAMPLES]}
    )
    assert summary.errors == []
    assert summary.platforms["continue"].rows_landed >= len(files)
