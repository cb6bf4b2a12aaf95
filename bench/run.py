"""The benchmark: ``make bench`` (``BENCH_SIZE=100MB|1GB|5GB``).

On one generated corpus (``python -m extract synth``) it measures, each step in a fresh process:

1. extract, first run: wall time, MB/s, records/s, peak RSS;
2. dbt build, first run on DuckDB, dbt's start-up (a build that selects nothing) and its fixed cost
   (the whole build over an empty lake);
3. a re-run with nothing new (extract + build); it and the fixed cost are measured ``--repeat``
   times (default 3), interleaved, and their median counts;
4. a re-run after 1% new and 1% grown sessions (extract + build), and the ``usage_daily`` query;
   then the same warehouse rebuilt with ``dbt build --full-refresh`` (what an incremental re-run
   saves; README "Incremental builds");
5. the floor: DuckDB reading the Claude Code JSONL directly (``read_ndjson_objects``, summing the
   tokens); every wall time is also given as a ratio to it;
5b. extract alone over one big JSONL file (``--big-file``, default 1GB: the corpus's Claude Code
   lines repeated into one session file): MB/s and peak RSS, which must not grow with the file;
6. ccusage (``ccusage@20.0.24 daily --json --offline``) over the Claude Code part, when ``npx``
   can run it without the network, beside our 1% refresh plus the ``usage_daily`` query;
7. correctness: the warehouse's totals equal the corpus manifest after every build.

It prints a table and writes ``<results dir>/<UTC date>.json`` (runs of one day are appended).
It is a benchmark, not a test: nothing here asserts a timing. It exits 1 when a warehouse total
differs from the manifest (``--check-only`` skips the floor and ccusage: CI's smoke run).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.synth import Manifest, extend, generate, parse_size  # noqa: E402
from extract.synth.verify import mismatches, warehouse_totals  # noqa: E402

PYTHON = sys.executable
DBT = str(Path(sys.executable).parent / "dbt")
CCUSAGE = "ccusage@20.0.24"
SAMPLE_SECONDS = 0.05


# --------------------------------------------------------------------------------------------------
# Running and measuring a child process
# --------------------------------------------------------------------------------------------------


@dataclass
class Measured:
    wall_s: float
    returncode: int
    peak_rss_mb: float  # the process itself: its VmHWM (Linux), else getrusage of the child
    peak_tree_rss_mb: float  # sampled: the process and all its descendants at once
    stdout: str
    stderr: str


def _tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and every descendant (Linux /proc; 0 where /proc is missing)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def _hwm_kb(pid: int) -> int:
    """VmHWM (peak resident memory) of ``pid`` since its exec (0 where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> Measured:
    """Run ``cmd`` to completion: wall time, exit code, peak RSS (per process and whole tree)."""
    out_path = cwd / "target" / "bench" / ".stdout"
    err_path = cwd / "target" / "bench" / ".stderr"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        peak = hwm = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, hwm
            while not done.is_set():
                peak = max(peak, _tree_rss_kb(proc.pid))
                hwm = max(hwm, _hwm_kb(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        wall_s=wall,
        returncode=proc.returncode,
        # ru_maxrss of a child on Linux is at least this (bench) process's own RSS when it
        # forked it (the pre-exec image counts): the child's VmHWM, sampled, is its own peak
        peak_rss_mb=(hwm or usage.ru_maxrss) / 1024,
        peak_tree_rss_mb=peak / 1024,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def _tail(text: str, n: int = 30) -> str:
    return "\n".join(text.splitlines()[-n:])


# --------------------------------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------------------------------


@dataclass
class Bench:
    work: Path
    corpus: Path
    env: dict[str, str]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    correctness: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lake(self) -> Path:
        return self.work / "lake"

    @property
    def warehouse(self) -> Path:
        return self.work / "warehouse.duckdb"

    def extract(self, step: str, manifest: Manifest) -> dict[str, Any]:
        cmd = [PYTHON, "-m", "extract", "run", "--json", "--lake", str(self.lake)]
        for name, path in manifest.sources.items():
            cmd += ["--platform", name, "--source", f"{name}={self.corpus / path}"]
        m = measure(cmd, self.env)
        if m.returncode != 0:
            raise RuntimeError(f"extract ({step}) failed ({m.returncode}):\n{_tail(m.stderr)}")
        summary = json.loads(m.stdout)
        totals = summary["totals"]
        row = {
            "wall_s": round(m.wall_s, 3),
            "bytes_read": totals["bytes_read"],
            "records": totals["rows_landed"],
            "mb_per_s": round(totals["bytes_read"] / 1e6 / m.wall_s, 2),
            "records_per_s": round(totals["rows_landed"] / m.wall_s, 1),
            "peak_rss_mb": round(m.peak_rss_mb, 1),
            "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
            "files": {k: totals[k] for k in ("new", "grown", "rewritten", "unchanged", "failed")},
            "workers": summary.get("workers"),
        }
        self.steps[step] = row
        return row

    def big_file(self, size: int) -> dict[str, Any]:
        """Extract alone over one JSONL file of ``size`` bytes (then deleted): a single file
        is streamed, so its peak RSS must stay what a small run's is."""
        sources = sorted((self.corpus / "claude_code").rglob("*.jsonl"))
        folder = self.work / "big"
        folder.mkdir(exist_ok=True)
        path = folder / "00000000-0000-4000-8000-000000000000.jsonl"
        written = 0
        with open(path, "wb") as f:  # one source file at a time: this process stays small
            for source in itertools.cycle(sources):
                piece = source.read_bytes()[: size - written]
                piece = piece[: piece.rfind(b"\n") + 1]  # whole lines only
                if not piece:
                    break
                f.write(piece)
                written += len(piece)
                if written >= size:
                    break
        lake = self.work / "big-lake"
        cmd = [PYTHON, "-m", "extract", "run", "--json", "--lake", str(lake)]
        cmd += ["--platform", "claude_code", "--source", f"claude_code={path}"]
        try:
            m = measure(cmd, self.env)
        finally:
            path.unlink()
            shutil.rmtree(lake, ignore_errors=True)
        if m.returncode != 0:
            raise RuntimeError(f"extract (big file) failed ({m.returncode}):\n{_tail(m.stderr)}")
        totals = json.loads(m.stdout)["totals"]
        row = {
            "bytes": written,
            "wall_s": round(m.wall_s, 3),
            "records": totals["rows_landed"],
            "mb_per_s": round(totals["bytes_read"] / 1e6 / m.wall_s, 2),
            "peak_rss_mb": round(m.peak_rss_mb, 1),
            "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
        }
        self.steps["extract_big_file"] = row
        return row

    def fixed_and_nothing_new(self, manifest: Manifest, repeat: int) -> None:
        """dbt's fixed cost and the re-run with nothing new (extract + build), each measured
        ``repeat`` times, interleaved so that a slow spell of the machine weighs on both alike;
        a step's figure is its median sample (back-to-back builds move by 1-3 s on a shared
        virtual machine, as much as the no-change target's whole margin).

        The fixed cost is the whole build (every seed, model and data test) over an empty lake
        into a warehouse of its own, what any build pays whatever the data. It has its own
        target folder (another warehouse path makes dbt parse the project again, which the next
        build of the corpus would then pay) and is measured from its second build on, which
        parses only what changed, as every build but a first does."""
        lake, warehouse = self.work / "empty-lake", self.work / "empty.duckdb"
        m = measure([PYTHON, "-m", "extract", "init", "--quiet", "--lake", str(lake)], self.env)
        if m.returncode != 0:
            raise RuntimeError(f"extract init (empty lake) failed:\n{_tail(m.stderr)}")
        env = {**self.env, "LAKE_URI": str(lake), "WAREHOUSE_PATH": str(warehouse)}
        target = self.work / "dbt-target-empty"
        samples: dict[str, list[dict[str, Any]]] = {
            "dbt_fixed": [],
            "extract_nothing_new": [],
            "dbt_build_nothing_new": [],
        }
        try:
            self.dbt("dbt_fixed_first", env=env, target=target)
            for i in range(repeat):
                samples["dbt_fixed"].append(self.dbt("dbt_fixed", env=env, target=target))
                self._keep_results("dbt_fixed", i)
                samples["extract_nothing_new"].append(self.extract("extract_nothing_new", manifest))
                samples["dbt_build_nothing_new"].append(self.dbt("dbt_build_nothing_new"))
                self._keep_results("dbt_build_nothing_new", i)
        finally:
            shutil.rmtree(lake, ignore_errors=True)
            warehouse.unlink(missing_ok=True)
        for step, rows in samples.items():
            i, row = median_sample(rows)
            self.steps[step] = row
            kept = self.work / f"{step}.{i}.run_results.json"
            if kept.exists():
                shutil.copyfile(kept, self.work / f"{step}.run_results.json")

    def _keep_results(self, step: str, sample: int) -> None:
        path = self.work / f"{step}.run_results.json"
        if path.exists():
            path.replace(self.work / f"{step}.{sample}.run_results.json")

    def dbt(
        self,
        step: str,
        *args: str,
        env: dict[str, str] | None = None,
        target: Path | None = None,
    ) -> dict[str, Any]:
        target = target or self.work / "dbt-target"
        cmd = [
            DBT,
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(self.work / "dbt-logs"),
            *args,
        ]
        m = measure(cmd, env or self.env)
        if m.returncode != 0:
            raise RuntimeError(f"dbt build ({step}) failed ({m.returncode}):\n{_tail(m.stdout)}")
        row = {
            "wall_s": round(m.wall_s, 3),
            "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
            **self.node_seconds(target),
        }
        results = target / "run_results.json"
        if results.exists():  # kept per step, to profile a step afterwards
            shutil.copyfile(results, self.work / f"{step}.run_results.json")
        self.steps[step] = row
        return row

    def node_seconds(self, target: Path) -> dict[str, Any]:
        """From the build's run_results.json: seconds per resource type (summed over dbt's
        threads) and the slowest nodes, to tell what a re-run still spends its time on."""
        path = target / "run_results.json"
        if not path.exists():
            return {}
        results = json.loads(path.read_text())["results"]
        per_type: dict[str, float] = {}
        for r in results:
            kind = r["unique_id"].split(".", 1)[0]
            per_type[kind] = per_type.get(kind, 0.0) + r["execution_time"]
        slowest = sorted(results, key=lambda r: -r["execution_time"])[:8]
        return {
            "node_seconds": {k: round(v, 2) for k, v in sorted(per_type.items())},
            "slowest_nodes": {r["unique_id"]: round(r["execution_time"], 2) for r in slowest},
        }

    def check(self, step: str, manifest: Manifest) -> list[str]:
        problems = mismatches(manifest, warehouse_totals(self.warehouse))
        self.correctness[step] = problems
        return problems

    def usage_daily_query(self) -> dict[str, Any]:
        code = (
            "import duckdb, sys, time; t = time.perf_counter(); "
            "con = duckdb.connect(sys.argv[1], read_only=True); "
            'rows = con.execute("select usage_date, model, sum(input_tokens), sum(output_tokens), '
            "sum(cache_read_tokens), sum(cache_write_tokens), sum(cost) from main.usage_daily "
            "where platform = 'claude_code' group by all order by all\").fetchall(); "
            "print(len(rows))"
        )
        m = measure([PYTHON, "-c", code, str(self.warehouse)], self.env)
        if m.returncode != 0:
            raise RuntimeError(f"usage_daily query failed:\n{_tail(m.stderr)}")
        row = {"wall_s": round(m.wall_s, 3), "days": int(m.stdout.strip() or 0)}
        self.steps["usage_daily_query"] = row
        return row

    def floor(self) -> dict[str, Any]:
        """DuckDB reading the Claude Code JSONL itself: the least any pipeline can cost."""
        glob = str(self.corpus / "claude_code" / "projects" / "**" / "*.jsonl")
        code = (
            'import duckdb, sys; con = duckdb.connect(); print(con.execute("""\n'
            "select count(*), sum(try_cast(json ->> '$.message.usage.input_tokens' as bigint)),\n"
            "  sum(try_cast(json ->> '$.message.usage.output_tokens' as bigint)),\n"
            "  sum(try_cast(json ->> '$.message.usage.cache_read_input_tokens' as bigint)),\n"
            "  sum(try_cast(json ->> '$.message.usage.cache_creation_input_tokens' as bigint))\n"
            'from read_ndjson_objects(?, ignore_errors = true)""", [sys.argv[1]]).fetchone())'
        )
        m = measure([PYTHON, "-c", code, glob], self.env)
        if m.returncode != 0:
            raise RuntimeError(f"the DuckDB floor failed:\n{_tail(m.stderr)}")
        size = sum(p.stat().st_size for p in (self.corpus / "claude_code").rglob("*.jsonl"))
        row = {
            "wall_s": round(m.wall_s, 3),
            "bytes": size,
            "mb_per_s": round(size / 1e6 / m.wall_s, 2),
            "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
            "result": m.stdout.strip(),
        }
        self.steps["floor_duckdb_claude_jsonl"] = row
        return row

    def ccusage(self) -> dict[str, Any]:
        """ccusage's daily report over the Claude Code part, if npx can run it offline."""
        npx = shutil.which("npx")
        row: dict[str, Any] = {"available": False}
        # HOME is the empty bench home: npm's cache (where npx keeps ccusage) stays the user's
        npm_cache = os.environ.get("NPM_CONFIG_CACHE") or str(Path.home() / ".npm")
        npm_env = {**self.env, "NPM_CONFIG_CACHE": npm_cache}
        if npx is None:
            row["reason"] = "npx not found"
        else:
            probe = subprocess.run(
                [npx, "--offline", "--yes", CCUSAGE, "--version"],
                capture_output=True,
                text=True,
                env=npm_env,
                timeout=300,
            )
            if probe.returncode != 0:
                row["reason"] = (
                    f"{CCUSAGE} not in the npx cache (npx --yes {CCUSAGE} once to add it)"
                )
            else:
                env = {
                    **npm_env,
                    "CLAUDE_CONFIG_DIR": str(self.corpus / "claude_code"),
                    "TZ": "UTC",
                }
                m = measure(
                    [npx, "--offline", "--yes", CCUSAGE, "daily", "--json", "--offline"], env
                )
                if m.returncode != 0:
                    row["reason"] = f"ccusage failed ({m.returncode}): {_tail(m.stderr, 5)}"
                else:
                    report = json.loads(m.stdout)
                    totals = report.get("totals", {})
                    row = {
                        "available": True,
                        "version": probe.stdout.strip(),
                        "wall_s": round(m.wall_s, 3),
                        "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
                        "days": len(report.get("daily", [])),
                        "totals": {
                            k: totals.get(k)
                            for k in (
                                "inputTokens",
                                "outputTokens",
                                "cacheCreationTokens",
                                "cacheReadTokens",
                            )
                        },
                    }
        self.steps["ccusage_daily"] = row
        return row


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def _ratio(value: float | None, floor: float | None) -> str:
    if value is None or not floor:
        return ""
    return f"{value / floor:.1f}x"


def median_sample(rows: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The median of a step's samples by wall time (the lower one of an even count), as
    (its index, its row with every sample's wall time in ``samples_s``, in the order taken)."""
    if not rows:
        raise ValueError("no sample")
    order = sorted(range(len(rows)), key=lambda i: rows[i]["wall_s"])
    i = order[(len(rows) - 1) // 2]
    return i, {**rows[i], "samples_s": [r["wall_s"] for r in rows]}


def _samples(step: dict[str, Any]) -> str:
    got = step.get("samples_s") or []
    if len(got) < 2:
        return ""
    return f"median of {len(got)}: " + ", ".join(f"{s:.2f}" for s in got)


def render(result: dict[str, Any]) -> str:
    steps = result["steps"]
    floor = steps.get("floor_duckdb_claude_jsonl", {}).get("wall_s")
    lines = [
        f"benchmark {result['size']} (seed {result['seed']}): corpus {result['corpus_mb']:.1f} MB, "
        f"{result['corpus_files']} files, Claude Code {result['claude_code_mb']:.1f} MB; "
        f"{result['machine']['cpus']} cores, load {result['machine']['load_before']}",
        f"  {'step':<40}{'wall s':>9}{'x floor':>9}  detail",
    ]

    def row(label: str, key: str, detail: str = "") -> None:
        s = steps.get(key)
        if not s or "wall_s" not in s:
            return
        lines.append(f"  {label:<40}{s['wall_s']:>9.2f}{_ratio(s['wall_s'], floor):>9}  {detail}")

    e1 = steps.get("extract_first", {})
    row(
        "extract, first run",
        "extract_first",
        f"{e1.get('mb_per_s', 0)} MB/s, {e1.get('records_per_s', 0):.0f} records/s, "
        f"peak RSS {e1.get('peak_rss_mb', 0)} MB (tree {e1.get('peak_tree_rss_mb', 0)} MB), "
        f"{e1.get('workers')} worker(s)",
    )
    big = steps.get("extract_big_file", {})
    row(
        f"extract, one {big.get('bytes', 0) / 1e9:.1f} GB JSONL file",
        "extract_big_file",
        f"{big.get('mb_per_s', 0)} MB/s, peak RSS {big.get('peak_rss_mb', 0)} MB "
        f"(tree {big.get('peak_tree_rss_mb', 0)} MB)",
    )
    row("dbt build, first run", "dbt_build_first")
    row("dbt start-up (a build selecting nothing)", "dbt_startup")
    fixed = steps.get("dbt_fixed", {})
    row("dbt fixed cost (whole build, empty lake)", "dbt_fixed", _samples(fixed))

    def total(label: str, *keys: str) -> None:
        if all(k in steps for k in keys):
            value = _sum(steps, *keys)
            lines.append(f"  {label:<40}{value:>9.2f}{_ratio(value, floor):>9}")

    total("= extract + build, first run", "extract_first", "dbt_build_first")
    for key, what in (("extract_nothing_new", "extract"), ("dbt_build_nothing_new", "dbt build")):
        row(f"re-run, nothing new: {what}", key, _samples(steps.get(key, {})))
    total("= re-run, nothing new", "extract_nothing_new", "dbt_build_nothing_new")
    e2 = steps.get("extract_one_percent", {})
    row("re-run, 1% new + 1% grown: extract", "extract_one_percent", f"{e2.get('records')} records")
    row("re-run, 1% new + 1% grown: dbt build", "dbt_build_one_percent")
    total("= re-run, 1% new + 1% grown", "extract_one_percent", "dbt_build_one_percent")
    row("usage_daily query", "usage_daily_query")
    row("dbt build --full-refresh (same lake)", "dbt_build_full_refresh")
    total(
        "= 1% refresh + usage_daily query",
        "extract_one_percent",
        "dbt_build_one_percent",
        "usage_daily_query",
    )
    cc = steps.get("ccusage_daily", {})
    if cc.get("available"):
        row("ccusage daily --json --offline", "ccusage_daily", str(cc.get("version")))
    elif cc:
        lines.append(f"  {'ccusage daily':<40}{'n/a':>9}{'':>9}  {cc.get('reason')}")
    f = steps.get("floor_duckdb_claude_jsonl")
    if f:
        row(
            "floor: DuckDB over the Claude Code JSONL",
            "floor_duckdb_claude_jsonl",
            f"{f['mb_per_s']} MB/s",
        )
    lines.extend(render_targets(steps))
    bad = {k: v for k, v in result["correctness"].items() if v}
    checked = ", ".join(result["correctness"])
    lines.append(
        f"  correctness ({checked}): "
        + ("warehouse totals equal the manifest" if not bad else f"MISMATCH {json.dumps(bad)}")
    )
    return "\n".join(lines)


def targets(steps: dict[str, dict[str, Any]]) -> list[tuple[str, float, float, bool]]:
    """Issue 7's targets, as (what, measured, limit, met) for the steps this run has. "dbt's
    fixed start-up" is the fixed cost: the same build over an empty lake (dbt_fixed)."""
    have = steps.keys()
    out: list[tuple[str, float, float, bool]] = []

    def add(what: str, measured: float, limit: float, below: bool = True) -> None:
        out.append(
            (
                what,
                round(measured, 2),
                round(limit, 2),
                measured <= limit if below else measured >= limit,
            )
        )

    e1, fixed = steps.get("extract_first", {}), steps.get("dbt_fixed", {}).get("wall_s")
    if e1:
        add("extract first run MB/s >= 50", e1["mb_per_s"], 50, below=False)
        add("extract peak RSS MB <= 300", e1["peak_tree_rss_mb"], 300)
    if "extract_big_file" in have:
        add(
            "extract of one big file: peak RSS MB <= 300",
            steps["extract_big_file"]["peak_tree_rss_mb"],
            300,
        )
    floor = steps.get("floor_duckdb_claude_jsonl", {}).get("wall_s")
    if floor and {"extract_first", "dbt_build_first"} <= have:
        add(
            "first extract + build / floor <= 3",
            _sum(steps, "extract_first", "dbt_build_first") / floor,
            3,
        )
    if fixed and {"extract_nothing_new", "dbt_build_nothing_new"} <= have:
        add(
            "nothing-new re-run s <= 5% of first extract + dbt fixed",
            _sum(steps, "extract_nothing_new", "dbt_build_nothing_new"),
            0.05 * e1["wall_s"] + fixed,
        )
    if fixed and {"extract_one_percent", "dbt_build_one_percent", "dbt_build_first"} <= have:
        add(
            "1% re-run s <= 10% of first run + dbt fixed",
            _sum(steps, "extract_one_percent", "dbt_build_one_percent"),
            0.1 * _sum(steps, "extract_first", "dbt_build_first") + fixed,
        )
    cc = steps.get("ccusage_daily", {})
    if cc.get("available") and "usage_daily_query" in have:
        add(
            "1% refresh + usage_daily query s < ccusage daily",
            _sum(steps, "extract_one_percent", "dbt_build_one_percent", "usage_daily_query"),
            cc["wall_s"],
        )
    return out


def render_targets(steps: dict[str, dict[str, Any]]) -> list[str]:
    rows = targets(steps)
    if not rows:
        return []
    lines = [f"  {'target':<58}{'measured':>10}{'limit':>10}"]
    for what, measured, limit, met in rows:
        lines.append(f"  {what:<58}{measured:>10.2f}{limit:>10.2f}  {'met' if met else 'MISSED'}")
    return lines


def _sum(steps: dict[str, dict[str, Any]], *keys: str) -> float:
    return sum(steps.get(k, {}).get("wall_s", 0) for k in keys)


def write_result(results_dir: Path, result: dict[str, Any]) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['started_at'][:10]}.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    runs.append(result)
    path.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    return path


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def run(
    size_text: str,
    seed: str,
    work: Path,
    *,
    check_only: bool,
    big_file: str = "0",
    repeat: int = 3,
) -> dict[str, Any]:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    home = work / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),  # no platform's default folders: only the corpus is read
        "LAKE_URI": str(work / "lake"),
        "WAREHOUSE_PATH": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": str(REPO),
    }
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    corpus = work / "corpus"
    t = time.perf_counter()
    manifest = generate(corpus, seed, size=parse_size(size_text))
    synth_s = time.perf_counter() - t
    b = Bench(work=work, corpus=corpus, env=env)
    b.steps["synth"] = {"wall_s": round(synth_s, 3), "bytes": manifest.bytes}

    b.extract("extract_first", manifest)
    b.dbt("dbt_build_first")
    b.check("first_build", manifest)
    if not check_only:
        b.dbt("dbt_startup", "--select", "tag:bench_selects_nothing")
        b.fixed_and_nothing_new(manifest, repeat)
        b.check("nothing_new", manifest)
    t = time.perf_counter()
    manifest = extend(corpus, new_fraction=0.01, grow_fraction=0.01)
    b.steps["synth_extend"] = {
        "wall_s": round(time.perf_counter() - t, 3),
        "step": manifest.steps[-1],
    }
    b.extract("extract_one_percent", manifest)
    b.dbt("dbt_build_one_percent")
    b.check("one_percent", manifest)
    if not check_only:
        b.usage_daily_query()
        b.dbt("dbt_build_full_refresh", "--full-refresh")
        b.check("full_refresh", manifest)
        b.floor()
        if big_file != "0":
            b.big_file(parse_size(big_file))
        cc = b.ccusage()
        if cc["available"]:
            # what ccusage reports beside the exact figures (it is the peer, not the reference)
            ours = manifest.platforms["claude_code"]
            cc["minus_manifest"] = {
                "inputTokens": cc["totals"]["inputTokens"] - (ours.input_tokens or 0),
                "outputTokens": cc["totals"]["outputTokens"] - (ours.output_tokens or 0),
                "cacheCreationTokens": cc["totals"]["cacheCreationTokens"]
                - (ours.cache_write_tokens or 0),
                "cacheReadTokens": cc["totals"]["cacheReadTokens"] - (ours.cache_read_tokens or 0),
            }
    return {
        "size": size_text,
        "seed": seed,
        "started_at": started.isoformat(timespec="seconds"),
        "check_only": check_only,
        "repeat": repeat,
        "corpus_mb": round(manifest.bytes / 1e6, 2),
        "corpus_files": manifest.files,
        "claude_code_mb": round(manifest.platforms["claude_code"].bytes / 1e6, 2),
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": round(load_before, 2) if load_before is not None else None,
            "load_after": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
        },
        "manifest": manifest.to_json()["platforms"],
        "steps": b.steps,
        "targets": [
            {"target": what, "measured": measured, "limit": limit, "met": met}
            for what, measured, limit, met in targets(b.steps)
        ],
        "correctness": b.correctness,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100MB", help="corpus size (100MB, 1GB, 5GB, …)")
    parser.add_argument("--seed", default="7")
    parser.add_argument("--work", type=Path, default=REPO / "target" / "bench" / "run")
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="only extract, build, extend, rebuild and compare with the manifest (CI smoke)",
    )
    parser.add_argument(
        "--big-file",
        default="1GB",
        help="extract alone over one JSONL file of this size (0: skip; not with --check-only)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="samples of dbt's fixed cost and of the nothing-new re-run (their median counts)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        result = run(
            args.size,
            args.seed,
            args.work,
            check_only=args.check_only,
            big_file=args.big_file,
            repeat=args.repeat,
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(result))
    path = write_result(args.results_dir, result)
    print(f"results: {path}")
    return 1 if any(result["correctness"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
