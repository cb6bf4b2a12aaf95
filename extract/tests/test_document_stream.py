"""Streaming a large JSON document (StreamedDocument, iter_zip_members): the records, bytes and
locators split_json_document gives in memory, with one chunk and one element in memory at a time.

Tiny chunk sizes (1 byte upwards) put chunk boundaries everywhere: inside strings, escapes,
multi-byte UTF-8 characters, numbers and literals.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.discovery import SourceFile
from extract.document_stream import DocumentShape, TextWindow, walk_document
from extract.platforms import REGISTRY
from extract.reading import FileDone, ReadConfig, ReadTask, RowChunk, read_file
from extract.splitting import (
    IN_MEMORY_DOCUMENT_BYTES,
    DocumentChanged,
    Piece,
    StreamedDocument,
    ZipSourceError,
    iter_zip_members,
    rewound,
    split_json_document,
)

from .conftest import rows

CHUNK_SIZES = [1, 2, 3, 5, 7, 64, 1 << 20]
MEMBER = {"record_kind": "document", "array_member": "loglines", "array_record_kind": "line"}
TOP = {"record_kind": "conversation", "split_top_array": True, "array_record_kind": "conversation"}


def _key(pieces: list[Piece]) -> list[tuple[str, int, bytes, str | None, str]]:
    # repr: NaN != NaN, and 1 == 1.0 == True must not hide a difference
    return [(p.locator, p.ordinal, p.data, p.record_kind, repr(p.parsed)) for p in pieces]


def streamed(data: bytes, chunk_size: int, **options: Any) -> list[Piece]:
    f = io.BytesIO(data)
    return list(StreamedDocument(lambda: rewound(f), chunk_size=chunk_size, **options))


def assert_same_as_in_memory(data: bytes, options: dict[str, Any]) -> list[Piece]:
    expected = split_json_document(data, **options)
    for chunk_size in CHUNK_SIZES:
        assert _key(streamed(data, chunk_size, **options)) == _key(expected), chunk_size
    return expected


TRICKY_STRINGS = [
    "brackets ] [ } { , : in a string",
    'quotes \\" and \\\\ and \\\\\\" and \\\\\\\\',
    "escapes \\n \\t \\/ \\b \\f \\r \\u00e9 \\u2713",
    "a surrogate pair \\ud83d\\ude00 and a lone one \\ud83d",
    "raw unicode é ✓ 😀 中文",
]


@pytest.mark.parametrize("text", TRICKY_STRINGS)
@pytest.mark.parametrize("options", [MEMBER, TOP], ids=["member", "top"])
def test_strings_with_brackets_quotes_escapes_and_unicode(text: str, options: dict) -> None:
    elements = f'{{"s": "{text}", "n": [1, "{text}"]}}, "{text}", ["{text}"]'
    doc = (f"[{elements}]" if options is TOP else f'{{"loglines": [{elements}]}}').encode()
    pieces = assert_same_as_in_memory(doc, options)
    assert len(pieces) == 3
    assert all(p.data in doc for p in pieces)  # exact original slices
    assert pieces[1].parsed == json.loads(f'"{text}"')


@pytest.mark.parametrize(
    ("doc", "locators"),
    [
        (b'\xef\xbb\xbf  [ {"a": 1} ]', ["[0]"]),  # a BOM
        (b" \r\n\t[\n 1 ,\n\t2\r\n]\n\n ", ["[0]", "[1]"]),  # whitespace everywhere
        (b"[[1, [2, [3]]], [], [[]]]", ["[0]", "[1]", "[2]"]),  # nested arrays
        (b"[]", []),  # an empty array lands nothing
        (b"[ ]", []),
        (b"[12345, -0.5e+10, 3.50, true, false, null]", [f"[{i}]" for i in range(6)]),
        (b"[NaN, Infinity, -Infinity]", ["[0]", "[1]", "[2]"]),  # as json.loads takes them
    ],
)
def test_top_level_array_shapes(doc: bytes, locators: list[str]) -> None:
    pieces = assert_same_as_in_memory(doc, TOP)
    assert [p.locator for p in pieces] == locators


def test_other_members_beside_the_array_member_land_the_whole_document_too() -> None:
    doc = b'{"meta": {"loglines": [9]}, "loglines": [{"a": 1}, [2]], "tail": "x"}'
    pieces = assert_same_as_in_memory(doc, MEMBER)
    assert [(p.locator, p.ordinal, p.data) for p in pieces] == [
        ("loglines[0]", 1, b'{"a": 1}'),
        ("loglines[1]", 2, b"[2]"),
        ("document", 3, doc),
    ]


def test_the_last_array_member_of_a_duplicated_name_splits_as_in_json() -> None:
    doc = b'{"loglines": [1, 2], "loglines": [3]}'
    pieces = assert_same_as_in_memory(doc, MEMBER)
    assert [(p.locator, p.data) for p in pieces] == [("loglines[0]", b"3")]


@pytest.mark.parametrize(
    "doc",
    [
        b'[{"a": 1}, {"b": 2}, {"c" 3}, {"d": 4}]',  # invalid JSON midway
        b'[{"a": 1}, {"b": 2}, {"c": 3}',  # truncated (a download cut short)
        b'[{"a": 1}, {"b": "x\x00y"}]',  # a raw control character in a string
        b'[{"a": 1}, {"b": 2}] trailing',
        b'[{"a": 1}, {"b": 2}]]',
        b'[{"a": 1}, {"b": "\xff"}]',  # invalid UTF-8 after a valid element
        b'[{"a": 1}, {"b": 2}]\xc3',  # a cut multi-byte character at the very end
        b'[{"a": 1}, "\xed\xa0\x80"]',  # an encoded surrogate is not UTF-8
        b"[1, 2,]",
        b'{"a": [1]}',  # another shape
        b"",
        b"[" * 5000 + b"]" * 5000,  # too deep to parse
    ],
)
def test_an_invalid_document_is_one_whole_record_and_no_element(doc: bytes) -> None:
    for options in (TOP, MEMBER):
        pieces = assert_same_as_in_memory(doc, options)
        assert _key(pieces) == _key([Piece("document", 1, doc, options["record_kind"])])


def test_a_document_that_does_not_split_is_one_record() -> None:
    doc = b'[{"a": 1}]'
    pieces = streamed(doc, 3, record_kind="session")
    assert [(p.locator, p.data, p.record_kind) for p in pieces] == [("document", doc, "session")]


def test_digest_and_length_are_of_the_bytes_split() -> None:
    for doc in (b'[{"a": 1}, 2]', b"[1, 2", b'{"x": 1, "loglines": [1]}'):
        f = io.BytesIO(doc)
        document = StreamedDocument(lambda f=f: rewound(f), chunk_size=4, **MEMBER)
        list(document)
        assert document.sha256 == hashlib.sha256(doc).hexdigest()
        assert document.length == len(doc)


def test_the_window_holds_a_chunk_and_an_element_never_the_document() -> None:
    elements = [{"i": i, "text": "é" * 50} for i in range(400)]
    doc = json.dumps(elements).encode()
    largest = max(len(json.dumps(e).encode()) for e in elements)
    window = TextWindow(io.BytesIO(doc), chunk_size=256)
    widest = 0
    real_fill = window.fill

    def fill(at_least: int = 0) -> bool:
        nonlocal widest
        more = real_fill(at_least)
        widest = max(widest, len(window.text))
        return more

    window.fill = fill  # type: ignore[method-assign]
    values = [value for _, value in walk_document(window, None, DocumentShape(), emit=0)]
    assert values == elements
    assert window.length == len(doc)
    assert widest <= 2 * (256 + largest)
    assert len(doc) > 20 * widest


class Rewriting:
    """An ``open_stream`` giving ``first`` at the first read and ``then`` at every later one."""

    def __init__(self, first: bytes, then: bytes) -> None:
        self.versions = [first, then]
        self.opened = 0

    def __call__(self) -> AbstractContextManager[BinaryIO]:
        data = self.versions[min(self.opened, 1)]
        self.opened += 1
        return io.BytesIO(data)


def test_a_document_rewritten_into_invalid_json_between_the_reads_raises() -> None:
    document = StreamedDocument(Rewriting(b"[1, 2, 3]", b"[1, 2, oops]"), chunk_size=2, **TOP)
    got: list[bytes] = []
    with pytest.raises(DocumentChanged):
        for piece in document:
            got.append(piece.data)
    assert got == [b"1", b"2"]


def test_a_document_rewritten_into_other_valid_json_between_the_reads_raises_at_the_end() -> None:
    document = StreamedDocument(Rewriting(b"[1, 2, 3]", b"[1, 2, 4]"), chunk_size=2, **TOP)
    got: list[bytes] = []
    with pytest.raises(DocumentChanged):
        for piece in document:
            got.append(piece.data)
    assert got == [b"1", b"2", b"4"]


def test_an_invalid_document_rewritten_before_its_whole_read_raises() -> None:
    document = StreamedDocument(Rewriting(b"[1, 2", b"[1, 2]"), chunk_size=2, **TOP)
    with pytest.raises(DocumentChanged):
        list(document)


# --------------------------------------------------------------------------------------------------
# Property: any document, any mutation of it, any chunk size: the same records as in memory
# --------------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    elements = draw(st.lists(JSON_VALUES, max_size=6))
    top = draw(st.booleans())
    value: Any = elements if top else {"loglines": elements}
    if not top and draw(st.booleans()):
        value = {"before": draw(JSON_VALUES), **value, "after": 1}
    text = json.dumps(
        value, indent=draw(st.sampled_from([None, 0, 2])), ensure_ascii=draw(st.booleans())
    )
    data = bytearray(text.encode())
    if draw(st.booleans()) and data:  # flip, insert or cut bytes
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "truncate"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), chunk_size=st.integers(1, 40))
def test_streamed_records_equal_the_in_memory_ones(doc: bytes, chunk_size: int) -> None:
    for options in (TOP, MEMBER):
        expected = split_json_document(doc, **options)
        assert _key(streamed(doc, chunk_size, **options)) == _key(expected)


# --------------------------------------------------------------------------------------------------
# Zip members
# --------------------------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_streamed_zip_members_equal_the_in_memory_ones() -> None:
    archive = _zip(
        {
            "conversations.json": json.dumps(
                [{"id": i, "t": "é ] \\"} for i in range(20)]
            ).encode(),
            "chat.html": b"<html></html>",
            "old/conversations.json": b'[{"id": "x"}, oops',
            "new/conversations.json": b"[]",
        }
    )
    expected = list(iter_zip_members(io.BytesIO(archive), "conversations.json", **TOP))
    assert len(expected) == 21
    for chunk_size in (1, 7, 1 << 20):
        got = iter_zip_members(
            io.BytesIO(archive),
            "conversations.json",
            chunk_size=chunk_size,
            in_memory_bytes=0,
            **TOP,
        )
        assert _key(list(got)) == _key(expected)


def test_a_zip_with_a_corrupt_member_yields_nothing() -> None:
    good = json.dumps([{"id": i} for i in range(50)]).encode()
    archive = bytearray(
        _zip({"a/conversations.json": good, "b/conversations.json": b'[{"id": "' + b"y" * 5000})
    )
    # corrupt the second member's deflated data (the first member is whole)
    second = archive.index(b"b/conversations.json") + len(b"b/conversations.json") + 40
    archive[second : second + 8] = b"\x00" * 8
    for in_memory in (0, 1 << 20):
        pieces = iter_zip_members(
            io.BytesIO(bytes(archive)),
            "conversations.json",
            chunk_size=64,
            in_memory_bytes=in_memory,
            **TOP,
        )
        with pytest.raises(ZipSourceError):
            next(pieces)


# --------------------------------------------------------------------------------------------------
# End to end: reading a file streams the same rows and state as reading it whole
# --------------------------------------------------------------------------------------------------


def _read(path: Path, config: ReadConfig, opener: Any = None) -> tuple[list[RowChunk], FileDone]:
    chatgpt = REGISTRY["chatgpt"]
    fmt = chatgpt.file_format(path)
    assert fmt is not None
    task = ReadTask(
        0,
        SourceFile(chatgpt, path, str(path)),
        fmt,
        path.stat().st_size,
        datetime.now(timezone.utc),
        None,
    )
    events = list(read_file(task, config) if opener is None else read_file(task, config, opener))
    chunks = [e for e in events if isinstance(e, RowChunk)]
    (done,) = [e for e in events if isinstance(e, FileDone)]
    return chunks, done


def _rows(chunks: list[RowChunk]) -> list[tuple[Any, ...]]:
    out = []
    for chunk in chunks:
        start = 0
        for i, end in enumerate(chunk.ends):
            digest = chunk.checksums[i * 64 : (i + 1) * 64]
            out.append(
                (
                    bytes(chunk.text[start:end]),
                    bytes(digest),
                    chunk.locators[i],
                    chunk.ordinals[i],
                    chunk.kinds[i],
                    chunk.versions[i],
                )
            )
            start = end
    return out


def _conversations(n: int) -> bytes:
    return json.dumps(
        [
            {"id": f"c{i}", "title": 'ü ] [ \\ "', "mapping": {"m": {"message": {"x": i}}}}
            for i in range(n)
        ],
        indent=1,
        ensure_ascii=False,
    ).encode()


@pytest.mark.parametrize("kind", ["json", "zip"])
def test_reading_a_streamed_document_gives_the_rows_and_state_of_reading_it_whole(
    tmp_path: Path, kind: str
) -> None:
    doc = _conversations(300)
    if kind == "json":
        path = tmp_path / "conversations.json"
        path.write_bytes(doc)
    else:
        path = tmp_path / "export.zip"
        path.write_bytes(_zip({"conversations.json": doc}))
    whole_chunks, whole = _read(path, ReadConfig(in_memory_document_bytes=1 << 30))
    stream_chunks, streamed_done = _read(
        path, ReadConfig(in_memory_document_bytes=0, document_chunk_bytes=13, chunk_bytes=4096)
    )
    assert len(stream_chunks) > 1  # rows went out before the document was done
    assert _rows(stream_chunks) == _rows(whole_chunks)
    assert len(_rows(stream_chunks)) == 300
    assert streamed_done.state == whole.state
    assert streamed_done.state is not None and streamed_done.state.records_landed == 300
    assert streamed_done.state.consumed_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert streamed_done.rows_landed == whole.rows_landed == 300
    assert streamed_done.bytes_read == whole.bytes_read == path.stat().st_size


class _ChangingFile(io.BytesIO):
    """A file rewritten in place after its first two reads from the start (hash, check)."""

    def __init__(self, first: bytes, then: bytes) -> None:
        super().__init__(first)
        self.then = then
        self.rewinds = 0

    def seek(self, pos: int, whence: int = 0) -> int:
        if pos == 0 and whence == 0:
            self.rewinds += 1
            if self.rewinds == 3:
                self.truncate(0)
                super().seek(0)
                self.write(self.then)
        return super().seek(pos, whence)


def test_a_document_rewritten_while_it_is_streamed_fails_without_state(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_bytes(_conversations(10))

    def opener(_: Path) -> BinaryIO:
        return _ChangingFile(path.read_bytes(), _conversations(12))

    _, done = _read(path, ReadConfig(in_memory_document_bytes=0), opener)
    assert done.category == "failed" and done.state is None
    assert "changed while it was read" in done.errors[0].message


def test_a_large_conversations_json_lands_streamed(tmp_path: Path, run_json: Any) -> None:
    """Past IN_MEMORY_DOCUMENT_BYTES the runner streams the document: the same records."""
    doc = json.dumps(
        [{"id": f"c{i}", "title": "t", "mapping": {"x": "y" * 2000}} for i in range(2500)]
    ).encode()
    assert len(doc) > IN_MEMORY_DOCUMENT_BYTES
    src = tmp_path / "export" / "conversations.json"
    src.parent.mkdir()
    src.write_bytes(doc)
    summary = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert summary["platforms"]["chatgpt"]["rows_landed"] == 2500
    landed = [r for r in rows(tmp_path / "lake") if r["platform"] == "chatgpt"]
    expected = split_json_document(doc, record_kind="conversation", split_top_array=True)
    assert [(r["record_locator"], r["record_ordinal"], r["raw_text"].encode()) for r in landed] == [
        (p.locator, p.ordinal, p.data) for p in expected
    ]
    state = _state(tmp_path / "lake")
    assert state["records_landed"] == 2500
    assert state["consumed_sha256"] == hashlib.sha256(doc).hexdigest()
    os.utime(src, (1, 1))  # read again (hashed), found unchanged: nothing lands
    again = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert again["platforms"]["chatgpt"]["rows_landed"] == 0
    assert again["platforms"]["chatgpt"]["unchanged"] == 1


def _state(lake: Path) -> dict[str, Any]:
    (state,) = pq.read_table(lake / "_state" / "files").to_pylist()
    return state


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_document_nested_too_deep_to_parse_lands_whole(
    tmp_path: Path, run_json: Any, size: str
) -> None:
    deep = b"[" + b"[" * 100_000 + b"]" * 100_000
    pad = b"" if size == "small" else b' "' + b"x" * IN_MEMORY_DOCUMENT_BYTES + b'"'
    doc = deep + b"," + pad + b"]" if pad else deep + b"]"
    src = tmp_path / "export" / "conversations.json"
    src.parent.mkdir()
    src.write_bytes(doc)
    summary = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert summary["platforms"]["chatgpt"]["rows_landed"] == 1
    (row,) = [r for r in rows(tmp_path / "lake") if r["platform"] == "chatgpt"]
    assert (row["record_locator"], row["raw_text"].encode()) == ("document", doc)
