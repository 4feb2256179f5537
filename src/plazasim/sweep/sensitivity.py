"""Global sensitivity indices of a finished ``sobol`` or ``morris`` sweep, with SALib.

Each output is averaged over a point's replicates, so the indices describe the
expected outcome at each point; the seeds' noise is left in the estimates and
widens their confidence intervals (docs/SWEEPS.md, "Sensitivity").

- **Sobol'** (design ``sobol``): first-order ``S1`` (the share of the output's
  variance due to the factor alone) and total ``ST`` (alone and in every
  interaction), each with the half-width of its 95% bootstrap interval
  (``S1_conf``, ``ST_conf``). Saltelli et al. (2010), *Comput. Phys. Commun.*
  181:259-270; SALib ``analyze.sobol`` without second-order indices.
- **Morris** (design ``morris``): ``mu_star``, the mean absolute elementary
  effect of moving the factor across its whole range, in the output's units
  (with ``mu_star_conf``, its 95% bootstrap half-width), and ``sigma``, their
  spread (high: non-linear or interacting). Morris (1991), *Technometrics*
  33:161-174; Campolongo, Cariboni & Saltelli (2007). SALib ``analyze.morris``.

Factors are sampled on [0, 1] and mapped to their values, so Morris effects are
per whole range of a factor; a categorical factor is treated as ordered in the
order its values are listed.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from plazasim.errors import PlazasimError
from plazasim.experiments.compare import METRICS
from plazasim.sweep.design import salib_problem, unit_sample
from plazasim.sweep.spec import SweepSpec
from plazasim.sweep.store import SWEEP_JSON, read_runs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SENSITIVITY_PLOT",
    "SENSITIVITY_TABLE",
    "plot_sensitivity",
    "read_sweep_spec",
    "sensitivity",
    "write_sensitivity",
]

SENSITIVITY_TABLE = "sensitivity.parquet"
SENSITIVITY_PLOT = "sensitivity.png"
#: Bootstrap resamples and confidence level of the intervals.
RESAMPLES = 1000
CONF_LEVEL = 0.95


def read_sweep_spec(out_dir: Path) -> SweepSpec:
    """The spec a sweep folder records in ``sweep.json``."""
    path = Path(out_dir) / SWEEP_JSON
    if not path.is_file():
        raise PlazasimError(f"sweep: {out_dir} is not a sweep folder (no {SWEEP_JSON})")
    try:
        return SweepSpec.from_dict(json.loads(path.read_text(encoding="utf-8"))["spec"])
    except (OSError, ValueError, KeyError) as exc:
        raise PlazasimError(f"sweep: cannot read {path}: {exc}") from None


def _mean_outputs(out_dir: Path, spec: SweepSpec, points: int) -> pd.DataFrame:
    runs = read_runs(out_dir)
    expected = points * spec.sweep.replications
    have = 0 if runs.empty else runs["run_id"].nunique()
    if have < expected:
        raise PlazasimError(
            f"sensitivity: {out_dir} has {have} of {expected} runs; run the "
            "same plazasim sweep command again to finish it first"
        )
    means = runs.groupby("point_id")[list(spec.sweep.outputs)].mean()
    return means.reindex(range(points))


def sensitivity(out_dir: str | Path) -> pd.DataFrame:
    """Sobol' or Morris indices for every (output, parameter) of a finished sweep."""
    from SALib.analyze import morris, sobol

    out_dir = Path(out_dir)
    spec = read_sweep_spec(out_dir)
    design_name = spec.sweep.design
    if design_name not in ("sobol", "morris"):
        raise PlazasimError(
            f'sensitivity: needs a sweep with design "sobol" or "morris" '
            f"(this one is {design_name!r})"
        )
    unit = np.asarray(unit_sample(spec), dtype=float)  # priors need no resolving for this
    means = _mean_outputs(out_dir, spec, len(unit))
    problem = salib_problem(spec)
    seed = spec.sweep.seed % 2**32
    rows: list[dict[str, Any]] = []
    keys: tuple[str, ...]
    for output in spec.sweep.outputs:
        y = means[output].to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # a constant output: indices 0 (or NaN)
            if design_name == "sobol":
                res = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=False,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    seed=seed,
                )
                keys = ("S1", "S1_conf", "ST", "ST_conf")
            else:
                res = morris.analyze(
                    problem,
                    unit,
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    num_levels=spec.sweep.levels,
                    seed=seed,
                )
                keys = ("mu_star", "mu_star_conf", "sigma")
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    **{k: float(np.asarray(res[k])[i]) for k in keys},
                }
            )
    return pd.DataFrame(rows)


def plot_sensitivity(
    table: pd.DataFrame, design: str, path: str | os.PathLike[str] | None = None
) -> Figure:
    """One panel per output: horizontal bars per parameter with their 95% intervals."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    outputs = list(dict.fromkeys(table["output"]))
    params = list(dict.fromkeys(table["parameter"]))
    height = max(2.4, 0.45 * len(params) + 1.4)
    fig = Figure(figsize=(4.6 * len(outputs), height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(outputs), squeeze=False).ravel()
    y = np.arange(len(params))
    for ax, output in zip(axes, outputs, strict=True):
        rows = table[table["output"] == output].set_index("parameter").reindex(params)
        if design == "sobol":
            ax.barh(
                y - 0.2,
                rows["S1"],
                0.4,
                xerr=rows["S1_conf"],
                label="first order S1",
                color="C0",
                capsize=3,
            )
            ax.barh(
                y + 0.2,
                rows["ST"],
                0.4,
                xerr=rows["ST_conf"],
                label="total ST",
                color="C1",
                capsize=3,
            )
            ax.set_xlabel("share of the output's variance (0-1)")
        else:
            unit = METRICS[output][0]
            ax.barh(
                y - 0.2,
                rows["mu_star"],
                0.4,
                xerr=rows["mu_star_conf"],
                label="μ*",
                color="C0",
                capsize=3,
            )
            ax.barh(y + 0.2, rows["sigma"], 0.4, label="σ", color="C2")
            ax.set_xlabel(f"elementary effect over the factor's range ({unit})")
        ax.set_yticks(y, params)
        ax.invert_yaxis()
        ax.axvline(0, color="0.4", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"{output} ({METRICS[output][0]})", fontsize=10)
    what = (
        "Sobol' indices, 95% bootstrap intervals"
        if design == "sobol"
        else "Morris screening: μ* (95% bootstrap interval) and σ"
    )
    fig.suptitle(what, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def write_sensitivity(out_dir: str | Path) -> tuple[pd.DataFrame, Path]:
    """Compute the indices and write ``sensitivity.parquet`` and ``sensitivity.png``.

    Each file goes through a temporary name and a rename, so an interruption
    leaves the earlier files or none. Returns the table and the table's path.
    """
    out_dir = Path(out_dir)
    table = sensitivity(out_dir)
    design = read_sweep_spec(out_dir).sweep.design
    pid = os.getpid()
    targets = {
        SENSITIVITY_TABLE: out_dir / f".{SENSITIVITY_TABLE}.tmp-{pid}",
        SENSITIVITY_PLOT: out_dir / f".{SENSITIVITY_PLOT}.tmp-{pid}",
    }
    try:
        table.to_parquet(targets[SENSITIVITY_TABLE], engine="pyarrow", index=False)
        plot_sensitivity(table, design).savefig(targets[SENSITIVITY_PLOT], dpi=110, format="png")
        for name, tmp in targets.items():
            os.replace(tmp, out_dir / name)
    except OSError as exc:
        raise PlazasimError(f"out: cannot write in {out_dir}: {exc.strerror or exc}") from None
    finally:
        for tmp in targets.values():
            tmp.unlink(missing_ok=True)
    return table, out_dir / SENSITIVITY_TABLE
