"""ChatGPT data exports (Settings -> Data controls -> Export).

An export is a zip holding ``conversations.json``: one top-level JSON array, one conversation
object per element (``mapping`` is the message tree). Sources: the ``conversations.json`` itself,
the export ``.zip`` read in place (only members named ``conversations.json``, at any depth; never
extracted to disk), or, given explicitly, any ``.json`` file holding one conversation object or an
array of them. One raw record per conversation (record_kind ``conversation``): locator ``[<i>]``
for an element of a ``conversations.json`` file, ``<member path>[<i>]`` inside a zip, ``document``
for a file that is one conversation object.

ChatGPT has no log folder: the default root is ``~/Downloads``, where only files that look like
exports are picked up (a ``conversations.json``, a ``.json`` whose first 64 KB name a
conversation's keys, or a ``.zip`` whose directory lists a ``conversations.json`` member).
"""

from __future__ import annotations

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
from extract.splitting import zip_has_member

EXPORT_MEMBER = "conversations.json"
SNIFF_BYTES = 64 * 1024

_JSON = FileFormat("json", "conversation", split_top_array=True, array_record_kind="conversation")
_ZIP = FileFormat(
    "json",
    "conversation",
    split_top_array=True,
    array_record_kind="conversation",
    zip_member=EXPORT_MEMBER,
)


def _looks_like_conversation_json(path: Path) -> bool:
    """A ``.json`` whose first 64 KB name the keys of a ChatGPT conversation object."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return False
    return (
        head.lstrip()[:1] in (b"[", b"{")
        and b'"mapping"' in head
        and (b'"create_time"' in head or b'"conversation_id"' in head)
    )


def looks_like_export(path: Path) -> bool:
    """A ``conversations.json``, a ``.json`` that looks like ChatGPT conversations (renamed or
    saved from another tool), or a zip archive with a ``conversations.json`` member.

    The zip check reads only the archive's central directory (at its end), never a member.
    """
    if path.name == EXPORT_MEMBER:
        return True
    if path.name.lower().endswith(".json"):
        return _looks_like_conversation_json(path)
    if path.name.lower().endswith(".zip"):
        try:
            with open(path, "rb") as f:
                return zip_has_member(f, EXPORT_MEMBER)
        except OSError:
            return False
    return False


class ChatGPT(Platform):
    name = "chatgpt"
    formats = (
        "export `conversations.json` (a top-level array), one record per conversation",
        "the export `.zip`, read in place",
        "a `.json` holding one conversation object (given with `--source`)",
    )
    fills = frozenset({"timestamps", "tool_calls", "model"})
    locations_summary = (
        "exports in `~/Downloads` (`conversations.json` or the export `.zip`, read in place); "
        "point at others with `--source chatgpt=PATH`"
    )
    time_doc = "the conversation's `update_time` (else `create_time`)"
    session_doc = "the conversation's `conversation_id` (else `id`)"

    str_paths = True  # file_format takes a str as well as a Path

    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        return [home / "Downloads"]

    def file_format(self, path: FilePath) -> FileFormat | None:
        name = file_name(path).lower()
        if name.endswith(".zip"):
            return _ZIP
        if name.endswith(".json"):
            return _JSON
        return None

    def find(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """A file given explicitly is read whatever its name; in a folder, only exports."""
        if root.is_file():
            yield Found(str(root), None)
            return
        for found in self.walk(root, on_error):
            if looks_like_export(Path(found.path)):
                yield found

    def describe_discovery(self, roots: list[Path], found: list[Path]) -> str | None:
        if not found:
            return None
        where = ", ".join(str(root) for root in roots)
        names = ", ".join(str(path) for path in found)
        return f"chatgpt: found {len(found)} ChatGPT export(s) in {where}: {names}"

    def source_version(self, record: Any) -> str | None:
        return None  # exports carry no app or format version

    def record_time(self, record: Any, path: Path) -> datetime | None:
        return first_time(record, "update_time", "create_time")

    def record_session(self, record: Any, path: Path) -> str | None:
        return first_text(record, "conversation_id", "id")
