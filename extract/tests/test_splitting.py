from __future__ import annotations

import hashlib
import io
import json

import pytest

from extract.splitting import (
    JsonlReader,
    array_element_slices,
    hash_prefix,
    is_complete_json,
    split_json_document,
)


def read_all(data: bytes, offset: int = 0, lines: int = 0) -> tuple[list, JsonlReader]:
    reader = JsonlReader(io.BytesIO(data), offset=offset, size=len(data), lines=lines)
    return list(reader), reader


def test_jsonl_offsets_line_numbers_and_blank_lines() -> None:
    data = b'{"a":1}\n\n   \n{"b":2}\r\n{"c":3}\n'
    pieces, reader = read_all(data)
    assert [(p.locator, p.ordinal, p.data) for p in pieces] == [
        ("line:1", 1, b'{"a":1}'),
        ("line:4", 4, b'{"b":2}'),  # CR stripped with the terminator
        ("line:5", 5, b'{"c":3}'),
    ]
    assert reader.consumed == len(data)
    assert reader.lines == 5
    assert reader.hasher.hexdigest() == hashlib.sha256(data).hexdigest()
    assert not reader.open_line


def test_jsonl_resume_from_offset_continues_line_numbers() -> None:
    data = b'{"a":1}\n{"b":2}\n{"c":3}\n'
    first = len(b'{"a":1}\n{"b":2}\n')
    pieces, _ = read_all(data, offset=first, lines=2)
    assert [(p.locator, p.data) for p in pieces] == [("line:3", b'{"c":3}')]


def test_jsonl_keeps_invalid_json_and_invalid_utf8() -> None:
    data = b'not json at all\n{"bad": "\xff\xfe"}\n[1,2]\n"str"\n'
    pieces, _ = read_all(data)
    assert [p.data for p in pieces] == [
        b"not json at all",
        b'{"bad": "\xff\xfe"}',
        b"[1,2]",
        b'"str"',
    ]


def test_jsonl_half_written_tail_waits_but_complete_tail_lands() -> None:
    partial = b'{"a":1}\n{"b":'
    pieces, reader = read_all(partial)
    assert [p.data for p in pieces] == [b'{"a":1}']
    assert reader.consumed == len(b'{"a":1}\n')
    assert reader.lines == 1

    complete = b'{"a":1}\n{"b":2}'
    pieces, reader = read_all(complete)
    assert [p.locator for p in pieces] == ["line:1", "line:2"]
    assert reader.consumed == len(complete)
    assert reader.open_line


def test_jsonl_reads_only_up_to_size() -> None:
    data = b'{"a":1}\n{"b":2}\n'
    reader = JsonlReader(io.BytesIO(data + b'{"c":3}\n'), offset=0, size=len(data))
    assert [p.data for p in reader] == [b'{"a":1}', b'{"b":2}']


def test_hash_prefix_in_chunks() -> None:
    data = bytes(range(256)) * 100
    hasher, n = hash_prefix(io.BytesIO(data), 10_000, chunk_size=333)
    assert n == 10_000
    assert hasher.hexdigest() == hashlib.sha256(data[:10_000]).hexdigest()


def test_is_complete_json() -> None:
    assert is_complete_json(b'{"a": [1, 2]}  ')
    assert not is_complete_json(b'{"a": [1, 2]')
    assert not is_complete_json(b"\xff")


def test_loglines_elements_are_exact_slices() -> None:
    doc = (
        '{\n  "loglines" : [\n    {"type": "user",  "x": "é✓"} ,\n'
        '    [1,\n 2],\n    "s",\n    3.50\n  ]\n}\n'
    ).encode()
    pieces = split_json_document(
        doc, record_kind="document", array_member="loglines", array_record_kind="session_line"
    )
    assert [p.locator for p in pieces] == [f"loglines[{i}]" for i in range(4)]
    assert [p.ordinal for p in pieces] == [1, 2, 3, 4]
    assert [p.data for p in pieces] == [
        '{"type": "user",  "x": "é✓"}'.encode(),
        b"[1,\n 2]",
        b'"s"',
        b"3.50",
    ]
    assert all(p.data in doc for p in pieces)
    assert {p.record_kind for p in pieces} == {"session_line"}
    assert pieces[0].parsed == {"type": "user", "x": "é✓"}


def test_loglines_with_other_members_also_keeps_the_whole_document() -> None:
    doc = b'{"meta": {"v": 1}, "loglines": [{"a": 1}]}'
    pieces = split_json_document(
        doc, record_kind="document", array_member="loglines", array_record_kind="session_line"
    )
    assert [(p.locator, p.record_kind, p.data) for p in pieces] == [
        ("loglines[0]", "session_line", b'{"a": 1}'),
        ("document", "document", doc),
    ]


@pytest.mark.parametrize(
    "doc",
    [
        b'{"agentType": "general-purpose"}',
        b'{"loglines": "not an array"}',
        b'{"loglines": [1, 2',
        b'{"loglines": [1]} trailing',
        b'[{"a": 1}]',
        b"\xff\xfe{}",
        b"",
    ],
)
def test_other_documents_land_whole(doc: bytes) -> None:
    pieces = split_json_document(
        doc, record_kind="document", array_member="loglines", array_record_kind="session_line"
    )
    assert [(p.locator, p.ordinal, p.record_kind, p.data) for p in pieces] == [
        ("document", 1, "document", doc)
    ]


def test_top_level_array_split() -> None:
    doc = b'[ {"id": 1}, {"id": 2} ]'
    pieces = split_json_document(doc, record_kind="conversation", split_top_array=True)
    assert [(p.locator, p.data) for p in pieces] == [("[0]", b'{"id": 1}'), ("[1]", b'{"id": 2}')]


def test_array_element_slices_match_json_loads() -> None:
    text = json.dumps({"loglines": [{"k": i, "t": "x" * i} for i in range(5)]}, indent=1)
    spans, others = array_element_slices(text, "loglines")
    assert not others
    assert [json.loads(text[s:e]) for s, e, _ in spans] == json.loads(text)["loglines"]
