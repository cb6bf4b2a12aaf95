"""The interface every platform module implements.

A platform knows where its logs live (``default_roots``), which files under a root are its source
files (``discover``), how each file is split into records (``file_format``) and how to read the
app/format version out of a parsed record (``source_version``). Everything else (state, splitting,
batching, writing) is shared and platform-independent.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

OnError = Callable[[Path, OSError], None]


@dataclass(frozen=True)
class FileFormat:
    """How one source file is split into records.

    ``splitter="jsonl"``: one record per line, incremental by byte offset.
    ``splitter="json"``: a JSON document, incremental by whole-file checksum; one record of kind
    ``record_kind`` (locator ``document``), unless ``array_member`` names an array member of the
    top-level object (or ``split_top_array`` is set and the document is an array), in which
    case each element is one record of kind ``array_record_kind``.

    ``zip_member``: the source file is a zip archive, read in place (never extracted); every
    member whose file name is ``zip_member`` (at any depth) is split as above, its locators
    prefixed with the member path (``<member>[<i>]``). Incremental by the whole archive's checksum.

    ``compression="gzip"`` (with ``splitter="jsonl"``): the file is gzip-compressed JSONL (e.g.
    ``.jsonl.gz``), decompressed in memory (never to disk) and split into its lines (locators
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

    @abstractmethod
    def default_roots(self, env: Mapping[str, str], home: Path) -> list[Path]:
        """Where this platform's logs live by default (roots that do not exist are fine)."""

    @abstractmethod
    def file_format(self, path: Path) -> FileFormat | None:
        """The format of ``path``, or ``None`` when it is not one of this platform's files."""

    @abstractmethod
    def source_version(self, record: Any) -> str | None:
        """The app/format version a parsed record states, if any."""

    def example_root(self, examples_dir: Path) -> Path:
        """Where this platform's bundled example logs live under the repo's ``examples/``."""
        return examples_dir / self.name

    def describe_discovery(self, roots: list[Path], found: list[Path]) -> str | None:
        """What to tell the run's ``notify`` after scanning the default roots (None: nothing)."""
        return None

    def discover(self, root: Path, on_error: OnError | None = None) -> Iterator[Path]:
        """Source files under ``root`` (scanned recursively), or ``root`` itself when it is a file.

        Symlinked directories are followed once (loops are cut by real path). Directories that
        cannot be listed are reported through ``on_error`` and skipped.
        """
        if root.is_file():
            yield root
            return
        seen_dirs: set[str] = set()
        stack = [root]
        while stack:
            folder = stack.pop()
            real = os.path.realpath(folder)
            if real in seen_dirs:
                continue
            seen_dirs.add(real)
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                if on_error is not None:
                    on_error(folder, exc)
                continue
            subdirs: list[Path] = []
            for entry in entries:
                path = Path(entry.path)
                try:
                    if entry.is_dir():
                        subdirs.append(path)
                    elif entry.is_file() and self.file_format(path) is not None:
                        yield path
                except OSError as exc:
                    if on_error is not None:
                        on_error(path, exc)
            stack.extend(reversed(subdirs))
