"""Check that the Mesa model (benchmarks/mesa_model.py) follows plazasim's rules.

Two checks, on the comparison scenario (``mexico-2006`` without its events, see
``mesa_model.bench_scenario``):

1. **Deterministic, week by week.** Both implementations run with every random
   draw replaced by a fixed value (``mesa_model.MeanDraws``: Poisson counts are
   their expectation, uniforms a constant ``u``). Same rules then give the same
   numbers, up to floating-point rounding, week after week; the first week where a
   national series differs by more than ``1e-6`` (relative) names the phase to
   look at. ``u = 0.5`` is the median draw; ``u = 0.02`` makes most attacks,
   violent postures and leaks happen, which exercises conflict and
   enforcement.
2. **Statistical, over seeds.** The two use different random streams, so
   their runs are compared as distributions over seeds: national homicides
   (total over the period), cocaine delivered (total) and cartels alive at the
   end, plus diagnostics (cartel-related homicides, operations, disputed
   plazas). For each: median and 5-95% range of both, the two-sample
   Kolmogorov-Smirnov statistic and p-value (``scipy.stats.ks_2samp``), and
   whether they are consistent at the 5% level.

    .venv/bin/python benchmarks/check_equivalence.py [--seeds 20] [--weeks N] [--json FILE]

Defaults: 20 seeds (1-20), the whole scenario (318 weeks), 2 worker processes;
about 3 minutes on a 2-core machine (benchmarks/README.md has the numbers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mesa_model import MeanDraws, bench_policies, bench_scenario, run_mesa
from rich.console import Console
from rich.table import Table
from scipy.stats import ks_2samp

from plazasim.model.engine import Event, simulate, weeks_between
from plazasim.model.params import Parameters
from plazasim.policies.base import Policy
from plazasim.scenario import Scenario, with_overrides
from plazasim.world import World, build_world

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "bench-results" / "equivalence.json"
#: Required outcomes (the issue) first, then diagnostics.
METRICS = {
    "homicides_total": "national homicides, total over the period (persons)",
    "cocaine_delivered_t": "cocaine delivered to the US, total (t)",
    "active_cartels_end": "cartels alive at the end",
    "homicides_cartel_related": "cartel + state + bystander homicides, total (persons)",
    "operations": "enforcement operations, total",
    "plazas_disputed_mean": "disputed plazas, weekly mean",
}
REQUIRED = ("homicides_total", "cocaine_delivered_t", "active_cartels_end")
DETERMINISTIC_COLUMNS = (
    "cocaine_entered_t",
    "cocaine_delivered_t",
    "cocaine_seized_t",
    "cocaine_stock_t",
    "revenue_usd",
    "laundered_usd",
    "members",
    "homicides_cartel",
    "homicides_state",
    "homicides_bystander",
    "homicides_baseline",
    "operations",
    "plazas_disputed",
    "active_cartels",
    "members_deployed",
    "front_cells",
)


def metrics_of(national: pd.DataFrame) -> dict[str, float]:
    """The compared outcomes of one run's national table."""
    related = national[["homicides_cartel", "homicides_state", "homicides_bystander"]]
    return {
        "homicides_total": float(national["homicides_total"].sum()),
        "cocaine_delivered_t": float(national["cocaine_delivered_t"].sum()),
        "active_cartels_end": float(national["active_cartels"].iloc[-1]),
        "homicides_cartel_related": float(related.to_numpy().sum()),
        "operations": float(national["operations"].sum()),
        "plazas_disputed_mean": float(national["plazas_disputed"].mean()),
    }


def scenario_for(policy: str | None) -> Scenario:
    """The bench scenario, or with its timeline replaced by ``policy`` from the start."""
    scenario = bench_scenario()
    return scenario if policy is None else with_overrides(scenario, policy=policy)


def one_run(impl: str, seed: int, weeks: int, policy: str | None = None) -> dict[str, Any]:
    """One seeded run of ``impl`` ("plazasim" or "mesa") on the bench scenario."""
    scenario = scenario_for(policy)
    world = build_world(scenario.world)
    start = scenario.scenario.start
    t0 = time.perf_counter()
    if impl == "plazasim":
        sim = simulate(
            world,
            scenario.parameters,
            start=start,
            n_weeks=weeks,
            policies=bench_policies(scenario),
            seed=seed,
            record_plazas=False,
        )
        national = sim.recorder.national_frame(sim.dates)
    else:
        national = run_mesa(
            world,
            scenario.parameters,
            start=start,
            n_weeks=weeks,
            policies=bench_policies(scenario),
            seed=seed,
        )
    wall = time.perf_counter() - t0
    return {"impl": impl, "seed": seed, "wall_s": round(wall, 3), **metrics_of(national)}


def plazasim_with_draws(
    world: World,
    params: Parameters,
    start: dt.date,
    n_weeks: int,
    policies: Sequence[tuple[int, Policy]],
    draws: MeanDraws,
    events: Sequence[tuple[int, Event]] = (),
) -> pd.DataFrame:
    """plazasim's engine with one fixed-draw generator for every phase (and ``events``,
    none by default: the Mesa model carries out only rivalries, alliances and incursions)."""
    sim = simulate(
        world,
        params,
        start=start,
        n_weeks=n_weeks,
        policies=policies,
        events=events,
        record_plazas=False,
        draws=lambda week: draws,
    )  # type: ignore[arg-type,return-value]
    return sim.recorder.national_frame(sim.dates)


def deterministic_check(weeks: int, u: float, policy: str | None = None) -> dict[str, Any]:
    """Both implementations with fixed draws: relative differences week by week."""
    scenario = scenario_for(policy)
    world = build_world(scenario.world)
    start, params = scenario.scenario.start, scenario.parameters
    ref = plazasim_with_draws(world, params, start, weeks, bench_policies(scenario), MeanDraws(u))
    t0 = time.perf_counter()
    mesa = run_mesa(
        world,
        params,
        start=start,
        n_weeks=weeks,
        policies=bench_policies(scenario),
        seed=0,
        debug_rng=MeanDraws(u),
    )
    wall = time.perf_counter() - t0
    diffs = {}
    first_bad = None
    for col in DETERMINISTIC_COLUMNS:
        a, b = ref[col].to_numpy(float), mesa[col].to_numpy(float)
        rel = np.abs(b - a) / np.maximum(np.abs(a), 1e-6)  # floor: stock is ~0 after shipping
        diffs[col] = float(rel.max())
        bad = np.flatnonzero(rel > 1e-6)
        if bad.size and (first_bad is None or bad[0] < first_bad[0]):
            first_bad = (int(bad[0]), col)
    return {
        "u": u,
        "weeks": weeks,
        "mesa_s_per_week": round(wall / weeks, 4),
        "max_rel_diff": diffs,
        "first_week_differing": first_bad,
        "week0_cocaine_delivered_t": {
            "plazasim": float(ref["cocaine_delivered_t"][0]),
            "mesa": float(mesa["cocaine_delivered_t"][0]),
        },
        "totals": {
            col: {"plazasim": float(ref[col].sum()), "mesa": float(mesa[col].sum())}
            for col in ("homicides_cartel", "operations", "plazas_disputed")
        },
    }


def compare(runs: list[dict[str, Any]], alpha: float = 0.05) -> list[dict[str, Any]]:
    """Per metric: both distributions, the KS test, and the verdict."""
    out = []
    for metric, label in METRICS.items():
        values = {
            impl: np.array([r[metric] for r in runs if r["impl"] == impl])
            for impl in ("plazasim", "mesa")
        }
        ks = ks_2samp(values["plazasim"], values["mesa"])
        row: dict[str, Any] = {"metric": metric, "label": label, "required": metric in REQUIRED}
        for impl, v in values.items():
            row[impl] = {
                "median": float(np.median(v)),
                "p5": float(np.percentile(v, 5)),
                "p95": float(np.percentile(v, 95)),
                "n": int(v.size),
            }
        row.update(
            ks_statistic=float(ks.statistic),
            p_value=float(ks.pvalue),
            consistent=bool(ks.pvalue >= alpha),
        )
        out.append(row)
    return out


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def print_report(
    console: Console, det: list[dict[str, Any]], rows: list[dict[str, Any]], title: str
) -> None:
    for d in det:
        first = d["first_week_differing"]
        where = "none" if first is None else f"week {first[0]} ({first[1]})"
        worst = max(d["max_rel_diff"].values())
        console.print(
            f"deterministic draws u={d['u']}: {d['weeks']} weeks, largest relative "
            f"difference {worst:.1e}, first week differing by >1e-6: {where}"
        )
    table = Table(title=title)
    for col in ("metric", "plazasim", "Mesa", "KS D", "p", "consistent (5%)"):
        table.add_column(col)
    for r in rows:
        a, b = r["plazasim"], r["mesa"]
        name = r["metric"] + ("" if r["required"] else " (diagnostic)")
        table.add_row(
            name,
            f"{_fmt(a['median'])} [{_fmt(a['p5'])}, {_fmt(a['p95'])}]",
            f"{_fmt(b['median'])} [{_fmt(b['p5'])}, {_fmt(b['p95'])}]",
            f"{r['ks_statistic']:.2f}",
            f"{r['p_value']:.2f}",
            "yes" if r["consistent"] else "NO",
        )
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    scenario = bench_scenario()
    full = weeks_between(scenario.scenario.start, scenario.scenario.end)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 1..N per implementation")
    parser.add_argument(
        "--weeks",
        type=int,
        default=full,
        help=f"weeks from the scenario start (default: all {full})",
    )
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--deterministic-weeks",
        type=int,
        default=52,
        help="weeks of the fixed-draw check (0 skips it)",
    )
    parser.add_argument(
        "--policy",
        default=None,
        help="replace the timeline by this policy from the start (e.g. kingpin, "
        "whose leader captures split cartels); default: the scenario's",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 110))
    t0 = time.perf_counter()
    det = []
    if args.deterministic_weeks > 0:
        with console.status("deterministic check"):
            det = [
                deterministic_check(args.deterministic_weeks, u, args.policy) for u in (0.5, 0.02)
            ]
    tasks = [
        (impl, seed, args.weeks, args.policy)
        for seed in range(1, args.seeds + 1)
        for impl in ("mesa", "plazasim")
    ]
    with console.status(f"{len(tasks)} runs on {args.workers} workers"):
        if args.workers > 1:
            with ProcessPoolExecutor(args.workers) as pool:
                runs = list(pool.map(one_run, *zip(*tasks, strict=True)))
        else:
            runs = [one_run(*task) for task in tasks]
    rows = compare(runs)
    timeline = f"policy {args.policy}" if args.policy else "scenario timeline"
    print_report(
        console,
        det,
        rows,
        f"plazasim vs Mesa, {args.seeds} seeds, {args.weeks} weeks, {timeline}: median [5%, 95%]",
    )
    walls = {
        impl: [r["wall_s"] / args.weeks for r in runs if r["impl"] == impl]
        for impl in ("plazasim", "mesa")
    }
    console.print(
        "median s/week (runs in parallel, so indicative only): "
        + ", ".join(f"{impl} {np.median(v):.4f}" for impl, v in walls.items())
    )
    ok = all(r["consistent"] for r in rows if r["required"])
    console.print(
        f"required outcomes consistent at 5%: {'yes' if ok else 'NO'}; "
        f"{time.perf_counter() - t0:.0f} s"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "scenario": "mexico-2006 without events (mesa_model.bench_scenario)",
                "policy": args.policy
                or "scenario timeline (laissez_faire, signaling from 2006-12-11)",
                "seeds": list(range(1, args.seeds + 1)),
                "weeks": args.weeks,
                "deterministic": det,
                "comparison": rows,
                "runs": runs,
                "required_consistent": ok,
                "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            },
            indent=2,
        )
    )
    console.print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
