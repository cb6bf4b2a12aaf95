"""OpenAI / Azure OpenAI API logs: file formats, discovery, Azure api-version, .jsonl.gz."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from extract.platforms import REGISTRY
from extract.splitting import GzipSourceError, iter_gzip_jsonl, split_gzip_jsonl

from .conftest import rows

FIXTURES = Path(__file__).parent / "fixtures" / "openai_api"
OPENAI = REGISTRY["openai_api"]


def _openai_rows(lake: Path) -> list[dict]:
    return [r for r in rows(lake) if r["platform"] == "openai_api"]


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(data)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# Platform module
# --------------------------------------------------------------------------------------------------


def test_file_formats_and_no_default_location() -> None:
    plain = OPENAI.file_format(Path("batch_output.jsonl"))
    assert plain is not None
    assert (plain.splitter, plain.record_kind, plain.compression) == ("jsonl", "log_line", None)
    packed = OPENAI.file_format(Path("apim-2026-11-04.JSONL.GZ"))
    assert packed is not None
    assert (packed.splitter, packed.record_kind, packed.compression) == (
        "jsonl",
        "log_line",
        "gzip",
    )
    for name in ("export.json", "logs.gz", "notes.txt", "data.jsonl.zip", "x.jsonl.bak"):
        assert OPENAI.file_format(Path(name)) is None, name
    # no default location: only what the user names
    assert OPENAI.default_roots({"HOME": "/home/u"}, Path("/home/u")) == []


def test_discovery_walks_folders_for_jsonl_and_jsonl_gz(tmp_path: Path) -> None:
    (tmp_path / "batch" / "2026-11").mkdir(parents=True)
    (tmp_path / "gateway").mkdir()
    wanted = [
        tmp_path / "batch" / "2026-11" / "job_input.jsonl",
        tmp_path / "batch" / "2026-11" / "job_output.jsonl",
        tmp_path / "gateway" / "gw.jsonl.gz",
        tmp_path / "top.jsonl",
    ]
    for path in wanted:
        path.write_bytes(b"{}\n")
    for other in ("gateway/README.md", "gateway/gw.json", "batch/report.csv"):
        (tmp_path / other).write_text("not a log\n")
    found = sorted(OPENAI.discover(tmp_path))
    assert found == sorted(wanted)
    # a file given explicitly is the source itself
    assert list(OPENAI.discover(wanted[2])) == [wanted[2]]


def test_source_version_is_the_azure_api_version() -> None:
    apim = {
        "category": "GatewayLogs",
        "properties": {
            "url": "https://a.azure-api.net/deployments/x/chat/completions"
            "?api-version=2024-02-15-preview"
        },
    }
    assert OPENAI.source_version(apim) == "2024-02-15-preview"
    backend_only = {
        "properties": {"backendUrl": "https://o.openai.azure.com/x?a=1&api-version=2024-10-21"}
    }
    assert OPENAI.source_version(backend_only) == "2024-10-21"
    diag = {"properties": {"apiName": "Azure OpenAI API version 2023-07-01-preview"}}
    assert OPENAI.source_version(diag) == "2023-07-01-preview"
    api_name = {"apiName": "Azure OpenAI API version 2024-02-15-preview"}
    as_string = {"properties": json.dumps(api_name)}
    assert OPENAI.source_version(as_string) == "2024-02-15-preview"
    assert OPENAI.source_version({"records": [diag, apim]}) == "2023-07-01-preview"
    assert OPENAI.source_version({"records": []}) is None
    batch = {"custom_id": "a", "body": {"model": "gpt-4o"}}
    assert OPENAI.source_version(batch) is None
    assert OPENAI.source_version(None) is None
    assert OPENAI.source_version(["not", "a", "dict"]) is None


# --------------------------------------------------------------------------------------------------
# Plain JSONL through the runner
# --------------------------------------------------------------------------------------------------


def test_every_line_lands_raw(run_json) -> None:
    summary = run_json("--platform", "openai_api", "--source", f"openai_api={FIXTURES}")
    counts = summary["platforms"]["openai_api"]
    assert counts["files_seen"] == 2 and counts["new"] == 2
    landed = _openai_rows(Path(summary["lake"]))
    by_file = {}
    for r in landed:
        by_file.setdefault(Path(r["source_uri"]).name, []).append(r)
    assert [r["record_locator"] for r in by_file["batch_input.jsonl"]] == ["line:1", "line:2"]
    # CRLF stripped, the blank line 2 counted but not a record, the cut-off line 3 lands as is
    out = by_file["batch_output.jsonl"]
    assert [r["record_locator"] for r in out] == ["line:1", "line:3"]
    assert json.loads(out[0]["raw_text"])["custom_id"] == "doc-1"
    assert out[1]["raw_text"].endswith('"id": "chatcmpl-fixt')
    assert {r["record_kind"] for r in landed} == {"log_line"}
    for r in landed:
        assert r["raw_checksum"] == hashlib.sha256(r["raw_text"].encode()).hexdigest()
        assert r["source_version"] is None  # OpenAI's own batch files state no api-version


# --------------------------------------------------------------------------------------------------
# .jsonl.gz
# --------------------------------------------------------------------------------------------------


def test_split_gzip_jsonl_matches_jsonl_rules() -> None:
    # two gzip members (a file appended to with `gzip >>`), CRLF, a blank line, no final newline
    data = _gz(b'{"a": 1}\r\n\n') + _gz(b'{"b": 2}\n{"c": 3}')
    pieces = split_gzip_jsonl(io.BytesIO(data))
    assert [(p.locator, p.ordinal, p.data) for p in pieces] == [
        ("line:1", 1, b'{"a": 1}'),
        ("line:3", 3, b'{"b": 2}'),
        ("line:4", 4, b'{"c": 3}'),
    ]
    # a line longer than the read chunk stays one record
    long_line = b'{"text": "' + b"x" * 5000 + b'"}'
    pieces = split_gzip_jsonl(io.BytesIO(_gz(long_line + b"\n")), chunk_size=1024)
    assert [p.data for p in pieces] == [long_line]
    assert split_gzip_jsonl(io.BytesIO(_gz(b""))) == []


def test_split_gzip_jsonl_rejects_truncated_and_foreign_files() -> None:
    data = _gz(b'{"a": 1}\n' * 200)
    with pytest.raises(GzipSourceError):
        split_gzip_jsonl(io.BytesIO(data[: len(data) // 2]))
    with pytest.raises(GzipSourceError):
        split_gzip_jsonl(io.BytesIO(b'{"a": 1}\n'))


def test_a_truncated_gzip_yields_no_record_even_streamed() -> None:
    data = _gz(b"".join(b'{"n": %d}\n' % i for i in range(5000)))
    pieces = iter_gzip_jsonl(io.BytesIO(data[: len(data) - 20]), chunk_size=64)
    with pytest.raises(GzipSourceError):
        next(pieces)


def test_gzip_lines_are_streamed_not_decompressed_whole() -> None:
    """Once checked, the file is decompressed again as its lines are taken: after the first
    line, only the first part of the compressed bytes has been read the second time."""
    lines = [
        b'{"n": %d, "pad": "%s"}' % (i, bytes(range(97, 123)) * (i % 7)) for i in range(20_000)
    ]
    f = io.BytesIO(_gz(b"\n".join(lines) + b"\n"))
    pieces = iter_gzip_jsonl(f, chunk_size=64)
    assert next(pieces).data == lines[0]
    assert f.tell() < len(f.getvalue()) // 4
    assert [p.data for p in pieces] == lines[1:]


def test_jsonl_gz_lands_the_same_records_as_the_plain_file(tmp_path: Path, run_json) -> None:
    plain = (FIXTURES / "batch_input.jsonl").read_bytes()
    src = tmp_path / "logs"
    src.mkdir()
    (src / "batch_input.jsonl.gz").write_bytes(_gz(plain))
    summary = run_json("--platform", "openai_api", "--source", f"openai_api={src}")
    assert summary["platforms"]["openai_api"]["rows_landed"] == 2
    landed = _openai_rows(tmp_path / "lake")
    expected = [line for line in plain.split(b"\n") if line]
    assert [r["raw_text"].encode() for r in landed] == expected
    assert [r["record_locator"] for r in landed] == ["line:1", "line:2"]
    assert [r["raw_checksum"] for r in landed] == [hashlib.sha256(x).hexdigest() for x in expected]
    assert {r["source_size"] for r in landed} == {(src / "batch_input.jsonl.gz").stat().st_size}


def test_jsonl_gz_is_incremental_by_whole_file(tmp_path: Path, run_json) -> None:
    src = tmp_path / "logs" / "gw.jsonl.gz"
    src.parent.mkdir()
    first = _gz(b'{"n": 1}\n{"n": 2}\n')
    src.write_bytes(first)
    args = ("--platform", "openai_api", "--source", f"openai_api={src.parent}")
    assert run_json(*args)["platforms"]["openai_api"]["rows_landed"] == 2
    again = run_json(*args)["platforms"]["openai_api"]
    assert (again["rows_landed"], again["unchanged"]) == (0, 1)
    os.utime(src, (1, 1))  # touched, same bytes: read, hashed, nothing lands
    touched = run_json(*args)["platforms"]["openai_api"]
    assert (touched["rows_landed"], touched["unchanged"]) == (0, 1)
    # a member appended: the file lands again whole, as version 2
    src.write_bytes(first + _gz(b'{"n": 3}\n'))
    grown = run_json(*args)["platforms"]["openai_api"]
    assert (grown["rows_landed"], grown["rewritten"]) == (3, 1)
    v2 = [r for r in _openai_rows(tmp_path / "lake") if r["source_file_version"] == 2]
    assert [r["raw_text"] for r in v2] == ['{"n": 1}', '{"n": 2}', '{"n": 3}']


def test_corrupt_jsonl_gz_fails_without_landing_and_retries(tmp_path: Path, run_json) -> None:
    src = tmp_path / "logs" / "gw.jsonl.gz"
    src.parent.mkdir()
    whole = _gz(b'{"n": 1}\n' * 300)
    src.write_bytes(whole[: len(whole) - 12])  # still being written: the trailer is missing
    args = ("--platform", "openai_api", "--source", f"openai_api={src.parent}")
    failed = run_json(*args, expect=1)
    assert failed["platforms"]["openai_api"]["failed"] == 1
    assert "not a complete gzip file" in failed["errors"][0]["message"]
    assert _openai_rows(tmp_path / "lake") == []
    src.write_bytes(whole)  # finished: the next run lands it whole
    fixed = run_json(*args)["platforms"]["openai_api"]
    assert (fixed["rows_landed"], fixed["new"]) == (300, 1)
