"""Screen which uncertain parameters the calibration's summaries can inform.

Why: ABC-SMC weights particles by prior over proposal density. Over many
parameters the data say nothing about, a few particles take almost all the weight
and the "posterior" is a handful of points (a 29-parameter calibration of
``mexico-2006`` fell to one effective particle by its fourth generation). So the
bundled ``[calibration]`` table keeps only the parameters some summary responds to.
This script is the screen that chose them, reproducible from the repository:

    .venv/bin/python scripts/screen_parameters.py [--draws 300] [--seed 11] [--workers 2]

It runs ``mexico-2006`` to the end of 2010 on a Latin hypercube over WIDE_PRIORS
(the wider set the bundled table was cut from), then prints the Spearman rank
correlation of each parameter with each summary the calibration fits: related
deaths and INEGI homicides in 2007 and 2010, Ciudad Juárez homicides in 2007 and
2010, members at the end of 2010, and how well the states' 2008-2010 related
deaths and homicides rank against the record. A parameter whose largest |rho| is
below THRESHOLD is marked "default": no summary moves with it.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from build_mexico_timeline import CALIBRATION  # the bundled [calibration] table
from scipy.stats import spearmanr

from plazasim.calibration_spec import CalibrationSpec
from plazasim.experiments.prior_predictive import prior_predictive
from plazasim.scenario import load_scenario, with_overrides
from plazasim.world.observed import annual

THRESHOLD = 0.4
UNTIL = "2010-12-31"

#: The parameters the bundled table leaves at their defaults, with the priors the screen
#: gives them; the table's own priors (build_mexico_timeline.CALIBRATION) join them below.
LEFT_OUT: dict[str, dict[str, float | str]] = {
    "lethality": {"distribution": "loguniform", "low": 0.001, "high": 0.02},
    "mobilisation_rate": {"distribution": "loguniform", "low": 0.001, "high": 0.02},
    "war_recruitment": {"distribution": "uniform", "low": 0.01, "high": 0.15},
    "commit_ratio": {"distribution": "uniform", "low": 1.0, "high": 2.5},
    "truce_intensity": {"distribution": "loguniform", "low": 0.001, "high": 0.05},
    "truce_fragility": {"distribution": "loguniform", "low": 0.01, "high": 0.2},
    "rival_attack_bonus": {"distribution": "uniform", "low": 0.0, "high": 5.0},
    "opportunism": {"distribution": "uniform", "low": 0.0, "high": 6.0},
    "capacity_ops_per_week": {"distribution": "uniform", "low": 10.0, "high": 60.0},
    "arrest_share": {"distribution": "loguniform", "low": 0.001, "high": 0.02},
    "takedown_share": {"distribution": "loguniform", "low": 0.003, "high": 0.05},
    "operation_default_weeks": {"distribution": "uniform", "low": 26.0, "high": 104.0},
    "operation_ops_per_week": {"distribution": "uniform", "low": 2.0, "high": 10.0},
    "succession_lethality": {"distribution": "loguniform", "low": 0.0005, "high": 0.01},
    "retail_usd_per_capita_year": {"distribution": "uniform", "low": 5.0, "high": 15.0},
    "crossing_cost_km": {"distribution": "uniform", "low": 400.0, "high": 1200.0},
}
#: The wider prior set: the bundled table's priors plus those left out of it.
WIDE_PRIORS = {
    **{name: prior for name, prior in CALIBRATION.items() if prior is not None},
    **LEFT_OUT,
}
#: Uniform over their declared ranges (docs/SCENARIOS.md, "Parameters").
WIDE_UNIFORM = [
    "retreat_share",
    "state_clash_deaths",
    "kingpin_cohesion_loss",
    "bystander_ratio",
    "violence_bias",
    "violence_gain",
    *(name for name, prior in CALIBRATION.items() if prior is None),
]


def summaries(
    frame: pd.DataFrame, states: list[str], state_obs: dict[str, np.ndarray]
) -> pd.DataFrame:
    """The summaries of each draw that the screen correlates with the parameters."""
    out = pd.DataFrame(
        {
            "related 2007": frame["related_2007"],
            "related 2010": frame["related_2010"],
            "homicides 2007": frame["homicides_2007"],
            "homicides 2010": frame["homicides_2010"],
            "Juarez 2007": frame["juarez_homicides_2007"],
            "Juarez 2010": frame["juarez_homicides_2010"],
            "members 2010": frame["members_end_2010"],
        }
    )
    for stem, label in (("related", "state rank related"), ("homicides", "state rank homicides")):
        sim = np.stack(
            [frame[[f"{stem}_{s}_{y}" for y in (2008, 2009, 2010)]].sum(axis=1) for s in states],
            axis=1,
        )
        out[label] = [spearmanr(row, state_obs[stem]).statistic for row in sim]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    base = with_overrides(load_scenario("mexico-2006"), until=UNTIL)
    spec = CalibrationSpec(parameters=WIDE_UNIFORM, priors=WIDE_PRIORS)
    scenario = base.model_copy(update={"calibration": spec})
    result = prior_predictive(scenario, args.draws, seed=args.seed, workers=args.workers)
    frame = result.frame

    states = sorted(
        {
            c.split("_")[1]
            for c in frame.columns
            if c.startswith("related_") and len(c.split("_")) == 3
        }
    )
    state_obs = {
        stem: np.array([annual(series, s, (2008, 2009, 2010)).sum() for s in states])
        for stem, series in (("related", "presidencia_deaths"), ("homicides", "inegi_homicides"))
    }
    table = summaries(frame, states, state_obs)
    rho = pd.DataFrame(
        {
            col: [spearmanr(frame[p], table[col]).statistic for p in result.priors]
            for col in table.columns
        },
        index=list(result.priors),
    )
    rho["max |rho|"] = rho.abs().max(axis=1)
    rho["screen"] = np.where(rho["max |rho|"] >= THRESHOLD, "calibrate", "default")
    rho = rho.sort_values("max |rho|", ascending=False)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(
            f"{args.draws} draws over {len(result.priors)} parameters, seed {args.seed}, "
            f"runs to {UNTIL} ({result.wall_time_s:,.0f} s on {result.workers} workers)"
        )
        print(rho.round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
