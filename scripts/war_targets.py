"""Measure the shape the bundled Mexico scenario must show: escalation, its geography, size.

Why: the war-dynamics mechanisms must make the 2007-2010 escalation happen, with
whatever parameters ``mexico-2006`` carries (the posterior medians of its
calibration once one is adopted). This script runs the bundled scenario on
several seeds and prints, for each target, the median over seeds and whether it
holds, so the README's and the changelog's claims come from a command:

    .venv/bin/python scripts/war_targets.py [--seeds 1,2,3,4,5] [--workers 2]

Targets (medians over the seeds, runs to the end of 2010):

* December 2006 related deaths (cartel + state + bystander) between 20 and 400;
* related deaths rise every year 2007 -> 2010, and 2010 is within x2 of
  Presidencia's 15,273;
* Ciudad Juárez (08037) homicides in 2010 at least 1,000 and at least 5 x 2007;
* Chihuahua (08) among the three states with the most related deaths in 2010;
* members at the end of 2010 between 60,000 and 200,000;
* with ``--policy laissez_faire`` (all state action replaced): no operation and no
  state-cartel death in any week (seed 1).
Observed figures come from the world's shipped series (``World.observed``).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys

from plazasim.experiments.parallel import map_tasks
from plazasim.experiments.prior_predictive import run_draw
from plazasim.experiments.run import run_scenario
from plazasim.scenario import load_scenario, with_overrides

UNTIL = "2010-12-31"
YEARS = (2006, 2007, 2008, 2009, 2010)


def measure(seeds: list[int], workers: int) -> list[tuple[str, str, str, bool]]:
    """Run the default scenario on ``seeds``; return (target, measured, wanted, holds) rows."""
    base = load_scenario("mexico-2006")
    runs = map_tasks(run_draw, [with_overrides(base, seed=s, until=UNTIL) for s in seeds], workers)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    related = [med(f"related_{y}") for y in YEARS]
    observed = 15_273.0
    states = sorted(
        {k.split("_")[1] for k in runs[0] if k.startswith("related_") and len(k.split("_")) == 3}
    )
    by_state = {st: med(f"related_{st}_2010") for st in states}
    ranked = sorted(by_state, key=lambda st: -by_state[st])
    top3 = ranked[:3]
    chihuahua = f"; 08 is #{ranked.index('08') + 1} ({by_state['08']:,.0f})"
    juarez = [med(f"juarez_homicides_{y}") for y in (2007, 2010)]
    members = med("members_end_2010")
    rising = all(b > a for a, b in itertools.pairwise(related[1:]))
    free = run_scenario(
        with_overrides(base, seed=seeds[0], until=UNTIL, policy="laissez_faire")
    ).national
    return [
        ("Dec 2006 related deaths", f"{related[0]:,.0f}", "20-400", 20 <= related[0] <= 400),
        (
            "related deaths 2007-2010",
            " / ".join(f"{v:,.0f}" for v in related[1:]),
            "rise every year",
            rising,
        ),
        (
            "related deaths 2010 vs Presidencia 15,273",
            f"{related[-1] / observed:.2f} x",
            "0.5-2 x",
            0.5 <= related[-1] / observed <= 2.0,
        ),
        (
            "Ciudad Juarez homicides 2007 / 2010",
            f"{juarez[0]:,.0f} / {juarez[1]:,.0f}",
            ">= 1,000 and >= 5 x 2007",
            juarez[1] >= 1000 and juarez[1] >= 5 * juarez[0],
        ),
        (
            "top 3 states by related deaths 2010",
            ", ".join(f"{st} ({by_state[st]:,.0f})" for st in top3) + chihuahua,
            "Chihuahua (08) in it",
            "08" in top3,
        ),
        (
            "members at the end of 2010",
            f"{members:,.0f}",
            "60,000-200,000",
            60_000 <= members <= 200_000,
        ),
        (
            "laissez_faire: operations, state deaths",
            f"{free['operations'].sum():,.0f}, {free['homicides_state'].sum():,.0f}",
            "0, 0",
            free["operations"].sum() == 0 and free["homicides_state"].sum() == 0,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the targets table; exit 1 if any target does not hold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        print(f"--seeds: expected comma-separated integers, got {args.seeds!r}", file=sys.stderr)
        return 2
    rows = measure(seeds, args.workers)
    width = max(len(r[0]) for r in rows)
    got_width = max(len(r[1]) for r in rows)
    print(f"mexico-2006 to {UNTIL}, median over seeds {args.seeds}")
    for target, got, wanted, holds in rows:
        print(
            f"  {target:<{width}}  {got:<{got_width}}  want {wanted:<26}  "
            f"{'holds' if holds else 'MISSED'}"
        )
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
