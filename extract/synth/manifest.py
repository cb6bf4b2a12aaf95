"""The corpus manifest: the exact totals a correct warehouse shows for a generated corpus.

Each platform writer adds what it wrote, counted with the rules the dbt models apply (which
records are messages, how tokens become disjoint columns), so ``manifest.json`` is an
independent statement of what ``conversations``, ``messages`` and ``tool_calls`` must hold.
A token total is ``null`` when the platform records no such tokens at all (the marts keep null,
never zero).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
COUNT_FIELDS = ("conversations", "messages", "tool_calls")


def _add(current: int | None, value: int | None) -> int | None:
    if value is None:
        return current
    return value if current is None else current + value


@dataclass
class Totals:
    """What one platform's part of the corpus must show in the warehouse."""

    conversations: int = 0
    messages: int = 0
    tool_calls: int = 0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    # what was written (not warehouse figures): for MB/s and records/s
    files: int = 0
    bytes: int = 0
    # how many of each quirk were written (resumed sessions, subagents, branches, ...)
    quirks: dict[str, int] = field(default_factory=dict)

    def quirk(self, name: str, count: int = 1) -> None:
        self.quirks[name] = self.quirks.get(name, 0) + count

    def usage(
        self,
        input_tokens: int | None,
        output_tokens: int | None,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
    ) -> None:
        """Add one API response's disjoint usage (None: the platform recorded no such figure)."""
        self.input_tokens = _add(self.input_tokens, input_tokens)
        self.output_tokens = _add(self.output_tokens, output_tokens)
        self.cache_read_tokens = _add(self.cache_read_tokens, cache_read_tokens)
        self.cache_write_tokens = _add(self.cache_write_tokens, cache_write_tokens)

    def warehouse(self) -> dict[str, int | None]:
        """The figures the warehouse must show (counts and tokens, not file sizes)."""
        return {name: getattr(self, name) for name in (*COUNT_FIELDS, *TOKEN_FIELDS)}


@dataclass
class Manifest:
    seed: str
    platforms: dict[str, Totals] = field(default_factory=dict)
    # platform -> the path to give `extract run --source <platform>=<path>` (relative to the corpus)
    sources: dict[str, str] = field(default_factory=dict)
    # one entry per generation step: {"step": "initial"|"extend", "sessions": {...}, ...}
    steps: list[dict[str, Any]] = field(default_factory=list)
    # sessions generated so far per platform (the next new session's index)
    next_index: dict[str, int] = field(default_factory=dict)

    def totals(self, platform: str) -> Totals:
        return self.platforms.setdefault(platform, Totals())

    @property
    def bytes(self) -> int:
        return sum(t.bytes for t in self.platforms.values())

    @property
    def files(self) -> int:
        return sum(t.files for t in self.platforms.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest_version": MANIFEST_VERSION,
            "seed": self.seed,
            "bytes": self.bytes,
            "files": self.files,
            "sources": self.sources,
            "next_index": self.next_index,
            "steps": self.steps,
            "platforms": {name: asdict(t) for name, t in sorted(self.platforms.items())},
        }

    def write(self, out: Path) -> Path:
        path = out / MANIFEST_NAME
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n")
        return path

    @classmethod
    def read(cls, out: Path) -> Manifest:
        path = out / MANIFEST_NAME
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no {MANIFEST_NAME} in {out}: not a synth corpus") from None
        if data.get("manifest_version") != MANIFEST_VERSION:
            raise ValueError(f"{path}: manifest_version {data.get('manifest_version')!r} unknown")
        return cls(
            seed=data["seed"],
            platforms={name: Totals(**t) for name, t in data["platforms"].items()},
            sources=dict(data["sources"]),
            steps=list(data["steps"]),
            next_index={k: int(v) for k, v in data["next_index"].items()},
        )
