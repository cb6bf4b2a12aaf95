"""A platform is a plug-in: the registry is the one list of platforms, every registered platform
brings its own files (fixtures, staging folder, docs, examples with expected figures), and adding
one touches the registry and its own files, nothing else (the README tables and dbt's
``unified_platforms`` are generated from the registry)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from extract import catalog
from extract.platforms import REGISTRY
from extract.platforms.base import UNIFIED_FIELDS
from extract.runner import run_extract
from extract.tests.plugin_example.plainchat import PlainChat

from .conftest import FIXTURES, REPO_ROOT, rows
from .test_end_to_end import DBT, _tail, query

EXAMPLES = REPO_ROOT / "examples"
STAGING = REPO_ROOT / "models" / "staging"
PLUGIN = Path(__file__).parent / "plugin_example"
UNIFIED_MODELS = ("messages", "content_blocks", "summaries", "dead_letters")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}


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


def test_known_format_versions_seed_is_each_platforms_version_prefixes() -> None:
    with (REPO_ROOT / "seeds" / "known_format_versions.csv").open(encoding="utf-8") as f:
        seed = [(r["platform"], r["version_prefix"]) for r in csv.DictReader(f)]
    declared = [(p.name, prefix) for p in REGISTRY.values() for prefix in p.version_prefixes]
    assert sorted(seed) == sorted(declared)


# ------------------------------------------------------------------------------------------------
# what every registered platform must bring
# ------------------------------------------------------------------------------------------------


def _raw_source_tables() -> set[str]:
    tables = set()
    for path in STAGING.rglob("_*__sources.yml"):
        for source in _yaml(path).get("sources") or []:
            if source.get("name") == "raw":
                tables |= {t["name"] for t in source.get("tables") or []}
    return tables


def _examples_sections() -> list[tuple[str, str]]:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return [(part.split("\n", 1)[0], part) for part in parts]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registered_platform_has_fixtures(name: str) -> None:
    platform = REGISTRY[name]
    paths = platform.fixture_paths(FIXTURES)
    assert paths and all(p.exists() for p in paths), f"{name}: no fixtures at {paths}"
    found = [f for p in paths for f in platform.discover(p)]
    assert found, f"{name}: its fixtures hold none of its source files"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registered_platform_has_a_staging_folder(name: str) -> None:
    folder = STAGING / name
    assert (folder / "base" / f"base_{name}__records.sql").is_file()
    for entity in UNIFIED_MODELS:
        assert (folder / f"stg_{name}__{entity}.sql").is_file(), f"{name}: no stg_{name}__{entity}"
    assert name in _raw_source_tables(), f"{name}: no raw.{name} source table"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registered_platform_is_documented(name: str) -> None:
    platform = REGISTRY[name]
    module = __import__(type(platform).__module__, fromlist=["_"])
    assert (module.__doc__ or "").strip(), f"{name}: its module has no docstring"
    assert platform.formats and platform.locations_summary, f"{name}: no formats / locations"
    assert platform.fills <= set(UNIFIED_FIELDS)
    described = {}
    for path in (STAGING / name).glob("_*.yml"):
        for model in _yaml(path).get("models") or []:
            described[model["name"]] = (model.get("description") or "").strip()
    for entity in UNIFIED_MODELS:
        assert described.get(f"stg_{name}__{entity}"), f"{name}: stg_{name}__{entity} undocumented"
    with (REPO_ROOT / "seeds" / "role_mapping.csv").open(encoding="utf-8") as f:
        assert any(r["platform"] == name for r in csv.DictReader(f)), f"{name}: no role_mapping"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registered_platform_has_examples_with_expected_figures(name: str) -> None:
    platform = REGISTRY[name]
    root = platform.example_root(EXAMPLES)
    assert list(platform.discover(root)), f"{name}: no example logs under {root}"
    folder = root.relative_to(EXAMPLES).parts[0]
    sections = [body for heading, body in _examples_sections() if f"`{folder}/" in heading]
    assert sections, f"{name}: examples/README.md has no section on `{folder}/`"
    assert any("Expected figures" in body for body in sections), (
        f"{name}: its examples/README.md section has no expected figures"
    )


# ------------------------------------------------------------------------------------------------
# a new platform end to end: the registry and its own files, nothing else
# ------------------------------------------------------------------------------------------------

PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "macros", "models", "seeds", "tests")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "target" not in p.parts and "logs" not in p.parts
    }


@pytest.fixture
def with_plainchat(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The registry with PlainChat registered after the real platforms."""
    registry = {**REGISTRY, "plainchat": PlainChat()}
    monkeypatch.setattr("extract.platforms.REGISTRY", registry)
    for module in ("extract.runner", "extract.cli", "extract.catalog", "extract.sources"):
        monkeypatch.setattr(f"{module}.REGISTRY", registry)
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


def test_a_new_platform_touches_only_the_registry_and_its_own_files(
    with_plainchat, tmp_path: Path
) -> None:
    """Copy the dbt project, add PlainChat's staging folder, regenerate from the registry, build:
    its messages reach the marts. The only shared edits are the generated block of
    dbt_project.yml and PlainChat's rows in the role_mapping seed (data, not code)."""
    work = tmp_path / "project"
    for name in PROJECT_FILES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name)
        else:
            work.mkdir(exist_ok=True)
            shutil.copy(src, work / name)
    before = _tree(work)

    shutil.copytree(PLUGIN / "staging" / "plainchat", work / "models" / "staging" / "plainchat")
    assert catalog.write_dbt_project(work / "dbt_project.yml", with_plainchat)
    with (work / "seeds" / "role_mapping.csv").open("a", encoding="utf-8") as f:
        f.write("plainchat,user,user,A PlainChat user line\n")
        f.write("plainchat,assistant,assistant,A PlainChat assistant line\n")

    after = _tree(work)
    changed = sorted(k for k in before if before[k] != after.get(k))
    added = sorted(set(after) - set(before))
    assert changed == ["dbt_project.yml", "seeds/role_mapping.csv"]
    assert all(k.startswith("models/staging/plainchat/") for k in added)
    old, new = before["dbt_project.yml"].decode(), after["dbt_project.yml"].decode()
    assert new == old.replace('"openai_api"]', '"openai_api", "plainchat"]')
    assert after["seeds/role_mapping.csv"].startswith(before["seeds/role_mapping.csv"])

    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    run_extract(
        lake_uri=str(lake),
        platforms=["plainchat"],
        sources={"plainchat": [PLUGIN / "fixtures" / "plainchat"]},
    )
    env = {
        **os.environ,
        "LAKE_URI": str(lake),
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for args in (
        ["seed", "--select", "role_mapping", "model_pricing", "model_aliases"],
        ["run", "--select", "+messages", "+conversations", "+dead_letter_records"],
    ):
        proc = subprocess.run(
            [DBT, *args, "--profiles-dir", "."],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, f"dbt {args[0]} failed:\n{_tail(proc.stdout)}"
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
