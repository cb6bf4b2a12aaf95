"""Compare a built DuckDB warehouse with a corpus manifest, platform by platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from extract.synth.manifest import COUNT_FIELDS, TOKEN_FIELDS, Manifest

TOTALS_SQL = """
with
conversations as (
    select platform, count(*) as conversations from main.conversations group by 1
),
messages as (
    select
        platform,
        count(*) as messages,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens
    from main.messages group by 1
),
tool_calls as (
    select platform, count(*) as tool_calls from main.tool_calls group by 1
)
select
    messages.platform,
    coalesce(conversations.conversations, 0),
    messages.messages,
    coalesce(tool_calls.tool_calls, 0),
    messages.input_tokens,
    messages.output_tokens,
    messages.cache_read_tokens,
    messages.cache_write_tokens
from messages
left join conversations using (platform)
left join tool_calls using (platform)
order by 1
"""
FIELDS = (*COUNT_FIELDS, *TOKEN_FIELDS)


def warehouse_totals(warehouse: Path) -> dict[str, dict[str, Any]]:
    """Per platform: conversations, messages, tool calls and token sums of the marts."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(TOTALS_SQL).fetchall()
    finally:
        con.close()
    return {row[0]: dict(zip(FIELDS, row[1:], strict=True)) for row in rows}


def mismatches(manifest: Manifest, totals: dict[str, dict[str, Any]]) -> list[str]:
    """Every figure where the warehouse differs from the manifest (empty: they agree)."""
    problems = []
    for platform in sorted(set(manifest.platforms) | set(totals)):
        expected = manifest.totals(platform).warehouse() if platform in manifest.platforms else {}
        if expected.get("conversations", 0) == 0 and platform not in totals:
            continue
        got = totals.get(platform, {})
        for name in FIELDS:
            if expected.get(name) != got.get(name):
                problems.append(
                    f"{platform}.{name}: manifest {expected.get(name)}, warehouse {got.get(name)}"
                )
    return problems
