"""The benchmark (bench/run.py) in CI: its smallest run goes end to end, first build and 1% re-run
incremental, and the warehouse totals equal the corpus manifest. No timing is asserted here; the
targets' arithmetic is checked on given figures."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO_ROOT / "bench" / "run.py")
    assert spec and spec.loader
    module = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def test_the_smallest_benchmark_run_matches_its_manifest(tmp_path: Path) -> None:
    results = tmp_path / "results"
    proc = subprocess.run(
        [
            *(sys.executable, "bench/run.py", "--size", "1MB", "--check-only"),
            *("--work", str(tmp_path / "work"), "--results-dir", str(results)),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "warehouse totals equal the manifest" in proc.stdout
    (path,) = results.glob("*.json")
    (run,) = json.loads(path.read_text())["runs"]
    assert run["correctness"] == {"first_build": [], "one_percent": []}
    one_percent = run["steps"]["extract_one_percent"]
    assert one_percent["records"] > 0 and one_percent["files"]["unchanged"] > 0


def test_the_targets_are_computed_from_the_steps() -> None:
    steps = {
        "extract_first": {"wall_s": 20.0, "mb_per_s": 60.0, "peak_tree_rss_mb": 200.0},
        "dbt_build_first": {"wall_s": 100.0},
        "dbt_fixed": {"wall_s": 30.0},
        "extract_nothing_new": {"wall_s": 1.0},
        "dbt_build_nothing_new": {"wall_s": 29.0},
        "extract_one_percent": {"wall_s": 2.0},
        "dbt_build_one_percent": {"wall_s": 50.0},
        "usage_daily_query": {"wall_s": 0.5},
        "floor_duckdb_claude_jsonl": {"wall_s": 10.0},
        "ccusage_daily": {"available": True, "wall_s": 60.0},
    }
    got = {what: (measured, limit, met) for what, measured, limit, met in _bench().targets(steps)}
    assert got["extract first run MB/s >= 50"] == (60.0, 50, True)
    assert got["extract peak RSS MB <= 300"] == (200.0, 300, True)
    assert got["first extract + build / floor <= 3"] == (12.0, 3, False)
    # 1 + 29 s against 5% of 20 s + 30 s; 2 + 50 s against 10% of 120 s + 30 s
    assert got["nothing-new re-run s <= 5% of first extract + dbt fixed"] == (30.0, 31.0, True)
    assert got["1% re-run s <= 10% of first run + dbt fixed"] == (52.0, 42.0, False)
    assert got["1% refresh + usage_daily query s < ccusage daily"] == (52.5, 60.0, True)
    assert len(_bench().render_targets(steps)) == 1 + len(got)


def test_a_run_without_the_timed_steps_has_no_targets_to_judge() -> None:
    assert _bench().targets({}) == []


def test_a_repeated_step_counts_its_median_sample() -> None:
    bench = _bench()
    rows = [{"wall_s": 24.1, "n": 0}, {"wall_s": 27.4, "n": 1}, {"wall_s": 22.9, "n": 2}]
    assert bench.median_sample(rows) == (
        0,
        {"wall_s": 24.1, "n": 0, "samples_s": [24.1, 27.4, 22.9]},
    )
    # an even count takes the lower of the two middle samples; one sample is its own median
    assert bench.median_sample(rows[1:])[0] == 1  # 22.9 s
    assert bench.median_sample(rows[:1]) == (0, {"wall_s": 24.1, "n": 0, "samples_s": [24.1]})
    result = {
        "size": "1GB",
        "seed": "7",
        "corpus_mb": 1.0,
        "corpus_files": 1,
        "claude_code_mb": 1.0,
        "machine": {"cpus": 2, "load_before": 0.1},
        "steps": {"dbt_fixed": bench.median_sample(rows)[1]},
        "correctness": {},
    }
    assert "median of 3: 24.10, 27.40, 22.90" in bench.render(result)
