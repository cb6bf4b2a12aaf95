"""End to end: ``python -m extract run`` then ``dbt build``, checked against
examples/claude_code/README.md.

The bundled Claude Code examples come with exact expected figures
(examples/claude_code/README.md). These tests run the whole pipeline over them once per module
(extract into a tmp lake, dbt build into a tmp DuckDB file) and compare the marts with those
figures, then check that the pipeline is incremental and idempotent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "claude_code" / "projects"
PYTHON = sys.executable
DBT = str(Path(sys.executable).parent / "dbt")
EXCLUDE_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
CLAUDE_CODE = ("claude_code",)  # Pipeline.extract lands Claude Code files only


def only_platforms(platforms: tuple[str, ...], dbt_vars: dict[str, Any] | None = None) -> list[str]:
    """`dbt build` arguments for a lake that holds only ``platforms``: the unions read those
    platforms alone (var unified_platforms) and the other platforms' staging is left out. Their
    models would only build empty tables; a test over one platform's files builds in about
    two thirds of the time."""
    from extract.platforms import REGISTRY

    others = [f"path:models/staging/{name}" for name in REGISTRY if name not in platforms]
    return [
        "--vars",
        json.dumps({"unified_platforms": list(platforms), **(dbt_vars or {})}),
        *(["--exclude", *others] if others else []),
    ]


MARTS = (
    "conversations",
    "messages",
    "tool_calls",
    "summaries",
    "usage_daily",
    "dead_letter_records",
)

SESSION_A = "2120fc8c-cee5-4fe9-8cc6-5817272b53a4"
SESSION_B = "6889c91e-3005-4706-9936-3c9930cf43ac"
SESSION_C = "071674ee-0693-40d9-ba31-aadc19e3ecbf"
SESSION_D = "8de42401-6b82-4fe4-abe1-e08a7e114e68"
SESSION_E = "141337ac-f1e2-4441-8a72-7244d2a65227"
FILE_A = f"-home-dev-webapp/{SESSION_A}.jsonl"
FILE_B = f"-home-dev-webapp/{SESSION_B}.jsonl"
FILE_B_AGENT = "-home-dev-webapp/agent-302c6510.jsonl"
FILE_C_AGENT = f"-home-dev-data-pipeline/{SESSION_C}/subagents/agent-a9924f533fb80f3a7.jsonl"
FILE_D = f"-home-dev-webapp/{SESSION_D}.jsonl"

# B 1's leafUuid: A 26, the leaf of A.
LEAF_UUID = "4b6393dc-c8ee-4d59-8497-afdf5445fe45"
# A 1-8, copied verbatim into B 2-9 by the resume.
COPIED_UUIDS = (
    "c6c4ee2e-3b9e-4ad5-aede-80a3ba89e31d",
    "e25c7c4a-e65c-45db-be6f-a6127ea696c3",
    "27b5b436-2d3b-48cf-bc1f-0d332d21d0d3",
    "28c3161c-2019-477d-9e92-fa7d60e9e823",
    "2fffbe99-2a4e-4f32-a475-d8c92459826d",
    "c3c47f3c-e4ee-4f02-97f7-95d9cab54aa3",
    "3a5dec37-e6f2-43cc-ac5e-c9febe946de7",
    "357d8f15-9f56-4c85-b1da-c44d0bdea2b9",
)
# D's last line (the final assistant answer); the appended lines continue from it.
LAST_UUID_D = "7f7fb9db-9d28-4acc-b1f6-32003f8b237a"

# examples/claude_code/README.md "Expected figures":
# day -> (api responses, input, output, cache creation, cache read)
EXPECTED_DAILY = {
    date(2026, 10, 27): (11, 68, 1424, 31491, 153540),
    date(2026, 10, 29): (16, 75, 1648, 50161, 197076),
    date(2026, 11, 3): (9, 67, 1255, 42534, 93898),
}
TOTAL_OUTPUT = 4327
TOTAL_INPUT_ALL = 210 + 124186 + 444514  # uncached + cache creation + cache read = 568910


# --------------------------------------------------------------------------------------------------
# Helpers (also used by test_ccusage_samples.py)
# --------------------------------------------------------------------------------------------------


def _tail(text: str, n: int = 60) -> str:
    return "\n".join(text.splitlines()[-n:])


def run_extract(lake: Path, source: Path) -> None:
    """``python -m extract run --quiet --source claude_code=<source>`` into ``lake``."""
    env = {**os.environ, "LAKE_URI": str(lake)}
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", "--source", f"claude_code={source}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (
        f"extract failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )


def run_dbt(
    work: Path,
    lake: Path,
    warehouse: Path,
    *,
    with_tests: bool = False,
    platforms: tuple[str, ...] | None = None,
) -> None:
    """``dbt build`` from the repo root; target/logs go to ``work`` so parallel runs don't clash.

    Seeds and models only unless ``with_tests``: the data and unit tests run over the examples in
    `make test-dbt` and on both adapters in test_postgres; these end-to-end tests check the marts'
    values, and building without the 400-odd data tests makes each of them several times faster.
    With ``platforms`` (a lake of those platforms only), the others' staging is left out
    (``only_platforms``).
    """
    env = {
        **os.environ,
        "LAKE_URI": str(lake),
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            DBT,
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            *([] if with_tests else EXCLUDE_TESTS),
            *(only_platforms(platforms) if platforms else []),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (
        f"dbt build failed ({proc.returncode}):\n{_tail(proc.stdout)}\n{proc.stderr}"
    )


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one query on a read-only connection that is closed straight away (dbt needs the lock)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(warehouse: Path, sql: str, params: list[Any] | None = None) -> Any:
    result = query(warehouse, sql, params)
    assert len(result) == 1, result
    return result[0][0]


@dataclass(frozen=True)
class Pipeline:
    work: Path
    lake: Path
    warehouse: Path
    # the platforms its lake holds, when they are known to be only these (run_dbt's ``platforms``)
    platforms: tuple[str, ...] | None = None

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return query(self.warehouse, sql, params)

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        return scalar(self.warehouse, sql, params)

    def extract(self, source: Path) -> None:
        run_extract(self.lake, source)

    def build(self) -> None:
        run_dbt(self.work, self.lake, self.warehouse, platforms=self.platforms)


def daily_totals(p: Pipeline) -> dict[date, tuple[int, ...]]:
    rows = p.rows(
        """
        select usage_date, sum(api_responses), sum(input_tokens), sum(output_tokens),
               sum(cache_write_tokens), sum(cache_read_tokens)
        from main.usage_daily group by usage_date order by usage_date
        """
    )
    # a day whose messages carry no tokens has null totals (null, not zero): 0 here for comparison
    return {r[0]: tuple(int(v) if v is not None else 0 for v in r[1:]) for r in rows}


def snapshot(p: Pipeline) -> dict[str, Any]:
    """Row counts of every mart and the token totals, to compare runs."""
    counts = {mart: p.one(f"select count(*) from main.{mart}") for mart in MARTS}
    conv_tokens = p.rows(
        """
        select sum(total_input_tokens), sum(total_uncached_input_tokens), sum(total_output_tokens),
               sum(total_cache_read_tokens), sum(total_cache_write_tokens), sum(total_messages)
        from main.conversations
        """
    )[0]
    msg_tokens = p.rows(
        """
        select sum(input_tokens), sum(output_tokens),
               sum(cache_read_tokens), sum(cache_write_tokens)
        from main.messages
        """
    )[0]
    return {
        "counts": counts,
        "conversation_tokens": tuple(int(v) for v in conv_tokens),
        "message_tokens": tuple(int(v) for v in msg_tokens),
        "daily": daily_totals(p),
    }


def conversation_id(p: Pipeline, session: str) -> str:
    return p.one(
        "select conversation_id from main.conversations where native_session_id = ?", [session]
    )


# --------------------------------------------------------------------------------------------------
# The pipeline, once per module
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    work = tmp_path_factory.mktemp("e2e")
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb", platforms=CLAUDE_CODE)
    p.extract(EXAMPLES)
    p.build()
    return p


# --------------------------------------------------------------------------------------------------
# usage_daily
# --------------------------------------------------------------------------------------------------


def test_usage_daily_matches_readme(pipeline: Pipeline) -> None:
    assert daily_totals(pipeline) == EXPECTED_DAILY


def test_usage_daily_total_input_is_disjoint_sum(pipeline: Pipeline) -> None:
    bad = pipeline.one(
        """
        select count(*) from main.usage_daily
        where total_input_tokens != input_tokens + cache_read_tokens + cache_write_tokens
        """
    )
    assert bad == 0


# --------------------------------------------------------------------------------------------------
# conversations
# --------------------------------------------------------------------------------------------------


def test_conversations(pipeline: Pipeline) -> None:
    p = pipeline
    assert p.one("select count(*) from main.conversations") == 5
    assert p.one("select count(distinct raw_checksum) from main.conversations") == 5
    assert p.one("select count(*) from main.conversations where raw_checksum is null") == 0
    assert {r[0] for r in p.rows("select native_session_id from main.conversations")} == {
        SESSION_A,
        SESSION_B,
        SESSION_C,
        SESSION_D,
        SESSION_E,
    }
    assert p.one("select sum(total_output_tokens) from main.conversations") == TOTAL_OUTPUT
    assert p.one("select sum(total_input_tokens) from main.conversations") == TOTAL_INPUT_ALL
    assert p.one("select sum(total_uncached_input_tokens) from main.conversations") == 210
    assert p.one("select sum(total_cache_write_tokens) from main.conversations") == 124186
    assert p.one("select sum(total_cache_read_tokens) from main.conversations") == 444514


def test_conversation_input_tokens_are_disjoint(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select native_session_id, total_input_tokens, total_uncached_input_tokens,
               total_cache_read_tokens, total_cache_write_tokens
        from main.conversations
        """
    )
    for session, total, uncached, read, write in rows:
        assert total == uncached + read + write, (session, total, uncached, read, write)


def test_resumed_session_points_at_its_parent(pipeline: Pipeline) -> None:
    p = pipeline
    parent = p.one(
        "select parent_conversation_id from main.conversations where native_session_id = ?",
        [SESSION_B],
    )
    assert parent is not None
    assert parent == conversation_id(p, SESSION_A)


# --------------------------------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------------------------------


def test_messages_count_and_unique_ids(pipeline: Pipeline) -> None:
    p = pipeline
    assert p.one("select count(*) from main.messages") == 92
    assert p.one("select count(distinct message_id) from main.messages") == 92
    assert p.one("select count(distinct native_message_id) from main.messages") == 92


def test_message_roles(pipeline: Pipeline) -> None:
    # README: 92 distinct uuids = 42 user / 45 assistant / 5 system; of the 42 user lines the 22
    # tool_result-only ones are role 'tool', the other 20 are 'user'.
    roles = dict(pipeline.rows("select role, count(*) from main.messages group by role"))
    assert roles == {"user": 20, "tool": 22, "assistant": 45, "system": 5}


def test_resume_copies_land_once_under_the_original(pipeline: Pipeline) -> None:
    p = pipeline
    conv_a = conversation_id(p, SESSION_A)
    rows = p.rows(
        "select native_message_id, copies_landed, conversation_id from main.messages"
        " where copies_landed = 2"
    )
    assert len(rows) == 8
    assert {r[0] for r in rows} == set(COPIED_UUIDS)
    assert {r[2] for r in rows} == {conv_a}
    # nothing else is a folded duplicate
    assert (
        p.one("select count(*) from main.messages where copies_landed != 1 and copies_landed != 2")
        == 0
    )
    # each copied uuid is one row
    counts = p.rows(
        "select native_message_id, count(*) from main.messages where native_message_id in "
        f"({', '.join('?' for _ in COPIED_UUIDS)}) group by 1",
        list(COPIED_UUIDS),
    )
    assert sorted(counts) == sorted((u, 1) for u in COPIED_UUIDS)


def test_one_usage_line_per_api_response(pipeline: Pipeline) -> None:
    p = pipeline
    per_response = p.rows(
        """
        select api_response_id, count(*) filter (where is_usage_line) as usage_lines
        from main.messages where api_response_id is not null group by 1
        """
    )
    assert per_response, "no api responses"
    assert [r for r in per_response if r[1] != 1] == []
    # 36 real API responses (README); the <synthetic> line is not one (checked below)
    assert (
        p.one("select count(*) from main.messages where is_usage_line and model != '<synthetic>'")
        == 36
    )
    not_usage_with_tokens = p.one(
        """
        select count(*) from main.messages
        where api_response_id is not null and not is_usage_line
          and (input_tokens is not null or output_tokens is not null
               or cache_read_tokens is not null or cache_write_tokens is not null)
        """
    )
    assert not_usage_with_tokens == 0


def test_synthetic_message_has_no_tokens(pipeline: Pipeline) -> None:
    rows = pipeline.rows(
        """
        select native_message_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
        from main.messages where model = '<synthetic>'
        """
    )
    assert len(rows) == 1  # D 9
    for row in rows:
        # usage all zeros in the file; it is not an API response, so no usage at all
        assert row[1:] == (None, None, None, None), row
    assert (
        pipeline.one(
            "select count(*) from main.messages where model = '<synthetic>'"
            " and (is_usage_line or api_response_id is not null)"
        )
        == 0
    )


def test_sidechains_in_all_three_layouts(pipeline: Pipeline) -> None:
    p = pipeline
    rows = p.rows(
        "select source_uri, record_locator, conversation_id from main.messages where is_sidechain"
    )
    conv = {s: conversation_id(p, s) for s in (SESSION_A, SESSION_B, SESSION_C)}

    # (a) 1.0.x inline: A 11-14
    inline = sorted((r[1], r[2]) for r in rows if r[0].endswith(FILE_A))
    assert inline == sorted((f"line:{n}", conv[SESSION_A]) for n in range(11, 15))
    # (b) 2.0.x agent-<8 hex>.jsonl: B' 1-7, all in B's conversation
    agent_b = [r for r in rows if r[0].endswith(FILE_B_AGENT)]
    assert len(agent_b) == 7
    assert {r[2] for r in agent_b} == {conv[SESSION_B]}
    # (c) 2.1.x <session>/subagents/agent-<17 hex>.jsonl: C' 1-6, all in C's conversation
    agent_c = [r for r in rows if r[0].endswith(FILE_C_AGENT)]
    assert len(agent_c) == 6
    assert {r[2] for r in agent_c} == {conv[SESSION_C]}
    # every message of the subagent files is a sidechain one
    for suffix in (FILE_B_AGENT, FILE_C_AGENT):
        not_side = p.one(
            "select count(*) from main.messages"
            " where source_uri like ? and not coalesce(is_sidechain, false)",
            [f"%{suffix}"],
        )
        assert not_side == 0, suffix
    assert len(rows) == 4 + 7 + 6


# --------------------------------------------------------------------------------------------------
# tool_calls, summaries, dead letters
# --------------------------------------------------------------------------------------------------


def test_tool_calls(pipeline: Pipeline) -> None:
    p = pipeline
    assert p.one("select count(*) from main.tool_calls") == 23
    assert p.one("select count(distinct native_tool_use_id) from main.tool_calls") == 23
    assert p.one("select count(*) from main.tool_calls where result_message_id is not null") == 22
    assert p.one("select count(*) from main.tool_calls where is_error") == 2
    by_name = dict(p.rows("select tool_name, count(*) from main.tool_calls group by 1"))
    assert by_name == {
        "Bash": 8,
        "Task": 3,
        "Write": 3,
        "Read": 3,
        "Glob": 2,
        "Edit": 2,
        "Grep": 1,
        "TodoWrite": 1,
    }


def test_session_summary_points_at_the_leaf(pipeline: Pipeline) -> None:
    p = pipeline
    leaf_id = p.one("select message_id from main.messages where native_message_id = ?", [LEAF_UUID])
    summaries = p.rows(
        "select covers_message_ids from main.summaries where type = 'session_summary'"
    )
    assert summaries
    assert any(leaf_id in json.loads(covers or "[]") for (covers,) in summaries), summaries


def test_dead_letters(pipeline: Pipeline) -> None:
    rows = pipeline.rows("select source_uri, record_locator, reason from main.dead_letter_records")
    assert len(rows) == 1, rows
    source_uri, locator, reason = rows[0]
    assert source_uri.endswith(FILE_B), source_uri
    assert locator == "line:25"
    assert reason and reason.strip()


def _dead_letter_test(p: Pipeline, threshold: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            DBT,
            "test",
            "--profiles-dir",
            ".",
            "--select",
            "assert_dead_letters_below_threshold",
            "--vars",
            json.dumps({"dead_letter_error_threshold": threshold}),
            "--target-path",
            str(p.work / "target"),
            "--log-path",
            str(p.work / "logs"),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "LAKE_URI": str(p.lake), "WAREHOUSE_PATH": str(p.warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dead_letters_warn_then_fail_past_the_threshold(pipeline: Pipeline) -> None:
    """One dead letter: a warning at the default threshold, a failure when the threshold is 0."""
    warned = _dead_letter_test(pipeline, 1)
    assert warned.returncode == 0, warned.stdout
    assert "WARN 1 assert_dead_letters_below_threshold" in warned.stdout
    failed = _dead_letter_test(pipeline, 0)
    assert failed.returncode == 1, failed.stdout
    assert "FAIL 1 assert_dead_letters_below_threshold" in failed.stdout


# --------------------------------------------------------------------------------------------------
# Incremental and idempotent
# --------------------------------------------------------------------------------------------------


def _appended_lines() -> tuple[bytes, dict[str, int]]:
    """A user line and an assistant line for D, on a new day, with known usage."""
    usage = {"input_tokens": 7, "output_tokens": 11, "cache_read": 17, "cache_write": 13}
    envelope = {
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/webapp",
        "sessionId": SESSION_D,
        "version": "2.0.14",
        "gitBranch": "feature/login",
    }
    user_uuid = "0d6a1e52-8c1f-4f4b-9a51-6f0e3c2b7d11"
    assistant_uuid = "5b9e2c47-31aa-4c3e-8f0d-2e7a9c6b4f22"
    user = {
        "parentUuid": LAST_UUID_D,
        **envelope,
        "type": "user",
        "message": {"role": "user", "content": "thanks, now open the PR"},
        "uuid": user_uuid,
        "timestamp": "2026-10-30T09:15:00.000Z",
    }
    assistant = {
        "parentUuid": user_uuid,
        **envelope,
        "message": {
            "model": "claude-sonnet-4-5-20250929",
            "id": "msg_01AppendedTestMessage0001",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "Opened the pull request."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage["input_tokens"],
                "cache_creation_input_tokens": usage["cache_write"],
                "cache_read_input_tokens": usage["cache_read"],
                "cache_creation": {
                    "ephemeral_5m_input_tokens": usage["cache_write"],
                    "ephemeral_1h_input_tokens": 0,
                },
                "output_tokens": usage["output_tokens"],
                "service_tier": "standard",
            },
        },
        "requestId": "req_011CAppendedTestRequest01",
        "type": "assistant",
        "uuid": assistant_uuid,
        "timestamp": "2026-10-30T09:15:04.000Z",
    }
    data = b"".join(
        json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in (user, assistant)
    )
    return data, usage


def test_incremental_and_idempotent(pipeline: Pipeline, tmp_path: Path) -> None:
    # Work on a copy of the module's lake and warehouse so the other tests keep the baseline.
    p = Pipeline(tmp_path, tmp_path / "lake", tmp_path / "w.duckdb", platforms=CLAUDE_CODE)
    shutil.copytree(pipeline.lake, p.lake)
    shutil.copy(pipeline.warehouse, p.warehouse)
    baseline = snapshot(p)
    assert baseline["counts"]["messages"] == 92
    assert baseline["daily"] == EXPECTED_DAILY

    # 1. Same folder again: nothing changes in any mart.
    p.extract(EXAMPLES)
    p.build()
    again = snapshot(p)
    assert again == baseline

    # 2. A copy of the tree with two lines appended to D: exactly 2 more messages, and the
    # added tokens on their day.
    copy = tmp_path / "copy" / "projects"
    shutil.copytree(EXAMPLES, copy)
    data, usage = _appended_lines()
    target = copy / FILE_D
    assert target.read_bytes().endswith(b"\n")
    with target.open("ab") as fh:
        fh.write(data)
    p.extract(copy)
    p.build()
    after = snapshot(p)

    assert after["counts"]["messages"] == baseline["counts"]["messages"] + 2
    assert after["counts"]["conversations"] == baseline["counts"]["conversations"]
    assert after["counts"]["tool_calls"] == baseline["counts"]["tool_calls"]
    assert after["counts"]["summaries"] == baseline["counts"]["summaries"]

    expected_daily = dict(EXPECTED_DAILY)
    expected_daily[date(2026, 10, 30)] = (
        1,
        usage["input_tokens"],
        usage["output_tokens"],
        usage["cache_write"],
        usage["cache_read"],
    )
    assert after["daily"] == expected_daily

    added_input = usage["input_tokens"] + usage["cache_write"] + usage["cache_read"]
    b_in, b_uncached, b_out, b_read, b_write, b_msgs = baseline["conversation_tokens"]
    assert after["conversation_tokens"] == (
        b_in + added_input,
        b_uncached + usage["input_tokens"],
        b_out + usage["output_tokens"],
        b_read + usage["cache_read"],
        b_write + usage["cache_write"],
        b_msgs + 2,
    )

    # The two new messages belong to D.
    conv_d = conversation_id(p, SESSION_D)
    new = p.rows(
        """
        select role, conversation_id,
               input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
        from main.messages where native_message_id in (?, ?) order by role desc
        """,
        ["0d6a1e52-8c1f-4f4b-9a51-6f0e3c2b7d11", "5b9e2c47-31aa-4c3e-8f0d-2e7a9c6b4f22"],
    )
    assert new == [
        ("user", conv_d, None, None, None, None),
        (
            "assistant",
            conv_d,
            usage["input_tokens"],
            usage["output_tokens"],
            usage["cache_read"],
            usage["cache_write"],
        ),
    ]
