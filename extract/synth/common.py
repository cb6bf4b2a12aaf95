"""Deterministic building blocks every platform writer shares: seeded randomness, ids, times,
filler text, compact JSON, and a writer that counts the bytes it writes.

Nothing here reads the clock or the OS's randomness: the same seed writes the same bytes.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Protocol

# Every generated conversation starts in this window (UTC), so daily usage spreads over months.
EPOCH = datetime(2026, 1, 5, tzinfo=timezone.utc)
SPAN_DAYS = 180

_WORDS = (  # noqa: SIM905 (a word list reads better as one string)
    "the a to of and in is it that for on with as this be are we can use not file test run "
    "function value error return data list config build module import class method string "
    "type check update change add remove fix case path line code query table column index "
    "request response cache token model user session output input result parse write read "
    "loop branch commit merge rebase deploy server client api endpoint schema field record "
    "batch stream buffer thread lock async await promise callback handler event log debug "
    "warning failure retry timeout limit offset page sort filter map reduce key hash set "
    "array object number boolean null default option flag argument parameter variable"
).split()
_CODE = (
    "def {w}({a}):\n    return {a}.{b}()\n",
    "const {w} = await {a}.{b}({c});\n",
    "for {a} in {w}:\n    {b}.append({a})\n",
    "if ({a} === null) {{ throw new Error('{w} {b}'); }}\n",
    "SELECT {a}, count(*) FROM {w} GROUP BY {a};\n",
    "    at {w}.{b} ({a}.ts:{n}:{m})\n",
    "{w}/{a}_{b}.py:{n}: {c}\n",
)


class TextPool:
    """A seeded pool of prose and code-like text; slices of it are fast, varied filler."""

    def __init__(self, seed: str, size: int = 1 << 20) -> None:
        rng = random.Random(f"{seed}:text-pool")
        parts: list[str] = []
        total = 0
        while total < size:
            if rng.random() < 0.3:
                template = rng.choice(_CODE)
                piece = template.format(
                    w=rng.choice(_WORDS),
                    a=rng.choice(_WORDS),
                    b=rng.choice(_WORDS),
                    c=rng.choice(_WORDS),
                    n=rng.randint(1, 900),
                    m=rng.randint(1, 80),
                )
            else:
                words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
                piece = " ".join(words).capitalize() + ". "
                if rng.random() < 0.1:
                    piece += "\n\n"
            parts.append(piece)
            total += len(piece)
        self.text = "".join(parts)

    def take(self, rng: random.Random, low: int, high: int) -> str:
        """A slice of ``low``..``high`` characters at a random offset."""
        length = rng.randint(low, high)
        length = min(length, len(self.text) - 1)
        start = rng.randint(0, len(self.text) - length - 1)
        return self.text[start : start + length]


def rng_for(seed: str, *parts: object) -> random.Random:
    """A generator seeded by the corpus seed and a path of names (stable across runs)."""
    return random.Random(":".join([seed, *(str(p) for p in parts)]))


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hex_id(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(4 * length):0{length}x}"


def b62_id(rng: random.Random, length: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(rng.choice(alphabet) for _ in range(length))


def start_time(rng: random.Random) -> datetime:
    """A conversation's start: somewhere in the corpus window, to the millisecond."""
    return EPOCH + timedelta(milliseconds=rng.randint(0, SPAN_DAYS * 86_400_000))


def iso_ms(t: datetime) -> str:
    """``2026-01-05T09:14:03.412Z`` (Claude Code's and most logs' form)."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def compact(obj: Any) -> str:
    """Compact JSON as the JSONL writers emit it (``"usage":{``, no spaces)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class LineSink(Protocol):
    """Where JSONL lines go (a CountingFile, or a wrapper that also keeps them)."""

    def line(self, obj: Any) -> None: ...


class CountingFile:
    """A binary file that counts what it wrote (bytes and JSONL lines)."""

    def __init__(self, path: Path, mode: str = "wb") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._f: BinaryIO = open(path, mode)  # noqa: SIM115 (closed by close())
        self.bytes = 0
        self.lines = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._f.write(data)
        self.bytes += len(data)

    def line(self, obj: Any) -> None:
        self.write(compact(obj) + "\n")
        self.lines += 1

    def close(self) -> None:
        self._f.close()


def write_json(path: Path, obj: Any, indent: int | str | None = None) -> int:
    """Write one JSON document; return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = compact(obj) if indent is None else json.dumps(obj, indent=indent, ensure_ascii=False)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)
