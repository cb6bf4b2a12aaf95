"""A platform is a plug-in: the registry is the one list of platforms, every registered platform
brings its own files (fixtures, staging folder, seeds, docs, examples with expected figures), and
adding one touches the registry and its own files, nothing else (the README tables, dbt's
``unified_platforms`` and the examples index are generated from the registry).

The checks of what a platform must bring (``*_problems``) take a project root, so that the same
checks run on this project for every registered platform and on a copy with PlainChat added
(``extract/tests/plugin_example/``, the worked example of CONTRIBUTING.md)."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from extract import catalog
from extract.platforms import REGISTRY, Platform
from extract.platforms.base import UNIFIED_FIELDS
from extract.runner import run_extract
from extract.tests.plugin_example.plainchat import PlainChat

from .conftest import REPO_ROOT, rows
from .test_end_to_end import DBT, _tail, query

PLUGIN = Path(__file__).parent / "plugin_example"
UNIFIED_MODELS = ("messages", "content_blocks", "summaries", "dead_letters")
# each platform's own seeds (seeds/platforms/<platform>/<platform>__<seed>.csv) and their columns
PLATFORM_SEEDS = {
    "role_mapping": ["platform", "native_role", "role", "description"],
    "known_format_versions": ["platform", "version_prefix", "format_notes"],
}
# an examples README names the test that checks its expected figures end to end
END_TO_END_TEST = re.compile(r"`(extract/tests/test_\w+\.py)`")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# the modules that read the registry at call time (patched when a test registers PlainChat)
REGISTRY_READERS = ("extract.runner", "extract.cli", "extract.catalog", "extract.sources")


def _yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}


# ------------------------------------------------------------------------------------------------
# what every registered platform must bring: each check lists what is missing under a project root
# ------------------------------------------------------------------------------------------------


def fixture_problems(name: str, platform: Platform, root: Path) -> list[str]:
    paths = platform.fixture_paths(root / "extract" / "tests" / "fixtures")
    if not paths or not all(p.exists() for p in paths):
        return [f"{name}: no fixtures at {[str(p.relative_to(root)) for p in paths]}"]
    if not [f for p in paths for f in platform.discover(p)]:
        return [f"{name}: its fixtures hold none of its source files"]
    return []


def _raw_source_tables(root: Path) -> set[str]:
    tables = set()
    for path in (root / "models" / "staging").rglob("_*__sources.yml"):
        for source in _yaml(path).get("sources") or []:
            if source.get("name") == "raw":
                tables |= {t["name"] for t in source.get("tables") or []}
    return tables


def staging_problems(name: str, platform: Platform, root: Path) -> list[str]:
    folder = root / "models" / "staging" / name
    wanted = [folder / "base" / f"base_{name}__records.sql"]
    wanted += [folder / f"stg_{name}__{entity}.sql" for entity in UNIFIED_MODELS]
    problems = [f"{name}: no {p.relative_to(root)}" for p in wanted if not p.is_file()]
    if name not in _raw_source_tables(root):
        problems.append(f"{name}: no raw.{name} source table")
    return problems


def doc_problems(name: str, platform: Platform, root: Path) -> list[str]:
    problems = []
    module = sys.modules[type(platform).__module__]
    if not (module.__doc__ or "").strip():
        problems.append(f"{name}: its module has no docstring")
    if not (platform.formats and platform.locations_summary):
        problems.append(f"{name}: no formats / locations")
    if not platform.fills <= set(UNIFIED_FIELDS):
        unknown = sorted(platform.fills - set(UNIFIED_FIELDS))
        problems.append(f"{name}: fills {unknown}, which are not unified fields")
    described = {}
    for path in (root / "models" / "staging" / name).glob("_*.yml"):
        for model in _yaml(path).get("models") or []:
            described[model["name"]] = (model.get("description") or "").strip()
    problems += [
        f"{name}: stg_{name}__{entity} undocumented"
        for entity in UNIFIED_MODELS
        if not described.get(f"stg_{name}__{entity}")
    ]
    return problems


def seed_problems(name: str, platform: Platform, root: Path) -> list[str]:
    """Its own seeds: the role mapping (a row at least), the known format versions (exactly its
    module's ``version_prefixes``; header only when none), rows of this platform only, and their
    YAML (every column described, every column text)."""
    folder = root / "seeds" / "platforms" / name
    problems = []
    seed_rows: dict[str, list[dict[str, str]]] = {}
    for seed, columns in PLATFORM_SEEDS.items():
        path = folder / f"{name}__{seed}.csv"
        if not path.is_file():
            problems.append(f"{name}: no {path.relative_to(root)}")
            continue
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            seed_rows[seed] = list(reader)
            if reader.fieldnames != columns:
                header = reader.fieldnames
                problems.append(f"{name}: {path.name} has columns {header}, not {columns}")
        others = sorted({r.get("platform") or "" for r in seed_rows[seed]} - {name})
        if others:
            problems.append(f"{name}: {path.name} has rows of other platforms: {others}")
    if "role_mapping" in seed_rows and not seed_rows["role_mapping"]:
        problems.append(f"{name}: {name}__role_mapping.csv maps no role")
    if "known_format_versions" in seed_rows:
        prefixes = sorted(r["version_prefix"] for r in seed_rows["known_format_versions"])
        if prefixes != sorted(platform.version_prefixes):
            problems.append(
                f"{name}: {name}__known_format_versions.csv lists {prefixes}, its module's"
                f" version_prefixes are {sorted(platform.version_prefixes)}"
            )
    spec = folder / f"_{name}__seeds.yml"
    if not spec.is_file():
        return [*problems, f"{name}: no {spec.relative_to(root)}"]
    declared = {s["name"]: s for s in _yaml(spec).get("seeds") or []}
    for seed, columns in PLATFORM_SEEDS.items():
        entry = declared.get(f"{name}__{seed}")
        if entry is None:
            problems.append(f"{name}: {spec.name} does not declare {name}__{seed}")
            continue
        described = {c["name"]: c.get("description") for c in entry.get("columns") or []}
        types = (entry.get("config") or {}).get("column_types") or {}
        if not entry.get("description") or [c for c in columns if not described.get(c)]:
            problems.append(f"{name}: {name}__{seed} or a column of it is not described")
        if {c: types.get(c) for c in columns} != dict.fromkeys(columns, "varchar"):
            problems.append(f"{name}: {name}__{seed} column_types must make every column varchar")
    return problems


def example_problems(name: str, platform: Platform, root: Path) -> list[str]:
    """Example logs, and beside them a README.md whose "Expected figures" name the test that
    checks them end to end (a test of this repository that reads that README)."""
    examples = root / "examples"
    problems = []
    if not list(platform.discover(platform.example_root(examples))):
        problems.append(f"{name}: no example logs under {platform.example_root(examples)}")
    folder = catalog.example_folder(platform)
    readme = examples / folder / "README.md"
    if not readme.is_file():
        return [*problems, f"{name}: no examples/{folder}/README.md"]
    sections = re.split(r"^## ", readme.read_text(encoding="utf-8"), flags=re.MULTILINE)
    figures = [s for s in sections[1:] if s.startswith("Expected figures")]
    if not figures:
        return [*problems, f"{name}: examples/{folder}/README.md has no ## Expected figures"]
    tests = END_TO_END_TEST.findall(figures[0])
    if not tests:
        problems.append(f"{name}: its Expected figures name no end-to-end test (extract/tests/…)")
    for test in tests:
        path = REPO_ROOT / test
        if not path.is_file() or f"examples/{folder}/README.md" not in path.read_text("utf-8"):
            problems.append(f"{name}: {test} does not exist or does not read examples/{folder}")
    return problems


CHECKS: dict[str, Callable[[str, Platform, Path], list[str]]] = {
    "fixtures": fixture_problems,
    "staging": staging_problems,
    "docs": doc_problems,
    "seeds": seed_problems,
    "examples": example_problems,
}


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", list(REGISTRY))
def test_registered_platform_brings_its_own_files(name: str, check: str) -> None:
    assert CHECKS[check](name, REGISTRY[name], REPO_ROOT) == []


def test_platform_seeds_are_only_the_registered_platforms() -> None:
    """A seed folder of a platform that is not registered would be left out of the union."""
    folders = {p.name for p in (REPO_ROOT / "seeds" / "platforms").iterdir() if p.is_dir()}
    assert folders == set(REGISTRY)


# ------------------------------------------------------------------------------------------------
# generated from the registry
# ------------------------------------------------------------------------------------------------


def test_dbt_unified_platforms_is_the_registry() -> None:
    project = REPO_ROOT / "dbt_project.yml"
    assert _yaml(project)["vars"]["unified_platforms"] == list(REGISTRY), (
        "dbt_project.yml's unified_platforms differs from the registry: run `make platforms`"
    )
    text = project.read_text(encoding="utf-8")
    assert catalog.rewrite_blocks(text, catalog.dbt_blocks()) == text


def test_readme_platform_tables_are_generated_from_the_registry() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    expected = catalog.rewrite_blocks(readme, catalog.markdown_blocks(catalog.catalog()))
    assert readme == expected, "README's platform tables are stale: run `make platforms`"
    for name in REGISTRY:
        assert f"| `{name}` |" in readme


def test_examples_index_is_generated_from_the_registry() -> None:
    readme = (REPO_ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    expected = catalog.rewrite_blocks(readme, catalog.examples_blocks())
    assert readme == expected, "examples/README.md's index is stale: run `make platforms`"
    for name, platform in REGISTRY.items():
        folder = catalog.example_folder(platform)
        assert f"| `{name}` |" in readme and f"]({folder}/README.md) |" in readme


def test_rewrite_blocks() -> None:
    text = "a\n<!-- BEGIN generated: x (how) -->\nold\n<!-- END generated: x -->\nb\n"
    assert catalog.rewrite_blocks(text, {"x": "new"}) == text.replace("old", "new")
    yml = "v:\n  # BEGIN generated: y\n  k: 1\n  # END generated: y\n"
    assert catalog.rewrite_blocks(yml, {"y": "  k: 2"}) == yml.replace("k: 1", "k: 2")
    with pytest.raises(ValueError, match="no generated block markers for z"):
        catalog.rewrite_blocks(text, {"x": "new", "z": "?"})
    with pytest.raises(ValueError, match="unknown generated block 'x'"):
        catalog.rewrite_blocks(text, {})


def test_platforms_command(invoke) -> None:
    result = invoke("platforms", "--json")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert [e["name"] for e in entries] == list(REGISTRY)
    for e in entries:
        assert set(e["fills"]) == set(UNIFIED_FIELDS)
        assert e["extractor_version"] and e["formats"] and e["record_time"], e["name"]
    claude = entries[0]
    assert claude["default_locations"]["any"] == ["~/.claude/projects"]
    assert claude["format_versions"] == ["1.0.", "2.0.", "2.1."]
    assert entries[list(REGISTRY).index("openai_api")]["default_locations"] == {}
    copilot = entries[list(REGISTRY).index("copilot_chat")]["default_locations"]
    assert "%APPDATA%/Code" in copilot["windows"]
    assert "~/Library/Application Support/Code" in copilot["macos"]
    text = invoke("platforms").stdout
    assert "claude_code (extractor 1)" in text and "--session by:" in text
    markdown = invoke("platforms", "--markdown").stdout
    assert "| platform | where `extract` looks |" in markdown


# ------------------------------------------------------------------------------------------------
# a new platform end to end: the registry and its own files, nothing else
# ------------------------------------------------------------------------------------------------

# what the test copies of this project: everything a platform could have to touch
PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "README.md",
    "macros",
    "models",
    "seeds",
    "tests",
    "analyses",
    "examples",
    "extract/platforms",
    "extract/tests/fixtures",
)
# PlainChat's own files (under extract/tests/plugin_example/) and where each goes in the project
PLAINCHAT_FILES = {
    "plainchat.py": "extract/platforms/plainchat.py",
    "fixtures/plainchat": "extract/tests/fixtures/plainchat",
    "staging/plainchat": "models/staging/plainchat",
    "seeds/plainchat": "seeds/platforms/plainchat",
    "examples/plainchat": "examples/plainchat",
}
REGISTRY_FILE = "extract/platforms/__init__.py"
# what `make platforms` writes
GENERATED_FILES = ("README.md", "dbt_project.yml", "examples/README.md")
SKIPPED_PARTS = {"target", "logs", "__pycache__"}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not SKIPPED_PARTS & set(p.relative_to(root).parts)
    }


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*SKIPPED_PARTS))
    else:
        shutil.copy(src, dst)


def _register_plainchat(init: Path) -> None:
    """The registry edit CONTRIBUTING.md describes: import PlainChat, add it to REGISTRY."""
    text = init.read_text(encoding="utf-8")
    edited = text.replace(
        "from extract.platforms.roo_code import RooCode\n",
        "from extract.platforms.plainchat import PlainChat\n"
        "from extract.platforms.roo_code import RooCode\n",
    ).replace("        OpenAIApi(),\n", "        OpenAIApi(),\n        PlainChat(),\n")
    assert edited.count("PlainChat") == 2, "the registry no longer looks as this test expects"
    init.write_text(edited, encoding="utf-8")


def _load_registry(work: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Platform]:
    """The REGISTRY of the copy's edited registry file, its PlainChat imported from the copy."""
    spec = importlib.util.spec_from_file_location(
        "extract.platforms.plainchat", work / PLAINCHAT_FILES["plainchat.py"]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "extract.platforms.plainchat", module)
    spec.loader.exec_module(module)
    namespace: dict[str, Any] = {"__name__": "extract.platforms"}
    source = (work / REGISTRY_FILE).read_text(encoding="utf-8")
    exec(compile(source, str(work / REGISTRY_FILE), "exec"), namespace)
    return namespace["REGISTRY"]


def _use_registry(monkeypatch: pytest.MonkeyPatch, registry: Mapping[str, Platform]) -> None:
    monkeypatch.setattr("extract.platforms.REGISTRY", registry)
    for module in REGISTRY_READERS:
        monkeypatch.setattr(f"{module}.REGISTRY", registry)


@pytest.fixture
def with_plainchat(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The registry with PlainChat registered after the real platforms."""
    registry = {**REGISTRY, "plainchat": PlainChat()}
    _use_registry(monkeypatch, registry)
    return registry


def test_a_new_platform_lands_and_is_listed(with_plainchat, tmp_path: Path, invoke) -> None:
    lake = tmp_path / "lake"
    summary = run_extract(
        lake_uri=str(lake),
        platforms=["plainchat"],
        sources={"plainchat": [PLUGIN / "fixtures" / "plainchat"]},
    )
    assert summary.totals.rows_landed == 7
    assert {r["platform"] for r in rows(lake)} == {"plainchat"}
    assert (lake / "raw" / "platform=plainchat" / "_empty.parquet").exists()
    listed = json.loads(invoke("platforms", "--json").stdout)
    assert listed[-1]["name"] == "plainchat" and listed[-1]["fills"]["tokens"]
    fixtures = PLUGIN / "fixtures" / "plainchat"
    checked = invoke("sources", "--json", "--source", f"plainchat={fixtures}")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["platforms"][-1]["files"] == 2


def _dbt(work: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DBT, *args, "--profiles-dir", "."],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_a_new_platform_touches_only_the_registry_and_its_own_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, invoke
) -> None:
    """Copy the project, register PlainChat (the registry file), add its own files, run what
    `make platforms` runs: the only changed files are the registry and the generated ones, every
    other file is PlainChat's own, it passes every check a registered platform must, and its
    example logs reach the marts with the figures its examples README gives."""
    work = tmp_path / "project"
    for name in PROJECT_FILES:
        _copy(REPO_ROOT / name, work / name)
    before = _tree(work)

    # its module, registered: every check fails until its other files are there
    _copy(PLUGIN / "plainchat.py", work / PLAINCHAT_FILES["plainchat.py"])
    _register_plainchat(work / REGISTRY_FILE)
    registry = _load_registry(work, monkeypatch)
    assert list(registry) == [*REGISTRY, "plainchat"]
    plainchat = registry["plainchat"]
    missing = {check: CHECKS[check]("plainchat", plainchat, work) for check in CHECKS}
    assert all(missing.values()), f"a check passes without PlainChat's files: {missing}"

    for src, dst in PLAINCHAT_FILES.items():
        if src != "plainchat.py":
            _copy(PLUGIN / src, work / dst)
    _use_registry(monkeypatch, registry)
    generated = invoke(
        "platforms",
        *("--write-readme", str(work / "README.md")),
        *("--write-dbt", str(work / "dbt_project.yml")),
        *("--write-examples", str(work / "examples" / "README.md")),
    )
    assert generated.exit_code == 0, generated.output
    passed = {check: CHECKS[check]("plainchat", plainchat, work) for check in CHECKS}
    assert passed == {check: [] for check in CHECKS}

    after = _tree(work)
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert changed == sorted([*GENERATED_FILES, REGISTRY_FILE])
    own_files = {_moved(k) for k in _tree(PLUGIN) if k != "__init__.py"}
    assert set(after) - set(before) == own_files
    old, new = before["dbt_project.yml"].decode(), after["dbt_project.yml"].decode()
    assert new == old.replace('"openai_api"]', '"openai_api", "plainchat"]')
    for path, word in (("README.md", "plainchat"), ("examples/README.md", "plainchat")):
        added = [line for line in after[path].decode().splitlines() if word in line]
        kept = [line for line in after[path].decode().splitlines() if word not in line]
        assert kept == before[path].decode().splitlines() and added, path
    registry_lines = after[REGISTRY_FILE].decode().splitlines()
    assert [line for line in registry_lines if "PlainChat" not in line] == (
        before[REGISTRY_FILE].decode().splitlines()
    )

    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    run_extract(
        lake_uri=str(lake),
        platforms=["plainchat"],
        sources={"plainchat": [plainchat.example_root(work / "examples")]},
    )
    env = {
        **os.environ,
        "LAKE_URI": str(lake),
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    marts = ["+messages", "+conversations", "+dead_letter_records", "+source_format_versions"]
    for args in (["seed"], ["run", "--select", *marts]):
        proc = _dbt(work, env, *args)
        assert proc.returncode == 0, f"dbt {args[0]} failed:\n{_tail(proc.stdout)}"
    # examples/plainchat/README.md, Expected figures
    messages = query(
        warehouse,
        "select m.role, count(*), sum(m.input_tokens), sum(m.output_tokens) from messages m"
        " join conversations c using (conversation_id) where c.platform = 'plainchat'"
        " group by 1 order by 1",
    )
    assert messages == [("assistant", 3, 50, 8), ("user", 3, None, None)]
    conversations = query(
        warehouse, "select count(*) from conversations where platform = 'plainchat'"
    )
    assert conversations == [(2,)]
    dead = query(warehouse, "select reason from dead_letter_records where platform = 'plainchat'")
    assert dead == [("not valid JSON",)]
    roles = query(
        warehouse,
        "select native_role, role from int_role_mappings_unioned where platform = 'plainchat'"
        " order by 1",
    )
    assert roles == [("assistant", "assistant"), ("user", "user")]
    versions = query(
        warehouse,
        "select source_version, is_known_version, records from source_format_versions"
        " where platform = 'plainchat'",
    )
    assert versions == [(None, True, 7)]

    # a registered platform without one of its seeds: dbt stops, naming the seed
    (work / "seeds" / "platforms" / "plainchat" / "plainchat__known_format_versions.csv").unlink()
    proc = _dbt(work, env, "parse", "--no-partial-parse")
    assert proc.returncode != 0
    assert "depends on a node named 'plainchat__known_format_versions'" in proc.stdout, _tail(
        proc.stdout
    )


def _moved(plugin_path: str) -> str:
    """Where a file of plugin_example/ goes in the project (PLAINCHAT_FILES)."""
    for src, dst in PLAINCHAT_FILES.items():
        if plugin_path == src or plugin_path.startswith(src + "/"):
            return dst + plugin_path[len(src) :]
    raise AssertionError(f"{plugin_path} is not one of PlainChat's files")
