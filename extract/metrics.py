"""Metrics of one extract run per stage: discover, extract (read + split), load (lake writes).

Wall-clock seconds per stage, CPU seconds and the peak resident memory of the process, and what
the run wrote (files, bytes). They land in the run's ``_runs`` row (extract/schema.py) and reach
the ``pipeline_metrics`` mart, which adds dbt's transform timings.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any


def peak_memory_bytes() -> int | None:
    """The process's peak resident set size in bytes (None where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes; Linux: KiB


@dataclass
class StageMetrics:
    discover_seconds: float = 0.0
    extract_seconds: float = 0.0
    load_seconds: float = 0.0
    total_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_memory_bytes: int | None = None
    files_written: int = 0
    bytes_written: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 6)
        return out


class Stopwatch:
    """Accumulates wall-clock seconds per stage; ``load`` time spent inside ``extract`` is
    subtracted from it (the writer flushes while files are being read)."""

    def __init__(self) -> None:
        self.metrics = StageMetrics()
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            attr = f"{name}_seconds"
            setattr(self.metrics, attr, getattr(self.metrics, attr) + elapsed)

    def wrote(self, nbytes: int) -> None:
        self.metrics.files_written += 1
        self.metrics.bytes_written += nbytes

    def finish(self) -> StageMetrics:
        m = self.metrics
        m.total_seconds = time.perf_counter() - self._wall
        m.cpu_seconds = time.process_time() - self._cpu
        m.peak_memory_bytes = peak_memory_bytes()
        return m
