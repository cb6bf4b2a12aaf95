"""The interface of a platform writer: one conversation at a time, straight to disk."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from extract.synth.common import TextPool
from extract.synth.manifest import Totals


class PlatformWriter(ABC):
    """Writes one platform's part of a corpus under ``<out>/<name>/`` in the platform's own
    on-disk layout, and adds what it wrote to ``totals`` with the dbt models' counting rules."""

    name: str
    # what `extract run --source <name>=<path>` is given, relative to <out>/<name>/
    source_subpath: str = ""

    def __init__(self, out: Path, seed: str, pool: TextPool, totals: Totals, step: int) -> None:
        self.root = out / self.name
        self.seed = seed
        self.pool = pool
        self.totals = totals
        # 0 for the first generation, n for the n-th `extend` (names files that are per step)
        self.step = step

    @property
    def source(self) -> Path:
        return self.root / self.source_subpath if self.source_subpath else self.root

    @abstractmethod
    def write_session(self, index: int) -> None:
        """Write conversation number ``index`` (deterministic for the seed and the index)."""

    def growable(self) -> int:
        """How many conversations can grow in place (files that are appended to)."""
        return 0

    def grow(self, index: int, generation: int) -> None:
        """Append to growable conversation ``index`` (0 <= index < growable()) the way the
        platform grows a file in place."""
        raise NotImplementedError(f"{self.name}: nothing grows in place")

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Finish files that stay open across conversations (JSON arrays, indexes)."""
