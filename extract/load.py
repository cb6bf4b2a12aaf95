"""Load the lake's raw Parquet into a PostgreSQL ``raw`` schema (``python -m extract load``).

Every lake file is immutable (written once under a unique name, docs/raw_contract.md), so the
unit of loading is the file: each one is copied with ``COPY ... FROM STDIN`` inside its own
transaction, together with a row in ``raw._loaded_files`` naming it. A file is either wholly
loaded and recorded or not at all, so a re-run (or a run after a crash) loads exactly the files
not loaded yet, and loading twice never duplicates a row.

PostgreSQL ``text`` cannot hold NUL characters: a record whose text has one is loaded with
U+FFFD in its place and its original bytes in ``raw_bytes`` (when they were not already there),
so nothing is lost.

Transient errors (the connection lost, the server shutting down or restarting, a serialization
failure or deadlock: psycopg2's ``OperationalError`` and ``InterfaceError``, SQLSTATE classes 08
and 40, 57P) are retried with bounded exponential backoff (``RetryPolicy`` of extract/lake.py),
on a new connection when the old one is gone. A file that still fails is recorded in the load
report with its error and the load goes on with the next file; a re-run loads it. Each load run
is recorded in ``raw._load_runs`` (what it loaded, skipped, failed and retried), which the
``audit_log`` mart reads.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from extract.lake import Lake, LakeError, RetryPolicy
from extract.schema import RAW_SCHEMA, RUNS_SCHEMA

LOADED_TABLE = "_loaded_files"
LOAD_RUNS_TABLE = "_load_runs"
# SQLSTATE classes worth retrying: connection exceptions (08), transaction rollback (40:
# serialization failure, deadlock), operator intervention (57P: admin / crash shutdown, cannot
# connect now). psycopg2 raises most of them as OperationalError.
TRANSIENT_SQLSTATE_PREFIXES = ("08", "40", "57P")
# Rows per COPY statement: big enough to amortize the round trip, small enough to stream.
COPY_BATCH_ROWS = 50_000


class LoadError(Exception):
    """The warehouse cannot be reached or written."""


@dataclass
class FileFailure:
    """A lake file that could not be loaded: its error after ``attempts`` tries."""

    file: str  # relative to the lake root, as in _loaded_files
    table: str
    message: str
    attempts: int


@dataclass
class LoadReport:
    load_id: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_loaded: int = 0
    bytes_loaded: int = 0
    retries: int = 0
    seconds: float = 0.0
    per_table: dict[str, int] = field(default_factory=dict)
    errors: list[FileFailure] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_loaded / self.seconds if self.seconds > 0 else 0.0

    @property
    def status(self) -> str:
        """``ok``; ``partial`` when some files failed; ``failed`` when every file tried failed."""
        if not self.errors:
            return "ok"
        return "failed" if self.files_loaded == 0 and self.files_skipped == 0 else "partial"

    def as_dict(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "status": self.status,
            "files_seen": self.files_seen,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "files_failed": self.files_failed,
            "rows_loaded": self.rows_loaded,
            "bytes_loaded": self.bytes_loaded,
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "per_table": dict(sorted(self.per_table.items())),
            "errors": [e.__dict__ for e in self.errors],
        }


def pg_type(dtype: pa.DataType) -> str:
    """The PostgreSQL column type for an Arrow type of the lake schemas."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "text"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return "bytea"
    if pa.types.is_int64(dtype):
        return "bigint"
    if pa.types.is_int32(dtype):
        return "integer"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_floating(dtype):
        return "double precision"
    if pa.types.is_timestamp(dtype):
        return "timestamptz"
    if pa.types.is_list(dtype):
        return "text[]"
    raise LoadError(f"no PostgreSQL type for Arrow type {dtype}")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(schema_name: str, table: str, schema: pa.Schema) -> str:
    cols = ",\n  ".join(
        f"{quote_ident(f.name)} {pg_type(f.type)}{'' if f.nullable else ' not null'}"
        for f in schema
    )
    name = f"{quote_ident(schema_name)}.{quote_ident(table)}"
    return f"create table if not exists {name} (\n  {cols}\n)"


def _pg_array_literal(values: list[str] | None) -> str | None:
    if values is None:
        return None
    items = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(items) + "}"


def to_copy_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    """Make a record batch COPY-ready: bytea as hex, lists as array literals, no NUL in text."""
    table = pa.Table.from_batches([batch])
    for f in schema:  # a file written before a column was added (nullable, append-only): nulls
        if f.name not in table.column_names:
            table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
    table = table.select(schema.names)
    for i, f in enumerate(schema):
        col = table.column(i)
        if pa.types.is_binary(f.type):
            hexed = [None if b is None else "\\x" + b.hex() for b in col.to_pylist()]
            table = table.set_column(i, f.name, pa.array(hexed, pa.string()))
        elif pa.types.is_list(f.type):
            lits = [_pg_array_literal(v) for v in col.to_pylist()]
            table = table.set_column(i, f.name, pa.array(lits, pa.string()))
    if "raw_text" in schema.names:
        table = _replace_nul(table)
    return table


def _replace_nul(table: pa.Table) -> pa.Table:
    text = table.column("raw_text")
    has_nul = pc.fill_null(pc.match_substring(text, "\x00"), False)
    if not pc.any(has_nul).as_py():
        return table
    texts = text.to_pylist()
    raw_bytes = table.column("raw_bytes").to_pylist()
    for i, flag in enumerate(has_nul.to_pylist()):
        if flag:
            if raw_bytes[i] is None:
                raw_bytes[i] = "\\x" + texts[i].encode("utf-8").hex()
            texts[i] = texts[i].replace("\x00", "\ufffd")
    table = table.set_column(
        table.schema.get_field_index("raw_text"), "raw_text", pa.array(texts, pa.string())
    )
    return table.set_column(
        table.schema.get_field_index("raw_bytes"), "raw_bytes", pa.array(raw_bytes, pa.string())
    )


def csv_bytes(table: pa.Table) -> bytes:
    """CSV for ``COPY ... (format csv)``: null is an empty unquoted field, '' is quoted."""
    buf = io.BytesIO()
    pacsv.write_csv(
        table,
        buf,
        write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buf.getvalue()


@dataclass(frozen=True)
class LakeFile:
    path: str  # as the lake's filesystem names it
    rel: str  # relative to the lake root: the key in _loaded_files
    table: str
    schema: pa.Schema


def lake_files(lake: Lake, platforms: list[str]) -> list[LakeFile]:
    """Every Parquet file of the raw partitions of ``platforms`` and of ``_runs``."""
    files: list[LakeFile] = []
    for p in platforms:
        base = lake.path(f"raw/platform={p}")
        try:
            found = lake.fs.glob(f"{base}/**/*.parquet") if lake.fs.exists(base) else []
        except OSError as exc:
            raise LakeError(f"cannot list {base}: {exc}") from exc
        for path in sorted(str(x) for x in found):
            files.append(LakeFile(path, _rel(lake, path), p, RAW_SCHEMA))
    for path in lake.list_parquet("_runs"):
        files.append(LakeFile(path, _rel(lake, path), "extract_runs", RUNS_SCHEMA))
    return files


def _rel(lake: Lake, path: str) -> str:
    return path[len(lake.root) :].lstrip("/")


Connect = Callable[[], Any]


def connect_postgres() -> Any:
    """Connect with the same environment variables and defaults as profiles.yml's target."""
    import psycopg2

    try:
        return psycopg2.connect(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname=os.environ.get("PGDATABASE", "ai_conversations"),
            connect_timeout=10,
            application_name="ai-conversations-extract-load",
        )
    except psycopg2.OperationalError as exc:
        raise LoadError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from exc


def prepare_schema(conn: Any, schema_name: str, platforms: list[str]) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(f"create schema if not exists {quote_ident(schema_name)}")
        tables = [(p, RAW_SCHEMA) for p in platforms] + [("extract_runs", RUNS_SCHEMA)]
        for table, schema in tables:
            cur.execute(create_table_sql(schema_name, table, schema))
            for f in schema:  # columns added since the table was created (appended, nullable)
                if f.nullable:
                    cur.execute(
                        f"alter table {quote_ident(schema_name)}.{quote_ident(table)}"
                        f" add column if not exists {quote_ident(f.name)} {pg_type(f.type)}"
                    )
        cur.execute(
            f"create table if not exists {quote_ident(schema_name)}.{LOADED_TABLE} ("
            " lake_path text primary key, target_table text not null, rows bigint not null,"
            " bytes bigint not null, loaded_at timestamptz not null default now())"
        )
        cur.execute(  # added with _load_runs: which load loaded the file (null before)
            f"alter table {quote_ident(schema_name)}.{LOADED_TABLE}"
            " add column if not exists load_id text"
        )
        cur.execute(
            f"create table if not exists {quote_ident(schema_name)}.{LOAD_RUNS_TABLE} ("
            " load_id text primary key, started_at timestamptz not null,"
            " finished_at timestamptz not null, lake_uri text not null,"
            " files_seen bigint not null, files_loaded bigint not null,"
            " files_skipped bigint not null, files_failed bigint not null,"
            " rows_loaded bigint not null, bytes_loaded bigint not null,"
            " retries bigint not null, status text not null, errors_json text not null)"
        )


def loaded_paths(conn: Any, schema_name: str) -> set[str]:
    with conn.cursor() as cur:
        cur.execute(f"select lake_path from {quote_ident(schema_name)}.{LOADED_TABLE}")
        return {row[0] for row in cur.fetchall()}


def _batches(lake: Lake, lf: LakeFile) -> Iterator[pa.RecordBatch]:
    with lake.fs.open(lf.path, "rb") as f:
        pf = pq.ParquetFile(f)
        yield from pf.iter_batches(batch_size=COPY_BATCH_ROWS)


def loaded_file(conn: Any, schema_name: str, rel: str) -> tuple[int, int] | None:
    """(rows, bytes) of a lake file already recorded as loaded, else None."""
    with conn, conn.cursor() as cur:
        cur.execute(
            f"select rows, bytes from {quote_ident(schema_name)}.{LOADED_TABLE}"
            " where lake_path = %s",
            (rel,),
        )
        row = cur.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def load_file(
    conn: Any, lake: Lake, lf: LakeFile, schema_name: str, load_id: str | None = None
) -> tuple[int, int]:
    """COPY one lake file into its table and record it, in one transaction. Returns rows, bytes."""
    target = f"{quote_ident(schema_name)}.{quote_ident(lf.table)}"
    columns = ", ".join(quote_ident(n) for n in lf.schema.names)
    rows = 0
    nbytes = 0
    try:
        with conn, conn.cursor() as cur:
            for batch in _batches(lake, lf):
                if batch.num_rows == 0:
                    continue
                data = csv_bytes(to_copy_batch(batch, lf.schema))
                cur.copy_expert(
                    f"copy {target} ({columns}) from stdin with (format csv)", io.BytesIO(data)
                )
                rows += batch.num_rows
                nbytes += len(data)
            cur.execute(
                f"insert into {quote_ident(schema_name)}.{LOADED_TABLE}"
                " (lake_path, target_table, rows, bytes, load_id) values (%s, %s, %s, %s, %s)",
                (lf.rel, lf.table, rows, nbytes, load_id),
            )
    except (OSError, pa.ArrowException) as exc:
        raise LakeError(f"cannot read {lf.path}: {exc}") from exc
    return rows, nbytes


def is_transient_pg(exc: BaseException) -> bool:
    """Whether a PostgreSQL error (or one it was raised from) is worth retrying: the connection
    lost or refused, the server shutting down, a serialization failure or deadlock."""
    import psycopg2

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (psycopg2.OperationalError, psycopg2.InterfaceError)):
            return True  # the connection failed (closed, refused, reset) or the server said so
        if str(getattr(current, "pgcode", None) or "").startswith(TRANSIENT_SQLSTATE_PREFIXES):
            return True
        current = current.__cause__ or current.__context__
    return False


def _error_text(exc: BaseException) -> str:
    code = getattr(exc, "pgcode", None)
    text = str(exc).strip() or type(exc).__name__
    return f"{text} (SQLSTATE {code})" if code else text


class _Connection:
    """The load's connection: opened on first use, opened again after it was lost."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._conn: Any = None

    def get(self) -> Any:
        if self._conn is None or self._conn.closed:
            self.close()
            self._conn = self._connect()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to close
                self._conn.close()
            self._conn = None


def _retrying(
    op: Callable[[int], Any],
    retry: RetryPolicy,
    sleep: Callable[[float], None],
    on_retry: Callable[[BaseException], None],
) -> Any:
    """Run ``op(attempt)`` (1-based); on a transient error wait and run it again, at most
    ``retry.attempts`` times in all. The last error is raised with ``attempts`` set on it."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return op(attempt)
        except Exception as exc:
            if attempt < retry.attempts and is_transient_pg(exc):
                on_retry(exc)
                sleep(retry.delay(attempt))
                continue
            exc.attempts = attempt  # type: ignore[attr-defined]
            raise


def load_postgres(
    lake: Lake,
    platforms: list[str],
    schema_name: str = "raw",
    connect: Connect = connect_postgres,
    on_file: Callable[[LakeFile, int], None] | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LoadReport:
    """Load every lake file not loaded yet; returns what was done.

    Transient errors are retried per ``retry`` (default: 5 attempts, 0.25 s doubling); a file
    that still fails (or fails otherwise) is recorded in the report and the others go on.
    Raises ``LoadError`` when the warehouse cannot be reached (a connection cannot be opened
    within the attempts) or prepared: the files not loaded yet load on the next run.
    """
    import psycopg2

    retry = retry or RetryPolicy()
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc)
    report = LoadReport(
        load_id=f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}",
        started_at=started_at,
    )
    conn = _Connection(connect)

    def count_retry(exc: BaseException) -> None:
        report.retries += 1
        conn.close()  # a lost connection cannot be used again; a fresh one costs little

    try:
        try:
            done = _retrying(
                lambda _: _prepare(conn.get(), schema_name, platforms), retry, sleep, count_retry
            )
        except psycopg2.Error as exc:
            raise LoadError(f"cannot prepare {schema_name}: {_error_text(exc)}") from exc
        for lf in lake_files(lake, platforms):
            report.files_seen += 1
            if lf.rel in done:
                report.files_skipped += 1
                continue

            def attempt(n: int, lf: LakeFile = lf) -> tuple[int, int]:
                if n > 1:  # the failed try may have committed before its connection was lost
                    already = loaded_file(conn.get(), schema_name, lf.rel)
                    if already is not None:
                        return already
                return load_file(conn.get(), lake, lf, schema_name, report.load_id)

            try:
                rows, nbytes = _retrying(attempt, retry, sleep, count_retry)
            except psycopg2.Error as exc:  # LoadError (no connection at all) ends the load
                report.files_failed += 1
                attempts = getattr(exc, "attempts", 1)
                report.errors.append(FileFailure(lf.rel, lf.table, _error_text(exc), attempts))
                continue
            report.files_loaded += 1
            report.rows_loaded += rows
            report.bytes_loaded += nbytes
            report.per_table[lf.table] = report.per_table.get(lf.table, 0) + rows
            if on_file is not None:
                on_file(lf, rows)
        report.finished_at = datetime.now(timezone.utc)
        report.seconds = time.perf_counter() - started
        try:
            _retrying(
                lambda _: _record_load(conn.get(), schema_name, lake, report),
                retry,
                sleep,
                count_retry,
            )
        except (psycopg2.Error, LoadError) as exc:
            raise LoadError(
                f"loaded {report.files_loaded} files but cannot record load {report.load_id}"
                f" in {schema_name}.{LOAD_RUNS_TABLE}: {_error_text(exc)}"
            ) from exc
    finally:
        conn.close()
    return report


def _prepare(conn: Any, schema_name: str, platforms: list[str]) -> set[str]:
    prepare_schema(conn, schema_name, platforms)
    return loaded_paths(conn, schema_name)


def _record_load(conn: Any, schema_name: str, lake: Lake, report: LoadReport) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(
            f"insert into {quote_ident(schema_name)}.{LOAD_RUNS_TABLE} (load_id, started_at,"
            " finished_at, lake_uri, files_seen, files_loaded, files_skipped, files_failed,"
            " rows_loaded, bytes_loaded, retries, status, errors_json)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (load_id) do nothing",
            (
                report.load_id,
                report.started_at,
                report.finished_at,
                lake.uri,
                report.files_seen,
                report.files_loaded,
                report.files_skipped,
                report.files_failed,
                report.rows_loaded,
                report.bytes_loaded,
                report.retries,
                report.status,
                json.dumps([e.__dict__ for e in report.errors]),
            ),
        )


def render_report(report: LoadReport, target: str) -> str:
    lines = [
        f"load into {target}: {report.files_loaded} files loaded, "
        f"{report.files_skipped} already loaded, {report.files_failed} failed, "
        f"{report.rows_loaded:,} rows in {report.seconds:.2f} s "
        f"({report.rows_per_second:,.0f} rows/s)"
        + (f", {report.retries} retries" if report.retries else "")
    ]
    for table, rows in sorted(report.per_table.items()):
        lines.append(f"  {table}: {rows:,} rows")
    if report.errors:
        lines.append(f"errors ({len(report.errors)}; a re-run loads these files):")
        lines.extend(
            f"  {e.file}: {e.message} (after {e.attempts} attempt{'s' if e.attempts > 1 else ''})"
            for e in report.errors
        )
    lines.append(f"load id: {report.load_id} ({report.status})")
    return "\n".join(lines)


def report_json(report: LoadReport) -> str:
    return json.dumps(report.as_dict())
