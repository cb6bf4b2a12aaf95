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
from pathlib import Path

from extract.platforms.base import FileFormat
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

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return [*super().default_roots(env, home), home / ".cline" / "data" / "sessions"]

    def file_format(self, path: Path) -> FileFormat | None:
        name = path.name
        if name.endswith(".messages.json"):
            return SDK_MESSAGES
        fmt = task_file_format(name)
        if fmt is not None:
            return fmt
        if name.endswith(".json") and name not in TASK_FILES and _looks_like_sdk_session(path):
            return SDK_SESSION
        return None
