"""Claude Code's transcript cleanup: which history it would delete before it is in the lake.

Claude Code deletes session transcripts whose last activity is older than ``cleanupPeriodDays``
(30 by default) when it starts. Its settings live in ``settings.json`` of its config folder
(``~/.claude``, ``~/.config/claude``, or each folder of ``$CLAUDE_CONFIG_DIR``: the folders whose
``projects/`` the ``claude_code`` extractor reads), and a managed settings file of the machine
(``/etc/claude-code/managed-settings.json`` …) overrides them.

A transcript is **at risk** when it is older than the period minus a margin (7 days by default)
and the lake's state does not hold it as it is on disk (never landed, or changed since it last
landed): unless ``extract run`` lands it soon, Claude Code deletes history the lake never saw. A
**short** period (under 14 days; 0 turns transcripts off or deletes them at once) leaves little
time between runs. ``extract run`` warns about both; ``extract health`` reports them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from extract.discovery import discover_sources
from extract.platforms import REGISTRY
from extract.progress import RunError
from extract.runner import mtime_of
from extract.state import FileState, StateKey

PLATFORM = "claude_code"
DEFAULT_PERIOD_DAYS = 30
DEFAULT_MARGIN_DAYS = 7
SHORT_PERIOD_DAYS = 14
SETTING = "cleanupPeriodDays"


def managed_settings_path(platform: str = sys.platform) -> Path:
    """The machine-wide managed settings file, which overrides the user's settings."""
    if platform == "darwin":
        return Path("/Library/Application Support/ClaudeCode/managed-settings.json")
    if platform.startswith("win"):
        return (
            Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData"))
            / "ClaudeCode"
            / ("managed-settings.json")
        )
    return Path("/etc/claude-code/managed-settings.json")


@dataclass
class Period:
    days: int
    source: str  # the settings file that set it, or "default"
    problems: list[str] = field(default_factory=list)


def _read_setting(path: Path) -> tuple[Any, str | None]:
    """(value of cleanupPeriodDays or None, problem) of one settings file."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        return None, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
    if not isinstance(doc, dict):
        return None, f"{path} is not a JSON object"
    return doc.get(SETTING), None


def cleanup_period(config_dir: Path, managed: Path | None = None) -> Period:
    """The cleanup period that applies to ``config_dir``'s transcripts.

    The managed settings file wins, then ``<config_dir>/settings.json``, else the default (30).
    A value that is not a whole number of days is reported and the default assumed.
    """
    problems: list[str] = []
    for path in [p for p in (managed, config_dir / "settings.json") if p is not None]:
        value, problem = _read_setting(path)
        if problem:
            problems.append(problem)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            problems.append(f"{path}: {SETTING} is not a whole number of days: {value!r}")
            continue
        return Period(max(int(value), 0), str(path), problems)
    return Period(DEFAULT_PERIOD_DAYS, "default", problems)


@dataclass
class AtRisk:
    path: str
    modified: datetime
    deleted_after: datetime  # Claude Code may delete it from then on
    landed: bool  # an older version of the file is in the lake (it changed since)


@dataclass
class ClaudeHome:
    """One Claude Code config folder: its cleanup period and its transcripts at risk."""

    config_dir: str
    period: Period
    transcripts: int
    at_risk: list[AtRisk]
    margin_days: int

    @property
    def short(self) -> bool:
        return self.period.days < SHORT_PERIOD_DAYS

    def warnings(self) -> list[str]:
        """What ``extract run`` warns about (empty when nothing is at risk)."""
        out = list(self.period.problems)
        days, where = self.period.days, self.period.source
        if self.period.days == 0:
            out.append(
                f"Claude Code's {SETTING} is 0 ({where}): it keeps no transcripts (or deletes "
                f"them at once), so nothing of {self.config_dir} can reach the lake; set it to "
                "30 or more"
            )
        elif self.short:
            out.append(
                f"Claude Code's {SETTING} is {days} ({where}): transcripts in "
                f"{self.config_dir} are deleted {days} day(s) after their last activity; run "
                f"`extract run` at least every {max(days - self.margin_days, 1)} day(s), or raise "
                f"it to {SHORT_PERIOD_DAYS} or more"
            )
        if self.at_risk:
            first = min(r.deleted_after for r in self.at_risk)
            out.append(
                f"{len(self.at_risk)} Claude Code transcript(s) in {self.config_dir} are not in "
                f"the lake and Claude Code deletes them {days} day(s) after their last activity "
                f"({SETTING}, {where}), the first from {first:%Y-%m-%d}: run `extract run` "
                f"(e.g. {self.at_risk[0].path})"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "config_dir": self.config_dir,
            "cleanup_period_days": self.period.days,
            "period_source": self.period.source,
            "problems": self.period.problems,
            "transcripts": self.transcripts,
            "margin_days": self.margin_days,
            "at_risk": [
                {
                    "path": r.path,
                    "modified": r.modified.isoformat(),
                    "deleted_after": r.deleted_after.isoformat(),
                    "landed_before": r.landed,
                }
                for r in self.at_risk
            ],
        }


def config_dirs(env: Mapping[str, str], home: Path) -> list[Path]:
    """Claude Code's config folders: the parents of the extractor's default ``projects`` roots."""
    return [root.parent for root in REGISTRY[PLATFORM].default_roots(env, home)]


def scan(
    states: Mapping[StateKey, FileState] | None,
    now: datetime,
    *,
    env: Mapping[str, str],
    home: Path,
    margin_days: int = DEFAULT_MARGIN_DAYS,
    managed: Path | None = None,
    load_states: Callable[[], Mapping[StateKey, FileState]] | None = None,
) -> list[ClaudeHome]:
    """Every existing Claude Code config folder with its period and transcripts at risk.

    ``states`` is the lake's incremental state; ``load_states`` (a callable returning it) is
    called instead, only when some transcript is old enough to matter (reading the state of a
    large lake costs a little).
    """
    managed = managed_settings_path() if managed is None else managed
    homes: list[ClaudeHome] = []
    seen: set[str] = set()
    platform = REGISTRY[PLATFORM]
    for config_dir in config_dirs(env, home):
        real = os.path.realpath(config_dir)
        if real in seen or not config_dir.is_dir():
            continue
        seen.add(real)
        period = cleanup_period(config_dir, managed)
        limit = now - timedelta(days=max(period.days - margin_days, 0))
        errors: list[RunError] = []
        files = discover_sources(platform, [config_dir / "projects"], explicit=False, errors=errors)
        old: list[tuple[str, os.stat_result]] = []
        for src in files:
            try:
                st = os.stat(src.uri)
            except OSError:
                continue
            if mtime_of(st) <= limit:
                old.append((src.uri, st))
        if old and states is None and load_states is not None:
            states = load_states()
        at_risk = []
        for uri, st in sorted(old, key=lambda item: item[1].st_mtime_ns):
            state = (states or {}).get((PLATFORM, uri))
            mtime = mtime_of(st)
            if state is not None and (state.source_size, state.source_mtime) == (
                st.st_size,
                mtime,
            ):
                continue
            at_risk.append(
                AtRisk(uri, mtime, mtime + timedelta(days=period.days), state is not None)
            )
        homes.append(ClaudeHome(str(config_dir), period, len(files), at_risk, margin_days))
    return homes


def warnings(homes: Sequence[ClaudeHome]) -> list[str]:
    return [w for h in homes for w in h.warnings()]
