"""Pin the headline numbers that tests/test_regression.py holds the model to.

Writes ``tests/data/regression.json``: the national totals by year (2006-2010) of
``mexico-2006`` with seed 42, and which validation facts hold with seeds 1-2. A
change to the model that moves any of them makes tests/test_regression.py fail, so
that the change is seen; when it is meant (a recalibration, a new mechanism), run

    PYTHONPATH=src python scripts/pin_regression.py

and commit the new file with the change that moved the numbers (docs/DEVELOPING.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from plazasim.experiments.simulate import simulate_scenario
from plazasim.experiments.validate import validate
from plazasim.provenance import provenance
from plazasim.scenario import load_scenario, with_overrides

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "regression.json"
SCENARIO = "mexico-2006"
SEED = 42
UNTIL = "2010-12-31"
VALIDATION_SEEDS = (1, 2)
#: Weekly flows summed by calendar year.
FLOWS = (
    "homicides_total",
    "homicides_cartel",
    "homicides_state",
    "homicides_bystander",
    "cocaine_entered_t",
    "cocaine_delivered_t",
    "cocaine_seized_t",
    "revenue_usd",
    "laundered_usd",
    "operations",
)
#: Stocks read in the last simulated week of each year.
STOCKS = ("members", "active_cartels")


def national_by_year() -> dict[str, dict[str, float]]:
    """``{metric: {year: value}}`` for the pinned run."""
    scenario = with_overrides(load_scenario(SCENARIO), seed=SEED, until=UNTIL)
    sim = simulate_scenario(scenario, record_plazas=False)
    national = sim.recorder.national_frame(sim.dates)
    years = np.array([d.year for d in sim.dates])
    out: dict[str, dict[str, float]] = {}
    for metric in FLOWS:
        values = national[metric].to_numpy(dtype=np.float64)
        out[metric] = {str(y): float(values[years == y].sum()) for y in np.unique(years)}
    for metric in STOCKS:
        values = national[metric].to_numpy(dtype=np.float64)
        out[metric] = {
            str(y): float(values[np.flatnonzero(years == y)[-1]]) for y in np.unique(years)
        }
    return out


def validation_facts() -> dict[str, bool]:
    """``{fact: holds}`` with the pinned seeds, in-process."""
    table = validate(list(VALIDATION_SEEDS), workers=1).table
    return {str(f): bool(h) for f, h in zip(table["fact"], table["holds"], strict=True)}


def measure() -> dict[str, Any]:
    """Everything the regression test compares."""
    return {
        "scenario": SCENARIO,
        "seed": SEED,
        "until": UNTIL,
        "national_by_year": national_by_year(),
        "validation_seeds": list(VALIDATION_SEEDS),
        "validation_holds": validation_facts(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default {OUT})")
    args = parser.parse_args()
    data = measure()
    data["produced_by"] = provenance()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    held = sum(data["validation_holds"].values())
    print(
        f"wrote {args.out}: {len(data['national_by_year'])} national metrics by year, "
        f"{held} of {len(data['validation_holds'])} validation facts hold"
    )


if __name__ == "__main__":
    main()
