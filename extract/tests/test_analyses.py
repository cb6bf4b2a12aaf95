"""The analyses (analyses/*.sql): they compile on DuckDB and on PostgreSQL, and they run.

Each analysis is compiled with ``dbt compile --select resource_type:analysis``; the PostgreSQL
compile needs a server (skipped without one, unless REQUIRE_POSTGRES=1). test_reports.py runs the
DuckDB-compiled SQL of every analysis over the examples warehouse (:func:`run_analyses`) and
requires rows from each.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extract.tests.test_end_to_end import DBT, REPO_ROOT, Pipeline, _tail, query

ANALYSES = sorted(p.stem for p in (REPO_ROOT / "analyses").glob("*.sql"))
COMPILED = Path("compiled") / "ai_conversations" / "analyses"


def compile_analyses(
    target_path: Path, env: dict[str, str], target: str = "duckdb"
) -> dict[str, str]:
    """Every analysis compiled for ``target``: name -> SQL."""
    proc = subprocess.run(
        [
            DBT,
            "compile",
            "--profiles-dir",
            ".",
            "--target",
            target,
            "--select",
            "resource_type:analysis",
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--quiet",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"dbt compile failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return {name: (target_path / COMPILED / f"{name}.sql").read_text() for name in ANALYSES}


def run_analyses(p: Pipeline) -> dict[str, list[tuple[Any, ...]]]:
    """Compile every analysis for DuckDB and run it over the pipeline's warehouse."""
    env = {"LAKE_URI": str(p.lake), "WAREHOUSE_PATH": str(p.warehouse)}
    compiled = compile_analyses(p.work / "target-analyses", env)
    return {name: query(p.warehouse, sql) for name, sql in compiled.items()}


def test_the_first_questions_are_there() -> None:
    assert {
        "cost_per_model_per_week",
        "most_used_tools",
        "longest_sessions",
        "cache_hit_ratio",
        "activity_by_repository",
    } <= set(ANALYSES)


def test_analyses_compile_on_postgres(tmp_path: Path) -> None:
    import psycopg2

    env = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
        "PGPASSWORD": os.environ.get("PGPASSWORD", ""),
        "PGDATABASE": "postgres",  # compile only connects; it creates nothing
    }
    try:
        psycopg2.connect(
            host=env["PGHOST"],
            port=int(env["PGPORT"]),
            user=env["PGUSER"],
            password=env["PGPASSWORD"],
            dbname=env["PGDATABASE"],
            connect_timeout=5,
        ).close()
    except psycopg2.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL server answers: {exc}")
        pytest.skip(f"no PostgreSQL server: {str(exc).strip()}")
    compiled = compile_analyses(tmp_path / "target", env, target="postgres")
    for name, sql in compiled.items():
        assert '"analytics".' in sql, name  # refs resolve to the postgres target's schema
        assert "{{" not in sql and "{%" not in sql, name
