"""Claude Code (CLI and Claude Code for web) transcripts.

Layout: ``<config>/projects/<encoded-cwd>/<session>.jsonl``, subagents in
``<session>/subagents/agent-*.jsonl`` (+ ``agent-*.meta.json``) or ``agent-*.jsonl`` next to the
session, workflows below ``subagents/workflows/``, ``sessions-index.json`` per project, and web
transcripts exported as ``{"loglines": [...]}`` JSON documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from extract.platforms.base import FileFormat, Platform

_JSONL = FileFormat("jsonl", "session_line")
_META = FileFormat("json", "subagent_meta")
_INDEX = FileFormat("json", "sessions_index")
_OTHER_JSON = FileFormat(
    "json", "document", array_member="loglines", array_record_kind="session_line"
)


class ClaudeCode(Platform):
    name = "claude_code"

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        roots = [home / ".claude" / "projects", home / ".config" / "claude" / "projects"]
        for part in env.get("CLAUDE_CONFIG_DIR", "").split(","):
            part = part.strip()
            if part:
                roots.append(Path(part).expanduser() / "projects")
        return roots

    def file_format(self, path: Path) -> FileFormat | None:
        name = path.name
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

    def source_version(self, record: Any) -> str | None:
        if isinstance(record, dict):
            version = record.get("version")
            if isinstance(version, str):
                return version
        return None
