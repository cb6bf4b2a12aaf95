"""Arrow schemas of the lake: raw records, extractor state, run summaries."""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

RAW_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("record_locator", pa.string(), nullable=False),
        pa.field("record_ordinal", pa.int64(), nullable=False),
        pa.field("record_kind", pa.string(), nullable=False),
        pa.field("raw_text", pa.string(), nullable=False),
        pa.field("raw_bytes", pa.binary(), nullable=True),
        pa.field("raw_checksum", pa.string(), nullable=False),
        pa.field("source_version", pa.string(), nullable=True),
        pa.field("source_file_version", pa.int32(), nullable=False),
        pa.field("source_mtime", TIMESTAMP, nullable=True),
        pa.field("source_size", pa.int64(), nullable=True),
        pa.field("extracted_at", TIMESTAMP, nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("extractor_version", pa.string(), nullable=False),
        # Added by issue 8 (appended, nullable: older files read as null through union_by_name).
        # `extract run --redact` masked secrets in the record: raw_text / raw_checksum are of the
        # bytes as landed, this is the SHA-256 of the source's original bytes. Null when the
        # record landed unchanged.
        pa.field("original_checksum", pa.string(), nullable=True),
    ]
)

# One row per source file per flush; the latest row per (platform, source_uri) is the state.
STATE_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_file_version", pa.int32(), nullable=False),
        pa.field("source_size", pa.int64(), nullable=False),
        pa.field("source_mtime", TIMESTAMP, nullable=False),
        # Bytes of the file already landed (through the end of the last consumed line), and the
        # SHA-256 of exactly those bytes. For a JSON document: the whole file.
        pa.field("consumed_bytes", pa.int64(), nullable=False),
        pa.field("consumed_sha256", pa.string(), nullable=False),
        # Physical lines consumed (JSONL line numbers continue from here).
        pa.field("lines_consumed", pa.int64(), nullable=False),
        # True when the last consumed line had no terminator (it was complete JSON at EOF).
        pa.field("open_line", pa.bool_(), nullable=False),
        pa.field("records_landed", pa.int64(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("seq", pa.int32(), nullable=False),
        pa.field("written_at", TIMESTAMP, nullable=False),
    ]
)

RUNS_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("started_at", TIMESTAMP, nullable=False),
        pa.field("finished_at", TIMESTAMP, nullable=False),
        pa.field("extractor_version", pa.string(), nullable=False),
        pa.field("lake_uri", pa.string(), nullable=False),
        pa.field("platforms", pa.list_(pa.string()), nullable=False),
        pa.field("files_seen", pa.int64(), nullable=False),
        pa.field("files_new", pa.int64(), nullable=False),
        pa.field("files_grown", pa.int64(), nullable=False),
        pa.field("files_rewritten", pa.int64(), nullable=False),
        pa.field("files_unchanged", pa.int64(), nullable=False),
        pa.field("files_failed", pa.int64(), nullable=False),
        pa.field("rows_landed", pa.int64(), nullable=False),
        pa.field("bytes_read", pa.int64(), nullable=False),
        pa.field("error_count", pa.int64(), nullable=False),
        pa.field("errors_json", pa.string(), nullable=False),
        pa.field("platform_counts_json", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        # Added by issue 10 (append-only and nullable, so that older _runs files still read with
        # union_by_name): the run's options, the records its filters skipped, what it wrote,
        # and its metrics per stage. Stages: discover (find the source files), extract (read and
        # split them), load (write Parquet to the lake); the transform stage is dbt's
        # (dbt_run_results, the pipeline_metrics mart).
        pa.field("options_json", pa.string(), nullable=True),
        pa.field("records_filtered", pa.int64(), nullable=True),
        pa.field("files_written", pa.int64(), nullable=True),
        pa.field("bytes_written", pa.int64(), nullable=True),
        pa.field("discover_seconds", pa.float64(), nullable=True),
        pa.field("extract_seconds", pa.float64(), nullable=True),
        pa.field("load_seconds", pa.float64(), nullable=True),
        pa.field("total_seconds", pa.float64(), nullable=True),
        pa.field("cpu_seconds", pa.float64(), nullable=True),
        pa.field("peak_memory_bytes", pa.int64(), nullable=True),
        # Added by issue 8: per source file the run read (not the unchanged ones), a JSON array
        # of {platform, file, outcome, rows, bytes, errors}; dbt's file-level dead letters and
        # audit_log read it.
        pa.field("files_json", pa.string(), nullable=True),
    ]
)
