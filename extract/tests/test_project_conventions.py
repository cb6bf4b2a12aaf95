"""Conventions of the dbt project that no adapter checks until it is too late."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
# PostgreSQL truncates identifiers past 63 bytes and dbt refuses to create the relation of a
# unit test whose name is longer; keep a margin for the suffixes dbt adds.
MAX_UNIT_TEST_NAME = 55
# dbt reads YAML with libyaml, which accepts a few plain scalars the pure-Python loader refuses
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def unit_test_names() -> list[tuple[str, str]]:
    names = []
    for path in sorted((REPO_ROOT / "models").rglob("*.yml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}
        for test in doc.get("unit_tests") or []:
            names.append((str(path.relative_to(REPO_ROOT)), test["name"]))
    return names


def test_the_project_has_unit_tests() -> None:
    assert len(unit_test_names()) >= 20


def test_unit_test_names_fit_postgres_identifiers() -> None:
    too_long = [
        f"{path}: {name} ({len(name)})"
        for path, name in unit_test_names()
        if len(name) > MAX_UNIT_TEST_NAME
    ]
    assert not too_long, "unit test names longer than 55 characters:\n" + "\n".join(too_long)
