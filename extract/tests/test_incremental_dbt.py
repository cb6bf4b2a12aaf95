"""Incremental dbt builds: a re-run recomputes what is new and gives what a full rebuild gives.

One lake, one warehouse built from scratch, then more lands (a new Claude Code session that
resumes an old one under a new id, a grown session, a rewritten file landed again as a new
version, a second ChatGPT export holding a conversation the first one has, a new Roo Code task)
and the warehouse is built again incrementally; then once more with nothing new. A copy of that
warehouse rebuilt with ``--full-refresh`` must hold the same rows in every mart and every
incremental model (macros/incremental.sql).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract.platforms import REGISTRY
from extract.tests.test_end_to_end import (
    DBT,
    EXCLUDE_TESTS,
    FILE_A,
    FILE_D,
    PYTHON,
    REPO_ROOT,
    SESSION_A,
    SESSION_E,
    _appended_lines,
    _tail,
    query,
)
from extract.tests.test_postgres import (  # noqa: F401 (module fixtures used below)
    PER_INVOCATION_COLUMNS,
    PER_WAREHOUSE_ROWS,
    _pg_rows,
    _rows,
    monkeypatch_module,
    pg_database,
)

EXAMPLES = REPO_ROOT / "examples"
MARTS = sorted(p.stem for p in (REPO_ROOT / "models" / "marts").rglob("*.sql"))
# the models an incremental build replaces part of (macros/incremental.sql), besides the marts
INCREMENTAL_MODELS = (
    "stg_claude_code__thread_links",
    "int_messages_unioned",
    "int_content_blocks_unioned",
    "int_summaries_unioned",
    "int_dead_letters_unioned",
    "int_message_copies_ranked",
    "int_messages_deduplicated",
    "int_content_blocks_deduplicated",
    "int_message_contents_aggregated",
    "int_messages_priced",
    "int_messages_fingerprinted",
    "int_messages_threaded",
    "int_sidechains_linked",
    "int_tool_calls_paired",
    "int_conversation_versions_tracked",
    "int_conversations_aggregated",
    "int_secret_findings_scanned",
)
RESUMED_SESSION = "5f0c7a3e-9b2d-4c61-8e47-1d2a3b4c5d6e"
FILE_E = f"-home-dev-data-pipeline/{SESSION_E}.jsonl"
ROO_TASKS = "roo_code/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks"
ROO_TASK = "c41e8a07-92d6-4b3f-a15e-7f0d2b9c6e58"
ROO_NEW_TASK = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
COPILOT_WORKSPACES = "copilot_chat/User/workspaceStorage"
COPILOT_WORKSPACE = "5f0c3e1a9b7d42c8e6a1f3b5d7c9e2a4"
COPILOT_SESSION = "e4d3c2b1-a098-4f7e-8d6c-5b4a39281706"
COPILOT_NEW_SESSION = "1f2e3d4c-5b6a-4798-8a6b-5c4d3e2f1a0b"
COPILOT_MOVED_WORKSPACE = "b81d4e6f2a3c5b7d9e0f1a2b3c4d5e6f"
COPILOT_MOVED_SESSION = "c0ffee00-1234-4abc-8def-0123456789ab"
CONTINUE_NEW_SESSION = "7e6d5c4b-3a29-4f18-9e07-d6c5b4a39281"
CLINE_STORAGE = "cline/Code/User/globalStorage/saoudrizwan.claude-dev"
CLINE_TASK = "1772617287530"
CLINE_NEW_TASK = "1772703687530"
CLINE_RETITLED_TASK = "1772460312118"
COUNTS_CARRIED = "base_lake__scopes: no raw record landed since its last build"


def _run(args: list[str], env: dict[str, str], timeout: int = 900) -> str:
    proc = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{args[:4]} failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return proc.stdout


def _extract(lake: Path, sources: Path) -> None:
    args = [PYTHON, "-m", "extract", "run", "--quiet", "--lake", str(lake)]
    for name, platform in REGISTRY.items():
        args += ["--source", f"{name}={platform.example_root(sources)}"]
    _run(args, {"LAKE_URI": str(lake)})


def _build(work: Path, lake: Path, warehouse: Path, *args: str, target: str = "duckdb") -> str:
    return _run(
        [
            DBT,
            "build",
            "--profiles-dir",
            ".",
            "--target",
            target,
            "--target-path",
            str(work / f"target-{target}"),
            "--log-path",
            str(work / f"logs-{target}"),
            *EXCLUDE_TESTS,
            *args,
        ],
        {"LAKE_URI": str(lake), "WAREHOUSE_PATH": str(warehouse)},
    )


def _load(lake: Path) -> None:
    """``extract load``: the lake files not loaded yet into PostgreSQL's raw schema."""
    _run([PYTHON, "-m", "extract", "load", "--lake", str(lake), "--json"], {})


def _jsonl(lines: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in lines)


def _land_more(sources: Path) -> None:
    """New, grown and rewritten files of several platforms in the copied example tree."""
    projects = sources / "claude_code" / "projects"
    # a grown session: two lines appended to D
    appended, _ = _appended_lines()
    with (projects / FILE_D).open("ab") as fh:
        fh.write(appended)
    # a rewritten file: one line of E changed in place, so the whole file lands as version 2
    path_e = projects / FILE_E
    lines = path_e.read_bytes().splitlines()
    last = json.loads(lines[-1])
    last["timestamp"] = last.get("timestamp") or "2026-11-03T10:00:00.000Z"
    last["rewritten"] = True
    lines[-1] = json.dumps(last, separators=(",", ":")).encode()
    path_e.write_bytes(b"\n".join(lines) + b"\n")
    # a new session resuming A: A's first lines copied under a new session id, then a new line
    copied = [json.loads(line) for line in (projects / FILE_A).read_bytes().splitlines()[:6]]
    for line in copied:
        if line.get("sessionId") == SESSION_A:
            line["sessionId"] = RESUMED_SESSION
    last_uuid = next(line["uuid"] for line in reversed(copied) if line.get("uuid"))
    copied.append(
        {
            "parentUuid": last_uuid,
            "isSidechain": False,
            "userType": "external",
            "cwd": "/home/dev/webapp",
            "sessionId": RESUMED_SESSION,
            "version": "2.0.14",
            "type": "user",
            "message": {"role": "user", "content": "picking this up again"},
            "uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
            "timestamp": "2026-11-05T08:00:00.000Z",
        }
    )
    (projects / FILE_A).with_name(f"{RESUMED_SESSION}.jsonl").write_bytes(_jsonl(copied))
    # a second ChatGPT export holding the first conversation of the first one
    export = json.loads((sources / "chatgpt" / "conversations.json").read_text(encoding="utf-8"))
    second = sources / "chatgpt" / "second-export"
    second.mkdir()
    (second / "conversations.json").write_text(json.dumps(export[:1]), encoding="utf-8")
    # a new Roo Code task (its own scope: the task folder)
    shutil.copytree(sources / ROO_TASKS / ROO_TASK, sources / ROO_TASKS / ROO_NEW_TASK)
    # a new Copilot Chat session beside another of its workspace (its own scope; the workspace's
    # workspace.json is read again for it)
    sessions = sources / COPILOT_WORKSPACES / COPILOT_WORKSPACE / "chatSessions"
    log = (sessions / f"{COPILOT_SESSION}.jsonl").read_bytes()
    log = log.replace(COPILOT_SESSION.encode(), COPILOT_NEW_SESSION.encode())
    (sessions / f"{COPILOT_NEW_SESSION}.jsonl").write_bytes(log.replace(b"request_", b"request_n"))
    # a workspace moved to another folder: its workspace.json rewritten (a lookup scope: every
    # session of the workspace is recomputed with it)
    moved = sources / COPILOT_WORKSPACES / COPILOT_MOVED_WORKSPACE / "workspace.json"
    moved.write_text('{"folder":"vscode-remote://ssh-remote%2Bbuildbox/srv/api-v2"}')
    # a new Continue session: its file, and the index rewritten with it (Continue has no scope
    # smaller than the platform: all of it is recomputed, but only the new session changes rows)
    continue_sessions = sources / "continue" / "sessions"
    new_session = {
        "sessionId": CONTINUE_NEW_SESSION,
        "title": "Rename the export flag",
        "workspaceDirectory": "file:///home/dev/invoice-service",
        "history": [
            {
                "message": {"role": "user", "content": "rename --out to --output"},
                "contextItems": [],
            },
            {
                "message": {"role": "assistant", "content": "Done: the flag is --output now."},
                "contextItems": [],
            },
        ],
    }
    (continue_sessions / f"{CONTINUE_NEW_SESSION}.json").write_text(json.dumps(new_session))
    index = json.loads((continue_sessions / "sessions.json").read_text(encoding="utf-8"))
    index.insert(
        0,
        {
            "title": new_session["title"],
            "dateCreated": "1794400000000",
            "workspaceDirectory": new_session["workspaceDirectory"],
            "sessionId": CONTINUE_NEW_SESSION,
            "messageCount": 2,
        },
    )
    (continue_sessions / "sessions.json").write_text(json.dumps(index, indent=2))
    # a new Cline task: its folder, and state/taskHistory.json rewritten (landed again whole) with
    # its item, and with another task's item changed (its title edited) while that task's folder
    # stays as it was: the index is read again, and only those two tasks' folders
    cline = sources / CLINE_STORAGE
    shutil.copytree(cline / "tasks" / CLINE_TASK, cline / "tasks" / CLINE_NEW_TASK)
    history = json.loads((cline / "state" / "taskHistory.json").read_text(encoding="utf-8"))
    item = next(item for item in history if item["id"] == CLINE_TASK)
    retitled = next(item for item in history if item["id"] == CLINE_RETITLED_TASK)
    retitled["task"] = "Add a --verbose flag to clitool (logging to stderr)"
    history.append({**item, "id": CLINE_NEW_TASK, "ts": item["ts"] + 86_400_000})
    # written as the extension writes it (tab-indented), so the unchanged item's bytes stay the same
    (cline / "state" / "taskHistory.json").write_text(json.dumps(history, indent="\t"))


def _normalize(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return json.dumps([_normalize(v) for v in value], default=str)
    return value


def _table(warehouse: Path, relation: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns = [
        r[0]
        for r in query(
            warehouse,
            "select column_name from information_schema.columns"
            " where table_schema = 'main' and table_name = ? order by ordinal_position",
            [relation],
        )
    ]
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = query(warehouse, f"select {quoted} from main.{relation}")
    return columns, sorted((tuple(_normalize(v) for v in row) for row in rows), key=repr)


def _held_rows(warehouse: Path, relation: str) -> int:
    return query(warehouse, f"select count(*) from main.{relation}")[0][0]


def _differences(incremental: Path, full: Path, relation: str) -> list[str]:
    """Rows of one warehouse's relation that the other lacks, counted (a doubled row differs),
    leaving out the rows and columns that describe each warehouse's own dbt invocations."""
    columns, got = _table(incremental, relation)
    full_columns, want = _table(full, relation)
    assert columns == full_columns, relation
    if relation in PER_WAREHOUSE_ROWS:
        column, own = PER_WAREHOUSE_ROWS[relation]
        at = columns.index(column)
        got, want = ([row for row in rows if row[at] not in own] for rows in (got, want))
    skip = PER_INVOCATION_COLUMNS.get(relation, set())
    if skip:
        keep = [i for i, c in enumerate(columns) if c not in skip]
        columns = [columns[i] for i in keep]
        got, want = ([tuple(row[i] for i in keep) for row in rows] for rows in (got, want))
    only_full, only_incremental = Counter(want) - Counter(got), Counter(got) - Counter(want)
    return [
        f"{relation}: only in the {where}: {dict(zip(columns, row, strict=True))}"
        for where, rows in (("full refresh", only_full), ("incremental build", only_incremental))
        for row in rows.elements()
    ]


def _model_statuses(work: Path, target: str = "duckdb") -> dict[str, str]:
    """The status of every model of the target's last build (run_results.json): OK, KEPT..."""
    results = json.loads((work / f"target-{target}" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[-1]: r["message"]
        for r in results
        if r["unique_id"].startswith("model.")
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("incremental-dbt")
    sources, lake, warehouse = work / "sources", work / "lake", work / "w.duckdb"
    shutil.copytree(EXAMPLES, sources)
    _extract(lake, sources)
    _build(work, lake, warehouse)
    first_counts = {m: query(warehouse, f"select count(*) from main.{m}")[0][0] for m in MARTS}

    _land_more(sources)
    _extract(lake, sources)
    # every table with a deleted row is compacted after this build (macros/compaction.sql)
    log = _build(
        work,
        lake,
        warehouse,
        "--vars",
        "{compaction_deleted_fraction: 0, compaction_min_deleted_rows: 1}",
    )
    compacted = sorted(re.findall(r"compacting (\w+): \d+ of its \d+ stored rows", log))
    stored = {
        table: query(
            warehouse,
            "select estimated_size, (select count(*) from main." + table + ")"
            " from duckdb_tables() where schema_name = 'main' and table_name = ?",
            [table],
        )[0]
        for table in compacted
    }
    changed_scopes = query(
        warehouse, "select lake_scope_id from main.base_lake__scopes where is_changed"
    )
    changed_conversations = query(warehouse, "select count(*) from main.int_conversations_changed")
    changed_by_platform = query(
        warehouse,
        "select conversations.platform, conversations.native_session_id"
        " from main.int_conversations_changed as changed"
        " inner join main.conversations using (conversation_id) order by 1, 2",
    )
    all_conversations = query(warehouse, "select count(*) from main.conversations")

    # nothing new: no scope changes, no conversation is recomputed, and the lake is not counted
    # again (lake_scope_counts_carried)
    more_landed_statuses = _model_statuses(work)
    # comments gone stale (as after an upgrade that changed a description): rewritten by the
    # build with nothing new, on a kept table and on an incremental one
    with duckdb.connect(str(warehouse)) as con:
        con.execute("comment on table main.conversations is 'stale'")
        con.execute("comment on column main.messages.role is 'stale'")
    quiet_log = _build(work, lake, warehouse)
    statuses = (more_landed_statuses, _model_statuses(work))
    quiet = {
        "scopes": query(warehouse, "select count(*) from main.base_lake__scopes where is_changed"),
        "conversations": query(warehouse, "select count(*) from main.int_conversations_changed"),
        "counts_carried": COUNTS_CARRIED in quiet_log,
        "counts_carried_with_more_landed": COUNTS_CARRIED in log,
    }

    # nothing new again, one report excluded and a row of another taken out first: the tables
    # rebuilt whole keep their rows instead (keep_while_lake_unchanged: the row stays out), and
    # a build that skipped one of them records nothing in int_lake_scopes_built
    held = _held_rows(warehouse, "usage_daily")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table main.zz_taken as select * from main.usage_daily limit 1")
        con.execute(
            "delete from main.usage_daily where (usage_date, platform, model) in"
            " (select (usage_date, platform, model) from main.zz_taken)"
        )
    kept_log = _build(work, lake, warehouse, "--exclude", "usage_weekly")
    kept = _held_rows(warehouse, "usage_daily")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into main.usage_daily select * from main.zz_taken")
        con.execute("drop table main.zz_taken")

    full = work / "full.duckdb"
    shutil.copy(warehouse, full)
    _build(work, lake, full, "--full-refresh")
    return {
        "work": work,
        "lake": lake,
        "warehouse": warehouse,
        "full": full,
        "first_counts": first_counts,
        "changed_scopes": sorted(r[0] for r in changed_scopes),
        "changed_conversations": changed_conversations[0][0],
        "changed_by_platform": changed_by_platform,
        "all_conversations": all_conversations[0][0],
        "quiet": quiet,
        "statuses": statuses,
        "held_usage_daily": held,
        "kept_usage_daily": kept,
        "kept_log": kept_log,
        "compacted": compacted,
        "stored": stored,
    }


def test_an_incremental_build_recomputes_only_the_changed_scopes(builds: dict[str, Any]) -> None:
    scopes = builds["changed_scopes"]
    claude = [s for s in scopes if s.startswith("claude_code|")]
    assert sorted(Path(s.split("|", 1)[1]).name for s in claude) == sorted(
        [Path(FILE_D).name, Path(FILE_E).name, f"{RESUMED_SESSION}.jsonl"]
    )
    chatgpt = [s for s in scopes if s.startswith("chatgpt|")]
    assert [Path(s.split("|", 1)[1]).parent.name for s in chatgpt] == ["second-export"]
    roo = [s for s in scopes if s.startswith("roo_code|")]
    assert [s.split("|", 1)[1].split("/tasks/")[1] for s in roo] == [ROO_NEW_TASK]
    copilot = sorted(
        s.split("|", 1)[1].split("/workspaceStorage/")[1]
        for s in scopes
        if s.startswith("copilot_chat|")
    )
    assert copilot == sorted(
        [
            f"{COPILOT_WORKSPACE}/",
            f"{COPILOT_WORKSPACE}/chatSessions/{COPILOT_NEW_SESSION}",
            f"{COPILOT_MOVED_WORKSPACE}/",
            f"{COPILOT_MOVED_WORKSPACE}/chatSessions/{COPILOT_MOVED_SESSION}",
        ]
    )
    # Continue is one scope, recomputed whole; OpenAI did not change
    assert sorted(s for s in scopes if s.split("|")[0] in ("continue", "openai_api")) == [
        "continue|"
    ]
    # Cline: its index (unscoped, read again), the new task, and the task whose item changed; not
    # the task whose item was only landed again
    cline = sorted(s.split("|", 1)[1] for s in scopes if s.startswith("cline|"))
    assert cline[0] == ""
    assert sorted(key.split("/tasks/")[1] for key in cline[1:]) == sorted(
        [CLINE_NEW_TASK, CLINE_RETITLED_TASK]
    )
    # some conversations, not all of them
    assert 0 < builds["changed_conversations"] < builds["all_conversations"]


def test_a_platform_recomputed_whole_recomputes_only_its_changed_conversations(
    builds: dict[str, Any],
) -> None:
    """All of Continue was parsed again, but only the new session's rows differ from the last
    build's (conversation_fingerprints): its other conversations are not recomputed. Cline's index
    was read again whole: only the new task and the retitled one are recomputed."""
    changed = builds["changed_by_platform"]
    assert [session for platform, session in changed if platform == "continue"] == [
        CONTINUE_NEW_SESSION
    ]
    assert sorted(session for platform, session in changed if platform == "cline") == sorted(
        [CLINE_NEW_TASK, CLINE_RETITLED_TASK]
    )


def test_tables_with_deleted_rows_are_compacted(builds: dict[str, Any]) -> None:
    """The incremental build replaced rows of the marts it touched; with the threshold at 0 each of
    those tables was rewritten after it and holds no deleted row (the equality with a full refresh
    is checked below, compaction included)."""
    assert {"messages", "tool_calls", "int_messages_unioned"} <= set(builds["compacted"])
    assert all(stored == live for stored, live in builds["stored"].values()), builds["stored"]


def test_a_build_with_nothing_new_recomputes_nothing(builds: dict[str, Any]) -> None:
    assert builds["quiet"] == {
        "scopes": [(0,)],
        "conversations": [(0,)],
        "counts_carried": True,
        "counts_carried_with_more_landed": False,
    }


def test_with_nothing_new_the_tables_rebuilt_whole_keep_their_rows(builds: dict[str, Any]) -> None:
    assert builds["kept_usage_daily"] == builds["held_usage_daily"] - 1
    assert (
        "int_lake_scopes_built keeps the last complete build: this one skips usage_weekly"
        in builds["kept_log"]
    )


def test_with_nothing_new_the_kept_tables_stand_as_they_are(builds: dict[str, Any]) -> None:
    """The models that keep their rows as they are (the config kept_as_is) are not copied into a
    new table swapped in: the table materialization leaves them (kept_tables.sql), and dbt records
    their status as KEPT. usage_blocks recomputes which block is active now from its kept rows, so
    it is built; nothing is kept in a build after more landed."""
    manifest = json.loads((builds["work"] / "target-duckdb" / "manifest.json").read_text())
    configs = {
        node["name"]: node["config"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    as_is = {name for name, config in configs.items() if config.get("kept_as_is")}
    assert {"conversations", "usage_daily", "int_conversations_deduplicated"} <= as_is
    assert configs["usage_blocks"].get("keep_while_lake_unchanged")
    assert "usage_blocks" not in as_is
    more_landed, quiet = builds["statuses"]
    assert {name for name, status in quiet.items() if status == "KEPT"} == as_is
    assert quiet["usage_blocks"] == "OK"
    assert "KEPT" not in more_landed.values()


def test_the_marts_carry_their_docs_as_comments(builds: dict[str, Any]) -> None:
    """persist_docs (macros/persist_docs.sql) writes only the comments that differ: after the
    incremental builds (stale comments on a kept and an incremental table set right before the
    last) and after a full refresh, every mart and each of its columns carries its YAML
    description; the staging and intermediate models carry none (dbt_project.yml)."""
    manifest = json.loads((builds["work"] / "target-duckdb" / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    for warehouse in (builds["warehouse"], builds["full"]):
        relations = dict(
            query(
                warehouse,
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
                " union all select view_name, comment from duckdb_views()"
                " where schema_name = 'main'",
            )
        )
        columns = {
            (table, column): comment
            for table, column, comment in query(
                warehouse,
                "select table_name, column_name, comment from duckdb_columns()"
                " where schema_name = 'main'",
            )
        }
        for node in models:
            name = node["alias"]
            if name not in relations:  # a model the build excludes
                continue
            public = node["path"].startswith("marts")
            assert relations[name] == (node["description"] if public else None), name
            got = {c: comment for (t, c), comment in columns.items() if t == name}
            want = {c: column["description"] for c, column in node["columns"].items()}
            assert got == (want if public else dict.fromkeys(got)), name


def test_more_landed_shows_in_the_marts(builds: dict[str, Any]) -> None:
    warehouse = builds["warehouse"]
    first = builds["first_counts"]
    now = {m: query(warehouse, f"select count(*) from main.{m}")[0][0] for m in MARTS}
    assert now["messages"] > first["messages"]
    assert now["conversations"] > first["conversations"]
    resumed = query(
        warehouse,
        "select parent_conversation_id is not null from main.conversations"
        " where native_session_id = ?",
        [RESUMED_SESSION],
    )
    assert resumed == [(True,)]
    # the moved workspace reaches its session, which did not change itself
    moved = query(
        warehouse,
        "select workspace_path from main.conversations where native_session_id = ?",
        [COPILOT_MOVED_SESSION],
    )
    assert len(moved) == 1 and moved[0][0].endswith("/srv/api-v2"), moved
    # a task whose history item changed shows it, though its folder did not change
    retitled = query(
        warehouse,
        "select conversations.title, summaries.text from main.conversations"
        " inner join main.summaries using (conversation_id)"
        " where conversations.native_session_id = ? and summaries.type = 'title'",
        [CLINE_RETITLED_TASK],
    )
    new_title = "Add a --verbose flag to clitool (logging to stderr)"
    assert retitled == [(new_title, new_title)], retitled


@pytest.mark.parametrize("relation", MARTS + list(INCREMENTAL_MODELS))
def test_incremental_equals_full_refresh(builds: dict[str, Any], relation: str) -> None:
    diffs = _differences(builds["warehouse"], builds["full"], relation)
    assert not diffs, f"{len(diffs)} differing rows, first:\n" + "\n".join(diffs[:6])


def test_only_scope_replacing_models_read_the_staging_views(builds: dict[str, Any]) -> None:
    """The staging views hold only the scopes a build recomputes: a model outside staging that
    reads one must replace those scopes (incremental_by_lake_scope), or it would lose the rest."""
    manifest = json.loads((builds["work"] / "target-duckdb" / "manifest.json").read_text())
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "ai_conversations"
    }

    def scoped(node: dict[str, Any]) -> bool:
        return node["config"].get("replace_scope") == "lake"

    def partial_staging(node: dict[str, Any]) -> bool:
        """A platform's staging model (its base view keeps only the changed scopes); the run
        records (staging/pipeline) and base_lake__scopes are read whole."""
        parts = Path(node["original_file_path"]).parts
        return parts[:2] == ("models", "staging") and parts[2] in REGISTRY and not scoped(node)

    offenders = sorted(
        f"{node['name']} reads {models[parent]['name']}"
        for node in models.values()
        if not node["original_file_path"].startswith("models/staging/") and not scoped(node)
        for parent in node["depends_on"]["nodes"]
        if parent in models and partial_staging(models[parent])
    )
    assert not offenders, offenders
    assert {n["name"] for n in models.values() if scoped(n)} >= {
        "int_messages_unioned",
        "int_content_blocks_unioned",
        "int_summaries_unioned",
        "int_dead_letters_unioned",
        "stg_claude_code__thread_links",
    }


def test_int_lake_scopes_built_waits_for_every_model_that_keeps_its_rows(
    builds: dict[str, Any],
) -> None:
    """A model that keeps its rows while the lake is unchanged must have run, and succeeded, in
    the build int_lake_scopes_built records: it is upstream of int_lake_scopes_built."""
    manifest = json.loads((builds["work"] / "target-duckdb" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    recorder = "model.ai_conversations.int_lake_scopes_built"
    upstream: set[str] = set()
    pending = list(nodes[recorder]["depends_on"]["nodes"])
    while pending:
        uid = pending.pop()
        if uid not in upstream and uid in nodes:
            upstream.add(uid)
            pending += nodes[uid].get("depends_on", {}).get("nodes", [])
    keeping = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["config"].get("keep_while_lake_unchanged")
    }
    assert "model.ai_conversations.usage_blocks" in keeping
    assert not keeping - upstream - {recorder}, sorted(keeping - upstream - {recorder})


# ------------------------------------------------------------------------------------------------
# PostgreSQL: the same incremental build, compared with DuckDB's full build of the same lake
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_builds(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    work = tmp_path_factory.mktemp("incremental-pg")
    sources, lake = work / "sources", work / "lake"
    shutil.copytree(EXAMPLES, sources)
    _extract(lake, sources)
    _load(lake)
    _build(work, lake, work / "unused.duckdb", target="postgres")
    _land_more(sources)
    _extract(lake, sources)
    _load(lake)
    _build(work, lake, work / "unused.duckdb", target="postgres")
    _, changed = _pg_rows("select count(*) from analytics.base_lake__scopes where is_changed")
    # nothing new: the tables rebuilt whole keep their rows (keep_while_lake_unchanged), and the
    # raw tables are not counted again by scope (lake_scope_counts_carried)
    quiet_log = _build(work, lake, work / "unused.duckdb", target="postgres")
    statuses = _model_statuses(work, "postgres")
    full = work / "full.duckdb"
    _build(work, lake, full)
    return {
        "full": full,
        "changed_scopes": changed[0][0],
        "counts_carried": COUNTS_CARRIED in quiet_log,
        "kept": {name for name, status in statuses.items() if status == "KEPT"},
        "usage_blocks": statuses["usage_blocks"],
    }


def test_postgres_builds_incrementally(pg_builds: dict[str, Any]) -> None:
    assert pg_builds["changed_scopes"] > 0
    assert pg_builds["counts_carried"]
    # with nothing new, the tables kept as they are stand (kept_tables.sql)
    assert {"conversations", "usage_daily", "int_conversations_deduplicated"} <= pg_builds["kept"]
    assert pg_builds["usage_blocks"] != "KEPT"  # "INSERT 0 <rows>": built from its kept rows


@pytest.mark.parametrize("relation", MARTS)
def test_postgres_incremental_equals_duckdb_full_build(
    pg_builds: dict[str, Any], relation: str
) -> None:
    pg_columns, pg_rows = _pg_rows(f"select * from analytics.{relation}")
    duck_rows = query(pg_builds["full"], f"select * from main.{relation}")
    duck_columns, _ = _table(pg_builds["full"], relation)
    assert pg_columns == duck_columns
    if relation in PER_WAREHOUSE_ROWS:  # audit_log: each warehouse's loads and dbt invocations
        column, own = PER_WAREHOUSE_ROWS[relation]
        at = pg_columns.index(column)
        pg_rows, duck_rows = (
            [r for r in rows if r[at] not in own] for rows in (pg_rows, duck_rows)
        )
    # pipeline_metrics: each warehouse's own dbt invocations (PostgreSQL built twice, DuckDB once)
    invocation = ("dbt_", "transform_") if relation == "pipeline_metrics" else ()
    skip = PER_INVOCATION_COLUMNS.get(relation, set()) | {
        c for c in pg_columns if invocation and c.startswith(invocation)
    }
    keep = [i for i, column in enumerate(pg_columns) if column not in skip]
    columns = [pg_columns[i] for i in keep]
    got = Counter(_rows(columns, [tuple(row[i] for i in keep) for row in pg_rows]))
    want = Counter(_rows(columns, [tuple(row[i] for i in keep) for row in duck_rows]))
    diffs = [
        f"{relation}: only in {where}: {dict(zip(columns, row, strict=True))}"
        for where, rows in (("DuckDB", want - got), ("PostgreSQL", got - want))
        for row in rows.elements()
    ]
    assert not diffs, f"{len(diffs)} differing rows, first:\n" + "\n".join(diffs[:6])
