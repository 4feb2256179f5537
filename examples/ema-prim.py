"""EMA Workbench on plazasim: which parameter values make the cartel war deadly? (PRIM).

Needs the optional extra: ``pip install 'plazasim[ema]'``. Runs 60 experiments
(30 parameter sets x 2 policies) of the synthetic scenario (2007-2008), then
asks PRIM (Friedman & Fisher 1999) for the box of parameter space where
cartel-cartel homicides are in the top quarter. About a minute on one core; docs/SWEEPS.md
shows its output.

    python examples/ema-prim.py
"""

from __future__ import annotations

import warnings

import numpy as np

warnings.filterwarnings("ignore", module="ema_workbench")  # optional back-ends it lacks

from ema_workbench import SequentialEvaluator, perform_experiments  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

from plazasim.ema import scenario_model  # noqa: E402


def main() -> None:
    """Run the experiments, summarise them, find the PRIM box."""
    model = scenario_model(
        "synthetic-small",
        uncertainties=["lethality", "recruit_rate", "attack_share"],  # documented ranges
        policies=["crackdown", "signaling"],
        outcomes=["homicides_cartel", "cocaine_delivered_t"],
    )
    np.random.seed(7)  # EMA's samplers draw from numpy's global generator
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=30, policies=2,
                                                    evaluator=evaluator, log_progress=True)
    homicides = outcomes["homicides_cartel"]
    print(f"{len(experiments)} experiments; cartel homicides 2007-2008: median "
          f"{np.median(homicides):.0f}, range {homicides.min():.0f}-{homicides.max():.0f}")
    for policy in ("crackdown", "signaling"):
        mine = homicides[experiments["enforcement"] == policy]
        print(f"  {policy}: median {np.median(mine):.0f}")

    # Scenario discovery: where are cartel killings in the top quarter?
    x = experiments[["lethality", "recruit_rate", "attack_share", "enforcement"]]
    bad = homicides > np.percentile(homicides, 75)
    # threshold: the least density (share of top-quarter runs) a box must reach;
    # peel_alpha: the share of runs each peeling step removes.
    box = prim.Prim(x, bad, threshold=0.6, peel_alpha=0.1).find_box()
    print(f"PRIM box: coverage {box.coverage:.2f} (share of the top quarter inside), "
          f"density {box.density:.2f} (share of the box in the top quarter), "
          f"mass {box.mass:.2f}")
    print(box.box_lim.to_string())


if __name__ == "__main__":
    main()
