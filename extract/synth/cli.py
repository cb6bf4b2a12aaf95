"""``python -m extract synth``: write a synthetic corpus (or extend one) and its manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from extract.synth.corpus import SynthError, extend, generate, parse_size
from extract.synth.manifest import MANIFEST_NAME, Manifest


def _render(manifest: Manifest, out: Path) -> str:
    size = f"{manifest.bytes / 1e6:.1f} MB"
    lines = [f"corpus {out}: {manifest.files} files, {size} (seed {manifest.seed})"]
    lines.append(f"  {'platform':<13}{'convs':>8}{'messages':>10}{'tools':>8}{'MB':>9}")
    for name, t in sorted(manifest.platforms.items()):
        mb = t.bytes / 1e6
        lines.append(f"  {name:<13}{t.conversations:>8}{t.messages:>10}{t.tool_calls:>8}{mb:>9.1f}")
    lines.append(f"  exact totals: {out / MANIFEST_NAME}")
    return "\n".join(lines)


@click.command("synth")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write (missing or empty), or the corpus to extend with --extend.",
)
@click.option("--size", "size_text", metavar="SIZE", help="Write until this much: 100MB, 1GB, …")
@click.option(
    "--sessions",
    type=click.IntRange(min=1),
    help="Write this many conversations of every platform.",
)
@click.option("--seed", default="7", show_default=True, help="Same seed, same bytes.")
@click.option(
    "--extend",
    "extend_percent",
    type=click.FloatRange(min=0, min_open=True, max=100),
    metavar="PERCENT",
    help="Add PERCENT new conversations to the corpus at --out and grow PERCENT in place.",
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def synth(
    out: Path,
    size_text: str | None,
    sessions: int | None,
    seed: str,
    extend_percent: float | None,
    quiet: bool,
) -> None:
    """Write a synthetic corpus of assistant logs in every platform's real on-disk layout, with
    manifest.json: the exact totals (conversations, messages, tool calls, tokens per platform) a
    correct warehouse built from it must show."""
    try:
        if extend_percent is not None:
            if size_text or sessions:
                raise SynthError("--extend adds to an existing corpus: no --size or --sessions")
            manifest = extend(
                out, new_fraction=extend_percent / 100, grow_fraction=extend_percent / 100
            )
        else:
            size = parse_size(size_text) if size_text else None
            manifest = generate(out, seed, size=size, sessions=sessions)
    except (SynthError, FileNotFoundError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(_render(manifest, out))
