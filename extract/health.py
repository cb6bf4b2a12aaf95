"""``python -m extract health``: is the pipeline healthy? One row per check.

Each check is a pure function of facts read beforehand (``gather``), returning ``Check`` rows:
``check``, ``platform`` (or null), ``status`` (``ok``, ``warn`` or ``fail``), ``value`` and
``threshold`` (numbers in ``unit``), and a ``message`` that says what to do.

=================  ======================================================================
check              fails / warns when
=================  ======================================================================
``lake``           fail: the lake cannot be opened or has no extract run yet
``last_run``       fail: the newest extract run is older than ``max_age`` or ``failed``
``error_rate``     fail: the newest run's failed files / files seen is above ``max_error_rate``;
                   warn: it had errors below that
``warehouse``      fail: the warehouse cannot be opened or its marts are not built
``build``          warn: an extract run landed records after the last ``dbt build`` / ``run``
``freshness``      warn: a platform's newest message is older than ``max_age`` (only the
                   platforms with messages in the warehouse)
``dead_letters``   warn: the warehouse holds dead letters (per platform)
``claude_cleanup`` warn: Claude Code would delete transcripts not yet in the lake, or its
                   ``cleanupPeriodDays`` is short (extract/retention.py)
``permissions``    warn: the local lake folder or the DuckDB warehouse is readable by others
``lake_size``,     ok: the disk size (bytes), for the record
``warehouse_size``
=================  ======================================================================

The command exits 1 when a check fails (with ``--strict`` also when one warns), else 0.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from extract import retention
from extract.lake import Lake, LakeError
from extract.progress import human_bytes
from extract.retention import ClaudeHome
from extract.sources import Storage, storage
from extract.state import load_states

STATUSES = ("ok", "warn", "fail")
DEFAULT_MAX_AGE_DAYS = 7.0
DEFAULT_MAX_ERROR_RATE = 0.05
BUILD_HINT = "python -m extract init && dbt build --profiles-dir ."
RUN_HINT = "python -m extract run"
MARTS = ("messages", "dead_letter_records")
RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "files_seen", "files_failed")


@dataclass
class Check:
    check: str
    platform: str | None
    status: str
    value: float | int | str | None
    threshold: float | int | str | None
    message: str
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 2)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


# ------------------------------------------------------------------------------------------------
# Pure checks
# ------------------------------------------------------------------------------------------------


def lake_checks(
    uri: str, error: str | None, runs: Sequence[Mapping[str, Any]] | None
) -> list[Check]:
    if error is not None:
        return [Check("lake", None, "fail", None, None, f"the lake {uri} cannot be read: {error}")]
    if runs is None:
        return [Check("lake", None, "fail", None, None, f"no lake at {uri}: run `{RUN_HINT}`")]
    if not runs:
        return [Check("lake", None, "fail", 0, None, f"no extract run in {uri} yet: `{RUN_HINT}`")]
    return [Check("lake", None, "ok", len(runs), None, f"{uri}: {len(runs)} run(s)", "runs")]


def last_run_checks(
    runs: Sequence[Mapping[str, Any]], now: datetime, max_age_days: float, max_error_rate: float
) -> list[Check]:
    """The newest run's age and status, and its error rate (failed files / files seen)."""
    if not runs:
        return []
    last = max(runs, key=lambda r: (_utc(r["started_at"]), r["run_id"]))
    run_id, status = last["run_id"], last["status"]
    finished = _utc(last["finished_at"] or last["started_at"])
    age = _days(now - finished)
    if status == "failed":
        state, message = "fail", f"run {run_id} failed: nothing could be landed (see its errors)"
    elif age > max_age_days:
        state, message = "fail", f"no extract run for {age:g} day(s) (run {run_id}): `{RUN_HINT}`"
    else:
        state, message = "ok", f"run {run_id}: {status}, {age:g} day(s) ago"
    rows = [Check("last_run", None, state, age, max_age_days, message, "days")]
    seen, failed = int(last["files_seen"] or 0), int(last["files_failed"] or 0)
    rate = round(failed / seen, 4) if seen else 0.0
    if rate > max_error_rate:
        state = "fail"
        message = f"run {run_id}: {failed} of {seen} file(s) failed (`extract summary`, _runs)"
    elif failed or status == "partial":
        state, message = "warn", f"run {run_id}: {failed} of {seen} file(s) failed"
    else:
        state, message = "ok", f"run {run_id}: no file failed ({seen} seen)"
    rows.append(Check("error_rate", None, state, rate, max_error_rate, message, "ratio"))
    return rows


def warehouse_check(where: str, error: str | None) -> Check:
    if error is not None:
        return Check("warehouse", None, "fail", None, None, f"{where}: {error}")
    return Check("warehouse", None, "ok", None, None, f"{where}: marts built")


def build_check(last_landing: datetime | None, last_build: datetime | None) -> Check:
    """Whether the warehouse was built after the newest run that landed records."""
    if last_landing is None:
        return Check("build", None, "ok", None, None, "no extract run has landed records yet")
    if last_build is None or _utc(last_build) < _utc(last_landing):
        since = "never built" if last_build is None else f"last build {last_build:%Y-%m-%d %H:%M}"
        return Check(
            "build",
            None,
            "warn",
            None,
            None,
            f"the lake has records from {last_landing:%Y-%m-%d %H:%M} the warehouse has not "
            f"({since}): run `dbt build --profiles-dir .`",
        )
    return Check("build", None, "ok", None, None, f"built {last_build:%Y-%m-%d %H:%M} UTC")


def freshness_checks(
    newest: Mapping[str, datetime | None], now: datetime, max_age_days: float
) -> list[Check]:
    """Age of each platform's newest message (platforms with messages only)."""
    rows = []
    for platform, when in sorted(newest.items()):
        if when is None:
            continue
        age = _days(now - _utc(when))
        if age > max_age_days:
            state = "warn"
            message = f"newest message {age:g} day(s) old ({_utc(when):%Y-%m-%d %H:%M} UTC)"
        else:
            state, message = "ok", f"newest message {_utc(when):%Y-%m-%d %H:%M} UTC"
        rows.append(Check("freshness", platform, state, age, max_age_days, message, "days"))
    return rows


def dead_letter_checks(counts: Mapping[str, int]) -> list[Check]:
    rows = [
        Check(
            "dead_letters",
            platform,
            "warn",
            n,
            0,
            f"{n} record(s) staging could not use (the dead_letter_records mart says why)",
            "records",
        )
        for platform, n in sorted(counts.items())
        if n
    ]
    return rows or [Check("dead_letters", None, "ok", 0, 0, "no dead letters", "records")]


def cleanup_checks(homes: Sequence[ClaudeHome]) -> list[Check]:
    rows = []
    for home in homes:
        warnings = home.warnings()
        state = "warn" if warnings else "ok"
        message = "; ".join(warnings) or (
            f"{home.config_dir}: {home.transcripts} transcript(s), none at risk "
            f"(cleanupPeriodDays {home.period.days}, {home.period.source})"
        )
        rows.append(
            Check(
                "claude_cleanup",
                "claude_code",
                state,
                len(home.at_risk),
                home.period.days,
                message,
                "transcripts at risk / period days",
            )
        )
    return rows


def permission_checks(paths: Mapping[str, int | None]) -> list[Check]:
    """``paths``: what (lake / warehouse path) -> its st_mode (None when it is not local)."""
    rows = []
    for what, mode in paths.items():
        if mode is None:
            continue
        others = stat.S_IMODE(mode) & 0o077
        recursive = "-R " if stat.S_ISDIR(mode) else ""
        if others:
            rows.append(
                Check(
                    "permissions",
                    None,
                    "warn",
                    oct(stat.S_IMODE(mode)),
                    "0o700" if stat.S_ISDIR(mode) else "0o600",
                    f"{what} is open to others: chmod {recursive}go-rwx {what}",
                    "mode",
                )
            )
        else:
            rows.append(
                Check("permissions", None, "ok", oct(stat.S_IMODE(mode)), None, f"{what}", "mode")
            )
    return rows


def storage_checks(store: Storage, warehouse_bytes: int | None, warehouse: str) -> list[Check]:
    lake = ", ".join(f"{a} {human_bytes(n)}" for a, n in store.lake_bytes_by_area.items())
    rows = [
        Check(
            "lake_size",
            None,
            "ok",
            store.lake_bytes,
            None,
            f"{store.lake}: {store.lake_files} file(s)" + (f" ({lake})" if lake else ""),
            "bytes",
        )
    ]
    if warehouse_bytes is not None:
        rows.append(Check("warehouse_size", None, "ok", warehouse_bytes, None, warehouse, "bytes"))
    return rows


def exit_code(rows: Sequence[Check], strict: bool = False) -> int:
    bad = {"fail", "warn"} if strict else {"fail"}
    return 1 if any(r.status in bad for r in rows) else 0


# ------------------------------------------------------------------------------------------------
# Reading the facts
# ------------------------------------------------------------------------------------------------


def read_runs(lake: Lake) -> list[dict[str, Any]] | None:
    """Every run record of the lake (``_runs``), or None when the lake does not exist."""
    if not lake.exists("_runs"):
        return None
    rows: list[dict[str, Any]] = []
    for table in lake.read_tables(lake.list_parquet("_runs")):
        rows.extend(table.select([*RUN_COLUMNS, "rows_landed"]).to_pylist())
    return rows


class WarehouseError(Exception):
    """The warehouse cannot be read, or its marts are not built."""


class Warehouse(Protocol):
    where: str

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def relation(self, name: str) -> str | None: ...

    def size_bytes(self) -> int | None: ...

    def close(self) -> None: ...


class DuckDBWarehouse:
    def __init__(self, path: Path) -> None:
        import duckdb

        self.path = path
        self.where = f"warehouse {path}"
        if not path.exists():
            raise WarehouseError(f"no warehouse at {path}: run `{BUILD_HINT}`")
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open {path}: {exc}") from exc

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def relation(self, name: str) -> str | None:
        row = self.con.execute(
            "select table_schema from information_schema.tables where table_name = ? "
            "order by table_schema = 'main' desc limit 1",
            [name],
        ).fetchone()
        return f'"{row[0]}"."{name}"' if row else None

    def size_bytes(self) -> int | None:
        wal = self.path.with_name(self.path.name + ".wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def close(self) -> None:
        self.con.close()


class PostgresWarehouse:
    def __init__(self, schema: str, connect: Callable[[], Any] | None = None) -> None:
        from extract.load import LoadError, connect_postgres

        self.schema = schema
        try:
            self.conn = (connect or connect_postgres)()
        except LoadError as exc:
            raise WarehouseError(str(exc)) from exc
        params = self.conn.get_dsn_parameters()
        self.where = (
            f"postgres {params.get('host')}:{params.get('port')}/{params.get('dbname')} {schema}"
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def relation(self, name: str) -> str | None:
        with self.conn.cursor() as cur:
            cur.execute(
                "select 1 from information_schema.tables"
                " where table_schema = %s and table_name = %s",
                (self.schema, name),
            )
            found = cur.fetchone()
        return f'"{self.schema}"."{name}"' if found else None

    def size_bytes(self) -> int | None:
        rows = self.query("select pg_database_size(current_database())")
        return int(rows[0][0]) if rows else None

    def close(self) -> None:
        self.conn.close()


@dataclass
class WarehouseFacts:
    newest: dict[str, datetime | None] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)
    last_build: datetime | None = None
    size_bytes: int | None = None


def read_warehouse(wh: Warehouse) -> WarehouseFacts:
    """The facts the checks need; ``WarehouseError`` when the marts are not built."""
    messages, dead = (wh.relation(name) for name in MARTS)
    if messages is None or dead is None:
        raise WarehouseError(f"the marts are not built yet: run `{BUILD_HINT}`")
    facts = WarehouseFacts()
    facts.newest = {
        str(p): (_utc(t) if t is not None else None)
        for p, t in wh.query(f'select platform, max("timestamp") from {messages} group by platform')
    }
    facts.dead_letters = {
        str(p): int(n)
        for p, n in wh.query(f"select platform, count(*) from {dead} group by platform")
    }
    results = wh.relation("dbt_run_results")
    if results is not None:
        rows = wh.query(
            f"select max(invocation_started_at) from {results} where command in ('build', 'run')"
        )
        facts.last_build = rows[0][0] if rows and rows[0][0] is not None else None
    facts.size_bytes = wh.size_bytes()
    return facts


def local_mode(path: str | Path) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _database_errors() -> tuple[type[BaseException], ...]:
    import duckdb

    errors: list[type[BaseException]] = [duckdb.Error]
    try:
        import psycopg2

        errors.append(psycopg2.Error)
    except ImportError:  # pragma: no cover - installed with dbt-postgres
        pass
    return tuple(errors)


def open_warehouse(
    target: str, warehouse: Path, schema: str, connect: Callable[[], Any] | None = None
) -> Warehouse:
    if target == "postgres":
        return PostgresWarehouse(schema, connect)
    return DuckDBWarehouse(warehouse)


def run_health(
    *,
    lake_uri: str,
    target: str,
    warehouse: Path,
    schema: str,
    now: datetime,
    env: Mapping[str, str],
    home: Path,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    max_error_rate: float = DEFAULT_MAX_ERROR_RATE,
    margin_days: int = retention.DEFAULT_MARGIN_DAYS,
    managed: Path | None = None,
    connect: Callable[[], Any] | None = None,
) -> list[Check]:
    """Read the lake, the warehouse and Claude Code's settings; run every check."""
    rows: list[Check] = []
    lake: Lake | None = None
    runs: list[dict[str, Any]] | None = None
    lake_error: str | None = None
    try:
        lake = Lake(lake_uri)
        runs = read_runs(lake)
    except LakeError as exc:
        lake_error = str(exc)
    rows += lake_checks(lake.uri if lake else lake_uri, lake_error, runs)
    rows += last_run_checks(runs or [], now, max_age_days, max_error_rate)

    facts: WarehouseFacts | None = None
    where = f"postgres schema {schema}" if target == "postgres" else f"warehouse {warehouse}"
    try:
        wh = open_warehouse(target, warehouse, schema, connect)
        where = wh.where
        try:
            facts = read_warehouse(wh)
        finally:
            wh.close()
        rows.append(warehouse_check(where, None))
    except WarehouseError as exc:
        rows.append(warehouse_check(where, str(exc)))
    except _database_errors() as exc:
        rows.append(warehouse_check(where, f"cannot be read: {str(exc).strip()}"))
    if facts is not None:
        landed = [_utc(r["finished_at"] or r["started_at"]) for r in runs or [] if r["rows_landed"]]
        rows.append(build_check(max(landed) if landed else None, facts.last_build))
        rows += freshness_checks(facts.newest, now, max_age_days)
        rows += dead_letter_checks(facts.dead_letters)

    def states() -> Mapping[Any, Any]:
        if lake is None or lake_error is not None:
            return {}
        try:
            return load_states(lake)
        except LakeError:
            return {}

    homes = retention.scan(
        None, now, env=env, home=home, margin_days=margin_days, managed=managed, load_states=states
    )
    rows += cleanup_checks(homes)

    modes: dict[str, int | None] = {}
    if lake is not None and not lake.object_store and "://" not in lake.uri:
        modes[lake.root] = local_mode(lake.root)
    if target == "duckdb":
        modes[str(warehouse)] = local_mode(warehouse)
    rows += permission_checks(modes)

    store = storage(lake_uri, warehouse)
    size = facts.size_bytes if facts is not None else None
    if size is None and target == "duckdb":
        size = store.warehouse_bytes
    rows += storage_checks(store, size, where)
    return rows


def render_text(rows: Sequence[Check]) -> str:
    header = ("check", "platform", "status", "value", "threshold", "message")
    table = [header]
    for r in rows:
        value = "-" if r.value is None else str(r.value)
        if r.unit == "bytes" and isinstance(r.value, int):
            value = human_bytes(r.value)
        table.append(
            (
                r.check,
                r.platform or "-",
                r.status,
                value,
                "-" if r.threshold is None else str(r.threshold),
                r.message,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
        for row in table
    ]
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    verdict = "unhealthy" if counts["fail"] else "healthy"
    lines.append("")
    lines.append(f"{verdict}: {counts['ok']} ok, {counts['warn']} warn, {counts['fail']} fail")
    return "\n".join(lines)
