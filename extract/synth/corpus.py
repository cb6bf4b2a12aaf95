"""Generate a corpus (``generate``) and add to it (``extend``), keeping ``manifest.json`` exact.

A corpus is ``<out>/<platform>/…`` in each platform's real layout plus ``<out>/manifest.json``.
Conversations are written one at a time, straight to disk: memory stays flat whatever the size.
"""

from __future__ import annotations

import re
from pathlib import Path

from extract.synth.base import PlatformWriter
from extract.synth.chatgpt import ChatGPTWriter
from extract.synth.claude_code import ClaudeCodeWriter
from extract.synth.cline_family import ClineWriter, RooCodeWriter
from extract.synth.common import TextPool, rng_for
from extract.synth.continue_ import ContinueWriter
from extract.synth.copilot_chat import CopilotChatWriter
from extract.synth.manifest import Manifest
from extract.synth.openai_api import OpenAIApiWriter

WRITERS: dict[str, type[PlatformWriter]] = {
    w.name: w
    for w in (
        ClaudeCodeWriter,
        CopilotChatWriter,
        ChatGPTWriter,
        ContinueWriter,
        RooCodeWriter,
        ClineWriter,
        OpenAIApiWriter,
    )
}
# conversations of each platform per round when generating to a size (Claude Code dominates
# real histories; API logs are many small calls)
MIX = {
    "claude_code": 6,
    "copilot_chat": 2,
    "chatgpt": 2,
    "continue": 1,
    "roo_code": 1,
    "cline": 1,
    "openai_api": 4,
}
# platforms whose files grow in place (JSONL appended), the ones `extend` grows
GROWABLE = ("claude_code", "copilot_chat")

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "M": 10**6, "MB": 10**6, "G": 10**9, "GB": 10**9}


class SynthError(Exception):
    """A corpus cannot be written where or how it was asked."""


def parse_size(text: str) -> int:
    """``500MB`` -> 500_000_000 (decimal units: K, M, G with an optional B)."""
    match = _SIZE.match(text)
    if not match:
        raise SynthError(f"size {text!r}: expected a number with K, M or G (e.g. 100MB, 1GB)")
    number, unit = match.groups()
    value = int(float(number) * _UNITS[unit.upper()])
    if value <= 0:
        raise SynthError(f"size {text!r} must be positive")
    return value


def _open(out: Path, manifest: Manifest, step: int, pool: TextPool) -> dict[str, PlatformWriter]:
    return {
        name: cls(out, manifest.seed, pool, manifest.totals(name), step)
        for name, cls in WRITERS.items()
    }


def _write(writer: PlatformWriter, manifest: Manifest, count: int) -> None:
    start = manifest.next_index.get(writer.name, 0)
    for index in range(start, start + count):
        writer.write_session(index)
    manifest.next_index[writer.name] = start + count


def generate(
    out: Path, seed: str, *, size: int | None = None, sessions: int | None = None
) -> Manifest:
    """Write a new corpus: ``sessions`` conversations of every platform, or rounds of ``MIX``
    until ``size`` bytes are written. ``out`` must be missing or empty."""
    if (size is None) == (sessions is None):
        raise SynthError("give exactly one of a size or a number of sessions")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"{out} exists and is not an empty folder: choose a new --out")
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(seed=seed)
    pool = TextPool(seed)
    writers = _open(out, manifest, 0, pool)
    if sessions is not None:
        for writer in writers.values():
            _write(writer, manifest, sessions)
    else:
        assert size is not None
        # rounds of MIX, interleaved (pass k writes one conversation of each platform whose
        # share is more than k), so even a small corpus holds every platform
        passes = [[n for n in writers if MIX[n] > k] for k in range(max(MIX.values()))]
        while manifest.bytes < size:
            for names in passes:
                for name in names:
                    if manifest.bytes >= size:
                        break
                    _write(writers[name], manifest, 1)
    for writer in writers.values():
        writer.close()
    manifest.sources = {name: str(w.source.relative_to(out)) for name, w in writers.items()}
    manifest.steps.append(
        {
            "step": 0,
            "kind": "generate",
            "new_sessions": dict(manifest.next_index),
            "grown_sessions": {},
        }
    )
    manifest.write(out)
    return manifest


def extend(out: Path, *, new_fraction: float = 0.01, grow_fraction: float = 0.01) -> Manifest:
    """Add ``new_fraction`` new conversations (of every platform, in proportion) and grow
    ``grow_fraction`` of them in place (appended lines: Claude Code and Copilot Chat logs),
    as a day of work does; the manifest's totals follow."""
    manifest = Manifest.read(out)
    step = len(manifest.steps)
    pool = TextPool(manifest.seed)
    writers = _open(out, manifest, step, pool)
    # grow conversations that existed before this step, then add the new ones
    rng = rng_for(manifest.seed, "extend", step)
    grown: dict[str, int] = {}
    for name in GROWABLE:
        have = manifest.next_index.get(name, 0)
        growable = writers[name].growable()
        count = min(growable, max(1, round(have * grow_fraction))) if have else 0
        for index in sorted(rng.sample(range(growable), count)):
            writers[name].grow(index, step)
        grown[name] = count
    new: dict[str, int] = {}
    for name, writer in writers.items():
        have = manifest.next_index.get(name, 0)
        count = max(1, round(have * new_fraction)) if have else 0
        _write(writer, manifest, count)
        new[name] = count
    for writer in writers.values():
        writer.close()
    manifest.steps.append(
        {"step": step, "kind": "extend", "new_sessions": new, "grown_sessions": grown}
    )
    manifest.write(out)
    return manifest
