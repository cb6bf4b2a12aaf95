"""End to end over the bundled OpenAI / Azure OpenAI examples, against
examples/openai_api/README.md.

One extract of ``examples/openai_api`` into a tmp lake, one ``dbt build`` into a tmp warehouse;
the marts are compared with the exact figures the README gives.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from extract.tests.conftest import read_lake
from extract.tests.test_end_to_end import REPO_ROOT, Pipeline
from extract.tests.test_platform_examples import run_extract_sources

EXAMPLES = REPO_ROOT / "examples" / "openai_api"

# examples/openai_api/README.md: title prefix -> (messages, active, uncached input, cache read,
# output, cost); None: no usage (an errored call)
CONVERSATIONS = {
    "test_parse_dates fails on CI": (9, 9, 2324, 4096, 1297, 0.0093896),
    "Write a regex that matches": (7, 5, 257, 0, 132, 0.00011775),
    "How do I list the invoices": (6, 6, 184, 0, 98, 0.0002304),
    "The CSV export on the Reports": (3, 3, 377, 0, 71, 0.00009915),
    "Hi, I was charged twice": (3, 3, 412, 0, 88, 0.0001146),
    "Please close my account": (3, 3, None, None, None, None),
    "I paid an invoice twice": (5, 5, 391, 2304, 67, 0.0045275),
    "Write me a message threatening": (3, 3, None, None, None, None),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("openai_examples")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, {"openai_api": EXAMPLES})
    p.build()
    return p


def _conversations(p: Pipeline) -> dict[str, tuple]:
    rows = p.rows(
        """
        select c.title, c.total_messages, count(*) filter (where m.is_active_path),
               c.total_uncached_input_tokens, c.total_cache_read_tokens, c.total_output_tokens,
               c.total_cost, c.status
        from main.conversations c join main.messages m using (conversation_id)
        where c.platform = 'openai_api'
        group by all
        """
    )
    out = {}
    for title, *rest in rows:
        keys = [k for k in CONVERSATIONS if title.startswith(k)]
        assert len(keys) == 1, title
        out[keys[0]] = tuple(rest)
    return out


def test_raw_records_and_dead_letters(pipeline: Pipeline) -> None:
    raw = [r for r in read_lake(pipeline.lake).to_pylist() if r["platform"] == "openai_api"]
    assert len(raw) == 22
    assert {r["record_kind"] for r in raw} == {"log_line"}
    per_file = Counter(r["source_uri"].rsplit("/", 1)[-1] for r in raw)
    assert per_file == {
        "llm-calls-2026-11-02.jsonl": 10,
        "batch_6912ab_input.jsonl": 3,
        "batch_6912ab_output.jsonl": 2,
        "batch_6912ab_errors.jsonl": 1,
        "apim-gatewaylogs-2026-11-04.jsonl.gz": 4,
        "oai-ledger-weu-2026-11-04.jsonl": 2,
    }
    letters = pipeline.rows(
        "select source_uri, record_locator, reason from main.dead_letter_records"
        " where platform = 'openai_api'"
    )
    assert [(u.rsplit("/", 1)[-1], loc, why) for u, loc, why in letters] == [
        ("llm-calls-2026-11-02.jsonl", "line:5", "invalid JSON: the line does not parse")
    ]
    versions = dict(
        pipeline.rows(
            "select source_version, records from main.source_format_versions"
            " where platform = 'openai_api' and is_known_version"
        )
    )
    assert versions == {None: 16, "2024-10-21": 6}


def test_diagnostic_entries_are_counted_not_messages(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select entry_shape, operation_name, model_deployment_name, request_at, response_at
        from main.stg_openai_api__diagnostic_calls order by occurred_at
        """
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("azure_diagnostic", "ChatCompletions_Create", "gpt-4o-prod"),
        ("azure_diagnostic", "ChatCompletions_Create", "gpt-4o-prod"),
        ("apim_gateway_metadata", "Microsoft.ApiManagement/GatewayLogs", None),
        ("azure_diagnostic", "Embeddings_Create", "text-embedding-3-small"),
    ]
    first = rows[0]
    assert first[3].isoformat() == "2026-11-04T10:31:07.524000+00:00"  # .NET ticks
    assert first[4].isoformat() == "2026-11-04T10:31:09.351000+00:00"


def test_conversations_messages_tokens_and_cost(pipeline: Pipeline) -> None:
    got = _conversations(pipeline)
    assert set(got) == set(CONVERSATIONS)
    for key, (messages, active, uncached, cached, output, cost) in CONVERSATIONS.items():
        g = got[key]
        assert g[:2] == (messages, active), key
        if uncached is None:
            assert g[6] == "errored", key
            assert g[5] is None, key
        else:
            assert g[2:5] == (uncached, cached, output), key
            assert g[5] == pytest.approx(cost, abs=1e-12), key
    roles = dict(
        pipeline.rows(
            "select role, count(*) from main.messages where platform = 'openai_api' group by 1"
        )
    )
    assert roles == {"user": 13, "assistant": 15, "system": 9, "tool": 2}
    totals = pipeline.rows(
        """
        select count(*), sum(input_tokens), sum(cache_read_tokens), sum(output_tokens),
               sum(reasoning_tokens), count(cache_write_tokens),
               count(*) filter (where is_usage_line), count(*) filter (where is_api_error),
               round(sum(cost), 9)
        from main.messages where platform = 'openai_api'
        """
    )
    assert totals == [(39, 3945, 6400, 1753, 704, 0, 13, 2, 0.014479)]
    sources = dict(
        pipeline.rows(
            "select cost_source, count(*) from main.messages where platform = 'openai_api'"
            " and cost_source is not null group by 1"
        )
    )
    assert sources == {"estimated": 13}
    assert pipeline.one("select count(*) from main.summaries where platform = 'openai_api'") == 0


def test_usage_daily(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select usage_date, sum(api_responses), sum(input_tokens), sum(cache_read_tokens),
               sum(output_tokens), round(sum(cost), 9)
        from main.usage_daily where platform = 'openai_api' and api_responses > 0
        group by 1 order by 1
        """
    )
    assert rows == [
        (date(2026, 11, 2), 9, 2765, 4096, 1527, 0.00973775),
        (date(2026, 11, 3), 2, 789, 0, 159, 0.00021375),
        (date(2026, 11, 4), 2, 391, 2304, 67, 0.0045275),
    ]


def test_tool_calls_are_paired(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select t.tool_name, t.native_tool_use_id, json_extract_string(t.tool_input, '$.path'),
               r.role, r.conversation_id = t.conversation_id, t.tool_output like 'FAILED%'
        from main.tool_calls t left join main.messages r on r.message_id = t.result_message_id
        where t.platform = 'openai_api' order by t.timestamp
        """
    )
    assert rows == [
        ("run_tests", "call_Q7nLw2bYd0kR5tVx8sJm3aHe", "tests/test_dates.py", "tool", True, True),
        ("read_file", "call_Hc4pZ9uXe1WqT6yBn0LrKf2S", "ledger/dates.py", "tool", True, False),
    ]


def test_turns_continue_the_previous_answer(pipeline: Pipeline) -> None:
    """X's 4 calls resend the whole history; only new messages count, in order, one thread."""
    rows = pipeline.rows(
        """
        select m.sequence_number, m.role, m.parent_message_id = prev.message_id
        from main.messages m
        join main.conversations c using (conversation_id)
        left join main.messages prev
            on prev.conversation_id = m.conversation_id
            and prev.sequence_number = m.sequence_number - 1
        where c.title like 'test_parse_dates%' order by m.sequence_number
        """
    )
    assert [r[1] for r in rows] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "user",
        "assistant",
    ]
    assert all(r[2] for r in rows[1:])  # each message's parent is the one before it
    # Z's edited follow-up branches from the first answer: two children of one message
    branch = pipeline.rows(
        """
        select count(*) from main.messages m join main.conversations c using (conversation_id)
        where c.title like 'Write a regex%' and m.role = 'user'
        group by m.parent_message_id order by 1
        """
    )
    assert branch == [(1,), (2,)]
