"""Which particles of a calibration meet the fit targets, and what they cost elsewhere.

Why: ``plazasim fit-report`` judges the posterior's predictive median. When a
target fails there, two questions remain that this script answers from the
particles ``abc.db`` already holds (each is one run of one parameter set, so no
simulation is needed):

* can the model meet the targets at all? (how many particles meet each check,
  and all of them at once);
* what pulls the sampler away from them? (the distance blocks' median costs for
  the particles that meet a check against those that do not, and the parameters
  of both groups).

A particle is a single run, so its checks carry a run's noise: a particle that
meets every target shows the targets are within the model's reach, not that its
parameters would meet them on other seeds.

    .venv/bin/python scripts/particle_targets.py runs/cal-anchor5 [--check national_homicides]

``--check`` picks the group the cost and parameter tables compare: the particles
that meet every yearly check of that series (default: INEGI homicides) against
the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from plazasim.calibration.abc_smc import read_calibration
from plazasim.calibration.fit_report import observed_record
from plazasim.calibration.fit_stats import headline_checks
from plazasim.calibration.space import SearchSpace
from plazasim.errors import PlazasimError
from plazasim.experiments.priors import require_priors


def particle_frame(out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per stored particle: generation and weight, parameters, block costs, checks."""
    import pyabc

    record = read_calibration(out_dir)
    settings = record.settings
    scenario = settings.scenario_object()
    space = SearchSpace(require_priors(scenario))
    observed = settings.observed_arrays()
    record_series = observed_record(settings)
    distance = settings.distance()
    history = pyabc.History("sqlite:///" + str(out_dir / "abc.db"), _id=1)
    meta, costs, checks = [], [], []
    for t in range(history.max_t + 1):
        params, weights = history.get_distribution(t=t)
        _, stats = history.get_weighted_sum_stats(t=t)
        for (_, coords), w, s in zip(params.iterrows(), weights, stats, strict=True):
            arrays = {k: np.asarray(s[k], dtype=np.float64) for k in observed}
            meta.append({"generation": t, "weight": float(w), **space.values(coords)})
            costs.append(distance.costs(arrays, observed))
            rows = []
            for block, values in arrays.items():
                rows += [
                    {"draw": 0, "seed": 0, "block": block, "label": lab, "value": v}
                    for lab, v in zip(record_series[block].index, values, strict=True)
                ]
            found = headline_checks(pd.DataFrame(rows), record_series)
            checks.append({c.key: c.passed for c in found if c.passed is not None})
    return pd.DataFrame(meta), pd.DataFrame(costs), pd.DataFrame(checks).astype(bool)


def main(argv: list[str] | None = None) -> int:
    """Print the three tables; one line of error on a bad directory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("calibration", type=Path, help="a finished calibration directory")
    parser.add_argument(
        "--check",
        default="national_homicides",
        help="series whose yearly checks define the compared group (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        meta, costs, checks = particle_frame(args.calibration)
    except PlazasimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    group_cols = [c for c in checks.columns if c.startswith(args.check)]
    if not group_cols:
        print(
            f"error: --check: no yearly checks for {args.check!r}; expected one of "
            f"{sorted({c.split(':')[0] for c in checks.columns})}",
            file=sys.stderr,
        )
        return 2
    last = meta["generation"] == meta["generation"].max()
    w = meta["weight"].where(last, 0.0)
    print(f"{len(meta)} particles in {meta['generation'].max() + 1} generations\n")
    table = pd.DataFrame(
        {
            "particles meeting it": checks.sum(),
            "last generation, by weight": (checks.mul(w, axis=0).sum() / w.sum()).round(3),
        }
    )
    table.loc["all checks"] = [
        int(checks.all(axis=1).sum()),
        round(float(w[checks.all(axis=1)].sum() / w.sum()), 3),
    ]
    print(table.to_string(), "\n")
    meets = checks[group_cols].all(axis=1)
    print(f"median block cost: particles meeting every {args.check} check ({int(meets.sum())})")
    print(f"against the rest ({int((~meets).sum())}):")
    print(
        pd.DataFrame({"meeting": costs[meets].median(), "rest": costs[~meets].median()})
        .round(3)
        .to_string(),
        "\n",
    )
    params = [c for c in meta.columns if c not in ("generation", "weight")]
    posterior = read_calibration(args.calibration).summary.set_index("parameter")["median"]
    print("parameters: median of the particles meeting it, of the rest, and the")
    print("posterior median (posterior_summary.csv):")
    print(
        pd.DataFrame(
            {
                "meeting": meta.loc[meets, params].median(),
                "rest": meta.loc[~meets, params].median(),
                "posterior": posterior.reindex(params),
            }
        ).to_string(float_format=lambda x: f"{x:.4g}")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
