"""The task-folder format Cline, Roo Code and their forks share (``cline`` and ``roo_code``).

Each extension keeps its tasks in its VS Code ``globalStorage`` folder, under every VS Code-like
host (VS Code, Insiders, VSCodium, Cursor, Windsurf; local user-data folders on Linux, macOS and
Windows, and the ``*-server/data`` folders of remote hosts)::

    <user data>/User/globalStorage/<extension id>/tasks/<task id>/
        api_conversation_history.json   Anthropic MessageParam[] (+ ts, modelInfo, metrics)
                                        -> one ``api_message`` record per element
        claude_messages.json            the same, as very old Cline builds named it
        ui_messages.json                ClineMessage[] (the timeline; api_req_started = usage)
                                        -> one ``ui_message`` record per element
        task_metadata.json              {files_in_context, model_usage, ...} -> ``task_metadata``
        history_item.json               Roo: the task's HistoryItem -> ``history_item``
    <user data>/User/globalStorage/<extension id>/state/taskHistory.json
                                        Cline: HistoryItem[] -> one ``history_item`` per element

A JSON file that is not an array (truncated while being written, or another shape) lands whole
as one record of the file's document kind (``ui_messages``, ``api_history``, ``task_history``),
which staging reports as a dead letter. The folders are rewritten as a task goes on: each
rewrite lands again whole as the next ``source_file_version`` (docs/raw_contract.md).

Files given explicitly whose names carry a prefix or suffix around the canonical name (a copied
``<task>_ui_messages.json``) are recognized too; staging takes the task id from the folder
(``tasks/<task id>/ui_messages.json``) or else from that prefix.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.platforms.base import (
    FileFormat,
    FilePath,
    Found,
    OnError,
    Platform,
    file_name,
    first_text,
    first_time,
)

# VS Code-like hosts whose user-data folder holds User/globalStorage/<extension id>/.
HOST_APPS = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf")
# Remote hosts: ~/<folder>/data/User/globalStorage/<extension id>/.
SERVER_FOLDERS = (".vscode-server", ".vscode-server-insiders", ".cursor-server", ".windsurf-server")

UI_MESSAGES = FileFormat(
    "json", "ui_messages", split_top_array=True, array_record_kind="ui_message"
)
API_HISTORY = FileFormat(
    "json", "api_history", split_top_array=True, array_record_kind="api_message"
)
TASK_METADATA = FileFormat("json", "task_metadata")
HISTORY_ITEM = FileFormat("json", "history_item")
TASK_HISTORY = FileFormat(
    "json", "task_history", split_top_array=True, array_record_kind="history_item"
)

# canonical file name -> format (a task folder's files, and the history index)
TASK_FILES: dict[str, FileFormat] = {
    "ui_messages.json": UI_MESSAGES,
    "api_conversation_history.json": API_HISTORY,
    "claude_messages.json": API_HISTORY,
    "task_metadata.json": TASK_METADATA,
    "history_item.json": HISTORY_ITEM,
    "taskHistory.json": TASK_HISTORY,
}
# name fragments recognized in files given explicitly under another name (longest first)
_FRAGMENTS = (
    ("api_conversation_history", API_HISTORY),
    ("claude_messages", API_HISTORY),
    ("ui_messages", UI_MESSAGES),
    ("task_metadata", TASK_METADATA),
    ("history_item", HISTORY_ITEM),
    ("taskHistory", TASK_HISTORY),
)


def user_data_folders(env: Mapping[str, str], home: Path) -> list[Path]:
    """Every VS Code-like user-data folder on Linux, macOS, Windows and remote hosts."""
    folders = [home / ".config" / app for app in HOST_APPS]
    folders += [home / "Library" / "Application Support" / app for app in HOST_APPS]
    appdata = env.get("APPDATA", "").strip()
    if appdata:
        folders += [Path(appdata) / app for app in HOST_APPS]
    folders += [home / server / "data" for server in SERVER_FOLDERS]
    return folders


def extension_roots(
    env: Mapping[str, str], home: Path, extension_ids: tuple[str, ...]
) -> list[Path]:
    """``User/globalStorage/<extension id>`` under every host, for each extension id."""
    return [
        folder / "User" / "globalStorage" / ext
        for folder in user_data_folders(env, home)
        for ext in extension_ids
    ]


def task_file_format(name: str) -> FileFormat | None:
    """The format of a task-folder file by its name (canonical, or containing the canonical
    name, as a copied ``<task>_ui_messages.json``); ``None`` for any other file."""
    if name in TASK_FILES:
        return TASK_FILES[name]
    if not name.endswith(".json"):
        return None
    for fragment, fmt in _FRAGMENTS:
        if fragment in name:
            return fmt
    return None


class ClineFamily(Platform):
    """A Cline-family extension: its globalStorage folders and the task-folder files in them."""

    extension_ids: tuple[str, ...] = ()
    formats = (
        "task folders `tasks/<id>/`: `ui_messages.json` and `api_conversation_history.json` (one "
        "record per element), `task_metadata.json`, `history_item.json`",
    )
    fills = frozenset({"tokens", "cost", "timestamps", "tool_calls", "model", "workspace"})
    time_doc = (
        "each element's `ts` (epoch ms); `task_metadata.json` and API entries without `ts` by the "
        "file's modification time"
    )
    session_doc = "the task id: the `tasks/<id>/` folder, or a history item's `id`"

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return extension_roots(env, home, self.extension_ids)

    def file_format(self, path: FilePath) -> FileFormat | None:
        return task_file_format(file_name(path))

    def source_version(self, record: Any) -> str | None:
        return None  # task files state no extension or format version

    def fixture_paths(self, fixtures_dir: Path) -> list[Path]:
        return [fixtures_dir / "cline_roo"]

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "ts")

    def record_session(self, record: Any, path: Path) -> str | None:
        if path.parent.parent.name == "tasks":
            return path.parent.name
        return first_text(record, "id")

    def find(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """Task files under ``root``. Inside a ``globalStorage`` tree only this family's files
        in ``tasks/<id>/`` and ``state/`` (or ``tasks/``) are sources; ``checkpoints``, caches and
        settings are skipped without being read."""
        if root.is_file():
            yield Found(str(root), None)
            return
        for found in self.walk(root, on_error):
            if self._wanted(found.path):
                yield found

    def _wanted(self, path: str) -> bool:
        names = path.split(os.sep)  # a discovered path: normalized, as Path(path).parts
        name = names[-1]
        if name not in TASK_FILES:
            # under a storage tree only canonical names; elsewhere (a folder of copied files)
            # any name the family recognizes
            return "globalStorage" not in names
        if name == "taskHistory.json":
            return _name_above(names, 1) in ("state", "tasks")
        return _name_above(names, 2) == "tasks" or "globalStorage" not in names

    def describe_discovery(self, roots: list[Path], found: list[Path]) -> str | None:
        if not found:
            return None
        tasks = {
            p.parent for p in found if p.name in TASK_FILES and p.parent.parent.name == "tasks"
        }
        return f"{self.name}: found {len(found)} file(s) of {len(tasks)} task folder(s)"


def _name_above(names: list[str], levels: int) -> str:
    """The name of the folder ``levels`` above a path split into ``names`` (``""`` above its
    first: what ``path.parent.parent.name`` gives for 2)."""
    return names[-1 - levels] if len(names) > levels else ""


def listdir(folder: Path, on_error: OnError | None) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` sorted by name ([] when it is missing; errors reported)."""
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return []
