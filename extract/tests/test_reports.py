"""The report marts (models/marts/reports) on the bundled example logs of every platform.

The pipeline of test_end_to_end (extract into a tmp lake, ``dbt build`` into a tmp DuckDB file)
runs once for this module over every platform's examples; usage_weekly and usage_monthly must
re-bucket usage_daily exactly, usage_sessions must hold one row per conversation with tokens,
matching the conversations mart, usage_blocks must be ccusage's block algorithm (re-done here in
Python over the messages mart), workspace_activity must add up to the conversations mart, and
tool_usage's figures must be those of the tool_calls mart.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from extract.platforms import REGISTRY
from extract.runner import EXAMPLES_DIR
from extract.tests.test_analyses import run_analyses
from extract.tests.test_docs import undocumented
from extract.tests.test_end_to_end import DBT, PYTHON, REPO_ROOT, Pipeline, _tail

# the additive columns the period marts share with usage_daily
USAGE_COLUMNS = (
    "messages",
    "api_responses",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "total_input_tokens",
    "unpriced_responses",
)
PERIODS = {
    "usage_weekly": "week_start",
    "usage_monthly": "month_start",
}
SESSION_TOKENS = {
    # usage_sessions column -> conversations column
    "input_tokens": "total_uncached_input_tokens",
    "output_tokens": "total_output_tokens",
    "cache_read_tokens": "total_cache_read_tokens",
    "cache_write_tokens": "total_cache_write_tokens",
    "total_input_tokens": "total_input_tokens",
}


BLOCK = timedelta(hours=5)  # var usage_block_hours


def extract_every_example(lake: Path) -> None:
    """``extract run`` over the bundled examples of every platform (and nothing else)."""
    sources = [
        arg
        for name, platform in sorted(REGISTRY.items())
        for arg in ("--source", f"{name}={platform.example_root(EXAMPLES_DIR)}")
    ]
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", "--lake", str(lake), *sources],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"extract failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("reports")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    extract_every_example(p.lake)
    p.build()
    return p


def test_every_platform_has_examples(pipeline: Pipeline) -> None:
    platforms = {r[0] for r in pipeline.rows("select distinct platform from main.conversations")}
    assert platforms == set(REGISTRY)


def _bucket(mart: str, day: date) -> date:
    if mart == "usage_weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _sums(p: Pipeline, mart: str, keys: str) -> dict[tuple[object, ...], tuple[int | None, ...]]:
    columns = ", ".join(f"sum({c})" for c in USAGE_COLUMNS)
    rows = p.rows(f"select {keys}, {columns} from main.{mart} group by all")
    n = len(keys.split(","))
    return {tuple(r[:n]): tuple(None if v is None else int(v) for v in r[n:]) for r in rows}


def test_usage_daily_has_tokens(pipeline: Pipeline) -> None:
    assert pipeline.one("select sum(output_tokens) from main.usage_daily") > 0


@pytest.mark.parametrize("mart", PERIODS)
def test_period_totals_equal_daily_totals(pipeline: Pipeline, mart: str) -> None:
    assert _sums(pipeline, mart, "platform") == _sums(pipeline, "usage_daily", "platform")


@pytest.mark.parametrize("mart", PERIODS)
def test_periods_rebucket_daily_rows(pipeline: Pipeline, mart: str) -> None:
    """Every day's usage lands in its own week/month, per platform and model, exactly."""
    daily = pipeline.rows(
        f"select usage_date, platform, model, {', '.join(USAGE_COLUMNS)} from main.usage_daily"
    )
    expected: dict[tuple[object, ...], list[int | None]] = {}
    for day, platform, model, *values in daily:
        key = (_bucket(mart, day), platform, model)
        acc = expected.setdefault(key, [None] * len(USAGE_COLUMNS))
        for i, v in enumerate(values):
            if v is not None:
                acc[i] = (acc[i] or 0) + int(v)
    rows = pipeline.rows(
        f"select {PERIODS[mart]}, platform, model, {', '.join(USAGE_COLUMNS)} from main.{mart}"
    )
    actual = {tuple(r[:3]): [None if v is None else int(v) for v in r[3:]] for r in rows}
    assert actual == expected


def test_weeks_start_on_monday_and_months_on_the_first(pipeline: Pipeline) -> None:
    weeks = [r[0] for r in pipeline.rows("select distinct week_start from main.usage_weekly")]
    months = [r[0] for r in pipeline.rows("select distinct month_start from main.usage_monthly")]
    assert weeks and all(w.isoweekday() == 1 for w in weeks)
    assert months and all(m.day == 1 for m in months)


def test_usage_sessions_one_row_per_conversation_with_tokens(pipeline: Pipeline) -> None:
    sessions = [r[0] for r in pipeline.rows("select conversation_id from main.usage_sessions")]
    with_tokens = {
        r[0]
        for r in pipeline.rows(
            """
            select conversation_id from main.conversations
            where total_input_tokens is not null or total_output_tokens is not null
            """
        )
    }
    assert with_tokens
    assert len(sessions) == len(set(sessions))
    assert set(sessions) == with_tokens


def test_usage_sessions_totals_equal_conversations(pipeline: Pipeline) -> None:
    pairs = ", ".join(f"sum(s.{s}), sum(c.{c})" for s, c in SESSION_TOKENS.items())
    row = pipeline.rows(
        f"""
        select {pairs}, sum(s.cost), sum(c.total_cost)
        from main.usage_sessions as s
        inner join main.conversations as c on s.conversation_id = c.conversation_id
        """
    )[0]
    for i, column in enumerate(SESSION_TOKENS):
        assert row[2 * i] == row[2 * i + 1], column
    assert row[-2] == pytest.approx(row[-1], abs=1e-6)
    # and the overall totals, without the join
    totals = pipeline.rows(
        f"select {', '.join(f'sum({c})' for c in SESSION_TOKENS.values())} from main.conversations"
    )[0]
    session_totals = pipeline.rows(
        f"select {', '.join(f'sum({s})' for s in SESSION_TOKENS)} from main.usage_sessions"
    )[0]
    assert session_totals == totals


def test_usage_sessions_per_conversation(pipeline: Pipeline) -> None:
    """Per conversation, usage_sessions' figures are the conversations mart's.

    One convention differs: usage_sessions keeps a token kind null when no message of the
    conversation recorded it (Copilot Chat and Continue record no cache tokens), conversations
    writes 0 there once any token kind is recorded. Null = 0 on those; Claude Code records every
    kind, so there the figures must be equal as they are, nulls included.
    """
    strict = " or ".join(f"s.{s} is distinct from c.{c}" for s, c in SESSION_TOKENS.items())
    lenient = " or ".join(
        f"coalesce(s.{s}, 0) is distinct from c.{c}" for s, c in SESSION_TOKENS.items()
    )
    mismatched = pipeline.rows(
        f"""
        select s.conversation_id, s.platform
        from main.usage_sessions as s
        inner join main.conversations as c on s.conversation_id = c.conversation_id
        where (s.platform = 'claude_code' and ({strict}))
           or {lenient}
           or s.duration_ms is distinct from c.duration_ms
        """
    )
    assert mismatched == []
    assert pipeline.one("select count(distinct platform) from main.usage_sessions") >= 5


# ------------------------------------------------------------------------------------------------
# usage_blocks: ccusage's block algorithm, re-done in Python
# ------------------------------------------------------------------------------------------------


def _utc_hour(ts: datetime) -> datetime:
    return ts.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def ccusage_blocks(lines: list[tuple[datetime, tuple[int, ...]]]) -> list[dict[str, Any]]:
    """ccusage 20.0.24's identify_session_blocks (rust/crates/ccusage/src/blocks.rs) over
    (timestamp, tokens) usage lines: a block starts at a line's UTC hour, a line more than a
    block's length after the block's start or after the previous line starts the next one, and
    a gap longer than a block gets a gap row from the last line + the block length."""
    blocks: list[dict[str, Any]] = []
    current: list[tuple[datetime, tuple[int, ...]]] = []
    start: datetime | None = None

    def close() -> None:
        assert start is not None
        tokens = tuple(sum(t[i] for _, t in current) for i in range(len(current[0][1])))
        blocks.append(
            {
                "start": start,
                "end": start + BLOCK,
                "is_gap": False,
                "first": current[0][0],
                "last": current[-1][0],
                "responses": len(current),
                "tokens": tokens,
            }
        )

    for ts, tokens in sorted(lines, key=lambda line: line[0]):
        if start is not None and (ts - start > BLOCK or ts - current[-1][0] > BLOCK):
            last = current[-1][0]
            close()
            if ts - last > BLOCK:
                blocks.append({"start": last + BLOCK, "end": ts, "is_gap": True})
            start, current = None, []
        if start is None:
            start = _utc_hour(ts)
        current.append((ts, tokens))
    if current:
        close()
    return blocks


TOKEN_COLUMNS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


def test_usage_blocks_are_ccusage_blocks_on_every_platform(pipeline: Pipeline) -> None:
    coalesced = ", ".join(f"coalesce({c}, 0)" for c in TOKEN_COLUMNS)
    lines: dict[str, list[tuple[datetime, tuple[int, ...]]]] = defaultdict(list)
    for platform, ts, *tokens in pipeline.rows(
        f"""
        select platform, "timestamp", {coalesced} from main.messages
        where is_usage_line and "timestamp" is not null
        """
    ):
        lines[platform].append((ts, tuple(int(t) for t in tokens)))
    assert len(lines) >= 5  # every platform whose logs carry usage

    actual: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for platform, start, end, is_gap, first, last, responses, *tokens in pipeline.rows(
        f"""
        select platform, block_start, block_end, is_gap, first_activity_at, last_activity_at,
               api_responses, {coalesced}
        from main.usage_blocks order by platform, block_start, is_gap
        """
    ):
        row = {"start": start, "end": end, "is_gap": is_gap}
        if not is_gap:
            row.update(first=first, last=last, responses=responses, tokens=tuple(tokens))
        actual[platform].append(row)

    expected = {
        platform: ccusage_blocks(platform_lines) for platform, platform_lines in lines.items()
    }
    assert set(actual) == set(expected)
    for platform in expected:
        assert actual[platform] == expected[platform], platform
    # the examples exercise gaps and more than one block a platform
    assert any(b["is_gap"] for blocks in expected.values() for b in blocks)


def test_usage_blocks_add_up_to_usage_daily(pipeline: Pipeline) -> None:
    sums = ", ".join(f"sum({c})" for c in ("api_responses", *TOKEN_COLUMNS))
    blocks = pipeline.rows(f"select platform, {sums}, sum(cost) from main.usage_blocks group by 1")
    daily = pipeline.rows(f"select platform, {sums}, sum(cost) from main.usage_daily group by 1")
    by_platform = {r[0]: r[1:] for r in daily}
    assert blocks
    for platform, *figures in blocks:
        assert tuple(figures[:-1]) == tuple(by_platform[platform][:-1]), platform
        assert figures[-1] == pytest.approx(by_platform[platform][-1], abs=1e-8), platform


def test_usage_blocks_do_not_overlap(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select platform, block_start, block_end from main.usage_blocks
        where not is_gap order by platform, block_start
        """
    )
    for (p1, _, end), (p2, start, _) in itertools.pairwise(rows):
        if p1 == p2:
            assert start >= end, (p1, start, end)


def _dbt(args: list[str], env: dict[str, str], work: Path) -> subprocess.CompletedProcess[str]:
    target = [] if "--target-path" in args else ["--target-path", str(work / "target-vars")]
    return subprocess.run(
        [DBT, *args, "--profiles-dir", ".", *target, "--log-path", str(work / "logs-vars")],
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_usage_block_hours_must_be_whole_hours(pipeline: Pipeline) -> None:
    env = {"LAKE_URI": str(pipeline.lake), "WAREHOUSE_PATH": str(pipeline.warehouse)}
    proc = _dbt(
        ["compile", "--select", "usage_blocks", "--vars", json.dumps({"usage_block_hours": 2.5})],
        env,
        pipeline.work,
    )
    assert proc.returncode != 0
    assert "usage_block_hours must be a whole number of hours" in proc.stdout + proc.stderr


def test_usage_block_hours_sets_the_block_length(pipeline: Pipeline) -> None:
    """With 1-hour blocks every block ends an hour after it starts, and blocks only get shorter."""
    warehouse = pipeline.work / "w-1h.duckdb"
    warehouse.write_bytes(pipeline.warehouse.read_bytes())
    env = {"LAKE_URI": str(pipeline.lake), "WAREHOUSE_PATH": str(warehouse)}
    proc = _dbt(
        ["run", "--select", "usage_blocks", "--vars", json.dumps({"usage_block_hours": 1})],
        env,
        pipeline.work,
    )
    assert proc.returncode == 0, _tail(proc.stdout)
    short = Pipeline(work=pipeline.work, lake=pipeline.lake, warehouse=warehouse)
    lengths = {
        r[0]
        for r in short.rows(
            "select block_end - block_start from main.usage_blocks where not is_gap"
        )
    }
    assert lengths == {timedelta(hours=1)}
    count = "select count(*) from main.usage_blocks where not is_gap"
    assert short.one(count) > pipeline.one(count)


# ------------------------------------------------------------------------------------------------
# workspace_activity and tool_usage
# ------------------------------------------------------------------------------------------------


def test_workspace_activity_adds_up_to_conversations(pipeline: Pipeline) -> None:
    pairs = {
        "conversations": "count(*)",
        "messages": "sum(total_messages)",
        "input_tokens": "sum(total_uncached_input_tokens)",
        "output_tokens": "sum(total_output_tokens)",
        "cache_read_tokens": "sum(total_cache_read_tokens)",
        "cache_write_tokens": "sum(total_cache_write_tokens)",
        "total_input_tokens": "sum(total_input_tokens)",
    }
    keys = "platform, workspace_path, git_branch"
    ours = pipeline.rows(
        f"select {keys}, {', '.join(f'sum({c})' for c in pairs)}, sum(cost)"
        f" from main.workspace_activity group by all"
    )
    theirs = pipeline.rows(
        f"select {keys}, {', '.join(pairs.values())}, sum(total_cost)"
        f" from main.conversations group by all"
    )
    assert len(ours) == len(theirs) >= 8
    key = repr
    for a, b in zip(sorted(ours, key=key), sorted(theirs, key=key), strict=True):
        assert a[:-1] == b[:-1]
        assert (a[-1] is None) == (b[-1] is None)
        if a[-1] is not None:
            assert a[-1] == pytest.approx(b[-1], abs=1e-8)


def test_workspace_activity_days_and_responses(pipeline: Pipeline) -> None:
    expected = pipeline.rows(
        """
        select c.platform, c.workspace_path, c.git_branch,
               count(distinct cast(timezone('UTC', m."timestamp") as date)),
               sum(case when m.is_usage_line then 1 else 0 end)
        from main.conversations as c
        inner join main.messages as m on c.conversation_id = m.conversation_id
        group by all
        """
    )
    actual = pipeline.rows(
        "select platform, workspace_path, git_branch, active_days, api_responses"
        " from main.workspace_activity"
    )
    assert sorted(actual, key=repr) == sorted(expected, key=repr)
    assert any(r[3] > 1 for r in actual)


def test_tool_usage_matches_tool_calls(pipeline: Pipeline) -> None:
    calls: dict[tuple[str, str], list[tuple[bool, int | None]]] = defaultdict(list)
    for platform, tool, is_error, duration in pipeline.rows(
        "select platform, coalesce(tool_name, 'unknown'), is_error, duration_ms"
        " from main.tool_calls"
    ):
        calls[(platform, tool)].append((bool(is_error), duration))
    rows = pipeline.rows(
        "select platform, tool_name, calls, errors, error_rate, median_duration_ms"
        " from main.tool_usage"
    )
    assert {(r[0], r[1]) for r in rows} == set(calls)
    assert len({r[0] for r in rows}) >= 4  # tool calls from several platforms
    for platform, tool, n, errors, rate, median in rows:
        made = calls[(platform, tool)]
        durations = [d for _, d in made if d is not None]
        assert n == len(made)
        assert errors == sum(e for e, _ in made)
        assert rate == pytest.approx(errors / n)
        if durations:
            assert median == pytest.approx(statistics.median(durations))
        else:
            assert median is None
    assert any(r[3] > 0 for r in rows)


# ------------------------------------------------------------------------------------------------
# The analyses and the docs page, over this warehouse
# ------------------------------------------------------------------------------------------------


def test_analyses_run_on_the_examples(pipeline: Pipeline) -> None:
    results = run_analyses(pipeline)
    empty = [name for name, rows in results.items() if not rows]
    assert results and empty == []
    tools = results["most_used_tools"]
    assert len(tools) <= 20
    assert [r[2] for r in tools] == sorted((r[2] for r in tools), reverse=True)  # by calls


def test_docs_page_over_the_examples(pipeline: Pipeline) -> None:
    """`make docs`: one static page; every column the warehouse has is described in YAML."""
    target = pipeline.work / "target-docs"
    proc = _dbt(
        ["docs", "generate", "--static", "--target-path", str(target)],
        env={"LAKE_URI": str(pipeline.lake), "WAREHOUSE_PATH": str(pipeline.warehouse)},
        work=pipeline.work,
    )
    assert proc.returncode == 0, _tail(proc.stdout)
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    assert undocumented(manifest, catalog) == []
    page = (target / "static_index.html").read_text()
    # the page carries the manifest and catalog inline: the lineage graph needs no server
    assert "usage_blocks" in page and "parent_map" in page and "workspace_activity" in page
