"""Copilot Chat (VS Code): discovery, file kinds, incremental landing, and the real samples."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from extract.discovery import discover_sources
from extract.platforms import REGISTRY
from extract.progress import RunError
from extract.runner import run_extract

from .conftest import REPO_ROOT, rows

CP = REGISTRY["copilot_chat"]
FIX = Path(__file__).parent / "fixtures" / "copilot_chat"
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "copilot_vscode"
EXAMPLES = REPO_ROOT / "examples" / "copilot_chat"


def user_data(base: Path, hash_: str = "a1b2") -> Path:
    """A fake VS Code user-data folder with one workspace, a .json and a .jsonl session, an
    empty-window session, an old no-workspace session and files that are not sources."""
    ws = base / "User" / "workspaceStorage" / hash_
    (ws / "chatSessions").mkdir(parents=True)
    shutil.copy(FIX / "workspace.json", ws / "workspace.json")
    shutil.copy(FIX / "session_v3.json", ws / "chatSessions" / "s1.json")
    shutil.copy(FIX / "mutation_log.jsonl", ws / "chatSessions" / "s2.jsonl")
    (ws / "state.vscdb").write_bytes(b"SQLite format 3\x00")
    (ws / "GitHub.copilot-chat").mkdir()
    (ws / "GitHub.copilot-chat" / "cache.json").write_text("{}")
    empty = base / "User" / "globalStorage" / "emptyWindowChatSessions"
    empty.mkdir(parents=True)
    shutil.copy(FIX / "session_v3.json", empty / "e1.json")
    old = base / "User" / "workspaceStorage" / "no-workspace" / "chatSessions"
    old.mkdir(parents=True)
    shutil.copy(FIX / "session_v3.json", old / "o1.json")
    (base / "User" / "settings.json").write_text("{}")
    (base / "User" / "globalStorage" / "storage.json").write_text("{}")
    return base


def rel_names(files: list, base: Path) -> list[str]:
    return sorted(str(Path(f.uri).relative_to(os.path.realpath(base))) for f in files)


def test_default_roots_cover_linux_macos_windows_and_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    roots = CP.default_roots({"APPDATA": str(tmp_path / "AppData" / "Roaming")}, home)
    for expected in [
        home / ".config" / "Code",
        home / ".config" / "Code - Insiders",
        home / ".config" / "VSCodium",
        home / "Library" / "Application Support" / "Code",
        home / "Library" / "Application Support" / "Code - Insiders",
        tmp_path / "AppData" / "Roaming" / "Code",
        tmp_path / "AppData" / "Roaming" / "Code - Insiders",
        home / ".vscode-server" / "data",
    ]:
        assert expected in roots
    assert not any("AppData" in str(r) for r in CP.default_roots({}, home))


def test_discovery_in_every_layout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    appdata = tmp_path / "AppData" / "Roaming"
    layouts = [
        home / ".config" / "Code",
        home / "Library" / "Application Support" / "Code - Insiders",
        home / ".vscode-server" / "data",
        appdata / "Code",
    ]
    for n, base in enumerate(layouts):
        user_data(base, hash_=f"h{n}")
    errors: list[RunError] = []
    roots = CP.default_roots({"APPDATA": str(appdata)}, home)
    files = discover_sources(CP, roots, explicit=False, errors=errors)
    assert errors == []
    assert len(files) == 4 * 5
    assert rel_names([f for f in files if "/.config/Code/" in f.uri], layouts[0]) == [
        "User/globalStorage/emptyWindowChatSessions/e1.json",
        "User/workspaceStorage/h0/chatSessions/s1.json",
        "User/workspaceStorage/h0/chatSessions/s2.jsonl",
        "User/workspaceStorage/h0/workspace.json",
        "User/workspaceStorage/no-workspace/chatSessions/o1.json",
    ]
    kinds = {Path(f.uri).name: CP.file_format(Path(f.uri)).record_kind for f in files}
    assert kinds == {
        "workspace.json": "workspace",
        "s1.json": "session",
        "s2.jsonl": "mutation",
        "e1.json": "session",
        "o1.json": "session",
    }


def test_explicit_storage_folder_skips_non_chat_files(tmp_path: Path) -> None:
    base = user_data(tmp_path / "Code")
    errors: list[RunError] = []
    files = discover_sources(CP, [base / "User" / "workspaceStorage"], explicit=True, errors=errors)
    assert errors == []
    assert rel_names(files, base / "User" / "workspaceStorage") == [
        "a1b2/chatSessions/s1.json",
        "a1b2/chatSessions/s2.jsonl",
        "a1b2/workspace.json",
        "no-workspace/chatSessions/o1.json",
    ]


def test_source_version_is_the_extension_version() -> None:
    assert CP.source_version({"requests": [{"agent": {"extensionVersion": "0.32.4"}}]}) == "0.32.4"
    assert (
        CP.source_version({"kind": 0, "v": {"requests": [{"agent": {"extensionVersion": "1"}}]}})
        == "1"
    )
    assert CP.source_version({"kind": 1, "k": ["requests", 0, "x"], "v": 1}) is None
    assert CP.source_version([1]) is None


def test_jsonl_growth_lands_only_new_lines_and_compaction_is_a_new_version(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "chatSessions" / "s.jsonl"
    src.parent.mkdir()
    shutil.copy(FIX / "mutation_log.jsonl", src)
    first = run_extract(lake_uri=str(lake), sources={"copilot_chat": [src]})
    assert first.totals.rows_landed == 3
    with src.open("ab") as f:
        f.write(b'{"kind":1,"k":["requests",0,"completionTokens"],"v":40}\n')
    grown = run_extract(lake_uri=str(lake), sources={"copilot_chat": [src]})
    assert (grown.totals.grown, grown.totals.rows_landed) == (1, 1)
    landed = [r for r in rows(lake) if r["platform"] == "copilot_chat"]
    assert [r["record_locator"] for r in landed] == ["line:1", "line:2", "line:3", "line:4"]
    assert {r["source_file_version"] for r in landed} == {1}
    assert {r["record_kind"] for r in landed} == {"mutation"}
    # VS Code compacts the log into a single kind-0 line: the file is rewritten
    src.write_bytes(FIX.joinpath("mutation_log.jsonl").read_bytes().split(b"\n")[0] + b"\n")
    rewritten = run_extract(lake_uri=str(lake), sources={"copilot_chat": [src]})
    assert (rewritten.totals.rewritten, rewritten.totals.rows_landed) == (1, 1)
    v2 = [r for r in rows(lake) if r["source_file_version"] == 2]
    assert [r["record_locator"] for r in v2] == ["line:1"]
    assert len(rows(lake)) == 5  # earlier versions stay in raw


def test_rewritten_json_session_lands_again_as_version_2(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s1.json"
    shutil.copy(FIX / "session_v3.json", src)
    run_extract(lake_uri=str(lake), sources={"copilot_chat": [src]})
    src.write_text(src.read_text().replace('"hello"', '"hello again"'))
    again = run_extract(lake_uri=str(lake), sources={"copilot_chat": [src]})
    assert (again.totals.rewritten, again.totals.rows_landed) == (1, 1)
    landed = rows(lake)
    assert [(r["record_locator"], r["source_file_version"]) for r in landed] == [
        ("document", 1),
        ("document", 2),
    ]
    assert {r["record_kind"] for r in landed} == {"session"}
    assert landed[0]["source_version"] == "0.32.4"


def test_examples_land(tmp_path: Path) -> None:
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"copilot_chat": [EXAMPLES]})
    assert summary.errors == []
    kinds = sorted(r["record_kind"] for r in rows(tmp_path / "lake"))
    assert kinds.count("workspace") == 2 and kinds.count("session") == 2
    assert CP.example_root(REPO_ROOT / "examples") == EXAMPLES


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"{SAMPLES} not present")
def test_every_real_sample_file_lands(tmp_path: Path) -> None:
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"copilot_chat": [SAMPLES]})
    assert summary.errors == []
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    landed = rows(tmp_path / "lake")
    assert {r["source_uri"] for r in landed} == {os.path.realpath(p) for p in files}
    for path in files:
        mine = [r for r in landed if r["source_uri"] == os.path.realpath(path)]
        if path.suffix == ".jsonl":
            lines = [ln for ln in path.read_bytes().split(b"\n") if ln.strip()]
            assert [r["raw_text"].encode() for r in mine] == lines
        else:
            assert [r["raw_text"].encode() for r in mine] == [path.read_bytes()]
