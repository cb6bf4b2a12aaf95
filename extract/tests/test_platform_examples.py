"""End to end over the bundled Copilot Chat and ChatGPT examples, against
examples/copilot_chat/README.md and examples/chatgpt/README.md.

One extract of ``examples/copilot_chat`` and ``examples/chatgpt`` into one tmp lake, one
``dbt build`` into a tmp warehouse; the marts are compared with the exact figures the README
gives for both platforms.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from extract.tests.conftest import read_lake
from extract.tests.test_end_to_end import PYTHON, REPO_ROOT, Pipeline

EXAMPLES = REPO_ROOT / "examples"
COPILOT = EXAMPLES / "copilot_chat"
CHATGPT = EXAMPLES / "chatgpt"

# examples/chatgpt/README.md: title -> (messages, messages on the active path)
CHATGPT_CONVERSATIONS = {
    "Pandas merge on different column names": (7, 5),
    "Email regex": (3, 2),
    "Sales CSV total": (6, 6),
    "Hiking packing list": (4, 4),
}
# examples/copilot_chat/README.md, per session file: (messages, input tokens, output tokens,
# title); "No tokens" is null, not zero (as the marts document).
# Titles: 7c9e's is named in the README; e4d3's is set by its ["customTitle"] mutation and
# c0ffee's is in its kind-0 line; 0a1b ("no title") falls back to its first typed prompt, as the
# conversations mart documents (title: "... else the first 200 characters of the first typed
# prompt").
COPILOT_SESSIONS = {
    "7c9e4b2a-1d3f-4e5a-8b6c-0d1e2f3a4b5c": (4, None, None, "Fix the failing login form test"),
    "e4d3c2b1-a098-4f7e-8d6c-5b4a39281706": (
        6,
        18342 + 19020,
        412 + 58,
        "Unit test for negative prices",
    ),
    "c0ffee00-1234-4abc-8def-0123456789ab": (2, 4210, 35, "Start the API in dev mode"),
    "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d": (
        2,
        None,
        None,
        "What is the difference between git rebase and git merge?",
    ),
}
COPILOT_TITLES = {  # the 3 titles README counts in summaries
    "Fix the failing login form test",
    "Unit test for negative prices",
    "Start the API in dev mode",
}


def run_extract_sources(lake: Path, sources: dict[str, Path]) -> None:
    """``python -m extract run --quiet`` for these platforms only (as test_end_to_end.run_extract
    does for claude_code)."""
    args = []
    for platform, path in sources.items():
        args += ["--platform", platform, "--source", f"{platform}={path}"]
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "LAKE_URI": str(lake)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (
        f"extract failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("examples")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, {"copilot_chat": COPILOT, "chatgpt": CHATGPT})
    p.build()
    return p


def _by_role(p: Pipeline, platform: str, where: str = "true") -> dict[str, int]:
    return dict(
        p.rows(
            f"select role, count(*) from main.messages where platform = ? and {where} group by 1",
            [platform],
        )
    )


def _blocks(p: Pipeline, platform: str) -> Counter[str]:
    rows = p.rows(
        """
        select json_extract_string(b.value, '$.type'), count(*)
        from main.messages, json_each(content) as b where platform = ? group by 1
        """,
        [platform],
    )
    return Counter(dict(rows))


# --------------------------------------------------------------------------------------------------
# Raw lake and dead letters
# --------------------------------------------------------------------------------------------------


def test_raw_records(pipeline: Pipeline) -> None:
    raw = read_lake(pipeline.lake).to_pylist()
    by_platform = Counter((r["platform"], r["record_kind"]) for r in raw)
    assert by_platform == {
        ("copilot_chat", "workspace"): 2,
        ("copilot_chat", "session"): 2,
        ("copilot_chat", "mutation"): 27,
        ("chatgpt", "conversation"): 4,
    }
    assert len({r["source_uri"] for r in raw if r["platform"] == "copilot_chat"}) == 6
    assert sorted(r["record_locator"] for r in raw if r["platform"] == "chatgpt") == [
        "[0]",
        "[1]",
        "[2]",
        "[3]",
    ]


def test_no_dead_letters(pipeline: Pipeline) -> None:
    assert pipeline.rows("select platform, source_uri, reason from main.dead_letter_records") == []


def test_no_duplicates(pipeline: Pipeline) -> None:
    assert pipeline.one("select count(*) from main.duplicates") == 0


# --------------------------------------------------------------------------------------------------
# ChatGPT
# --------------------------------------------------------------------------------------------------


def test_chatgpt_conversations_and_titles(pipeline: Pipeline) -> None:
    p = pipeline
    rows = p.rows(
        "select title, total_messages, conversation_id from main.conversations"
        " where platform = 'chatgpt'"
    )
    assert {r[0]: r[1] for r in rows} == {t: n for t, (n, _) in CHATGPT_CONVERSATIONS.items()}
    active = dict(
        p.rows(
            """
            select c.title, count(*) filter (where m.is_active_path)
            from main.messages m join main.conversations c using (conversation_id)
            where m.platform = 'chatgpt' group by 1
            """
        )
    )
    assert active == {t: a for t, (_, a) in CHATGPT_CONVERSATIONS.items()}
    summaries = p.rows("select type, text from main.summaries where platform = 'chatgpt'")
    assert sorted(summaries) == sorted(("title", t) for t in CHATGPT_CONVERSATIONS)


def test_chatgpt_messages(pipeline: Pipeline) -> None:
    p = pipeline
    assert _by_role(p, "chatgpt") == {"system": 2, "user": 7, "assistant": 10, "tool": 1}
    assert sum(_by_role(p, "chatgpt").values()) == 20
    assert sum(_by_role(p, "chatgpt", "is_active_path").values()) == 17
    fallback = p.one(
        "select count(*) from main.messages where platform = 'chatgpt'"
        " and json_extract(metadata, '$.timestamp_is_fallback')::boolean"
    )
    assert fallback == 4
    assert _blocks(p, "chatgpt") == {
        "text": 16,
        "image": 1,
        "thinking": 1,
        "tool_use": 1,
        "tool_result": 1,
        "unknown": 1,
    }


def test_chatgpt_has_no_tokens_or_cost(pipeline: Pipeline) -> None:
    p = pipeline
    assert p.rows(
        """
        select count(input_tokens), count(output_tokens), count(cache_read_tokens),
               count(cache_write_tokens), count(reasoning_tokens), count(cost),
               count(*) filter (where is_usage_line)
        from main.messages where platform = 'chatgpt'
        """
    ) == [(0, 0, 0, 0, 0, 0, 0)]
    # "every token column is null"
    assert p.rows(
        """
        select count(total_input_tokens), count(total_uncached_input_tokens),
               count(total_output_tokens), count(total_cache_read_tokens),
               count(total_cache_write_tokens), count(total_cost), count(*)
        from main.conversations where platform = 'chatgpt'
        """
    ) == [(0, 0, 0, 0, 0, 0, 4)]
    assert p.rows(
        """
        select count(input_tokens), count(output_tokens), count(cache_read_tokens),
               count(cache_write_tokens), count(total_input_tokens), sum(api_responses)
        from main.usage_daily where platform = 'chatgpt'
        """
    ) == [(0, 0, 0, 0, 0, 0)]


def test_chatgpt_tool_call(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select t.tool_name, t.tool_output, t.is_error, r.role, r.conversation_id = t.conversation_id
        from main.tool_calls t left join main.messages r on r.message_id = t.result_message_id
        where t.platform = 'chatgpt'
        """
    )
    assert rows == [("python", "48213.75", False, "tool", True)]


# --------------------------------------------------------------------------------------------------
# Copilot Chat
# --------------------------------------------------------------------------------------------------


def test_copilot_conversations_and_titles(pipeline: Pipeline) -> None:
    p = pipeline
    rows = p.rows(
        """
        select native_session_id, total_messages, total_uncached_input_tokens,
               total_output_tokens, title
        from main.conversations where platform = 'copilot_chat'
        """
    )
    got = {r[0]: r[1:] for r in rows}
    assert set(got) == set(COPILOT_SESSIONS)
    for session, expected in COPILOT_SESSIONS.items():
        assert got[session] == expected, session
    summaries = p.rows("select type, text from main.summaries where platform = 'copilot_chat'")
    assert sorted(summaries) == sorted(("title", t) for t in COPILOT_TITLES)


def test_copilot_messages_and_tokens(pipeline: Pipeline) -> None:
    p = pipeline
    assert _by_role(p, "copilot_chat") == {"user": 7, "assistant": 7}
    assert p.rows(
        """
        select count(*) filter (where input_tokens is not null),
               sum(input_tokens), sum(output_tokens),
               count(cache_read_tokens), count(cache_write_tokens)
        from main.messages where platform = 'copilot_chat'
        """
    ) == [(3, 41572, 505, 0, 0)]
    tokens = sorted(
        p.rows(
            "select input_tokens, output_tokens from main.messages"
            " where platform = 'copilot_chat' and input_tokens is not null"
        )
    )
    assert tokens == [(4210, 35), (18342, 412), (19020, 58)]
    credits = p.one(
        "select sum(cast(json_extract(metadata, '$.copilot_credits') as double))"
        " from main.messages where platform = 'copilot_chat'"
    )
    assert credits == pytest.approx(1.33)
    # Copilot reports credits, not USD
    assert (
        p.one(
            "select count(*) from main.messages where platform = 'copilot_chat'"
            " and cost_source = 'reported'"
        )
        == 0
    )
    daily = p.rows(
        "select sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
        " sum(cache_write_tokens), sum(api_responses) from main.usage_daily"
        " where platform = 'copilot_chat'"
    )
    assert daily == [(41572, 505, None, None, 3)]  # cache columns null
    # 1 canceled request (metadata only), 1 failed one (is_api_error on its assistant message)
    flags = p.rows(
        """
        select count(*) filter (where json_extract(metadata, '$.is_canceled')::boolean),
               count(*) filter (where is_api_error)
        from main.messages where platform = 'copilot_chat' and role = 'assistant'
        """
    )
    assert flags == [(1, 1)]
    assert _blocks(p, "copilot_chat").total() == 34
    blocks = _blocks(p, "copilot_chat")
    assert (blocks["tool_use"], blocks["tool_result"], blocks["file_reference"]) == (5, 5, 5)


def _tool_invocations(node: Any, found: set[str]) -> None:
    """Every toolCallId of a toolInvocationSerialized part anywhere in a Copilot JSON value."""
    if isinstance(node, dict):
        if node.get("kind") == "toolInvocationSerialized" and node.get("toolCallId"):
            found.add(node["toolCallId"])
        for value in node.values():
            _tool_invocations(value, found)
    elif isinstance(node, list):
        for value in node:
            _tool_invocations(value, found)


def copilot_tool_call_ids() -> set[str]:
    found: set[str] = set()
    for path in sorted((COPILOT / "User").rglob("chatSessions/*")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            docs = [json.loads(text)]
        else:  # .jsonl: one mutation per line
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        for doc in docs:
            _tool_invocations(doc, found)
    return found


def test_every_copilot_tool_invocation_is_paired(pipeline: Pipeline) -> None:
    p = pipeline
    invocations = copilot_tool_call_ids()
    assert len(invocations) == 5  # README: 5 tool calls
    rows = p.rows(
        """
        select t.native_tool_use_id, t.tool_name, t.is_error, t.tool_output,
               t.result_message_id, r.conversation_id = t.conversation_id, c.role
        from main.tool_calls t
        left join main.messages r on r.message_id = t.result_message_id
        left join main.messages c on c.message_id = t.message_id
        where t.platform = 'copilot_chat'
        """
    )
    assert sorted(r[0] for r in rows) == sorted(invocations)
    for tool_id, _name, is_error, output, result_id, same_conv, caller_role in rows:
        assert result_id is not None, tool_id
        assert same_conv, tool_id
        assert caller_role == "assistant", tool_id
        assert output, tool_id
        assert is_error is not None, tool_id
    assert Counter(r[1] for r in rows) == {
        "copilot_runInTerminal": 2,
        "copilot_readFile": 1,
        "copilot_findTextInFiles": 1,
        "copilot_createFile": 1,
    }
    # the one failed call: request 1's copilot_runInTerminal (resultDetails.isError)
    errors = [(r[0], r[1]) for r in rows if r[2]]
    assert errors == [("3b1f6c2e-8a4d-4f7b-9e2c-5a6b7c8d9e01", "copilot_runInTerminal")]
