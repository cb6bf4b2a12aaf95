"""ChatGPT exports: conversations.json, the export zip read in place, ~/Downloads discovery."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from extract.platforms import REGISTRY
from extract.runner import run_extract

from .conftest import REPO_ROOT, rows

FIXTURE = Path(__file__).parent / "fixtures" / "chatgpt" / "conversations.json"
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "chatgpt"
CHATGPT = REGISTRY["chatgpt"]


def _chatgpt_rows(lake: Path) -> list[dict]:
    return [r for r in rows(lake) if r["platform"] == "chatgpt"]


def _export_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_file_formats() -> None:
    fmt = CHATGPT.file_format(Path("conversations.json"))
    assert fmt is not None and fmt.split_top_array and fmt.record_kind == "conversation"
    assert fmt.zip_member is None
    zfmt = CHATGPT.file_format(Path("export-2025-06-01.zip"))
    assert zfmt is not None and zfmt.zip_member == "conversations.json"
    assert CHATGPT.file_format(Path("chat.html")) is None
    assert CHATGPT.default_roots({}, Path("/home/u")) == [Path("/home/u/Downloads")]
    assert CHATGPT.source_version({"mapping": {}}) is None


def test_conversations_json_one_record_per_conversation(tmp_path: Path, run_json) -> None:
    summary = run_json("--platform", "chatgpt", "--source", f"chatgpt={FIXTURE}")
    assert summary["platforms"]["chatgpt"]["rows_landed"] == 3
    landed = _chatgpt_rows(tmp_path / "lake")
    assert [r["record_locator"] for r in landed] == ["[0]", "[1]", "[2]"]
    assert [r["record_ordinal"] for r in landed] == [1, 2, 3]
    assert {r["record_kind"] for r in landed} == {"conversation"}
    assert landed[0]["source_uri"] == os.path.realpath(FIXTURE)
    elements = json.loads(FIXTURE.read_text())
    assert json.loads(landed[0]["raw_text"]) == elements[0]
    assert landed[2]["raw_text"] == '"not a conversation"'
    for r in landed:  # exact original bytes
        assert r["raw_checksum"] == hashlib.sha256(r["raw_text"].encode()).hexdigest()
        assert r["raw_text"].encode() in FIXTURE.read_bytes()


def test_incremental_rerun_lands_nothing_and_rewrite_is_a_new_version(
    tmp_path: Path, run_json
) -> None:
    src = tmp_path / "export" / "conversations.json"
    src.parent.mkdir()
    src.write_bytes(FIXTURE.read_bytes())
    first = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert first["platforms"]["chatgpt"]["rows_landed"] == 3
    again = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert again["platforms"]["chatgpt"]["rows_landed"] == 0
    assert again["platforms"]["chatgpt"]["unchanged"] == 1
    # touched but identical bytes: read, checksum equal, nothing lands
    os.utime(src, (1, 1))
    touched = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    assert touched["platforms"]["chatgpt"]["rows_landed"] == 0
    # a newer export rewrites the file: the whole document lands again as version 2
    elements = json.loads(FIXTURE.read_text())[:2]
    src.write_text(json.dumps(elements))
    rewritten = run_json("--platform", "chatgpt", "--source", f"chatgpt={src.parent}")
    counts = rewritten["platforms"]["chatgpt"]
    assert counts["rewritten"] == 1 and counts["rows_landed"] == 2
    versions = sorted({r["source_file_version"] for r in _chatgpt_rows(tmp_path / "lake")})
    assert versions == [1, 2]


def test_zip_is_read_in_place_and_member_names_never_escape(tmp_path: Path, run_json) -> None:
    data = FIXTURE.read_bytes()
    one = json.dumps([json.loads(data)[0]]).encode()
    downloads = tmp_path / "dl"
    downloads.mkdir()
    archive = _export_zip(
        downloads / "chatgpt-export.zip",
        {
            "conversations.json": data,
            "../evil/conversations.json": one,
            "nested/dir/conversations.json": one,
            "chat.html": b"<html></html>",
            "user.json": b'{"id": "user-1"}',
        },
    )
    before = sorted(p for p in tmp_path.rglob("*") if "lake" not in p.parts)
    summary = run_json("--platform", "chatgpt", "--source", f"chatgpt={archive}")
    counts = summary["platforms"]["chatgpt"]
    # the member whose name escapes the archive is refused (reported), the others land
    assert counts["rows_landed"] == 4 and counts["new"] == 1
    (error,) = summary["errors"]
    assert "'../evil/conversations.json'" in error["message"]
    assert "escapes the archive" in error["message"]
    landed = _chatgpt_rows(tmp_path / "lake")
    assert [r["record_locator"] for r in landed] == [
        "conversations.json[0]",
        "conversations.json[1]",
        "conversations.json[2]",
        "nested/dir/conversations.json[0]",
    ]
    assert [r["record_ordinal"] for r in landed] == [1, 2, 3, 4]
    assert {r["source_uri"] for r in landed} == {os.path.realpath(archive)}
    assert json.loads(landed[3]["raw_text"]) == json.loads(one)[0]
    # nothing was extracted: no file appeared outside the lake, nothing above tmp_path either
    after = sorted(p for p in tmp_path.rglob("*") if "lake" not in p.parts)
    assert after == before
    assert not (tmp_path / "evil").exists() and not (downloads.parent / "evil").exists()
    # the archive is incremental as one document
    again = run_json("--platform", "chatgpt", "--source", f"chatgpt={archive}")
    assert again["platforms"]["chatgpt"]["rows_landed"] == 0


def test_bad_zip_is_a_file_error(tmp_path: Path, run_json) -> None:
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    summary = run_json("--platform", "chatgpt", "--source", f"chatgpt={bad}", expect=1)
    assert summary["platforms"]["chatgpt"]["failed"] == 1
    assert "not a readable zip archive" in summary["errors"][0]["message"]


def test_downloads_discovery_finds_only_exports(tmp_path: Path) -> None:
    home = tmp_path / "home"
    downloads = home / "Downloads"
    (downloads / "chatgpt-2025-05").mkdir(parents=True)
    (downloads / "chatgpt-2025-05" / "conversations.json").write_bytes(FIXTURE.read_bytes())
    _export_zip(downloads / "export.zip", {"conversations.json": FIXTURE.read_bytes()})
    _export_zip(downloads / "photos.zip", {"img.json": b"{}"})
    (downloads / "broken.zip").write_bytes(b"not a zip")
    (downloads / "settings.json").write_text('{"mapping": {}}')
    (downloads / "notes.txt").write_text("hello")
    messages: list[str] = []
    summary = run_extract(
        lake_uri=str(tmp_path / "lake"),
        platforms=["chatgpt"],
        env={},
        home=home,
        notify=messages.append,
    )
    counts = summary.platforms["chatgpt"]
    assert counts.files_seen == 2 and counts.new == 2 and counts.rows_landed == 6
    assert summary.errors == []
    uris = {r["source_uri"] for r in _chatgpt_rows(tmp_path / "lake")}
    assert uris == {
        os.path.realpath(downloads / "chatgpt-2025-05" / "conversations.json"),
        os.path.realpath(downloads / "export.zip"),
    }
    assert len(messages) == 1 and "found 2 ChatGPT export(s)" in messages[0]
    assert str(downloads) in messages[0] and "export.zip" in messages[0]


def test_no_downloads_folder_is_silent(tmp_path: Path) -> None:
    messages: list[str] = []
    summary = run_extract(
        lake_uri=str(tmp_path / "lake"),
        platforms=["chatgpt"],
        env={},
        home=tmp_path / "nohome",
        notify=messages.append,
    )
    assert summary.status == "nothing_found" and summary.errors == [] and messages == []


def test_bundled_example_lands() -> None:
    example = CHATGPT.example_root(REPO_ROOT / "examples")
    assert example == REPO_ROOT / "examples" / "chatgpt"
    found = list(CHATGPT.discover(example))
    assert [p.name for p in found] == ["conversations.json"]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="no shared ChatGPT samples")
def test_every_shared_sample_lands(tmp_path: Path, run_json) -> None:
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    assert files
    args: list[str] = []
    for path in files:
        args += ["--source", f"chatgpt={path}"]
    summary = run_json("--platform", "chatgpt", *args)
    counts = summary["platforms"]["chatgpt"]
    assert counts["files_seen"] == len(files) and counts["failed"] == 0
    landed = _chatgpt_rows(tmp_path / "lake")
    assert {r["source_uri"] for r in landed} == {os.path.realpath(p) for p in files}
    for r in landed:
        assert r["record_kind"] == "conversation"
        assert r["raw_bytes"] is None
        assert json.loads(r["raw_text"])  # every sample is valid JSON


def test_a_folder_source_finds_renamed_exports_but_not_other_json(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    conversation = {
        "title": "t",
        "create_time": 1761559200.0,
        "mapping": {"root": {"id": "root", "message": None, "parent": None, "children": []}},
        "current_node": "root",
        "conversation_id": "c-1",
    }
    (folder / "my chat backup.json").write_text(json.dumps([conversation]))
    (folder / "package.json").write_text(json.dumps({"name": "app", "dependencies": {}}))
    found = sorted(p.name for p in REGISTRY["chatgpt"].discover(folder))
    assert found == ["my chat backup.json"]
