"""What each registered platform is (``python -m extract platforms``) and the README blocks
generated from it, so that the README's platform tables cannot drift from the registry.

The registry (``extract/platforms/__init__.py``) is the one list of platforms. Generated from it,
between ``BEGIN generated: <name>`` / ``END generated: <name>`` comment markers:

* the README's platform tables (``python -m extract platforms --write-readme README.md``);
* dbt's ``unified_platforms`` var in ``dbt_project.yml``, which ``macros/union_platforms.sql``
  unions over (``python -m extract platforms --write-dbt dbt_project.yml``): each platform's
  staging models and its own seeds;
* the index of ``examples/README.md``: each platform's example logs and the ``README.md`` in its
  example folder with their expected figures (``--write-examples examples/README.md``).

``make platforms`` runs all three; ``extract/tests/test_plugin.py`` fails when a file is not what
the registry generates, so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from extract.platforms import REGISTRY
from extract.platforms.base import UNIFIED_FIELDS, Platform

SYSTEMS = ("any", "linux", "macos", "windows")


def describe(platform: Platform) -> dict[str, Any]:
    """One platform's metadata as plain data (the ``--json`` output of ``extract platforms``)."""
    return {
        "name": platform.name,
        "extractor_version": platform.extractor_version,
        "formats": list(platform.formats),
        "format_versions": list(platform.version_prefixes),
        "fills": {field: field in platform.fills for field in UNIFIED_FIELDS},
        "default_locations": platform.default_locations(),
        "locations_summary": platform.locations_summary,
        "record_time": platform.time_doc,
        "record_session": platform.session_doc,
    }


def catalog(registry: Mapping[str, Platform] | None = None) -> list[dict[str, Any]]:
    registry = REGISTRY if registry is None else registry
    return [describe(p) for p in registry.values()]


def _versions(entry: Mapping[str, Any]) -> str:
    prefixes = entry["format_versions"]
    return ", ".join(f"{p.rstrip('.-')}.x" if p[-1:] == "." else f"{p}…" for p in prefixes) or "-"


def render_text(entries: list[dict[str, Any]]) -> str:
    """The terminal rendering: a capability matrix, then each platform in detail."""
    header = ["platform", "extractor", "format versions", *UNIFIED_FIELDS]
    rows = [
        [
            e["name"],
            e["extractor_version"],
            _versions(e),
            *("yes" if e["fills"][f] else "-" for f in UNIFIED_FIELDS),
        ]
        for e in entries
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    for e in entries:
        lines += ["", f"{e['name']} (extractor {e['extractor_version']})"]
        lines += [f"  format: {fmt}" for fmt in e["formats"]]
        locations = e["default_locations"]
        if not locations:
            lines.append("  default locations: none (only --source)")
        for system in SYSTEMS:
            for path in locations.get(system, []):
                lines.append(f"  default location ({system}): {path}")
        lines.append(f"  --since/--until by: {e['record_time']}")
        lines.append(f"  --session by: {e['record_session']}")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_blocks(entries: list[dict[str, Any]]) -> dict[str, str]:
    """The README's generated blocks, by name."""
    where = ["| platform | where `extract` looks |", "|---|---|"]
    where += [f"| `{e['name']}` | {_cell(e['locations_summary'])} |" for e in entries]
    fills = [
        "| platform | extractor | format versions | "
        + " | ".join(f.replace("_", " ") for f in UNIFIED_FIELDS)
        + " |",
        "|---|---|---|" + "---|" * len(UNIFIED_FIELDS),
    ]
    fills += [
        f"| `{e['name']}` | {e['extractor_version']} | {_versions(e)} | "
        + " | ".join("yes" if e["fills"][f] else "-" for f in UNIFIED_FIELDS)
        + " |"
        for e in entries
    ]
    options = ["| platform | `--since` / `--until` go by | `--session` matches |", "|---|---|---|"]
    options += [
        f"| `{e['name']}` | {_cell(e['record_time'])} | {_cell(e['record_session'])} |"
        for e in entries
    ]
    return {
        "platform-locations": "\n".join(where),
        "platform-fields": "\n".join(fills),
        "platform-options": "\n".join(options),
    }


_BLOCK = re.compile(
    r"(?P<open>(?:<!--|#) BEGIN generated: (?P<name>[a-z-]+)[^\n]*\n)(?P<body>.*?)"
    r"(?P<close>[ \t]*(?:<!--|#) END generated: (?P=name)\b)",
    re.DOTALL,
)


def rewrite_blocks(text: str, blocks: Mapping[str, str]) -> str:
    """``text`` with its generated blocks (``<!-- BEGIN generated: <name> … -->`` … ``<!-- END
    generated: <name> -->``, or the same with ``#`` comments in YAML) replaced by ``blocks``;
    raises ``ValueError`` when a block of ``blocks`` has no markers, or ``text`` has a block
    ``blocks`` does not name."""
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in blocks:
            raise ValueError(f"unknown generated block {name!r}")
        seen.add(name)
        return f"{match.group('open')}{blocks[name]}\n{match.group('close')}"

    out = _BLOCK.sub(replace, text)
    missing = sorted(set(blocks) - seen)
    if missing:
        raise ValueError(f"no generated block markers for {', '.join(missing)}")
    return out


def dbt_blocks(registry: Mapping[str, Platform] | None = None) -> dict[str, str]:
    """dbt_project.yml's generated block: the var the unified layer unions over."""
    registry = REGISTRY if registry is None else registry
    names = ", ".join(f'"{name}"' for name in registry)
    return {"unified-platforms": f"  unified_platforms: [{names}]"}


def examples_blocks(registry: Mapping[str, Platform] | None = None) -> dict[str, str]:
    """examples/README.md's generated block: each platform's example logs and its folder's
    README.md (what the files exercise, the expected figures), linked relative to examples/."""
    registry = REGISTRY if registry is None else registry
    lines = [
        "| platform | example logs | what they exercise, expected figures |",
        "|---|---|---|",
    ]
    for name, platform in registry.items():
        root = PurePosixPath(platform.example_root(Path()).as_posix())
        readme = f"{example_folder(platform)}/README.md"
        lines.append(f"| `{name}` | [`{root}/`]({root}/) | [`{readme}`]({readme}) |")
    return {"example-folders": "\n".join(lines)}


def example_folder(platform: Platform) -> str:
    """The folder of ``examples/`` that holds a platform's example logs and their README.md."""
    return platform.example_root(Path()).parts[0]


def _rewrite(path: Path, blocks: Mapping[str, str]) -> bool:
    text = path.read_text(encoding="utf-8")
    new = rewrite_blocks(text, blocks)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def write_dbt_project(path: Path, registry: Mapping[str, Platform] | None = None) -> bool:
    """Rewrite dbt_project.yml's ``unified_platforms`` from the registry; True when it changed."""
    return _rewrite(path, dbt_blocks(registry))


def write_readme(path: Path, registry: Mapping[str, Platform] | None = None) -> bool:
    """Rewrite the generated blocks of ``path``; True when it changed."""
    return _rewrite(path, markdown_blocks(catalog(registry)))


def write_examples_readme(path: Path, registry: Mapping[str, Platform] | None = None) -> bool:
    """Rewrite the generated index of examples/README.md from the registry; True when it changed."""
    return _rewrite(path, examples_blocks(registry))
