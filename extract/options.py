"""Options of one extract run (``extract run --since/--until/--session/--full/--batch-size``).

* ``since`` / ``until`` keep the records whose own time (``Platform.record_time``; the file's
  modification time when the record has none) is in ``[since, until)``.
* ``sessions`` keeps the records whose session (``Platform.record_session``) is one of them.
* ``full`` ignores the incremental state: every file is read whole and its records land again
  (the same bytes, so dbt's level-1 deduplication folds them).
* ``batch_size``: rows per Parquet file (and row group) the run writes.
* ``redact``: mask secrets in each record before it lands (extract/redact.py).

A run with a filter (``since``, ``until`` or ``sessions``) never writes incremental state: the
records it skips are not marked as consumed, so a later unfiltered run still lands them (and the
ones it landed land again, folded by deduplication). Nothing is lost by filtering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

DEFAULT_BATCH_SIZE = 50_000


@dataclass(frozen=True)
class ExtractionOptions:
    since: datetime | None = None
    until: datetime | None = None
    sessions: frozenset[str] = field(default_factory=frozenset)
    full: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    redact: bool = False

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {self.batch_size}")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(
                f"--since {self.since.isoformat()} is not before --until {self.until.isoformat()}"
            )

    @property
    def filtered(self) -> bool:
        """True when some records may be skipped (then the run writes no incremental state)."""
        return self.since is not None or self.until is not None or bool(self.sessions)

    def keeps(self, when: datetime | None, session: str | None) -> bool:
        """Whether a record with this time and session lands under these options."""
        if self.sessions and session not in self.sessions:
            return False
        if when is None:
            return self.since is None and self.until is None
        if self.since is not None and when < self.since:
            return False
        return self.until is None or when < self.until

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "sessions": sorted(self.sessions),
            "full": self.full,
            "batch_size": self.batch_size,
            "redact": self.redact,
        }


def parse_bound(text: str, *, end: bool = False) -> datetime:
    """A ``--since`` / ``--until`` value as a UTC datetime.

    ``YYYY-MM-DD`` is that day's start (UTC) for ``--since`` and the next day's start for
    ``--until`` (``--until 2026-10-31`` includes all of October 31); a date-time
    (``2026-10-31T12:00``, optionally with an offset; UTC without one) is that instant.
    Raises ``ValueError`` for anything else.
    """
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None and len(text) == 10:
        start = datetime.combine(day, time(0), tzinfo=timezone.utc)
        return start + timedelta(days=1) if end else start
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
