"""The run loop: discover -> decide new/grown/rewritten/unchanged -> split -> batch -> flush."""

from __future__ import annotations

import os
import secrets
from array import array
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from extract import __version__
from extract.discovery import SourceFile, discover_sources
from extract.lake import Lake, LakeError, init_lake
from extract.metrics import Stopwatch
from extract.options import DEFAULT_BATCH_SIZE, ExtractionOptions
from extract.platforms import REGISTRY, Platform
from extract.progress import FileOutcome, PlatformCounts, RunError, RunSummary, progress_bar
from extract.reading import (
    CHECKSUM_WIDTH,
    CHUNK_BYTES,
    CHUNK_ROWS,
    Event,
    ReadConfig,
    ReadTask,
    RowChunk,
    os_message,
    process_redactor,
    read_file,
)
from extract.schema import RAW_SCHEMA, TIMESTAMP
from extract.state import (
    STATE_DIR,
    FileState,
    StateKey,
    compact_states,
    load_states,
    states_table,
)

MAX_ROWS = DEFAULT_BATCH_SIZE
# A flush writes at most this much record text (and at most the batch size in rows): with
# ~2 KB records a row group holds ~8,000 rows, and the batch stays well inside the memory bound.
MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_TEXT_BYTES_LIMIT = 1 << 30  # a raw_text column's offsets are 32-bit
# With --workers N > 1, a run that reads less than this stays in this process (starting the
# worker processes would cost more than it saves).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
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


class _Columns:
    """One platform's rows of a batch, column by column, as buffers Arrow takes without a copy."""

    def __init__(self) -> None:
        self.rows = 0
        self.text = bytearray()
        self.text_offsets = array("i", [0])
        self.checksums = bytearray()
        self.raw_bytes: dict[int, bytes] = {}
        self.original_checksums: dict[int, str] = {}
        self.source_uri: list[str] = []
        self.locators: list[str] = []
        self.ordinals = array("q")
        self.kinds: list[str] = []
        self.versions: list[str | None] = []
        self.file_versions = array("i")
        self.mtimes = array("q")
        self.sizes = array("q")

    def add(self, task: ReadTask, chunk: RowChunk) -> None:
        n, base, start = chunk.count, len(self.text), self.rows
        if base + len(chunk.text) > MAX_TEXT_BYTES_LIMIT:
            raise LakeError(f"a record of {task.src.uri} is too large for one Parquet file")
        self.text += chunk.text
        self.text_offsets.extend(base + end for end in chunk.ends)
        self.checksums += chunk.checksums
        for row, data in chunk.raw_bytes.items():
            self.raw_bytes[start + row] = data
        for row, digest in chunk.original_checksums.items():
            self.original_checksums[start + row] = digest
        self.source_uri.extend([task.src.uri] * n)
        self.locators.extend(chunk.locators)
        self.ordinals.extend(chunk.ordinals)
        self.kinds.extend(chunk.kinds)
        self.versions.extend(chunk.versions)
        self.file_versions.extend(array("i", [chunk.source_file_version]) * n)
        self.mtimes.extend(array("q", [_micros(chunk.source_mtime or task.mtime)]) * n)
        self.sizes.extend(array("q", [chunk.source_size]) * n)
        self.rows += n

    def table(self, platform: str, summary: RunSummary) -> pa.Table:
        n = self.rows
        raw_bytes: list[bytes | None] = [None] * n
        for row, data in self.raw_bytes.items():
            raw_bytes[row] = data
        original_checksums: list[str | None] = [None] * n
        for row, digest in self.original_checksums.items():
            original_checksums[row] = digest
        checksum_offsets = array("i", range(0, CHECKSUM_WIDTH * (n + 1), CHECKSUM_WIDTH))
        columns = {
            "platform": pa.repeat(pa.scalar(platform, pa.string()), n),
            "source_uri": pa.array(self.source_uri, pa.string()),
            "record_locator": pa.array(self.locators, pa.string()),
            "record_ordinal": _fixed(pa.int64(), n, self.ordinals),
            "record_kind": pa.array(self.kinds, pa.string()),
            "raw_text": _strings(n, self.text_offsets, self.text),
            "raw_bytes": pa.array(raw_bytes, pa.binary()),
            "raw_checksum": _strings(n, checksum_offsets, self.checksums),
            "source_version": pa.array(self.versions, pa.string()),
            "source_file_version": _fixed(pa.int32(), n, self.file_versions),
            "source_mtime": _fixed(TIMESTAMP, n, self.mtimes),
            "source_size": _fixed(pa.int64(), n, self.sizes),
            "extracted_at": pa.repeat(pa.scalar(summary.started_at, TIMESTAMP), n),
            "run_id": pa.repeat(pa.scalar(summary.run_id, pa.string()), n),
            "extractor_version": pa.repeat(pa.scalar(summary.extractor_version, pa.string()), n),
            "original_checksum": pa.array(original_checksums, pa.string()),
        }
        return pa.Table.from_arrays([columns[name] for name in RAW_SCHEMA.names], schema=RAW_SCHEMA)


def _micros(when: datetime) -> int:
    return (when - EPOCH) // timedelta(microseconds=1)


def _fixed(type_: pa.DataType, n: int, values: array) -> pa.Array:
    return pa.Array.from_buffers(type_, n, [None, pa.py_buffer(values)])


def _strings(n: int, offsets: array, data: bytearray) -> pa.Array:
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


class BatchWriter:
    """Accumulates raw rows and state rows; each flush writes raw files, then the state file.

    A flush happens when the batch reaches ``max_rows`` rows or ``max_text_bytes`` bytes of
    text, and before a chunk that would take it past either: so a flush always ends at a chunk's
    end, where that file's checkpoint (``checkpoints``) covers exactly the rows written.
    """

    def __init__(
        self,
        lake: Lake,
        summary: RunSummary,
        *,
        max_rows: int = MAX_ROWS,
        max_text_bytes: int = MAX_TEXT_BYTES,
        stopwatch: Stopwatch | None = None,
    ) -> None:
        if max_text_bytes > MAX_TEXT_BYTES_LIMIT:
            raise ValueError(f"max_text_bytes is at most {MAX_TEXT_BYTES_LIMIT:,}")
        self.lake = lake
        self.summary = summary
        self.max_rows = max_rows
        self.max_text_bytes = max_text_bytes
        self.stopwatch = stopwatch or Stopwatch()
        self.seq = 0
        self.pending_states: list[FileState] = []  # files done: their final states
        self.checkpoints: dict[int, FileState] = {}  # files being read: their latest checkpoint
        self._reset()

    def _reset(self) -> None:
        self.batches: dict[str, _Columns] = {}
        self.rows = 0
        self.text_bytes = 0

    @property
    def full(self) -> bool:
        return self.rows >= self.max_rows or self.text_bytes >= self.max_text_bytes

    def add_chunk(self, task: ReadTask, chunk: RowChunk, *, keep_state: bool = True) -> None:
        """Add one chunk of a file's rows (and its checkpoint), flushing as the limits say."""
        if self.rows and (
            self.rows + chunk.count > self.max_rows
            or self.text_bytes + len(chunk.text) > self.max_text_bytes
        ):
            self.flush()
        batch = self.batches.get(task.src.platform.name)
        if batch is None:
            batch = self.batches[task.src.platform.name] = _Columns()
        batch.add(task, chunk)
        self.rows += chunk.count
        self.text_bytes += len(chunk.text)
        if chunk.checkpoint is not None and keep_state:
            self.checkpoints[task.index] = chunk.checkpoint
        if self.full:
            self.flush()

    def file_done(self, index: int, state: FileState | None) -> None:
        """A file's last rows are added: its final state replaces its checkpoint."""
        self.checkpoints.pop(index, None)
        if state is not None:
            self.pending_states.append(state)

    def flush(self, in_progress: FileState | None = None) -> None:
        states = [*self.pending_states, *self.checkpoints.values()]
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
        date = self.summary.started_at.strftime("%Y-%m-%d")
        for platform in sorted(self.batches):
            table = self.batches.pop(platform).table(platform, self.summary)
            rel = f"raw/platform={platform}/date={date}/{name}"
            self.summary.raw_files.append(self._write(rel, table))
            del table
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
        self.checkpoints.clear()
        self._reset()


class Runner:
    """Decides what each source file needs and feeds what is read into a BatchWriter.

    Files are read by ``reading.read_file``: one by one in this process (``process``), or by
    worker processes (``process_parallel``). Options (extract/options.py): ``full`` reads every
    file whole, whatever its state says (a file whose landed bytes are unchanged keeps its
    ``source_file_version``); a filter (``since``/``until``/``sessions``) skips the records it
    excludes and then writes no state at all, so that nothing it skipped is ever taken for landed.
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
        self.config = ReadConfig(
            options=self.options,
            chunk_rows=min(writer.max_rows, CHUNK_ROWS),
            chunk_bytes=min(writer.max_text_bytes, CHUNK_BYTES),
        )
        self._tasks: dict[int, ReadTask] = {}
        self.worker_cpu_seconds = 0.0  # what reader processes spent (not in this process's)
        if self.options.redact:  # --redact: the patterns must load before any file is read
            process_redactor()

    def fail(self, platform: str, file: str, message: str) -> None:
        self.summary.errors.append(RunError(platform, file, message))

    def process(self, src: SourceFile) -> None:
        """Read one file here, in this process."""
        task = self._prepare(src)
        if task is not None:
            for event in read_file(task, self.config, opener=_open_source):
                self._handle(event)

    def _count(
        self, src: SourceFile, category: str, landed: int = 0, nbytes: int = 0, failures: int = 0
    ) -> None:
        counts = self.summary.platforms[src.platform.name]
        counts.files_seen += 1
        setattr(counts, category, getattr(counts, category) + 1)
        if category != "unchanged" or failures or landed:  # every file it read, not skipped
            self.summary.files.append(
                FileOutcome(src.platform.name, src.uri, category, landed, nbytes, failures)
            )

    def _prepare(self, src: SourceFile) -> ReadTask | None:
        """The file's read task; None when it need not be read (unchanged, or failed here)."""
        platform = src.platform
        fmt = platform.format_of(src.location)
        if fmt is None:
            self.fail(platform.name, src.uri, f"not a {platform.name} source file")
            self._count(src, "failed", failures=1)
            return None
        try:
            st = os.stat(src.uri)
        except OSError as exc:
            self.fail(platform.name, src.uri, os_message(exc))
            self._count(src, "failed", failures=1)
            return None
        prev = self.states.get((platform.name, src.uri))
        mtime = mtime_of(st)
        if (
            not self.options.full
            and prev is not None
            and prev.source_size == st.st_size
            and prev.source_mtime == mtime
        ):
            self._count(src, "unchanged")
            return None
        task = ReadTask(len(self._tasks), src, fmt, st.st_size, mtime, prev)
        self._tasks[task.index] = task
        return task

    def _handle(self, event: Event) -> bool:
        """Take one event of a file; True when it was the file's last."""
        task = self._tasks[event.index]
        if isinstance(event, RowChunk):
            self.writer.add_chunk(task, event, keep_state=self.keep_state)
            return False
        counts = self.summary.platforms[task.src.platform.name]
        counts.rows_landed += event.rows_landed
        counts.bytes_read += event.bytes_read
        self.summary.records_filtered += event.records_filtered
        self.summary.errors.extend(event.errors)
        self.worker_cpu_seconds += event.cpu_seconds
        state = self.writer.checkpoints.get(task.index) if event.lost else event.state
        self.writer.file_done(task.index, state if self.keep_state else None)
        self._count(
            task.src, event.category, event.rows_landed, event.bytes_read, len(event.errors)
        )
        del self._tasks[task.index]
        return True

    def process_parallel(self, files: Sequence[SourceFile], workers: int, bar: Any) -> None:
        """Read the files in up to ``workers`` processes (here, when the run reads too little
        to make processes worth starting). One file is one worker's (a single big file is
        still read beside the writing here). Raw rows and states are written here, in the
        order the events arrive, so every state still follows the rows it covers."""
        tasks = []
        for src in files:
            task = self._prepare(src)
            if task is None:
                bar.update(1)
            else:
                tasks.append(task)
        workers = min(workers, len(tasks))
        if not tasks or sum(t.size for t in tasks) < PARALLEL_MIN_BYTES:
            self.summary.workers = 1
            for task in tasks:
                for event in read_file(task, self.config, opener=_open_source):
                    self._handle(event)
                bar.update(1)
            return
        self.summary.workers = workers
        from extract.pool import ReaderPool  # multiprocessing: only for a run that reads enough

        with ReaderPool(workers, self.config) as pool:
            # the largest first: a big file read last would leave the other workers idle
            for event in pool.events(sorted(tasks, key=lambda t: t.size, reverse=True)):
                if self._handle(event):
                    bar.update(1)


def _open_source(path: Path) -> BinaryIO:
    return open_source(path)  # looked up at each call: tests replace ``open_source``


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
    workers: int = 1,
) -> RunSummary:
    """One extract run. Raises ``LakeError`` when the lake cannot be prepared at all.

    ``max_rows`` (default: ``options.batch_size``) is the most rows one flush writes, so the most
    rows of one Parquet file (and of its one row group). ``workers`` > 1 reads the files in that
    many processes (``extract/pool.py``); 1 reads them one by one in this process. The worker
    processes import the caller's ``__main__`` module, as multiprocessing does: a script that
    calls this with ``workers`` > 1 runs its code under ``if __name__ == "__main__":``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
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
                if workers > 1:
                    runner.process_parallel(files, workers, bar)
                else:
                    for src in files:
                        runner.process(src)
                        bar.update(1)
            # the writer flushed while files were read: that time is the load stage's
            stopwatch.metrics.extract_seconds -= stopwatch.metrics.load_seconds - load_before
        writer.flush()
    except LakeError as exc:
        lake_failed = True
        summary.errors.append(RunError("-", lake.uri, str(exc)))
    if not lake_failed:
        try:
            with stopwatch.stage("load"):
                compact_states(lake, summary.run_id)
        except LakeError as exc:  # the state files stay as they were: still whole, only many
            summary.errors.append(RunError("-", lake.uri, str(exc)))
    summary.metrics = stopwatch.finish()
    summary.metrics.cpu_seconds += runner.worker_cpu_seconds
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
