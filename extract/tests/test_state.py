"""Incremental state: compaction (in Arrow) keeps exactly the rows load_states picks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from extract import state
from extract.lake import Lake
from extract.state import STATE_DIR, FileState, compact_states, load_states, states_table

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _random_states(rng: random.Random, n: int) -> list[FileState]:
    """States of few files, with clashing times, runs and sequence numbers (ties to break)."""
    return [
        FileState(
            platform=rng.choice(["claude_code", "cline"]),
            source_uri=f"/logs/{rng.randrange(6)}.jsonl",
            source_file_version=rng.randrange(1, 4),
            source_size=rng.randrange(1000),
            source_mtime=T0 + timedelta(seconds=rng.randrange(5)),
            consumed_bytes=rng.randrange(1000),
            consumed_sha256=f"{rng.getrandbits(256):064x}",
            lines_consumed=rng.randrange(50),
            open_line=rng.random() < 0.5,
            records_landed=rng.randrange(50),
            run_id=rng.choice(["run-a", "run-b"]),
            seq=rng.randrange(3),
            written_at=T0 + timedelta(seconds=rng.randrange(3)),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(8))
def test_compaction_keeps_the_states_load_states_picks(tmp_path: Path, monkeypatch, seed) -> None:
    monkeypatch.setattr(state, "COMPACT_AFTER_FILES", 0)
    rng = random.Random(seed)
    lake = Lake(str(tmp_path / "lake"))
    for i in range(rng.randrange(1, 6)):
        states = _random_states(rng, rng.randrange(1, 12))
        lake.write_table(f"{STATE_DIR}/run-{i:03d}.parquet", states_table(states))
    before = load_states(lake)
    assert compact_states(lake, "run-z") >= 1
    assert [Path(p).name for p in lake.list_parquet(STATE_DIR)] == ["run-z-compacted.parquet"]
    after = load_states(lake)
    assert after == before
    assert len(lake.read_tables(lake.list_parquet(STATE_DIR))[0]) == len(before)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamps_read_as_utc_datetimes_in_any_unit(unit: str) -> None:
    """Microseconds are read as their integers, other units cast: the same datetimes as
    to_pylist, nulls included, across chunks."""
    import pyarrow as pa

    when = [T0, None, T0 + timedelta(days=400, seconds=7)]
    kind = pa.timestamp(unit, tz="UTC")
    column = pa.chunked_array([pa.array(when[:2], kind), pa.array(when[2:], kind)])
    assert state._utc_datetimes(column) == column.to_pylist() == when


def test_latest_state_breaks_ties_by_the_last_read() -> None:
    """Of rows equal in (written_at, run_id, seq) the last wins; a later one wins wherever it is."""
    a, b, c = _random_states(random.Random(1), 3)
    for s in (a, b, c):
        s.platform, s.source_uri, s.run_id, s.seq, s.written_at = "p", "/f", "r", 1, T0
    c.written_at = T0 + timedelta(seconds=1)
    assert state._pick_latest([a, b])[("p", "/f")] is b
    assert state._pick_latest([b, a])[("p", "/f")] is a
    assert state._pick_latest([c, a, b])[("p", "/f")] is c
