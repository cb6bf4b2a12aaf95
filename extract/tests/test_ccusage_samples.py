"""End to end over the real Claude Code samples, compared with ccusage 20.0.24 (daily and blocks).

The top-level ``*.jsonl`` files of ``../shared/samples/claude_code`` are copied to
``<cfg>/projects/samples/``; we run extract + dbt build over them and compare ``usage_daily``
(per day, in UTC and in America/New_York) and ``usage_blocks`` (the 5-hour billing blocks, gap
rows included) with ``ccusage claude daily|blocks --json --offline --timezone <tz>`` over the same
``<cfg>`` (``CLAUDE_CONFIG_DIR``, an empty ``HOME``, ``TZ=UTC``).

Which ccusage: the real one when it is installed (``make ccusage`` puts it in
``target/ccusage``; or ``CCUSAGE_BIN``, or ``ccusage`` on PATH, at version 20.0.24), else the
figures it printed, recorded in ``extract/tests/data/ccusage_samples.json``
(``python -m extract.tests.test_ccusage_samples record`` rewrites them from the real one). With
the real one, the recorded figures are checked against it too. CI sets REQUIRE_CCUSAGE=1: there a
missing ccusage is a failure, not a fallback.

Where we differ from ccusage, and why (ccusage 20.0.24, rust/adapters/claude/src/daily.rs,
``read_daily_usage_file``): before parsing, ccusage keeps only lines that contain the literal
bytes ``"usage":{``. Lines whose JSON has a space after the colon (``"usage": {``) are skipped,
so their tokens are missing from ccusage's figures even though they are ordinary assistant lines
with a usage. We count them. The tests compute, from our ``messages`` mart and the raw bytes of
each usage line, exactly what that prefilter drops, and require ``ours - ccusage`` to be exactly
that, on every day and in every block.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from extract.tests.test_end_to_end import CLAUDE_CODE, DBT, REPO_ROOT, Pipeline, _tail

SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "claude_code"
RECORDED = Path(__file__).parent / "data" / "ccusage_samples.json"
CCUSAGE_VERSION = "20.0.24"
# `make ccusage` installs the npm package here
LOCAL_CCUSAGE = REPO_ROOT / "target" / "ccusage" / "node_modules" / ".bin" / "ccusage"
TIMEZONES = ("UTC", "America/New_York")
BLOCK_HOURS = 5
# ccusage's byte prefilter: a line is read only if it holds these bytes.
USAGE_PREFILTER = b'"usage":{'
# The only day where the prefilter drops usage lines from the samples (the cclog_* files are
# written with ``"usage": {``); checked below so that a new sample with the same quirk is noticed.
PREFILTER_DAYS = {date(2025, 6, 14)}
DEAD_LETTER_REASONS = ("invalid JSON", "not a Claude Code line")
# ccusage sums float costs in its own order; ours are rounded to 9 decimals
COST_TOLERANCE = 1e-8

Tokens = tuple[int, int, int, int]  # input, output, cache write (cacheCreation), cache read
NO_TOKENS: Tokens = (0, 0, 0, 0)


def _sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.jsonl") if p.is_file())


def _copy_samples(config_dir: Path) -> Path:
    """``<config_dir>/projects/samples/*.jsonl``; returns ``<config_dir>/projects``."""
    projects = config_dir / "projects"
    (projects / "samples").mkdir(parents=True)
    for f in _sample_files():
        shutil.copy(f, projects / "samples" / f.name)
    return projects


# ------------------------------------------------------------------------------------------------
# ccusage: the real one, or its recorded figures
# ------------------------------------------------------------------------------------------------


def find_ccusage() -> Path | None:
    """The ccusage executable at CCUSAGE_VERSION: CCUSAGE_BIN, `make ccusage`'s, or on PATH."""
    candidates = [os.environ.get("CCUSAGE_BIN"), str(LOCAL_CCUSAGE), shutil.which("ccusage")]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        proc = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        if proc.returncode == 0 and proc.stdout.split()[-1:] == [CCUSAGE_VERSION]:
            return Path(candidate)
    return None


def run_ccusage(binary: Path, config_dir: Path, *args: str) -> dict[str, Any]:
    """``ccusage claude <args> --json --offline`` over ``config_dir`` only (no other agent logs)."""
    home = config_dir / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(config_dir),
        "TZ": "UTC",
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [str(binary), "claude", *args, "--json", "--offline"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"ccusage {args} failed ({proc.returncode}): {proc.stderr}"
    return json.loads(proc.stdout)


def _daily_row(day: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": day["date"],
        "inputTokens": int(day["inputTokens"]),
        "outputTokens": int(day["outputTokens"]),
        "cacheCreationTokens": int(day["cacheCreationTokens"]),
        "cacheReadTokens": int(day["cacheReadTokens"]),
        "totalCost": float(day["totalCost"]),
        "models": sorted(day.get("modelsUsed", day.get("models", []))),
    }


def _block_row(block: dict[str, Any]) -> dict[str, Any]:
    counts = block["tokenCounts"]
    return {
        "id": block["id"],
        "startTime": block["startTime"],
        "endTime": block["endTime"],
        "actualEndTime": block["actualEndTime"],
        "isGap": bool(block["isGap"]),
        "isActive": bool(block["isActive"]),
        "entries": int(block["entries"]),
        "inputTokens": int(counts["inputTokens"]),
        "outputTokens": int(counts["outputTokens"]),
        "cacheCreationTokens": int(counts["cacheCreationInputTokens"]),
        "cacheReadTokens": int(counts["cacheReadInputTokens"]),
        "costUSD": float(block["costUSD"]),
        "models": sorted(block["models"]),
    }


def live_reports(binary: Path, config_dir: Path) -> dict[str, Any]:
    """What the real ccusage says about the samples, in the recorded file's shape."""
    daily = {
        tz: [
            _daily_row(d)
            for d in run_ccusage(binary, config_dir, "daily", "--timezone", tz)["daily"]
        ]
        for tz in TIMEZONES
    }
    blocks = run_ccusage(binary, config_dir, "blocks", "--timezone", "UTC")["blocks"]
    return {"daily": daily, "blocks": [_block_row(b) for b in blocks]}


@dataclass(frozen=True)
class Ccusage:
    reports: dict[str, Any]
    live: bool

    def daily(self, tz: str) -> dict[date, dict[str, Any]]:
        return {date.fromisoformat(d["date"]): d for d in self.reports["daily"][tz]}

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self.reports["blocks"]


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SAMPLES.is_dir() or not _sample_files():
        pytest.skip(f"no Claude Code samples at {SAMPLES}")
    cfg = tmp_path_factory.mktemp("ccusage-config")
    _copy_samples(cfg)
    return cfg


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return json.loads(RECORDED.read_text())


@pytest.fixture(scope="module")
def ccusage(config_dir: Path, recorded: dict[str, Any]) -> Ccusage:
    binary = find_ccusage()
    if binary is None:
        if os.environ.get("REQUIRE_CCUSAGE") == "1":
            pytest.fail(
                f"REQUIRE_CCUSAGE=1 but no ccusage {CCUSAGE_VERSION} is installed (`make ccusage`)"
            )
        return Ccusage(reports=recorded, live=False)
    return Ccusage(reports=live_reports(binary, config_dir), live=True)


def test_recorded_figures_are_what_ccusage_prints(
    ccusage: Ccusage, recorded: dict[str, Any]
) -> None:
    """With the real ccusage installed, the recorded fallback figures must still be its output."""
    if not ccusage.live:
        pytest.skip(f"ccusage {CCUSAGE_VERSION} is not installed (`make ccusage`)")
    assert recorded["ccusage_version"] == CCUSAGE_VERSION
    for tz in TIMEZONES:
        _assert_same_rows(ccusage.reports["daily"][tz], recorded["daily"][tz], "totalCost")
    _assert_same_rows(ccusage.reports["blocks"], recorded["blocks"], "costUSD")


def _assert_same_rows(live: list[dict[str, Any]], kept: list[dict[str, Any]], cost: str) -> None:
    assert [{**r, cost: 0} for r in live] == [{**r, cost: 0} for r in kept]
    for a, b in zip(live, kept, strict=True):
        assert a[cost] == pytest.approx(b[cost], abs=COST_TOLERANCE), a


# ------------------------------------------------------------------------------------------------
# Our side: the pipeline over the samples, and usage_daily in another time zone
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_pipeline(config_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("ccusage")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb", platforms=CLAUDE_CODE)
    p.extract(config_dir / "projects")
    p.build()
    return p


def rebuilt_in_timezone(p: Pipeline, tz: str) -> Pipeline:
    """A copy of the warehouse whose usage_daily buckets days in ``tz`` (var reporting_timezone)."""
    if tz == "UTC":
        return p
    warehouse = p.work / f"w-{tz.replace('/', '-')}.duckdb"
    if not warehouse.exists():
        shutil.copy(p.warehouse, warehouse)
        env = {
            **os.environ,
            "LAKE_URI": str(p.lake),
            "WAREHOUSE_PATH": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        proc = subprocess.run(
            [
                DBT,
                "run",
                "--profiles-dir",
                ".",
                "--select",
                "usage_daily",
                "--vars",
                json.dumps({"reporting_timezone": tz}),
                "--target-path",
                str(p.work / "target-tz"),
                "--log-path",
                str(p.work / "logs-tz"),
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, f"dbt run failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return Pipeline(work=p.work, lake=p.lake, warehouse=warehouse)


@dataclass(frozen=True)
class UsageLine:
    timestamp: datetime
    model: str | None
    tokens: Tokens
    cost: float
    dropped: bool  # ccusage's prefilter skips its raw line


def _raw_line(source_uri: str, locator: str) -> bytes:
    assert locator.startswith("line:"), locator
    n = int(locator.removeprefix("line:"))
    lines = Path(source_uri).read_bytes().split(b"\n")
    return lines[n - 1]


def usage_lines(p: Pipeline) -> list[UsageLine]:
    """Our usage-bearing Claude Code messages, each flagged when ccusage's prefilter drops it."""
    rows = p.rows(
        """
        select "timestamp", model, source_uri, record_locator, copies_landed,
               coalesce(input_tokens, 0), coalesce(output_tokens, 0),
               coalesce(cache_write_tokens, 0), coalesce(cache_read_tokens, 0),
               coalesce(cost, 0)
        from main.messages
        where platform = 'claude_code'
          and (is_usage_line
               or input_tokens is not null or output_tokens is not null
               or cache_read_tokens is not null or cache_write_tokens is not null)
        order by "timestamp"
        """
    )
    assert rows, "no usage-bearing messages"
    lines = []
    for ts, model, source_uri, locator, copies, i, o, cw, cr, cost in rows:
        raw = _raw_line(source_uri, locator)
        assert raw.strip(), (source_uri, locator)
        dropped = USAGE_PREFILTER not in raw
        # A folded duplicate could have another copy that ccusage does read; none of the samples'
        # prefilter-dropped lines is one, so the single raw line decides.
        assert not dropped or copies == 1, (source_uri, locator, copies)
        lines.append(UsageLine(ts, model, (int(i), int(o), int(cw), int(cr)), float(cost), dropped))
    return lines


def _local_date(ts: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    return ts.astimezone(ZoneInfo(tz)).date()


def _add(a: Tokens, b: Tokens) -> Tokens:
    return tuple(x + y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _prefilter_dropped(p: Pipeline, tz: str = "UTC") -> dict[date, Tokens]:
    """Per local day, the tokens of our usage lines whose raw line lacks ``"usage":{``."""
    dropped: dict[date, Tokens] = defaultdict(lambda: NO_TOKENS)
    for line in usage_lines(p):
        if line.dropped:
            day = _local_date(line.timestamp, tz)
            dropped[day] = _add(dropped[day], line.tokens)
    return dict(dropped)


def _our_daily(p: Pipeline) -> dict[date, tuple[Tokens, float]]:
    rows = p.rows(
        """
        select usage_date, sum(input_tokens), sum(output_tokens), sum(cache_write_tokens),
               sum(cache_read_tokens), sum(cost)
        from main.usage_daily where platform = 'claude_code' group by usage_date
        """
    )
    # a day whose messages carry no tokens has null totals (null, not zero): 0 here for comparison
    return {
        r[0]: (tuple(int(v or 0) for v in r[1:5]), float(r[5] or 0))  # type: ignore[misc]
        for r in rows
    }


def _their_tokens(row: dict[str, Any]) -> Tokens:
    return (
        row["inputTokens"],
        row["outputTokens"],
        row["cacheCreationTokens"],
        row["cacheReadTokens"],
    )


# ------------------------------------------------------------------------------------------------
# usage_daily
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", TIMEZONES)
def test_usage_daily_matches_ccusage(samples_pipeline: Pipeline, ccusage: Ccusage, tz: str) -> None:
    p = rebuilt_in_timezone(samples_pipeline, tz)
    theirs = ccusage.daily(tz)
    ours = _our_daily(p)
    lines = usage_lines(p)
    dropped_days = {_local_date(line.timestamp, tz) for line in lines if line.dropped}
    # The prefilter only bites on the documented day, and does bite there.
    assert dropped_days == PREFILTER_DAYS

    for day, expected in sorted(theirs.items()):
        assert day in ours, f"ccusage reports {day}, we report nothing"
        day_lines = [line for line in lines if _local_date(line.timestamp, tz) == day]
        kept = [line for line in day_lines if not line.dropped]
        kept_tokens = NO_TOKENS
        for line in kept:
            kept_tokens = _add(kept_tokens, line.tokens)
        # ours = what ccusage reads + what its prefilter drops, to the token
        assert kept_tokens == _their_tokens(expected), (tz, day, kept_tokens, expected)
        all_tokens = NO_TOKENS
        for line in day_lines:
            all_tokens = _add(all_tokens, line.tokens)
        assert ours[day][0] == all_tokens, (tz, day, ours[day], all_tokens)
        kept_cost = sum(line.cost for line in kept)
        assert kept_cost == pytest.approx(expected["totalCost"], abs=COST_TOLERANCE), (tz, day)
        assert sorted({line.model for line in kept if line.model}) == expected["models"], day

    # Days ccusage does not report: we may list them (messages without usage), but with zero tokens.
    for day in sorted(set(ours) - set(theirs)):
        assert ours[day][0] == NO_TOKENS, (tz, day, ours[day])


def test_prefilter_day_figures(samples_pipeline: Pipeline, ccusage: Ccusage) -> None:
    """2025-06-14 spelled out: ours = ccusage + the ``"usage": {`` lines of the cclog files."""
    day = date(2025, 6, 14)
    theirs = _their_tokens(ccusage.daily("UTC")[day])
    ours = _our_daily(samples_pipeline)[day][0]
    dropped = _prefilter_dropped(samples_pipeline)[day]
    assert theirs == (883, 328, 0, 0)
    assert dropped == (558, 830, 0, 0)
    assert ours == (883 + 558, 328 + 830, 0, 0)


def test_usage_daily_moves_days_with_the_time_zone(samples_pipeline: Pipeline) -> None:
    """The samples' 2025-09-03 00:47 UTC session is on 2025-09-02 in New York (ccusage too)."""
    new_york = _our_daily(rebuilt_in_timezone(samples_pipeline, "America/New_York"))
    utc = _our_daily(samples_pipeline)
    assert date(2025, 9, 3) in utc and date(2025, 9, 3) not in new_york
    assert new_york[date(2025, 9, 2)][0] == utc[date(2025, 9, 3)][0]


# ------------------------------------------------------------------------------------------------
# usage_blocks
# ------------------------------------------------------------------------------------------------


def _iso(ts: datetime | None) -> str | None:
    """ccusage's timestamp format: RFC 3339 in UTC with milliseconds."""
    if ts is None:
        return None
    return (
        ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{ts.microsecond // 1000:03d}Z"
    )


def _our_blocks(p: Pipeline) -> list[dict[str, Any]]:
    rows = p.rows(
        """
        select block_start, block_end, is_gap, is_active, first_activity_at, last_activity_at,
               api_responses, models_used, coalesce(input_tokens, 0), coalesce(output_tokens, 0),
               coalesce(cache_write_tokens, 0), coalesce(cache_read_tokens, 0), coalesce(cost, 0)
        from main.usage_blocks where platform = 'claude_code'
        order by block_start, is_gap
        """
    )
    keys = [
        "block_start",
        "block_end",
        "is_gap",
        "is_active",
        "first_activity_at",
        "last_activity_at",
        "api_responses",
        "models_used",
        "input",
        "output",
        "cache_write",
        "cache_read",
        "cost",
    ]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def expected_ccusage_blocks(p: Pipeline) -> list[dict[str, Any]]:
    """Our usage_blocks as ccusage would print them: each block without the prefilter-dropped lines.

    The lines of a block are those from its first response up to the next block's first response.
    Dropping lines must not move a block (the test fails if it would: ccusage's own blocks would
    then start elsewhere); it only lowers the block's figures and, when its last response goes,
    moves its actualEndTime and the start of the gap after it.
    """
    blocks = [b for b in _our_blocks(p) if not b["is_gap"]]
    gaps = {b["block_end"]: b for b in _our_blocks(p) if b["is_gap"]}
    lines = usage_lines(p)
    out: list[dict[str, Any]] = []
    previous_last: datetime | None = None
    for i, block in enumerate(blocks):
        until = blocks[i + 1]["first_activity_at"] if i + 1 < len(blocks) else None
        mine = [
            line
            for line in lines
            if line.timestamp >= block["first_activity_at"]
            and (until is None or line.timestamp < until)
        ]
        assert len(mine) == block["api_responses"], block
        kept = [line for line in mine if not line.dropped]
        assert kept, f"every line of the block at {block['block_start']} is prefilter-dropped"
        assert kept[0].timestamp == block["first_activity_at"], "a dropped line opens a block"
        first = kept[0].timestamp
        if previous_last is not None and first - previous_last > timedelta(hours=BLOCK_HOURS):
            gap_start = previous_last + timedelta(hours=BLOCK_HOURS)
            assert first in gaps, f"no gap row before the block at {block['block_start']}"
            out.append(
                {
                    "id": f"gap-{_iso(gap_start)}",
                    "startTime": _iso(gap_start),
                    "endTime": _iso(first),
                    "actualEndTime": None,
                    "isGap": True,
                    "isActive": False,
                    "entries": 0,
                    "inputTokens": 0,
                    "outputTokens": 0,
                    "cacheCreationTokens": 0,
                    "cacheReadTokens": 0,
                    "costUSD": 0.0,
                    "models": [],
                }
            )
        tokens = NO_TOKENS
        for line in kept:
            tokens = _add(tokens, line.tokens)
        out.append(
            {
                "id": _iso(block["block_start"]),
                "startTime": _iso(block["block_start"]),
                "endTime": _iso(block["block_end"]),
                "actualEndTime": _iso(kept[-1].timestamp),
                "isGap": False,
                "isActive": bool(block["is_active"]),
                "entries": len(kept),
                "inputTokens": tokens[0],
                "outputTokens": tokens[1],
                "cacheCreationTokens": tokens[2],
                "cacheReadTokens": tokens[3],
                "costUSD": sum(line.cost for line in kept),
                "models": sorted({line.model for line in kept if line.model}),
            }
        )
        previous_last = kept[-1].timestamp
    return out


def test_usage_blocks_match_ccusage(samples_pipeline: Pipeline, ccusage: Ccusage) -> None:
    expected = expected_ccusage_blocks(samples_pipeline)
    theirs = ccusage.blocks
    assert [b["id"] for b in expected] == [b["id"] for b in theirs]
    for ours, their in zip(expected, theirs, strict=True):
        assert ours["costUSD"] == pytest.approx(their["costUSD"], abs=COST_TOLERANCE), their["id"]
        assert {**ours, "costUSD": 0} == {**their, "costUSD": 0}


def test_usage_blocks_equal_ccusage_where_nothing_is_dropped(samples_pipeline: Pipeline) -> None:
    """Outside the prefilter day the mart's own figures are ccusage's, not just derived ones."""
    ours = {b["block_start"]: b for b in _our_blocks(samples_pipeline) if not b["is_gap"]}
    expected = {
        b["startTime"]: b for b in expected_ccusage_blocks(samples_pipeline) if not b["isGap"]
    }
    differing = {
        start.date()
        for start, block in ours.items()
        if (block["input"], block["output"], block["cache_write"], block["cache_read"])
        != _their_tokens(expected[_iso(start)])
        or block["api_responses"] != expected[_iso(start)]["entries"]
    }
    assert differing == PREFILTER_DAYS
    assert len(ours) >= 5


def test_usage_blocks_prefilter_block_figures(samples_pipeline: Pipeline, ccusage: Ccusage) -> None:
    """The 2025-06-14 block spelled out: ccusage's 6 responses + the 9 ``"usage": {`` lines."""
    block = next(
        b for b in _our_blocks(samples_pipeline) if b["block_start"].date() == date(2025, 6, 14)
    )
    theirs = next(b for b in ccusage.blocks if b["id"] == "2025-06-14T10:00:00.000Z")
    assert (theirs["entries"], _their_tokens(theirs)) == (6, (883, 328, 0, 0))
    assert block["api_responses"] == 6 + 9
    assert (block["input"], block["output"]) == (883 + 558, 328 + 830)


# ------------------------------------------------------------------------------------------------
# The samples themselves
# ------------------------------------------------------------------------------------------------


def test_dead_letters_are_only_non_claude_records(samples_pipeline: Pipeline) -> None:
    rows = samples_pipeline.rows(
        "select source_uri, record_locator, reason from main.dead_letter_records"
    )
    bad = [r for r in rows if not (r[2] or "").startswith(DEAD_LETTER_REASONS)]
    assert bad == []


def test_every_sample_file_lands(samples_pipeline: Pipeline) -> None:
    p = samples_pipeline
    with_messages = {
        Path(r[0]).name for r in p.rows("select distinct source_uri from main.messages")
    }
    with_dead = {
        Path(r[0]).name for r in p.rows("select distinct source_uri from main.dead_letter_records")
    }
    sessions = {r[0] for r in p.rows("select native_session_id from main.conversations")}
    missing = []
    for f in _sample_files():
        if f.name in with_messages or f.name in with_dead:
            continue
        file_sessions = set()
        for line in f.read_bytes().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("sessionId"), str):
                file_sessions.add(record["sessionId"])
        if not file_sessions & sessions:
            missing.append(f.name)
    assert missing == []


# ------------------------------------------------------------------------------------------------
# Recording: python -m extract.tests.test_ccusage_samples record
# ------------------------------------------------------------------------------------------------


def record(tmp: Path) -> None:
    """Rewrite the daily and blocks figures of RECORDED from the installed ccusage."""
    binary = find_ccusage()
    if binary is None:
        raise SystemExit(f"no ccusage {CCUSAGE_VERSION} installed: run `make ccusage` first")
    _copy_samples(tmp)
    data = json.loads(RECORDED.read_text())
    data.update(live_reports(binary, tmp))
    data["files"] = [f.name for f in _sample_files()]
    RECORDED.write_text(json.dumps(data, indent=2) + "\n")
    print(f"recorded ccusage {CCUSAGE_VERSION} figures in {RECORDED}")


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        raise SystemExit("usage: python -m extract.tests.test_ccusage_samples record")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        record(Path(tmp))
