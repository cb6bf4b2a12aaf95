"""Every part of the dbt project is described, and the docs page shows the lineage.

``dbt parse`` writes ``manifest.json``; :func:`undocumented` lists what in it has no description:
models, seeds, snapshots and analyses and their columns, sources and their tables and columns,
macros and their declared arguments (an adapter's ``<adapter>__<name>`` implementation is
covered by the description of the macro that dispatches to it), singular data tests, unit tests,
exposures, and the marts' groups and access. With a ``catalog.json`` (``dbt docs generate`` over a
built warehouse) it also lists columns a relation has that its YAML does not describe.
test_reports.py runs that catalog check and builds the static page over the examples warehouse.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extract.tests.test_end_to_end import DBT, REPO_ROOT, _tail

PROJECT = "ai_conversations"
ADAPTER_IMPLEMENTATION = re.compile(r"^(default|duckdb|postgres|spark)__(?P<name>.+)$")
DESCRIBED_NODES = ("model", "seed", "snapshot", "analysis")


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def undocumented(manifest: dict[str, Any], catalog: dict[str, Any] | None = None) -> list[str]:
    """What in this project's manifest (and catalog) has no description, one line each."""
    missing: list[str] = []
    ours = {k: n for k, n in manifest["nodes"].items() if n.get("package_name") == PROJECT}
    for node in ours.values():
        kind = node["resource_type"]
        if kind in DESCRIBED_NODES:
            if _blank(node.get("description")):
                missing.append(f"{kind} {node['name']}")
            missing += [
                f"{kind} column {node['name']}.{column}"
                for column, spec in node.get("columns", {}).items()
                if _blank(spec.get("description"))
            ]
        elif kind == "test" and not node.get("test_metadata") and _blank(node.get("description")):
            # a singular data test (tests/*.sql); generic ones are described by their definition
            missing.append(f"data test {node['name']}")
    for source in manifest["sources"].values():
        if source.get("package_name") != PROJECT:
            continue
        name = f"{source['source_name']}.{source['name']}"
        if _blank(source.get("source_description")):
            missing.append(f"source {source['source_name']}")
        if _blank(source.get("description")):
            missing.append(f"source table {name}")
        missing += [
            f"source column {name}.{column}"
            for column, spec in source.get("columns", {}).items()
            if _blank(spec.get("description"))
        ]
    macros = {m["name"]: m for m in manifest["macros"].values() if m["package_name"] == PROJECT}
    for macro in macros.values():
        implementation = ADAPTER_IMPLEMENTATION.match(macro["name"])
        dispatcher = macros.get(implementation["name"]) if implementation else None
        if _blank(macro.get("description")) and not (
            dispatcher and not _blank(dispatcher.get("description"))
        ):
            missing.append(f"macro {macro['name']}")
        missing += [
            f"macro argument {macro['name']}.{argument['name']}"
            for argument in macro.get("arguments", [])
            if _blank(argument.get("description"))
        ]
    for test in manifest.get("unit_tests", {}).values():
        if test.get("package_name") == PROJECT and _blank(test.get("description")):
            missing.append(f"unit test {test['name']}")
    for exposure in manifest.get("exposures", {}).values():
        if exposure.get("package_name") == PROJECT and _blank(exposure.get("description")):
            missing.append(f"exposure {exposure['name']}")
    for group in manifest.get("groups", {}).values():
        if group.get("package_name") == PROJECT and _blank(group.get("description")):
            missing.append(f"group {group['name']}")
    if catalog is not None:
        missing += _undescribed_catalog_columns(ours, catalog)
    return missing


def _undescribed_catalog_columns(
    nodes: dict[str, dict[str, Any]], catalog: dict[str, Any]
) -> list[str]:
    """Columns a built relation has that its YAML does not list (so nothing describes them)."""
    missing = []
    for unique_id, entry in catalog["nodes"].items():
        node = nodes.get(unique_id)
        if node is None or node["resource_type"] not in DESCRIBED_NODES:
            continue
        described = {c.lower() for c in node.get("columns", {})}
        missing += [
            f"{node['resource_type']} column {node['name']}.{column} (in the warehouse only)"
            for column in entry["columns"]
            if column.lower() not in described
        ]
    return missing


def mart_access_problems(manifest: dict[str, Any]) -> list[str]:
    """Marts are public and in a group; every other model is protected."""
    problems = []
    for node in manifest["nodes"].values():
        if node.get("package_name") != PROJECT or node["resource_type"] != "model":
            continue
        is_mart = node["original_file_path"].startswith("models/marts/")
        access = node.get("access")
        if is_mart and (access != "public" or not node.get("group")):
            problems.append(f"mart {node['name']}: access {access}, group {node.get('group')}")
        if not is_mart and access != "protected":
            problems.append(f"model {node['name']}: access {access} (want protected)")
    return problems


def dbt_parse(target_path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [DBT, "parse", "--profiles-dir", ".", "--target-path", str(target_path), "--quiet"],
        cwd=REPO_ROOT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"dbt parse failed:\n{_tail(proc.stdout)}\n{proc.stderr}"
    return json.loads((target_path / "manifest.json").read_text())


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return dbt_parse(tmp_path_factory.mktemp("docs") / "target")


def test_everything_is_described(manifest: dict[str, Any]) -> None:
    missing = undocumented(manifest)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_check_sees_what_it_checks(manifest: dict[str, Any]) -> None:
    """The manifest holds every kind the check reads (a renamed key would pass it silently)."""
    kinds = {n["resource_type"] for n in manifest["nodes"].values()}
    assert {"model", "seed", "analysis", "test"} <= kinds
    assert manifest["sources"] and manifest["unit_tests"] and manifest["exposures"]
    assert manifest["groups"]
    ours = [m for m in manifest["macros"].values() if m["package_name"] == PROJECT]
    assert len(ours) > 50
    # and it does catch a missing description
    model = next(n for n in manifest["nodes"].values() if n["name"] == "usage_blocks")
    column = next(iter(model["columns"]))
    broken = json.loads(json.dumps(manifest))
    broken["nodes"][model["unique_id"]]["columns"][column]["description"] = " "
    assert undocumented(broken) == [f"model column usage_blocks.{column}"]


def test_marts_are_public_in_groups_the_rest_protected(manifest: dict[str, Any]) -> None:
    assert mart_access_problems(manifest) == []


def test_exposures_cover_the_report_marts(manifest: dict[str, Any]) -> None:
    reports = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
        and n["original_file_path"].startswith("models/marts/reports/")
    }
    exposed = {
        dep.split(".")[-1]
        for exposure in manifest["exposures"].values()
        for dep in exposure["depends_on"]["nodes"]
    }
    assert reports and reports <= exposed


def test_lineage_reads_from_raw_to_marts(manifest: dict[str, Any]) -> None:
    """Every mart descends from a raw source through staging (and intermediate) models."""
    parents = manifest["parent_map"]
    by_id = {**manifest["nodes"], **manifest["sources"]}

    def ancestors(unique_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [unique_id]
        while stack:
            for parent in parents.get(stack.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["original_file_path"].startswith(
            "models/marts/"
        ):
            continue
        layers = {
            by_id[a]["original_file_path"].split("/")[1]
            for a in ancestors(node["unique_id"])
            if a in by_id and by_id[a]["resource_type"] in ("model", "source")
        }
        assert {"staging", "intermediate"} <= layers, (node["name"], layers)
