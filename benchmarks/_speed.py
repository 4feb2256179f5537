"""plazasim's own numbers: the full Mexico run, peak memory, and scaling with size.

Everything here times plazasim alone. The side-by-side comparison with the Mesa
model is in ``_mesa_side.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import loglog_slope, summary, timed

from plazasim.experiments.run import run_scenario
from plazasim.experiments.simulate import resolve_policies, scenario_events
from plazasim.model.engine import simulate, weeks_between
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.scenario import check_against_world, load_scenario
from plazasim.world import World, build_world
from plazasim.world.synthetic import synthetic_world

SCENARIO = "mexico-2006"
SYNTH_SEED, SYNTH_CARTELS = 1, 8
SYNTH_START = dt.date(2007, 1, 1)


def signaling_from_week_0() -> list[tuple[int, Any]]:
    """The synthetic policy timeline; a fresh instance each run, as policies may keep state."""
    return [(0, make_policy("signaling"))]


def warm_up() -> float:
    """One short synthetic run, so lazy imports and first-call costs stay out of the timings."""
    world = synthetic_world(500, seed=SYNTH_SEED, n_cartels=SYNTH_CARTELS)
    t0 = time.perf_counter()
    simulate(
        world,
        Parameters(),
        start=SYNTH_START,
        n_weeks=8,
        policies=signaling_from_week_0(),
        seed=SYNTH_SEED,
    ).recorder.national_frame([SYNTH_START + dt.timedelta(weeks=t) for t in range(8)])
    return round(time.perf_counter() - t0, 3)


def bench_mexico(repeats: int) -> dict[str, Any]:
    """The real default, events included: ``run_scenario`` end to end, then split in stages.

    The two alternate in each repeat, so machine noise hits both alike. ``simulate``
    is called exactly as ``run_scenario`` calls it. CPU time is this process's, so
    ``cpu_per_wall`` near 1 says the run used one core.
    """
    scenario = load_scenario(SCENARIO)
    t0 = time.perf_counter()
    world = build_world(scenario.world)  # cold: parses the data; cached from now on
    world_cold = time.perf_counter() - t0
    meta = scenario.scenario
    weeks = weeks_between(meta.start, meta.end)
    totals, inner, builds, sims, cpus, tables = [], [], [], [], [], []
    for _ in range(repeats):
        wall, _cpu, result = timed(lambda: run_scenario(load_scenario(SCENARIO)))
        totals.append(wall)
        inner.append(float(result.manifest["wall_time_s"]))
        del result
        t0 = time.perf_counter()
        world = build_world(scenario.world)
        check_against_world(scenario, world)
        builds.append(time.perf_counter() - t0)
        wall, cpu, sim = timed(
            lambda w=world: simulate(
                w,
                scenario.parameters,
                start=meta.start,
                n_weeks=weeks,
                policies=resolve_policies(scenario),
                events=scenario_events(scenario, w),
                seed=meta.seed,
            )
        )
        sims.append(wall)
        cpus.append(cpu)
        t0 = time.perf_counter()
        sim.recorder.national_frame(sim.dates)
        sim.recorder.plaza_frame(sim.dates)
        sim.recorder.cartel_frame(sim.dates)
        tables.append(time.perf_counter() - t0)
        del sim
    sim_median = statistics.median(sims)
    return {
        "scenario": SCENARIO,
        "events": len(scenario.events),
        "plazas": world.n_plazas,
        "weeks": weeks,
        "repeats": repeats,
        "world_build_cold_s": round(world_cold, 4),
        "run_scenario_s": summary(totals),
        "simulate_inside_run_scenario_s": summary(inner),
        "world_build_cached_s": summary(builds),
        "simulate_s": summary(sims),
        "simulate_cpu_s": summary(cpus),
        "cpu_per_wall": round(sum(cpus) / sum(sims), 2),
        "tables_s": summary(tables),
        "weeks_per_s": round(weeks / sim_median, 1),
        "ms_per_step": round(1000 * sim_median / weeks, 2),
        "weeks_per_s_end_to_end": round(weeks / statistics.median(totals), 1),
    }


_MEMORY_PROBE = """
import json, sys
sys.path.insert(0, {here!r})
from _common import peak_rss_mb
from plazasim.experiments.run import run_scenario
from plazasim.scenario import load_scenario
scenario = load_scenario({scenario!r})
after_imports = peak_rss_mb()
result = run_scenario(scenario)
print(json.dumps({{"after_imports": after_imports, "peak": peak_rss_mb(),
                   "weeks": result.manifest["weeks"]}}))
"""


def bench_memory() -> dict[str, Any]:
    """Peak RSS of one full ``run_scenario`` (cold world build included) in a fresh interpreter.

    A fresh process, so the harness's imports and earlier benchmarks don't count.
    The peak still includes the interpreter and plazasim's imports (numpy, pandas,
    scipy, pydantic...), reported separately as ``rss_after_imports_mb``.
    """
    t0 = time.perf_counter()
    code = _MEMORY_PROBE.format(here=str(Path(__file__).resolve().parent), scenario=SCENARIO)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    peak, base = probe["peak"], probe["after_imports"]
    return {
        "scenario": SCENARIO,
        "weeks": probe["weeks"],
        "peak_rss_mb": peak,
        "rss_after_imports_mb": base,
        "run_increment_mb": round(peak - base, 1),
        "subprocess_wall_s": round(time.perf_counter() - t0, 2),
    }


def time_simulate(world: World, params: Parameters, weeks: int, repeats: int) -> dict[str, Any]:
    """Median of ``repeats`` synthetic runs (signaling from week 0); world build not timed."""
    sims = []
    for _ in range(repeats):
        policies = signaling_from_week_0()
        t0 = time.perf_counter()
        simulate(
            world, params, start=SYNTH_START, n_weeks=weeks, policies=policies, seed=SYNTH_SEED
        )
        sims.append(time.perf_counter() - t0)
    med = statistics.median(sims)
    return {
        "plazas": world.n_plazas,
        "cartels": world.n_cartels,
        "weeks": weeks,
        "repeats": repeats,
        "simulate_s": summary(sims),
        "ms_per_step": round(1000 * med / weeks, 3),
        "ms_per_step_best": round(1000 * min(sims) / weeks, 3),
    }


def bench_scaling(
    plazas: list[int], cartels: list[int], cartel_plazas: int, weeks: int, repeats: int
) -> dict[str, Any]:
    """ms/step against plazas (8 cartels) and against cartels (``cartel_plazas`` plazas)."""
    by_plazas = [
        time_simulate(
            synthetic_world(n, seed=SYNTH_SEED, n_cartels=SYNTH_CARTELS),
            Parameters(),
            weeks,
            repeats,
        )
        for n in plazas
    ]
    by_cartels = [
        time_simulate(
            synthetic_world(cartel_plazas, seed=SYNTH_SEED, n_cartels=k),
            Parameters(max_cartels=max(24, k)),
            weeks,
            repeats,
        )
        for k in cartels
    ]
    ms = {row["plazas"]: row["ms_per_step"] for row in by_plazas}
    best = {row["plazas"]: row["ms_per_step_best"] for row in by_plazas}
    has = 10_000 in ms and 2_500 in ms
    return {
        "weeks": weeks,
        "repeats": repeats,
        "policy": "signaling from week 0",
        "world": f"synthetic_world(n, seed={SYNTH_SEED}, n_cartels=k)",
        "plazas": {
            "cartels": SYNTH_CARTELS,
            "rows": by_plazas,
            "exponent": loglog_slope(plazas, [r["ms_per_step"] for r in by_plazas]),
        },
        "cartels": {
            "plazas": cartel_plazas,
            "rows": by_cartels,
            "exponent": loglog_slope(cartels, [r["ms_per_step"] for r in by_cartels]),
        },
        "ratio_10000_vs_2500": round(ms[10_000] / ms[2_500], 2) if has else None,
        # From the fastest repeat of each: less sensitive to a busy machine than the median.
        "ratio_10000_vs_2500_best": round(best[10_000] / best[2_500], 2) if has else None,
    }
