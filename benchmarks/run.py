"""Benchmark plazasim on this machine: the Mexico scenario, synthetic scaling, memory.

Why: plazasim claims that a whole Calderón term on all 2,454 municipalities runs
in seconds on a laptop, and that cost grows about linearly with the number of
plazas. This script measures both, in one process, so regressions show up as
numbers instead of impressions. It only measures and reports; it asserts nothing
about timings (machines differ). See benchmarks/README.md for how to read it.

    .venv/bin/python benchmarks/run.py [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from rich.console import Console
from rich.table import Table

from plazasim.experiments.run import resolve_events, resolve_policies, run_scenario
from plazasim.model.engine import simulate, weeks_between
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.scenario import check_against_world, load_scenario
from plazasim.world import build_world
from plazasim.world.synthetic import synthetic_world

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "mexico-2006"
SYNTH_SIZES, QUICK_SIZES = (500, 2_500, 10_000), (500, 2_500)
SYNTH_WEEKS, SYNTH_CARTELS, SYNTH_SEED = 52, 8, 1
SYNTH_START = dt.date(2007, 1, 1)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
    }


def summary(runs: list[float]) -> dict[str, Any]:
    return {"median": round(statistics.median(runs), 4), "runs": [round(r, 4) for r in runs]}


def bench_mexico(repeats: int) -> dict[str, Any]:
    """End-to-end run_scenario, then the same pipeline split into its stages."""
    scenario = load_scenario(SCENARIO)
    t0 = time.perf_counter()
    world = build_world(scenario.world)  # cold: parses the data; cached from now on
    world_cold = time.perf_counter() - t0
    weeks = weeks_between(scenario.scenario.start, scenario.scenario.end)
    totals: list[float] = []
    inner: list[float] = []  # run_scenario's own simulate timing (its manifest wall_time_s)
    builds: list[float] = []
    sims: list[float] = []
    tables: list[float] = []
    for _ in range(repeats):  # interleaved, so machine noise hits both measurements alike
        t0 = time.perf_counter()
        result = run_scenario(load_scenario(SCENARIO))
        totals.append(time.perf_counter() - t0)
        inner.append(float(result.manifest["wall_time_s"]))
        del result
        t0 = time.perf_counter()
        world = build_world(scenario.world)
        check_against_world(scenario, world)
        t1 = time.perf_counter()
        meta = scenario.scenario
        sim = simulate(world, scenario.parameters, start=meta.start, n_weeks=weeks,
                       policies=resolve_policies(scenario),
                       events=resolve_events(scenario, world), seed=meta.seed)
        t2 = time.perf_counter()
        sim.recorder.national_frame(sim.dates)
        sim.recorder.plaza_frame(sim.dates)
        sim.recorder.cartel_frame(sim.dates)
        t3 = time.perf_counter()
        builds.append(t1 - t0)
        sims.append(t2 - t1)
        tables.append(t3 - t2)
        del sim
    sim_median = statistics.median(sims)
    return {
        "scenario": SCENARIO, "plazas": world.n_plazas, "weeks": weeks, "repeats": repeats,
        "world_build_cold_s": round(world_cold, 4),
        "run_scenario_s": summary(totals),
        "simulate_inside_run_scenario_s": summary(inner),
        "world_build_cached_s": summary(builds),
        "simulate_s": summary(sims),
        "tables_s": summary(tables),
        "weeks_per_s": round(weeks / sim_median, 1),
        "ms_per_step": round(1000 * sim_median / weeks, 2),
        "weeks_per_s_end_to_end": round(weeks / statistics.median(totals), 1),
    }


def bench_synthetic(n: int, repeats: int) -> dict[str, Any]:
    """Signaling from week 0 on a synthetic world; world build is not timed."""
    world = synthetic_world(n, seed=SYNTH_SEED, n_cartels=SYNTH_CARTELS)
    params = Parameters()
    sims: list[float] = []
    for _ in range(repeats):
        policies = [(0, make_policy("signaling"))]  # fresh instance: policies may keep state
        t0 = time.perf_counter()
        simulate(world, params, start=SYNTH_START, n_weeks=SYNTH_WEEKS, policies=policies,
                 seed=SYNTH_SEED, record_plazas=True)
        sims.append(time.perf_counter() - t0)
    med = statistics.median(sims)
    return {
        "plazas": n, "cartels": SYNTH_CARTELS, "weeks": SYNTH_WEEKS, "policy": "signaling",
        "repeats": repeats, "simulate_s": summary(sims),
        "weeks_per_s": round(SYNTH_WEEKS / med, 1),
        "ms_per_step": round(1000 * med / SYNTH_WEEKS, 2),
    }


def rows(res: dict[str, Any]) -> list[list[str]]:
    """Table rows shared by the console and markdown output."""
    out: list[list[str]] = []
    mx = res.get("mexico")
    if mx:
        p, w, r = f"{mx['plazas']:,}", str(mx["weeks"]), str(mx["repeats"])
        out += [
            ["mexico world build (cold)", p, "", f"{mx['world_build_cold_s']:.3f}", "", "", "1"],
            ["mexico run_scenario (e2e)", p, w, f"{mx['run_scenario_s']['median']:.3f}",
             f"{mx['weeks_per_s_end_to_end']:.1f}", "", r],
            ["  world (cached) + checks", p, "", f"{mx['world_build_cached_s']['median']:.3f}",
             "", "", r],
            ["  simulate", p, w, f"{mx['simulate_s']['median']:.3f}", f"{mx['weeks_per_s']:.1f}",
             f"{mx['ms_per_step']:.2f}", r],
            ["  output tables", p, "", f"{mx['tables_s']['median']:.3f}", "", "", r],
        ]
    for s in res["synthetic"]:
        out.append(["synthetic simulate", f"{s['plazas']:,}",
                    str(s["weeks"]), f"{s['simulate_s']['median']:.3f}", f"{s['weeks_per_s']:.1f}",
                    f"{s['ms_per_step']:.2f}", str(s["repeats"])])
    return out


HEADERS = ["Benchmark", "Plazas", "Weeks", "Median s", "Weeks/s", "ms/step", "Repeats"]


def notes(res: dict[str, Any]) -> list[str]:
    ratio = res["scaling"]["per_step_ratio_10000_vs_2500"]
    out = [f"Per-step time 10,000 vs 2,500 plazas: {ratio:.2f}x (target <= 5x; 4x = linear)"
           if ratio is not None else "Per-step ratio 10,000 vs 2,500: not measured (--quick)"]
    if res["peak_rss_mb_after_mexico"] is not None:
        out.append(f"Peak RSS after the Mexico runs: {res['peak_rss_mb_after_mexico']:.1f} MB")
    out.append(f"Peak RSS at the end: {res['peak_rss_mb_end']:.1f} MB")
    m = res["machine"]
    out.append(f"Synthetic: signaling from week 0, {SYNTH_CARTELS} cartels, world seed "
               f"{SYNTH_SEED}, world build not timed, record_plazas=True")
    out.append(f"{m['cpu']}, {m['cores']} cores, {m['platform']}, Python {m['python']}, "
               f"numpy {m['numpy']}, scipy {m['scipy']}, {m['date']}, load avg "
               f"{m['load_avg_1m_at_start']} -> {m.get('load_avg_1m_at_end', '?')}")
    return out


def print_table(res: dict[str, Any], console: Console) -> None:
    table = Table(title="plazasim benchmarks" + (" (--quick)" if res["quick"] else ""))
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in rows(res):
        table.add_row(*row)
    console.print(table)
    for line in notes(res):
        console.print(line)


def markdown(res: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    cells = [["↳ " + c.strip() if c.startswith("  ") else c for c in row] for row in rows(res)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines + [""] + [f"- {n}" for n in notes(res)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="synthetic 500 and 2,500 plazas only, 1 repeat (no Mexico run)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench-results" / "bench.json",
                    metavar="FILE", help="JSON output (default bench-results/bench.json); "
                    "the markdown table goes next to it with a .md suffix")
    args = ap.parse_args(argv)
    console = Console()
    repeats = 1 if args.quick else 3
    res: dict[str, Any] = {"machine": machine_info(), "quick": args.quick, "mexico": None,
                           "peak_rss_mb_after_mexico": None}
    if not args.quick:
        with console.status("mexico-2006 ..."):
            res["mexico"] = bench_mexico(repeats)
        res["peak_rss_mb_after_mexico"] = peak_rss_mb()
    res["synthetic"] = []
    for n in QUICK_SIZES if args.quick else SYNTH_SIZES:
        with console.status(f"synthetic {n:,} plazas ..."):
            res["synthetic"].append(bench_synthetic(n, repeats))
    per_step = {s["plazas"]: s["simulate_s"]["median"] / s["weeks"] for s in res["synthetic"]}
    ratio = (round(per_step[10_000] / per_step[2_500], 2)
             if 10_000 in per_step and 2_500 in per_step else None)
    res["scaling"] = {"per_step_ratio_10000_vs_2500": ratio, "target_max": 5.0}
    res["peak_rss_mb_end"] = peak_rss_mb()
    res["machine"]["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    print_table(res, console)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    md = args.json.with_suffix(".md")
    md.write_text(markdown(res), encoding="utf-8")
    console.print(f"wrote {args.json} and {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
