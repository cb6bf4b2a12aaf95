"""Incremental state: one row per source file per flush under ``<lake>/_state/files/``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from extract.lake import Lake

# pyarrow is imported where it is used: the reader processes (extract/reading.py) import this
# module for FileState and stay small without it.

STATE_DIR = "_state/files"

StateKey = tuple[str, str]


@dataclass
class FileState:
    platform: str
    source_uri: str
    source_file_version: int
    source_size: int
    source_mtime: datetime
    consumed_bytes: int
    consumed_sha256: str
    lines_consumed: int
    open_line: bool
    records_landed: int
    run_id: str = ""
    seq: int = 0
    written_at: datetime | None = None

    @property
    def key(self) -> StateKey:
        return (self.platform, self.source_uri)


# FileState's fields in order: a state table's columns of these names, read positionally
_FIELDS = tuple(f.name for f in fields(FileState))

# Every flush of a run writes a state file (a first run over a large history, dozens), and every
# later run with anything new at least one. More than this many are rewritten as one at the end of
# a run (compact_states), so that reading the state, which every run does first, stays one file.
COMPACT_AFTER_FILES = 16


def load_states(lake: Lake) -> dict[StateKey, FileState]:
    """Read every state file; the latest row per (platform, source_uri) wins."""
    return _latest(lake, lake.list_parquet(STATE_DIR))


def compact_states(lake: Lake, run_id: str) -> int:
    """Past COMPACT_AFTER_FILES state files, write the latest state of every file as one state
    file, then delete the files it replaces; returns how many it deleted. Each row keeps its run,
    sequence number and time, so load_states picks the same rows from the new file as from the
    old ones: a crash between the write and the deletes leaves copies, never a lost state."""
    paths = lake.list_parquet(STATE_DIR)
    if len(paths) <= COMPACT_AFTER_FILES:
        return 0
    latest = latest_states_table(lake.read_tables(paths))
    dest = lake.write_table(f"{STATE_DIR}/{run_id}-compacted.parquet", latest)
    del latest
    removed = 0
    for path in paths:
        if path != dest:
            lake.remove(path)
            removed += 1
    return removed


def latest_states_table(tables: list[pa.Table]) -> pa.Table:
    """The rows ``load_states`` would pick from state tables read in this order (the latest
    per (platform, source_uri) by written_at, run_id, seq; of equals, the last read), chosen in
    Arrow: memory is a few copies of the state rows' columns, not a Python object per value
    (what compacting the state of a first run over many files would otherwise cost)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from extract.schema import STATE_SCHEMA

    names = STATE_SCHEMA.names
    table = pa.concat_tables(
        [pa.Table.from_arrays([t.column(n) for n in names], schema=STATE_SCHEMA) for t in tables]
    )
    if table.num_rows == 0:
        return table
    # a stable sort (rows of equal keys keep the order they were read in): each file's rows
    # together, its latest last
    keys = ["platform", "source_uri", "written_at", "run_id", "seq"]
    table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))
    platform = table.column("platform").combine_chunks()
    uri = table.column("source_uri").combine_chunks()
    n = table.num_rows
    last = pc.or_(
        pc.not_equal(platform.slice(0, n - 1), platform.slice(1)),
        pc.not_equal(uri.slice(0, n - 1), uri.slice(1)),
    )
    return table.filter(pa.concat_arrays([last, pa.array([True])]))


def _latest(lake: Lake, paths: list[str]) -> dict[StateKey, FileState]:
    rows: list[FileState] = []
    for table in lake.read_tables(paths):
        # column by column, the timestamps from their integers: pyarrow's own conversion of
        # time-zoned timestamps to Python was most of the time it took to read the state
        columns = [_pylist(table.column(name)) for name in _FIELDS]
        rows.extend(FileState(*values) for values in zip(*columns, strict=True))
    return _pick_latest(rows)


def _pick_latest(rows: list[FileState]) -> dict[StateKey, FileState]:
    """The latest state per (platform, source_uri) by (written_at, run_id, seq); of equals, the
    last in ``rows``: what a stable sort by that order, then keeping each key's last row, picks,
    in one pass (no sort of every row)."""
    latest: dict[StateKey, FileState] = {}
    for state in rows:
        key = (state.platform, state.source_uri)
        prev = latest.get(key)
        if prev is None or _order(prev) <= _order(state):
            latest[key] = state
    return latest


def _order(state: FileState) -> tuple[datetime | None, str, int]:
    return (state.written_at, state.run_id, state.seq)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _pylist(column: pa.ChunkedArray) -> list:
    """A column's values as Python objects; timestamps as UTC datetimes."""
    import pyarrow as pa

    if pa.types.is_timestamp(column.type):
        return _utc_datetimes(column)
    return column.to_pylist()


def _utc_datetimes(column: pa.ChunkedArray) -> list[datetime | None]:
    """A timestamp column as UTC datetimes: what to_pylist gives, several times faster. A column
    of microseconds is read as its integers (a view: no cast, so no pyarrow.compute import)."""
    import pyarrow as pa

    if column.type.unit == "us":
        micros = [v for chunk in column.chunks for v in chunk.view(pa.int64()).to_pylist()]
    else:
        micros = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_pylist()
    return [None if v is None else _EPOCH + timedelta(microseconds=v) for v in micros]


def states_table(states: list[FileState]) -> pa.Table:
    import pyarrow as pa

    from extract.schema import STATE_SCHEMA

    # column by column: dataclasses.asdict deep-copies every value (most of a flush's time)
    return pa.Table.from_pydict(
        {name: [getattr(s, name) for s in states] for name in STATE_SCHEMA.names},
        schema=STATE_SCHEMA,
    )
