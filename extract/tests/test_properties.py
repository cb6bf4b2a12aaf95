"""Property-based: random and mutated files through every platform's splitter.

For every registered platform, each bundled example file it recognizes is mutated (truncated,
bytes flipped, garbage inserted, lines duplicated) and split the way the runner splits it. The
splitter may reject a file (a documented error the runner reports for that file), never crash,
hang, or drop a complete line of a JSONL file silently.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.platforms import REGISTRY
from extract.platforms.base import FileFormat, Platform
from extract.splitting import (
    GzipSourceError,
    JsonlReader,
    Piece,
    ZipSourceError,
    iter_zip_members,
    split_gzip_jsonl,
    split_json_document,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Case:
    platform: Platform
    path: Path
    fmt: FileFormat

    def __str__(self) -> str:
        return f"{self.platform.name}:{self.path.name}"


def _cases() -> list[Case]:
    cases: dict[tuple[str, str, str], Case] = {}
    for name, platform in sorted(REGISTRY.items()):
        root = platform.example_root(EXAMPLES)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            fmt = platform.file_format(path)
            if fmt is None:
                continue
            # one file per distinct format of a platform is enough
            key = (name, repr(fmt), path.suffix)
            cases.setdefault(key, Case(platform, path, fmt))
    return list(cases.values())


CASES = _cases()


def split(fmt: FileFormat, data: bytes) -> list[Piece]:
    """Split ``data`` as the runner splits a file of format ``fmt`` (zip/gzip wrapped as needed)."""
    options = {
        "record_kind": fmt.record_kind,
        "array_member": fmt.array_member,
        "array_record_kind": fmt.array_record_kind,
        "split_top_array": fmt.split_top_array,
    }
    if fmt.zip_member is not None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(fmt.zip_member, data)
        return list(iter_zip_members(io.BytesIO(buf.getvalue()), fmt.zip_member, **options))
    if fmt.compression == "gzip":
        return split_gzip_jsonl(io.BytesIO(data))
    if fmt.splitter == "jsonl":
        return list(JsonlReader(io.BytesIO(data), offset=0, size=len(data)))
    return split_json_document(data, **options)


def _raw(case: Case) -> bytes:
    data = case.path.read_bytes()
    return gzip.decompress(data) if case.fmt.compression == "gzip" else data


def _wrap(case: Case, data: bytes) -> bytes:
    return gzip.compress(data) if case.fmt.compression == "gzip" else data


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = data[at:end]
    return bytes(data)


def _check(case: Case, data: bytes) -> None:
    try:
        pieces = split(case.fmt, _wrap(case, data))
    except (ZipSourceError, GzipSourceError):
        return  # rejected: the runner reports the file and goes on
    for piece in pieces:
        assert isinstance(piece.data, bytes)
        assert piece.locator
    if case.fmt.splitter == "jsonl":
        complete = [line for line in data.split(b"\n")[:-1] if line.rstrip(b"\r").strip()]
        assert len(pieces) >= len(complete), "a complete line was dropped"
    elif data.strip() and not pieces:
        # only an empty array (top-level, or the array member) has nothing to land
        parsed = json.loads(data)
        member = case.fmt.array_member
        assert parsed == [] or (isinstance(parsed, dict) and member and parsed[member] == []), (
            "a non-empty document must land, at least whole"
        )


def test_every_platform_has_a_case() -> None:
    assert {c.platform.name for c in CASES} == set(REGISTRY)


@pytest.mark.parametrize("case", CASES, ids=str)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_examples_split_or_are_rejected(case: Case, data: st.DataObject) -> None:
    _check(case, data.draw(mutated(_raw(case))))


@pytest.mark.parametrize("case", CASES, ids=str)
@PROPERTY_SETTINGS
@given(blob=st.binary(max_size=4096))
def test_random_bytes_split_or_are_rejected(case: Case, blob: bytes) -> None:
    _check(case, blob)


@pytest.mark.parametrize("case", CASES, ids=str)
@PROPERTY_SETTINGS
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.text(max_size=8), children, max_size=5)
        ),
        max_leaves=30,
    )
)
def test_random_json_splits(case: Case, value: object) -> None:
    text = json.dumps(value)
    data = (text + "\n").encode() if case.fmt.splitter == "jsonl" else text.encode()
    _check(case, data)
