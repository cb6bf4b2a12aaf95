"""A one-screen summary of what the warehouse holds (``python -m extract summary``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class PlatformTotals:
    platform: str
    conversations: int
    messages: int
    tool_calls: int
    input_tokens: int | None
    output_tokens: int | None
    cost: float | None


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))


def _tokens(value: int | None) -> str:
    # platforms that record no tokens (ChatGPT exports) show n/a, never a made-up 0
    return "n/a" if value is None else f"{value:,}"


def _relation(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute(
        "select table_schema from information_schema.tables where table_name = ? limit 1", [name]
    ).fetchone()
    return f'"{row[0]}"."{name}"' if row else None


def read_totals(warehouse: Path) -> tuple[list[PlatformTotals], int]:
    """Per-platform totals from the marts, and the number of dead letters."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        conversations = _relation(con, "conversations")
        messages = _relation(con, "messages")
        tool_calls = _relation(con, "tool_calls")
        dead = _relation(con, "dead_letter_records")
        if not (conversations and messages and tool_calls and dead):
            raise LookupError("the marts are not built yet: run `dbt build --profiles-dir .` first")
        rows = con.execute(
            f"""
            select
                c.platform,
                count(*) as conversations,
                sum(c.total_messages) as messages,
                (select count(*) from {tool_calls} t where t.platform = c.platform) as tool_calls,
                sum(c.total_input_tokens) as input_tokens,
                sum(c.total_output_tokens) as output_tokens,
                sum(c.total_cost) as cost
            from {conversations} c
            group by 1
            order by 1
            """
        ).fetchall()
        dead_letters = con.execute(f"select count(*) from {dead}").fetchone()
    finally:
        con.close()
    totals = [
        PlatformTotals(
            r[0], int(r[1]), int(r[2] or 0), int(r[3]), _int_or_none(r[4]), _int_or_none(r[5]), r[6]
        )
        for r in rows
    ]
    return totals, int(dead_letters[0]) if dead_letters else 0


def render(warehouse: Path, totals: list[PlatformTotals], dead_letters: int) -> str:
    lines = [f"Warehouse: {warehouse.resolve()}"]
    if not totals:
        lines.append("No conversations yet: run `python -m extract run`, then `dbt build`.")
    header = f"{'platform':<14}{'conversations':>14}{'messages':>10}{'tool calls':>11}"
    header += f"{'input tok':>13}{'output tok':>12}{'cost USD':>11}"
    if totals:
        lines += ["", header]
    for t in totals:
        cost = f"{t.cost:.2f}" if t.cost is not None else "n/a"
        lines.append(
            f"{t.platform:<14}{t.conversations:>14}{t.messages:>10}{t.tool_calls:>11}"
            f"{_tokens(t.input_tokens):>13}{_tokens(t.output_tokens):>12}{cost:>11}"
        )
    lines += [
        "",
        f"Dead-letter records: {dead_letters} (see the dead_letter_records table)",
        "Query it with SQL: README.md has example queries (tables conversations, messages,",
        "tool_calls, summaries, usage_daily, dead_letter_records).",
    ]
    return "\n".join(lines)
