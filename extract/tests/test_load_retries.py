"""``extract load`` retries transient PostgreSQL errors, then fails the file and goes on.

Real faults on a real server (the same one test_postgres.py uses, in a database of this module's
own): the loader's backend is terminated with ``pg_terminate_backend`` from another connection in
the middle of a file's COPY, and real errors of each SQLSTATE class are raised by the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extract import load
from extract.lake import Lake, RetryPolicy
from extract.load import connect_postgres, is_transient_pg, load_postgres
from extract.platforms import REGISTRY
from extract.runner import run_extract
from extract.tests.conftest import cc_line
from extract.tests.test_postgres import (  # noqa: F401 - fixtures
    _admin_connect,
    monkeypatch_module,
    pg_database,
)

FAST = RetryPolicy(attempts=3, base=0.01, cap=0.05)
PLATFORMS = sorted(REGISTRY)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    """A lake with several small raw files: one row each (batch size 1), and one _runs file."""
    src = tmp_path / "session.jsonl"
    src.write_bytes(b"".join(cc_line(n) + b"\n" for n in range(1, 5)))
    run_extract(lake_uri=str(tmp_path / "lake"), sources={"claude_code": [src]}, max_rows=1)
    return Lake(str(tmp_path / "lake"))


@pytest.fixture
def schema(request: pytest.FixtureRequest) -> str:
    """A raw schema of the test's own in the module's database."""
    request.getfixturevalue("pg_database")
    return f"raw_{request.node.name.removeprefix('test_')[:40]}"


def _lake_files(lake: Lake) -> list[str]:
    return [lf.rel for lf in load.lake_files(lake, PLATFORMS)]


def _lake_rows(lake: Lake) -> int:
    return sum(
        pq.ParquetFile(p).metadata.num_rows for p in Path(lake.root).glob("raw/**/*.parquet")
    )


def _one(sql: str, params: tuple[Any, ...] = ()) -> Any:
    conn = connect_postgres()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
    finally:
        conn.close()


def _terminate(pid: int) -> None:
    admin = _admin_connect()
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("select pg_terminate_backend(%s)", (pid,))
            assert cur.fetchone()[0], f"backend {pid} was not terminated"
    finally:
        admin.close()


class Killer:
    """The seam: the loader's backend is terminated in the middle of loading ``target`` (after
    its first COPY, before the file is recorded), on the first ``times`` attempts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, target: str, times: int) -> None:
        self.target, self.times, self.kills = target, times, 0
        self.pids: list[int] = []
        real_batches = load._batches
        # one COPY per row, so that a file is loaded in several statements
        monkeypatch.setattr(load, "COPY_BATCH_ROWS", 1)

        def connect() -> Any:
            conn = connect_postgres()
            self.pids.append(conn.get_backend_pid())
            return conn

        def batches(lk: Lake, lf: load.LakeFile) -> Iterator[Any]:
            for i, batch in enumerate(real_batches(lk, lf)):
                if i == 1 and lf.rel == self.target and self.kills < self.times:
                    self.kills += 1
                    _terminate(self.pids[-1])
                yield batch

        self.connect = connect
        monkeypatch.setattr(load, "_batches", batches)


def _multi_row_file(lake: Lake) -> str:
    """A lake file of more than one row (the _runs file has one; raw files have one each)."""
    src = Path(lake.root).parent / "more.jsonl"
    src.write_bytes(b"".join(cc_line(n) + b"\n" for n in range(10, 14)))
    run_extract(lake_uri=lake.uri, sources={"claude_code": [src]})
    (rel,) = [r for r in _lake_files(lake) if "raw/" in r and _rows_of(lake, r) > 1]
    return rel


def _rows_of(lake: Lake, rel: str) -> int:
    return int(pq.ParquetFile(lake.path(rel)).metadata.num_rows)


def test_a_backend_killed_mid_copy_is_retried_on_a_new_connection(
    lake: Lake, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _multi_row_file(lake)
    killer = Killer(monkeypatch, target, times=1)
    report = load_postgres(lake, PLATFORMS, schema, connect=killer.connect, retry=FAST)
    assert killer.kills == 1 and report.retries == 1
    assert report.errors == [] and report.status == "ok"
    assert report.files_loaded == len(_lake_files(lake))
    assert len(set(killer.pids)) == 2  # the lost connection was replaced
    # the killed transaction left nothing behind: every row once
    (count,) = _one(f'select count(*) from {schema}."claude_code"')
    assert count == _lake_rows(lake)
    (distinct,) = _one(
        f'select count(distinct (source_uri, record_locator)) from {schema}."claude_code"'
    )
    assert distinct == count
    row = _one(
        f"select status, retries, files_failed, errors_json from {schema}._load_runs"
        " where load_id = %s",
        (report.load_id,),
    )
    assert row == ("ok", 1, 0, "[]")


def test_a_file_failing_every_attempt_is_reported_and_the_rest_load(
    lake: Lake, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _multi_row_file(lake)
    killer = Killer(monkeypatch, target, times=99)
    sleeps: list[float] = []
    report = load_postgres(
        lake, PLATFORMS, schema, connect=killer.connect, retry=FAST, sleep=sleeps.append
    )
    assert killer.kills == FAST.attempts and len(sleeps) == FAST.attempts - 1
    for failures, waited in enumerate(sleeps, start=1):  # doubling, capped, jittered down
        full = min(FAST.cap, FAST.base * 2 ** (failures - 1))
        assert full / 2 <= waited <= full
    assert report.status == "partial" and report.files_failed == 1
    (failure,) = report.errors
    assert failure.file == target and failure.attempts == FAST.attempts
    assert "terminat" in failure.message or "closed" in failure.message
    others = len(_lake_files(lake)) - 1
    assert report.files_loaded == others
    (count,) = _one(f'select count(*) from {schema}."claude_code"')
    assert count == _lake_rows(lake) - _rows_of(lake, target)
    status, failed, errors = _one(
        f"select status, files_failed, errors_json from {schema}._load_runs where load_id = %s",
        (report.load_id,),
    )
    assert (status, failed) == ("partial", 1)
    assert json.loads(errors)[0]["file"] == target

    # the fault is gone: the next load loads exactly that file
    monkeypatch.undo()
    again = load_postgres(lake, PLATFORMS, schema, retry=FAST)
    assert (again.files_loaded, again.files_skipped, again.status) == (1, others, "ok")
    (count,) = _one(f'select count(*) from {schema}."claude_code"')
    assert count == _lake_rows(lake)


def test_a_commit_whose_answer_was_lost_is_not_loaded_twice(
    lake: Lake, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COPY committed, then the connection died before the client heard: the retry finds the
    file recorded and loads nothing again."""
    import psycopg2

    real = load.load_file
    lost: list[str] = []

    def commit_then_lose(conn: Any, lk: Lake, lf: load.LakeFile, *args: Any) -> Any:
        result = real(conn, lk, lf, *args)
        if not lost:
            lost.append(lf.rel)
            conn.close()
            raise psycopg2.OperationalError("server closed the connection unexpectedly")
        return result

    monkeypatch.setattr(load, "load_file", commit_then_lose)
    report = load_postgres(lake, PLATFORMS, schema, retry=FAST)
    assert report.retries == 1 and report.errors == []
    assert report.files_loaded == len(_lake_files(lake))
    (count,) = _one(f'select count(*) from {schema}."claude_code"')
    assert count == _lake_rows(lake)
    assert report.rows_loaded == count + 1  # + the _runs row


@pytest.mark.parametrize(
    ("sqlstate", "transient"),
    [
        ("40001", True),  # serialization_failure
        ("40P01", True),  # deadlock_detected
        ("08006", True),  # connection_failure
        ("57P01", True),  # admin_shutdown
        ("57P03", True),  # cannot_connect_now
        ("22012", False),  # division_by_zero
        ("42P01", False),  # undefined_table
        ("23505", False),  # unique_violation
    ],
)
@pytest.mark.usefixtures("pg_database")
def test_which_server_errors_are_transient(sqlstate: str, transient: bool) -> None:
    """The server raises a real error of each SQLSTATE; only classes 08, 40 and 57P retry."""
    import psycopg2

    conn = connect_postgres()
    try:
        with pytest.raises(psycopg2.Error) as caught, conn.cursor() as cur:
            cur.execute(
                "do $$ begin raise exception 'injected' using errcode = %s; end $$", (sqlstate,)
            )
    finally:
        conn.close()
    assert caught.value.pgcode == sqlstate
    assert is_transient_pg(caught.value) is transient
    assert is_transient_pg(load.LoadError("wrapped")) is False


def test_a_server_that_never_answers_fails_after_the_attempts(tmp_path: Path) -> None:
    calls: list[int] = []

    def refused() -> Any:
        import psycopg2

        calls.append(1)
        try:
            return psycopg2.connect(host="127.0.0.1", port=1, connect_timeout=2)
        except psycopg2.OperationalError as exc:
            raise load.LoadError(f"cannot connect to PostgreSQL: {exc}") from exc

    with pytest.raises(load.LoadError, match="cannot connect to PostgreSQL"):
        load_postgres(Lake(str(tmp_path / "lake")), PLATFORMS, connect=refused, retry=FAST)
    assert len(calls) == FAST.attempts
