from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract import runner
from extract.runner import run_extract

from .conftest import cc_line, rows

WORKERS = 1


@pytest.fixture(autouse=True, params=[1, 2], ids=["in-process", "2-workers"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test here runs twice: reading in this process, and in two worker processes (even
    these small files: ``PARALLEL_MIN_BYTES`` is 0)."""
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(sys.modules[__name__], "WORKERS", request.param)
    return request.param


def land(lake: Path, source: Path, **kwargs):
    kwargs.setdefault("workers", WORKERS)
    return run_extract(lake_uri=str(lake), sources={"claude_code": [source]}, **kwargs)


def raw_files(lake: Path) -> list[Path]:
    return sorted(p for p in (lake / "raw").rglob("*.parquet") if p.name != "_empty.parquet")


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_first_run_lands_everything_second_run_nothing(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 4)))
    first = land(lake, src)
    assert first.totals.rows_landed == 3 and first.totals.new == 1
    files_after_first = raw_files(lake)
    assert len(files_after_first) == 1
    second = land(lake, src)
    assert second.totals.rows_landed == 0
    assert second.totals.unchanged == 1
    assert second.totals.bytes_read == 0  # same size and mtime: not read at all
    assert raw_files(lake) == files_after_first
    # touched but identical: read, nothing lands
    bump_mtime(src)
    third = land(lake, src)
    assert (third.totals.rows_landed, third.totals.unchanged) == (0, 1)
    assert raw_files(lake) == files_after_first
    assert len(rows(lake)) == 3


def test_appended_lines_land_only_new_ones(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n\n" + cc_line(2) + b"\n")
    land(lake, src)
    with src.open("ab") as f:
        f.write(cc_line(3) + b"\n" + cc_line(4) + b"\n")
    summary = land(lake, src)
    assert (summary.totals.grown, summary.totals.rows_landed) == (1, 2)
    landed = rows(lake)
    assert [r["record_locator"] for r in landed] == ["line:1", "line:3", "line:4", "line:5"]
    assert {r["source_file_version"] for r in landed} == {1}
    assert landed[-1]["raw_text"] == cc_line(4).decode()
    assert landed[-1]["source_version"] == "2.1.31"


def test_half_written_last_line_waits_then_lands_once(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    full = cc_line(2)
    src.write_bytes(cc_line(1) + b"\n" + full[:25])
    assert land(lake, src).totals.rows_landed == 1
    assert land(lake, src).totals.rows_landed == 0  # still half-written
    with src.open("ab") as f:
        f.write(full[25:40])
    assert land(lake, src).totals.rows_landed == 0  # grew, still incomplete
    with src.open("ab") as f:
        f.write(full[40:] + b"\n")
    summary = land(lake, src)
    assert (summary.totals.grown, summary.totals.rows_landed) == (1, 1)
    assert land(lake, src).totals.rows_landed == 0
    landed = rows(lake)
    assert [(r["record_locator"], r["raw_text"]) for r in landed] == [
        ("line:1", cc_line(1).decode()),
        ("line:2", full.decode()),
    ]


def test_complete_last_line_without_newline_lands_now_and_is_not_repeated(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n" + cc_line(2))
    assert land(lake, src).totals.rows_landed == 2
    with src.open("ab") as f:
        f.write(b"\n" + cc_line(3) + b"\n")
    summary = land(lake, src)
    assert (summary.totals.grown, summary.totals.rows_landed) == (1, 1)
    assert [r["record_locator"] for r in rows(lake)] == ["line:1", "line:2", "line:3"]


def test_extended_open_line_counts_as_rewrite(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b'{"a":1}\n123')
    land(lake, src)
    with src.open("ab") as f:
        f.write(b"456\n")
    summary = land(lake, src)
    assert summary.totals.rewritten == 1
    v2 = [r for r in rows(lake) if r["source_file_version"] == 2]
    assert [r["raw_text"] for r in v2] == ['{"a":1}', "123456"]


def test_rewritten_file_lands_again_whole_as_version_2(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n" + cc_line(2) + b"\n")
    land(lake, src)
    src.write_bytes(cc_line(1) + b"\n" + cc_line(9) + b"\n" + cc_line(3) + b"\n")
    summary = land(lake, src)
    assert (summary.totals.rewritten, summary.totals.rows_landed) == (1, 3)
    v2 = [r for r in rows(lake) if r["source_file_version"] == 2]
    assert [r["record_locator"] for r in v2] == ["line:1", "line:2", "line:3"]
    # and then it grows as version 2
    with src.open("ab") as f:
        f.write(cc_line(4) + b"\n")
    summary = land(lake, src)
    assert (summary.totals.grown, summary.totals.rows_landed) == (1, 1)
    assert rows(lake)[-1]["source_file_version"] == 2
    assert rows(lake)[-1]["record_locator"] == "line:4"


def test_truncated_file_is_a_rewrite(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n" + cc_line(2) + b"\n")
    land(lake, src)
    src.write_bytes(cc_line(1) + b"\n")
    summary = land(lake, src)
    assert (summary.totals.rewritten, summary.totals.rows_landed) == (1, 1)


def test_json_documents_are_incremental_by_checksum(tmp_path: Path) -> None:
    lake, folder = tmp_path / "lake", tmp_path / "p"
    folder.mkdir()
    meta = folder / "agent-x.meta.json"
    meta.write_text('{"agentType":"general-purpose"}')
    land(lake, folder)
    bump_mtime(meta)
    assert land(lake, folder).totals.rows_landed == 0
    meta.write_text('{"agentType":"general-purpose","spawnDepth":2}')
    summary = land(lake, folder)
    assert (summary.totals.rewritten, summary.totals.rows_landed) == (1, 1)
    landed = rows(lake)
    assert [(r["record_locator"], r["source_file_version"]) for r in landed] == [
        ("document", 1),
        ("document", 2),
    ]
    assert landed[1]["record_kind"] == "subagent_meta"


def test_raw_columns(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    bad = b'{"version": "9", "x": "\xff"}'
    src.write_bytes(cc_line(1) + b"\n" + bad + b"\nnot json\n[1]\n")
    summary = land(lake, src)
    landed = rows(lake)
    assert len(landed) == 4
    first, second, third, fourth = landed
    assert first["source_version"] == "2.1.31"
    assert first["raw_bytes"] is None
    assert first["raw_checksum"] == hashlib.sha256(cc_line(1)).hexdigest()
    assert second["raw_bytes"] == bad
    assert second["raw_text"] == bad.decode("utf-8", "replace")
    assert second["raw_checksum"] == hashlib.sha256(bad).hexdigest()
    assert second["source_version"] is None
    assert third["raw_text"] == "not json" and third["source_version"] is None
    assert fourth["raw_text"] == "[1]" and fourth["source_version"] is None
    for r in landed:
        assert r["platform"] == "claude_code"
        assert r["source_uri"] == os.path.realpath(src)
        assert r["record_kind"] == "session_line"
        assert r["run_id"] == summary.run_id
        assert r["extracted_at"] == summary.started_at
        assert r["extractor_version"] == "0.1.0"
        assert r["source_size"] == src.stat().st_size
        assert r["source_mtime"].tzinfo is not None
    (raw_file,) = [p for p in (lake / "raw").rglob("*.parquet") if p.name != "_empty.parquet"]
    date = summary.started_at.strftime("%Y-%m-%d")
    assert raw_file.parent == lake / "raw" / "platform=claude_code" / f"date={date}"
    assert raw_file.name == f"{summary.run_id}-00001.parquet"
    assert pq.ParquetFile(raw_file).metadata.row_group(0).column(0).compression == "ZSTD"


def test_batches_flush_with_state_per_flush(tmp_path: Path) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 8)))
    summary = land(lake, src, max_rows=3)
    assert summary.totals.rows_landed == 7
    assert len(raw_files(lake)) == 3  # 3 + 3 + 1
    state_files = sorted((lake / "_state" / "files").glob("*.parquet"))
    assert len(state_files) == 3
    consumed = [pq.read_table(f).column("lines_consumed").to_pylist() for f in state_files]
    assert consumed == [[3], [6], [7]]
    with src.open("ab") as f:
        f.write(cc_line(8) + b"\n")
    assert land(lake, src).totals.rows_landed == 1
    assert [r["record_ordinal"] for r in rows(lake)] == list(range(1, 9))


def test_many_state_files_are_compacted_into_one(tmp_path: Path, monkeypatch) -> None:
    """Past COMPACT_AFTER_FILES state files, the run ends by writing the latest state of every
    file as one: the next run reads one file and lands only what is new, as before."""
    from extract import state

    monkeypatch.setattr(state, "COMPACT_AFTER_FILES", 2)
    lake, src, other = tmp_path / "lake", tmp_path / "s.jsonl", tmp_path / "t.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 8)))
    other.write_bytes(cc_line(20) + b"\n")
    # one flush (one state file) per 3 rows: 3 state files, then one compacted file
    summary = run_extract(
        lake_uri=str(lake), sources={"claude_code": [src, other]}, max_rows=3, workers=WORKERS
    )
    assert summary.status == "ok" and summary.totals.rows_landed == 8
    state_files = sorted((lake / "_state" / "files").glob("*.parquet"))
    assert [f.name for f in state_files] == [f"{summary.run_id}-compacted.parquet"]
    table = pq.read_table(state_files[0])
    before = {
        (r["source_uri"], r["lines_consumed"])
        for r in table.select(["source_uri", "lines_consumed"]).to_pylist()
    }
    assert before == {(os.path.realpath(src), 7), (os.path.realpath(other), 1)}
    with src.open("ab") as f:
        f.write(cc_line(8) + b"\n")
    again = run_extract(lake_uri=str(lake), sources={"claude_code": [src, other]}, workers=WORKERS)
    assert (again.totals.rows_landed, again.totals.unchanged) == (1, 1)
    assert [
        r["record_ordinal"] for r in rows(lake) if r["source_uri"] == os.path.realpath(src)
    ] == list(range(1, 9))


def test_crash_between_compacted_state_and_deletes_loses_nothing(
    tmp_path: Path, monkeypatch
) -> None:
    """The compacted state file is written before the files it replaces are deleted: a run that
    stops in between leaves both, and the next run reads the same state from them."""
    from extract import lake as lake_module
    from extract import state

    monkeypatch.setattr(state, "COMPACT_AFTER_FILES", 1)
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 5)))

    def no_delete(self, path):
        raise lake_module.LakeError(f"cannot delete {path}: simulated crash")

    monkeypatch.setattr(lake_module.Lake, "remove", no_delete)
    first = land(lake, src, max_rows=2)
    assert first.totals.rows_landed == 4
    assert any("simulated crash" in e.message for e in first.errors)
    names = sorted(f.name for f in (lake / "_state" / "files").glob("*.parquet"))
    assert f"{first.run_id}-compacted.parquet" in names and len(names) > 2  # and the flushes
    second = land(lake, src)
    assert (second.totals.rows_landed, second.totals.unchanged) == (0, 1)
    assert len(rows(lake)) == 4


def test_crash_between_raw_and_state_relands_and_never_loses(tmp_path: Path, monkeypatch) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(cc_line(1) + b"\n")
    from extract import lake as lake_module

    real = lake_module.Lake.write_table

    def no_state(self, rel, table):
        if rel.startswith("_state/"):
            raise lake_module.LakeError("simulated crash")
        return real(self, rel, table)

    monkeypatch.setattr(lake_module.Lake, "write_table", no_state)
    failed = land(lake, src)
    assert failed.status == "failed"
    monkeypatch.setattr(lake_module.Lake, "write_table", real)
    again = land(lake, src)
    assert again.totals.new == 1 and again.totals.rows_landed == 1
    checksums = [r["raw_checksum"] for r in rows(lake)]
    assert len(checksums) == 2 and len(set(checksums)) == 1


def test_read_error_mid_file_keeps_landed_lines_and_resumes(
    tmp_path: Path, monkeypatch, workers: int
) -> None:
    import io

    if workers > 1:
        pytest.skip("replaces runner.open_source in this process, which worker processes ignore")

    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 6)))

    class Flaky(io.BufferedReader):
        calls = 0

        def readline(self, size: int | None = -1) -> bytes:
            Flaky.calls += 1
            if Flaky.calls > 2:
                raise OSError(5, "Input/output error")
            return super().readline(size)

    real_open = runner.open_source
    monkeypatch.setattr(runner, "open_source", lambda p: Flaky(io.FileIO(p, "rb")))
    summary = land(lake, src)
    assert summary.totals.failed == 1 and summary.totals.rows_landed == 2
    assert [e.message for e in summary.errors] == ["Input/output error"]
    monkeypatch.setattr(runner, "open_source", real_open)
    again = land(lake, src)
    assert (again.totals.grown, again.totals.rows_landed) == (1, 3)
    assert [r["record_ordinal"] for r in rows(lake)] == [1, 2, 3, 4, 5]


def test_crash_after_a_mid_file_flush_resumes(tmp_path: Path, monkeypatch) -> None:
    lake, src = tmp_path / "lake", tmp_path / "s.jsonl"
    src.write_bytes(b"".join(cc_line(i) + b"\n" for i in range(1, 6)))
    real_flush = runner.BatchWriter.flush

    def crash_on_second_flush(self, in_progress=None):
        if self.seq >= 1:
            raise KeyboardInterrupt  # the process dies after the first flush
        return real_flush(self, in_progress)

    monkeypatch.setattr(runner.BatchWriter, "flush", crash_on_second_flush)
    with pytest.raises(KeyboardInterrupt):
        land(lake, src, max_rows=2)
    monkeypatch.setattr(runner.BatchWriter, "flush", real_flush)
    assert len(rows(lake)) == 2
    again = land(lake, src)
    assert (again.totals.grown, again.totals.rows_landed) == (1, 3)
    assert [r["record_ordinal"] for r in rows(lake)] == [1, 2, 3, 4, 5]
