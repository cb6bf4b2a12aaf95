"""The synthetic corpus (``python -m extract synth``): its manifest is what the warehouse shows.

A small corpus (a few conversations of every platform) is extracted, extended (new and grown
sessions), extracted again (incrementally) and built once with dbt; the marts must equal the
manifest exactly, platform by platform. Generation is deterministic: one seed, the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.synth import Manifest, SynthError, extend, generate, parse_size
from extract.synth.claude_code import _last_line
from extract.synth.corpus import WRITERS
from extract.synth.verify import mismatches, warehouse_totals
from extract.tests.test_end_to_end import PYTHON, REPO_ROOT, Pipeline
from extract.tests.test_platform_examples import run_extract_sources

SESSIONS = 4


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _sources(corpus: Path, manifest: Manifest) -> dict[str, Path]:
    return {name: corpus / path for name, path in manifest.sources.items()}


# --------------------------------------------------------------------------------------------------
# Extract, extend, extract again, build: the marts equal the manifest
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pipeline, Manifest, Manifest]:
    work = tmp_path_factory.mktemp("synth")
    corpus = work / "corpus"
    first = generate(corpus, "7", sessions=SESSIONS)
    p = Pipeline(work=work, lake=work / "lake", warehouse=work / "w.duckdb")
    run_extract_sources(p.lake, _sources(corpus, first))
    extended = extend(corpus, new_fraction=0.25, grow_fraction=0.5)
    run_extract_sources(p.lake, _sources(corpus, extended))
    p.build()
    return p, first, extended


def test_warehouse_equals_the_manifest(built: tuple[Pipeline, Manifest, Manifest]) -> None:
    p, _, manifest = built
    totals = warehouse_totals(p.warehouse)
    assert set(totals) == set(WRITERS)
    assert mismatches(manifest, totals) == []


def test_the_extension_added_and_grew(built: tuple[Pipeline, Manifest, Manifest]) -> None:
    _, first, extended = built
    for name in WRITERS:
        before, after = first.platforms[name], extended.platforms[name]
        assert after.conversations == before.conversations + 1, name
        assert after.messages > before.messages, name
    grown = extended.steps[-1]["grown_sessions"]
    assert grown == {"claude_code": 2, "copilot_chat": 2}
    assert extended.platforms["claude_code"].quirks["grown_sessions"] == 2


def test_every_quirk_is_in_the_small_corpus(built: tuple[Pipeline, Manifest, Manifest]) -> None:
    _, first, _ = built
    quirks = {name: t.quirks for name, t in first.platforms.items()}
    assert quirks["claude_code"]["resumed_sessions"] >= 1
    assert quirks["claude_code"]["subagents"] >= 1
    assert quirks["claude_code"]["split_response_lines"] >= 1
    assert quirks["copilot_chat"]["flat_sessions"] >= 1
    assert quirks["copilot_chat"]["mutation_logs"] >= 1
    assert quirks["copilot_chat"]["truncating_pushes"] >= 1
    assert quirks["chatgpt"]["branches"] >= 1
    assert quirks["roo_code"]["openai_protocol_tasks"] >= 1
    for name, t in first.platforms.items():
        assert t.tool_calls >= 1, name
        assert t.conversations == SESSIONS, name


def test_resumed_copies_and_subagents_in_the_warehouse(
    built: tuple[Pipeline, Manifest, Manifest],
) -> None:
    p, _, _ = built
    copies = p.one(
        "select count(*) from main.messages where platform = 'claude_code' and copies_landed = 2"
    )
    assert copies >= 1
    assert (
        p.one(
            "select count(*) from main.conversations"
            " where platform = 'claude_code' and parent_conversation_id is not null"
        )
        >= 1
    )
    assert p.one("select count(*) from main.messages where is_sidechain") >= 1
    off_path = p.one(
        "select count(*) from main.messages where platform = 'chatgpt' and not is_active_path"
    )
    assert off_path >= 2  # an abandoned prompt and its answer
    assert p.one("select count(*) from main.dead_letter_records") == 0


# --------------------------------------------------------------------------------------------------
# Deterministic, streaming, refuses to overwrite
# --------------------------------------------------------------------------------------------------


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", "7", size=parse_size("300KB"))
    b = generate(tmp_path / "b", "7", size=parse_size("300KB"))
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert a.to_json() == b.to_json()
    extend(tmp_path / "a", new_fraction=0.1, grow_fraction=0.1)
    extend(tmp_path / "b", new_fraction=0.1, grow_fraction=0.1)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    other = generate(tmp_path / "c", "8", size=parse_size("300KB"))
    assert _tree(tmp_path / "c") != _tree(tmp_path / "a")
    assert other.bytes >= 300_000


def test_same_bytes_across_processes(tmp_path: Path) -> None:
    """Nothing depends on the process (hash randomization, the clock): two CLI runs agree."""
    for name, hash_seed in (("a", "1"), ("b", "2")):
        proc = subprocess.run(
            [PYTHON, "-m", "extract", "synth", "--out", str(tmp_path / name), "--size", "200KB"],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_size_is_reached_and_counted(tmp_path: Path) -> None:
    manifest = generate(tmp_path / "c", "7", size=parse_size("1MB"))
    files = [p for p in (tmp_path / "c").rglob("*") if p.is_file() and p.name != "manifest.json"]
    written = sum(p.stat().st_size for p in files)
    assert manifest.bytes == written
    assert manifest.files == len(files)
    assert 1_000_000 <= written < 1_600_000
    assert set(manifest.platforms) == set(WRITERS)


def test_generate_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(SynthError, match="not an empty folder"):
        generate(tmp_path / "x", "7", sessions=1)
    with pytest.raises(SynthError, match="exactly one"):
        generate(tmp_path / "y", "7")
    with pytest.raises(FileNotFoundError, match="not a synth corpus"):
        extend(tmp_path / "x")


@pytest.mark.parametrize(
    ("text", "value"),
    [("100MB", 10**8), ("1GB", 10**9), ("1.5 gb", 1_500_000_000), ("300KB", 300_000)],
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "MB", "12 parsecs", "0MB", "-1GB"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(SynthError):
        parse_size(text)


def test_last_line(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"a":1}\n' + "x" * 200_000 + '\n{"b":2}\n\n')
    assert _last_line(path) == '{"b":2}'
    path.write_text('{"only":1}')
    assert _last_line(path) == '{"only":1}'


def test_cli_synth_and_extend(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "corpus"
    result = runner.invoke(main, ["synth", "--out", str(out), "--sessions", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "claude_code" in result.output and "manifest.json" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == "3"
    assert {n: t["conversations"] for n, t in manifest["platforms"].items()} == dict.fromkeys(
        WRITERS, 1
    )
    result = runner.invoke(main, ["synth", "--out", str(out), "--extend", "100", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert json.loads((out / "manifest.json").read_text())["steps"][-1]["kind"] == "extend"
    result = runner.invoke(main, ["synth", "--out", str(out), "--size", "1MB"])
    assert result.exit_code == 2
    assert "not an empty folder" in result.output
    result = runner.invoke(main, ["synth", "--out", str(tmp_path / "new"), "--size", "lots"])
    assert result.exit_code == 2
    assert "expected a number" in result.output
