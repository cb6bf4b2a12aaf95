"""Export conversations from the warehouse as JSON documents (``python -m extract export``).

One document per conversation: the row of the ``conversations`` mart, with its ``messages``
(ordered by sequence_number), ``tool_calls`` and ``summaries`` nested. It follows
``schema/unified_conversation.schema.json``. JSON-text columns are parsed, timestamps are
ISO-8601 with a UTC offset. The warehouse is read in batches of conversations (and their children
per batch), so an export never holds the whole warehouse in memory.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import duckdb

FORMATS = ("jsonl", "json")
BATCH_SIZE = 500
JSONL_NAME = "conversations.jsonl"

# A conversation's children: (document key, mart, JSON-text columns, order in a conversation)
CHILDREN: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("messages", "messages", ("content", "metadata"), "sequence_number, message_id"),
    ("tool_calls", "tool_calls", ("tool_input",), "timestamp nulls last, tool_call_id"),
    ("summaries", "summaries", ("covers_message_ids",), "timestamp nulls last, summary_id"),
)
CONVERSATION_JSON_COLUMNS = ("platform_metadata",)
MARTS = ("conversations", *(mart for _, mart, _, _ in CHILDREN))
BUILD_HINT = "run `python -m extract run`, then `dbt build --profiles-dir .` first"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class ExportError(Exception):
    """Anything that stops an export, with a message fit for the command line."""


@dataclass
class ExportCounts:
    conversations: int = 0
    messages: int = 0
    tool_calls: int = 0
    summaries: int = 0
    platforms: dict[str, int] = field(default_factory=dict)

    def add(self, document: dict[str, Any]) -> None:
        self.conversations += 1
        self.messages += len(document["messages"])
        self.tool_calls += len(document["tool_calls"])
        self.summaries += len(document["summaries"])
        platform = str(document.get("platform"))
        self.platforms[platform] = self.platforms.get(platform, 0) + 1

    def render(self, destination: str) -> str:
        per_platform = ", ".join(f"{p} {n}" for p, n in sorted(self.platforms.items()))
        line = (
            f"exported {self.conversations} conversation(s), {self.messages} message(s), "
            f"{self.tool_calls} tool call(s), {self.summaries} summary(ies) to {destination}"
        )
        return f"{line} ({per_platform})" if per_platform else line


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _to_json_value(value: Any) -> Any:
    """A DuckDB value as a JSON value: timestamps ISO-8601 with offset, non-finite floats null."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a naive timestamp in the marts is UTC by convention
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _parse_json(text: Any, mart: str, column: str, row_id: Any) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{mart}.{column} of {row_id} is not valid JSON: {exc}") from exc


def _rows(
    cursor: duckdb.DuckDBPyConnection, mart: str, json_columns: Sequence[str]
) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    for values in cursor.fetchall():
        row = {name: _to_json_value(value) for name, value in zip(names, values, strict=True)}
        row_id = values[0]
        for column in json_columns:
            if column in row:
                row[column] = _parse_json(row[column], mart, column, row_id)
        yield row


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found: dict[str, str] = {}
    for mart in MARTS:
        row = con.execute(
            "select table_schema from information_schema.tables where table_name = ? "
            "order by table_schema = 'main' desc, table_schema limit 1",
            [mart],
        ).fetchone()
        if row:
            found[mart] = f'"{row[0]}"."{mart}"'
    missing = [m for m in MARTS if m not in found]
    if missing:
        raise ExportError(
            f"the marts are not built yet (missing: {', '.join(missing)}): {BUILD_HINT}"
        )
    return found


def iter_documents(
    warehouse: Path,
    platforms: Sequence[str] = (),
    since: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[dict[str, Any]]:
    """Yield one document per conversation, ordered by conversation_id.

    ``since`` keeps the conversations whose last message (updated_at) is at or after it.
    Conversations are read ``batch_size`` at a time (keyset pagination), and the children of each
    batch with one query per child mart.
    """
    if not Path(warehouse).exists():
        raise ExportError(f"no warehouse at {warehouse}: {BUILD_HINT}")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ExportError(f"cannot open the warehouse {warehouse}: {exc}") from exc
    try:
        con.execute("set TimeZone = 'UTC'")
        relations = _relations(con)
        filters, params = [], []
        if platforms:
            filters.append("platform in (select unnest(?))")
            params.append(list(platforms))
        if since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            filters.append("updated_at >= ?")
            params.append(since)
        where = "".join(f" and {f}" for f in filters)
        last_id: str | None = None
        while True:
            cursor = con.execute(
                f"select * from {relations['conversations']} "
                f"where (? is null or conversation_id > ?){where} "
                f"order by conversation_id limit {int(batch_size)}",
                [last_id, last_id, *params],
            )
            batch = list(_rows(cursor, "conversations", CONVERSATION_JSON_COLUMNS))
            if not batch:
                return
            ids = [row["conversation_id"] for row in batch]
            children: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for key, mart, json_columns, order in CHILDREN:
                grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
                cursor = con.execute(
                    f"select * from {relations[mart]} "
                    f"where conversation_id in (select unnest(?)) "
                    f"order by conversation_id, {order}",
                    [ids],
                )
                for row in _rows(cursor, mart, json_columns):
                    grouped[row["conversation_id"]].append(row)
                children[key] = grouped
            for row in batch:
                conversation_id = row["conversation_id"]
                for key, *_ in CHILDREN:
                    row[key] = children[key].get(conversation_id, [])
                yield row
            last_id = ids[-1]
            if len(batch) < batch_size:
                return
    except duckdb.Error as exc:
        raise ExportError(f"cannot read the warehouse {warehouse}: {exc}") from exc
    finally:
        con.close()


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def _dumps(document: dict[str, Any], indent: int | None = None) -> str:
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        document, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
    )


def file_name(conversation_id: str) -> str:
    """``<conversation_id>.json``, with anything that is not safe in a file name replaced."""
    return _SAFE_NAME.sub("_", conversation_id) + ".json"


def _write_atomic(path: Path, write: Callable[[IO[str]], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            write(fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export(
    warehouse: Path,
    out: Path | None,
    fmt: str = "jsonl",
    platforms: Sequence[str] = (),
    since: datetime | None = None,
    stdout: IO[str] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ExportCounts:
    """Write the documents: ``jsonl`` to ``out/conversations.jsonl`` (or ``stdout`` when ``out``
    is None), ``json`` to ``out/<conversation_id>.json``. Files appear atomically."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if out is None and fmt == "json":
        raise ExportError("--format json writes one file per conversation: give --out DIR")
    documents = iter_documents(warehouse, platforms, since, batch_size)
    counts = ExportCounts()

    def write_lines(fh: IO[str]) -> None:
        for document in documents:
            fh.write(_dumps(document) + "\n")
            counts.add(document)

    if out is None:
        if stdout is None:
            raise ExportError("no output: give --out DIR or -")
        write_lines(stdout)
        stdout.flush()
        return counts
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "jsonl":
            _write_atomic(out / JSONL_NAME, write_lines)
        else:
            for document in documents:
                text = _dumps(document, indent=2) + "\n"
                _write_atomic(
                    out / file_name(document["conversation_id"]), lambda fh, t=text: fh.write(t)
                )
                counts.add(document)
    except OSError as exc:
        raise ExportError(f"cannot write to {out}: {exc}") from exc
    return counts
