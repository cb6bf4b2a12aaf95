"""Run summary (counts, errors, status), its renderings, and the progress bar."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from extract.metrics import StageMetrics
from extract.options import ExtractionOptions

if TYPE_CHECKING:
    import pyarrow as pa

# click and pyarrow are imported where they are used: the reader processes (extract/reading.py)
# import this module for RunError and stay small without them.

CATEGORIES = ("new", "grown", "rewritten", "unchanged", "failed")


@dataclass
class PlatformCounts:
    files_seen: int = 0
    new: int = 0
    grown: int = 0
    rewritten: int = 0
    unchanged: int = 0
    failed: int = 0
    rows_landed: int = 0
    bytes_read: int = 0

    def add(self, other: PlatformCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class RunError:
    platform: str
    file: str
    message: str


@dataclass
class FileOutcome:
    """What the run did with one source file it read (unchanged files are not listed)."""

    platform: str
    file: str
    outcome: str  # new | grown | rewritten | failed (or unchanged, when it still had errors)
    rows: int  # records landed from it in this run
    bytes: int  # bytes read from it
    errors: int  # errors recorded for it (a refused zip member, a read error, ...)


@dataclass
class RunSummary:
    run_id: str
    started_at: datetime
    lake_uri: str
    extractor_version: str
    platforms: dict[str, PlatformCounts]
    finished_at: datetime | None = None
    errors: list[RunError] = field(default_factory=list)
    status: str = "running"
    examples_used: list[str] = field(default_factory=list)
    raw_files: list[str] = field(default_factory=list)
    options: ExtractionOptions = field(default_factory=ExtractionOptions)
    records_filtered: int = 0
    metrics: StageMetrics = field(default_factory=StageMetrics)
    files: list[FileOutcome] = field(default_factory=list)
    workers: int = 1  # processes that read the files (1: the extract process itself)

    @property
    def totals(self) -> PlatformCounts:
        total = PlatformCounts()
        for counts in self.platforms.values():
            total.add(counts)
        return total

    def finish(self, finished_at: datetime, *, lake_failed: bool = False) -> None:
        self.finished_at = finished_at
        total = self.totals
        done = total.files_seen - total.failed
        if lake_failed:
            self.status = "failed"
        elif total.files_seen == 0 and not self.errors:
            self.status = "nothing_found"
        elif done == 0:
            self.status = "failed"
        elif self.errors:
            self.status = "partial"
        else:
            self.status = "ok"

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "failed" else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "extractor_version": self.extractor_version,
            "lake": self.lake_uri,
            "platforms": {name: asdict(c) for name, c in self.platforms.items()},
            "totals": asdict(self.totals),
            "errors": [asdict(e) for e in self.errors],
            "examples_used": self.examples_used,
            "raw_files": self.raw_files,
            "options": self.options.to_json(),
            "records_filtered": self.records_filtered,
            "metrics": self.metrics.to_json(),
            "workers": self.workers,
        }

    def to_runs_table(self) -> pa.Table:
        import pyarrow as pa

        from extract.schema import RUNS_SCHEMA

        total = self.totals
        finished = self.finished_at or self.started_at
        row = {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": finished,
            "extractor_version": self.extractor_version,
            "lake_uri": self.lake_uri,
            "platforms": list(self.platforms),
            "files_seen": total.files_seen,
            "files_new": total.new,
            "files_grown": total.grown,
            "files_rewritten": total.rewritten,
            "files_unchanged": total.unchanged,
            "files_failed": total.failed,
            "rows_landed": total.rows_landed,
            "bytes_read": total.bytes_read,
            "error_count": len(self.errors),
            "errors_json": json.dumps([asdict(e) for e in self.errors]),
            "platform_counts_json": json.dumps({n: asdict(c) for n, c in self.platforms.items()}),
            "status": self.status,
            "options_json": json.dumps(self.options.to_json()),
            "records_filtered": self.records_filtered,
            **self.metrics.to_json(),
            "files_json": json.dumps([asdict(f) for f in self.files]),
        }
        return pa.Table.from_pylist([row], schema=RUNS_SCHEMA)


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def render_human(summary: RunSummary) -> str:
    header = (
        "platform",
        "seen",
        "new",
        "grown",
        "rewritten",
        "unchanged",
        "failed",
        "rows",
        "read",
    )
    rows: list[Sequence[str]] = []
    for name, c in [*summary.platforms.items(), ("total", summary.totals)]:
        rows.append(
            (
                name,
                *(
                    str(v)
                    for v in (c.files_seen, c.new, c.grown, c.rewritten, c.unchanged, c.failed)
                ),
                str(c.rows_landed),
                human_bytes(c.bytes_read),
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(r: Sequence[str]) -> str:
        cells = [r[0].ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells).rstrip()

    lines = [f"extract run {summary.run_id}: {summary.status}", fmt(header)]
    lines.extend(fmt(r) for r in rows)
    total = summary.totals
    if total.files_seen == 0:
        lines.append("No source files were found (nothing to land).")
    elif total.rows_landed == 0 and not summary.errors:
        lines.append("Nothing new to land.")
    if summary.options.filtered:
        lines.append(
            f"filters: {_describe_filters(summary.options)}; {summary.records_filtered} record(s) "
            "skipped (not marked as landed: a later unfiltered run lands them)"
        )
    if summary.options.full:
        lines.append("--full: the incremental state was ignored; every file was read whole")
    m = summary.metrics
    lines.append(
        f"time: discover {m.discover_seconds:.2f}s, extract {m.extract_seconds:.2f}s, "
        f"load {m.load_seconds:.2f}s ({m.files_written} file(s), {human_bytes(m.bytes_written)})"
        + (f"; peak memory {human_bytes(m.peak_memory_bytes)}" if m.peak_memory_bytes else "")
        + (f"; {summary.workers} reader processes" if summary.workers > 1 else "")
    )
    if summary.errors:
        lines.append(f"errors ({len(summary.errors)}):")
        lines.extend(f"  [{e.platform}] {e.file}: {e.message}" for e in summary.errors)
    lines.append(f"lake: {summary.lake_uri}")
    lines.append(f"run id: {summary.run_id}")
    return "\n".join(lines)


def _describe_filters(options: ExtractionOptions) -> str:
    parts = []
    if options.since is not None:
        parts.append(f"since {options.since.isoformat()}")
    if options.until is not None:
        parts.append(f"until {options.until.isoformat()} (excluded)")
    if options.sessions:
        parts.append("session " + ", ".join(sorted(options.sessions)))
    return ", ".join(parts)


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Any]:
    """A click progress bar on stderr, or a no-op updater when disabled."""
    if not enabled or total == 0:

        class _Null:
            def update(self, n: int) -> None:
                pass

        yield _Null()
        return
    import click

    with click.progressbar(length=total, label="Extracting", file=sys.stderr) as bar:
        yield bar
