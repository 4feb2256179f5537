"""plazasim and the Mesa model of the same rules, side by side on the same worlds.

The Mesa model (``benchmarks/mesa_model.py``) can take seconds per simulated week,
so its side runs once and for a bounded number of weeks: a short probe estimates
its seconds per week, and the comparison then uses the most weeks (up to the
planned number) that fit the time budget. plazasim runs the same weeks, world,
scenario, seed and policies, median of its repeats. Both sides include their own
setup (model construction) and return the weekly national table, so
``ratio = Mesa s/week / plazasim s/week`` compares like with like.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import statistics
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from _common import summary, timed
from _speed import SCENARIO, SYNTH_CARTELS, SYNTH_SEED, SYNTH_START, signaling_from_week_0

from plazasim.experiments.simulate import resolve_policies
from plazasim.model.engine import simulate, week_dates
from plazasim.model.params import Parameters
from plazasim.scenario import Scenario, check_against_world, load_scenario
from plazasim.world import World, build_world
from plazasim.world.synthetic import synthetic_world

#: The Mesa budget is planned from the probe with this margin, since later weeks
#: of a war (more fighting) can cost more than the first ones.
SAFETY = 1.5
PROBE_WEEKS = 4

Policies = Callable[[], list[tuple[int, Any]]]


def load_mesa_model() -> tuple[ModuleType | None, str | None]:
    """The ``mesa_model`` module, or None and why it cannot be used."""
    if importlib.util.find_spec("mesa") is None:
        return None, "mesa is not installed (make bench installs the `bench` extra)"
    try:
        module = importlib.import_module("mesa_model")
    except ModuleNotFoundError as exc:
        if exc.name != "mesa_model":
            return None, f"importing benchmarks/mesa_model.py failed: {exc}"
        return None, "benchmarks/mesa_model.py does not exist yet"
    except Exception as exc:  # a broken model must not take the plazasim numbers down
        return None, f"importing benchmarks/mesa_model.py failed: {type(exc).__name__}: {exc}"
    missing = [name for name in ("run_mesa", "bench_scenario") if not hasattr(module, name)]
    if missing:
        return None, f"benchmarks/mesa_model.py lacks {', '.join(missing)}"
    return module, None


def _plazasim(
    world: World,
    params: Parameters,
    start: dt.date,
    weeks: int,
    policies: Policies,
    seed: int,
    repeats: int,
) -> tuple[list[float], float]:
    """Seconds per run of simulate + its national table (what run_mesa returns)."""
    runs, homicides = [], 0.0
    for _ in range(repeats):
        pol = policies()
        t0 = time.perf_counter()
        sim = simulate(world, params, start=start, n_weeks=weeks, policies=pol, seed=seed)
        national = sim.recorder.national_frame(week_dates(start, weeks))
        runs.append(time.perf_counter() - t0)
        homicides = float(national["homicides_total"].sum())
    return runs, homicides


def compare(
    mesa: ModuleType | None,
    label: str,
    world: World,
    params: Parameters,
    start: dt.date,
    seed: int,
    policies: Policies,
    max_weeks: int,
    budget_s: float,
    repeats: int,
) -> dict[str, Any]:
    """One world, both models; the Mesa side is skipped when ``mesa`` is None."""
    row: dict[str, Any] = {
        "world": label,
        "plazas": world.n_plazas,
        "cartels": world.n_cartels,
        "seed": seed,
        "planned_weeks": max_weeks,
        "weeks": max_weeks,
        "mesa_budget_s": budget_s,
        "mesa_repeats": 1,
        "mesa_s": None,
        "mesa_s_per_week": None,
        "ratio": None,
        "note": None,
    }
    mesa_homicides = None
    if mesa is not None:
        try:
            mesa_homicides = _mesa(
                mesa, row, world, params, start, seed, policies, max_weeks, budget_s
            )
        except Exception as exc:  # a broken Mesa model must not take the plazasim numbers down
            row["note"] = f"Mesa run failed: {type(exc).__name__}: {exc}"
    runs, homicides = _plazasim(world, params, start, row["weeks"], policies, seed, repeats)
    row["plazasim_s"] = summary(runs)
    row["plazasim_repeats"] = repeats
    row["plazasim_s_per_week"] = round(statistics.median(runs) / row["weeks"], 6)
    if row["mesa_s"] is not None:
        row["ratio"] = round(row["mesa_s"] / statistics.median(runs), 1)  # same weeks, both
    # A glance, not an equivalence check (that is check_equivalence.py): a Mesa run
    # with no homicides at all would make the speed-up meaningless.
    row["homicides_total"] = {"plazasim": round(homicides, 1), "mesa": mesa_homicides}
    return row


def _mesa(
    mesa: ModuleType,
    row: dict[str, Any],
    world: World,
    params: Parameters,
    start: dt.date,
    seed: int,
    policies: Policies,
    max_weeks: int,
    budget_s: float,
) -> float:
    """Probe, choose the weeks that fit the budget, run; fill ``row``; return total homicides."""

    def run(weeks: int) -> tuple[float, Any]:
        wall, _, frame = timed(
            lambda: mesa.run_mesa(
                world, params, start=start, n_weeks=weeks, policies=policies(), seed=seed
            )
        )
        return wall, frame

    probe_weeks = min(PROBE_WEEKS, max_weeks)
    probe_s, frame = run(probe_weeks)
    per_week = probe_s / probe_weeks
    fits = int(budget_s / (SAFETY * per_week))
    weeks = max_weeks if fits >= max_weeks else max(probe_weeks, fits)
    row["mesa_probe"] = {"weeks": probe_weeks, "s": round(probe_s, 3)}
    if weeks > probe_weeks:
        mesa_s, frame = run(weeks)
    else:
        mesa_s = probe_s
    if weeks < max_weeks:
        row["note"] = (
            f"Mesa: {weeks} of {max_weeks} weeks (probe: {per_week:.2f} s/week, "
            f"budget {budget_s:g} s)"
        )
    row.update(
        weeks=weeks,
        mesa_s=round(mesa_s, 4),
        mesa_s_per_week=round(mesa_s / weeks, 5),
        mesa_rows=len(frame),
    )
    return round(float(frame["homicides_total"].sum()), 1)


def bench_scenario(mesa: ModuleType | None) -> Scenario:
    """The Mexico scenario of the comparison: the Mesa model's ``bench_scenario`` (no
    events), or, without the Mesa model, the bundled scenario with its events dropped."""
    if mesa is not None:
        return mesa.bench_scenario()
    return load_scenario(SCENARIO).model_copy(update={"events": []})


def bench_speedup(
    mesa: ModuleType | None,
    sizes: list[int],
    mexico_weeks: int,
    synth_weeks: int,
    budget_s: float,
    synth_budget_s: float,
    repeats: int,
    status: Callable[[str], Any],
) -> dict[str, Any]:
    """The Mexico default (the Mesa model's ``bench_scenario``: no events) and synthetic worlds.

    Without the Mesa model, the Mexico row uses the bundled scenario with its events
    dropped, the same thing ``bench_scenario`` returns.
    """
    scenario = bench_scenario(mesa)
    world = build_world(scenario.world)
    check_against_world(scenario, world)
    meta = scenario.scenario
    out: dict[str, Any] = {}
    with status(f"Mexico ({meta.name}, no events), plazasim vs Mesa, up to {mexico_weeks} weeks"):
        out["mexico"] = compare(
            mesa,
            f"{meta.name} (no events)",
            world,
            scenario.parameters,
            meta.start,
            meta.seed,
            lambda: resolve_policies(scenario),
            mexico_weeks,
            budget_s,
            repeats,
        )
    for n in sizes:
        synth = synthetic_world(n, seed=SYNTH_SEED, n_cartels=SYNTH_CARTELS)
        with status(f"synthetic {n:,} plazas, plazasim vs Mesa, up to {synth_weeks} weeks"):
            out[f"synthetic_{n}"] = compare(
                mesa,
                f"synthetic {n:,}",
                synth,
                Parameters(),
                SYNTH_START,
                SYNTH_SEED,
                signaling_from_week_0,
                synth_weeks,
                synth_budget_s,
                repeats,
            )
    return out
