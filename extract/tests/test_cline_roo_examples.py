"""End to end for Cline and Roo Code: the bundled examples against examples/cline/README.md
and examples/roo_code/README.md, a task that is rewritten as it goes on (landed, grown, landed
again), and the real samples (skipped when absent).

Each test extracts into a tmp lake and runs ``dbt build`` into a tmp DuckDB warehouse with the
helpers of test_end_to_end.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extract.tests.test_end_to_end import REPO_ROOT, Pipeline
from extract.tests.test_platform_examples import run_extract_sources

from .test_cline_roo import FIX, SAMPLES

EXAMPLES = REPO_ROOT / "examples"

CLINE_T1 = "1772460312118"
CLINE_T2 = "1772617287530"
CLINE_SDK = "1773149042214_k7q2x"
ROO_R1 = "3b9f2c1e-5a7d-4e8f-9c6b-2d1a0e9f8c7b"
ROO_R2 = "c41e8a07-92d6-4b3f-a15e-7f0d2b9c6e58"

# examples/cline/README.md and examples/roo_code/README.md: task -> (messages, uncached input,
# output, cache read, cache write, reported cost, tool calls, paired tool calls, title)
EXPECTED = {
    CLINE_T1: (
        10,
        16,
        1204,
        42180,
        11660,
        0.074487,
        5,
        4,
        "Add a --verbose flag to the clitool CLI that turns on debug logging.",
    ),
    CLINE_T2: (
        2,
        1850,
        240,
        0,
        0,
        0.00305,
        0,
        0,
        "What does `git rebase --onto` do, in one paragraph?",
    ),
    CLINE_SDK: (
        4,
        13022,
        306,
        12398,
        0,
        0.0456965,
        1,
        1,
        "which python versions does pyproject.toml allow?",
    ),
    ROO_R1: (
        4,
        9,
        364,
        7450,
        8060,
        0.037947,
        2,
        1,
        "Which markdown files in the notes-app repo have no title heading?",
    ),
    ROO_R2: (
        4,
        2946,
        640,
        2304,
        0,
        0.0103705,
        0,
        0,
        "Explain the difference between useMemo and useCallback.",
    ),
}
# examples/<platform>/README.md: platform -> (conversations, messages, tool calls, uncached input,
# output, cache read, cache write, cost)
TOTALS = {
    "cline": (3, 16, 6, 14888, 1750, 54578, 11660, 0.1232335),
    "roo_code": (2, 8, 2, 2955, 1004, 9754, 8060, 0.0483175),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("cline_roo")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, {"cline": EXAMPLES / "cline", "roo_code": EXAMPLES / "roo_code"})
    p.build()
    return p


def test_platform_totals_match_readme(pipeline: Pipeline) -> None:
    for platform, expected in TOTALS.items():
        conversations = pipeline.one(
            "select count(*) from main.conversations where platform = ?", [platform]
        )
        messages = pipeline.one("select count(*) from main.messages where platform = ?", [platform])
        tools = pipeline.one("select count(*) from main.tool_calls where platform = ?", [platform])
        tokens = pipeline.rows(
            """
            select sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
                   sum(cache_write_tokens), round(sum(cost), 7)
            from main.messages where platform = ?
            """,
            [platform],
        )[0]
        assert (conversations, messages, tools, *tokens) == pytest.approx(expected), platform


def test_each_task_matches_readme(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select native_session_id, total_messages, total_uncached_input_tokens, total_output_tokens,
               total_cache_read_tokens, total_cache_write_tokens, round(total_cost, 7), cost_source,
               title, total_input_tokens
        from main.conversations where platform in ('cline', 'roo_code')
        """
    )
    assert {r[0] for r in rows} == set(EXPECTED)
    for session, messages, uncached, out, read, write, cost, source, title, total_in in rows:
        exp = EXPECTED[session]
        assert (messages, uncached, out, read, write) == exp[:5], session
        assert cost == pytest.approx(exp[5]), session
        assert source == "reported"
        assert title == exp[8]
        assert total_in == uncached + read + write  # disjoint tokens add up
    for session, exp in EXPECTED.items():
        calls = pipeline.rows(
            """
            select count(*), count(t.result_message_id) from main.tool_calls as t
            inner join main.conversations as c using (conversation_id)
            where c.native_session_id = ?
            """,
            [session],
        )[0]
        assert calls == (exp[6], exp[7]), session


def test_usage_is_normalized_per_protocol(pipeline: Pipeline) -> None:
    # Roo R2 is apiProtocol openai: tokensIn 2850 includes the 2304 cached tokens
    rows = pipeline.rows(
        """
        select m.input_tokens, m.cache_read_tokens from main.messages as m
        inner join main.conversations as c using (conversation_id)
        where c.native_session_id = ? and m.role = 'assistant' order by m.timestamp
        """,
        [ROO_R2],
    )
    assert rows == [(2400, 0), (546, 2304)]
    # Cline (no apiProtocol; its providers report disjoint counts): tokensIn is already uncached
    first = pipeline.rows(
        """
        select m.input_tokens, m.cache_write_tokens, m.model from main.messages as m
        inner join main.conversations as c using (conversation_id)
        where c.native_session_id = ? and m.role = 'assistant' order by m.timestamp limit 1
        """,
        [CLINE_T1],
    )
    assert first == [(3, 9120, "claude-sonnet-4-5-20250929")]


def test_history_index_totals_cross_check(pipeline: Pipeline) -> None:
    """The HistoryItem totals (derived by the extensions from ui_messages) equal what staging
    recomputed from each api_req_started."""
    for platform in ("cline", "roo_code"):
        rows = pipeline.rows(
            f"""
            select t.task_id, t.history_tokens_out, t.history_cache_writes, t.history_cache_reads,
                   round(t.history_total_cost, 7),
                   sum(r.output_tokens), sum(r.cache_write_tokens), sum(r.cache_read_tokens),
                   round(sum(r.reported_cost), 7)
            from main.stg_{platform}__tasks as t
            inner join main.stg_{platform}__api_requests as r using (task_id)
            where t.history_tokens_out is not null
            group by all
            """
        )
        assert rows, platform
        for row in rows:
            assert row[1:5] == row[5:9], row


def test_no_dead_letters_and_tool_results_in_both_shapes(pipeline: Pipeline) -> None:
    assert (
        pipeline.one(
            "select count(*) from main.dead_letter_records where platform in ('cline', 'roo_code')"
        )
        == 0
    )
    outputs = dict(
        pipeline.rows(
            """
            select t.tool_name || ':' || cast(t.tool_input as varchar), t.tool_output
            from main.tool_calls as t
            inner join main.conversations as c using (conversation_id)
            where c.native_session_id = ? and t.result_message_id is not null
            """,
            [CLINE_T1],
        )
    )
    # "[read_file for '...'] Result:" then the output in the next text block
    assert outputs['read_file:{"path":"src/clitool/cli.py"}'].startswith("import argparse")
    # the header and the output in one text block
    readme = next(
        v for k, v in outputs.items() if k.startswith("replace_in_file") and "README" in k
    )
    assert readme == "The content was successfully saved to README.md."
    # a native tool_result block
    cli = next(v for k, v in outputs.items() if k.startswith("replace_in_file") and "cli.py" in k)
    assert cli == "The content was successfully saved to src/clitool/cli.py."


# --------------------------------------------------------------------------------------------------
# A task rewritten as it goes on
# --------------------------------------------------------------------------------------------------


def test_rewritten_task_does_not_double_its_messages(tmp_path: Path) -> None:
    task = "1774001700000"
    storage = tmp_path / "src" / "globalStorage" / "saoudrizwan.claude-dev"
    folder = storage / "tasks" / task
    folder.mkdir(parents=True)
    for name in ("ui_messages.json", "api_conversation_history.json", "task_metadata.json"):
        shutil.copy(FIX / "task_v1" / name, folder / name)
    p = Pipeline(work=tmp_path, lake=tmp_path / "lake", warehouse=tmp_path / "w.duckdb")

    run_extract_sources(p.lake, {"cline": storage})
    p.build()
    # the request is in flight: no usage yet, only the user entry
    assert p.rows(
        "select total_messages, total_output_tokens from main.conversations"
        " where native_session_id = ?",
        [task],
    ) == [(1, None)]

    for name in ("ui_messages.json", "api_conversation_history.json"):
        shutil.copy(FIX / "task_v2" / name, folder / name)
    run_extract_sources(p.lake, {"cline": storage})
    p.build()
    conv = p.rows(
        """
        select total_messages, total_uncached_input_tokens, total_output_tokens,
               total_cache_read_tokens, total_cache_write_tokens, round(total_cost, 8)
        from main.conversations where native_session_id = ?
        """,
        [task],
    )
    assert conv == [(4, 6, 154, 6210, 6450, pytest.approx(0.02838675))]
    assert (
        p.one(
            """
        select count(*) from main.messages as m inner join main.conversations as c
        using (conversation_id) where c.native_session_id = ?
        """,
            [task],
        )
        == 4
    )
    assert (
        p.one(
            """
        select count(*) from main.conversation_versions as v inner join main.conversations as c
        using (conversation_id) where c.native_session_id = ?
        """,
            [task],
        )
        == 2
    )
    call = p.rows("select tool_name, tool_output from main.tool_calls where platform = 'cline'")
    assert call == [
        (
            "execute_command",
            "Command executed.\nOutput:\nFAIL src/cart.test.js\n  expected 3, received 2",
        )
    ]


# --------------------------------------------------------------------------------------------------
# The real samples
# --------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not available")
def test_real_samples_become_conversations(tmp_path: Path) -> None:
    p = Pipeline(work=tmp_path, lake=tmp_path / "lake", warehouse=tmp_path / "w.duckdb")
    run_extract_sources(p.lake, {"cline": SAMPLES})
    p.build()
    assert p.one("select count(*) from main.dead_letter_records") == 0
    rows = {
        r[0]: r[1:]
        for r in p.rows(
            """
            select native_session_id, total_messages, total_uncached_input_tokens,
                   total_output_tokens, total_cache_read_tokens, total_cache_write_tokens,
                   round(total_cost, 6), model
            from main.conversations where platform = 'cline'
            """
        )
    }
    # the genuine Cline ui_messages.json alone: 3 user turns + 24 API requests, every token kept
    assert rows["cline_xray"] == (
        27,
        240,
        11035,
        1038797,
        72182,
        1.247611,
        "claude-opus-4-5-20251101",
    )
    # the SDK session: 16 user + 16 assistant messages; inputTokens includes the cache reads
    sdk = rows["cline_sdk_session"]
    assert sdk[0] == 32 and sdk[2] == 4395 and sdk[3] == 534435
    assert sdk[1] == 630254 - 534435
    # the hand-made cass stub: one API-history entry, titled by its task_metadata
    assert rows["cass_task1"][0] == 1
    assert (
        p.one("select title from main.conversations where native_session_id = 'cass_task1'")
        == "Cline fixture task"
    )
    assert p.one("select count(*) from main.tool_calls where platform = 'cline'") == 34
