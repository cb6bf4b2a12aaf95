"""End to end: a conversation with planted fake secrets shows up in the secret_findings mart at
the right places, and the same conversation extracted with ``--redact`` shows up with none.

One lake, two conversations of the fixture extract/tests/fixtures/privacy: as written (session
LEAKY) and a copy under another session id extracted with ``--redact`` (session MASKED). The
mart and what it reads are built once on DuckDB and, when a PostgreSQL server answers, once on
PostgreSQL after ``extract load``; the two must hold the same rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extract.redact import find_secrets, load_patterns
from extract.tests.test_end_to_end import DBT, PYTHON, REPO_ROOT, _tail, only_platforms, query
from extract.tests.test_postgres import _server_env, monkeypatch_module, pg_database

__all__ = ["monkeypatch_module", "pg_database"]  # fixtures, found here by pytest

FIXTURE = REPO_ROOT / "extract" / "tests" / "fixtures" / "privacy" / "projects"
LEAKY = "5e0c2b7a-9d41-4c8e-b3f6-2a7d9e1c4b58"
MASKED = "9b3f1d6e-2c85-4a07-8e1b-6d4c2f9a7e30"
SECOND = "c41e8a2d-7b30-4f95-a6d2-0e9b3c5f1a77"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
OPENAI_KEY = "sk-proj-Xq7fK2mN9pL4vR8tW1yZ3bC6dE0gH5jS_-Ab"
GITHUB_TOKEN = "ghp_R4nD0mF4k3T0k3nV4lu3F0rT3st1ng0nLy42"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXBsb3kifQ.c2lnbmF0dXJlLW5vdC1yZWFs"
COLUMNS = (
    "finding_id, platform, conversation_id, message_id, tool_call_id, location, kind, position, "
    "match_length, fingerprint, schema_version"
)
# the text each location points into
TEXTS = """
    select f.finding_id, f.kind, f.location, f.position, f.match_length,
        case f.location when 'message_text' then m.content_text
            when 'tool_input' then t.tool_input else t.tool_output end as searched
    from main.secret_findings as f
    left join main.messages as m on f.location = 'message_text' and m.message_id = f.message_id
    left join main.tool_calls as t on t.tool_call_id = f.tool_call_id
"""


def _run(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"{args[:4]} failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return proc.stdout


MARTS = ("+secret_findings", "+conversations", "+messages", "+tool_calls")
# what an incremental build needs as well: the record of what it was built from
INCREMENTAL = ("+secret_findings", "+int_lake_scopes_built")


def _dbt_build(
    work: Path,
    lake: Path,
    warehouse: Path,
    target: str,
    env: dict[str, str] | None = None,
    select: tuple[str, ...] = MARTS,
) -> None:
    """The mart, what it reads, and the marts the tests read the texts from; unit and data tests
    run in `make test-dbt`."""
    _run(
        [
            DBT,
            "build",
            "--profiles-dir",
            ".",
            "--target",
            target,
            "--select",
            *select,
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            *only_platforms(("claude_code",)),  # every test here lands Claude Code files only
            "--target-path",
            str(work / f"target-{target}"),
            "--log-path",
            str(work / f"logs-{target}"),
        ],
        {**(env or {}), "LAKE_URI": str(lake), "WAREHOUSE_PATH": str(warehouse)},
    )


def _session_copy(
    dest: Path, session: str, letter: str, rewrites: tuple[tuple[str, str], ...] = ()
) -> Path:
    """The fixture under another session, its message ids starting with `letter`, not `p`, and
    any other `rewrites` (old, new) of its text."""
    for path in FIXTURE.rglob("*.jsonl"):
        out = dest / path.relative_to(FIXTURE).parent / f"{session}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8").replace(LEAKY, session)
        for old, new in (
            ('"p-', f'"{letter}-'),
            ("toolu_p", f"toolu_{letter}"),
            ("msg_p", f"msg_{letter}"),
            ("req_p", f"req_{letter}"),
            *rewrites,
        ):
            text = text.replace(old, new)
        out.write_text(text, encoding="utf-8")
    return dest


def _masked_copy(dest: Path) -> Path:
    """The fixture under another session (and message ids), to extract with --redact."""
    return _session_copy(dest, MASKED, "m")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("secrets")
    lake, warehouse = work / "lake", work / "w.duckdb"
    extract = [PYTHON, "-m", "extract", "run", "--quiet", "--lake", str(lake)]
    _run([*extract, "--source", f"claude_code={FIXTURE}"], {})
    masked = _masked_copy(work / "masked")
    _run([*extract, "--redact", "--source", f"claude_code={masked}"], {})
    _run([PYTHON, "-m", "extract", "init", "--quiet", "--lake", str(lake)], {})
    _dbt_build(work, lake, warehouse, "duckdb")
    return {"work": work, "lake": lake, "warehouse": warehouse}


def _conversation_of(warehouse: Path, session: str) -> str:
    rows = query(
        warehouse,
        "select conversation_id from main.conversations where native_session_id = ?",
        [session],
    )
    assert len(rows) == 1, rows
    return str(rows[0][0])


def _conversation(built: dict[str, Path], session: str) -> str:
    return _conversation_of(built["warehouse"], session)


def _prompt() -> str:
    path = next(FIXTURE.rglob("*.jsonl"))
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    return str(first["message"]["content"])


def test_the_planted_secrets_are_found_where_they_are(built: dict[str, Path]) -> None:
    leaky = _conversation(built, LEAKY)
    rows = query(
        built["warehouse"],
        "select location, kind, position, match_length, fingerprint, tool_call_id is null"
        " from main.secret_findings where conversation_id = ? order by location, position",
        [leaky],
    )
    prompt = _prompt()
    sha = {s: hashlib.sha256(s.encode()).hexdigest()[:8] for s in (AWS_KEY, OPENAI_KEY)}
    assert rows[:2] == [
        (
            "message_text",
            "aws_access_key_id",
            prompt.index(AWS_KEY) + 1,
            len(AWS_KEY),
            sha[AWS_KEY],
            True,
        ),
        (
            "message_text",
            "openai_api_key",
            prompt.index(OPENAI_KEY) + 1,
            len(OPENAI_KEY),
            sha[OPENAI_KEY],
            True,
        ),
    ]
    # the prompt has non-ASCII characters before the keys: positions count characters
    assert prompt.index(AWS_KEY) != len(prompt[: prompt.index(AWS_KEY)].encode())
    assert [r[:2] + r[5:] for r in rows[2:]] == [
        ("tool_input", "github_token", False),
        ("tool_output", "jwt", False),
    ]


def test_each_finding_points_at_its_secret(built: dict[str, Path]) -> None:
    """substr(column, position, match_length) is the planted secret, on every row."""
    found = query(
        built["warehouse"],
        f"select kind, substr(searched, position, match_length) from ({TEXTS})",
    )
    assert sorted(found) == sorted(
        [
            ("aws_access_key_id", AWS_KEY),
            ("openai_api_key", OPENAI_KEY),
            ("github_token", GITHUB_TOKEN),
            ("jwt", JWT),
        ]
    )


def test_the_mart_agrees_with_the_python_patterns(built: dict[str, Path]) -> None:
    """Every text the mart searched, searched again by extract/redact.py: the same findings."""
    patterns = load_patterns()
    texts = query(
        built["warehouse"],
        "select content_text from main.messages where content_text is not null"
        " union all select tool_input from main.tool_calls where tool_input is not null"
        " union all select tool_output from main.tool_calls where tool_output is not null",
    )
    expected = sorted(
        (f.kind, f.position, f.length, f.fingerprint)
        for (text,) in texts
        for f in find_secrets(text, patterns)
    )
    got = query(
        built["warehouse"],
        "select kind, position, match_length, fingerprint from main.secret_findings",
    )
    assert sorted(got) == expected


def test_the_redacted_conversation_has_no_findings(built: dict[str, Path]) -> None:
    masked = _conversation(built, MASKED)
    assert query(
        built["warehouse"],
        "select count(*) from main.secret_findings where conversation_id = ?",
        [masked],
    ) == [(0,)]
    texts = query(
        built["warehouse"],
        "select content_text from main.messages where conversation_id = ? and"
        " content_text like '%[REDACTED:%' order by sequence_number",
        [masked],
    )
    assert texts == [
        (
            _prompt()
            .replace(AWS_KEY, "[REDACTED:aws_access_key_id]")
            .replace(OPENAI_KEY, "[REDACTED:openai_api_key]"),
        )
    ]


# ------------------------------------------------------------------------------------------------
# Incremental scanning
# ------------------------------------------------------------------------------------------------


def _execute(warehouse: Path, sql: str) -> None:
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_the_scan_is_incremental_until_the_patterns_change(tmp_path: Path) -> None:
    """A re-run scans only the conversations that changed, and keeps the other findings as they
    are; once the patterns differ from the last complete scan's, it scans every text again. The
    result equals a build from scratch of the same lake."""
    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    extract = [PYTHON, "-m", "extract", "run", "--quiet", "--lake", str(lake)]
    _run([*extract, "--source", f"claude_code={FIXTURE}"], {})
    _dbt_build(tmp_path, lake, warehouse, "duckdb", select=INCREMENTAL)
    scanned = "select conversation_id, fingerprint from main.int_secret_findings_scanned"
    assert len(query(warehouse, scanned)) == 4
    # a mark that only a scan of the conversation again would overwrite
    _execute(warehouse, "update main.int_secret_findings_scanned set fingerprint = 'unscanned'")

    # a second conversation with the same secrets (another day, another prompt: no duplicate of
    # the first) lands: the re-run scans it alone
    second_copy = _session_copy(
        tmp_path / "second",
        SECOND,
        "q",
        (("2026-02-03T10:", "2026-02-04T11:"), ("Deploy café", "Ship café")),
    )
    _run([*extract, "--source", f"claude_code={second_copy}"], {})
    _dbt_build(tmp_path, lake, warehouse, "duckdb", select=INCREMENTAL)
    leaky, second = _conversation_of(warehouse, LEAKY), _conversation_of(warehouse, SECOND)
    rows = query(warehouse, scanned)
    assert sorted(f for c, f in rows if c == leaky) == ["unscanned"] * 4
    assert len([f for c, f in rows if c == second and f != "unscanned"]) == 4

    # the patterns of the last complete scan were others: nothing new, and every text is scanned
    _execute(
        warehouse,
        "update main.int_secret_patterns_scanned set patterns_fingerprint = 'older patterns'",
    )
    _dbt_build(tmp_path, lake, warehouse, "duckdb", select=INCREMENTAL)
    assert [f for _, f in query(warehouse, scanned) if f == "unscanned"] == []
    marker = "select patterns_fingerprint from main.int_secret_patterns_scanned"
    assert query(warehouse, marker) != [("older patterns",)]

    scratch = tmp_path / "scratch.duckdb"
    _dbt_build(tmp_path, lake, scratch, "duckdb", select=INCREMENTAL)
    mart = f"select {COLUMNS} from main.secret_findings order by finding_id"
    assert query(warehouse, mart) == query(scratch, mart)
    assert len(query(warehouse, mart)) == 8


# ------------------------------------------------------------------------------------------------
# PostgreSQL: the same rows
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_built(built: dict[str, Path], pg_database: str) -> str:
    """The same lake loaded into a fresh PostgreSQL database (test_postgres's) and built there."""
    env = _server_env(pg_database)
    _run([PYTHON, "-m", "extract", "load", "--lake", str(built["lake"])], env)
    _dbt_build(built["work"], built["lake"], built["warehouse"], "postgres", env)
    return pg_database


def _pg(database: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg2

    env = _server_env(database)
    conn = psycopg2.connect(
        host=env["PGHOST"],
        port=int(env["PGPORT"]),
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname=database,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def test_postgres_finds_the_same_rows(built: dict[str, Path], pg_built: str) -> None:
    """The same findings (ids included); positions too, except in a tool input: JSON text whose
    keys PostgreSQL sorts (the fixture's tool input lists `description` before `command`)."""
    pg = _pg(pg_built, f"select {COLUMNS} from analytics.secret_findings")
    duck = query(built["warehouse"], f"select {COLUMNS} from main.secret_findings")
    assert len(duck) == 4

    def without_tool_input_positions(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted((*r[:7], None if r[5] == "tool_input" else r[7], *r[8:]) for r in rows)

    assert without_tool_input_positions(pg) == without_tool_input_positions(duck)
    position = {r[5]: r[7] for r in pg}, {r[5]: r[7] for r in duck}
    assert position[0]["tool_input"] != position[1]["tool_input"]
    found = _pg(
        pg_built,
        "select substr(t.tool_input, f.position, f.match_length) from analytics.secret_findings f"
        " join analytics.tool_calls t on t.tool_call_id = f.tool_call_id"
        " where f.location = 'tool_input'",
    )
    assert found == [(GITHUB_TOKEN,)]


def test_postgres_raw_tables_keep_the_original_checksum(pg_built: str) -> None:
    rows = _pg(
        pg_built,
        "select raw_text like '%[REDACTED:%', count(*), count(original_checksum)"
        " from raw.claude_code group by 1 order by 1",
    )
    assert rows == [(False, 5, 0), (True, 3, 3)]
