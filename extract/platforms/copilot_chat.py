"""GitHub Copilot Chat in VS Code (and its forks / insiders / server builds).

Layout under a VS Code user-data folder (``~/.config/Code``, ``~/Library/Application Support/Code``,
``%APPDATA%/Code``, ``~/.vscode-server/data``, … ``Code - Insiders``, ``VSCodium``)::

    User/workspaceStorage/<hash>/workspace.json              {"folder": "file:///…"}  -> workspace
    User/workspaceStorage/<hash>/chatSessions/<id>.json      flat session (<= 1.108)  -> session
    User/workspaceStorage/<hash>/chatSessions/<id>.jsonl     mutation log (>= 1.109)  -> mutation
    User/workspaceStorage/no-workspace/chatSessions/*        (older empty-window chats)
    User/globalStorage/emptyWindowChatSessions/*             (empty-window chats)

A ``.json`` session is one whole-document record (incremental by checksum: a rewrite lands again as
a new ``source_file_version``); a ``.jsonl`` log is one record per line (incremental by growth; the
compaction VS Code does after ~1024 entries rewrites the file as one kind-0 line, which lands as a
new version). ``workspace.json`` lands whole as its own record kind, so that dbt can join a session
to its workspace folder through the ``<hash>`` folder the two share.

Only these folders are scanned under a user-data folder (the rest of it holds extension caches and
settings). Any other folder given explicitly (a copy of ``chatSessions``, a folder of exported
sessions) is scanned recursively for ``.json`` / ``.jsonl`` files, still skipping files inside a
``workspaceStorage`` / ``globalStorage`` tree that are not chat sessions.
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

_SESSION = FileFormat("json", "session")
_MUTATIONS = FileFormat("jsonl", "mutation")
_WORKSPACE = FileFormat("json", "workspace")

APP_FOLDERS = ("Code", "Code - Insiders", "VSCodium")
SESSION_DIRS = ("chatSessions", "emptyWindowChatSessions")
_LAYOUT_DIRS = {"workspaceStorage", "globalStorage"}


class CopilotChat(Platform):
    name = "copilot_chat"
    formats = (
        "flat session JSON `chatSessions/*.json` (VS Code ≤ 1.108), one record per file",
        "JSONL mutation log `chatSessions/*.jsonl` (1.109+), one record per line",
        "`workspace.json` of each workspaceStorage folder",
    )
    version_prefixes = ("0.2", "0.3", "0.4")
    fills = frozenset({"tokens", "timestamps", "tool_calls", "model", "workspace"})
    locations_summary = (
        "VS Code's user data (`~/.config/Code`, `~/Library/Application Support/Code`, "
        "`%APPDATA%/Code`, Insiders, VSCodium, `~/.vscode-server/data`): "
        "`workspaceStorage/*/chatSessions`, `globalStorage/emptyWindowChatSessions`"
    )
    time_doc = (
        "a flat session's `lastMessageDate` (else `creationDate`); a mutation log's lines and "
        "`workspace.json` by the file's modification time (a log is kept or skipped whole)"
    )
    session_doc = "the session's `sessionId`, else the session file's name; `workspace.json`: none"

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        roots = [home / ".config" / app for app in APP_FOLDERS]
        roots += [home / "Library" / "Application Support" / app for app in APP_FOLDERS]
        appdata = env.get("APPDATA", "").strip()
        if appdata:
            roots += [Path(appdata) / app for app in APP_FOLDERS]
        roots += [home / ".vscode-server" / "data", home / ".vscode-server-insiders" / "data"]
        return roots

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path)
        if name == "workspace.json":
            return _WORKSPACE
        if name.endswith(".jsonl"):
            return _MUTATIONS
        if name.endswith(".json"):
            return _SESSION
        return None

    def example_root(self, examples_dir: Path) -> Path:
        return examples_dir / self.name

    def source_version(self, record: Any) -> str | None:
        """The Copilot Chat extension version of the last request the record carries."""
        if not isinstance(record, dict):
            return None
        state: Any = record
        if "kind" in record and isinstance(record.get("v"), dict):
            state = record["v"]  # a kind-0 line
        requests: Any = state.get("requests") if isinstance(state, dict) else None
        if requests is None and record.get("kind") == 2 and record.get("k") == ["requests"]:
            requests = record.get("v")
        if isinstance(requests, list):
            for request in reversed(requests):
                agent = request.get("agent") if isinstance(request, dict) else None
                version = agent.get("extensionVersion") if isinstance(agent, dict) else None
                if isinstance(version, str):
                    return version
        return None

    def record_time(self, record: Any, path: Path) -> datetime | None:
        if path.name.endswith(".jsonl") or path.name == "workspace.json":
            return None
        return first_time(record, "lastMessageDate", "creationDate")

    def record_session(self, record: Any, path: Path) -> str | None:
        if path.name == "workspace.json":
            return None
        if path.name.endswith(".jsonl"):
            return path.name.removesuffix(".jsonl")
        return first_text(record, "sessionId") or path.name.removesuffix(".json")

    def find(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        if root.is_file():
            yield Found(str(root), None)
            return
        user = root / "User"
        if root.name == "User":
            user = root
        if user.is_dir():
            for path in self._user_data(user, on_error):
                yield Found(str(path), None)
            return
        for found in self.walk(root, on_error):
            if self._wanted(Path(found.path)):
                yield found

    def _wanted(self, path: Path) -> bool:
        """Inside a VS Code storage tree only chat sessions and workspace.json are sources."""
        parts = path.parts
        if not _LAYOUT_DIRS.intersection(parts[:-1]):
            return True
        if path.name == "workspace.json":
            return len(parts) >= 3 and parts[-3] == "workspaceStorage"
        return len(parts) >= 2 and parts[-2] in SESSION_DIRS

    def _user_data(self, user: Path, on_error: OnError | None) -> Iterator[Path]:
        storage = user / "workspaceStorage"
        for workspace in _listdir(storage, on_error, dirs=True):
            meta = workspace / "workspace.json"
            if meta.is_file():
                yield meta
            yield from _session_files(workspace / "chatSessions", on_error)
        yield from _session_files(user / "globalStorage" / "emptyWindowChatSessions", on_error)


def _listdir(folder: Path, on_error: OnError | None, *, dirs: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return []
    out: list[Path] = []
    for entry in entries:
        try:
            if entry.is_dir() if dirs else entry.is_file():
                out.append(Path(entry.path))
        except OSError as exc:
            if on_error is not None:
                on_error(Path(entry.path), exc)
    return out


def _session_files(folder: Path, on_error: OnError | None) -> Iterator[Path]:
    for path in _listdir(folder, on_error, dirs=False):
        if path.name.endswith((".json", ".jsonl")):
            yield path
