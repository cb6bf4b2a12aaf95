"""Incremental state: one row per source file per flush under ``<lake>/_state/files/``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


def load_states(lake: Lake) -> dict[StateKey, FileState]:
    """Read every state file; the latest row per (platform, source_uri) wins."""
    from extract.schema import STATE_SCHEMA

    tables = lake.read_tables(lake.list_parquet(STATE_DIR))
    rows: list[dict] = []
    for table in tables:
        rows.extend(table.select(STATE_SCHEMA.names).to_pylist())
    rows.sort(key=lambda r: (r["written_at"], r["run_id"], r["seq"]))
    latest: dict[StateKey, FileState] = {}
    for row in rows:
        state = FileState(**row)
        latest[state.key] = state
    return latest


def states_table(states: list[FileState]) -> pa.Table:
    import pyarrow as pa

    from extract.schema import STATE_SCHEMA

    # column by column: dataclasses.asdict deep-copies every value (most of a flush's time)
    return pa.Table.from_pydict(
        {name: [getattr(s, name) for s in states] for name in STATE_SCHEMA.names},
        schema=STATE_SCHEMA,
    )
