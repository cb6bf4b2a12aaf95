"""Cline and Roo Code (one task-folder format): default roots, discovery in every layout, file
kinds and splitting, rewritten task files, and the real samples landing raw."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from extract.discovery import discover_sources
from extract.platforms import REGISTRY
from extract.runner import run_extract

from .conftest import REPO_ROOT, rows

CLINE = REGISTRY["cline"]
ROO = REGISTRY["roo_code"]
FIX = Path(__file__).parent / "fixtures" / "cline_roo"
SAMPLES = (
    Path(os.environ.get("SHARED_SAMPLES", REPO_ROOT.parent / "shared" / "samples")) / "cline_roo"
)

CLINE_EXT = "saoudrizwan.claude-dev"
ROO_EXT = "rooveterinaryinc.roo-cline"
KILO_EXT = "kilocode.kilo-code"


def task_folder(storage: Path, task_id: str) -> Path:
    """A task folder with the fixture's three files, under ``<storage>/tasks/<task_id>``."""
    folder = storage / "tasks" / task_id
    folder.mkdir(parents=True)
    for name in ("ui_messages.json", "api_conversation_history.json", "task_metadata.json"):
        shutil.copy(FIX / "task_v1" / name, folder / name)
    return folder


def rel(files: list, base: Path) -> list[str]:
    return sorted(str(Path(f.uri).relative_to(os.path.realpath(base))) for f in files)


# --------------------------------------------------------------------------------------------------
# Where the logs are
# --------------------------------------------------------------------------------------------------


def test_default_roots_cover_every_host_and_os(tmp_path: Path) -> None:
    home = tmp_path / "home"
    appdata = tmp_path / "AppData" / "Roaming"
    cline = CLINE.default_roots({"APPDATA": str(appdata)}, home)
    roo = ROO.default_roots({"APPDATA": str(appdata)}, home)
    for app in ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"):
        for base in (home / ".config", home / "Library" / "Application Support", appdata):
            assert base / app / "User" / "globalStorage" / CLINE_EXT in cline
            assert base / app / "User" / "globalStorage" / ROO_EXT in roo
            assert base / app / "User" / "globalStorage" / KILO_EXT in roo
    for server in (
        ".vscode-server",
        ".vscode-server-insiders",
        ".cursor-server",
        ".windsurf-server",
    ):
        assert home / server / "data" / "User" / "globalStorage" / CLINE_EXT in cline
        assert home / server / "data" / "User" / "globalStorage" / ROO_EXT in roo
    assert home / ".cline" / "data" / "sessions" in cline
    assert not any(CLINE_EXT in str(r) for r in roo)
    assert not any(ROO_EXT in str(r) or KILO_EXT in str(r) for r in cline)
    # no APPDATA: no Windows roots (and no crash)
    assert all("AppData" not in str(r) for r in CLINE.default_roots({}, home))


def test_discovery_in_every_layout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    appdata = tmp_path / "AppData" / "Roaming"
    linux = home / ".config" / "Code" / "User" / "globalStorage" / CLINE_EXT
    task_folder(linux, "1774001700000")
    (linux / "state").mkdir()
    (linux / "state" / "taskHistory.json").write_text("[]")
    (linux / "settings").mkdir()
    (linux / "settings" / "cline_mcp_settings.json").write_text("{}")
    (linux / "tasks" / "1774001700000" / "context_history.json").write_text("[]")
    (linux / "checkpoints" / "123").mkdir(parents=True)
    (linux / "checkpoints" / "123" / "ui_messages.json").write_text("[]")  # not a task folder
    mac = home / "Library" / "Application Support" / "Cursor" / "User" / "globalStorage" / ROO_EXT
    task_folder(mac, "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b")
    (mac / "tasks" / "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b" / "history_item.json").write_text("{}")
    (mac / "tasks" / "_index.json").write_text("{}")
    win = appdata / "Windsurf" / "User" / "globalStorage" / KILO_EXT
    task_folder(win, "c41e8a07-92d6-4b3f-a15e-7f0d2b9c6e58")
    server = home / ".vscode-server" / "data" / "User" / "globalStorage" / CLINE_EXT
    task_folder(server, "1774001800000")
    sdk = home / ".cline" / "data" / "sessions" / "1773149042214_k7q2x"
    sdk.mkdir(parents=True)
    (sdk / "1773149042214_k7q2x.json").write_text('{"session_id":"1773149042214_k7q2x"}')
    (sdk / "1773149042214_k7q2x.messages.json").write_text('{"messages":[]}')
    (sdk / "1773149042214_k7q2x.hooks.json").write_text("{}")  # not a session file

    env = {"APPDATA": str(appdata)}
    errors: list = []
    cline = discover_sources(CLINE, CLINE.default_roots(env, home), explicit=False, errors=errors)
    roo = discover_sources(ROO, ROO.default_roots(env, home), explicit=False, errors=errors)
    assert errors == []
    t = ["api_conversation_history.json", "task_metadata.json", "ui_messages.json"]
    storage = ".config/Code/User/globalStorage/" + CLINE_EXT
    remote = ".vscode-server/data/User/globalStorage/" + CLINE_EXT
    assert rel(cline, tmp_path) == sorted(
        [f"home/{storage}/tasks/1774001700000/{n}" for n in t]
        + [f"home/{storage}/state/taskHistory.json"]
        + [f"home/{remote}/tasks/1774001800000/{n}" for n in t]
        + [
            "home/.cline/data/sessions/1773149042214_k7q2x/1773149042214_k7q2x.json",
            "home/.cline/data/sessions/1773149042214_k7q2x/1773149042214_k7q2x.messages.json",
        ]
    )
    roo_task = "home/Library/Application Support/Cursor/User/globalStorage/" + ROO_EXT
    roo_task += "/tasks/3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b"
    kilo_task = f"AppData/Roaming/Windsurf/User/globalStorage/{KILO_EXT}"
    kilo_task += "/tasks/c41e8a07-92d6-4b3f-a15e-7f0d2b9c6e58"
    assert rel(roo, tmp_path) == sorted(
        [f"{roo_task}/{n}" for n in [*t, "history_item.json"]] + [f"{kilo_task}/{n}" for n in t]
    )


def test_file_formats() -> None:
    kinds = {
        "ui_messages.json": ("ui_messages", "ui_message"),
        "api_conversation_history.json": ("api_history", "api_message"),
        "claude_messages.json": ("api_history", "api_message"),
        "task_metadata.json": ("task_metadata", None),
        "history_item.json": ("history_item", None),
        "taskHistory.json": ("task_history", "history_item"),
        "cass_task1_ui_messages.json": ("ui_messages", "ui_message"),
        "export_api_conversation_history.json": ("api_history", "api_message"),
    }
    for name, (kind, element_kind) in kinds.items():
        for platform in (CLINE, ROO):
            fmt = platform.file_format(Path("/x/tasks/1/") / name)
            assert fmt is not None, name
            assert (fmt.record_kind, fmt.array_record_kind) == (kind, element_kind), name
    for name in ("settings.json", "context_history.json", "notes.txt", "ui_messages.txt"):
        assert CLINE.file_format(Path("/x") / name) is None
        assert ROO.file_format(Path("/x") / name) is None
    sdk = CLINE.file_format(Path("/s/abc/abc.messages.json"))
    assert sdk is not None and (sdk.record_kind, sdk.array_member) == ("sdk_messages", "messages")
    assert ROO.file_format(Path("/s/abc/abc.messages.json")) is None


# --------------------------------------------------------------------------------------------------
# Splitting and rewrites
# --------------------------------------------------------------------------------------------------


def test_task_files_split_into_elements(tmp_path: Path) -> None:
    storage = tmp_path / "globalStorage" / CLINE_EXT
    folder = task_folder(storage, "1774001700000")
    shutil.copy(FIX / "truncated_ui_messages.json", folder.parent / "broken_ui_messages.json")
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"cline": [storage]})
    assert summary.totals.failed == 0 and not summary.errors
    landed = [
        (Path(r["source_uri"]).name, r["record_kind"], r["record_locator"])
        for r in rows(tmp_path / "lake")
    ]
    assert Counter((name, kind) for name, kind, _ in landed) == {
        ("ui_messages.json", "ui_message"): 2,
        ("api_conversation_history.json", "api_message"): 1,
        ("task_metadata.json", "task_metadata"): 1,
    }
    assert ("ui_messages.json", "ui_message", "[1]") in landed
    # a copy outside a task folder under a storage tree is not a source
    assert all(name != "broken_ui_messages.json" for name, _, _ in landed)


def test_truncated_file_lands_whole_as_its_document_kind(tmp_path: Path) -> None:
    src = tmp_path / "copies" / "t1_ui_messages.json"
    src.parent.mkdir()
    shutil.copy(FIX / "truncated_ui_messages.json", src)
    run_extract(lake_uri=str(tmp_path / "lake"), sources={"roo_code": [src]})
    (record,) = rows(tmp_path / "lake")
    assert (record["record_kind"], record["record_locator"]) == ("ui_messages", "document")
    assert record["raw_text"] == src.read_text()


def test_rewritten_task_lands_again_as_version_2(tmp_path: Path) -> None:
    storage = tmp_path / "globalStorage" / ROO_EXT
    folder = task_folder(storage, "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b")
    lake = tmp_path / "lake"
    run_extract(lake_uri=str(lake), sources={"roo_code": [storage]})
    for name in ("ui_messages.json", "api_conversation_history.json"):
        shutil.copy(FIX / "task_v2" / name, folder / name)
    second = run_extract(lake_uri=str(lake), sources={"roo_code": [storage]})
    assert (second.totals.rewritten, second.totals.unchanged) == (2, 1)
    v2 = [r for r in rows(lake) if r["source_file_version"] == 2]
    assert Counter(r["record_kind"] for r in v2) == {"ui_message": 7, "api_message": 4}
    # unchanged elements keep their bytes, hence their checksum, across versions
    v1_first = next(
        r
        for r in rows(lake)
        if r["source_file_version"] == 1
        and r["record_locator"] == "[0]"
        and r["record_kind"] == "api_message"
    )
    v2_first = next(
        r for r in v2 if r["record_locator"] == "[0]" and r["record_kind"] == "api_message"
    )
    assert v1_first["raw_checksum"] == v2_first["raw_checksum"]
    third = run_extract(lake_uri=str(lake), sources={"roo_code": [storage]})
    assert third.totals.unchanged == 3 and third.totals.rows_landed == 0


def test_examples_land(tmp_path: Path) -> None:
    summary = run_extract(
        lake_uri=str(tmp_path / "lake"),
        sources={
            "cline": [REPO_ROOT / "examples" / "cline"],
            "roo_code": [REPO_ROOT / "examples" / "roo_code"],
        },
    )
    assert summary.totals.failed == 0 and not summary.errors
    assert Counter((r["platform"], r["record_kind"]) for r in rows(tmp_path / "lake")) == {
        ("cline", "api_message"): 12,
        ("cline", "ui_message"): 24,
        ("cline", "task_metadata"): 2,
        ("cline", "history_item"): 2,
        ("cline", "sdk_session"): 1,
        ("cline", "sdk_message"): 4,
        ("cline", "sdk_messages"): 1,
        ("roo_code", "api_message"): 8,
        ("roo_code", "ui_message"): 17,
        ("roo_code", "task_metadata"): 1,
        ("roo_code", "history_item"): 2,
    }


# --------------------------------------------------------------------------------------------------
# The real samples (../shared/samples/cline_roo; skipped when absent)
# --------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not available")
def test_every_real_sample_lands(tmp_path: Path) -> None:
    summary = run_extract(lake_uri=str(tmp_path / "lake"), sources={"cline": [SAMPLES]})
    assert summary.totals.failed == 0 and not summary.errors
    landed = Counter(
        (Path(r["source_uri"]).name, r["record_kind"]) for r in rows(tmp_path / "lake")
    )
    assert landed == {
        ("cline_xray_ui_messages_2026-02.json", "ui_message"): 148,
        ("cline_sdk_session.messages.json", "sdk_message"): 32,
        ("cline_sdk_session.messages.json", "sdk_messages"): 1,
        ("cline_sdk_session.json", "sdk_session"): 1,
        ("cass_task1_ui_messages.json", "ui_message"): 2,
        ("cass_task1_api_conversation_history.json", "api_message"): 1,
        ("cass_task1_task_metadata.json", "task_metadata"): 1,
    }
    # the SDK usage fixture is provider usage shapes, not a session: not a source
    assert not any("usage_fixture" in name for name, _ in landed)
