"""Reading one source file into raw rows: the part of a run that worker processes do.

``read_file`` takes a ``ReadTask`` (a file the run must read, with its previous state) and yields,
in order, ``RowChunk`` events (up to ``ReadConfig.chunk_rows`` rows / ``chunk_bytes`` bytes of
text each) and one final ``FileDone``. A JSONL chunk carries the checkpoint that covers exactly
the rows up to its end, so the writer may record it once those rows are in a raw file. The same
function runs in the extract process (``--workers 1``) or in worker processes (extract/pool.py);
the writer (extract/runner.py) turns the chunks into Arrow columns and Parquet.

The columns travel as plain Python buffers (the text of every row concatenated, end offsets,
SHA-256 hex digests concatenated, small lists): nothing here imports pyarrow, so a worker process
stays small, and a chunk pickles as a few large buffers rather than one object per value.
"""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

from extract.discovery import SourceFile
from extract.document_stream import DOCUMENT_CHUNK_BYTES
from extract.options import ExtractionOptions
from extract.platforms.base import FileFormat
from extract.progress import RunError
from extract.redact import Redactor
from extract.splitting import (
    IN_MEMORY_DOCUMENT_BYTES,
    UNPARSED,
    DocumentChanged,
    GzipSourceError,
    JsonlReader,
    Piece,
    StreamedDocument,
    ZipSourceError,
    hash_prefix,
    iter_gzip_jsonl,
    iter_zip_members,
    rewound,
    split_json_document,
)
from extract.state import FileState

CHECKSUM_WIDTH = 64  # a SHA-256 hex digest
CHUNK_ROWS = 50_000
CHUNK_BYTES = 1024 * 1024

Opener = Callable[[Path], BinaryIO]


@dataclass(frozen=True)
class ReadConfig:
    """What every file of a run is read with."""

    options: ExtractionOptions = field(default_factory=ExtractionOptions)
    chunk_rows: int = CHUNK_ROWS
    chunk_bytes: int = CHUNK_BYTES
    # a JSON document (or zip member) to split larger than this is streamed, read this much at
    # a time (extract/splitting.py, StreamedDocument)
    in_memory_document_bytes: int = IN_MEMORY_DOCUMENT_BYTES
    document_chunk_bytes: int = DOCUMENT_CHUNK_BYTES

    @property
    def keep_state(self) -> bool:
        return not self.options.filtered


@dataclass(frozen=True)
class ReadTask:
    """A source file the run reads (its size and mtime as stated just before)."""

    index: int
    src: SourceFile
    fmt: FileFormat
    size: int
    mtime: datetime
    prev: FileState | None


@dataclass
class RowChunk:
    """Rows of one file, in order. Row ``i``'s text is ``text[ends[i-1]:ends[i]]`` (UTF-8)."""

    index: int
    source_file_version: int
    source_size: int
    text: bytearray = field(default_factory=bytearray)
    ends: array = field(default_factory=lambda: array("q"))
    checksums: bytearray = field(default_factory=bytearray)  # CHECKSUM_WIDTH ASCII bytes a row
    raw_bytes: dict[int, bytes] = field(default_factory=dict)  # row -> bytes, when not UTF-8
    locators: list[str] = field(default_factory=list)
    ordinals: array = field(default_factory=lambda: array("q"))
    kinds: list[str] = field(default_factory=list)
    versions: list[str | None] = field(default_factory=list)
    # the file's state once every row up to the end of this chunk is landed (JSONL only)
    checkpoint: FileState | None = None
    # the file's mtime as opened (None: as the task states it)
    source_mtime: datetime | None = None
    # --redact: row -> SHA-256 hex of the source bytes, for each row whose bytes were masked
    original_checksums: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ends)


@dataclass
class FileDone:
    """The last event of a file: how it went, and its state once all its rows are landed."""

    index: int
    category: str  # new, grown, rewritten, unchanged, failed
    state: FileState | None
    rows_landed: int = 0
    bytes_read: int = 0
    records_filtered: int = 0
    errors: list[RunError] = field(default_factory=list)
    # the worker reading the file died: the rows it sent stay, and its last checkpoint the
    # writer holds (if any) becomes the file's state
    lost: bool = False
    cpu_seconds: float = 0.0  # CPU a worker process spent on the file (0 when read in-process)


Event = RowChunk | FileDone


def os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def open_binary(path: Path) -> BinaryIO:
    return open(path, "rb")


class _FileReader:
    """Reads one file; ``events()`` yields its chunks and then its ``FileDone``."""

    def __init__(self, task: ReadTask, config: ReadConfig, opener: Opener) -> None:
        self.task = task
        self.config = config
        self.opener = opener
        self.platform = task.src.platform
        self.path = task.src.path
        self.done = FileDone(task.index, "failed", None)
        self.chunk: RowChunk | None = None
        self.version = 1
        self.source_size = task.size
        self.redactor = process_redactor() if config.options.redact else None

    # -- rows ---------------------------------------------------------------------------------

    def _new_chunk(self) -> RowChunk:
        return RowChunk(
            self.task.index, self.version, self.source_size, source_mtime=self.task.mtime
        )

    def add(self, piece: Piece) -> None:
        """One record (a Piece's bytes) becomes one row of the current chunk."""
        data, original_checksum = piece.data, None
        if self.redactor is not None:  # --redact: secrets masked before the bytes land
            data, original_checksum = self.redactor(data)
        raw_bytes: bytes | None = None
        try:
            text = data.decode("utf-8")
            encoded = data
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            encoded = text.encode("utf-8")
            raw_bytes = data
        parsed = piece.parsed
        if parsed is UNPARSED:
            parsed = None
            if raw_bytes is None:
                try:
                    parsed = json.loads(text)
                except (ValueError, RecursionError):
                    parsed = None
        options = self.config.options
        if options.filtered:
            when = self.platform.record_time(parsed, self.path) or self.task.mtime
            if not options.keeps(when, self.platform.record_session(parsed, self.path)):
                self.done.records_filtered += 1
                return
        chunk = self.chunk
        if chunk is None:
            chunk = self.chunk = self._new_chunk()
        if raw_bytes is not None:
            chunk.raw_bytes[chunk.count] = raw_bytes
        if original_checksum is not None:
            chunk.original_checksums[chunk.count] = original_checksum
        chunk.text += encoded
        chunk.ends.append(len(chunk.text))
        chunk.checksums += hashlib.sha256(data).hexdigest().encode("ascii")
        chunk.locators.append(piece.locator)
        chunk.ordinals.append(piece.ordinal)
        chunk.kinds.append(piece.record_kind or self.task.fmt.record_kind)
        chunk.versions.append(self.platform.source_version(parsed))
        self.done.rows_landed += 1

    @property
    def chunk_full(self) -> bool:
        chunk = self.chunk
        return chunk is not None and (
            chunk.count >= self.config.chunk_rows or len(chunk.text) >= self.config.chunk_bytes
        )

    def take_chunk(self, checkpoint: FileState | None = None) -> RowChunk | None:
        chunk, self.chunk = self.chunk, None
        if chunk is not None:
            chunk.checkpoint = checkpoint
        return chunk

    # -- a file -------------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        task = self.task
        fmt = task.fmt
        checkpoint: Callable[[], FileState] | None = None
        try:
            with self.opener(Path(task.src.uri)) as f:
                self.task = task = _as_opened(task, f)
                self.source_size = task.size
                if fmt.splitter == "jsonl" and fmt.compression is None:
                    reader = self._jsonl_reader(f)
                    checkpoint = reader.checkpoint
                    yield from reader.chunks()
                else:
                    yield from self._json(f)
        except OSError as exc:
            self.done.category = "failed"
            self.done.errors.append(RunError(self.platform.name, task.src.uri, os_message(exc)))
            if checkpoint is not None:  # keep the lines already read, resume after them next run
                state = checkpoint()
                chunk = self.take_chunk(state if self.config.keep_state else None)
                if chunk is not None:
                    yield chunk
                self.done.state = state
            else:
                self.chunk = None
        if not self.config.keep_state:
            self.done.state = None
        yield self.done

    def _jsonl_reader(self, f: BinaryIO) -> _JsonlFile:
        task, done = self.task, self.done
        prev, size = task.prev, task.size
        full = self.config.options.full
        category, version, offset, lines, landed, open_line = "new", 1, 0, 0, 0, False
        hasher: Any = None
        if prev is not None:
            category, version = "rewritten", prev.source_file_version + 1
            if size >= prev.consumed_bytes:
                h, n = hash_prefix(f, prev.consumed_bytes)
                done.bytes_read += n
                same_prefix = n == prev.consumed_bytes and h.hexdigest() == prev.consumed_sha256
                resume_at = prev.consumed_bytes
                still_open = prev.open_line
                if same_prefix and prev.open_line and size > resume_at:
                    # The last landed line had no terminator: its newline must come next.
                    f.seek(resume_at)
                    nxt = f.read(1)
                    done.bytes_read += len(nxt)
                    if nxt == b"\n":
                        h.update(nxt)
                        resume_at += 1
                        still_open = False
                    else:
                        same_prefix = False  # the landed line itself was extended: rewritten
                if same_prefix:
                    category = "grown" if size > resume_at else "unchanged"
                    version = prev.source_file_version
                    if not full:  # --full: read it again from the first byte
                        offset, lines = resume_at, prev.lines_consumed
                        landed, open_line, hasher = prev.records_landed, still_open, h
        self.version = version
        done.category = category
        reader = JsonlReader(f, offset=offset, size=size, lines=lines, hasher=hasher)
        reader.open_line = open_line
        return _JsonlFile(self, reader, landed)

    def _json(self, f: BinaryIO) -> Iterator[Event]:
        """A JSON document, zip archive or gzip file: unchanged when its SHA-256 is the one
        landed, else split whole and landed again as a new version. A small document is read
        into memory once; a large one (or an archive) is hashed in a first streaming pass, then,
        when it must be split, streamed (``StreamedDocument``, ``iter_zip_members``)."""
        task, done, fmt, prev = self.task, self.done, self.task.fmt, self.task.prev
        split_options: dict[str, Any] = {
            "record_kind": fmt.record_kind,
            "array_member": fmt.array_member,
            "array_record_kind": fmt.array_record_kind,
            "split_top_array": fmt.split_top_array,
        }
        splits = fmt.array_member is not None or fmt.split_top_array
        data: bytes | None = None
        if (
            fmt.zip_member is not None
            or fmt.compression is not None
            or (splits and task.size > self.config.in_memory_document_bytes)
        ):
            hasher, length = hash_prefix(f, task.size)
        else:
            data = f.read()
            hasher, length = hashlib.sha256(data), len(data)
        done.bytes_read += length
        digest = hasher.hexdigest()
        pieces: Iterable[Piece]
        document: StreamedDocument | None = None
        landed = 0  # the records split (filtered ones too), counted as they go
        if prev is not None and prev.consumed_sha256 == digest and not self.config.options.full:
            category, version, pieces = "unchanged", prev.source_file_version, []
            landed = prev.records_landed
        else:
            category = "new" if prev is None else "rewritten"
            version = 1 if prev is None else prev.source_file_version + 1
            if prev is not None and prev.consumed_sha256 == digest:  # --full, same bytes
                category, version = "unchanged", prev.source_file_version
            if fmt.zip_member is not None:
                pieces = iter_zip_members(
                    f,
                    fmt.zip_member,
                    on_refused=lambda reason: done.errors.append(
                        RunError(self.platform.name, task.src.uri, reason)
                    ),
                    chunk_size=self.config.document_chunk_bytes,
                    in_memory_bytes=self.config.in_memory_document_bytes,
                    **split_options,
                )
            elif fmt.compression == "gzip":
                pieces = iter_gzip_jsonl(f)
            elif data is not None:
                pieces = split_json_document(data, **split_options)
            else:
                pieces = document = StreamedDocument(
                    lambda: rewound(f), chunk_size=self.config.document_chunk_bytes, **split_options
                )
            del data
        self.version, self.source_size = version, length
        try:
            for piece in _consume(pieces):
                landed += 1
                self.add(piece)
                if self.chunk_full:
                    chunk = self.take_chunk()
                    if chunk is not None:
                        yield chunk
        except (ZipSourceError, GzipSourceError, DocumentChanged) as exc:
            # nothing of an unreadable archive has been yielded (it is read through first); a
            # file rewritten while it was read keeps what it sent, and lands again next run
            self.chunk = None
            done.errors.append(RunError(self.platform.name, task.src.uri, str(exc)))
            return
        chunk = self.take_chunk()
        if chunk is not None:
            yield chunk
        if document is not None and document.sha256 is not None:
            digest, length = document.sha256, document.length  # the bytes split
        done.category = category
        done.state = FileState(
            platform=self.platform.name,
            source_uri=task.src.uri,
            source_file_version=version,
            source_size=length,
            source_mtime=task.mtime,
            consumed_bytes=length,
            consumed_sha256=digest,
            lines_consumed=0,
            open_line=False,
            records_landed=landed,
        )


def _as_opened(task: ReadTask, f: BinaryIO) -> ReadTask:
    """The task with the file's size and mtime as opened: a file that grew since it was listed
    (a 0-byte file the assistant has just started writing) lands what it held when opened, not
    nothing; bytes written after that wait for the next run. The task as listed when the handle
    cannot say (a test double)."""
    try:
        st = os.fstat(f.fileno())
    except (OSError, AttributeError, ValueError):
        return task
    mtime = _EPOCH + timedelta(microseconds=st.st_mtime_ns // 1000)
    if st.st_size == task.size and mtime == task.mtime:
        return task
    return replace(task, size=st.st_size, mtime=mtime)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


_REDACTORS: dict[Path, Redactor] = {}


def process_redactor() -> Redactor:
    """One Redactor per process and pattern seed (its patterns are read and compiled once)."""
    from extract import redact

    found = _REDACTORS.get(redact.SEED_PATH)
    if found is None:
        found = _REDACTORS[redact.SEED_PATH] = Redactor()
    return found


def _consume(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """Each piece once, dropping the list's reference as it goes (a split document's parsed
    values are freed as their rows are built)."""
    if not isinstance(pieces, list):
        yield from pieces
        return
    for i, piece in enumerate(pieces):
        pieces[i] = None  # type: ignore[call-overload]
        yield piece


class _JsonlFile:
    """A JSONL file streamed line by line from its resume point."""

    def __init__(self, owner: _FileReader, reader: JsonlReader, base_landed: int) -> None:
        self.owner = owner
        self.reader = reader
        self.base_landed = base_landed
        self.landed_now = 0

    def checkpoint(self, final: bool = False) -> FileState:
        # A checkpoint taken before the whole file was read claims only the bytes consumed as
        # its size, so that the next run never mistakes the file for unchanged.
        task, reader = self.owner.task, self.reader
        return FileState(
            platform=task.src.platform.name,
            source_uri=task.src.uri,
            source_file_version=self.owner.version,
            source_size=task.size if final else reader.consumed,
            source_mtime=task.mtime,
            consumed_bytes=reader.consumed,
            consumed_sha256=reader.hasher.copy().hexdigest(),
            lines_consumed=reader.lines,
            open_line=reader.open_line,
            records_landed=self.base_landed + self.landed_now,
        )

    def chunks(self) -> Iterator[Event]:
        owner, reader = self.owner, self.reader
        keep_state = owner.config.keep_state
        try:
            for piece in reader:
                owner.add(piece)
                self.landed_now += 1
                if owner.chunk_full:
                    chunk = owner.take_chunk(self.checkpoint() if keep_state else None)
                    if chunk is not None:
                        yield chunk
        finally:
            owner.done.bytes_read += reader.bytes_read
            reader.bytes_read = 0  # counted once, also when a read fails
        state = self.checkpoint(final=True)
        chunk = owner.take_chunk(state if keep_state else None)
        if chunk is not None:
            yield chunk
        owner.done.state = state


def read_file(task: ReadTask, config: ReadConfig, opener: Opener = open_binary) -> Iterator[Event]:
    """The events of one file: its row chunks in order, then its ``FileDone``.

    A file that cannot be read (``OSError``) ends with category ``failed`` and an error; when it
    was JSONL its ``FileDone.state`` still covers the lines read before the error, so that the
    next run resumes after them. A filtered run (``--since``/``--until``/``--session``) yields
    no state at all.
    """
    return _FileReader(task, config, opener).events()
