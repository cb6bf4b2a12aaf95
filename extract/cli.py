"""Command line: ``python -m extract run`` / ``python -m extract init``."""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import click

from extract import __version__
from extract.lake import ROW_GROUP_SIZE, Lake, LakeError, init_lake
from extract.lock import LockBusy, lake_lock
from extract.options import DEFAULT_BATCH_SIZE, ExtractionOptions, parse_bound
from extract.platforms import REGISTRY
from extract.progress import render_human
from extract.runner import run_extract
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


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    return _bound(ctx, param, value, end=False)


def _until(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    return _bound(ctx, param, value, end=True)


def _bound(
    ctx: click.Context, param: click.Parameter, value: str | None, *, end: bool
) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_bound(value, end=end)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


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
    "--since",
    metavar="DATE",
    callback=_since,
    help="Only records whose own time is at or after DATE (YYYY-MM-DD, or a date-time; UTC "
    "unless it has an offset). Records without a time of their own go by their file's "
    "modification time (per platform: `extract platforms`).",
)
@click.option(
    "--until",
    metavar="DATE",
    callback=_until,
    help="Only records before DATE; a plain YYYY-MM-DD includes that whole day.",
)
@click.option(
    "--session",
    "sessions",
    multiple=True,
    metavar="ID",
    help="Only records of this session / conversation id (repeatable).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Ignore the incremental state: read every file whole and land its records again "
    "(harmless: dbt folds the repeated records). For a re-land after a parser change, or with "
    "--since/--until for a backfill.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, ROW_GROUP_SIZE),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    metavar="N",
    help="Rows per Parquet file (and row group) written to the lake.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    metavar="N",
    help="Processes that read and split files in parallel; 1 reads them one by one in this "
    "process. A run that reads less than 16 MB stays in this process.",
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
    since: datetime | None,
    until: datetime | None,
    sessions: tuple[str, ...],
    full: bool,
    batch_size: int,
    workers: int,
    wait_seconds: float,
) -> None:
    """Discover assistant logs and land new raw records in the lake (incremental).

    A run with --since, --until or --session lands only the matching records and records no
    incremental state, so the records it skipped still land on the next unfiltered run.
    """
    try:
        options = ExtractionOptions(
            since=since,
            until=until,
            sessions=frozenset(sessions),
            full=full,
            batch_size=batch_size,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
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
                options=options,
                workers=workers,
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
    import duckdb  # here: `extract run` starts faster and smaller without DuckDB

    from extract.summary import read_totals, render

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


@main.command("sources")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PLATFORM=PATH",
    callback=_parse_sources,
    help="Check this folder or file for PLATFORM instead of its default locations (repeatable).",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(sorted(REGISTRY)),
    help="Only these platforms (repeatable; default: all).",
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
    "--warehouse",
    envvar="WAREHOUSE_PATH",
    default="warehouse.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The DuckDB warehouse. [env: WAREHOUSE_PATH]",
)
@click.option("--all", "show_all", is_flag=True, help="Also list default locations not there.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable JSON report.")
def sources_cmd(
    sources: dict[str, list[Path]],
    platforms: tuple[str, ...],
    lake_uri: str,
    warehouse: Path,
    show_all: bool,
    as_json: bool,
) -> None:
    """Check every platform's sources: where it looks, what it finds, what is wrong.

    Reads only the head of each file. Exits 1 when a --source path is missing or unreadable;
    everything else (an empty folder, an unknown format version) is reported, not fatal. Also
    reports the disk size of the lake and of the warehouse.
    """
    from extract.sources import check_sources, exit_code, render_text, storage

    if platforms:
        excluded = sorted(set(sources) - set(platforms))
        if excluded:
            raise click.UsageError(
                f"--source given for {', '.join(excluded)} but --platform does not include it"
            )
    reports = check_sources(list(platforms) or None, sources)
    store = storage(lake_uri, warehouse)
    if as_json:
        payload = {
            "platforms": [r.to_json() for r in reports],
            "storage": store.to_json(),
            "ok": exit_code(reports) == 0,
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(render_text(reports, store, show_all))
    code = exit_code(reports)
    if code:
        click.echo("error: a --source path is missing or unreadable (see above)", err=True)
    sys.exit(code)


@main.command("platforms")
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@click.option(
    "--markdown", is_flag=True, help="Print the README's generated platform tables (Markdown)."
)
@click.option(
    "--write-readme",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    metavar="README",
    help="Rewrite the generated platform tables of README (between its BEGIN/END markers).",
)
@click.option(
    "--write-dbt",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    metavar="DBT_PROJECT_YML",
    help="Rewrite dbt's unified_platforms var (between its BEGIN/END markers) from the registry.",
)
def platforms_cmd(
    as_json: bool, markdown: bool, write_readme: Path | None, write_dbt: Path | None
) -> None:
    """Every registered platform: extractor version, formats and format versions it reads,
    default locations per OS, the unified fields it can fill, and how --since/--until and
    --session read its records.

    The registry is the one list of platforms: the README's platform tables (--write-readme) and
    dbt's unified_platforms var (--write-dbt) are generated from it (`make platforms`).
    """
    from extract.catalog import catalog, markdown_blocks, render_text, write_dbt_project
    from extract.catalog import write_readme as rewrite_readme

    entries = catalog()
    if write_readme is not None or write_dbt is not None:
        for path, rewrite in ((write_readme, rewrite_readme), (write_dbt, write_dbt_project)):
            if path is None:
                continue
            try:
                changed = rewrite(path)
            except ValueError as exc:
                click.echo(f"error: {path}: {exc}", err=True)
                sys.exit(1)
            click.echo(f"{path}: {'rewritten' if changed else 'already up to date'}")
    elif as_json:
        click.echo(json.dumps(entries, indent=2))
    elif markdown:
        click.echo("\n\n".join(markdown_blocks(entries).values()))
    else:
        click.echo(render_text(entries))
