"""Continue (continue.dev) chat sessions and their token telemetry.

Layout under Continue's global folder (``~/.continue``, or ``$CONTINUE_GLOBAL_DIR`` when set, as
Continue's ``core/util/paths.ts`` resolves it; the same path on Windows, ``%USERPROFILE%``)::

    sessions/sessions.json                       the index: [{sessionId, title, dateCreated (epoch
                                                 ms as a string), workspaceDirectory}, ...]
    sessions/<sessionId>.json                    one session: {sessionId, title,
                                                 workspaceDirectory, history: [...], usage?, ...}
    dev_data/<schema>/tokensGenerated.jsonl      one line per LLM call: {timestamp, model,
                                                 provider, promptTokens, generatedTokens, ...}
    dev_data/<schema>/chatInteraction.jsonl      one line per chat response: {timestamp,
                                                 sessionId, modelName, completion, ...}

A session file is one whole-document record (kind ``session``; Continue rewrites it on every
change, so each rewrite lands again as a new ``source_file_version``). ``sessions.json`` is split
into one record per index entry (kind ``sessions_index``, locators ``[<i>]``). The two dev_data
event logs are JSONL, one record per line (kinds ``tokens_generated`` and ``chat_interaction``),
incremental by growth. Nothing else under the global folder is read (config, indexes, logs, the
other dev_data events such as autocomplete). The legacy ``dev_data/tokens_generated.jsonl`` of
Continue before the 0.2.0 data schema is not read: its lines carry neither a time nor a session,
so they cannot be attached to anything.
"""

from __future__ import annotations

import re
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

INDEX_NAME = "sessions.json"
SESSIONS_DIR = "sessions"
DEV_DATA_DIR = "dev_data"

_SESSION = FileFormat("json", "session")
_INDEX = FileFormat(
    "json", "sessions_index", split_top_array=True, array_record_kind="sessions_index"
)
_TOKENS = FileFormat("jsonl", "tokens_generated")
_CHAT = FileFormat("jsonl", "chat_interaction")
DEV_DATA_FILES = {"tokensGenerated.jsonl": _TOKENS, "chatInteraction.jsonl": _CHAT}

# "Visual Studio Code/1.96.2 (Continue/1.0.5)" -> "1.0.5"
_USER_AGENT_VERSION = re.compile(r"\(Continue/([^)\s]+)\)")


class ContinuePlatform(Platform):
    name = "continue"
    formats = (
        "session files `sessions/<id>.json`, one record per file",
        "the `sessions/sessions.json` index, one record per entry",
        "dev_data `tokensGenerated.jsonl` and `chatInteraction.jsonl`, one record per line",
    )
    version_prefixes = ("0.8.", "0.9.", "1.")
    fills = frozenset({"tokens", "cost", "timestamps", "tool_calls", "model", "workspace"})
    locations_summary = (
        "`~/.continue` (or `$CONTINUE_GLOBAL_DIR`): `sessions/*.json`, the "
        "`sessions/sessions.json` index, `dev_data/*/tokensGenerated.jsonl` and "
        "`chatInteraction.jsonl`"
    )
    time_doc = (
        "dev_data lines' `timestamp`, index entries' `dateCreated`; session files (which state no "
        "time) by their modification time"
    )
    session_doc = (
        "`sessionId` (session files, index entries, chatInteraction lines); tokensGenerated lines "
        "name no session"
    )

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        override = env.get("CONTINUE_GLOBAL_DIR", "").strip()
        if override:
            return [Path(override).expanduser()]
        return [home / ".continue"]

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path)
        if name in DEV_DATA_FILES:
            return DEV_DATA_FILES[name]
        if name == INDEX_NAME:
            return _INDEX
        if name.endswith(".json"):
            return _SESSION
        return None

    def find(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """A file given explicitly is read whatever its name.

        Given Continue's global folder (it has ``sessions/`` or ``dev_data/``), only
        ``sessions/*.json`` and the dev_data event logs are read. Any other folder (a copy of
        ``sessions``, a ``dev_data`` folder, a folder of exported sessions) is scanned recursively
        for session ``.json`` files and the two event logs.
        """
        if root.is_file():
            yield Found(str(root), None)
            return
        sessions, dev_data = root / SESSIONS_DIR, root / DEV_DATA_DIR
        if sessions.is_dir() or dev_data.is_dir():
            if sessions.is_dir():
                for path in self._sessions(sessions, on_error):
                    yield Found(str(path), None)
            if dev_data.is_dir():
                yield from self._dev_data(dev_data, on_error)
            return
        if root.name == DEV_DATA_DIR:
            yield from self._dev_data(root, on_error)
            return
        for found in self.walk(root, on_error):
            name = file_name(found.path)
            if name.endswith(".json") or name in DEV_DATA_FILES:
                yield found

    def _sessions(self, folder: Path, on_error: OnError | None) -> Iterator[Path]:
        """``sessions/*.json`` (not recursive: Continue keeps nothing below it)."""
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            if on_error is not None:
                on_error(folder, exc)
            return
        for path in entries:
            try:
                if path.name.endswith(".json") and path.is_file():
                    yield path
            except OSError as exc:
                if on_error is not None:
                    on_error(path, exc)

    def _dev_data(self, folder: Path, on_error: OnError | None) -> Iterator[Found]:
        for found in self.walk(folder, on_error):
            if file_name(found.path) in DEV_DATA_FILES:
                yield found

    def describe_discovery(self, roots: list[Path], found: list[Path]) -> str | None:
        if not found:
            return None
        sessions = sum(1 for p in found if p.name.endswith(".json") and p.name != INDEX_NAME)
        logs = sum(1 for p in found if p.name in DEV_DATA_FILES)
        where = ", ".join(str(root) for root in roots)
        return f"continue: found {sessions} session file(s) and {logs} dev_data log(s) in {where}"

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "timestamp", "dateCreated")

    def record_session(self, record: Any, path: Path) -> str | None:
        return first_text(record, "sessionId")

    def source_version(self, record: Any) -> str | None:
        """The Continue extension version a dev_data line names in its ``userAgent``.

        Session files and the index state no version.
        """
        if isinstance(record, dict):
            agent = record.get("userAgent")
            if isinstance(agent, str):
                match = _USER_AGENT_VERSION.search(agent)
                if match:
                    return match.group(1)
        return None
