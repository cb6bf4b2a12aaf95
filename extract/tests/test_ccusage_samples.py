"""End to end over the real Claude Code samples, compared with ccusage 20.0.24's daily figures.

``extract/tests/data/ccusage_samples_daily.json`` holds ``ccusage daily --json --offline``
(TZ=UTC) over the top-level ``*.jsonl`` files of ``../shared/samples/claude_code`` copied to
``<cfg>/projects/samples/``. We copy the same files the same way, run extract + dbt build, and
compare ``usage_daily`` per day.

Where we differ from ccusage, and why (ccusage 20.0.24, rust/adapters/claude/src/daily.rs,
``read_daily_usage_file``): before parsing, ccusage keeps only lines that contain the literal
bytes ``"usage":{``. Lines whose JSON has a space after the colon (``"usage": {``) are skipped,
so their tokens are missing from ccusage's figures even though they are ordinary assistant lines
with a usage. We count them. The test computes, from our ``messages`` mart and the raw bytes of
each usage line, exactly the tokens that prefilter drops, and requires ``ours - ccusage`` to be
exactly that on every day.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from extract.tests.test_end_to_end import REPO_ROOT, Pipeline, daily_totals

SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "claude_code"
CCUSAGE = Path(__file__).parent / "data" / "ccusage_samples_daily.json"
# ccusage's byte prefilter: a line is read only if it holds these bytes.
USAGE_PREFILTER = b'"usage":{'
# The only day where the prefilter drops usage lines from the samples (the cclog_* files are
# written with ``"usage": {``); checked below so that a new sample with the same quirk is noticed.
PREFILTER_DAYS = {date(2025, 6, 14)}
DEAD_LETTER_REASONS = ("invalid JSON", "not a Claude Code line")

Tokens = tuple[int, int, int, int]  # input, output, cache write (cacheCreation), cache read


def _sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.jsonl") if p.is_file())


@pytest.fixture(scope="module")
def samples_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    if not SAMPLES.is_dir() or not _sample_files():
        pytest.skip(f"no Claude Code samples at {SAMPLES}")
    work = tmp_path_factory.mktemp("ccusage")
    projects = work / "projects"
    (projects / "samples").mkdir(parents=True)
    for f in _sample_files():
        shutil.copy(f, projects / "samples" / f.name)
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    p.extract(projects)
    p.build()
    return p


@pytest.fixture(scope="module")
def ccusage() -> dict[str, object]:
    return json.loads(CCUSAGE.read_text())


def _ccusage_daily(report: dict[str, object]) -> dict[date, Tokens]:
    out: dict[date, Tokens] = {}
    for day in report["daily"]:  # type: ignore[union-attr]
        out[date.fromisoformat(day["date"])] = (
            int(day["inputTokens"]),
            int(day["outputTokens"]),
            int(day["cacheCreationTokens"]),
            int(day["cacheReadTokens"]),
        )
    return out


def _our_daily(p: Pipeline) -> dict[date, Tokens]:
    # daily_totals: (api_responses, input, output, cache_write, cache_read)
    return {day: t[1:] for day, t in daily_totals(p).items()}  # type: ignore[misc]


def _raw_line(source_uri: str, locator: str) -> bytes:
    assert locator.startswith("line:"), locator
    n = int(locator.removeprefix("line:"))
    lines = Path(source_uri).read_bytes().split(b"\n")
    return lines[n - 1]


def _prefilter_dropped(p: Pipeline) -> dict[date, Tokens]:
    """Per UTC day, the tokens of our usage-bearing messages whose raw line lacks ``"usage":{``."""
    rows = p.rows(
        """
        select cast(timezone('UTC', "timestamp") as date),
               source_uri, record_locator, copies_landed,
               coalesce(input_tokens, 0), coalesce(output_tokens, 0),
               coalesce(cache_write_tokens, 0), coalesce(cache_read_tokens, 0)
        from main.messages
        where is_usage_line
           or input_tokens is not null or output_tokens is not null
           or cache_read_tokens is not null or cache_write_tokens is not null
        """
    )
    assert rows, "no usage-bearing messages"
    dropped: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for day, source_uri, locator, copies, *tokens in rows:
        raw = _raw_line(source_uri, locator)
        assert raw.strip(), (source_uri, locator)
        if USAGE_PREFILTER in raw:
            continue
        # A folded duplicate could have another copy that ccusage does read; none of the samples'
        # prefilter-dropped lines is one, so the single raw line decides.
        assert copies == 1, (source_uri, locator, copies)
        for i, v in enumerate(tokens):
            dropped[day][i] += int(v)
    return {d: tuple(v) for d, v in dropped.items()}  # type: ignore[misc]


def test_usage_daily_matches_ccusage(
    samples_pipeline: Pipeline, ccusage: dict[str, object]
) -> None:
    theirs = _ccusage_daily(ccusage)
    ours = _our_daily(samples_pipeline)
    dropped = _prefilter_dropped(samples_pipeline)

    # The prefilter only bites on the documented day, and does bite there.
    assert {d for d, t in dropped.items() if any(t)} == PREFILTER_DAYS

    for day, expected in sorted(theirs.items()):
        assert day in ours, f"ccusage reports {day}, we report nothing"
        extra = dropped.get(day, (0, 0, 0, 0))
        if day in PREFILTER_DAYS:
            difference = tuple(o - t for o, t in zip(ours[day], expected, strict=True))
            assert difference == extra, (day, ours[day], expected, extra)
        else:
            assert extra == (0, 0, 0, 0), day
            assert ours[day] == expected, (day, ours[day], expected)

    # Days ccusage does not report: we may list them (messages without usage), but with zero tokens.
    for day in sorted(set(ours) - set(theirs)):
        assert ours[day] == (0, 0, 0, 0), (day, ours[day])


def test_prefilter_day_figures(samples_pipeline: Pipeline, ccusage: dict[str, object]) -> None:
    """2025-06-14 spelled out: ours = ccusage + the ``"usage": {`` lines of the cclog files."""
    day = date(2025, 6, 14)
    theirs = _ccusage_daily(ccusage)[day]
    ours = _our_daily(samples_pipeline)[day]
    dropped = _prefilter_dropped(samples_pipeline)[day]
    assert theirs == (883, 328, 0, 0)
    assert dropped == (558, 830, 0, 0)
    assert ours == (883 + 558, 328 + 830, 0, 0)


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
