"""Copilot Chat OpenTelemetry trace exports (OTLP/JSON lines) end to end: extract + dbt build.

``fixtures/copilot_chat/otel/copilot_otel_traces.jsonl`` (written for these tests) holds two
traces of one conversation: a VS Code-shaped turn (invoke_agent > chat, execute_tool, chat, with
captured content and token usage; two spans batched in one line; a non-GenAI HTTP span on its own
line) and a Visual Studio-shaped turn (invoke_agent + execute_tool only, no content). The two real
Visual Studio samples in /work/shared/samples/copilot_vscode are checked when that folder exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extract.tests.test_end_to_end import PYTHON, REPO_ROOT, query, run_dbt

FIXTURE = Path(__file__).parent / "fixtures" / "copilot_chat" / "otel" / "copilot_otel_traces.jsonl"
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "copilot_vscode"
SAMPLE_FILES = (
    "agentsview_VisualStudio_copilot_otel_traces_sample-1.jsonl",
    "agentsview_VisualStudio_copilot_otel_traces_sample-4.jsonl",
)
CONV = "7e57c0de-0000-4000-8000-000000000001"


def run_extract_copilot(lake: Path, source: Path) -> None:
    """``python -m extract run --quiet --source copilot_chat=<source>`` into ``lake``."""
    env = {**os.environ, "LAKE_URI": str(lake)}
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", "--source", f"copilot_chat={source}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (
        f"extract failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )


def build(tmp: Path, files: list[Path]) -> Path:
    src = tmp / "src"
    src.mkdir()
    for f in files:
        shutil.copy(f, src / f.name)
    lake, warehouse = tmp / "lake", tmp / "warehouse.duckdb"
    run_extract_copilot(lake, src)
    run_dbt(tmp, lake, warehouse)
    return warehouse


def span_attributes(files: list[Path]) -> list[dict[str, Any]]:
    """Every span of the files with its attributes as a flat dict (the test's own OTLP reader)."""
    spans = []
    for f in files:
        for line in f.read_text().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        attrs = {a["key"]: next(iter(a["value"].values())) for a in s["attributes"]}
                        spans.append({**s, "attrs": attrs})
    return spans


def as_int(value: Any) -> int:
    return int(value) if value is not None else 0


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("otel_fixture"), [FIXTURE])


def test_fixture_conversation(fixture_warehouse: Path) -> None:
    rows = query(
        fixture_warehouse,
        "select native_session_id, total_messages, model from main.conversations",
    )
    assert rows == [(CONV, 4, "gpt-4o-2024-11-20")]


def test_fixture_messages(fixture_warehouse: Path) -> None:
    rows = query(
        fixture_warehouse,
        """
        select native_message_id, role, model, input_tokens, output_tokens, cache_read_tokens,
               cache_write_tokens, content_text
        from main.messages order by sequence_number
        """,
    )
    # user prompt at the turn start, then the messages in end-time order
    assert [r[0] for r in rows] == [
        f"{CONV}:aaaaaaaaaaaaaaaa:user",
        f"{CONV}:1111111111111111",
        f"{CONV}:4444444444444444",
        f"{CONV}:bbbbbbbbbbbbbbbb",
    ]
    by_id = {r[0]: r for r in rows}
    # no prompt was captured for the Visual Studio-shaped turn: no user message is invented
    assert f"{CONV}:bbbbbbbbbbbbbbbb:user" not in by_id
    user = by_id[f"{CONV}:aaaaaaaaaaaaaaaa:user"]
    assert user[1] == "user" and "Why do the tests fail?" in user[7]
    # chat 1: 1200 input of which 1000 cache reads; chat 2: 1500 = 200 uncached + 1100 + 200
    assert by_id[f"{CONV}:1111111111111111"][1:7] == (
        "assistant",
        "gpt-4o-2024-11-20",
        200,
        80,
        1000,
        None,
    )
    assert by_id[f"{CONV}:4444444444444444"][3:7] == (200, 40, 1100, 200)
    # the invoke_agent span without chat children is the message; with chat children it is not
    assert by_id[f"{CONV}:bbbbbbbbbbbbbbbb"][1:5] == ("assistant", "gpt-4o", 900, 30)
    assert f"{CONV}:aaaaaaaaaaaaaaaa" not in by_id


def test_fixture_tokens_match_spans(fixture_warehouse: Path) -> None:
    spans = span_attributes([FIXTURE])
    message_spans = [
        s
        for s in spans
        if s["attrs"].get("gen_ai.operation.name") == "chat" or s["spanId"] == "bbbbbbbbbbbbbbbb"
    ]
    total_input = sum(as_int(s["attrs"].get("gen_ai.usage.input_tokens")) for s in message_spans)
    total_output = sum(as_int(s["attrs"].get("gen_ai.usage.output_tokens")) for s in message_spans)
    got = query(
        fixture_warehouse,
        """
        select sum(input_tokens) + sum(coalesce(cache_read_tokens, 0))
               + sum(coalesce(cache_write_tokens, 0)), sum(output_tokens)
        from main.messages
        """,
    )[0]
    assert got == (total_input, total_output) == (3600, 150)


def test_fixture_tool_calls(fixture_warehouse: Path) -> None:
    rows = query(
        fixture_warehouse,
        """
        select t.native_tool_use_id, t.tool_name, t.is_error, t.tool_output, m.native_message_id
        from main.tool_calls as t
        inner join main.messages as m on t.message_id = m.message_id
        order by t.native_tool_use_id
        """,
    )
    assert rows == [
        (f"{CONV}:call_patch_1", "apply_patch", False, None, f"{CONV}:bbbbbbbbbbbbbbbb"),
        (
            f"{CONV}:call_read_1",
            "read_file",
            False,
            "export const add = (a, b) => `${a}${b}`;",
            f"{CONV}:1111111111111111",
        ),
        (f"{CONV}:call_test_1", "run_tests", True, "1 test failed", f"{CONV}:1111111111111111"),
    ]


def test_fixture_dead_letter_is_the_http_span(fixture_warehouse: Path) -> None:
    rows = query(fixture_warehouse, "select record_locator, reason from main.dead_letter_records")
    assert len(rows) == 1, rows
    assert rows[0][0] == "line:5"
    assert "without GenAI spans" in rows[0][1]


@pytest.mark.skipif(not SAMPLES.exists(), reason="no /work/shared/samples")
def test_visual_studio_samples(tmp_path: Path) -> None:
    files = [SAMPLES / name for name in SAMPLE_FILES]
    warehouse = build(tmp_path, files)
    spans = span_attributes(files)
    agents = [s for s in spans if s["attrs"].get("gen_ai.operation.name") == "invoke_agent"]
    tools = [s for s in spans if s["attrs"].get("gen_ai.operation.name") == "execute_tool"]
    conversations = {s["attrs"]["gen_ai.conversation.id"] for s in agents}

    assert query(warehouse, "select count(*) from main.dead_letter_records") == [(0,)]
    got = {
        r[0]: r[1]
        for r in query(
            warehouse, "select native_session_id, total_messages from main.conversations"
        )
    }
    assert set(got) == conversations
    # no prompt content in these exports: one assistant message per invoke_agent span, no user ones
    messages = query(
        warehouse,
        "select native_message_id, role, model, input_tokens, output_tokens, cache_read_tokens "
        "from main.messages",
    )
    assert len(messages) == len(agents) == sum(got.values())
    assert {r[1] for r in messages} == {"assistant"}
    for agent in agents:
        conv, attrs = agent["attrs"]["gen_ai.conversation.id"], agent["attrs"]
        row = next(r for r in messages if r[0] == f"{conv}:{agent['spanId']}")
        assert row[2] == attrs.get("gen_ai.response.model", attrs.get("gen_ai.request.model"))
        # tokens exactly as the spans carry them (these exports carry none: null, not zero)
        expected_in = attrs.get("gen_ai.usage.input_tokens")
        expected_out = attrs.get("gen_ai.usage.output_tokens")
        assert row[3] == (int(expected_in) if expected_in is not None else None)
        assert row[4] == (int(expected_out) if expected_out is not None else None)
    calls = query(
        warehouse,
        "select native_tool_use_id, tool_name, tool_output, is_error from main.tool_calls",
    )
    assert len(calls) == len(tools)
    assert {(c[1], c[2], c[3]) for c in calls} == {
        (t["attrs"]["gen_ai.tool.name"], t["attrs"]["gen_ai.tool.call.result"], False)
        for t in tools
    }
