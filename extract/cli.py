"""Command line: ``python -m extract run`` / ``python -m extract init``."""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import click
import duckdb

from extract import __version__
from extract.lake import Lake, LakeError, init_lake
from extract.lock import LockBusy, lake_lock
from extract.platforms import REGISTRY
from extract.progress import render_human
from extract.runner import run_extract
from extract.summary import read_totals, render
from extract.synth.cli import synth

LAKE_HELP = "Lake root: a folder or any fsspec URL (s3://…)."


def _parse_sources(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, list[Path]]:
    sources: dict[str, list[Path]] = defaultdict(list)
    for value in values:
        name, sep, path = value.partition("=")
        name = name.strip()
        if not sep or not path:
            raise click.BadParameter(f"expected PLATFORM=PATH, got {value!r}", ctx, param)
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise click.BadParameter(f"unknown platform {name!r} (known: {known})", ctx, param)
        sources[name].append(Path(path).expanduser())
    return dict(sources)


@click.group()
@click.version_option(__version__, prog_name="extract")
def main() -> None:
    """Land AI coding-assistant conversation logs as raw Parquet records in a lake."""


main.add_command(synth)


@main.command()
@click.option(
    "--lake", "lake_uri", envvar="LAKE_URI", default="./lake", show_default=True, help=LAKE_HELP
)
@click.option("--quiet", is_flag=True, help="Print nothing unless there is an error.")
def init(lake_uri: str, quiet: bool) -> None:
    """Create the lake's zero-row _empty.parquet for every registered platform."""
    try:
        lake = Lake(lake_uri)
        written = init_lake(lake, sorted(REGISTRY))
    except LakeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    already = len(REGISTRY) - len(written)
    if not quiet:
        click.echo(
            f"lake {lake.uri}: {len(written)} _empty.parquet written, {already} already there"
        )


@main.command("run")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PLATFORM=PATH",
    callback=_parse_sources,
    help="Read this folder or file for PLATFORM instead of its default locations (repeatable).",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(sorted(REGISTRY)),
    help="Only run these platforms (repeatable; default: all).",
)
@click.option(
    "--lake",
    "lake_uri",
    envvar="LAKE_URI",
    default="./lake",
    show_default=True,
    help=LAKE_HELP + " [env: LAKE_URI]",
)
@click.option(
    "--quiet", is_flag=True, help="No progress bar and no summary (errors still go to stderr)."
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable JSON summary.")
@click.option(
    "--examples/--no-examples",
    default=False,
    show_default=True,
    help="When no logs are found at all, land the bundled example logs instead.",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="When another run holds the lake, wait this long for it before giving up (exit 75).",
)
def run_cmd(
    sources: dict[str, list[Path]],
    platforms: tuple[str, ...],
    lake_uri: str,
    quiet: bool,
    as_json: bool,
    examples: bool,
    wait_seconds: float,
) -> None:
    """Discover assistant logs and land new raw records in the lake (incremental)."""
    if platforms:
        excluded = sorted(set(sources) - set(platforms))
        if excluded:
            raise click.UsageError(
                f"--source given for {', '.join(excluded)} but --platform does not include it"
            )
    show_progress = not quiet and not as_json and sys.stderr.isatty()
    try:
        with lake_lock(Lake(lake_uri), f"pid-{os.getpid()}", wait_seconds):
            summary = run_extract(
                lake_uri=lake_uri,
                platforms=list(platforms) or None,
                sources=sources,
                use_examples=examples,
                show_progress=show_progress,
                notify=lambda message: click.echo(message, err=True),
            )
    except LockBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(75)
    except LakeError as exc:
        click.echo(f"error: the lake cannot be written: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    elif not quiet:
        click.echo(render_human(summary))
    if quiet:
        for error in summary.errors:
            click.echo(f"error: [{error.platform}] {error.file}: {error.message}", err=True)
    if summary.exit_code:
        click.echo(
            f"error: extract run {summary.run_id} failed: nothing could be landed "
            f"({len(summary.errors)} error(s))",
            err=True,
        )
    sys.exit(summary.exit_code)


@main.command()
@click.option(
    "--warehouse",
    envvar="WAREHOUSE_PATH",
    default="warehouse.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The DuckDB warehouse dbt built. [env: WAREHOUSE_PATH]",
)
def summary(warehouse: Path) -> None:
    """Print what the warehouse holds: conversations, messages, tokens and cost per platform."""
    if not warehouse.exists():
        click.echo(
            f"error: no warehouse at {warehouse}: run `dbt build --profiles-dir .` first", err=True
        )
        sys.exit(1)
    try:
        totals, dead_letters = read_totals(warehouse)
    except (LookupError, duckdb.Error) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(render(warehouse, totals, dead_letters))


@main.command("export")
@click.option(
    "--warehouse",
    envvar="WAREHOUSE_PATH",
    default="warehouse.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The DuckDB warehouse dbt built. [env: WAREHOUSE_PATH]",
)
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    metavar="DIR|-",
    help="Folder to write into (created if needed), or - for stdout (jsonl only).",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    help="Only export conversations of this platform (repeatable; default: all).",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Only conversations whose last message is at or after this date/time (UTC if no offset).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one document per line (DIR/conversations.jsonl or stdout); "
    "json: one DIR/<conversation_id>.json each.",
)
def export_cmd(
    warehouse: Path, out: str, platforms: tuple[str, ...], since: object, fmt: str
) -> None:
    """Export conversations (with messages, tool calls, summaries) as unified JSON documents.

    Each document follows schema/unified_conversation.schema.json. A count summary goes to stderr.
    """
    from extract.export import ExportError, export

    out_dir = None if out == "-" else Path(out)
    try:
        counts = export(warehouse, out_dir, fmt, platforms, since, stdout=sys.stdout)
    except ExportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(counts.render("stdout" if out_dir is None else str(out_dir)), err=True)


@main.command("load")
@click.option(
    "--lake", "lake_uri", envvar="LAKE_URI", default="./lake", show_default=True, help=LAKE_HELP
)
@click.option(
    "--target",
    type=click.Choice(["postgres"]),
    default="postgres",
    show_default=True,
    help="The warehouse to load into (DuckDB reads the lake directly and needs no load).",
)
@click.option(
    "--schema",
    "schema_name",
    default="raw",
    show_default=True,
    help="Schema of the raw tables (dbt's `raw_schema` var).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable JSON report.")
def load_cmd(lake_uri: str, target: str, schema_name: str, as_json: bool) -> None:
    """Copy the lake's raw Parquet files not loaded yet into the warehouse's raw tables.

    PostgreSQL connection: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (as in profiles.yml).
    Each lake file is loaded with COPY in its own transaction and recorded in
    <schema>._loaded_files, so a re-run loads only what is new and a crash loses nothing.
    """
    from extract.load import LoadError, load_postgres, render_report, report_json

    try:
        lake = Lake(lake_uri)
        report = load_postgres(lake, sorted(REGISTRY), schema_name)
    except (LakeError, LoadError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(report_json(report) if as_json else render_report(report, f"{target} {schema_name}"))
