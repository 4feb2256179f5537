"""Parameter sweeps: a design over factors, many seeded runs, one stored file per run.

``plazasim sweep SPEC.toml`` reads a :class:`~plazasim.sweep.spec.SweepSpec`,
draws its points (:mod:`~plazasim.sweep.design`), runs every (point, replicate)
on Dask (:mod:`~plazasim.sweep.runner`) and stores each finished run at once
(:mod:`~plazasim.sweep.store`), so an interrupted sweep resumes where it
stopped; :mod:`~plazasim.sweep.sensitivity` computes Sobol' or Morris indices.
docs/SWEEPS.md is the reference.
"""

from __future__ import annotations

from plazasim.sweep.design import Design, make_design, n_points
from plazasim.sweep.runner import SweepPlan, SweepResult, plan_sweep, run_seed, run_sweep
from plazasim.sweep.spec import SweepSpec, load_spec, parse_spec
from plazasim.sweep.store import read_runs

__all__ = [
    "Design",
    "SweepPlan",
    "SweepResult",
    "SweepSpec",
    "load_spec",
    "make_design",
    "n_points",
    "parse_spec",
    "plan_sweep",
    "read_runs",
    "run_seed",
    "run_sweep",
]
