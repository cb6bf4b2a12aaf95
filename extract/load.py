"""Load the lake's raw Parquet into a PostgreSQL ``raw`` schema (``python -m extract load``).

Every lake file is immutable (written once under a unique name, docs/raw_contract.md), so the
unit of loading is the file: each one is copied with ``COPY ... FROM STDIN`` inside its own
transaction, together with a row in ``raw._loaded_files`` naming it. A file is either wholly
loaded and recorded or not at all, so a re-run (or a run after a crash) loads exactly the files
not loaded yet, and loading twice never duplicates a row.

PostgreSQL ``text`` cannot hold NUL characters: a record whose text has one is loaded with
U+FFFD in its place and its original bytes in ``raw_bytes`` (when they were not already there),
so nothing is lost.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from extract.lake import Lake, LakeError
from extract.schema import RAW_SCHEMA, RUNS_SCHEMA

LOADED_TABLE = "_loaded_files"
# Rows per COPY statement: big enough to amortize the round trip, small enough to stream.
COPY_BATCH_ROWS = 50_000


class LoadError(Exception):
    """The warehouse cannot be reached or written."""


@dataclass
class LoadReport:
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    rows_loaded: int = 0
    bytes_loaded: int = 0
    seconds: float = 0.0
    per_table: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows_loaded / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_seen": self.files_seen,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "rows_loaded": self.rows_loaded,
            "bytes_loaded": self.bytes_loaded,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "per_table": dict(sorted(self.per_table.items())),
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
        for p in platforms:
            cur.execute(create_table_sql(schema_name, p, RAW_SCHEMA))
        cur.execute(create_table_sql(schema_name, "extract_runs", RUNS_SCHEMA))
        for f in RUNS_SCHEMA:  # columns added since the table was created (nullable)
            cur.execute(
                f"alter table {quote_ident(schema_name)}.extract_runs"
                f" add column if not exists {quote_ident(f.name)} {pg_type(f.type)}"
            )
        cur.execute(
            f"create table if not exists {quote_ident(schema_name)}.{LOADED_TABLE} ("
            " lake_path text primary key, target_table text not null, rows bigint not null,"
            " bytes bigint not null, loaded_at timestamptz not null default now())"
        )


def loaded_paths(conn: Any, schema_name: str) -> set[str]:
    with conn.cursor() as cur:
        cur.execute(f"select lake_path from {quote_ident(schema_name)}.{LOADED_TABLE}")
        return {row[0] for row in cur.fetchall()}


def _batches(lake: Lake, lf: LakeFile) -> Iterator[pa.RecordBatch]:
    with lake.fs.open(lf.path, "rb") as f:
        pf = pq.ParquetFile(f)
        yield from pf.iter_batches(batch_size=COPY_BATCH_ROWS)


def load_file(conn: Any, lake: Lake, lf: LakeFile, schema_name: str) -> tuple[int, int]:
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
                " (lake_path, target_table, rows, bytes) values (%s, %s, %s, %s)",
                (lf.rel, lf.table, rows, nbytes),
            )
    except (OSError, pa.ArrowException) as exc:
        raise LakeError(f"cannot read {lf.path}: {exc}") from exc
    return rows, nbytes


def load_postgres(
    lake: Lake,
    platforms: list[str],
    schema_name: str = "raw",
    connect: Connect = connect_postgres,
    on_file: Callable[[LakeFile, int], None] | None = None,
) -> LoadReport:
    """Load every lake file not loaded yet; returns what was done."""
    import psycopg2

    started = time.perf_counter()
    report = LoadReport()
    conn = connect()
    try:
        prepare_schema(conn, schema_name, platforms)
        done = loaded_paths(conn, schema_name)
        for lf in lake_files(lake, platforms):
            report.files_seen += 1
            if lf.rel in done:
                report.files_skipped += 1
                continue
            try:
                rows, nbytes = load_file(conn, lake, lf, schema_name)
            except psycopg2.Error as exc:
                raise LoadError(f"cannot load {lf.rel}: {str(exc).strip()}") from exc
            report.files_loaded += 1
            report.rows_loaded += rows
            report.bytes_loaded += nbytes
            report.per_table[lf.table] = report.per_table.get(lf.table, 0) + rows
            if on_file is not None:
                on_file(lf, rows)
    finally:
        conn.close()
    report.seconds = time.perf_counter() - started
    return report


def render_report(report: LoadReport, target: str) -> str:
    lines = [
        f"load into {target}: {report.files_loaded} files loaded, "
        f"{report.files_skipped} already loaded, {report.rows_loaded:,} rows "
        f"in {report.seconds:.2f} s ({report.rows_per_second:,.0f} rows/s)"
    ]
    for table, rows in sorted(report.per_table.items()):
        lines.append(f"  {table}: {rows:,} rows")
    return "\n".join(lines)


def report_json(report: LoadReport) -> str:
    return json.dumps(report.as_dict())
