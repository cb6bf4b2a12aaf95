"""The interface every platform module implements.

A platform knows where its logs live (``default_roots``), which files under a root are its source
files (``find``; ``discover`` lists their paths), how each file is split into records
(``file_format``) and how to read the app/format version out of a parsed record
(``source_version``). For the run options
``--since/--until/--session`` it says how to read a record's own time (``record_time``) and
session (``record_session``); the defaults (no time of its own: the file's modification time is
used; no session) suit a format that has neither. Its metadata (``extractor_version``,
``formats``, ``version_prefixes``, ``fills``, ``locations_summary``, the ``*_doc`` strings) feeds
``python -m extract platforms`` and the README's platform table. Everything else (state,
splitting, batching, writing) is shared and platform-independent.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Literal, NamedTuple

OnError = Callable[[Path, OSError], None]
# A file's path as discovery has it (a str: a scan builds no Path per file), or a Path.
FilePath = str | os.PathLike[str]


def file_name(path: FilePath) -> str:
    """The last component of ``path`` (``Path(path).name``, without building the Path)."""
    text = os.fspath(path)
    if os.altsep is None:  # POSIX: os.path.basename, without its per-call overhead
        return text[text.rfind(os.sep) + 1 :]
    return os.path.basename(text)


# The unified fields a platform may be able to fill (``Platform.fills``), in display order.
UNIFIED_FIELDS = ("tokens", "cost", "timestamps", "tool_calls", "model", "workspace", "branch")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO_Z = re.compile(r"[zZ]$")


def parse_time(value: Any) -> datetime | None:
    """A UTC datetime from what logs write: ISO-8601 text (any offset; none means UTC), epoch
    seconds, milliseconds or microseconds (told apart by size; numbers or digit strings).
    ``None`` when ``value`` is none of these."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(_ISO_Z.sub("+00:00", text))
            except ValueError:
                return None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
    if isinstance(value, (int, float)):
        magnitude = abs(value)
        if magnitude >= 1e14:  # microseconds
            seconds = value / 1e6
        elif magnitude >= 1e11:  # milliseconds
            seconds = value / 1e3
        else:
            seconds = float(value)
        try:
            return _EPOCH + timedelta(seconds=seconds)
        except OverflowError:
            return None
    return None


def first_time(record: Any, *keys: str) -> datetime | None:
    """The first of ``record[key]`` (a dict's members, in order) that parses as a time."""
    if not isinstance(record, dict):
        return None
    for key in keys:
        found = parse_time(record.get(key))
        if found is not None:
            return found
    return None


def first_text(record: Any, *keys: str) -> str | None:
    """The first of ``record[key]`` that is a non-empty string."""
    if not isinstance(record, dict):
        return None
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


@dataclass(frozen=True)
class FileFormat:
    """How one source file is split into records.

    ``splitter="jsonl"``: one record per line, incremental by byte offset.
    ``splitter="json"``: a JSON document, incremental by whole-file checksum; one record of kind
    ``record_kind`` (locator ``document``), unless ``array_member`` names an array member of the
    top-level object (or ``split_top_array`` is set and the document is an array), in which
    case each element is one record of kind ``array_record_kind`` (a large document is streamed:
    extract/splitting.py, ``StreamedDocument``).

    ``zip_member``: the source file is a zip archive, read in place (never extracted); every
    member whose file name is ``zip_member`` (at any depth) is split as above, its locators
    prefixed with the member path (``<member>[<i>]``). Incremental by the whole archive's checksum.

    ``compression="gzip"`` (with ``splitter="jsonl"``): the file is gzip-compressed JSONL (e.g.
    ``.jsonl.gz``), decompressed as it is read (never to disk) and split into its lines (locators
    ``line:<n>`` of the decompressed text). Incremental by the whole compressed file's checksum, as
    a JSON document: a changed file lands again whole as a new version.
    """

    splitter: Literal["jsonl", "json"]
    record_kind: str
    array_member: str | None = None
    array_record_kind: str | None = None
    split_top_array: bool = False
    zip_member: str | None = None
    compression: Literal["gzip"] | None = None


class Platform(ABC):
    """One AI assistant's log format."""

    name: str
    # Bump when this module lands records differently (splitting, kinds, discovery): a re-land
    # after such a change is `python -m extract run --full --platform <name>`.
    extractor_version: ClassVar[str] = "1"
    # The file formats this module reads, in words (for `extract platforms` and the README).
    formats: ClassVar[tuple[str, ...]] = ()
    # Prefixes of the `source_version` values the staging models were written against; the same
    # rows as its seed seeds/platforms/<name>/<name>__known_format_versions.csv (a test holds them
    # equal). Empty: the format states no version (the seed has its header only).
    version_prefixes: ClassVar[tuple[str, ...]] = ()
    # Which unified fields this platform can fill (a subset of UNIFIED_FIELDS).
    fills: ClassVar[frozenset[str]] = frozenset()
    # Where it looks, in one line for the README (the full list per OS: default_locations()).
    locations_summary: ClassVar[str] = ""
    # How --since/--until and --session read a record (documented per platform).
    time_doc: ClassVar[str] = "the file's modification time (the format has no time per record)"
    session_doc: ClassVar[str] = "none (`--session` lands nothing of this platform)"
    # Whether ``file_format`` takes a path as a str too (``FilePath``; the built-in platforms,
    # which read its name): then discovery builds no Path per file it scans. Else it is given
    # a Path, as its signature says.
    str_paths: ClassVar[bool] = False

    @abstractmethod
    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        """Where this platform's logs live by default (roots that do not exist are fine)."""

    @abstractmethod
    def file_format(self, path: Path) -> FileFormat | None:
        """The format of ``path``, or ``None`` when it is not one of this platform's files."""

    def format_of(self, path: FilePath) -> FileFormat | None:
        """``file_format`` of a path as discovery has it (often a str): as it is where the
        platform takes a str (``str_paths``), else as a Path."""
        if self.str_paths or isinstance(path, Path):
            return self.file_format(path)  # type: ignore[arg-type]
        return self.file_format(Path(path))

    @abstractmethod
    def source_version(self, record: Any) -> str | None:
        """The app/format version a parsed record states, if any."""

    def record_time(self, record: Any, path: Path) -> datetime | None:
        """The record's own time (UTC), or ``None`` when it has none (the run options then use
        the file's modification time). ``record`` is the parsed JSON (None when not JSON)."""
        return None

    def record_session(self, record: Any, path: Path) -> str | None:
        """The session / conversation id the record belongs to, or ``None``."""
        return None

    def example_root(self, examples_dir: Path) -> Path:
        """Where this platform's bundled example logs live under the repo's ``examples/``."""
        return examples_dir / self.name

    def fixture_paths(self, fixtures_dir: Path) -> list[Path]:
        """This platform's test fixtures under ``extract/tests/fixtures/`` (checked by
        ``extract/tests/test_plugin.py``)."""
        return [fixtures_dir / self.name]

    def default_locations(self) -> dict[str, list[str]]:
        """The default roots per operating system (``any`` = the same path everywhere), written
        with ``~`` and ``%APPDATA%`` placeholders."""
        out: dict[str, list[str]] = {}
        for root in self.default_roots({"APPDATA": "%APPDATA%"}, Path("~")):
            text = root.as_posix()
            if "/Library/Application Support/" in text:
                system = "macos"
            elif text.startswith("%APPDATA%"):
                system = "windows"
            elif text.startswith("~/.config/") or "-server" in text:
                system = "linux"
            else:
                system = "any"
            out.setdefault(system, []).append(text)
        return out

    def describe_discovery(self, roots: list[Path], found: list[Path]) -> str | None:
        """What to tell the run's ``notify`` after scanning the default roots (None: nothing)."""
        return None

    def discover(self, root: Path, on_error: OnError | None = None) -> Iterator[Path]:
        """Source files under ``root`` (scanned recursively), or ``root`` itself when it is a file:
        the paths of ``find``. (A platform written before ``find`` existed may override this
        instead: ``find`` then lists what it yields.)"""
        finder = self.find if type(self).find is not Platform.find else self._scan
        for found in finder(root, on_error):
            yield Path(found.path)

    def find(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """Source files under ``root`` (scanned recursively), or ``root`` itself when it is a
        file, each with its real path where the scan knows it. A platform with its own layout
        overrides this (``discover`` follows); one that overrides ``discover`` instead has its
        paths here, resolved by the caller.

        Symlinked directories are followed once (loops are cut by real path). Directories that
        cannot be listed are reported through ``on_error`` and skipped.
        """
        if type(self).discover is not Platform.discover:
            for path in self.discover(root, on_error):
                yield Found(os.fspath(path), None)
            return
        yield from self._scan(root, on_error)

    def _scan(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """The default ``find``: ``root`` itself when it is a file, else ``walk``."""
        if root.is_file():
            yield Found(str(root), None)
            return
        yield from self.walk(root, on_error)

    def walk(self, root: Path, on_error: OnError | None = None) -> Iterator[Found]:
        """The files under the folder ``root`` this platform has a format for, by name, each
        with its real path: a file that is not a symlink is its folder's real path and its name,
        and a subfolder that is not a symlink its parent's real path and its name (no realpath,
        which checks every component of the path, per file or folder)."""
        seen_dirs: set[str] = set()
        stack = [(str(root), os.path.realpath(root))]
        while stack:
            folder, real = stack.pop()
            if real in seen_dirs:
                continue
            seen_dirs.add(real)
            entries = _scandir(folder, on_error)
            subdirs: list[tuple[str, str]] = []
            for entry in entries:
                try:
                    if entry.is_dir():
                        subdirs.append((entry.path, _real_path(entry, folder, real)))
                    elif entry.is_file() and self.format_of(entry.path) is not None:
                        yield Found(entry.path, _real_path(entry, folder, real))
                except OSError as exc:
                    if on_error is not None:
                        on_error(Path(entry.path), exc)
            stack.extend(reversed(subdirs))


class Found(NamedTuple):
    """A source file as discovery finds it: its path (a str: no Path is built per file), and
    its real path when known (``None``: the caller resolves it)."""

    path: str
    real: str | None


def _scandir(folder: str, on_error: OnError | None) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` sorted by name ([] when it cannot be listed: reported)."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=_entry_name)
    except OSError as exc:
        if on_error is not None:
            on_error(Path(folder), exc)
        return []


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _real_path(entry: os.DirEntry[str], folder: str, folder_real: str) -> str:
    """The real path of an entry of ``folder``, whose real path is ``folder_real``."""
    if entry.is_symlink():
        return os.path.realpath(entry.path)
    if folder == folder_real:  # no symlink on the way: the entry's path (folder joined to name)
        return entry.path
    return os.path.join(folder_real, entry.name)
