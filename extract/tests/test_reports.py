"""The report marts (models/marts/reports) on the bundled Claude Code examples.

The pipeline of test_end_to_end (extract into a tmp lake, ``dbt build`` into a tmp DuckDB file)
runs once for this module; usage_weekly and usage_monthly must re-bucket usage_daily exactly, and
usage_sessions must hold one row per conversation with tokens, matching the conversations mart.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extract.tests.test_end_to_end import EXAMPLES, Pipeline

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


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("reports")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    p.extract(EXAMPLES)
    p.build()
    return p


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
    mismatched = pipeline.one(
        f"""
        select count(*)
        from main.usage_sessions as s
        inner join main.conversations as c on s.conversation_id = c.conversation_id
        where {" or ".join(f"s.{s} is distinct from c.{c}" for s, c in SESSION_TOKENS.items())}
           or s.duration_ms is distinct from c.duration_ms
        """
    )
    assert mismatched == 0
