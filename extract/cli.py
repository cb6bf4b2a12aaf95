"""Command line: ``python -m extract run`` / ``python -m extract init``."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import sys
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click

from extract import __version__
from extract.lake import ROW_GROUP_SIZE, Lake, LakeError, init_lake
from extract.lock import LockBusy, lake_lock
from extract.logs import FORMATS, configure, fields, get_logger
from extract.options import DEFAULT_BATCH_SIZE, ExtractionOptions, parse_bound
from extract.platforms import REGISTRY
from extract.progress import RunSummary, render_human
from extract.redact import RedactError
from extract.runner import run_extract, utc_now

LAKE_HELP = "Lake root: a folder or any fsspec URL (s3://…)."
log = get_logger()


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


# command -> the module defining it, imported when the command is used
_LAZY_COMMANDS = {"synth": "extract.synth.cli"}


class _Commands(click.Group):
    """The command group. ``synth`` (the corpus generator, a package of its own) is imported only
    when it is the command given or the commands are listed: not by every ``run``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            self.add_command(getattr(importlib.import_module(_LAZY_COMMANDS[cmd_name]), cmd_name))
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="extract")
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    envvar="EXTRACT_LOG_FORMAT",
    default="text",
    show_default=True,
    help="Log lines on stderr: readable text, or one JSON object a line (timestamp, level, "
    "stage, platform, run_id, file, message). [env: EXTRACT_LOG_FORMAT]",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more detail (debug records).")
def main(log_format: str, verbose: bool) -> None:
    """Land AI coding-assistant conversation logs as raw Parquet records in a lake."""
    configure(log_format, verbose)


def entry() -> NoReturn:
    """The command line's entry point (``python -m extract``, ``ai-logs-extract``): runs ``main``,
    then ends the process at once with its exit status, without the interpreter's finalization.

    A native thread pool torn down in that finalization (Arrow's, DuckDB's) can abort a process
    whose command has done all its work: ``terminate called without an active exception``,
    SIGABRT, exit -6 (apache/arrow#34314; measured here on repeated ``extract run``s into one
    lake, 22 in 1,124 under load). By then every command has closed what it wrote (lake files are
    renamed into place, the lock is released, worker processes are joined), so nothing is lost by
    skipping it: standard output, standard error and the log handlers are flushed first. An
    exception other than ``SystemExit`` (a bug) still ends the process the usual way, with its
    traceback.
    """
    try:
        main()
        status = 0  # not reached: click's standalone mode always exits
    except SystemExit as exc:
        status = exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`), a closed stream
            stream.flush()
    logging.shutdown()
    os._exit(status)


def exit_status(code: object) -> int:
    """The process exit status for ``SystemExit(code)``, as the interpreter itself gives it: 0 for
    None, an int as it is, anything else is printed on standard error and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


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
        log.error("%s", exc, extra=fields("init"))
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
    "--redact",
    is_flag=True,
    help="Mask secrets (seeds/secret_patterns.csv) in each record before it lands: "
    "[REDACTED:<kind>] in place of the match. The lake then no longer holds the source's exact "
    "bytes (README, Privacy).",
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
    redact: bool,
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
            redact=redact,
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
                notify=lambda message: log.info("%s", message, extra=fields("discover")),
                options=options,
                workers=workers,
            )
    except LockBusy as exc:
        log.error("%s", exc, extra=fields("lock"))
        sys.exit(75)
    except RedactError as exc:
        log.error("%s", exc, extra=fields("extract"))
        sys.exit(1)
    except LakeError as exc:
        log.error("the lake cannot be written: %s", exc, extra=fields("load"))
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    elif not quiet:
        click.echo(render_human(summary))
    log_run(summary, errors_shown=not quiet)
    if "claude_code" in summary.platforms and "claude_code" not in sources:
        warn_claude_cleanup(summary)
    if summary.exit_code:
        log.error(
            "extract run %s failed: nothing could be landed (%d error(s))",
            summary.run_id,
            len(summary.errors),
            extra=fields("run", run_id=summary.run_id),
        )
    sys.exit(summary.exit_code)


def log_run(summary: RunSummary, *, errors_shown: bool) -> None:
    """The run's log records: one error per file that failed, debug detail, the summary line.

    The text log prints a file error only when the run's table (or --json) does not list it,
    and never the summary line (the table's first line); the JSON log has them all.
    """
    run_id = summary.run_id
    for error in summary.errors:
        log.error(
            "%s",
            error.message,
            extra=fields(
                "extract",
                platform=error.platform,
                run_id=run_id,
                file=error.file,
                text=not errors_shown,
            ),
        )
    for name, counts in summary.platforms.items():
        log.debug(
            "%d file(s) seen, %d new, %d grown, %d rewritten, %d unchanged, %d failed; "
            "%d row(s) landed",
            counts.files_seen,
            counts.new,
            counts.grown,
            counts.rewritten,
            counts.unchanged,
            counts.failed,
            counts.rows_landed,
            extra=fields("extract", platform=name, run_id=run_id, details=asdict(counts)),
        )
    for path in summary.raw_files:
        log.debug("written", extra=fields("load", run_id=run_id, file=path))
    m = summary.metrics
    log.debug(
        "discover %.2fs, extract %.2fs, load %.2fs; %d file(s), %d byte(s) written",
        m.discover_seconds,
        m.extract_seconds,
        m.load_seconds,
        m.files_written,
        m.bytes_written,
        extra=fields("load", run_id=run_id, details=m.to_json()),
    )
    total = summary.totals
    log.info(
        "extract run %s: %s; %d file(s) seen, %d failed, %d row(s) landed, %d error(s)",
        run_id,
        summary.status,
        total.files_seen,
        total.failed,
        total.rows_landed,
        len(summary.errors),
        extra=fields(
            "run",
            run_id=run_id,
            details={"status": summary.status, "lake": summary.lake_uri, **asdict(total)},
            text=False,
        ),
    )


def warn_claude_cleanup(summary: RunSummary) -> None:
    """Warn (stderr) when Claude Code's cleanup would delete history that is not in the lake."""
    from extract.retention import scan
    from extract.state import load_states

    lake = Lake(summary.lake_uri)
    try:
        homes = scan(
            None, utc_now(), env=os.environ, home=Path.home(), load_states=lambda: load_states(lake)
        )
    except LakeError as exc:
        log.warning(
            "cannot check Claude Code's cleanup against the lake: %s",
            exc,
            extra=fields("cleanup", platform="claude_code", run_id=summary.run_id),
        )
        return
    for home in homes:
        for message in home.warnings():
            log.warning(
                "%s",
                message,
                extra=fields(
                    "cleanup",
                    platform="claude_code",
                    run_id=summary.run_id,
                    details=home.to_json(),
                ),
            )


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
        log.error(
            "no warehouse at %s: run `dbt build --profiles-dir .` first",
            warehouse,
            extra=fields("summary"),
        )
        sys.exit(1)
    import duckdb  # here: `extract run` starts faster and smaller without DuckDB

    from extract.summary import read_totals, render

    try:
        totals, dead_letters = read_totals(warehouse)
    except (LookupError, duckdb.Error) as exc:
        log.error("%s", exc, extra=fields("summary"))
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
        log.error("%s", exc, extra=fields("export"))
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
    Transient errors (connection lost, server restarting, serialization failure, deadlock) are
    retried with backoff; a file that still fails is reported and the others load. The load
    itself is recorded in <schema>._load_runs. Exits 1 when nothing could be loaded.
    """
    from extract.load import LoadError, load_postgres, render_report, report_json

    try:
        lake = Lake(lake_uri)
        report = load_postgres(lake, sorted(REGISTRY), schema_name)
    except (LakeError, LoadError) as exc:
        log.error("%s", exc, extra=fields("load"))
        sys.exit(1)
    click.echo(report_json(report) if as_json else render_report(report, f"{target} {schema_name}"))
    if report.status == "failed":
        click.echo(f"error: no file could be loaded ({report.files_failed} failed)", err=True)
        sys.exit(1)


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
        log.error("a --source path is missing or unreadable (see above)", extra=fields("sources"))
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
@click.option(
    "--write-examples",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    metavar="EXAMPLES_README",
    help="Rewrite the generated index of examples/README.md (each platform's example folder).",
)
def platforms_cmd(
    as_json: bool,
    markdown: bool,
    write_readme: Path | None,
    write_dbt: Path | None,
    write_examples: Path | None,
) -> None:
    """Every registered platform: extractor version, formats and format versions it reads,
    default locations per OS, the unified fields it can fill, and how --since/--until and
    --session read its records.

    The registry is the one list of platforms: the README's platform tables (--write-readme),
    dbt's unified_platforms var (--write-dbt) and the index of examples/README.md
    (--write-examples) are generated from it (`make platforms`).
    """
    from extract.catalog import (
        catalog,
        markdown_blocks,
        render_text,
        write_dbt_project,
        write_examples_readme,
    )
    from extract.catalog import write_readme as rewrite_readme

    entries = catalog()
    writes = (
        (write_readme, rewrite_readme),
        (write_dbt, write_dbt_project),
        (write_examples, write_examples_readme),
    )
    if any(path is not None for path, _ in writes):
        for path, rewrite in writes:
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


@main.command("health")
@click.option(
    "--lake",
    "lake_uri",
    envvar="LAKE_URI",
    default="./lake",
    show_default=True,
    help=LAKE_HELP + " [env: LAKE_URI]",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    envvar="DBT_TARGET",
    default="duckdb",
    show_default=True,
    help="The warehouse dbt builds: the DuckDB file (--warehouse) or PostgreSQL (PG* variables, "
    "as profiles.yml). [env: DBT_TARGET]",
)
@click.option(
    "--warehouse",
    envvar="WAREHOUSE_PATH",
    default="warehouse.duckdb",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The DuckDB warehouse (--target duckdb). [env: WAREHOUSE_PATH]",
)
@click.option(
    "--schema",
    "schema_name",
    envvar="PGSCHEMA",
    default="analytics",
    show_default=True,
    help="Schema of the marts on PostgreSQL. [env: PGSCHEMA]",
)
@click.option(
    "--max-age",
    "max_age_days",
    type=click.FloatRange(min=0),
    default=7.0,
    show_default=True,
    metavar="DAYS",
    help="Freshness threshold: the newest extract run must be younger (else fail), and each "
    "platform's newest message (else warn; only platforms with messages).",
)
@click.option(
    "--max-error-rate",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    metavar="RATE",
    help="Failed files / files seen of the newest run above which it fails.",
)
@click.option(
    "--cleanup-margin",
    "margin_days",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    metavar="DAYS",
    help="Warn about a Claude Code transcript not in the lake this many days before "
    "cleanupPeriodDays deletes it.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on a warning too, not only on a failure.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def health_cmd(
    lake_uri: str,
    target: str,
    warehouse: Path,
    schema_name: str,
    max_age_days: float,
    max_error_rate: float,
    margin_days: int,
    strict: bool,
    as_json: bool,
) -> None:
    """Check the pipeline: lake and warehouse reachable, the newest run (age, error rate),
    freshness per platform, dead letters, Claude Code's transcript cleanup, file permissions,
    disk sizes.

    Prints one row per check (ok, warn or fail); exits 1 when a check fails (--strict: or
    warns). `dbt source freshness --profiles-dir .` checks the raw tables' landing times too.
    """
    from extract.health import exit_code, render_text, run_health

    rows = run_health(
        lake_uri=lake_uri,
        target=target,
        warehouse=warehouse,
        schema=schema_name,
        now=utc_now(),
        env=os.environ,
        home=Path.home(),
        max_age_days=max_age_days,
        max_error_rate=max_error_rate,
        margin_days=margin_days,
    )
    code = exit_code(rows, strict)
    if as_json:
        payload = {"healthy": code == 0, "checks": [r.to_json() for r in rows]}
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        click.echo(render_text(rows))
    for row in rows:
        if row.status != "ok":
            level = logging.ERROR if row.status == "fail" else logging.WARNING
            log.log(
                level,
                "%s: %s",
                row.check,
                row.message,
                extra=fields("health", platform=row.platform, details=row.to_json(), text=False),
            )
    sys.exit(code)
