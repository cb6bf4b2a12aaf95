"""Cline (VS Code extension ``saoudrizwan.claude-dev``) and the Cline SDK/CLI sessions.

The extension's task folders (``globalStorage/saoudrizwan.claude-dev/tasks/<id>/``) and its history
index (``state/taskHistory.json``) have the format Cline, Roo Code and their forks share:
see :mod:`extract.platforms.cline_family`.

The newer Cline SDK/CLI (2026) writes one folder per session instead::

    ~/.cline/data/sessions/<id>/<id>.json            session metadata -> ``sdk_session``
    ~/.cline/data/sessions/<id>/<id>.messages.json   {version, updated_at, agent, sessionId,
                                                      messages[...], system_prompt}
                                                      -> one ``sdk_message`` per element, and the
                                                      whole document as ``sdk_messages`` (so the
                                                      other members are kept too)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.platforms.base import FileFormat, FilePath, file_name, first_text, first_time
from extract.platforms.cline_family import TASK_FILES, ClineFamily, task_file_format

SDK_SESSION = FileFormat("json", "sdk_session")
SDK_MESSAGES = FileFormat(
    "json", "sdk_messages", array_member="messages", array_record_kind="sdk_message"
)
SNIFF_BYTES = 8 * 1024


def _looks_like_sdk_session(path: Path) -> bool:
    """A session metadata file: ``sessions/<id>/<id>.json``, or (a copy under another name) a
    JSON object whose first 8 KB name ``session_id`` and ``messages_path``."""
    if path.name == f"{path.parent.name}.json":
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return False
    return head.lstrip()[:1] == b"{" and b'"session_id"' in head and b'"messages_path"' in head


class Cline(ClineFamily):
    name = "cline"
    extension_ids = ("saoudrizwan.claude-dev",)
    formats = (
        *ClineFamily.formats,
        "`state/taskHistory.json`, one record per history item",
        "Cline SDK/CLI sessions `sessions/<id>/<id>.json` and `<id>.messages.json` (one record "
        "per message)",
    )
    locations_summary = (
        "VS Code-like `User/globalStorage/saoudrizwan.claude-dev/` (Code, Insiders, VSCodium, "
        "Cursor, Windsurf; Linux, macOS, `%APPDATA%`, `~/.vscode-server` and friends): "
        "`tasks/<id>/`, `state/taskHistory.json`; the Cline SDK/CLI's `~/.cline/data/sessions`"
    )
    time_doc = (
        "each element's `ts` (epoch ms), an SDK session's `started_at`; `task_metadata.json` and "
        "entries without one by the file's modification time"
    )
    session_doc = (
        "the task id (`tasks/<id>/`, a history item's `id`) or the SDK session id "
        "(`sessions/<id>/`, `session_id`)"
    )

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return [*super().default_roots(env, home), home / ".cline" / "data" / "sessions"]

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "ts", "started_at")

    def record_session(self, record: Any, path: Path) -> str | None:
        name = path.name
        if name in (f"{path.parent.name}.json", f"{path.parent.name}.messages.json"):
            return path.parent.name  # an SDK session folder
        if name.endswith(".messages.json"):
            return first_text(record, "sessionId") or name.removesuffix(".messages.json")
        return first_text(record, "session_id") or super().record_session(record, path)

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path)
        if name.endswith(".messages.json"):
            return SDK_MESSAGES
        fmt = task_file_format(name)
        if fmt is not None:
            return fmt
        if (
            name.endswith(".json")
            and name not in TASK_FILES
            and _looks_like_sdk_session(Path(path))
        ):
            return SDK_SESSION
        return None
