"""End to end over the bundled Continue examples, against examples/continue/README.md.

One extract of ``examples/continue`` (a fake ``~/.continue``) into a tmp lake, one ``dbt build``
into a tmp warehouse; the marts are compared with the exact figures the README gives.
"""

from __future__ import annotations

from collections import Counter

import pytest

from extract.tests.conftest import read_lake
from extract.tests.test_end_to_end import REPO_ROOT, Pipeline
from extract.tests.test_platform_examples import run_extract_sources

EXAMPLES = REPO_ROOT / "examples" / "continue"
SESSION_A = "5b7d2c1e-3f4a-4b6c-8d9e-0a1b2c3d4e5f"
SESSION_B = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
SESSION_C = "c3a1f0e2-7d6b-4c5a-9e8f-1a2b3c4d5e6f"

# examples/continue/README.md: session -> (title, messages, uncached input, cache read,
# cache write, output, cost, cost_source); "no tokens" is null, not zero.
CONVERSATIONS = {
    SESSION_A: ("Invoice total ignores quantity", 4, None, None, None, None, None, None),
    SESSION_B: ("Fix refund rounding test", 8, 12860, 0, 0, 316, 0.04332, "estimated"),
    SESSION_C: ("Stream the CSV export", 5, 1208, 11890, 12592, 544, 0.06384, "reported"),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("continue_examples")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, {"continue": EXAMPLES})
    p.build()
    return p


def test_raw_records(pipeline: Pipeline) -> None:
    raw = [r for r in read_lake(pipeline.lake).to_pylist() if r["platform"] == "continue"]
    assert Counter(r["record_kind"] for r in raw) == {
        "session": 3,
        "sessions_index": 3,
        "chat_interaction": 4,
        "tokens_generated": 5,
    }
    assert len({r["source_uri"] for r in raw}) == 6
    versions = {r["source_version"] for r in raw if r["record_kind"] == "tokens_generated"}
    assert versions == {"1.2.10"}


def test_dead_letters_are_the_autocomplete_call_only(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        "select record_kind, record_locator, reason from main.dead_letter_records"
        " where platform = 'continue'"
    )
    assert len(rows) == 1
    kind, locator, reason = rows[0]
    assert (kind, locator) == ("tokens_generated", "line:2")
    assert reason.startswith("unattached Continue tokensGenerated")


def test_conversations_tokens_and_cost(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select native_session_id, title, total_messages, total_uncached_input_tokens,
               total_cache_read_tokens, total_cache_write_tokens, total_output_tokens,
               round(total_cost, 6), cost_source, workspace_path
        from main.conversations where platform = 'continue'
        """
    )
    got = {r[0]: r[1:9] for r in rows}
    assert got == CONVERSATIONS
    assert {r[9] for r in rows} == {"/home/dev/invoice-service"}
    totals = pipeline.rows(
        """
        select sum(total_uncached_input_tokens), sum(total_output_tokens),
               sum(total_cache_read_tokens), sum(total_cache_write_tokens),
               sum(total_input_tokens), round(sum(total_cost), 6)
        from main.conversations where platform = 'continue'
        """
    )
    assert totals == [(14068, 860, 11890, 12592, 38550, 0.10716)]
    summaries = pipeline.rows("select type, text from main.summaries where platform = 'continue'")
    assert sorted(summaries) == sorted(("title", t[0]) for t in CONVERSATIONS.values())


def test_messages_roles_times_and_usage(pipeline: Pipeline) -> None:
    p = pipeline
    roles = dict(
        p.rows("select role, count(*) from main.messages where platform = 'continue' group by 1")
    )
    assert roles == {"user": 5, "assistant": 9, "tool": 3}
    native = dict(
        p.rows(
            "select native_role, count(*) from main.messages where platform = 'continue' group by 1"
        )
    )
    assert native == {"user": 5, "assistant": 8, "thinking": 1, "tool": 3}
    assert (
        p.one("select count(*) from main.messages where platform = 'continue' and is_active_path")
        == 17
    )
    # only B's four answers have their own time (their chatInteraction events)
    own = p.rows(
        """
        select native_message_id, timestamp from main.messages
        where platform = 'continue'
          and not cast(json_extract(metadata, '$.timestamp_is_fallback') as boolean)
        order by timestamp
        """
    )
    assert [r[0] for r in own] == [f"{SESSION_B}:{i}" for i in (1, 3, 5, 7)]
    assert [r[1].isoformat() for r in own] == [
        "2026-11-07T14:00:21.431000+00:00",
        "2026-11-07T14:00:38.140000+00:00",
        "2026-11-07T14:00:47.589000+00:00",
        "2026-11-07T14:02:05.750000+00:00",
    ]
    sources = Counter(
        r[0]
        for r in p.rows(
            "select json_extract_string(metadata, '$.usage_source') from main.messages"
            " where platform = 'continue' and is_usage_line"
        )
    )
    assert sources == {"dev_data": 4, "message": 2}
    # sequence follows the history, time never goes backwards
    seq = p.rows(
        f"""
        select sequence_number, native_message_id from main.messages
        where conversation_id = (
            select conversation_id from main.conversations where native_session_id = '{SESSION_B}'
        ) order by sequence_number
        """
    )
    assert [r[1] for r in seq] == [f"{SESSION_B}:{i}" for i in range(8)]
    reported = p.rows(
        """
        select round(cost, 6), cost_source from main.messages
        where platform = 'continue' and native_message_id like ? and is_usage_line
        order by sequence_number
        """,
        [f"{SESSION_C}:%"],
    )
    assert reported == [(0.0, "reported"), (0.06384, "reported")]
    daily = p.rows(
        """
        select usage_date, sum(api_responses), sum(input_tokens), sum(output_tokens),
               sum(cache_read_tokens), sum(cache_write_tokens), round(sum(cost), 6)
        from main.usage_daily where platform = 'continue' group by 1 order by 1
        """
    )
    assert [tuple(r[1:]) for r in daily] == [
        (0, None, None, None, None, None),
        (4, 12860, 316, None, None, 0.04332),
        (2, 1208, 544, 11890, 12592, 0.06384),
    ]
    assert [r[0].isoformat() for r in daily] == ["2026-11-02", "2026-11-07", "2026-11-10"]


def test_content_blocks_and_tool_calls(pipeline: Pipeline) -> None:
    p = pipeline
    blocks = Counter(
        dict(
            p.rows(
                """
                select json_extract_string(b.value, '$.type'), count(*)
                from main.messages, json_each(content) as b where platform = 'continue' group by 1
                """
            )
        )
    )
    assert blocks == {
        "text": 12,
        "thinking": 2,
        "tool_use": 3,
        "tool_result": 3,
        "file_reference": 3,
        "image": 1,
    }
    paths = p.rows(
        """
        select distinct json_extract_string(b.value, '$.path')
        from main.messages, json_each(content) as b
        where platform = 'continue' and json_extract_string(b.value, '$.type') = 'file_reference'
        order by 1
        """
    )
    assert [r[0] for r in paths] == [
        "/home/dev/invoice-service/src/export.py",
        "/home/dev/invoice-service/src/refunds.py",
        "/home/dev/invoice-service/src/totals.py",
    ]
    calls = p.rows(
        """
        select t.tool_name, t.is_error, r.role, r.conversation_id = t.conversation_id
        from main.tool_calls t left join main.messages r on r.message_id = t.result_message_id
        where t.platform = 'continue' order by t.tool_name
        """
    )
    assert calls == [
        ("grep_search", False, "tool", True),
        ("read_file", False, "tool", True),
        ("run_terminal_command", True, "tool", True),
    ]
