"""``python -m extract sources``: where each platform looks, what it finds, and what is wrong.

For every platform and every root it would read (its default locations, or the ``--source``
paths given for it): whether the root exists, the source files under it (count, bytes, newest
modification time), the format versions their records state (read from the head of each file:
the first 64 KB of a JSONL file, a JSON document up to 8 MB), and problems:

* ``not found`` — a ``--source`` path that does not exist (default locations that do not exist
  are normal and only listed);
* ``unreadable`` — a folder that cannot be listed or a file that cannot be opened;
* ``empty`` — a root without any source file of the platform, or a source file of 0 bytes;
* ``unknown format version`` — a version none of the platform's ``version_prefixes`` (its seed
  ``<platform>__known_format_versions``) covers: it still lands, but the staging models were
  not written against it.

Only a ``--source`` path that is missing or unreadable makes the command fail (exit 1). It also
reports the disk size of the lake and of the DuckDB warehouse.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.lake import Lake, LakeError
from extract.platforms import REGISTRY
from extract.platforms.base import FileFormat, Platform
from extract.progress import human_bytes
from extract.runner import mtime_of

SNIFF_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


@dataclass
class RootReport:
    path: str
    explicit: bool
    exists: bool = False
    files: int = 0
    bytes: int = 0
    newest: datetime | None = None
    format_versions: dict[str, int] = field(default_factory=dict)  # version -> files stating it
    problems: list[str] = field(default_factory=list)
    failed: bool = False  # a problem that fails the command (explicit root missing/unreadable)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["newest"] = self.newest.isoformat() if self.newest else None
        return out


@dataclass
class PlatformReport:
    platform: str
    roots: list[RootReport]

    @property
    def files(self) -> int:
        return sum(r.files for r in self.roots)

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.roots)

    @property
    def newest(self) -> datetime | None:
        times = [r.newest for r in self.roots if r.newest is not None]
        return max(times) if times else None

    @property
    def format_versions(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.roots:
            for version, n in r.format_versions.items():
                out[version] = out.get(version, 0) + n
        return dict(sorted(out.items()))

    @property
    def problems(self) -> list[str]:
        return [p for r in self.roots for p in r.problems]

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "files": self.files,
            "bytes": self.bytes,
            "newest": self.newest.isoformat() if self.newest else None,
            "format_versions": self.format_versions,
            "problems": self.problems,
            "roots": [r.to_json() for r in self.roots],
        }


@dataclass
class Storage:
    lake: str
    lake_files: int | None
    lake_bytes: int | None
    lake_bytes_by_area: dict[str, int]
    warehouse: str
    warehouse_bytes: int | None
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def file_versions(platform: Platform, path: Path, fmt: FileFormat) -> set[str]:
    """The format versions the head of one source file states (``OSError`` when unreadable)."""
    if fmt.zip_member is not None:
        return set()  # an archive: its members are only read by a run
    records: list[Any] = []
    opener: Any = gzip.open if fmt.compression == "gzip" else open
    with opener(path, "rb") as f:
        if fmt.splitter == "jsonl":
            head = f.read(SNIFF_BYTES)
            lines = head.split(b"\n")
            if len(head) == SNIFF_BYTES:
                lines = lines[:-1]  # the last one may be cut
            for raw in lines:
                try:
                    records.append(json.loads(raw))
                except ValueError:
                    continue
        else:
            data = f.read(MAX_DOCUMENT_BYTES + 1)
            if len(data) > MAX_DOCUMENT_BYTES:
                return set()
            try:
                doc = json.loads(data)
            except ValueError:
                return set()
            records.append(doc)
            if isinstance(doc, list):
                records.extend(doc)
            elif fmt.array_member and isinstance(doc, dict):
                member = doc.get(fmt.array_member)
                if isinstance(member, list):
                    records.extend(member)
    found = set()
    for record in records:
        version = platform.source_version(record)
        if version:
            found.add(version)
    return found


def is_known(platform: Platform, version: str) -> bool:
    return any(version.startswith(prefix) for prefix in platform.version_prefixes)


def check_root(platform: Platform, root: Path, *, explicit: bool) -> RootReport:
    report = RootReport(str(root), explicit)
    try:
        report.exists = root.exists()
    except OSError as exc:
        report.problems.append(f"unreadable: {root}: {exc.strerror or exc}")
        report.failed = explicit
        return report
    if not report.exists:
        if explicit:
            report.problems.append(f"not found: {root}")
            report.failed = True
        return report

    def on_error(path: Path, exc: OSError) -> None:
        report.problems.append(f"unreadable: {path}: {exc.strerror or exc}")
        report.failed = report.failed or explicit

    unknown: dict[str, int] = {}
    seen: set[str] = set()
    for path in platform.discover(root, on_error=on_error):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        fmt = platform.file_format(path)
        if fmt is None:
            continue
        try:
            st = os.stat(path)
            versions = file_versions(platform, path, fmt) if st.st_size else set()
        except (OSError, EOFError) as exc:
            on_error(path, exc if isinstance(exc, OSError) else OSError(str(exc)))
            continue
        report.files += 1
        report.bytes += st.st_size
        mtime = mtime_of(st)
        report.newest = mtime if report.newest is None else max(report.newest, mtime)
        if st.st_size == 0:
            report.problems.append(f"empty file: {path}")
        for version in versions:
            report.format_versions[version] = report.format_versions.get(version, 0) + 1
            if platform.version_prefixes and not is_known(platform, version):
                unknown[version] = unknown.get(version, 0) + 1
    report.format_versions = dict(sorted(report.format_versions.items()))
    if report.files == 0:
        report.problems.append(f"empty: no {platform.name} source files under {root}")
    for version, n in sorted(unknown.items()):
        known = ", ".join(platform.version_prefixes)
        report.problems.append(
            f"unknown format version {version} in {n} file(s) under {root} (known: {known})"
        )
    return report


def check_sources(
    platforms: Sequence[str] | None = None,
    sources: Mapping[str, Sequence[Path]] | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> list[PlatformReport]:
    names = list(platforms) if platforms else list(REGISTRY)
    sources = sources or {}
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    reports = []
    for name in names:
        platform = REGISTRY[name]
        explicit = name in sources
        roots = list(sources[name]) if explicit else platform.default_roots(env, home)
        reports.append(
            PlatformReport(
                name, [check_root(platform, r.expanduser(), explicit=explicit) for r in roots]
            )
        )
    return reports


def storage(lake_uri: str, warehouse: Path) -> Storage:
    """The disk size of the lake (Parquet files per top-level area) and of the warehouse."""
    problems: list[str] = []
    files: int | None = None
    total: int | None = None
    by_area: dict[str, int] = {}
    try:
        lake = Lake(lake_uri)
        uri = lake.uri
        if lake.fs.exists(lake.root):
            found = lake.fs.find(lake.root, detail=True)
            files, total = 0, 0
            for path, info in found.items():
                if not str(path).endswith(".parquet"):
                    continue
                size = int(info.get("size") or 0)
                area = str(path)[len(lake.root) :].lstrip("/").split("/", 1)[0]
                files += 1
                total += size
                by_area[area] = by_area.get(area, 0) + size
        else:
            problems.append(f"no lake at {uri} yet")
    except (LakeError, OSError) as exc:
        uri = lake_uri
        problems.append(f"the lake cannot be read: {exc}")
    warehouse_bytes: int | None = None
    if warehouse.exists():
        warehouse_bytes = warehouse.stat().st_size
        wal = warehouse.with_name(warehouse.name + ".wal")
        if wal.exists():
            warehouse_bytes += wal.stat().st_size
    else:
        problems.append(f"no warehouse at {warehouse} yet (dbt build makes it)")
    return Storage(
        uri, files, total, dict(sorted(by_area.items())), str(warehouse), warehouse_bytes, problems
    )


def exit_code(reports: list[PlatformReport]) -> int:
    return 1 if any(r.failed for p in reports for r in p.roots) else 0


def render_text(reports: list[PlatformReport], store: Storage | None, show_all: bool) -> str:
    header = ("platform", "files", "size", "newest", "format versions")
    rows = []
    for p in reports:
        versions = ", ".join(f"{v} ({n})" for v, n in p.format_versions.items()) or "-"
        newest = p.newest.strftime("%Y-%m-%d %H:%M") if p.newest else "-"
        rows.append((p.platform, str(p.files), human_bytes(p.bytes), newest, versions))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    for p in reports:
        lines += ["", f"{p.platform}:"]
        hidden = 0
        for r in p.roots:
            if not r.exists and not r.explicit and not show_all:
                hidden += 1
                continue
            what = "source" if r.explicit else "default"
            state = f"{r.files} file(s), {human_bytes(r.bytes)}" if r.exists else "not there"
            lines.append(f"  {what} {r.path}: {state}")
        if hidden:
            lines.append(f"  ({hidden} other default location(s) not there; --all lists them)")
        lines += [f"  problem: {problem}" for problem in p.problems]
    if store is not None:
        lines.append("")
        lake = (
            f"{store.lake_files} file(s), {human_bytes(store.lake_bytes)}"
            + "".join(f"; {a} {human_bytes(n)}" for a, n in store.lake_bytes_by_area.items())
            if store.lake_bytes is not None
            else "-"
        )
        lines.append(f"lake {store.lake}: {lake}")
        size = human_bytes(store.warehouse_bytes) if store.warehouse_bytes is not None else "-"
        lines.append(f"warehouse {store.warehouse}: {size}")
        lines += [f"  note: {problem}" for problem in store.problems]
    return "\n".join(lines)
