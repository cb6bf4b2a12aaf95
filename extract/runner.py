"""The run loop: discover -> decide new/grown/rewritten/unchanged -> split -> batch -> flush."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from extract import __version__
from extract.discovery import SourceFile, discover_sources
from extract.lake import Lake, LakeError, init_lake
from extract.metrics import Stopwatch
from extract.options import DEFAULT_BATCH_SIZE, ExtractionOptions
from extract.platforms import REGISTRY, FileFormat, Platform
from extract.progress import FileOutcome, PlatformCounts, RunError, RunSummary, progress_bar
from extract.redact import Redactor
from extract.schema import RAW_SCHEMA
from extract.splitting import (
    UNPARSED,
    GzipSourceError,
    JsonlReader,
    Piece,
    ZipSourceError,
    hash_prefix,
    split_gzip_jsonl,
    split_json_document,
    split_zip_members,
)
from extract.state import STATE_DIR, FileState, StateKey, load_states, states_table

MAX_ROWS = DEFAULT_BATCH_SIZE
MAX_TEXT_BYTES = 64 * 1024 * 1024
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_run_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"


def mtime_of(st: os.stat_result) -> datetime:
    return EPOCH + timedelta(microseconds=st.st_mtime_ns // 1000)


def open_source(path: Path) -> BinaryIO:
    """Open a source file for reading (a seam for tests that simulate unreadable files)."""
    return open(path, "rb")


class BatchWriter:
    """Accumulates raw records and state rows; each flush writes raw files, then the state file."""

    def __init__(
        self,
        lake: Lake,
        summary: RunSummary,
        *,
        max_rows: int = MAX_ROWS,
        max_text_bytes: int = MAX_TEXT_BYTES,
        stopwatch: Stopwatch | None = None,
    ) -> None:
        self.lake = lake
        self.summary = summary
        self.max_rows = max_rows
        self.max_text_bytes = max_text_bytes
        self.stopwatch = stopwatch or Stopwatch()
        self.seq = 0
        self.pending_states: list[FileState] = []
        self._reset()

    def _reset(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in RAW_SCHEMA.names}
        self.rows = 0
        self.text_bytes = 0

    def add(self, row: Mapping[str, Any], size: int) -> None:
        for name, values in self.columns.items():
            values.append(row[name])
        self.rows += 1
        self.text_bytes += size

    @property
    def full(self) -> bool:
        return self.rows >= self.max_rows or self.text_bytes >= self.max_text_bytes

    def flush(self, in_progress: FileState | None = None) -> None:
        states = list(self.pending_states)
        if in_progress is not None:
            states.append(in_progress)
        if self.rows == 0 and not states:
            return
        with self.stopwatch.stage("load"):
            self._flush(states)

    def _write(self, rel: str, table: pa.Table) -> str:
        dest = self.lake.write_table(rel, table)
        try:
            size = int(self.lake.fs.size(dest))
        except (OSError, TypeError, ValueError):  # a store that cannot say: count the file only
            size = 0
        self.stopwatch.wrote(size)
        return dest

    def _flush(self, states: list[FileState]) -> None:
        self.seq += 1
        name = f"{self.summary.run_id}-{self.seq:05d}.parquet"
        if self.rows:
            table = pa.Table.from_pydict(self.columns, schema=RAW_SCHEMA)
            date = self.summary.started_at.strftime("%Y-%m-%d")
            for platform in sorted(set(self.columns["platform"])):
                part = table.filter(pc.equal(table["platform"], platform))
                rel = f"raw/platform={platform}/date={date}/{name}"
                self.summary.raw_files.append(self._write(rel, part))
        if states:
            written_at = utc_now()
            for state in states:
                state.run_id, state.seq, state.written_at = (
                    self.summary.run_id,
                    self.seq,
                    written_at,
                )
            self._write(f"{STATE_DIR}/{name}", states_table(states))
        self.pending_states.clear()
        self._reset()


@dataclass
class _FileContext:
    src: SourceFile
    fmt: FileFormat
    version: int
    size: int
    mtime: datetime


class Runner:
    """Processes source files one by one into a BatchWriter.

    Options (extract/options.py): ``full`` reads every file whole, whatever its state says (a
    file whose landed bytes are unchanged keeps its ``source_file_version``); a filter
    (``since``/``until``/``sessions``) skips the records it excludes and then writes no state at
    all, so that nothing it skipped is ever taken for landed.
    """

    def __init__(
        self,
        summary: RunSummary,
        states: Mapping[StateKey, FileState],
        writer: BatchWriter,
        options: ExtractionOptions | None = None,
    ) -> None:
        self.summary = summary
        self.states = states
        self.writer = writer
        self.options = options or ExtractionOptions()
        self.keep_state = not self.options.filtered
        self._checkpoint: Callable[[], FileState] | None = None
        # --redact: secrets are masked in each record's bytes before they land (extract/redact.py)
        self.redactor = Redactor() if self.options.redact else None

    def _save(self, state: FileState) -> None:
        if self.keep_state:
            self.writer.pending_states.append(state)

    def fail(self, platform: str, file: str, message: str) -> None:
        self.summary.errors.append(RunError(platform, file, message))

    def process(self, src: SourceFile) -> None:
        counts = self.summary.platforms[src.platform.name]
        counts.files_seen += 1
        rows, nbytes, errors = counts.rows_landed, counts.bytes_read, len(self.summary.errors)
        category = self._process(src, counts)
        setattr(counts, category, getattr(counts, category) + 1)
        failures = sum(1 for e in self.summary.errors[errors:] if e.file == src.uri)
        landed = counts.rows_landed - rows
        if category != "unchanged" or failures or landed:  # every file it read, not skipped
            self.summary.files.append(
                FileOutcome(
                    src.platform.name,
                    src.uri,
                    category,
                    landed,
                    counts.bytes_read - nbytes,
                    failures,
                )
            )

    def _process(self, src: SourceFile, counts: PlatformCounts) -> str:
        platform = src.platform
        fmt = platform.file_format(src.path)
        if fmt is None:
            self.fail(platform.name, src.uri, f"not a {platform.name} source file")
            return "failed"
        try:
            st = os.stat(src.uri)
        except OSError as exc:
            self.fail(platform.name, src.uri, _os_message(exc))
            return "failed"
        prev = self.states.get((platform.name, src.uri))
        mtime = mtime_of(st)
        if (
            not self.options.full
            and prev is not None
            and prev.source_size == st.st_size
            and prev.source_mtime == mtime
        ):
            return "unchanged"
        self._checkpoint = None
        try:
            with open_source(Path(src.uri)) as f:
                st = _opened_stat(f, st)
                mtime = mtime_of(st)
                if fmt.splitter == "jsonl" and fmt.compression is None:
                    return self._jsonl(f, src, fmt, st.st_size, mtime, prev, counts)
                return self._json(f, src, fmt, st.st_size, mtime, prev, counts)
        except OSError as exc:
            if self._checkpoint is not None:  # keep the lines already batched, resume after them
                self._save(self._checkpoint())
            self.fail(platform.name, src.uri, _os_message(exc))
            return "failed"
        finally:
            self._checkpoint = None

    def _jsonl(
        self,
        f: BinaryIO,
        src: SourceFile,
        fmt: FileFormat,
        size: int,
        mtime: datetime,
        prev: FileState | None,
        counts: PlatformCounts,
    ) -> str:
        category, version, offset, lines, landed, open_line = "new", 1, 0, 0, 0, False
        hasher: Any = None
        if prev is not None:
            category, version = "rewritten", prev.source_file_version + 1
            if size >= prev.consumed_bytes:
                h, n = hash_prefix(f, prev.consumed_bytes)
                counts.bytes_read += n
                same_prefix = n == prev.consumed_bytes and h.hexdigest() == prev.consumed_sha256
                resume_at = prev.consumed_bytes
                still_open = prev.open_line
                if same_prefix and prev.open_line and size > resume_at:
                    # The last landed line had no terminator: its newline must come next.
                    f.seek(resume_at)
                    nxt = f.read(1)
                    counts.bytes_read += len(nxt)
                    if nxt == b"\n":
                        h.update(nxt)
                        resume_at += 1
                        still_open = False
                    else:
                        same_prefix = False  # the landed line itself was extended: rewritten
                if same_prefix:
                    category = "grown" if size > resume_at else "unchanged"
                    version = prev.source_file_version
                    if not self.options.full:  # --full: read it again from the first byte
                        offset, lines = resume_at, prev.lines_consumed
                        landed, open_line, hasher = prev.records_landed, still_open, h
        reader = JsonlReader(f, offset=offset, size=size, lines=lines, hasher=hasher)
        reader.open_line = open_line
        ctx = _FileContext(src, fmt, version, size, mtime)
        base_landed = landed

        def checkpoint(final: bool = False) -> FileState:
            # A checkpoint taken before the whole file was read claims only the bytes consumed
            # as its size, so that the next run never mistakes the file for unchanged.
            return FileState(
                platform=src.platform.name,
                source_uri=src.uri,
                source_file_version=version,
                source_size=size if final else reader.consumed,
                source_mtime=mtime,
                consumed_bytes=reader.consumed,
                consumed_sha256=reader.hasher.copy().hexdigest(),
                lines_consumed=reader.lines,
                open_line=reader.open_line,
                records_landed=base_landed + landed_now,
            )

        landed_now = 0
        self._checkpoint = checkpoint
        try:
            for piece in reader:
                self._add(ctx, piece, counts)
                landed_now += 1
                if self.writer.full:
                    self.writer.flush(in_progress=checkpoint() if self.keep_state else None)
        finally:
            counts.bytes_read += reader.bytes_read
        self._save(checkpoint(final=True))
        self._checkpoint = None
        return category

    def _json(
        self,
        f: BinaryIO,
        src: SourceFile,
        fmt: FileFormat,
        size: int,
        mtime: datetime,
        prev: FileState | None,
        counts: PlatformCounts,
    ) -> str:
        split_options: dict[str, Any] = {
            "record_kind": fmt.record_kind,
            "array_member": fmt.array_member,
            "array_record_kind": fmt.array_record_kind,
            "split_top_array": fmt.split_top_array,
        }
        if fmt.zip_member is not None or fmt.compression is not None:
            # an archive or a compressed file: hash it whole, decompress it in memory
            hasher, length = hash_prefix(f, size)
            data = b""
        else:
            data = f.read()
            hasher, length = hashlib.sha256(data), len(data)
        counts.bytes_read += length
        digest = hasher.hexdigest()
        if prev is not None and prev.consumed_sha256 == digest and not self.options.full:
            category, version, pieces = "unchanged", prev.source_file_version, []
            landed = prev.records_landed
        else:
            category = "new" if prev is None else "rewritten"
            version = 1 if prev is None else prev.source_file_version + 1
            if prev is not None and prev.consumed_sha256 == digest:  # --full, same bytes
                category, version = "unchanged", prev.source_file_version
            if fmt.zip_member is not None:
                try:
                    pieces = split_zip_members(
                        f,
                        fmt.zip_member,
                        on_refused=lambda reason: self.summary.errors.append(
                            RunError(src.platform.name, src.uri, reason)
                        ),
                        **split_options,
                    )
                except ZipSourceError as exc:
                    self.fail(src.platform.name, src.uri, str(exc))
                    return "failed"
            elif fmt.compression == "gzip":
                try:
                    pieces = split_gzip_jsonl(f)
                except GzipSourceError as exc:
                    self.fail(src.platform.name, src.uri, str(exc))
                    return "failed"
            else:
                pieces = split_json_document(data, **split_options)
            landed = len(pieces)
        ctx = _FileContext(src, fmt, version, length, mtime)
        for piece in pieces:
            self._add(ctx, piece, counts)
            if self.writer.full:
                self.writer.flush()
        self._save(
            FileState(
                platform=src.platform.name,
                source_uri=src.uri,
                source_file_version=version,
                source_size=length,
                source_mtime=mtime,
                consumed_bytes=length,
                consumed_sha256=digest,
                lines_consumed=0,
                open_line=False,
                records_landed=landed,
            )
        )
        return category

    def _add(self, ctx: _FileContext, piece: Piece, counts: PlatformCounts) -> None:
        data, original_checksum = piece.data, None
        if self.redactor is not None:
            data, original_checksum = self.redactor(data)
        raw_bytes: bytes | None = None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            raw_bytes = data
        parsed = piece.parsed
        if parsed is UNPARSED:
            parsed = None
            if raw_bytes is None:
                try:
                    parsed = json.loads(text)
                except (ValueError, RecursionError):
                    parsed = None
        platform = ctx.src.platform
        if self.options.filtered:
            when = platform.record_time(parsed, ctx.src.path) or ctx.mtime
            if not self.options.keeps(when, platform.record_session(parsed, ctx.src.path)):
                self.summary.records_filtered += 1
                return
        row = {
            "platform": platform.name,
            "source_uri": ctx.src.uri,
            "record_locator": piece.locator,
            "record_ordinal": piece.ordinal,
            "record_kind": piece.record_kind or ctx.fmt.record_kind,
            "raw_text": text,
            "raw_bytes": raw_bytes,
            "raw_checksum": hashlib.sha256(data).hexdigest(),
            "source_version": platform.source_version(parsed),
            "source_file_version": ctx.version,
            "source_mtime": ctx.mtime,
            "source_size": ctx.size,
            "extracted_at": self.summary.started_at,
            "run_id": self.summary.run_id,
            "extractor_version": self.summary.extractor_version,
            "original_checksum": original_checksum,
        }
        self.writer.add(row, len(data))
        counts.rows_landed += 1


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _opened_stat(f: BinaryIO, listed: os.stat_result) -> os.stat_result:
    """The file's size and mtime as opened: a file that grew since it was listed (a 0-byte file
    the assistant has just started writing) lands what it held when opened, not nothing; bytes
    written after that wait for the next run. ``listed`` when the handle cannot say."""
    try:
        return os.fstat(f.fileno())
    except (OSError, AttributeError, ValueError):  # not a real file (a test double)
        return listed


def run_extract(
    *,
    lake_uri: str,
    platforms: Sequence[str] | None = None,
    sources: Mapping[str, Sequence[Path]] | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    use_examples: bool = False,
    examples_dir: Path | None = None,
    show_progress: bool = False,
    notify: Callable[[str], None] = lambda message: None,
    max_rows: int | None = None,
    max_text_bytes: int = MAX_TEXT_BYTES,
    options: ExtractionOptions | None = None,
) -> RunSummary:
    """One extract run. Raises ``LakeError`` when the lake cannot be prepared at all.

    ``max_rows`` (default: ``options.batch_size``) is the most rows one flush writes, so the most
    rows of one Parquet file (and of its one row group).
    """
    options = options or ExtractionOptions()
    if max_rows is None:
        max_rows = options.batch_size
    stopwatch = Stopwatch()
    started_at = utc_now()
    names = list(platforms) if platforms else sorted(REGISTRY)
    sources = sources or {}
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    lake = Lake(lake_uri)
    summary = RunSummary(
        run_id=new_run_id(started_at),
        started_at=started_at,
        lake_uri=lake.uri,
        extractor_version=__version__,
        platforms={name: PlatformCounts() for name in names},
        options=options,
    )
    init_lake(lake, sorted(REGISTRY))
    states = load_states(lake)

    with stopwatch.stage("discover"):
        files = _discover(names, sources, env, home, use_examples, examples_dir, summary, notify)

    writer = BatchWriter(
        lake, summary, max_rows=max_rows, max_text_bytes=max_text_bytes, stopwatch=stopwatch
    )
    runner = Runner(summary, states, writer, options)
    lake_failed = False
    try:
        with progress_bar(len(files), show_progress) as bar:
            load_before = stopwatch.metrics.load_seconds
            with stopwatch.stage("extract"):
                for src in files:
                    runner.process(src)
                    bar.update(1)
            # the writer flushed while files were read: that time is the load stage's
            stopwatch.metrics.extract_seconds -= stopwatch.metrics.load_seconds - load_before
        writer.flush()
    except LakeError as exc:
        lake_failed = True
        summary.errors.append(RunError("-", lake.uri, str(exc)))
    summary.metrics = stopwatch.finish()
    summary.finish(utc_now(), lake_failed=lake_failed)
    try:
        lake.write_table(f"_runs/{summary.run_id}.parquet", summary.to_runs_table())
    except LakeError as exc:
        summary.errors.append(RunError("-", lake.uri, str(exc)))
        summary.status = "failed"
    return summary


def _discover(
    names: Sequence[str],
    sources: Mapping[str, Sequence[Path]],
    env: Mapping[str, str],
    home: Path,
    use_examples: bool,
    examples_dir: Path | None,
    summary: RunSummary,
    notify: Callable[[str], None],
) -> list[SourceFile]:
    """The source files of the run: each platform's ``--source`` paths, else its default roots
    (else, with ``use_examples`` and nothing found at all, the bundled examples)."""
    files: list[SourceFile] = []
    for name in names:
        platform: Platform = REGISTRY[name]
        explicit = name in sources
        roots = list(sources[name]) if explicit else platform.default_roots(env, home)
        found = discover_sources(platform, roots, explicit=explicit, errors=summary.errors)
        if not explicit:
            message = platform.describe_discovery(roots, [src.path for src in found])
            if message:
                notify(message)
        files.extend(found)
    if use_examples and not files:
        examples = EXAMPLES_DIR if examples_dir is None else examples_dir
        files.extend(_example_files(names, examples, summary, notify))
    return files


def _example_files(
    names: Sequence[str],
    examples_dir: Path,
    summary: RunSummary,
    notify: Callable[[str], None],
) -> list[SourceFile]:
    files: list[SourceFile] = []
    used: list[str] = []
    for name in names:
        root = REGISTRY[name].example_root(examples_dir)
        if root.exists():
            used.append(str(root))
            found = discover_sources(REGISTRY[name], [root], explicit=True, errors=summary.errors)
            files.extend(found)
    if used:
        notify(
            "No assistant logs found in the default locations; using the bundled example logs in "
            + ", ".join(used)
        )
    else:
        notify(f"No assistant logs found, and no bundled example logs under {examples_dir}.")
    summary.examples_used = used
    return files
