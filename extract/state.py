"""Incremental state: one row per source file per flush under ``<lake>/_state/files/``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import pyarrow as pa

from extract.lake import Lake
from extract.schema import STATE_SCHEMA

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
    return pa.Table.from_pylist([asdict(s) for s in states], schema=STATE_SCHEMA)
