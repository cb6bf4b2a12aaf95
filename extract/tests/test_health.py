"""``extract health`` (extract/health.py): the pure checks, then the command over a real warehouse
built from every platform's examples (one module-scoped build), and ``dbt source freshness``."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from extract import health
from extract.health import Check, exit_code
from extract.platforms import REGISTRY
from extract.retention import ClaudeHome, Period
from extract.tests.test_end_to_end import DBT, PYTHON, REPO_ROOT, query, run_dbt

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _run(run_id: str, days_ago: float, *, status: str = "ok", seen: int = 10, failed: int = 0):
    started = NOW - timedelta(days=days_ago)
    return {
        "run_id": run_id,
        "started_at": started,
        "finished_at": started + timedelta(seconds=5),
        "status": status,
        "files_seen": seen,
        "files_failed": failed,
        "rows_landed": 1,
    }


def _by(rows: list[Check], check: str) -> list[Check]:
    return [r for r in rows if r.check == check]


# ------------------------------------------------------------------------------------------------
# Pure checks
# ------------------------------------------------------------------------------------------------


def test_lake_checks() -> None:
    assert health.lake_checks("/l", "denied", None)[0].status == "fail"
    (missing,) = health.lake_checks("/l", None, None)
    assert missing.status == "fail" and "python -m extract run" in missing.message
    assert health.lake_checks("/l", None, [])[0].status == "fail"
    assert health.lake_checks("/l", None, [_run("a", 1)])[0].status == "ok"


def test_last_run_age_status_and_error_rate() -> None:
    runs = [_run("old", 30), _run("new", 2, status="partial", seen=100, failed=3)]
    last, rate = health.last_run_checks(runs, NOW, 7, 0.05)
    assert (last.status, last.value, last.threshold) == ("ok", 2.0, 7)
    assert "run new" in last.message
    assert (rate.status, rate.value) == ("warn", 0.03)  # errors, below the threshold
    last, rate = health.last_run_checks(runs, NOW, 1, 0.02)
    assert last.status == "fail" and "no extract run for 2" in last.message
    assert rate.status == "fail"
    (failed, _) = health.last_run_checks([_run("x", 0, status="failed", failed=10)], NOW, 7, 1)
    assert failed.status == "fail" and "failed" in failed.message
    assert health.last_run_checks([_run("x", 0)], NOW, 7, 0.05)[1].status == "ok"
    assert health.last_run_checks([], NOW, 7, 0.05) == []


def test_freshness_only_for_platforms_with_messages() -> None:
    newest = {
        "claude_code": NOW - timedelta(days=1),
        "chatgpt": NOW - timedelta(days=40),
        "cline": None,
    }
    rows = health.freshness_checks(newest, NOW, 7)
    assert [(r.platform, r.status, r.value) for r in rows] == [
        ("chatgpt", "warn", 40.0),
        ("claude_code", "ok", 1.0),
    ]


def test_build_dead_letters_permissions_and_exit_code() -> None:
    landed = NOW - timedelta(hours=1)
    assert health.build_check(landed, NOW - timedelta(hours=2)).status == "warn"
    assert health.build_check(landed, None).status == "warn"
    assert health.build_check(landed, NOW).status == "ok"
    assert health.build_check(None, None).status == "ok"

    rows = health.dead_letter_checks({"claude_code": 2, "chatgpt": 0})
    assert [(r.platform, r.status, r.value) for r in rows] == [("claude_code", "warn", 2)]
    assert health.dead_letter_checks({})[0].status == "ok"

    modes = {"/lake": stat.S_IFDIR | 0o755, "/w.duckdb": stat.S_IFREG | 0o600, "s3": None}
    perms = health.permission_checks(modes)
    assert [(r.status, r.value) for r in perms] == [("warn", "0o755"), ("ok", "0o600")]
    assert "chmod -R go-rwx /lake" in perms[0].message

    ok, warn, fail = (Check("c", None, s, None, None, "") for s in ("ok", "warn", "fail"))
    assert exit_code([ok, warn]) == 0 and exit_code([ok, warn], strict=True) == 1
    assert exit_code([ok, fail]) == 1


def test_cleanup_rows() -> None:
    fine = ClaudeHome("/h/.claude", Period(30, "default"), 3, [], 7)
    short = ClaudeHome("/h/.claude", Period(5, "/h/.claude/settings.json"), 3, [], 7)
    rows = health.cleanup_checks([fine, short])
    assert [(r.status, r.value, r.threshold) for r in rows] == [("ok", 0, 30), ("warn", 0, 5)]
    assert "cleanupPeriodDays is 5" in rows[1].message


# ------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------


def _health(invoke: Callable[..., Result], *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("health", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_missing_lake_and_warehouse_fail_with_the_command_to_run(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    args = ["--lake", str(tmp_path / "lake"), "--warehouse", str(tmp_path / "w.duckdb")]
    code, report = _health(invoke, *args)
    assert code == 1 and report["healthy"] is False
    status = {r["check"]: (r["status"], r["message"]) for r in report["checks"]}
    assert status["lake"][0] == "fail" and "python -m extract run" in status["lake"][1]
    assert (
        status["warehouse"][0] == "fail" and "dbt build --profiles-dir ." in status["warehouse"][1]
    )
    text = invoke("health", *args)
    assert text.exit_code == 1 and "unhealthy:" in text.stdout
    assert text.stderr == ""  # the table says it all; --log-format json logs each failed check
    logged = invoke("--log-format", "json", "health", *args)
    failed = [json.loads(line) for line in logged.stderr.splitlines()]
    assert {r["message"].split(":")[0] for r in failed if r["level"] == "error"} >= {
        "lake",
        "warehouse",
    }


def test_a_lake_without_marts_built(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, report = _health(invoke, "--lake", str(tmp_path / "lake"), "--warehouse", str(empty))
    (wh,) = [r for r in report["checks"] if r["check"] == "warehouse"]
    assert code == 1 and wh["status"] == "fail" and "marts are not built" in wh["message"]


def test_postgres_without_marts_fails_clearly(tmp_path: Path) -> None:
    import psycopg2

    def connect() -> Any:
        return psycopg2.connect(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname="postgres",
            connect_timeout=5,
        )

    try:
        connect().close()
    except psycopg2.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL server answers: {exc}")
        pytest.skip(f"no PostgreSQL server: {str(exc).strip()}")
    rows = health.run_health(
        lake_uri=str(tmp_path / "lake"),
        target="postgres",
        warehouse=tmp_path / "unused.duckdb",
        schema="no_such_schema_for_health",
        now=NOW,
        env={},
        home=tmp_path,
        connect=connect,
    )
    (wh,) = _by(rows, "warehouse")
    assert wh.status == "fail" and "marts are not built" in wh.message
    assert "postgres" in wh.message and _by(rows, "permissions") == []


def test_postgres_unreachable_fails_clearly(tmp_path: Path) -> None:
    from extract.load import LoadError

    def refuse() -> Any:
        raise LoadError("cannot connect to PostgreSQL: connection refused")

    rows = health.run_health(
        lake_uri=str(tmp_path / "lake"),
        target="postgres",
        warehouse=tmp_path / "unused.duckdb",
        schema="analytics",
        now=NOW,
        env={},
        home=tmp_path,
        connect=refuse,
    )
    (wh,) = _by(rows, "warehouse")
    assert wh.status == "fail" and "connection refused" in wh.message


# ------------------------------------------------------------------------------------------------
# Over a real warehouse (one build of every platform's examples)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("health")
    lake, warehouse = work / "lake", work / "warehouse.duckdb"
    sources = [
        arg
        for name, platform in REGISTRY.items()
        for arg in ("--source", f"{name}={platform.example_root(REPO_ROOT / 'examples')}")
    ]
    proc = subprocess.run(
        [PYTHON, "-m", "extract", "run", "--quiet", "--lake", str(lake), *sources],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    run_dbt(work, lake, warehouse)
    return {"work": work, "lake": lake, "warehouse": warehouse}


@pytest.fixture
def home_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    return home


def test_health_of_the_examples(
    invoke: Callable[..., Result], built: dict[str, Path], home_env: Path
) -> None:
    args = ["--lake", str(built["lake"]), "--warehouse", str(built["warehouse"])]
    code, report = _health(invoke, *args, "--max-age", "100000")
    checks = report["checks"]
    status = {(r["check"], r["platform"]): r["status"] for r in checks}
    assert code == 0 and report["healthy"] is True, checks
    for check in ("lake", "last_run", "error_rate", "warehouse", "build"):
        assert status[(check, None)] == "ok", (check, checks)
    fresh = {r["platform"] for r in checks if r["check"] == "freshness"}
    assert fresh == set(REGISTRY)
    dead = {
        r["platform"]: r["value"] for r in checks if r["check"] == "dead_letters" and r["platform"]
    }
    expected = dict(
        query(built["warehouse"], "select platform, count(*) from dead_letter_records group by 1")
    )
    assert dead == expected and dead  # the examples hold malformed lines on purpose
    sizes = {r["check"]: r["value"] for r in checks if r["check"].endswith("_size")}
    assert sizes["lake_size"] > 0 and sizes["warehouse_size"] == built["warehouse"].stat().st_size
    # owner-only: the lake (extract) and the warehouse (dbt, through the profile's plugin)
    perms = {r["message"]: r for r in checks if r["check"] == "permissions"}
    assert perms[str(built["warehouse"])]["value"] == "0o600"
    assert perms[str(built["lake"])]["value"] == "0o700"
    assert {r["status"] for r in perms.values()} == {"ok"}

    stale, report = _health(invoke, *args, "--max-age", "1")
    warned = {r["platform"] for r in report["checks"] if r["check"] == "freshness"}
    assert warned and stale == 0  # old messages warn; the newest run is minutes old: no fail
    strict, _ = _health(invoke, *args, "--max-age", "100000", "--strict")
    assert strict == 1  # the dead letters warn


def test_a_run_after_the_build_warns_the_warehouse_is_behind(
    invoke: Callable[..., Result], built: dict[str, Path], home_env: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(built["lake"], lake)
    extra = tmp_path / "more"
    shutil.copytree(REPO_ROOT / "examples" / "claude_code" / "projects", extra)
    for path in extra.rglob("*.jsonl"):
        path.write_bytes(path.read_bytes().replace(b"webapp", b"webapp2"))
    invoke("run", "--quiet", "--lake", str(lake), "--source", f"claude_code={extra}")
    _, report = _health(
        invoke, "--lake", str(lake), "--warehouse", str(built["warehouse"]), "--max-age", "1e5"
    )
    (build,) = [r for r in report["checks"] if r["check"] == "build"]
    assert build["status"] == "warn" and "dbt build" in build["message"]


def test_dbt_source_freshness_runs_on_duckdb(built: dict[str, Path]) -> None:
    work = built["work"]
    env = {
        **os.environ,
        "LAKE_URI": str(built["lake"]),
        "WAREHOUSE_PATH": str(built["warehouse"]),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            *(DBT, "source", "freshness", "--profiles-dir", "."),
            *("--target-path", str(work / "target"), "--log-path", str(work / "logs")),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    results = json.loads((work / "target" / "sources.json").read_text())["results"]
    status = {r["unique_id"].rsplit(".", 1)[1]: r["status"] for r in results}
    # every platform landed minutes ago; extract_runs is opted out (freshness: null)
    assert status == dict.fromkeys(REGISTRY, "pass")
