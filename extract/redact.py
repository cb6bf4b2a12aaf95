"""Secret detection and masking for ``extract run --redact`` (pure functions, no I/O but the seed).

The patterns are the dbt seed ``seeds/secret_patterns.csv`` (kind, pattern, description,
source): the one definition the ``secret_findings`` mart and this module share. Each pattern is
written in the subset of regular expressions that DuckDB (RE2), PostgreSQL (ARE), Spark (Java)
and Python's ``re`` read alike (no ``\\b``, no look-around, no inline flags, non-capturing
groups only). Both sides find a secret only where it starts a token: at the start of the text or
after a character that is not an ASCII letter or digit (``BOUNDARY``, the same text as in
``macros/normalization/secret_findings.sql``), and scan for the matches of each kind left to
right, without overlap.

Masking (``redact_record``) replaces each match with ``[REDACTED:<kind>]``:

* in a record that is valid JSON, inside its string literals only, each decoded (escapes read)
  and masked by position, so that everything outside a match stays byte for byte and the record
  stays valid JSON; a match that runs from one literal into the next (the member
  ``"password": "hunter22"``, a key and its value) is masked in the value;
* in any other record (not JSON, not UTF-8), in the text itself (bytes that are not UTF-8 are
  kept as they were).

The same bytes always give the same masked bytes, and masking masked bytes changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = PROJECT_ROOT / "seeds" / "secret_patterns.csv"
# A secret starts a token: the start of the text, or after a character that is not an ASCII letter
# or digit. Capture group 1 (consumed, so the engines without look-behind read it alike); the
# secret itself is group 2. The mart's macro wraps the seed patterns in the same text.
BOUNDARY = "(^|[^A-Za-z0-9])"
KIND_RE = re.compile(r"[a-z][a-z0-9_]*")
# Capturing groups are numbered after the secret's group 2 on every engine only if a pattern has
# none of its own: the seed's patterns use (?:...) groups only.
_CAPTURING_GROUP = re.compile(r"(?<!\\)\((?!\?:)")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class RedactError(Exception):
    """The secret patterns cannot be read: a missing seed, a bad row, a pattern that fails."""


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    pattern: str
    regex: re.Pattern[str]  # BOUNDARY + (pattern): the secret is group 2
    # the pattern alone: it matches wherever the full regex does (and more), and scans much faster
    # (no group before its first characters): the test that a text may hold this kind at all
    bare: re.Pattern[str]


@dataclass(frozen=True)
class Finding:
    """One match of one kind in a text: 0-based ``start`` and ``end`` (exclusive)."""

    kind: str
    start: int
    end: int
    fingerprint: str  # first 8 hex of the SHA-256 of the match's UTF-8

    @property
    def position(self) -> int:
        """1-based character offset of the match, as the mart's ``position``."""
        return self.start + 1

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Redaction:
    """A record's bytes as landed and what was masked in them."""

    data: bytes
    masked: int  # matches replaced
    kinds: tuple[str, ...]  # their kinds, sorted, distinct

    @property
    def changed(self) -> bool:
        return self.masked > 0


def compile_pattern(kind: str, pattern: str) -> SecretPattern:
    if not KIND_RE.fullmatch(kind):
        raise RedactError(f"secret kind {kind!r}: use lower-case letters, digits and _")
    if _CAPTURING_GROUP.search(pattern.replace("\\\\", "")):
        raise RedactError(f"secret pattern {kind}: use (?:...) groups only, not capturing ones")
    try:
        regex = re.compile(f"{BOUNDARY}({pattern})")
        bare = re.compile(pattern)
    except re.error as exc:
        raise RedactError(f"secret pattern {kind} does not compile: {exc}") from None
    if regex.search("") is not None:
        raise RedactError(f"secret pattern {kind} matches the empty text")
    return SecretPattern(kind, pattern, regex, bare)


def load_patterns(path: Path | None = None) -> tuple[SecretPattern, ...]:
    """The seed's patterns (default: the project's ``seeds/secret_patterns.csv``), in its row
    order (also the order in which a tie between overlapping matches is broken when masking)."""
    return _load_patterns(Path(SEED_PATH if path is None else path).resolve())


@lru_cache(maxsize=4)
def _load_patterns(path: Path) -> tuple[SecretPattern, ...]:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise RedactError(
            f"cannot read the secret patterns {path} ({exc.strerror or exc}): --redact needs the "
            "project's seeds/secret_patterns.csv"
        ) from None
    patterns: list[SecretPattern] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        kind, pattern = (row.get("kind") or "").strip(), row.get("pattern") or ""
        if not kind or not pattern:
            raise RedactError(f"{path}:{n}: a row needs a kind and a pattern")
        if kind in seen:
            raise RedactError(f"{path}:{n}: kind {kind} appears twice")
        seen.add(kind)
        patterns.append(compile_pattern(kind, pattern))
    if not patterns:
        raise RedactError(f"{path}: no secret patterns")
    return tuple(patterns)


def fingerprint(secret: str) -> str:
    """First 8 hex of the SHA-256 of the secret's UTF-8: repeats can be counted, it stays hidden."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def find_secrets(text: str, patterns: Sequence[SecretPattern]) -> list[Finding]:
    """Every match of every kind in ``text`` (kinds may overlap), ordered by start, then kind.

    The same rows the ``secret_findings`` mart has for one text (its position is ``start + 1``).
    """
    found = [
        Finding(p.kind, m.start(2), m.end(2), fingerprint(m.group(2)))
        for p in patterns
        for m in p.regex.finditer(text)
    ]
    return sorted(found, key=lambda f: (f.start, f.kind))


def _spans_to_mask(text: str, patterns: Sequence[SecretPattern]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) to mask: leftmost first, then longest, then seed order."""
    order = {p.kind: i for i, p in enumerate(patterns)}
    candidates = sorted(
        find_secrets(text, patterns), key=lambda f: (f.start, -f.length, order[f.kind])
    )
    spans: list[tuple[int, int, str]] = []
    for f in candidates:
        if not spans or f.start >= spans[-1][1]:
            spans.append((f.start, f.end, f.kind))
    return spans


def marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def redact_text(text: str, patterns: Sequence[SecretPattern]) -> tuple[str, list[str]]:
    """``text`` with every secret replaced by its marker, and the kinds replaced (in order)."""
    spans = _spans_to_mask(text, patterns)
    return _splice(text, spans), [kind for _, _, kind in spans]


def _decode_json_string(body: str) -> tuple[str, list[int]] | None:
    """The decoded text of a JSON string literal's body (between the quotes) and, for each decoded
    character, the offset in ``body`` where its source starts (plus ``len(body)`` at the end).
    None when an escape is not valid JSON. A ``\\uXXXX`` escape gives one character (so the two
    halves of a surrogate pair stay two, each mapped to its own escape)."""
    chars: list[str] = []
    starts: list[int] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            chars.append(c)
            starts.append(i)
            i += 1
            continue
        e = body[i + 1 : i + 2]
        if e == "u" and _HEX4.fullmatch(body, i + 2, i + 6):
            chars.append(chr(int(body[i + 2 : i + 6], 16)))
            starts.append(i)
            i += 6
        elif e in _SIMPLE_ESCAPES and e:
            chars.append(_SIMPLE_ESCAPES[e])
            starts.append(i)
            i += 2
        else:
            return None
    starts.append(n)
    return "".join(chars), starts


def _splice(text: str, masks: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, kind), in order and not overlapping, replaced by a marker."""
    out, last = [], 0
    for start, end, kind in masks:
        out.append(text[last:start])
        out.append(marker(kind))
        last = end
    out.append(text[last:])
    return "".join(out)


def _mask_string_values(text: str, patterns: Sequence[SecretPattern]) -> list[tuple[int, int, str]]:
    """Pass 1 over valid JSON text: the secrets inside each string literal, read with its escapes
    decoded and mapped back to the raw text (a match never cuts an escape sequence)."""
    masks: list[tuple[int, int, str]] = []
    for literal in _JSON_STRING.finditer(text):
        body_start = literal.start() + 1
        body = text[body_start : literal.end() - 1]
        value, starts = body, []
        if "\\" in body:
            # decoded in C first; the offsets of each character only where there is a match
            if not _spans_to_mask(json.loads(literal.group()), patterns):
                continue
            decoded = _decode_json_string(body)
            if decoded is None:
                continue
            value, starts = decoded
        for start, end, kind in _spans_to_mask(value, patterns):
            raw_start = starts[start] if starts else start
            raw_end = starts[end] if starts else end
            masks.append((body_start + raw_start, body_start + raw_end, kind))
    return masks


def _mask_split_members(text: str, patterns: Sequence[SecretPattern]) -> list[tuple[int, int, str]]:
    """Pass 2 over valid JSON text: a match that runs from one string literal into a later one
    (a member ``"password": "hunter22"`` is a key and a value) is masked in the last one. A
    value that is not a string (``"password": 12345678``) stays: there is no string to mask."""
    literals = [(m.start(), m.end()) for m in _JSON_STRING.finditer(text)]
    masks: list[tuple[int, int, str]] = []
    for start, end, kind in _spans_to_mask(text, patterns):
        touched = [(a, b) for a, b in literals if a < end and b > start]
        if len(touched) < 2 or touched[-1][0] < start:
            continue
        body_start, body_end = touched[-1][0] + 1, touched[-1][1] - 1
        if min(end, body_end) > body_start:
            masks.append((body_start, min(end, body_end), kind))
    return masks


def _redact_json_text(text: str, patterns: Sequence[SecretPattern]) -> tuple[str, list[str]]:
    """Mask inside the string literals of valid JSON text; everything else stays as it was."""
    kinds: list[str] = []
    for mask_pass in (_mask_string_values, _mask_split_members):
        masks = mask_pass(text, patterns)
        text = _splice(text, masks)
        kinds.extend(kind for _, _, kind in masks)
    return text, kinds


def _json_strings(value: object) -> Iterator[str]:
    """Every string of a parsed JSON value, object keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _parse_json(text: str) -> tuple[bool, object]:
    try:
        return True, json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return False, None


# Masking can leave a new match behind (a secret glued to the end of another starts a token once
# the first is masked): mask again until nothing changes, at most this many rounds.
MAX_ROUNDS = 8


def redact_record(data: bytes, patterns: Sequence[SecretPattern]) -> Redaction:
    """A raw record's bytes with every secret masked (the same bytes when there is none)."""
    text = data.decode("utf-8", "surrogateescape")
    try:
        text.encode("utf-8")
        is_json, parsed = _parse_json(text)
    except UnicodeEncodeError:  # bytes that are not UTF-8: not JSON either
        is_json, parsed = False, None
    # the kinds the text may hold at all: a bare pattern over the text and, for JSON, over its
    # decoded strings (an escape inside a secret hides it from the text)
    views = [text, "\n".join(_json_strings(parsed))] if is_json else [text]
    candidates = [p for p in patterns if any(p.bare.search(view) for view in views)]
    kinds: list[str] = []
    for _ in range(MAX_ROUNDS if candidates else 0):
        masked, found = (_redact_json_text if is_json else redact_text)(text, candidates)
        if not found:
            break
        text = masked
        kinds.extend(found)
    if not kinds:
        return Redaction(data, 0, ())
    return Redaction(text.encode("utf-8", "surrogateescape"), len(kinds), tuple(sorted(set(kinds))))


class Redactor:
    """``extract run --redact``: the bytes a record lands with, and the original's checksum."""

    def __init__(self, patterns: Sequence[SecretPattern] | None = None) -> None:
        self.patterns = tuple(patterns) if patterns is not None else load_patterns()

    def __call__(self, data: bytes) -> tuple[bytes, str | None]:
        """(bytes to land, SHA-256 hex of the original bytes when they were changed, else None)."""
        result = redact_record(data, self.patterns)
        if not result.changed:
            return data, None
        return result.data, hashlib.sha256(data).hexdigest()
