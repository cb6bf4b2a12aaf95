"""`extract run --since/--until/--session/--full/--batch-size` on fixtures with known dates and
sessions, and the rule that a filtered run never marks the records it skipped as landed."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract.lake import Lake
from extract.options import ExtractionOptions, parse_bound
from extract.platforms import REGISTRY
from extract.runner import run_extract
from extract.state import load_states

from .conftest import REPO_ROOT, cc_line, rows

EXAMPLES = REPO_ROOT / "examples"
UTC = timezone.utc
DAY1, DAY2, DAY3 = "2026-03-01", "2026-03-02", "2026-03-03"


def line(n: int, day: str, session: str = "s-1", **extra: object) -> bytes:
    return cc_line(n, timestamp=f"{day}T10:{n:02d}:00.000Z", sessionId=session, **extra) + b"\n"


def three_days(path: Path) -> Path:
    """Six lines: two per day, sessions s-1 (days 1, 2) and s-2 (day 3); plus a summary line
    without time or session (goes by the file's mtime and name)."""
    path.write_bytes(
        line(1, DAY1)
        + line(2, DAY1)
        + line(3, DAY2)
        + line(4, DAY2)
        + line(5, DAY3, "s-2")
        + line(6, DAY3, "s-2")
        + b'{"type":"summary","summary":"Three days","leafUuid":"u6"}\n'
    )
    set_mtime(path, "2026-03-05T12:00:00")
    return path


def set_mtime(path: Path, when: str) -> None:
    ts = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()
    os.utime(path, (ts, ts))


def land(lake: Path, src: Path, platform: str = "claude_code", **options: object):
    return run_extract(
        lake_uri=str(lake),
        sources={platform: [src]},
        platforms=[platform],
        options=ExtractionOptions(**options),  # type: ignore[arg-type]
    )


def landed_lines(lake: Path) -> list[int]:
    return sorted(r["record_ordinal"] for r in rows(lake))


def state_files(lake: Path) -> list[Path]:
    return sorted((lake / "_state" / "files").glob("*.parquet"))


# ------------------------------------------------------------------------------------------------
# parsing the bounds
# ------------------------------------------------------------------------------------------------


def test_parse_bound() -> None:
    assert parse_bound("2026-03-02") == datetime(2026, 3, 2, tzinfo=UTC)
    # a plain date as --until includes that whole day
    assert parse_bound("2026-03-02", end=True) == datetime(2026, 3, 3, tzinfo=UTC)
    assert parse_bound("2026-03-02T10:30") == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert parse_bound("2026-03-02T10:30:00+02:00") == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert parse_bound("2026-03-02T10:30:00Z", end=True) == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        parse_bound("yesterday")


def test_options_validate() -> None:
    with pytest.raises(ValueError, match="not before"):
        ExtractionOptions(since=parse_bound(DAY2), until=parse_bound(DAY1, end=True))
    with pytest.raises(ValueError, match="at least 1"):
        ExtractionOptions(batch_size=0)
    assert not ExtractionOptions(full=True).filtered
    assert ExtractionOptions(sessions=frozenset({"x"})).filtered


# ------------------------------------------------------------------------------------------------
# --since / --until / --session
# ------------------------------------------------------------------------------------------------


def test_since_until_by_record_time(tmp_path: Path) -> None:
    src = three_days(tmp_path / "s-1.jsonl")
    summary = land(
        tmp_path / "lake", src, since=parse_bound(DAY2), until=parse_bound(DAY2, end=True)
    )
    assert landed_lines(tmp_path / "lake") == [3, 4]
    assert summary.records_filtered == 5
    assert summary.totals.rows_landed == 2


def test_record_without_time_goes_by_file_mtime(tmp_path: Path) -> None:
    src = three_days(tmp_path / "s-1.jsonl")  # mtime 2026-03-05: only the summary line
    land(tmp_path / "lake", src, since=parse_bound("2026-03-04"))
    assert landed_lines(tmp_path / "lake") == [7]
    set_mtime(src, "2026-03-01T23:00:00")
    land(tmp_path / "lake2", src, until=parse_bound(DAY1, end=True))
    assert landed_lines(tmp_path / "lake2") == [1, 2, 7]


def test_session_filter_is_repeatable(tmp_path: Path) -> None:
    src = three_days(tmp_path / "s-1.jsonl")
    land(tmp_path / "a", src, sessions=frozenset({"s-2"}))
    assert landed_lines(tmp_path / "a") == [5, 6]
    # the summary line names no session: the file's name (s-1) is its session
    land(tmp_path / "b", src, sessions=frozenset({"s-1", "s-2"}))
    assert landed_lines(tmp_path / "b") == [1, 2, 3, 4, 5, 6, 7]
    land(tmp_path / "c", src, sessions=frozenset({"s-2"}), since=parse_bound(DAY3))
    assert landed_lines(tmp_path / "c") == [5, 6]


def test_cli_options(tmp_path: Path, run_json, invoke) -> None:
    src = three_days(tmp_path / "s-1.jsonl")
    summary = run_json(
        "--source", f"claude_code={src}", "--since", DAY3, "--session", "s-2", "--session", "x"
    )
    assert summary["totals"]["rows_landed"] == 2
    assert summary["records_filtered"] == 5
    assert summary["options"] == {
        "since": "2026-03-03T00:00:00+00:00",
        "until": None,
        "sessions": ["s-2", "x"],
        "full": False,
        "batch_size": 50_000,
        "redact": False,
    }
    run = pq.read_table(tmp_path / "lake" / "_runs" / f"{summary['run_id']}.parquet").to_pylist()
    assert json.loads(run[0]["options_json"])["sessions"] == ["s-2", "x"]
    assert run[0]["records_filtered"] == 5
    bad = invoke("run", "--since", "last week")
    assert bad.exit_code == 2 and "not a date" in bad.output
    bad = invoke("run", "--since", DAY3, "--until", DAY1)
    assert bad.exit_code == 2 and "not before" in bad.output
    bad = invoke("run", "--batch-size", "0")
    assert bad.exit_code == 2


# ------------------------------------------------------------------------------------------------
# filtering never loses data
# ------------------------------------------------------------------------------------------------


def test_filtered_run_writes_no_state_and_a_later_run_lands_the_rest(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    src = three_days(tmp_path / "s-1.jsonl")
    land(lake, src, sessions=frozenset({"s-2"}))
    assert landed_lines(lake) == [5, 6]
    assert state_files(lake) == []  # nothing marked as consumed
    assert load_states(Lake(str(lake))) == {}
    plain = land(lake, src)
    assert plain.totals.new == 1 and plain.totals.rows_landed == 7
    # every line is in the lake now; 5 and 6 twice (the same bytes: folded by dbt's level 1)
    assert landed_lines(lake) == [1, 2, 3, 4, 5, 5, 6, 6, 7]
    by_line = {}
    for r in rows(lake):
        by_line.setdefault(r["record_ordinal"], set()).add(
            (r["raw_checksum"], r["source_file_version"], r["record_locator"])
        )
    assert all(len(v) == 1 for v in by_line.values())
    assert land(lake, src).totals.unchanged == 1


def test_filtered_run_on_a_grown_file_keeps_the_old_state(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    src = tmp_path / "s-1.jsonl"
    src.write_bytes(line(1, DAY1) + line(2, DAY1))
    land(lake, src)
    before = load_states(Lake(str(lake)))
    with src.open("ab") as f:
        f.write(line(3, DAY2) + line(4, DAY3))
    filtered = land(lake, src, since=parse_bound(DAY3))
    assert filtered.totals.grown == 1 and filtered.totals.rows_landed == 1
    assert load_states(Lake(str(lake))) == before
    plain = land(lake, src)
    assert plain.totals.grown == 1 and plain.totals.rows_landed == 2
    assert landed_lines(lake) == [1, 2, 3, 4, 4]


def test_filtered_batches_flush_without_state(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    src = three_days(tmp_path / "s-1.jsonl")
    summary = run_extract(
        lake_uri=str(lake),
        sources={"claude_code": [src]},
        platforms=["claude_code"],
        options=ExtractionOptions(sessions=frozenset({"s-1"}), batch_size=2),
    )
    assert summary.totals.rows_landed == 5
    assert state_files(lake) == []
    assert landed_lines(lake) == [1, 2, 3, 4, 7]


# ------------------------------------------------------------------------------------------------
# --full
# ------------------------------------------------------------------------------------------------


def test_full_lands_everything_again_with_the_same_versions(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    src = three_days(tmp_path / "s-1.jsonl")
    land(lake, src)
    assert land(lake, src).totals.rows_landed == 0
    again = land(lake, src, full=True)
    assert again.totals.rows_landed == 7 and again.totals.unchanged == 1
    landed = rows(lake)
    assert len(landed) == 14
    assert {r["source_file_version"] for r in landed} == {1}
    assert len({(r["record_locator"], r["raw_checksum"]) for r in landed}) == 7
    assert land(lake, src).totals.rows_landed == 0  # the state written by --full holds


def test_full_on_a_grown_file_and_a_json_document(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    src = tmp_path / "s-1.jsonl"
    src.write_bytes(line(1, DAY1))
    land(lake, src)
    with src.open("ab") as f:
        f.write(line(2, DAY2))
    full = land(lake, src, full=True)
    assert (full.totals.grown, full.totals.rows_landed) == (1, 2)
    assert landed_lines(lake) == [1, 1, 2]
    assert land(lake, src).totals.unchanged == 1

    export = EXAMPLES / "chatgpt" / "conversations.json"
    land(tmp_path / "g", export, "chatgpt")
    again = land(tmp_path / "g", export, "chatgpt", full=True)
    assert (again.totals.unchanged, again.totals.rows_landed) == (1, 4)
    assert {r["source_file_version"] for r in rows(tmp_path / "g")} == {1}


def test_full_backfill_of_a_past_period(tmp_path: Path, run_json) -> None:
    """The documented backfill: --full --since --until re-reads everything, lands that period."""
    lake = tmp_path / "lake"
    src = three_days(tmp_path / "s-1.jsonl")
    run_json("--source", f"claude_code={src}")
    summary = run_json("--source", f"claude_code={src}", "--full", "--since", DAY1, "--until", DAY2)
    assert summary["totals"]["rows_landed"] == 4
    assert landed_lines(lake) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7]


# ------------------------------------------------------------------------------------------------
# --batch-size
# ------------------------------------------------------------------------------------------------


def test_batch_size_bounds_rows_per_file_and_row_group(tmp_path: Path, run_json) -> None:
    src = three_days(tmp_path / "s-1.jsonl")
    run_json("--source", f"claude_code={src}", "--batch-size", "3")
    files = sorted((tmp_path / "lake" / "raw").rglob("*.parquet"))
    sizes = [pq.ParquetFile(f).metadata for f in files if f.name != "_empty.parquet"]
    assert sorted(m.num_rows for m in sizes) == [1, 3, 3]
    assert all(m.num_row_groups == 1 for m in sizes)


# ------------------------------------------------------------------------------------------------
# each platform's record time and session, on the bundled examples
# ------------------------------------------------------------------------------------------------


def _json_len(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8")))


CLINE_TASKS = EXAMPLES / "cline" / "Code" / "User" / "globalStorage" / "saoudrizwan.claude-dev"
ROO_TASKS = EXAMPLES / "roo_code" / "Code" / "User" / "globalStorage" / "rooveterinaryinc.roo-cline"
T1 = CLINE_TASKS / "tasks" / "1772460312118"
R1 = ROO_TASKS / "tasks" / "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b"

SESSIONS = [
    # platform, session, expected records
    ("claude_code", "2120fc8c-cee5-4fe9-8cc6-5817272b53a4", 26),  # file A, all its lines
    ("chatgpt", "d8d1f509-7186-55a6-b8af-edeec4ecf922", 1),
    # the session file, its index entry, its 4 chatInteraction lines
    ("continue", "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", 6),
    ("copilot_chat", "7c9e4b2a-1d3f-4e5a-8b6c-0d1e2f3a4b5c", 1),
    (
        "cline",
        "1772460312118",
        _json_len(T1 / "ui_messages.json") + _json_len(T1 / "api_conversation_history.json") + 2,
    ),
    ("cline", "1773149042214_k7q2x", 1 + 4 + 1),  # session, 4 messages, the messages document
    (
        "roo_code",
        "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b",
        _json_len(R1 / "ui_messages.json") + _json_len(R1 / "api_conversation_history.json") + 2,
    ),
    ("openai_api", "support-4821", 2),
    ("openai_api", "ticket-101", 2),  # its Batch input and output lines
]


@pytest.mark.parametrize(("platform", "session", "expected"), SESSIONS)
def test_session_per_platform(tmp_path: Path, platform: str, session: str, expected: int) -> None:
    root = REGISTRY[platform].example_root(EXAMPLES)
    summary = land(tmp_path / "lake", root, platform, sessions=frozenset({session}))
    assert summary.totals.rows_landed == expected
    assert summary.records_filtered > 0


TIMES = [
    # platform, since, until (a plain date: that whole day), expected records
    ("chatgpt", "2024-06-11", "2024-06-11", 1),  # update_time 1718090030.7
    ("claude_code", "2026-11-03", "2026-11-03", None),  # computed from the lines below
    # B: 5 tokensGenerated lines (one an autocomplete), 4 chatInteraction lines, its index entry
    ("continue", "2026-11-07", "2026-11-07", 5 + 4 + 1),
    ("openai_api", "2026-11-04", "2026-11-04", 4 + 1),  # gateway lines + Event Hub capture
]


def _claude_lines_on(day: str) -> int:
    count = 0
    for path in (EXAMPLES / "claude_code" / "projects").rglob("*.jsonl"):
        for raw in path.read_bytes().splitlines():
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if str(record.get("timestamp", "")).startswith(day):
                count += 1
    return count


@pytest.mark.parametrize(("platform", "since", "until", "expected"), TIMES)
def test_time_per_platform(
    tmp_path: Path, platform: str, since: str, until: str, expected: int | None
) -> None:
    root = REGISTRY[platform].example_root(EXAMPLES)
    summary = land(
        tmp_path / "lake",
        root,
        platform,
        since=parse_bound(since),
        until=parse_bound(until, end=True),
    )
    assert summary.totals.rows_landed == (expected or _claude_lines_on(since))
    assert summary.totals.rows_landed > 0 and summary.records_filtered > 0


def test_every_platform_documents_its_time_and_session() -> None:
    for platform in REGISTRY.values():
        assert platform.time_doc and platform.session_doc, platform.name
