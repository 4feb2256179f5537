"""Benchmark plazasim on this machine: against the Mesa model, the Mexico run, memory, scaling.

Why: plazasim claims to be much faster than an agent-based Mesa model of the same
rules, to run a whole Calderón term on all 2,454 municipalities in seconds, and
to cost about linearly more per step as plazas grow. This script measures those
claims side by side in one process (peak memory in a fresh subprocess), so
regressions show up as numbers instead of impressions. It only measures and
reports; it asserts nothing about timings (machines differ). See
benchmarks/README.md for what each number means.

    .venv/bin/python benchmarks/run.py [--quick] [--no-mesa] [--profile] [--json FILE]

The helpers live next to this file: _speed.py (plazasim alone), _mesa_side.py
(plazasim vs Mesa), _profile.py (pyinstrument), _report.py (targets, tables).
"""

# ruff: noqa: E402 (the thread limit below must be set before numpy is first imported)
from __future__ import annotations

import os

# The targets say "on one core". simulate limits BLAS itself (threadpoolctl); this also
# keeps the Mesa model and the rest of the harness off OpenBLAS's extra threads. It must
# be set before numpy is first imported; a value you export wins.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ.setdefault(_var, "1")

import argparse
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import load_1m, machine_info, peak_rss_mb
from _floor import per_week_floor
from _mesa_side import bench_scenario, bench_speedup, load_mesa_model
from _report import markdown, print_all, targets
from _speed import bench_memory, bench_mexico, bench_scaling, warm_up
from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Plan:
    """How much to run: the full plan, or --quick for a check that the harness works."""

    repeats: int = 3
    mexico_mesa_weeks: int = 104  # the first 2 simulated years
    mesa_sizes: tuple[int, ...] = (500, 2_500, 10_000)
    synth_mesa_weeks: int = 52
    scaling_plazas: tuple[int, ...] = (500, 1_000, 2_500, 5_000, 10_000)
    scaling_cartels: tuple[int, ...] = (2, 4, 8, 16, 24)
    scaling_weeks: int = 52


QUICK = Plan(
    repeats=1,
    mexico_mesa_weeks=8,
    mesa_sizes=(500, 2_500),
    synth_mesa_weeks=8,
    scaling_plazas=(500, 1_000, 2_500),
    scaling_cartels=(2, 8, 24),
    scaling_weeks=13,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--json",
        type=Path,
        default=ROOT / "bench-results" / "bench.json",
        metavar="FILE",
        help="JSON output (default bench-results/bench.json); the "
        "markdown summary goes next to it with a .md suffix",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="1 repeat, fewer weeks and sizes: checks the harness in about a minute",
    )
    ap.add_argument("--no-mesa", action="store_true", help="skip the Mesa side")
    ap.add_argument(
        "--mesa-budget",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds the Mesa run on Mexico may take (default 600; each synthetic "
        "world gets a fifth); fewer weeks are used if it would not fit",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also profile one full mexico-2006 simulate with pyinstrument "
        "(profile.txt and profile.html next to the JSON)",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICK if args.quick else Plan()
    console = Console()
    budget = min(args.mesa_budget, 60.0) if args.quick else args.mesa_budget
    res: dict[str, Any] = {
        "machine": machine_info(),
        "quick": args.quick,
        "plan": plan.__dict__ | {"mesa_budget_s": budget},
    }
    res["machine"]["threads"] = {var: os.environ[var] for var in THREAD_VARS}
    load = res["machine"]["load_avg_1m"]

    def status(text: str) -> Any:
        console.log(text)
        return console.status(text)

    if args.no_mesa:
        mesa, why = None, "--no-mesa"
    else:
        mesa, why = load_mesa_model()
    if mesa is None:
        console.print(f"[yellow]Skipping the Mesa side: {why}[/yellow]")
    res["mesa"] = (
        {"skipped": why}
        if mesa is None
        else {"skipped": None, "module": str(Path(mesa.__file__).resolve())}
    )
    if args.profile and importlib.util.find_spec("pyinstrument") is None:
        console.print(
            "[yellow]--profile needs pyinstrument (the `bench` extra); "
            "skipping the profile[/yellow]"
        )
        args.profile = False

    with status("warm-up"):
        res["warm_up_s"] = warm_up()
    with status("mexico-2006 full run, with events"):
        res["mexico"] = bench_mexico(plan.repeats)
    res["mexico_full_run_s"] = res["mexico"]["simulate_s"]["median"]
    res["weeks_per_s"] = res["mexico"]["weeks_per_s"]
    load["after_mexico"] = load_1m()
    with status("peak memory of one run_scenario, in a fresh process"):
        res["memory"] = bench_memory()
    res["peak_rss_mb"] = res["memory"]["peak_rss_mb"]
    with status("scaling with plazas and cartels"):
        res["scaling"] = bench_scaling(
            list(plan.scaling_plazas),
            list(plan.scaling_cartels),
            2_500,
            plan.scaling_weeks,
            plan.repeats,
        )
    load["after_scaling"] = load_1m()
    res["speedup_vs_mesa"] = bench_speedup(
        mesa,
        list(plan.mesa_sizes),
        plan.mexico_mesa_weeks,
        plan.synth_mesa_weeks,
        budget,
        budget / 5,
        plan.repeats,
        status,
    )
    load["after_mesa"] = load_1m()
    with status("per-week floor: Dijkstra time and calls per week, Mexico, 104 weeks"):
        mexico_row = res["speedup_vs_mesa"].get("mexico") or {}
        mesa_week = mexico_row.get("mesa_s_per_week")
        res["per_week_floor"] = per_week_floor(
            bench_scenario(mesa),
            plan.mexico_mesa_weeks,
            plan.repeats,
            None if mesa_week is None else 1000 * mesa_week,
        )
    res["profile"] = None
    if args.profile:
        with status("profiling one full mexico-2006 simulate"):
            res["profile"] = profile_section(args.json.parent)
    res["harness_peak_rss_mb"] = peak_rss_mb()
    load["end"] = load_1m()
    res["targets"] = targets(res)
    first = (
        "machine",
        "targets",
        "speedup_vs_mesa",
        "mexico_full_run_s",
        "weeks_per_s",
        "peak_rss_mb",
        "scaling",
    )
    res = {k: res[k] for k in first} | {k: v for k, v in res.items() if k not in first}

    print_all(res, console)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    md = args.json.with_suffix(".md")
    md.write_text(markdown(res), encoding="utf-8")
    console.print(f"wrote {args.json} and {md}")
    return 0


def profile_section(out_dir: Path) -> dict[str, Any]:
    """The profile, or the error that stopped it: a broken profile must not lose the numbers."""
    from _profile import profile_mexico

    try:
        return profile_mexico(out_dir)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


if __name__ == "__main__":
    sys.exit(main())
