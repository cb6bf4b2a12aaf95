"""PlainChat: the smallest platform, the worked example of CONTRIBUTING.md.

A made-up assistant that writes one JSONL file per session under ``~/.plainchat/sessions/``, one
line per message::

    {"session": "s-1", "id": "m-1", "role": "user", "text": "hi", "ts": "2026-03-01T10:00:00Z"}
    {"session": "s-1", "id": "m-2", "role": "assistant", "text": "hello", "model": "gpt-4o",
     "ts": "2026-03-01T10:00:02Z", "usage": {"input": 12, "output": 3}}

``extract/tests/test_plugin.py`` registers it next to the real platforms and builds the dbt
project with its staging folder (``staging/plainchat/``): what adding a platform touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.platforms.base import FileFormat, Platform, first_text, first_time

_JSONL = FileFormat("jsonl", "message_line")


class PlainChat(Platform):
    name = "plainchat"
    formats = ("session files `sessions/<id>.jsonl`, one record per line",)
    fills = frozenset({"tokens", "timestamps", "model"})
    locations_summary = "`~/.plainchat/sessions`"
    time_doc = "each line's `ts`"
    session_doc = "each line's `session`"

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return [home / ".plainchat" / "sessions"]

    def file_format(self, path: Path) -> FileFormat | None:
        return _JSONL if path.name.endswith(".jsonl") else None

    def source_version(self, record: Any) -> str | None:
        return None  # the format states no version

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "ts")

    def record_session(self, record: Any, path: Path) -> str | None:
        return first_text(record, "session")
