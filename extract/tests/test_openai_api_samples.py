"""The shared real OpenAI / Azure OpenAI samples (../shared/samples/openai_azure) end to end.

Skipped when that folder is absent. Extracts the samples into a tmp lake, builds the warehouse
and checks that every record is used: the Batch input and output files pair up on custom_id
into one conversation per request, the APIM GatewayLogs bodies become conversations (the
content-filter rejection as an errored one), the diagnostic log is counted, and nothing is a
dead letter.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from extract.tests.test_end_to_end import REPO_ROOT, Pipeline
from extract.tests.test_platform_examples import run_extract_sources

SAMPLES = Path(
    os.environ.get("OPENAI_API_SAMPLES", REPO_ROOT.parent / "shared" / "samples" / "openai_azure")
)
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="no shared openai_azure samples")


def _jsonl(name: str) -> list[dict]:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("openai_samples")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, {"openai_api": SAMPLES})
    p.build()
    return p


def test_no_dead_letters(pipeline: Pipeline) -> None:
    assert pipeline.rows("select reason from main.dead_letter_records") == []


def test_batch_pairs_become_one_conversation_per_request(pipeline: Pipeline) -> None:
    inputs = _jsonl("navirag_openai_batch_input.jsonl")
    outputs = _jsonl("navirag_openai_batch_output.jsonl")
    usage = [o["response"]["body"]["usage"] for o in outputs]
    expected = {o["response"]["body"]["id"] for o in outputs}
    rows = pipeline.rows(
        """
        select native_session_id, total_messages, total_uncached_input_tokens,
               total_cache_read_tokens, total_output_tokens, cost_source
        from main.conversations where native_session_id like 'chatcmpl-ALg%'
        """
    )
    assert {r[0] for r in rows} == expected
    assert len(rows) == len(inputs)
    # system + user from the input line, the answer from the output line
    assert {r[1] for r in rows} == {3}
    prompt = sum(u["prompt_tokens"] for u in usage)
    cached = sum(u["prompt_tokens_details"]["cached_tokens"] for u in usage)
    assert sum(r[2] for r in rows) == prompt - cached
    assert sum(r[3] for r in rows) == cached
    assert sum(r[4] for r in rows) == sum(u["completion_tokens"] for u in usage)
    assert {r[5] for r in rows} == {"estimated"}
    # every request message came from the input file, every answer from the output file
    lineage = dict(
        pipeline.rows(
            """
            select native_role, string_agg(distinct regexp_extract(source_uri, '[^/]+$'), ',')
            from main.stg_openai_api__messages
            where native_session_id like 'chatcmpl-ALg%'
            group by 1
            """
        )
    )
    assert lineage == {
        "system": "navirag_openai_batch_input.jsonl",
        "user": "navirag_openai_batch_input.jsonl",
        "assistant": "navirag_openai_batch_output.jsonl",
    }


def test_gateway_logs_and_diagnostics(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select native_session_id, total_messages, total_uncached_input_tokens,
               total_output_tokens, status, platform_version
        from main.conversations where native_session_id not like 'chatcmpl-ALg%'
        order by native_session_id
        """
    )
    assert rows == [
        (
            "apim:0aa398fe-7b98-49aa-8352-52ce04ddc34a",
            2,
            None,
            None,
            "errored",
            "2024-02-15-preview",
        ),
        ("chatcmpl-9gRL14hGa8nQstOJKvLjh7EyulsnT", 2, 14, 8, "completed", "2024-02-15-preview"),
    ]
    cost = pipeline.one(
        "select cost from main.messages where native_message_id like 'chatcmpl-9gRL%/choices[0]'"
    )
    assert cost == pytest.approx((14 * 0.5 + 8 * 1.5) / 1e6)  # gpt-35-turbo priced
    diag = pipeline.rows(
        """
        select operation_name, model_name, duration_ms, is_chat_completion
        from main.stg_openai_api__diagnostic_calls order by record_ordinal
        """
    )
    assert diag == [
        ("Create_Thread", None, 102, False),
        ("ChatCompletions_Create", "gpt-35-turbo", 1021, True),
        ("ChatCompletions_Create", "dall-e-3", -1021, True),
    ]
