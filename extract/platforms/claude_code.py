"""Claude Code (CLI and Claude Code for web) transcripts.

Layout: ``<config>/projects/<encoded-cwd>/<session>.jsonl``, subagents in
``<session>/subagents/agent-*.jsonl`` (+ ``agent-*.meta.json``) or ``agent-*.jsonl`` next to the
session, workflows below ``subagents/workflows/``, ``sessions-index.json`` per project, and web
transcripts exported as ``{"loglines": [...]}`` JSON documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.platforms.base import (
    FileFormat,
    FilePath,
    Platform,
    file_name,
    first_text,
    first_time,
)

_JSONL = FileFormat("jsonl", "session_line")
_META = FileFormat("json", "subagent_meta")
_INDEX = FileFormat("json", "sessions_index")
_OTHER_JSON = FileFormat(
    "json", "document", array_member="loglines", array_record_kind="session_line"
)


class ClaudeCode(Platform):
    name = "claude_code"
    formats = (
        "session transcripts `<session>.jsonl`, one record per line",
        "subagent transcripts (`agent-*.jsonl`, `<session>/subagents/`) and `.meta.json` sidecars",
        "`sessions-index.json`",
        'web transcripts `{"loglines": [...]}`, one record per element',
    )
    version_prefixes = ("1.0.", "2.0.", "2.1.")
    fills = frozenset(
        {"tokens", "cost", "timestamps", "tool_calls", "model", "workspace", "branch"}
    )
    locations_summary = (
        "`~/.claude/projects`, `~/.config/claude/projects`, `$CLAUDE_CONFIG_DIR/projects` "
        "(subagent files included)"
    )
    time_doc = (
        "each line's `timestamp`; lines without one (summaries, sidecars, the sessions index) by "
        "the file's modification time"
    )
    session_doc = (
        "the line's `sessionId`; else the session the file belongs to (`<session>.jsonl`, "
        "`<session>/subagents/…`)"
    )

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        roots = [home / ".claude" / "projects", home / ".config" / "claude" / "projects"]
        for part in env.get("CLAUDE_CONFIG_DIR", "").split(","):
            part = part.strip()
            if part:
                roots.append(Path(part).expanduser() / "projects")
        return roots

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path)
        if name.endswith(".jsonl"):
            return _JSONL
        if name.endswith(".meta.json"):
            return _META
        if name == "sessions-index.json":
            return _INDEX
        if name.endswith(".json"):
            return _OTHER_JSON
        return None

    def example_root(self, examples_dir: Path) -> Path:
        return examples_dir / self.name / "projects"

    def fixture_paths(self, fixtures_dir: Path) -> list[Path]:
        names = ("session_basic.jsonl", "web_session.json", "agent-a1b2c3d4e5f6a7b8c.meta.json")
        return [fixtures_dir / name for name in names]

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "timestamp")

    def record_session(self, record: Any, path: Path) -> str | None:
        found = first_text(record, "sessionId")
        if found:
            return found
        if path.parent.name == "subagents":
            return path.parent.parent.name
        if path.name.endswith(".jsonl") and not path.name.startswith("agent-"):
            return path.name.removesuffix(".jsonl")
        return None

    def source_version(self, record: Any) -> str | None:
        if isinstance(record, dict):
            version = record.get("version")
            if isinstance(version, str):
                return version
        return None
